// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import {
  checkSeries,
  cutShortByEnd,
  type CycleOptions,
  type CycleRange,
  monotoneCounterAt,
  segmentCycles,
} from "./_cycle_segments.ts";
import { CycleTable } from "./cycle_table.ts";
import { selectInPlace } from "./_stats.ts";

export type { CycleOptions } from "./_cycle_segments.ts";
export { CYCLE_METHODS, type CycleMethod } from "./cycle_methods.ts";

/**
 * A time-weighted mean from its accumulators: trapezoid area over the span of intervals whose
 * two ends both passed; the plain mean of the passing rows when no interval has a positive
 * duration; `null` without any.
 */
function weighted(area: number, span: number, sum: number, count: number): number | null {
  if (span > 0) return area / span;
  return count > 0 ? sum / count : null;
}

/**
 * Median of `values[0, count)` (no NaN), reordering them: the values a sort would put in the
 * middle, found by selection (no sort, no comparator calls).
 */
function median(values: Float64Array, count: number): number | null {
  if (count === 0) return null;
  const mid = count >> 1;
  const upper = selectInPlace(values, 0, count - 1, mid);
  if (count % 2) return upper;
  let lower = -Infinity; // the largest value before the upper middle one
  for (let k = 0; k < mid; k++) if (values[k] > lower) lower = values[k];
  return (lower + upper) / 2;
}

/** Index of `value` in the ascending `sorted` (the first index not below it). */
function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `true` when the column has at least one finite value in rows [from, to). */
function anyFinite(x: Float64Array, from: number, to: number): boolean {
  for (let r = from; r < to; r++) if (Number.isFinite(x[r])) return true;
  return false;
}

function summarize(
  series: CyclingSeries,
  range: CycleRange,
  cycle: number,
  dir: Int8Array,
  counters: {
    qc: (r: number) => number;
    qd: (r: number) => number;
    ec: ((r: number) => number) | null;
    ed: ((r: number) => number) | null;
  },
  scratch: Float64Array,
): CycleSummary {
  const { start, end } = range;
  const t = series.time_s, v = series.voltage_V, i = series.current_A;
  const n = series.length;
  // Sum of increments over the cycle's rows. An increment logged on the first row of a cycle
  // whose current flows against the counter's direction happened before the switch: it belongs
  // to the previous cycle (and the first row of the next cycle likewise to this one).
  const counted = (m: (r: number) => number, sign: 1 | -1): number => {
    let v = m(end - 1) - (start > 0 ? m(start - 1) : 0);
    if (start > 0 && dir[start] === -sign) v -= m(start) - m(start - 1);
    if (end < n && dir[end] === -sign) v += m(end) - m(end - 1);
    return v;
  };
  const qc = counted(counters.qc, 1), qd = counted(counters.qd, -1);
  const ec = counters.ec ? counted(counters.ec, 1) : null;
  const ed = counters.ed ? counted(counters.ed, -1) : null;
  // One pass over the rows: voltage range, resistances and five time-weighted means (voltage
  // over all rows, voltage and current over charging and over discharging rows). Each mean
  // takes the rows where its value and the time are finite and adds the trapezoid of each
  // interval whose two ends both passed (the rule, and the order of the sums, of a separate
  // pass per mean).
  let vmin = Infinity, vmax = -Infinity;
  let aA = 0, aS = 0, aSum = 0, aN = 0, aOk = false; // voltage, all rows
  let vcA = 0, vcS = 0, vcSum = 0, vcN = 0, vcOk = false; // voltage, charging
  let vdA = 0, vdS = 0, vdSum = 0, vdN = 0, vdOk = false; // voltage, discharging
  let icA = 0, icS = 0, icSum = 0, icN = 0, icOk = false; // current, charging
  let idA = 0, idS = 0, idSum = 0, idN = 0, idOk = false; // current, discharging
  const ir = series.extras.internal_resistance_ohm;
  let irCount = 0;
  for (let r = start; r < end; r++) {
    const x = v[r], c = i[r], d = dir[r], tr = t[r];
    if (x < vmin) vmin = x;
    if (x > vmax) vmax = x;
    const tOk = tr - tr === 0; // finite
    const vOk = tOk && x - x === 0, iOk = tOk && c - c === 0;
    // Read only when the previous row passed too (so r > start).
    const dt = r > start ? tr - t[r - 1] : 0;
    if (vOk) {
      aSum += x;
      aN++;
      if (aOk && dt > 0) {
        aA += ((x + v[r - 1]) / 2) * dt;
        aS += dt;
      }
    }
    aOk = vOk;
    const vc = vOk && d === 1, vd = vOk && d === -1, ic = iOk && d === 1, id = iOk && d === -1;
    if (vc) {
      vcSum += x;
      vcN++;
      if (vcOk && dt > 0) {
        vcA += ((x + v[r - 1]) / 2) * dt;
        vcS += dt;
      }
    }
    vcOk = vc;
    if (vd) {
      vdSum += x;
      vdN++;
      if (vdOk && dt > 0) {
        vdA += ((x + v[r - 1]) / 2) * dt;
        vdS += dt;
      }
    }
    vdOk = vd;
    if (ic) {
      icSum += c;
      icN++;
      if (icOk && dt > 0) {
        icA += ((c + i[r - 1]) / 2) * dt;
        icS += dt;
      }
    }
    icOk = ic;
    if (id) {
      idSum += c;
      idN++;
      if (idOk && dt > 0) {
        idA += ((c + i[r - 1]) / 2) * dt;
        idS += dt;
      }
    }
    idOk = id;
    if (ir && ir[r] > 0) scratch[irCount++] = ir[r];
  }
  const resistance = ir ? median(scratch, irCount) : null;
  const startTime = t[start], endTime = t[end - 1];
  return {
    cycle,
    instrument_cycle: series.cycle_index[start],
    first_half: range.halves[0].dir === 1 ? "charge" : "discharge",
    start_row: start,
    end_row: end,
    start_time_s: startTime,
    end_time_s: endTime,
    duration_s: endTime - startTime,
    charge_capacity_Ah: qc,
    discharge_capacity_Ah: qd,
    coulombic_efficiency: qc > 0 ? qd / qc : null,
    charge_energy_Wh: ec,
    discharge_energy_Wh: ed,
    energy_efficiency: ec !== null && ed !== null && ec > 0 ? ed / ec : null,
    mean_voltage_V: weighted(aA, aS, aSum, aN),
    min_voltage_V: Number.isFinite(vmin) ? vmin : null,
    max_voltage_V: Number.isFinite(vmax) ? vmax : null,
    mean_charge_voltage_V: weighted(vcA, vcS, vcSum, vcN),
    mean_discharge_voltage_V: weighted(vdA, vdS, vdSum, vdN),
    mean_charge_current_A: weighted(icA, icS, icSum, icN),
    mean_discharge_current_A: weighted(idA, idS, idSum, idN),
    internal_resistance_ohm: resistance,
    complete: !cutShortByEnd(range, dir, n),
  };
}

/**
 * Build the cycles of a cycling series and summarize each one.
 *
 * Per-cycle capacity (and energy) is the sum of the increments of the instrument's counters over
 * the rows of the cycle — a drop of a counter to at most half its previous value is a reset, the
 * new value being the increment — so counters that reset every cycle, every step or never give
 * the same numbers. The first row of the series is the baseline of the counters: charge passed
 * before the file starts is not counted. Instruments log the charge passed just before a current
 * reversal on the first row after it; so an increment of the charge (discharge) counter on the
 * first row of a cycle that starts discharging (charging) is given to the previous cycle.
 *
 * Means are time-weighted (trapezoid rule over consecutive rows that both belong to the part
 * averaged); "charging" rows have current above the threshold, "discharging" rows below minus
 * the threshold. `internal_resistance_ohm` is the median of the positive values of the
 * `internal_resistance_ohm` extra within the cycle (instruments write 0 when they did not
 * measure). A series without any current flowing has no cycles.
 *
 * `complete` is `false` for a last cycle that the end of the recording cut short: current still
 * flowing at the last row (the half in progress was interrupted), or only its opening half
 * present (the file ends before the second half). Fade analyses leave such a cycle out.
 *
 * @param series The cycling series.
 * @param options How cycles are delimited (default `"auto"`, see {@link CycleOptions}).
 * @returns The cycle table (with the method used); it renders itself in Jupyter.
 * @throws {TypeError} when the series is malformed.
 * @throws {RangeError} when an option is out of range or the series has no capacity counters.
 *
 * @example Two synthetic cycles at ±1 A for one hour each
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { summarizeCycles } from "./cycles.ts";
 * // 1 A for 3600 s charges 1 Ah; the counters accumulate over the whole test.
 * const time_s = [0, 1800, 3600, 5400, 7200, 9000, 10800, 12600, 14400];
 * const current_A = [0, 1, 1, -1, -1, 1, 1, -1, -1];
 * const qc = [0, 0.5, 1, 1, 1, 1.5, 2, 2, 2];
 * const qd = [0, 0, 0, 0.5, 1, 1, 1, 1.5, 2];
 * const f = (a: number[]) => Float64Array.from(a);
 * const n = time_s.length;
 * const table = summarizeCycles({
 *   length: n, time_s: f(time_s), current_A: f(current_A), voltage_V: new Float64Array(n).fill(3.7),
 *   charge_capacity_Ah: f(qc), discharge_capacity_Ah: f(qd),
 *   charge_energy_Wh: new Float64Array(n).fill(NaN), discharge_energy_Wh: new Float64Array(n).fill(NaN),
 *   step_index: new Int32Array(n), cycle_index: new Int32Array(n).fill(1),
 *   extras: {}, start_time: null, columns: {},
 * });
 * equal(table.method, "current_sign");
 * equal(table.cycles.length, 2);
 * equal(table.cycles[1].charge_capacity_Ah, 1);
 * equal(table.cycles[1].coulombic_efficiency, 1);
 * equal(table.cycles[0].complete, true);
 * equal(table.cycles[1].complete, false); // 1 A still flows at the last row: cut short
 * ```
 */
export function summarizeCycles(series: CyclingSeries, options: CycleOptions = {}): CycleTable {
  checkSeries(series, "summarizeCycles");
  const seg = segmentCycles(series, options);
  if (seg.cycles.length > 0) {
    const hasQ = anyFinite(series.charge_capacity_Ah, 0, series.length) ||
      anyFinite(series.discharge_capacity_Ah, 0, series.length);
    if (!hasQ) {
      throw new RangeError(
        "summarizeCycles: the series has no capacity counters (all NaN); integrate them from " +
          "current first (parsers/_series.ts integrateMissingCounters)",
      );
    }
  }
  // The counted counters are only read at the rows around the cycle boundaries: computed there
  // alone (no full-length copies of the four counters).
  const boundary: number[] = [];
  for (const { start, end } of seg.cycles) {
    if (start > 0) boundary.push(start - 1);
    boundary.push(start, end - 1);
    if (end < series.length) boundary.push(end);
  }
  const rows = Int32Array.from(new Set(boundary)).sort();
  const counterAt = (column: Float64Array): (r: number) => number => {
    const values = monotoneCounterAt(column, rows);
    return (r: number): number => values[lowerBound(rows, r)];
  };
  const counters = {
    qc: counterAt(series.charge_capacity_Ah),
    qd: counterAt(series.discharge_capacity_Ah),
    ec: anyFinite(series.charge_energy_Wh, 0, series.length)
      ? counterAt(series.charge_energy_Wh)
      : null,
    ed: anyFinite(series.discharge_energy_Wh, 0, series.length)
      ? counterAt(series.discharge_energy_Wh)
      : null,
  };
  // Room for the resistances of the longest cycle (the median reorders them in place).
  let longest = 0;
  for (const range of seg.cycles) longest = Math.max(longest, range.end - range.start);
  const scratch = new Float64Array(series.extras.internal_resistance_ohm ? longest : 0);
  const cycles = seg.cycles.map((range, k) =>
    summarize(series, range, k + 1, seg.dir, counters, scratch)
  );
  return new CycleTable(cycles, { method: seg.method, currentThreshold_A: seg.threshold });
}
