// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Private: the least-squares straight line through a retention curve, with its uncertainty. */

import { linearLeastSquares } from "./_linalg.ts";
import { normalQuantile } from "./_stats.ts";

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
  /** Number of points. */
  n: number;
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
  return { intercept: line[0], slope: line[1], slope_se: se, rss, tss, n };
}

/**
 * Two-sided critical value of Student's t with `df` degrees of freedom: the t with
 * P(|T| ≤ t) = `level`. Exact for integer `df` (the finite series of Abramowitz & Stegun
 * 26.7.3–4 for P(|T| ≤ t), inverted by bisection); the normal value beyond 100,000 degrees.
 *
 * @param df Degrees of freedom (an integer ≥ 1).
 * @param level Two-sided probability, 0–1.
 */
export function tCritical(df: number, level: number): number {
  if (!(Number.isInteger(df) && df >= 1) || !(level > 0 && level < 1)) {
    throw new RangeError(`tCritical: df must be an integer >= 1 and level in (0, 1)`);
  }
  if (df > 100000) return normalQuantile(0.5 + level / 2);
  const inside = (t: number): number => {
    const theta = Math.atan(t / Math.sqrt(df));
    const c2 = Math.cos(theta) ** 2, s = Math.sin(theta);
    if (df === 1) return (2 * theta) / Math.PI;
    let term = 1, sum = 1;
    if (df % 2 === 1) {
      // (2/π)[θ + sinθ cosθ (1 + (2/3)cos²θ + (2·4)/(3·5)cos⁴θ + …)], up to cos^(df−2)θ
      for (let k = 2; k <= df - 3; k += 2) sum += term *= (k / (k + 1)) * c2;
      return (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
    }
    // sinθ (1 + (1/2)cos²θ + (1·3)/(2·4)cos⁴θ + …), up to cos^(df−2)θ
    for (let k = 1; k <= df - 3; k += 2) sum += term *= (k / (k + 1)) * c2;
    return s * sum;
  };
  let lo = 0, hi = 1;
  while (inside(hi) < level) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (inside(mid) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Whether the retention falls significantly: the 95 % confidence interval of the straight-line
 * slope (Student's t with n − 2 degrees of freedom) lies below zero. With many cycles that is
 * a slope below zero by about two standard errors; with few it asks for more (12.7 standard
 * errors with 3 cycles, 4.3 with 4), as a line through so few points is hardly determined.
 */
export function fallsSignificantly(trend: LinearTrend | null): boolean {
  if (trend === null || !(trend.slope < 0) || !Number.isFinite(trend.slope_se)) return false;
  return -trend.slope > tCritical(trend.n - 2, 0.95) * trend.slope_se;
}
