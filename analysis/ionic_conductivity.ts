// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SampleProperties } from "./sample_properties.ts";
import { mapValues, requireProperty, thicknessCm } from "./_sample.ts";

/**
 * Ionic conductivity, S/cm: σ = t / (R · A), with thickness t in cm (from `thickness_cm`, or
 * `thickness_um` × 1e-4), resistance R in Ω (for example the bulk resistance from an EIS fit) and
 * area A in cm².
 *
 * @param resistance_ohm Resistance, Ω, positive (a number or an array).
 * @param sample Sample properties; `area_cm2` and `thickness_cm` or `thickness_um` required.
 * @returns Conductivity, S/cm; an array gives a Float64Array (NaN elements stay NaN).
 * @throws {RangeError} When a needed property is missing or not positive.
 *
 * @example
 * ```ts
 * import { ionicConductivity } from "./ionic_conductivity.ts";
 * import { ok } from "node:assert/strict";
 *
 * // 100 µm of electrolyte, 50 Ω, 2 cm²: σ = 0.01 cm / (50 Ω × 2 cm²) = 1e-4 S/cm.
 * ok(Math.abs(ionicConductivity(50, { area_cm2: 2, thickness_um: 100 }) - 1e-4) < 1e-15);
 * ```
 */
export function ionicConductivity(resistance_ohm: number, sample: SampleProperties): number;
/** Ionic conductivity of each element (see the single-value form). */
export function ionicConductivity(
  resistance_ohm: ArrayLike<number>,
  sample: SampleProperties,
): Float64Array;
export function ionicConductivity(
  resistance_ohm: number | ArrayLike<number>,
  sample: SampleProperties,
): number | Float64Array {
  const what = "ionic conductivity";
  const area = requireProperty(sample, "area_cm2", what);
  const thickness = thicknessCm(sample, what);
  if (typeof resistance_ohm === "number" && !(resistance_ohm > 0)) {
    throw new RangeError(
      `Cannot compute ${what}: resistance_ohm must be a positive number, got ${resistance_ohm}`,
    );
  }
  return mapValues(
    resistance_ohm,
    (r) => (r > 0 ? thickness / (r * area) : NaN),
    "resistance_ohm",
    what,
  );
}
