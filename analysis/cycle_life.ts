// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Options of {@link cycleLife}. */
export interface CycleLifeOptions {
  /** Retention threshold (fraction). @default {0.8} */
  threshold?: number;
  /**
   * Number of consecutive points that must be below the threshold for a crossing to count (a
   * single low point — a missed measurement, a rate step — does not end life with 2 or more).
   * @default {1}
   */
  consecutive?: number;
}

/**
 * Observed cycle life: the cycle at which the measured retention first falls below a threshold,
 * interpolated linearly between the last point at or above it and the first point below it.
 *
 * @param points The retention curve, in cycle order.
 * @param options Threshold and how many consecutive points below it are needed.
 * @returns The interpolated cycle, or `null` when the data never crosses the threshold.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { cycleLife } from "./cycle_life.ts";
 * // 87.5 % at cycle 10, 62.5 % at cycle 11: 75 % is reached halfway.
 * const points = [{ cycle: 10, retention: 0.875 }, { cycle: 11, retention: 0.625 }];
 * equal(cycleLife(points, { threshold: 0.75 }), 10.5);
 * ```
 */
export function cycleLife(
  points: readonly { cycle: number; retention: number }[],
  options: CycleLifeOptions = {},
): number | null {
  const threshold = options.threshold ?? 0.8;
  const consecutive = options.consecutive ?? 1;
  if (!Number.isFinite(threshold)) {
    throw new RangeError(`threshold must be finite, got ${threshold}`);
  }
  if (!(Number.isInteger(consecutive) && consecutive >= 1)) {
    throw new RangeError(`consecutive must be an integer >= 1, got ${consecutive}`);
  }
  const p = points.filter((q) => Number.isFinite(q.retention) && Number.isFinite(q.cycle));
  for (let i = 0; i + consecutive <= p.length; i++) {
    let below = true;
    for (let k = i; k < i + consecutive; k++) if (!(p[k].retention < threshold)) below = false;
    if (!below) continue;
    if (i === 0) return p[0].cycle;
    const a = p[i - 1], b = p[i];
    return a.cycle +
      ((a.retention - threshold) / (a.retention - b.retention)) * (b.cycle - a.cycle);
  }
  return null;
}
