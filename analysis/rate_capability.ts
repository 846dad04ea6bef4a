// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../lib/model/cycle_summary.ts";

/** Options of {@link rateCapability}. */
export interface RateCapabilityOptions {
  /** Nominal capacity that defines 1C, Ah (required). */
  nominalCapacity_Ah: number;
  /** Relative difference of C-rate below which two cycles are at the same rate. @default {0.05} */
  tolerance?: number;
}

/** A run of consecutive cycles at one discharge rate. */
export interface RateStep {
  /** Mean discharge C-rate of the run (|I| / nominal capacity, h⁻¹). */
  c_rate: number;
  /** First cycle of the run. */
  first_cycle: number;
  /** Last cycle of the run. */
  last_cycle: number;
  /** Cycles in the run. */
  n_cycles: number;
  /** Mean discharge capacity, Ah. */
  mean_discharge_capacity_Ah: number;
  /** Mean discharge current, A (negative). */
  mean_discharge_current_A: number;
}

/** All cycles at one discharge rate (several runs at the same rate are pooled). */
export interface RateLevel {
  /** Mean C-rate of the level. */
  c_rate: number;
  /** Cycles at this rate. */
  n_cycles: number;
  /** Runs at this rate (2 or more when the test returns to it, as a recovery check). */
  n_steps: number;
  /** Mean discharge capacity, Ah. */
  mean_discharge_capacity_Ah: number;
  /** Capacity relative to the lowest-rate level (fraction). */
  relative_capacity: number;
}

/** Result of {@link rateCapability}. */
export interface RateCapability {
  /** Nominal capacity used, Ah. */
  nominal_capacity_Ah: number;
  /** Runs of consecutive cycles at one rate, in cycle order. */
  steps: RateStep[];
  /** Rate levels by increasing C-rate. */
  levels: RateLevel[];
  /** Cycles without a discharge (no mean discharge current or zero capacity). */
  skipped_cycles: number[];
}

/**
 * Rate capability: discharge capacity versus discharge C-rate for a test that steps through
 * rates. Each cycle's rate is |mean discharge current| / nominal capacity; consecutive cycles
 * within `tolerance` (relative) of the run's first cycle form a step; steps within `tolerance`
 * of each other form a level.
 *
 * @param cycles Per-cycle summaries (from `summarizeCycles`).
 * @param options Nominal capacity and rate tolerance.
 * @returns Steps and levels with mean capacities.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { rateCapability } from "./rate_capability.ts";
 * const cycles = [[-0.1, 1.0], [-0.1, 1.0], [-1, 0.8], [-1, 0.8]].map(([i, q], k) => ({
 *   cycle: k + 1, mean_discharge_current_A: i, discharge_capacity_Ah: q,
 * }));
 * const r = rateCapability(cycles, { nominalCapacity_Ah: 1 });
 * equal(r.levels.length, 2);
 * equal(r.levels[1].relative_capacity, 0.8);
 * ```
 */
export function rateCapability(
  cycles: readonly Pick<
    CycleSummary,
    "cycle" | "mean_discharge_current_A" | "discharge_capacity_Ah"
  >[],
  options: RateCapabilityOptions,
): RateCapability {
  const nominal = options?.nominalCapacity_Ah;
  if (!(typeof nominal === "number" && nominal > 0 && Number.isFinite(nominal))) {
    throw new RangeError(
      `rateCapability: nominalCapacity_Ah must be a positive number, got ${nominal}`,
    );
  }
  const tol = options.tolerance ?? 0.05;
  if (!(tol >= 0 && tol < 1)) throw new RangeError(`tolerance must be in [0, 1), got ${tol}`);
  const same = (a: number, b: number): boolean => Math.abs(a - b) <= tol * Math.max(a, b);
  const steps: RateStep[] = [];
  const skipped: number[] = [];
  let run:
    | { rate: number; rates: number[]; q: number[]; i: number[]; first: number; last: number }
    | null = null;
  const close = (): void => {
    if (!run) return;
    const m = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    steps.push({
      c_rate: m(run.rates),
      first_cycle: run.first,
      last_cycle: run.last,
      n_cycles: run.q.length,
      mean_discharge_capacity_Ah: m(run.q),
      mean_discharge_current_A: m(run.i),
    });
    run = null;
  };
  for (const c of [...cycles].sort((a, b) => a.cycle - b.cycle)) {
    const i = c.mean_discharge_current_A;
    if (i === null || !Number.isFinite(i) || i >= 0 || !(c.discharge_capacity_Ah > 0)) {
      skipped.push(c.cycle);
      continue;
    }
    const rate = -i / nominal;
    if (run && same(run.rate, rate)) {
      run.rates.push(rate), run.q.push(c.discharge_capacity_Ah), run.i.push(i);
      run.last = c.cycle;
    } else {
      close();
      run = {
        rate,
        rates: [rate],
        q: [c.discharge_capacity_Ah],
        i: [i],
        first: c.cycle,
        last: c.cycle,
      };
    }
  }
  close();
  const levels: { rates: number[]; q: number[]; steps: number }[] = [];
  for (const s of [...steps].sort((a, b) => a.c_rate - b.c_rate)) {
    const lv = levels[levels.length - 1];
    const lvRate = lv ? lv.rates.reduce((a, b) => a + b, 0) / lv.rates.length : NaN;
    const stepRates = new Array(s.n_cycles).fill(s.c_rate);
    const stepQ = new Array(s.n_cycles).fill(s.mean_discharge_capacity_Ah);
    if (lv && same(lvRate, s.c_rate)) {
      lv.rates.push(...stepRates), lv.q.push(...stepQ), lv.steps++;
    } else levels.push({ rates: stepRates, q: stepQ, steps: 1 });
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const ref = levels.length ? mean(levels[0].q) : NaN;
  return {
    nominal_capacity_Ah: nominal,
    steps,
    levels: levels.map((l) => ({
      c_rate: mean(l.rates),
      n_cycles: l.q.length,
      n_steps: l.steps,
      mean_discharge_capacity_Ah: mean(l.q),
      relative_capacity: mean(l.q) / ref,
    })),
    skipped_cycles: skipped,
  };
}
