// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SampleProperties } from "./sample_properties.ts";
import { mapValues, requireProperty } from "./_sample.ts";

/**
 * Area-specific resistance, Ω·cm²: resistance (Ω) × area (cm²). Also normalizes impedance
 * components (real or imaginary part) the same way.
 *
 * @param resistance_ohm Resistance, Ω (a number or an array).
 * @param sample Sample properties; `area_cm2` required.
 * @returns Area-specific resistance, Ω·cm²; an array gives a Float64Array (NaN elements stay NaN).
 * @throws {RangeError} When a needed property is missing or not positive.
 *
 * @example
 * ```ts
 * import { areaSpecificResistance } from "./area_specific_resistance.ts";
 * import { ok } from "node:assert/strict";
 *
 * // 10 Ω across a 19 mm disc (2.83528737 cm²) is 28.35 Ω·cm².
 * ok(Math.abs(areaSpecificResistance(10, { area_cm2: 2.83528737 }) - 28.3528737) < 1e-9);
 * ```
 */
export function areaSpecificResistance(resistance_ohm: number, sample: SampleProperties): number;
/** Area-specific resistance of each element, Ω·cm² (see the single-value form). */
export function areaSpecificResistance(
  resistance_ohm: ArrayLike<number>,
  sample: SampleProperties,
): Float64Array;
export function areaSpecificResistance(
  resistance_ohm: number | ArrayLike<number>,
  sample: SampleProperties,
): number | Float64Array {
  const what = "area-specific resistance";
  const area = requireProperty(sample, "area_cm2", what);
  return mapValues(resistance_ohm, (r) => r * area, "resistance_ohm", what);
}
