// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Largest-triangle-three-buckets downsampling (Steinarsson 2013, "Downsampling Time Series for
 * Visual Representation"): keeps the first and last point and, from each of `target - 2` equal
 * buckets in between, the point forming the largest triangle with the point kept from the
 * previous bucket and the mean of the next bucket. Peaks and edges survive, unlike every-n-th
 * decimation.
 *
 * Use it to draw long series (a whole test's voltage trace, 10⁶ rows) with a few thousand
 * points: the plot looks the same, and the page or notebook stays small.
 *
 * @param x Abscissae (any order; plots use row order).
 * @param y Ordinates.
 * @param target Number of points to keep (≥ 3); all points are kept when there are fewer.
 * @returns Indices of the kept points, increasing.
 * @throws {RangeError} When `target` is not an integer ≥ 3.
 *
 * @example Keep a spike that every-10th-point decimation would miss
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { downsample } from "./downsample.ts";
 * // 1,000 points of a flat line with one spike at x = 503.
 * const x = Array.from({ length: 1000 }, (_, i) => i);
 * const y = x.map((i) => (i === 503 ? 5 : 0));
 * const keep = downsample(x, y, 100);
 * deepEqual([keep.length, keep[0], keep[99]], [100, 0, 999]); // both ends are kept
 * deepEqual(Array.from(keep).includes(503), true); // and so is the spike
 * ```
 */
export function downsample(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  target: number,
): Int32Array {
  const n = Math.min(x.length, y.length);
  if (!Number.isInteger(target) || target < 3) {
    throw new RangeError(`downsample: target must be an integer ≥ 3, got ${target}`);
  }
  if (n <= target) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(target);
  const every = (n - 2) / (target - 2);
  let a = 0;
  out[0] = 0;
  for (let i = 0; i < target - 2; i++) {
    // Mean of the next bucket (the last point for the last bucket).
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(n, Math.floor((i + 2) * every) + 1);
    let mx = 0, my = 0, count = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      mx += x[j];
      my += y[j];
      count++;
    }
    if (count === 0) {
      mx = x[n - 1];
      my = y[n - 1];
    } else {
      mx /= count;
      my /= count;
    }
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = x[a], ay = y[a];
    let best = -1, chosen = start;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - mx) * (y[j] - ay) - (ax - x[j]) * (my - ay));
      if (area > best || Number.isNaN(best)) {
        best = area;
        chosen = j;
      }
    }
    out[i + 1] = chosen;
    a = chosen;
  }
  out[target - 1] = n - 1;
  return out;
}
