// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SampleProperties } from "./sample_properties.ts";
import { mapValues, requireProperty } from "./_sample.ts";

/**
 * Specific capacity, mAh/g: capacity (Ah) × 1000 / active mass (g).
 *
 * @param capacity_Ah Capacity, Ah (a number or an array).
 * @param sample Sample properties; `mass_g` required.
 * @returns Capacity per mass, mAh/g; an array gives a Float64Array (NaN elements stay NaN).
 * @throws {RangeError} When a needed property is missing or not positive.
 *
 * @example
 * ```ts
 * import { specificCapacity } from "./specific_capacity.ts";
 * import { ok } from "node:assert/strict";
 *
 * // 1.5 mAh from 10 mg of active material is 150 mAh/g.
 * ok(Math.abs(specificCapacity(0.0015, { mass_g: 0.01 }) - 150) < 1e-9);
 * ```
 */
export function specificCapacity(capacity_Ah: number, sample: SampleProperties): number;
/** Specific capacity of each element (see the single-value form). */
export function specificCapacity(
  capacity_Ah: ArrayLike<number>,
  sample: SampleProperties,
): Float64Array;
export function specificCapacity(
  capacity_Ah: number | ArrayLike<number>,
  sample: SampleProperties,
): number | Float64Array {
  const what = "specific capacity";
  const mass = requireProperty(sample, "mass_g", what);
  return mapValues(capacity_Ah, (q) => (q * 1000) / mass, "capacity_Ah", what);
}
