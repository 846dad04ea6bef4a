// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import {
  checkSeries,
  cutShortByEnd,
  type CycleOptions,
  type CycleRange,
  monotoneCounter,
  segmentCycles,
} from "./_cycle_segments.ts";
import { CycleTable } from "./cycle_table.ts";

export type { CycleMethod, CycleOptions } from "./_cycle_segments.ts";
/** Every cycle method of {@link summarizeCycles} (`CycleOptions.method`), `"auto"` first. */
export { CYCLE_METHODS } from "./_cycle_segments.ts";

/** Time-weighted mean of `x` over intervals whose two ends both pass `keep` (trapezoid rule). */
function timeWeightedMean(
  t: Float64Array,
  x: Float64Array,
  from: number,
  to: number,
  keep: (r: number) => boolean,
): number | null {
  let area = 0, span = 0, sum = 0, count = 0;
  let prevOk = false;
  for (let r = from; r < to; r++) {
    const ok = keep(r) && Number.isFinite(x[r]) && Number.isFinite(t[r]);
    if (ok) {
      sum += x[r];
      count++;
      if (prevOk) {
        const dt = t[r] - t[r - 1];
        if (dt > 0) {
          area += ((x[r] + x[r - 1]) / 2) * dt;
          span += dt;
        }
      }
    }
    prevOk = ok;
  }
  if (span > 0) return area / span;
  return count > 0 ? sum / count : null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
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
    qc: Float64Array;
    qd: Float64Array;
    ec: Float64Array | null;
    ed: Float64Array | null;
  },
): CycleSummary {
  const { start, end } = range;
  const t = series.time_s, v = series.voltage_V, i = series.current_A;
  const n = series.length;
  // Sum of increments over the cycle's rows. An increment logged on the first row of a cycle
  // whose current flows against the counter's direction happened before the switch: it belongs
  // to the previous cycle (and the first row of the next cycle likewise to this one).
  const counted = (m: Float64Array, sign: 1 | -1): number => {
    let v = m[end - 1] - (start > 0 ? m[start - 1] : 0);
    if (start > 0 && dir[start] === -sign) v -= m[start] - m[start - 1];
    if (end < n && dir[end] === -sign) v += m[end] - m[end - 1];
    return v;
  };
  const qc = counted(counters.qc, 1), qd = counted(counters.qd, -1);
  const ec = counters.ec ? counted(counters.ec, 1) : null;
  const ed = counters.ed ? counted(counters.ed, -1) : null;
  let vmin = Infinity, vmax = -Infinity;
  for (let r = start; r < end; r++) {
    const x = v[r];
    if (x < vmin) vmin = x;
    if (x > vmax) vmax = x;
  }
  const all = (): boolean => true;
  const charging = (r: number): boolean => dir[r] === 1;
  const discharging = (r: number): boolean => dir[r] === -1;
  const ir = series.extras.internal_resistance_ohm;
  let resistance: number | null = null;
  if (ir) {
    const values: number[] = [];
    for (let r = start; r < end; r++) if (ir[r] > 0) values.push(ir[r]);
    resistance = median(values);
  }
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
    mean_voltage_V: timeWeightedMean(t, v, start, end, all),
    min_voltage_V: Number.isFinite(vmin) ? vmin : null,
    max_voltage_V: Number.isFinite(vmax) ? vmax : null,
    mean_charge_voltage_V: timeWeightedMean(t, v, start, end, charging),
    mean_discharge_voltage_V: timeWeightedMean(t, v, start, end, discharging),
    mean_charge_current_A: timeWeightedMean(t, i, start, end, charging),
    mean_discharge_current_A: timeWeightedMean(t, i, start, end, discharging),
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
  const counters = {
    qc: monotoneCounter(series.charge_capacity_Ah),
    qd: monotoneCounter(series.discharge_capacity_Ah),
    ec: anyFinite(series.charge_energy_Wh, 0, series.length)
      ? monotoneCounter(series.charge_energy_Wh)
      : null,
    ed: anyFinite(series.discharge_energy_Wh, 0, series.length)
      ? monotoneCounter(series.discharge_energy_Wh)
      : null,
  };
  const cycles = seg.cycles.map((range, k) => summarize(series, range, k + 1, seg.dir, counters));
  return new CycleTable(cycles, { method: seg.method, currentThreshold_A: seg.threshold });
}
