// Copyright 2026 the battery-analysis authors. MIT license.

import type { TestSampleInfo } from "../../analysis/analyze_test.ts";
import type { Sample } from "../store/documents.ts";

function positive(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * The properties of a stored sample that the analysis and the normalizations use: nominal
 * capacity (plausibility of capacities), electrode area, thickness, the mass of active material
 * (`mass_g` of the result is the active mass that specific capacity divides by; the sample's
 * whole mass is not used for it), chemistry and form factor. Missing or non-positive values are
 * `null`, never guessed.
 *
 * @param sample A stored sample (documents stored before `active_mass_g` existed give `null`).
 * @returns The properties.
 *
 * @example Usage
 * ```ts
 * import { samplePropertiesOf } from "./sample_properties_of.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const props = samplePropertiesOf({
 *   area_cm2: 1.13, thickness_cm: null, active_mass_g: 0.012, mass_g: 2, nominal_capacity_Ah: 0.001,
 *   chemistry: "Zn|Zn", form_factor: null,
 * });
 * deepEqual(props, {
 *   nominal_capacity_Ah: 0.001, area_cm2: 1.13, thickness_cm: null, mass_g: 0.012,
 *   active_mass_g: 0.012, chemistry: "Zn|Zn", form_factor: null,
 * });
 * ```
 */
export function samplePropertiesOf(
  sample:
    & Pick<
      Sample,
      "area_cm2" | "thickness_cm" | "mass_g" | "nominal_capacity_Ah" | "chemistry" | "form_factor"
    >
    & { active_mass_g?: number | null },
): TestSampleInfo {
  const active = positive(sample.active_mass_g);
  return {
    nominal_capacity_Ah: positive(sample.nominal_capacity_Ah),
    area_cm2: positive(sample.area_cm2),
    thickness_cm: positive(sample.thickness_cm),
    mass_g: active,
    active_mass_g: active,
    chemistry: sample.chemistry ?? null,
    form_factor: sample.form_factor ?? null,
  };
}
