// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Largest-triangle-three-buckets downsampling (Steinarsson 2013, "Downsampling Time Series for
 * Visual Representation"): keeps the first and last point and, from each of `target - 2` equal
 * buckets in between, the point forming the largest triangle with the point kept from the
 * previous bucket and the mean of the next bucket. Peaks and edges survive, unlike every-n-th
 * decimation.
 *
 * @param x Abscissae (any order; plots use row order).
 * @param y Ordinates.
 * @param target Number of points to keep (≥ 3); all points are kept when there are fewer.
 * @returns Indices of the kept points, increasing.
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
