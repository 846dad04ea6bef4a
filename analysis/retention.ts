// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import { isCountedCycle } from "./_cycle_roles.ts";

/** Per-cycle quantities whose retention can be followed. */
export type RetentionMetric =
  | "discharge_capacity_Ah"
  | "charge_capacity_Ah"
  | "discharge_energy_Wh"
  | "charge_energy_Wh";

/** What {@link capacityRetention} reads of each cycle (a `CycleSummary` fits). */
export type RetentionInput =
  & Pick<CycleSummary, "cycle">
  & Partial<Pick<CycleSummary, "complete">>
  & { role?: string | null }
  & Partial<Record<RetentionMetric, number | null>>;

/** Options of {@link capacityRetention}. */
export interface RetentionOptions {
  /** Quantity followed. @default {"discharge_capacity_Ah"} */
  metric?: RetentionMetric;
  /** Cycle number whose value is 100 %. @default {the first usable cycle} */
  referenceCycle?: number;
}

/** One point of a retention curve. */
export interface RetentionPoint {
  /** Cycle number. */
  cycle: number;
  /** Value of the metric (Ah or Wh). */
  value: number;
  /** `value / reference value` (fraction). */
  retention: number;
}

/** Result of {@link capacityRetention}. */
export interface RetentionResult {
  /** Quantity followed. */
  metric: RetentionMetric;
  /** Cycle whose value is 100 %. */
  reference_cycle: number;
  /** Value of the metric at the reference cycle. */
  reference_value: number;
  /** Retention of every usable cycle from the reference on, in cycle order. */
  points: RetentionPoint[];
  /**
   * Cycles left out: not counted (a `role` other than `"counted"`, or without a role
   * `complete: false`), or the metric missing or not positive.
   */
  skipped_cycles: number[];
  /**
   * Mean fade per cycle from the reference to the last cycle:
   * `(1 − retention_last) / (cycle_last − reference_cycle)` (fraction per cycle); `null` with a
   * single point. A last retention within 1e-9 of 1 (floating-point noise of the counters, far
   * below any instrument's resolution) gives exactly 0.
   */
  fade_per_cycle: number | null;
  /** `100 × fade_per_cycle` (fraction per 100 cycles). */
  fade_per_100_cycles: number | null;
}

const METRICS = new Set([
  "discharge_capacity_Ah",
  "charge_capacity_Ah",
  "discharge_energy_Wh",
  "charge_energy_Wh",
]);

/**
 * Retention of a per-cycle quantity relative to a reference cycle, and the mean fade rate.
 * Cycles before the reference are not part of the curve; cycles that do not count (a `role`
 * other than `"counted"` — as `analyzeTest` assigns — or, for cycles without a role, a last
 * cycle cut short by the end of the recording, `complete: false`) and cycles whose value is
 * missing or not positive are skipped and listed. Without roles, nothing else is classified:
 * a partial first cycle, formation or check-up cycles count here. `analyzeTest` classifies
 * them and chooses the reference; give it (or its `cycles`) to get the numbers every surface
 * shows.
 *
 * @param cycles Per-cycle summaries (from `summarizeCycles`).
 * @param options Metric and reference cycle.
 * @returns The retention curve and fade rates.
 * @throws {RangeError} when no cycle is usable or the reference cycle is missing or unusable.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { capacityRetention } from "./retention.ts";
 * const cycles = [1, 0.99, 0.98].map((q, k) => ({ cycle: k + 1, discharge_capacity_Ah: q }));
 * const r = capacityRetention(cycles);
 * equal(r.points[2].retention, 0.98);
 * equal(r.fade_per_100_cycles, 1.0000000000000009);
 * ```
 */
export function capacityRetention(
  cycles: readonly RetentionInput[],
  options: RetentionOptions = {},
): RetentionResult {
  const metric = options.metric ?? "discharge_capacity_Ah";
  if (!METRICS.has(metric)) throw new RangeError(`Unknown retention metric "${metric}"`);
  if (!Array.isArray(cycles)) throw new TypeError("capacityRetention: expected an array of cycles");
  const usable: { cycle: number; value: number }[] = [];
  const skipped: number[] = [];
  const sorted = [...cycles].sort((a, b) => a.cycle - b.cycle);
  for (const c of sorted) {
    if (!isCountedCycle(c)) {
      skipped.push(c.cycle);
      continue;
    }
    const v = c[metric];
    if (typeof v === "number" && Number.isFinite(v) && v > 0) {
      usable.push({ cycle: c.cycle, value: v });
    } else skipped.push(c.cycle);
  }
  if (usable.length === 0) {
    throw new RangeError(`capacityRetention: no cycle has a positive ${metric}`);
  }
  let refIndex = 0;
  if (options.referenceCycle !== undefined) {
    refIndex = usable.findIndex((p) => p.cycle === options.referenceCycle);
    if (refIndex < 0) {
      throw new RangeError(
        `capacityRetention: reference cycle ${options.referenceCycle} is missing or has no ` +
          `positive ${metric}`,
      );
    }
  }
  const ref = usable[refIndex];
  const points = usable.slice(refIndex).map((p) => ({
    cycle: p.cycle,
    value: p.value,
    retention: p.value / ref.value,
  }));
  const last = points[points.length - 1];
  const loss = Math.abs(1 - last.retention) < 1e-9 ? 0 : 1 - last.retention;
  const fade = points.length > 1 ? loss / (last.cycle - ref.cycle) : null;
  return {
    metric,
    reference_cycle: ref.cycle,
    reference_value: ref.value,
    points,
    skipped_cycles: skipped,
    fade_per_cycle: fade,
    fade_per_100_cycles: fade === null ? null : 100 * fade,
  };
}
