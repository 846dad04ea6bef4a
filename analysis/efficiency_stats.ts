// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../lib/model/cycle_summary.ts";

/** Options of {@link efficiencyStats}. */
export interface EfficiencyOptions {
  /** Leave out the first N cycles (formation). @default {0} */
  skipFirst?: number;
}

/** Result of {@link efficiencyStats}. All efficiencies are fractions. */
export interface EfficiencyStats {
  /** Cycles with a coulombic efficiency. */
  n_ce: number;
  /** Mean coulombic efficiency, or `null`. */
  ce_mean: number | null;
  /** Smallest coulombic efficiency, or `null`. */
  ce_min: number | null;
  /** Largest coulombic efficiency, or `null`. */
  ce_max: number | null;
  /**
   * Cumulative coulombic efficiency: the product of the per-cycle values (the fraction of
   * charge that would remain if every cycle lost 1 − CE), or `null`.
   */
  ce_cumulative: number | null;
  /** Cycles with an energy efficiency. */
  n_ee: number;
  /** Mean energy efficiency, or `null`. */
  ee_mean: number | null;
  /** Smallest energy efficiency, or `null`. */
  ee_min: number | null;
  /** Largest energy efficiency, or `null`. */
  ee_max: number | null;
}

function describe(
  values: number[],
): { mean: number | null; min: number | null; max: number | null } {
  if (values.length === 0) return { mean: null, min: null, max: null };
  let s = 0, lo = Infinity, hi = -Infinity;
  for (const v of values) {
    s += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { mean: s / values.length, min: lo, max: hi };
}

/**
 * Coulombic- and energy-efficiency statistics over cycles (cycles without a value are left out).
 *
 * @param cycles Per-cycle summaries (from `summarizeCycles`), in cycle order.
 * @param options Cycles to skip.
 * @returns Means, extremes and the cumulative (product) coulombic efficiency.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { efficiencyStats } from "./efficiency_stats.ts";
 * const s = efficiencyStats([
 *   { coulombic_efficiency: 0.9, energy_efficiency: 0.8 },
 *   { coulombic_efficiency: 0.5, energy_efficiency: null },
 * ]);
 * equal(s.ce_mean, 0.7);
 * equal(s.ce_cumulative, 0.45);
 * equal(s.ee_mean, 0.8);
 * ```
 */
export function efficiencyStats(
  cycles: readonly Pick<CycleSummary, "coulombic_efficiency" | "energy_efficiency">[],
  options: EfficiencyOptions = {},
): EfficiencyStats {
  const skip = options.skipFirst ?? 0;
  if (!(Number.isInteger(skip) && skip >= 0)) {
    throw new RangeError(`skipFirst must be a non-negative integer, got ${skip}`);
  }
  const used = cycles.slice(skip);
  const finite = (v: number | null | undefined): v is number =>
    typeof v === "number" && Number.isFinite(v);
  const ce = used.map((c) => c.coulombic_efficiency).filter(finite);
  const ee = used.map((c) => c.energy_efficiency).filter(finite);
  const a = describe(ce), b = describe(ee);
  return {
    n_ce: ce.length,
    ce_mean: a.mean,
    ce_min: a.min,
    ce_max: a.max,
    ce_cumulative: ce.length ? ce.reduce((p, v) => p * v, 1) : null,
    n_ee: ee.length,
    ee_mean: b.mean,
    ee_min: b.min,
    ee_max: b.max,
  };
}
