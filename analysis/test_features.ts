// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import { isCountedCycle } from "./_cycle_roles.ts";
import { cycleLife } from "./cycle_life.ts";
import { efficiencyStats } from "./efficiency_stats.ts";
import { capacityRetention, type RetentionOptions } from "./retention.ts";
import { median } from "./_stats.ts";

/** What {@link testFeatures} reads of each cycle (a `CycleSummary` fits). */
export type FeatureInput =
  & Pick<CycleSummary, "cycle">
  & Partial<Pick<CycleSummary, "complete">>
  & { role?: string | null }
  & Partial<
    Pick<
      CycleSummary,
      | "coulombic_efficiency"
      | "energy_efficiency"
      | "mean_voltage_V"
      | "internal_resistance_ohm"
    >
  >
  & Partial<
    Record<
      "discharge_capacity_Ah" | "charge_capacity_Ah" | "discharge_energy_Wh" | "charge_energy_Wh",
      number | null
    >
  >;

/** Options of {@link testFeatures}. */
export interface TestFeatureOptions extends RetentionOptions {
  /** Retention threshold of the observed cycle life (fraction). @default {0.8} */
  threshold?: number;
}

/** Per-test features (units in the names; `null` when not available). */
export interface TestFeatures {
  /** Number of cycles. */
  cycle_count: number;
  /** Value of the followed metric at the reference cycle (Ah or Wh). */
  initial_value: number;
  /** Value at the last usable cycle. */
  final_value: number;
  /** Retention at the last usable cycle (fraction). */
  final_retention: number;
  /** Mean fade per 100 cycles (fraction). */
  fade_per_100_cycles: number | null;
  /** Mean coulombic efficiency (fraction). */
  ce_mean: number | null;
  /** Product of the coulombic efficiencies. */
  ce_cumulative: number | null;
  /** Mean energy efficiency (fraction). */
  ee_mean: number | null;
  /** Mean over cycles of the time-weighted mean voltage, V. */
  mean_voltage_V: number | null;
  /** Median over cycles of the internal resistance, Ω. */
  internal_resistance_ohm: number | null;
  /** Observed cycle at which retention falls below the threshold, or `null`. */
  cycle_life: number | null;
}

/**
 * Headline features of one test from its cycles, for comparison tables, outlier detection,
 * similarity search and PCA.
 *
 * Only cycles that count enter the features (see `capacityRetention`: with a `role`, only
 * `"counted"`; without one, all but a last cycle cut short, `complete: false`); `cycle_count`
 * is the number of cycles given. Cycles are not classified here (no partial-first, formation or
 * check-up detection, reference = first usable cycle): for the numbers every surface shows,
 * use `analyzeTest(...).summary`, or pass `analyzeTest(...).cycles` here.
 *
 * @param cycles Per-cycle summaries (from `summarizeCycles`).
 * @param options Metric, reference cycle and threshold.
 * @returns The features.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { testFeatures } from "./test_features.ts";
 * const cycles = [1, 0.9].map((q, k) => ({
 *   cycle: k + 1, discharge_capacity_Ah: q, coulombic_efficiency: 0.99, energy_efficiency: null,
 *   mean_voltage_V: 3.7, internal_resistance_ohm: null,
 * }));
 * equal(testFeatures(cycles).final_retention, 0.9);
 * ```
 */
export function testFeatures(
  cycles: readonly FeatureInput[],
  options: TestFeatureOptions = {},
): TestFeatures {
  const r = capacityRetention(cycles, options);
  const used = cycles.filter((c) => isCountedCycle(c));
  const e = efficiencyStats(used.map((c) => ({
    coulombic_efficiency: c.coulombic_efficiency ?? null,
    energy_efficiency: c.energy_efficiency ?? null,
  })));
  const finite = (xs: (number | null | undefined)[]): number[] =>
    xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  const v = finite(used.map((c) => c.mean_voltage_V));
  const ir = finite(used.map((c) => c.internal_resistance_ohm));
  const last = r.points[r.points.length - 1];
  return {
    cycle_count: cycles.length,
    initial_value: r.reference_value,
    final_value: last.value,
    final_retention: last.retention,
    fade_per_100_cycles: r.fade_per_100_cycles,
    ce_mean: e.ce_mean,
    ce_cumulative: e.ce_cumulative,
    ee_mean: e.ee_mean,
    mean_voltage_V: v.length ? v.reduce((s, x) => s + x, 0) / v.length : null,
    internal_resistance_ohm: ir.length ? median(ir) : null,
    cycle_life: cycleLife(r.points, { threshold: options.threshold ?? 0.8 }),
  };
}
