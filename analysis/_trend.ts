// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Private: the least-squares straight line through a retention curve, with its uncertainty. */

import { linearLeastSquares } from "./_linalg.ts";

/** Straight-line fit of retention on cycle. */
export interface LinearTrend {
  /** Intercept. */
  intercept: number;
  /** Slope, retention per cycle. */
  slope: number;
  /** Standard error of the slope (`NaN` with fewer than 3 points). */
  slope_se: number;
  /** Residual sum of squares. */
  rss: number;
  /** Total sum of squares about the mean. */
  tss: number;
}

/**
 * Least-squares line through the points, or `null` when the cycles do not vary.
 *
 * @param points Retention curve.
 */
export function linearTrend(
  points: readonly { cycle: number; retention: number }[],
): LinearTrend | null {
  const n = points.length;
  if (n < 2) return null;
  const x = Float64Array.from(points, (p) => p.cycle);
  const y = Float64Array.from(points, (p) => p.retention);
  const design = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) design[2 * i] = 1, design[2 * i + 1] = x[i];
  const line = linearLeastSquares(design, y, n, 2);
  if (!line) return null;
  let rss = 0, sxx = 0, xm = 0, ym = 0, tss = 0;
  for (let i = 0; i < n; i++) xm += x[i] / n, ym += y[i] / n;
  for (let i = 0; i < n; i++) {
    rss += (line[0] + line[1] * x[i] - y[i]) ** 2;
    sxx += (x[i] - xm) ** 2;
    tss += (y[i] - ym) ** 2;
  }
  const se = n > 2 && sxx > 0 ? Math.sqrt(rss / (n - 2) / sxx) : NaN;
  return { intercept: line[0], slope: line[1], slope_se: se, rss, tss };
}

/**
 * Whether the retention falls significantly: the straight-line slope is negative by more than
 * two standard errors (about 95 % one-sided for many cycles).
 */
export function fallsSignificantly(trend: LinearTrend | null): boolean {
  return trend !== null && trend.slope < 0 && -trend.slope > 2 * trend.slope_se;
}
