// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Join the sequential parts of one test (Maccor `test.001`, `test.002`; Arbin `_Wb_1`, `_Wb_2`;
 * anything with `meta.part`) into one {@link Recording}.
 *
 * @module
 */

import type { ColumnSource, CyclingSeries } from "../lib/model/cycling_series.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { naiveSecondsFromIso } from "./_delimited.ts";
import { allocSeries } from "./_series.ts";

/** Options of {@link joinRecordings}. */
export interface JoinRecordingsOptions {
  /**
   * Refuse parts whose `meta.base_name` differ (they are probably not one test).
   * @default {true}
   */
  requireSameBaseName?: boolean;
}

interface PartPlan {
  rec: Recording;
  series: CyclingSeries;
  timeOffset: number;
  cycleOffset: number;
  stepOffset: number;
  wallOffset: number;
  how: string;
}

/**
 * Join the parts of one test, in `meta.part` order (parts without a number keep the given order
 * and go after numbered ones).
 *
 * - Time: a part whose first `time_s` is below the previous part's last one restarted its
 *   clock. When both parts have `start_time`, the part is placed by the difference of the
 *   absolute start times (so a gap between the files is kept); otherwise (or when that would
 *   overlap the previous part) its first row is placed at the previous part's last time (the gap
 *   is unknown, so none is invented). A part that continues the clock is kept as is.
 * - `cycle_index` / `step_index`: when a part's first value is below the previous part's last
 *   one, the counter restarted; the part is shifted to start one above the previous last value.
 * - Capacity and energy counters are kept per part: a drop at a part boundary is a reset, as
 *   analysis reads counters.
 * - Extras and `temperature_C` missing from some parts are `NaN` there; `wall_clock_s` moves with
 *   the part's absolute start (or its time offset).
 * - Spectra are concatenated, `sequence` renumbered.
 * - `meta` is the first part's, with `part: null`, warnings prefixed by their file name, and
 *   header entries `join.part.<k>` recording each part's file, rows and offsets.
 *
 * @param parts The recordings of the parts (at least one, each with a series).
 * @param options Base-name check.
 * @returns One recording.
 * @throws {RangeError} When `parts` is empty, a part has no series, two parts share a part
 *   number, or base names differ while `requireSameBaseName` is on.
 *
 * @example Usage
 * ```ts
 * import { joinRecordings } from "./join_recordings.ts";
 * import type { Recording } from "../lib/model/file_meta.ts";
 * import { equal } from "node:assert/strict";
 *
 * const part = (k: number, t: number[]): Recording => ({
 *   meta: {
 *     file_name: `t.00${k}`, format: "x", format_version: null, instrument: "Maccor",
 *     channel: null, techniques: [], start_time: null, sample: "t", cell_code: null,
 *     base_name: "t", part: k, device: null, electrode_area_cm2: null, active_mass_g: null,
 *     header: {}, warnings: [],
 *   },
 *   series: {
 *     length: t.length, time_s: Float64Array.from(t), voltage_V: new Float64Array(t.length),
 *     current_A: new Float64Array(t.length), charge_capacity_Ah: new Float64Array(t.length),
 *     discharge_capacity_Ah: new Float64Array(t.length),
 *     charge_energy_Wh: new Float64Array(t.length), discharge_energy_Wh: new Float64Array(t.length),
 *     step_index: new Int32Array(t.length), cycle_index: new Int32Array(t.length),
 *     extras: {}, start_time: null, columns: {},
 *   },
 * });
 * const joined = joinRecordings([part(2, [0, 10]), part(1, [0, 5])]);
 * equal([...joined.series!.time_s].join(), "0,5,5,15");
 * ```
 */
export function joinRecordings(
  parts: readonly Recording[],
  options: JoinRecordingsOptions = {},
): Recording {
  if (parts.length === 0) throw new RangeError("Cannot join recordings: no parts given");
  for (const p of parts) {
    if (!p.series) {
      throw new RangeError(`Cannot join recordings: "${p.meta.file_name}" has no cycling series`);
    }
  }
  const seen = new Map<number, string>();
  for (const p of parts) {
    if (p.meta.part === null) continue;
    const other = seen.get(p.meta.part);
    if (other !== undefined) {
      throw new RangeError(
        `Cannot join recordings: "${other}" and "${p.meta.file_name}" are both part ${p.meta.part}`,
      );
    }
    seen.set(p.meta.part, p.meta.file_name);
  }
  if (options.requireSameBaseName ?? true) {
    const names = [...new Set(parts.map((p) => p.meta.base_name))];
    if (names.length > 1) {
      throw new RangeError(
        `Cannot join recordings: the parts belong to different tests (${names.join(", ")})`,
      );
    }
  }
  const ordered = parts
    .map((rec, i) => ({ rec, i }))
    .sort((a, b) => {
      const pa = a.rec.meta.part, pb = b.rec.meta.part;
      if (pa !== null && pb !== null) return pa - pb;
      if (pa !== null) return -1;
      if (pb !== null) return 1;
      return a.i - b.i;
    })
    .map((x) => x.rec);

  const plans: PartPlan[] = [];
  const firstStart = abs(ordered[0].series!.start_time);
  const firstTime = ordered[0].series!.time_s[0];
  for (const rec of ordered) {
    const s = rec.series!;
    const prev = plans[plans.length - 1];
    const plan: PartPlan = {
      rec,
      series: s,
      timeOffset: 0,
      cycleOffset: 0,
      stepOffset: 0,
      wallOffset: 0,
      how: "first part",
    };
    const start = abs(s.start_time);
    if (firstStart !== undefined && start !== undefined) plan.wallOffset = start - firstStart;
    if (prev && s.length > 0 && prev.series.length > 0) {
      const prevEnd = prev.series.time_s[prev.series.length - 1] + prev.timeOffset;
      const first = s.time_s[0];
      plan.how = "continues the test clock";
      if (first < prevEnd) {
        const prevStart = abs(prev.series.start_time);
        const byClock = start !== undefined && prevStart !== undefined
          ? (start - prevStart) + (prev.series.time_s[0] + prev.timeOffset) - first
          : undefined;
        if (byClock !== undefined && first + byClock >= prevEnd) {
          plan.timeOffset = byClock;
          plan.how = "clock restarted; placed by absolute start times";
        } else {
          plan.timeOffset = prevEnd - first;
          plan.how = byClock === undefined
            ? "clock restarted; no absolute start times, placed at the previous part's end"
            : "clock restarted; absolute start times overlap the previous part, placed at its end";
        }
      }
      if (firstStart === undefined || start === undefined) {
        plan.wallOffset = plan.timeOffset + s.time_s[0] - firstTime;
      }
      const prevCycle = prev.series.cycle_index[prev.series.length - 1] + prev.cycleOffset;
      if (s.cycle_index[0] < prevCycle) plan.cycleOffset = prevCycle + 1 - s.cycle_index[0];
      const prevStep = prev.series.step_index[prev.series.length - 1] + prev.stepOffset;
      if (s.step_index[0] < prevStep) plan.stepOffset = prevStep + 1 - s.step_index[0];
    }
    plans.push(plan);
  }

  const total = plans.reduce((n, p) => n + p.series.length, 0);
  const out = allocSeries(total);
  const extraNames = new Set<string>();
  let anyTemp = false;
  const columns: Record<string, ColumnSource> = {};
  for (const p of plans) {
    for (const k of Object.keys(p.series.extras)) extraNames.add(k);
    if (p.series.temperature_C) anyTemp = true;
    for (const [k, v] of Object.entries(p.series.columns)) if (!(k in columns)) columns[k] = v;
  }
  for (const k of extraNames) out.extras[k] = new Float64Array(total).fill(NaN);
  if (anyTemp) out.temperature_C = new Float64Array(total).fill(NaN);
  const header: Record<string, string> = { ...ordered[0].meta.header };
  const warnings: string[] = [];
  let at = 0;
  plans.forEach((p, k) => {
    const s = p.series;
    for (let r = 0; r < s.length; r++) {
      const o = at + r;
      out.time_s[o] = s.time_s[r] + p.timeOffset;
      out.voltage_V[o] = s.voltage_V[r];
      out.current_A[o] = s.current_A[r];
      out.charge_capacity_Ah[o] = s.charge_capacity_Ah[r];
      out.discharge_capacity_Ah[o] = s.discharge_capacity_Ah[r];
      out.charge_energy_Wh[o] = s.charge_energy_Wh[r];
      out.discharge_energy_Wh[o] = s.discharge_energy_Wh[r];
      out.step_index[o] = s.step_index[r] + p.stepOffset;
      out.cycle_index[o] = s.cycle_index[r] + p.cycleOffset;
    }
    if (out.temperature_C && s.temperature_C) out.temperature_C.set(s.temperature_C, at);
    for (const [name, v] of Object.entries(s.extras)) {
      if (name === "wall_clock_s") {
        const dst = out.extras[name];
        for (let r = 0; r < s.length; r++) dst[at + r] = v[r] + p.wallOffset;
      } else out.extras[name].set(v, at);
    }
    header[`join.part.${k + 1}`] = `${p.rec.meta.file_name}: rows ${at}–${
      at + s.length - 1
    }, ${p.how}, time offset ${p.timeOffset} s, cycle offset ${p.cycleOffset}, step offset ${p.stepOffset}`;
    for (const w of p.rec.meta.warnings) warnings.push(`${p.rec.meta.file_name}: ${w}`);
    at += s.length;
  });
  out.start_time = ordered[0].series!.start_time;
  out.columns = columns;
  const spectra: Spectrum[] = [];
  for (const p of plans) {
    for (const sp of p.rec.spectra ?? []) spectra.push({ ...sp, sequence: spectra.length });
  }
  const meta = {
    ...ordered[0].meta,
    part: null,
    header,
    warnings,
    techniques: [...new Set(ordered.flatMap((r) => r.meta.techniques))],
  };
  const result: Recording = { meta, series: out };
  if (spectra.length > 0) result.spectra = spectra;
  return result;
}

function abs(iso: string | null): number | undefined {
  return iso === null ? undefined : naiveSecondsFromIso(iso);
}
