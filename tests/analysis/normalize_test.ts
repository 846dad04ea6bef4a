// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, throws } from "node:assert/strict";
import {
  arealCapacity,
  areaSpecificResistance,
  ionicConductivity,
  normalize,
  samplePropertiesFromMeta,
  specificCapacity,
} from "../../analysis/mod.ts";
import { assertClose } from "../_util.ts";

Deno.test("arealCapacity() and specificCapacity(): known answers", () => {
  // Original system's test (§3.16): capacity 2.0 (mAh) / area 2.0 cm² → 1.0 mAh/cm².
  assertClose(arealCapacity(0.002, { area_cm2: 2 }), 1, { rel: 1e-12 });
  // LFP: 1.5 mAh from 10 mg → 150 mAh/g.
  assertClose(specificCapacity(0.0015, { mass_g: 0.01 }), 150, { rel: 1e-12 });
  // Arrays (a capacity column) give Float64Array; NaN (missing) stays NaN.
  const out = specificCapacity([0.001, NaN, 0.002], { mass_g: 0.01 });
  equal(out instanceof Float64Array, true);
  assertClose(out[0], 100, { rel: 1e-12 });
  equal(Number.isNaN(out[1]), true);
});

Deno.test("areaSpecificResistance() and ionicConductivity(): known answers", () => {
  // The lab's spreadsheet (§3.16): σ = (1/R)·(t_cm / A) with A = 2.83528737 cm² (19 mm disc).
  // R = 25 Ω, t = 250 µm: σ = 0.025 / (25 × 2.83528737) = 3.5269e-4 S/cm.
  const disc = { area_cm2: 2.83528737, thickness_um: 250 };
  assertClose(ionicConductivity(25, disc), 0.025 / (25 * 2.83528737), { rel: 1e-12 });
  assertClose(ionicConductivity(25, { area_cm2: 2.83528737, thickness_cm: 0.025 }), 3.52698e-4, {
    rel: 1e-5,
  });
  assertClose(areaSpecificResistance(25, disc), 70.88218425, { rel: 1e-12 });
  // Both thickness units given and agreeing is fine.
  assertClose(ionicConductivity(25, { ...disc, thickness_cm: 0.025 }), 3.52698e-4, { rel: 1e-5 });
});

Deno.test("normalizations name the missing or bad property, never invent one", () => {
  throws(() => arealCapacity(0.001, {}), /sample property area_cm2 is missing/);
  throws(() => specificCapacity(0.001, { mass_g: null }), /sample property mass_g is missing/);
  throws(() => specificCapacity(0.001, { mass_g: 0 }), /mass_g must be a positive number, got 0/);
  throws(() => arealCapacity(0.001, { area_cm2: -2 }), /area_cm2 must be a positive number/);
  throws(() => ionicConductivity(10, { area_cm2: 1 }), /thickness_cm \(or thickness_um\)/);
  throws(() => ionicConductivity(10, { area_cm2: 1, thickness_um: NaN }), /thickness_um/);
  throws(
    () => ionicConductivity(10, { area_cm2: 1, thickness_cm: 0.1, thickness_um: 100 }),
    /disagree/,
  );
  throws(() => ionicConductivity(0, { area_cm2: 1, thickness_cm: 0.1 }), /resistance_ohm/);
  throws(() => arealCapacity(Infinity, { area_cm2: 1 }), /capacity_Ah must be a finite number/);
  for (const e of [RangeError]) {
    throws(() => arealCapacity(0.001, {}), e);
  }
});

Deno.test("normalize() dispatches by target unit", () => {
  const sample = { area_cm2: 2, mass_g: 0.01, thickness_cm: 0.01 };
  equal(normalize(0.002, { to: "mAh_per_cm2", sample }), arealCapacity(0.002, sample));
  equal(normalize(0.002, { to: "mAh_per_g", sample }), 200);
  equal(normalize(5, { to: "ohm_cm2", sample }), 10);
  assertClose(normalize(5, { to: "S_per_cm", sample }), 0.01 / 10, { rel: 1e-12 });
  // deno-lint-ignore no-explicit-any
  throws(() => normalize(1, { to: "mAh" as any, sample }), /unknown target mAh/);
  deepEqual(samplePropertiesFromMeta({ electrode_area_cm2: null, active_mass_g: 0.004 }), {
    area_cm2: null,
    mass_g: 0.004,
  });
});
