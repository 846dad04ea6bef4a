// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SampleProperties } from "./sample_properties.ts";
import { mapValues, requireProperty } from "./_sample.ts";

/**
 * Areal capacity, mAh/cm²: capacity (Ah) × 1000 / area (cm²).
 *
 * @param capacity_Ah Capacity, Ah (a number or an array).
 * @param sample Sample properties; `area_cm2` required.
 * @returns Capacity per area, mAh/cm²; an array gives a Float64Array (NaN elements stay NaN).
 * @throws {RangeError} When a needed property is missing or not positive.
 *
 * @example
 * ```ts
 * import { arealCapacity } from "./areal_capacity.ts";
 * import { ok } from "node:assert/strict";
 *
 * // 2 mAh on a 2 cm² electrode is 1 mAh/cm² (the original system's own test case).
 * ok(Math.abs(arealCapacity(0.002, { area_cm2: 2 }) - 1) < 1e-12);
 * ```
 */
export function arealCapacity(capacity_Ah: number, sample: SampleProperties): number;
/** Areal capacity of each element (see the single-value form). */
export function arealCapacity(
  capacity_Ah: ArrayLike<number>,
  sample: SampleProperties,
): Float64Array;
export function arealCapacity(
  capacity_Ah: number | ArrayLike<number>,
  sample: SampleProperties,
): number | Float64Array {
  const what = "areal capacity";
  const area = requireProperty(sample, "area_cm2", what);
  return mapValues(capacity_Ah, (q) => (q * 1000) / area, "capacity_Ah", what);
}
