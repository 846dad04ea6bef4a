// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SampleProperties } from "./sample_properties.ts";
import { specificCapacity } from "./specific_capacity.ts";
import { arealCapacity } from "./areal_capacity.ts";
import { areaSpecificResistance } from "./area_specific_resistance.ts";
import { ionicConductivity } from "./ionic_conductivity.ts";

/**
 * What to normalize to: `"mAh_per_g"` and `"mAh_per_cm2"` take a capacity in Ah; `"ohm_cm2"`
 * and `"S_per_cm"` take a resistance in Ω.
 */
export type NormalizeTarget = "mAh_per_g" | "mAh_per_cm2" | "ohm_cm2" | "S_per_cm";

/** The normalizations by target unit. */
export const NORMALIZE_TARGETS: readonly NormalizeTarget[] = [
  "mAh_per_g",
  "mAh_per_cm2",
  "ohm_cm2",
  "S_per_cm",
];

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /** Target unit. */
  to: NormalizeTarget;
  /** Sample properties (area, thickness, mass). */
  sample: SampleProperties;
}

/**
 * Normalize a capacity (Ah) or a resistance (Ω) by the sample's geometry, choosing the
 * normalization by its target unit (for command-line tools and configuration files): the same as
 * calling `specificCapacity`, `arealCapacity`, `areaSpecificResistance` or `ionicConductivity`.
 *
 * @param value Capacity in Ah or resistance in Ω.
 * @param options Target unit and sample properties.
 * @returns The normalized value in the target unit.
 * @throws {RangeError} For an unknown target or a missing or non-positive property.
 *
 * @example
 * ```ts
 * import { normalize } from "./normalize.ts";
 * import { equal, throws } from "node:assert/strict";
 *
 * equal(normalize(0.002, { to: "mAh_per_cm2", sample: { area_cm2: 2 } }), 1);
 * throws(() => normalize(10, { to: "S_per_cm", sample: { area_cm2: 2 } }), /thickness_cm/);
 * ```
 */
export function normalize(value: number, options: NormalizeOptions): number {
  const { to, sample } = options ?? {};
  switch (to) {
    case "mAh_per_g":
      return specificCapacity(value, sample);
    case "mAh_per_cm2":
      return arealCapacity(value, sample);
    case "ohm_cm2":
      return areaSpecificResistance(value, sample);
    case "S_per_cm":
      return ionicConductivity(value, sample);
    default:
      throw new RangeError(
        `Cannot normalize: unknown target ${String(to)}; use one of ${
          NORMALIZE_TARGETS.join(", ")
        }`,
      );
  }
}
