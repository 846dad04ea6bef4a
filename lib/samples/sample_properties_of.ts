// Copyright 2026 the battery-analysis authors. MIT license.

import type { SampleProperties } from "../../analysis/sample_properties.ts";
import type { Sample } from "../store/documents.ts";

function positive(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * The properties of a stored sample that normalizations and the analysis use: electrode area,
 * thickness and the mass of active material (`SampleProperties.mass_g` is the active mass that
 * specific capacity divides by; the sample's whole mass `mass_g` is not used for it). Missing or
 * non-positive values are `null`, never guessed.
 *
 * @param sample A stored sample (documents stored before `active_mass_g` existed give `null`).
 * @returns The properties.
 *
 * @example Usage
 * ```ts
 * import { samplePropertiesOf } from "./sample_properties_of.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(samplePropertiesOf({ area_cm2: 1.13, thickness_cm: null, active_mass_g: 0.012, mass_g: 2 }), {
 *   area_cm2: 1.13, thickness_cm: null, mass_g: 0.012,
 * });
 * ```
 */
export function samplePropertiesOf(
  sample: Pick<Sample, "area_cm2" | "thickness_cm" | "mass_g"> & { active_mass_g?: number | null },
): SampleProperties {
  return {
    area_cm2: positive(sample.area_cm2),
    thickness_cm: positive(sample.thickness_cm),
    mass_g: positive(sample.active_mass_g),
  };
}
