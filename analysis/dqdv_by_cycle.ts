// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { CycleOptions } from "./_cycle_segments.ts";
import { halfCycles } from "./half_cycles.ts";
import { dqdv, type DqdvCurve, type DqdvOptions } from "./dqdv.ts";
import { type PeakTrack, trackPeaks } from "./track_peaks.ts";
import { dqdvSpec } from "./dqdv_spec.ts";
import { htmlTable, JUPYTER_DISPLAY, type MimeBundle, textTable } from "./_display.ts";
import type { HalfCycleDirection } from "./_half_cycle_data.ts";

/** Options of {@link dqdvByCycle}. */
export interface DqdvByCycleOptions extends DqdvOptions {
  /** Cycle numbers to analyse (as numbered by `halfCycles`); all when omitted. */
  cycles?: number[];
  /** Which halves: `"charge"`, `"discharge"` or `"both"`. @default {"both"} */
  halves?: HalfCycleDirection | "both";
  /** How cycles are delimited (passed to `halfCycles`). */
  cycle_options?: CycleOptions;
  /** Largest peak move between consecutive cycles for peak tracking, V. @default {0.05} */
  max_shift_V?: number;
}

/** A half cycle whose dQ/dV could not be computed, with the reason. */
export interface DqdvFailure {
  /** Cycle number. */
  cycle: number;
  /** Direction. */
  direction: HalfCycleDirection;
  /** The error message. */
  reason: string;
}

/**
 * dQ/dV of several half cycles, with peak tracks and the half cycles that failed.
 *
 * @example
 * ```ts
 * import { dqdvByCycle } from "./dqdv_by_cycle.ts";
 * import { equal } from "node:assert/strict";
 *
 * // Two cycles of a linear cell: charge 3.0 → 4.0 V then discharge back, 1 A, 1 Ah each way.
 * const rows = 400, n = 2 * 2 * rows;
 * const v = new Float64Array(n), i = new Float64Array(n), t = new Float64Array(n);
 * const qc = new Float64Array(n), qd = new Float64Array(n);
 * for (let k = 0; k < n; k++) {
 *   const within = k % (2 * rows), charging = within < rows, f = (within % rows) / (rows - 1);
 *   v[k] = charging ? 3 + f : 4 - f;
 *   i[k] = charging ? 1 : -1;
 *   t[k] = k * 9;
 *   qc[k] = charging ? f : 1;
 *   qd[k] = charging ? 0 : f;
 * }
 * const series = {
 *   length: n, voltage_V: v, current_A: i, time_s: t, charge_capacity_Ah: qc,
 *   discharge_capacity_Ah: qd, charge_energy_Wh: new Float64Array(n),
 *   discharge_energy_Wh: new Float64Array(n), step_index: new Int32Array(n),
 *   cycle_index: new Int32Array(n), extras: {}, start_time: null, columns: {},
 * };
 * const set = dqdvByCycle(series, { peaks: false }); // a DqdvSet
 * equal(set.curves.length, 4); // two charges and two discharges
 * equal(set.failures.length, 0);
 * ```
 */
export class DqdvSet {
  /** One curve per half cycle, in row order. */
  readonly curves: DqdvCurve[];
  /** Peaks followed across cycles (charge and discharge separately). */
  readonly tracks: PeakTrack[];
  /** Half cycles that could not be analysed (never dropped silently). */
  readonly failures: DqdvFailure[];

  /** Built by {@link dqdvByCycle}. */
  constructor(curves: DqdvCurve[], tracks: PeakTrack[], failures: DqdvFailure[]) {
    this.curves = curves;
    this.tracks = tracks;
    this.failures = failures;
  }

  /** Jupyter MIME bundle: table of peak tracks, failures, and the dQ/dV plot of all curves. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const rows = this.tracks.map((t) => ({
      id: t.id,
      direction: t.direction,
      first_cycle: t.points[0].cycle,
      last_cycle: t.points[t.points.length - 1].cycle,
      first_V: t.points[0].position_V,
      shift_V: t.shift_V,
      height_ratio: t.height_ratio,
    }));
    const columns = [
      { key: "id", label: "track" },
      { key: "direction" },
      { key: "first_cycle", label: "first cycle" },
      { key: "last_cycle", label: "last cycle" },
      { key: "first_V", label: "V (V)" },
      { key: "shift_V", label: "shift (V)" },
      { key: "height_ratio", label: "height ratio" },
    ];
    const failed = this.failures.map((f) => `cycle ${f.cycle} ${f.direction}: ${f.reason}`);
    const summary = `dQ/dV of ${this.curves.length} half cycle(s), ${this.tracks.length} peak ` +
      `track(s)${failed.length ? `, ${failed.length} failed` : ""}`;
    return {
      "text/plain": [summary, textTable(rows, columns), ...failed].join("\n"),
      "text/html": `<p>${summary}</p>${htmlTable(rows, columns)}${
        failed.length
          ? `<ul>${
            failed.map((f) => `<li>${f.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</li>`).join("")
          }</ul>`
          : ""
      }`,
      "application/vnd.vegalite.v5+json": dqdvSpec(this.curves),
    };
  }
}

/**
 * dQ/dV of every (or the chosen) cycle of a series: half cycles from `halfCycles`, consecutive
 * segments of one direction within a cycle (a charge split by a rest) analysed together, peaks
 * tracked across cycles. A half cycle that cannot be analysed (too short, constant voltage) is
 * listed in `failures` with the reason instead of stopping the others.
 *
 * @param series The cycling series.
 * @param options Cycle selection, halves, cycle delimitation, and every `dqdv` option.
 * @returns Curves, peak tracks and failures.
 *
 * @example
 * ```ts
 * import { dqdvByCycle } from "./dqdv_by_cycle.ts";
 * import { equal } from "node:assert/strict";
 *
 * // Two cycles of a linear cell: charge 3.0 → 4.0 V then discharge back, 1 A, 1 Ah each way.
 * const rows = 400, n = 2 * 2 * rows;
 * const v = new Float64Array(n), i = new Float64Array(n), t = new Float64Array(n);
 * const qc = new Float64Array(n), qd = new Float64Array(n);
 * for (let k = 0; k < n; k++) {
 *   const within = k % (2 * rows), charging = within < rows, f = (within % rows) / (rows - 1);
 *   v[k] = charging ? 3 + f : 4 - f;
 *   i[k] = charging ? 1 : -1;
 *   t[k] = k * 9;
 *   qc[k] = charging ? f : 1;
 *   qd[k] = charging ? 0 : f;
 * }
 * const series = {
 *   length: n, voltage_V: v, current_A: i, time_s: t, charge_capacity_Ah: qc,
 *   discharge_capacity_Ah: qd, charge_energy_Wh: new Float64Array(n),
 *   discharge_energy_Wh: new Float64Array(n), step_index: new Int32Array(n),
 *   cycle_index: new Int32Array(n), extras: {}, start_time: null, columns: {},
 * };
 * const set = dqdvByCycle(series, { halves: "charge", peaks: false });
 * equal(set.curves.length, 2);
 * equal(set.failures.length, 0);
 * ```
 */
export function dqdvByCycle(series: CyclingSeries, options: DqdvByCycleOptions = {}): DqdvSet {
  const halves = options.halves ?? "both";
  if (halves !== "both" && halves !== "charge" && halves !== "discharge") {
    throw new RangeError(
      `Cannot compute dQ/dV by cycle: halves must be "charge", "discharge" or "both", got ${
        String(halves)
      }`,
    );
  }
  const wanted = options.cycles ? new Set(options.cycles) : null;
  const all = halfCycles(series, options.cycle_options ?? {});
  // Merge consecutive segments of one direction within a cycle.
  const merged: { cycle: number; direction: HalfCycleDirection; start: number; end: number }[] = [];
  for (const h of all) {
    const last = merged[merged.length - 1];
    if (last && last.cycle === h.cycle && last.direction === h.direction) last.end = h.end_row;
    else {merged.push({
        cycle: h.cycle,
        direction: h.direction,
        start: h.start_row,
        end: h.end_row,
      });}
  }
  const curves: DqdvCurve[] = [];
  const failures: DqdvFailure[] = [];
  for (const h of merged) {
    if (wanted && !wanted.has(h.cycle)) continue;
    if (halves !== "both" && h.direction !== halves) continue;
    try {
      curves.push(dqdv({
        series,
        start_row: h.start,
        end_row: h.end,
        cycle: h.cycle,
        direction: h.direction,
      }, options));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      failures.push({ cycle: h.cycle, direction: h.direction, reason: e.message });
    }
  }
  return new DqdvSet(curves, trackPeaks(curves, { max_shift_V: options.max_shift_V }), failures);
}
