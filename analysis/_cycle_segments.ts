// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private core of cycle building: classify rows by current direction, find half cycles (charge
 * and discharge segments) and group them into cycles by one of several methods. Shared by
 * `cycles.ts` (per-cycle summaries) and `half_cycles.ts` (row ranges for dQ/dV).
 */

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import { CYCLE_METHODS, type CycleMethod } from "./cycle_methods.ts";
import { selectInPlace } from "./_stats.ts";

export { CYCLE_METHODS, type CycleMethod };

/** Options shared by `summarizeCycles` and `halfCycles`. */
export interface CycleOptions {
  /**
   * How cycles are delimited:
   * - `"cycle_index"`: each contiguous run of the instrument's cycle counter is a cycle (runs
   *   without any current flowing are merged into the previous cycle);
   * - `"step"`: each run of one step index gets one direction (the sign of its time-weighted
   *   mean current); consecutive steps of one direction form a half cycle, rests are ignored;
   * - `"current_sign"`: half cycles are runs of rows whose current has one sign (beyond the
   *   threshold), rests are ignored;
   * - `"auto"`: `"cycle_index"` when the instrument's cycle counter is meaningful (at least two
   *   of its runs carry current, at least half of those runs hold both a charge and a discharge,
   *   and the current-sign detection does not find more than 1.5 cycles per run), else
   *   `"current_sign"`.
   *
   * For `"step"` and `"current_sign"` a cycle is a half cycle followed by the half of the
   * opposite direction (charge then discharge, or the reverse when the test starts on
   * discharge; see `startWith`).
   * @default {"auto"}
   */
  method?: CycleMethod;
  /**
   * |current| at or below this is rest, amperes. By default 1e-3 × the 99th percentile of
   * |current| over the series.
   */
  currentThreshold_A?: number;
  /**
   * Half cycles passing less charge than this fraction of the largest half cycle are treated as
   * rest (noise, impedance measurements). `0` keeps every half cycle. With `"cycle_index"`, a
   * cycle of the instrument that holds both a charge and a discharge half keeps them even when
   * all are below the fraction (short or faded cycles stay cycles).
   * @default {0.001}
   */
  minHalfFraction?: number;
  /**
   * Which half opens a cycle (`"step"` and `"current_sign"` methods): `"auto"` = the direction of
   * the first half cycle of the test. With `"charge"`, a test that starts on discharge gets a
   * first cycle holding only that discharge.
   * @default {"auto"}
   */
  startWith?: "auto" | "charge" | "discharge";
}

/** A half cycle: rows [start, end) in which current flowed in one direction. */
export interface Half {
  /** +1 charge, −1 discharge. */
  dir: 1 | -1;
  /** First row with current in this direction. */
  start: number;
  /** One past the last row with current in this direction. */
  end: number;
  /** ∫|I| dt over the active rows, Ah (an estimate used only to drop noise). */
  charge: number;
}

/** A cycle: rows [start, end) and its half cycles in order. */
export interface CycleRange {
  /** First row. */
  start: number;
  /** One past the last row. */
  end: number;
  /** Half cycles in order (usually one or two). */
  halves: Half[];
}

/** Result of {@link segmentCycles}. */
export interface Segmentation {
  /** The method actually used (never `"auto"`). */
  method: Exclude<CycleMethod, "auto">;
  /** Current threshold used, A. */
  threshold: number;
  /** Row directions (+1, −1, 0 for rest or no data). */
  dir: Int8Array;
  /** The cycles. */
  cycles: CycleRange[];
}

const METHODS = new Set<string>(CYCLE_METHODS);

/** Validate the series and the options (throws TypeError / RangeError). */
export function checkSeries(series: CyclingSeries, what: string): void {
  if (series === null || typeof series !== "object" || !Number.isInteger(series.length)) {
    throw new TypeError(`${what}: expected a CyclingSeries`);
  }
  for (
    const key of [
      "time_s",
      "current_A",
      "voltage_V",
      "charge_capacity_Ah",
      "discharge_capacity_Ah",
      "charge_energy_Wh",
      "discharge_energy_Wh",
    ] as const
  ) {
    const col = series[key];
    if (!col || col.length !== series.length) {
      throw new TypeError(
        `${what}: column "${key}" has ${col?.length ?? "no"} rows, expected ${series.length}`,
      );
    }
  }
  if (series.step_index.length !== series.length || series.cycle_index.length !== series.length) {
    throw new TypeError(`${what}: step_index and cycle_index must have ${series.length} rows`);
  }
}

/**
 * The default current threshold of cycle building and of the analysis: 1e-3 × the 99th
 * percentile (lower order statistic) of |current| over its finite values, sampled to at most
 * ~65,536 values; 0 when no value is finite. Found by selection (O(n)), the same value a sort
 * would give.
 */
export function defaultCurrentThreshold(current: Float64Array): number {
  const step = Math.max(1, Math.floor(current.length / 65536));
  const sample = new Float64Array(Math.ceil(current.length / step));
  let count = 0;
  for (let i = 0; i < current.length; i += step) {
    const v = Math.abs(current[i]);
    if (Number.isFinite(v)) sample[count++] = v;
  }
  if (count === 0) return 0;
  return 1e-3 * selectInPlace(sample, 0, count - 1, Math.floor(0.99 * (count - 1)));
}

/** Row direction from current with a threshold. */
function rowDirections(current: Float64Array, threshold: number): Int8Array {
  const n = current.length;
  const dir = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const c = current[i];
    dir[i] = c > threshold ? 1 : c < -threshold ? -1 : 0;
  }
  return dir;
}

/** |I|·dt of row r in Ah (right-hand rectangle; 0 when the time step is not usable). */
function rowCharge(series: CyclingSeries, r: number): number {
  if (r === 0) return 0;
  const dt = series.time_s[r] - series.time_s[r - 1];
  const c = Math.abs(series.current_A[r]);
  return dt > 0 && Number.isFinite(c) ? (c * dt) / 3600 : 0;
}

/** Merge consecutive halves of one direction. */
function mergeSameDirection(halves: Half[]): Half[] {
  const out: Half[] = [];
  for (const h of halves) {
    const last = out[out.length - 1];
    if (last && last.dir === h.dir) {
      last.end = h.end;
      last.charge += h.charge;
    } else out.push({ ...h });
  }
  return out;
}

/** The largest charge of the halves. */
function largest(halves: Half[]): number {
  let max = 0;
  for (const h of halves) if (h.charge > max) max = h.charge;
  return max;
}

/** Drop halves carrying less than `fraction` × the largest half charge, then re-merge. */
function dropNoise(halves: Half[], fraction: number): Half[] {
  if (fraction <= 0 || halves.length < 2) return halves;
  const max = largest(halves);
  if (!(max > 0)) return halves;
  return mergeSameDirection(halves.filter((h) => h.charge >= fraction * max));
}

/** Half cycles of rows [from, to) from the row directions. */
function signHalves(series: CyclingSeries, dir: Int8Array, from: number, to: number): Half[] {
  const halves: Half[] = [];
  let cur: Half | null = null;
  for (let r = from; r < to; r++) {
    const d = dir[r];
    if (d === 0) continue;
    if (cur && cur.dir === d) {
      cur.end = r + 1;
      cur.charge += rowCharge(series, r);
    } else {
      cur = { dir: d as 1 | -1, start: r, end: r + 1, charge: rowCharge(series, r) };
      halves.push(cur);
    }
  }
  return halves;
}

/** Half cycles from step runs: each step run gets the sign of its time-weighted mean current. */
function stepHalves(series: CyclingSeries, threshold: number): Half[] {
  const { step_index: step, current_A: cur, time_s: t, length: n } = series;
  const halves: Half[] = [];
  let start = 0;
  for (let r = 1; r <= n; r++) {
    if (r < n && step[r] === step[start]) continue;
    // Step run [start, r).
    let qSigned = 0, dtSum = 0, iSum = 0, iCount = 0, charge = 0;
    for (let k = start; k < r; k++) {
      const c = cur[k];
      if (!Number.isFinite(c)) continue;
      iSum += c;
      iCount++;
      if (k > start) {
        const dt = t[k] - t[k - 1];
        if (dt > 0) {
          qSigned += c * dt;
          dtSum += dt;
          charge += (Math.abs(c) * dt) / 3600;
        }
      }
    }
    const mean = dtSum > 0 ? qSigned / dtSum : iCount > 0 ? iSum / iCount : NaN;
    if (mean > threshold || mean < -threshold) {
      halves.push({ dir: mean > 0 ? 1 : -1, start, end: r, charge });
    }
    start = r;
  }
  return mergeSameDirection(halves);
}

/** Pair alternating halves into cycles covering [first half start, n). */
function pairHalves(
  halves: Half[],
  n: number,
  startWith: "auto" | "charge" | "discharge",
): CycleRange[] {
  const cycles: CycleRange[] = [];
  if (halves.length === 0) return cycles;
  const opening = startWith === "auto" ? halves[0].dir : startWith === "charge" ? 1 : -1;
  let i = 0;
  while (i < halves.length) {
    const group = [halves[i]];
    if (halves[i].dir === opening && i + 1 < halves.length) group.push(halves[i + 1]);
    i += group.length;
    cycles.push({ start: group[0].start, end: 0, halves: group });
  }
  for (let c = 0; c < cycles.length; c++) {
    cycles[c].end = c + 1 < cycles.length ? cycles[c + 1].start : n;
  }
  return cycles;
}

/** Cycles from contiguous runs of the cycle counter, with their current-sign halves. */
function indexCycles(
  series: CyclingSeries,
  dir: Int8Array,
  minHalfFraction: number,
): CycleRange[] {
  const { cycle_index: idx, length: n } = series;
  const cycles: CycleRange[] = [];
  let start = 0;
  for (let r = 1; r <= n; r++) {
    if (r < n && idx[r] === idx[start]) continue;
    const halves = signHalves(series, dir, start, r);
    if (halves.length > 0) cycles.push({ start, end: r, halves });
    else if (cycles.length > 0) cycles[cycles.length - 1].end = r;
    start = r;
  }
  // Drop noise halves against the largest half of the whole test, cycle by cycle.
  if (minHalfFraction > 0) {
    const max = largest(cycles.flatMap((c) => c.halves));
    if (max > 0) {
      for (const c of cycles) {
        const kept = c.halves.filter((h) => h.charge >= minHalfFraction * max);
        // A cycle of the instrument that holds a charge and a discharge half is a cycle even
        // when both are small against the test's largest half (a faded cell, short loops):
        // its halves are kept rather than the cycle being merged into the one before.
        const both = new Set(c.halves.map((h) => h.dir)).size === 2;
        c.halves = kept.length === 0 && both ? c.halves : mergeSameDirection(kept);
      }
      for (let k = cycles.length - 1; k >= 0; k--) {
        if (cycles[k].halves.length > 0) continue;
        if (k > 0) cycles[k - 1].end = cycles[k].end;
        else if (cycles.length > 1) cycles[1].start = cycles[0].start;
        cycles.splice(k, 1);
      }
    }
  }
  return cycles;
}

/**
 * Delimit the cycles of a series.
 *
 * @param series The series.
 * @param options Method and thresholds.
 * @returns The method used, the row directions and the cycles.
 */
export function segmentCycles(series: CyclingSeries, options: CycleOptions = {}): Segmentation {
  const method = options.method ?? "auto";
  if (!METHODS.has(method)) {
    throw new RangeError(
      `Unknown cycle method "${method}": expected "auto", "cycle_index", "step" or "current_sign"`,
    );
  }
  const minHalfFraction = options.minHalfFraction ?? 0.001;
  if (!(minHalfFraction >= 0 && minHalfFraction < 1)) {
    throw new RangeError(`minHalfFraction must be in [0, 1), got ${minHalfFraction}`);
  }
  const startWith = options.startWith ?? "auto";
  if (!["auto", "charge", "discharge"].includes(startWith)) {
    throw new RangeError(`startWith must be "auto", "charge" or "discharge", got "${startWith}"`);
  }
  let threshold = options.currentThreshold_A;
  if (threshold === undefined) {
    threshold = defaultCurrentThreshold(series.current_A);
  } else if (!(threshold >= 0)) {
    throw new RangeError(`currentThreshold_A must be >= 0, got ${threshold}`);
  }
  const dir = rowDirections(series.current_A, threshold);
  const n = series.length;

  const bySign = (): CycleRange[] =>
    pairHalves(dropNoise(signHalves(series, dir, 0, n), minHalfFraction), n, startWith);

  if (method === "current_sign") return { method, threshold, dir, cycles: bySign() };
  if (method === "step") {
    const halves = dropNoise(stepHalves(series, threshold), minHalfFraction);
    return { method, threshold, dir, cycles: pairHalves(halves, n, startWith) };
  }
  const indexed = indexCycles(series, dir, minHalfFraction);
  if (method === "cycle_index") return { method, threshold, dir, cycles: indexed };

  // auto: is the instrument's cycle counter meaningful?
  const signCycles = bySign();
  const withBoth = indexed.filter((c) => new Set(c.halves.map((h) => h.dir)).size === 2).length;
  const meaningful = indexed.length >= 2 && withBoth >= 0.5 * indexed.length &&
    signCycles.length <= 1.5 * indexed.length;
  return meaningful
    ? { method: "cycle_index", threshold, dir, cycles: indexed }
    : { method: "current_sign", threshold, dir, cycles: signCycles };
}

/**
 * Whether the end of the recording cut a cycle short: its last half runs to the last row of
 * the series with current still flowing there (the half was interrupted; a short pulse after
 * the half ended, dropped as noise, does not count), or the cycle ends at the end of the series
 * holding only its opening half (the second half never began). A cycle that ends before the
 * last row is followed by more data and is never cut short.
 *
 * @param range The cycle.
 * @param dir Row directions (from {@link segmentCycles}).
 * @param n Rows in the series.
 */
export function cutShortByEnd(range: CycleRange, dir: Int8Array, n: number): boolean {
  if (range.end < n || n === 0 || range.halves.length === 0) return false;
  const last = range.halves[range.halves.length - 1];
  if (last.end === n && dir[n - 1] !== 0) return true;
  return new Set(range.halves.map((h) => h.dir)).size < 2;
}

/**
 * Running sum of the increments of an instrument counter. `out[r]` is the amount counted up to and
 * including row r; the first finite value is the baseline (adds nothing); `NaN` rows add nothing.
 *
 * The counter is read in runs, a run being the rows from a reset (or the first value) to the next:
 * - within a run, a rise of the counter's magnitude adds the difference and a fall subtracts it
 *   (a counter stored negative and decreasing, as Neware stores the discharge of Pulse steps,
 *   counts like a positive increasing one);
 * - a reset is a drop of the magnitude to at most half the previous value, from the upper half of
 *   the run (the previous magnitude above half the run's largest): the new value is the increment.
 *   A counter coming back towards zero gradually (its magnitude already at most half the run's
 *   largest) is not reset by the last steps of the approach;
 * - a counter that changes sign is passing through zero when it had come back to at most half
 *   its run's largest magnitude before the change: it is a signed quantity (an energy counter
 *   while the cell voltage crosses 0 V) and is counted signed — the difference of the values —
 *   from the start of the run it leaves (a negative run counted on its magnitude is counted again
 *   with its sign) until its next reset. Any other change of sign is a reset.
 *
 * Without negative values this is the magnitude rule alone. O(n).
 */
export function monotoneCounter(counter: Float64Array): Float64Array {
  const out = new Float64Array(counter.length);
  integrateCounter(counter, null, out);
  return out;
}

/**
 * {@link monotoneCounter} at the given rows only (ascending, no duplicates): the same sums, in
 * the same order, without a second full-length column. `out[j]` is the value at `rows[j]`.
 */
export function monotoneCounterAt(counter: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  if (rows.length > 0) integrateCounter(counter, rows, out);
  return out;
}

/**
 * The one implementation of {@link monotoneCounter}: sums into `out` at every row (`rows` null)
 * or at `rows` only, and reports each reset to `onReset` (its row, the previous finite row, the
 * magnitudes before and after).
 */
function integrateCounter(
  counter: Float64Array,
  rows: Int32Array | null,
  out: Float64Array,
  onReset?: (row: number, prevRow: number, before: number, after: number) => void,
): void {
  const last = rows ? rows[rows.length - 1] : counter.length - 1;
  let prev = NaN, prevRow = -1, sum = 0, j = 0, peak = 0, r = 0;
  // Until the first negative value, the run's largest value is all the state the rule needs
  // (the magnitude is the value).
  for (; r <= last; r++) {
    const v = counter[r];
    if (v < 0) break;
    if (v !== Infinity && v === v) {
      if (prevRow < 0) peak = v; // the baseline
      else if (v < prev && v <= prev - v && prev > peak - prev) {
        // A reset: a drop to at most half, from the upper half of the run.
        onReset?.(r, prevRow, prev, v);
        sum += v;
        peak = v;
      } else {
        sum += v - prev;
        if (v > peak) peak = v;
      }
      prev = v;
      prevRow = r;
    }
    if (rows) {
      if (r === rows[j]) out[j++] = sum;
    } else out[r] = sum;
  }
  if (r > last) return;
  // A negative value: the full rule. The current run: first row and first output index, the sum
  // before its first increment, its largest magnitude, its sign (0 while only zeros), its last
  // non-zero magnitude, and whether it is counted signed. A run holding only zeros so far starts
  // here (its earlier increments are 0); one with a positive value ends here (a change of sign).
  let runRow = r, runJ = j, runBase = sum, runSign = peak > 0 ? 1 : 0, lastNonzero = 0;
  let signed = false;
  for (let k = prevRow; k >= 0 && runSign > 0; k--) {
    if (counter[k] > 0 && counter[k] !== Infinity) {
      lastNonzero = counter[k];
      break;
    }
  }
  for (; r <= last; r++) {
    const v = counter[r];
    if (Number.isFinite(v)) {
      const m = Math.abs(v);
      if (prevRow < 0) {
        // First finite value: the baseline of the first run.
        runRow = r, runJ = j, runBase = sum, peak = m, runSign = Math.sign(v), lastNonzero = m;
      } else {
        const p = Math.abs(prev);
        const sign = v > 0 ? 1 : v < 0 ? -1 : 0;
        if (sign !== 0 && runSign !== 0 && sign !== runSign) {
          if (lastNonzero <= peak - lastNonzero) {
            // Passing through zero: the run left is counted signed, and so is the new one.
            if (!signed && runSign < 0) {
              if (rows) { for (let k = runJ; k < j; k++) out[k] = 2 * runBase - out[k]; }
              else for (let k = runRow; k < r; k++) out[k] = 2 * runBase - out[k];
              sum = 2 * runBase - sum;
            }
            sum += v - prev;
            runRow = r, runJ = j, runBase = sum, signed = true;
          } else {
            // An abrupt change of sign: a reset.
            onReset?.(r, prevRow, p, m);
            runRow = r, runJ = j, runBase = sum, signed = false;
            sum += m;
          }
          peak = m, runSign = sign;
        } else if (m < p && m <= p - m && p > peak - p) {
          // A reset: a drop to at most half, from the upper half of the run.
          onReset?.(r, prevRow, p, m);
          runRow = r, runJ = j, runBase = sum, peak = m, runSign = sign, signed = false;
          sum += m;
        } else {
          sum += signed ? v - prev : m - p;
          if (m > peak) peak = m;
          if (sign !== 0) runSign = sign;
        }
        if (sign !== 0) lastNonzero = m;
      }
      prev = v;
      prevRow = r;
    }
    if (rows) {
      if (r === rows[j]) out[j++] = sum;
    } else out[r] = sum;
  }
}

/** A counter reset that {@link monotoneCounter} repaired (see {@link counterResets}). */
export interface CounterReset {
  /** Which counter. */
  counter:
    | "charge_capacity_Ah"
    | "discharge_capacity_Ah"
    | "charge_energy_Wh"
    | "discharge_energy_Wh";
  /** Row holding the value after the reset. */
  row: number;
  /** Magnitude before the reset (previous finite row). */
  before: number;
  /** Magnitude after the reset. */
  after: number;
}

/**
 * The counter resets that {@link monotoneCounter} (and so `summarizeCycles`) repaired inside a
 * step: the resets of its rule (a drop of the magnitude to at most half from the upper half of the
 * run, an abrupt change of sign; not a counter stored negative and growing in magnitude, nor one
 * passing through zero) where neither the step index nor the cycle index changes. Resets at a
 * step or cycle boundary are how many instruments count (per step, per cycle) and are not listed;
 * a reset inside a step means the instrument restarted its counter (a restart, a counter
 * overflow, a joined file) and the repair should be known.
 *
 * @param series The series.
 * @returns The repaired resets, by counter then row.
 */
export function counterResets(series: CyclingSeries): CounterReset[] {
  const out: CounterReset[] = [];
  const { step_index: step, cycle_index: cyc } = series;
  if (series.length === 0) return out;
  const end = Int32Array.of(series.length - 1), total = new Float64Array(1);
  for (
    const counter of [
      "charge_capacity_Ah",
      "discharge_capacity_Ah",
      "charge_energy_Wh",
      "discharge_energy_Wh",
    ] as const
  ) {
    integrateCounter(series[counter], end, total, (row, prevRow, before, after) => {
      if (step[row] === step[prevRow] && cyc[row] === cyc[prevRow]) {
        out.push({ counter, row, before, after });
      }
    });
  }
  return out;
}
