// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Linear interpolation in samples with non-decreasing x, held constant beyond the ends; at a
 * repeated x (a step boundary recorded twice) the later sample wins.
 *
 * @param x Sample positions, non-decreasing.
 * @param y Sample values.
 * @param at Where to interpolate.
 * @returns The interpolated value.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { interpolateClamped } from "./_interpolate.ts";
 * equal(interpolateClamped([0, 1, 1, 2], [0, 1, 5, 6], 1.5), 5.5);
 * ```
 */
export function interpolateClamped(x: ArrayLike<number>, y: ArrayLike<number>, at: number): number {
  const n = x.length;
  if (at <= x[0]) return y[0];
  if (at >= x[n - 1]) return y[n - 1];
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] > at) hi = mid;
    else lo = mid;
  }
  const span = x[hi] - x[lo];
  return span > 0 ? y[lo] + (y[hi] - y[lo]) * (at - x[lo]) / span : y[hi];
}

/**
 * Rows of a series nearest to `count` evenly spaced times over [from, to], without repeats and
 * skipping the first of two rows with the same time (a step change recorded twice).
 *
 * @param time Row times, non-decreasing.
 * @param from Start of the span.
 * @param to End of the span.
 * @param count How many times to aim at.
 * @returns Row indices, increasing.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { rowsNearTimes } from "./_interpolate.ts";
 * deepEqual(rowsNearTimes([0, 1, 2, 2, 3, 4], 0, 4, 3), [0, 3, 5]);
 * ```
 */
export function rowsNearTimes(
  time: ArrayLike<number>,
  from: number,
  to: number,
  count: number,
): number[] {
  const out: number[] = [];
  const n = time.length;
  let j = 0;
  for (let k = 0; k < count; k++) {
    const t = count === 1 ? from : from + (to - from) * k / (count - 1);
    while (j < n - 1 && time[j + 1] <= t) j++;
    let best = j;
    if (j < n - 1 && Math.abs(time[j + 1] - t) < Math.abs(time[j] - t)) best = j + 1;
    while (best < n - 1 && time[best + 1] === time[best]) best++;
    if (time[best] < from || time[best] > to) continue;
    if (out.length === 0 || best > out[out.length - 1]) out.push(best);
  }
  return out;
}
