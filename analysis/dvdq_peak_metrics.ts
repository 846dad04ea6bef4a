// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { CycleOptions } from "./_cycle_segments.ts";
import type { HalfCycleDirection } from "./_half_cycle_data.ts";
import { dvdq, type DvdqOptions } from "./dvdq.ts";
import { findPeaks, type FindPeaksOptions } from "./find_peaks.ts";
import { halfCycles } from "./half_cycles.ts";

/** One cycle given to {@link dvdqPeakMetrics}: rows holding it, and its number. */
export interface DvdqCycleRows {
  /** The cycle's rows. */
  series: CyclingSeries;
  /**
   * The cycle's number, to label the result. The series should hold this cycle's rows only (as
   * `store.series.read(id, { cycle })` returns them): its longest half of the direction is the
   * one analysed.
   */
  cycle: number;
}

/** What {@link dvdqPeakMetrics} compares. */
export interface DvdqPeakMetricsInput {
  /** The earlier cycle (the first full counted cycle of the analysis). */
  first: DvdqCycleRows;
  /** The later cycle (the last full counted cycle), or `null` when there is only one. */
  last: DvdqCycleRows | null;
  /** The half cycle analysed: the half of the analysis's metric (discharge for capacity fade). */
  direction: HalfCycleDirection;
}

/** Options of {@link dvdqPeakMetrics}. */
export interface DvdqPeakMetricsOptions {
  /** dV/dQ options (grid, smoothing; its own peak search is not used). @default {dvdq's defaults} */
  dvdq?: Omit<DvdqOptions, "peaks">;
  /**
   * Part of the half cycle searched for peaks, as fractions of its capacity: the steep voltage
   * changes at its start (the relaxation after the current changes) and end (the knee before the
   * cut-off) dwarf the features in between and are left out. @default {[0.1, 0.9]}
   */
  window?: [number, number];
  /** Peak search in the window (`findPeaks`). @default {{ min_prominence_fraction: 0.05 }} */
  peaks?: FindPeaksOptions;
  /** How each cycle's rows are split into half cycles. @default {halfCycles' defaults} */
  cycle_options?: CycleOptions;
}

/** The dV/dQ peaks of one cycle's half. */
export interface DvdqCyclePeaks {
  /** Cycle number. */
  cycle: number;
  /** Capacity passed over the half cycle, Ah. */
  capacity_Ah: number;
  /** Number of dV/dQ peaks found in the window. */
  peak_count: number;
  /**
   * Position of feature A, the earlier of the cycle's two most prominent dV/dQ peaks (capacity
   * passed since the start of the half cycle), Ah, or `null` without a peak.
   */
  peak_a_Ah: number | null;
  /** Position of feature B, the later of the two, Ah, or `null` with fewer than two peaks. */
  peak_b_Ah: number | null;
  /** |B − A|, Ah, or `null` without both. */
  separation_Ah: number | null;
}

/** Result of {@link dvdqPeakMetrics}. */
export interface DvdqPeakMetrics {
  /** Half cycle analysed. */
  direction: HalfCycleDirection;
  /** The first cycle's peaks. */
  first: DvdqCyclePeaks;
  /** The last cycle's peaks (its own two most prominent), or `null` without a last cycle. */
  last: DvdqCyclePeaks | null;
  /** Last separation / first separation (fraction), or `null`. */
  separation_retention: number | null;
  /** Last A − first A, Ah (negative: the feature comes earlier in the half cycle), or `null`. */
  peak_a_shift_Ah: number | null;
  /** Why a number is missing, or `null` when every number is there. */
  note: string | null;
}

/** Peaks of a cycle's dV/dQ: positions (Ah) and prominences (V/Ah), by position. */
interface CyclePeaks {
  cycle: number;
  capacity_Ah: number;
  peaks: { position_Ah: number; prominence: number }[];
}

/**
 * The dV/dQ peaks within the window of the `direction` half of one cycle's rows (consecutive
 * segments of that direction merged).
 */
function cyclePeaks(
  rows: DvdqCycleRows,
  direction: HalfCycleDirection,
  options: DvdqPeakMetricsOptions,
): CyclePeaks {
  // A half may be split by a rest (or by steps): consecutive segments of one direction form it.
  const halves = halfCycles(rows.series, options.cycle_options ?? {});
  const merged: { start: number; end: number }[] = [];
  let previous: { cycle: number; direction: HalfCycleDirection } | null = null;
  for (const h of halves) {
    if (
      h.direction === direction && previous?.direction === direction &&
      previous.cycle === h.cycle
    ) {
      merged[merged.length - 1].end = h.end_row;
    } else if (h.direction === direction) merged.push({ start: h.start_row, end: h.end_row });
    previous = h;
  }
  if (merged.length === 0) {
    throw new RangeError(`cycle ${rows.cycle} has no ${direction}`);
  }
  // A slice holding a bit of the next cycle's half: the longest one is this cycle's.
  const half = merged.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
  const curve = dvdq({
    series: rows.series,
    start_row: half.start,
    end_row: half.end,
    cycle: rows.cycle,
    direction,
  }, { ...(options.dvdq ?? {}), peaks: false });
  const [from, to] = options.window ?? [0.1, 0.9];
  const total = curve.total_capacity_Ah;
  let lo = 0, hi = curve.capacity_Ah.length;
  while (lo < hi && curve.capacity_Ah[lo] < from * total) lo++;
  while (hi > lo && curve.capacity_Ah[hi - 1] > to * total) hi--;
  // |dV/dQ|: positive on charge, negative on discharge.
  const sign = direction === "charge" ? 1 : -1;
  const y = curve.dvdq_V_per_Ah.slice(lo, hi).map((v) => sign * v);
  const peaks = hi - lo >= 3 ? findPeaks(curve.capacity_Ah.subarray(lo, hi), y, options.peaks) : [];
  return {
    cycle: rows.cycle,
    capacity_Ah: total,
    peaks: peaks.map((p) => ({ position_Ah: p.position, prominence: p.prominence })),
  };
}

/** Features A and B of a cycle: the positions of its two most prominent peaks, A before B. */
function twoMostProminent(curve: CyclePeaks): number[] {
  return [...curve.peaks]
    .sort((a, b) => b.prominence - a.prominence)
    .slice(0, 2)
    .map((p) => p.position_Ah)
    .sort((a, b) => a - b);
}

function fewPeaks(direction: HalfCycleDirection, cycle: number, n: number): string {
  return `the ${direction} of cycle ${cycle} has ${n === 0 ? "no dV/dQ peak" : "one dV/dQ peak"}`;
}

/**
 * dV/dQ peak metrics of a test: how the differential-voltage features of one half cycle (the
 * discharge, for a capacity-fade analysis) move between an early and a late cycle.
 *
 * dV/dQ (`dvdq`, Gaussian smoothing of 1 % of the half's capacity) of the half in each cycle,
 * and its peaks between 10 % and 90 % of the half's capacity (`window`; the steep starts and
 * ends are left out) with a prominence of at least 5 % of the highest |dV/dQ| there. In each
 * cycle, features A and B are its two most prominent peaks, A the earlier.
 * Positions are capacity passed since the start of the half cycle. In a full cell whose two
 * most prominent dV/dQ peaks belong to one electrode (the graphite staging peaks of an
 * NMC/graphite or LFP/graphite cell), the capacity between them is that electrode's capacity
 * over that range, so `separation_retention` < 1 estimates its loss of active material, while a
 * loss of lithium inventory shifts both peaks (`peak_a_shift_Ah`) without changing their
 * distance. The features are identified by prominence only: when another peak of the last cycle
 * grew more prominent than one of the two (or one of them vanished), the numbers compare
 * different features; look at the curves before drawing conclusions.
 *
 * @param input The two cycles' rows and the half cycle.
 * @param options dV/dQ and half-cycle options.
 * @returns Peak positions, separations and their change; a missing number has its reason in
 *   `note`.
 * @throws {RangeError} When a cycle has no such half, or its dV/dQ cannot be computed.
 *
 * @example
 * ```ts
 * import { dvdqPeakMetrics } from "./dvdq_peak_metrics.ts";
 * import { ok } from "node:assert/strict";
 *
 * // A discharge of 1 Ah at −1 A whose voltage has two steep steps (dV/dQ peaks) at 0.3 and
 * // 0.7 Ah; in the later cycle the electrode lost capacity: the steps are at 0.3 and 0.6 Ah.
 * const cycle = (a: number, b: number) => {
 *   const n = 2001;
 *   const q = Float64Array.from({ length: n }, (_, i) => i / 2000);
 *   const step = (x: number, at: number) => 0.2 / (1 + Math.exp(-(x - at) / 0.01));
 *   return {
 *     length: n, time_s: q.map((x) => x * 3600), current_A: new Float64Array(n).fill(-1),
 *     voltage_V: q.map((x) => 4 - 0.3 * x - step(x, a) - step(x, b)),
 *     charge_capacity_Ah: new Float64Array(n), discharge_capacity_Ah: q,
 *     charge_energy_Wh: new Float64Array(n), discharge_energy_Wh: new Float64Array(n),
 *     step_index: new Int32Array(n).fill(2), cycle_index: new Int32Array(n).fill(1),
 *     extras: {}, start_time: null, columns: {},
 *   };
 * };
 * const m = dvdqPeakMetrics({
 *   first: { series: cycle(0.3, 0.7), cycle: 1 },
 *   last: { series: cycle(0.3, 0.6), cycle: 100 },
 *   direction: "discharge",
 * });
 * ok(Math.abs(m.first.separation_Ah! - 0.4) < 0.005);
 * ok(Math.abs(m.last!.separation_Ah! - 0.3) < 0.005);
 * ok(Math.abs(m.separation_retention! - 0.75) < 0.02);
 * ```
 */
export function dvdqPeakMetrics(
  input: DvdqPeakMetricsInput,
  options: DvdqPeakMetricsOptions = {},
): DvdqPeakMetrics {
  const { direction } = input;
  if (direction !== "charge" && direction !== "discharge") {
    throw new RangeError(`direction must be "charge" or "discharge", got ${String(direction)}`);
  }
  const [from, to] = options.window ?? [0.1, 0.9];
  if (!(from >= 0 && from < to && to <= 1)) {
    throw new RangeError(`window must be two fractions 0 ≤ from < to ≤ 1, got [${from}, ${to}]`);
  }
  const notes: string[] = [];
  const firstCurve = cyclePeaks(input.first, direction, options);
  const features = twoMostProminent(firstCurve);
  if (features.length < 2) notes.push(fewPeaks(direction, input.first.cycle, features.length));
  const peaksOf = (curve: CyclePeaks, positions: (number | null)[]): DvdqCyclePeaks => {
    const [a, b] = positions;
    return {
      cycle: curve.cycle,
      capacity_Ah: curve.capacity_Ah,
      peak_count: curve.peaks.length,
      peak_a_Ah: a ?? null,
      peak_b_Ah: b ?? null,
      separation_Ah: a != null && b != null ? Math.abs(b - a) : null,
    };
  };
  const first = peaksOf(firstCurve, features);
  let last: DvdqCyclePeaks | null = null;
  if (input.last === null) {
    notes.push(`one full cycle (${input.first.cycle}): nothing to compare it with`);
  } else {
    const lastCurve = cyclePeaks(input.last, direction, options);
    const followed = twoMostProminent(lastCurve);
    last = peaksOf(lastCurve, followed);
    if (followed.length < 2) notes.push(fewPeaks(direction, input.last.cycle, followed.length));
  }
  const separation_retention = first.separation_Ah && last?.separation_Ah != null
    ? last.separation_Ah / first.separation_Ah
    : null;
  const peak_a_shift_Ah = first.peak_a_Ah !== null && last?.peak_a_Ah != null
    ? last.peak_a_Ah - first.peak_a_Ah
    : null;
  return {
    direction,
    first,
    last,
    separation_retention,
    peak_a_shift_Ah,
    note: notes.length ? notes.join("; ") : null,
  };
}
