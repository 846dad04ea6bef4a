// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Export a {@link CyclingSeries} as Battery Data Format (BDF) CSV text, for other tools.
 *
 * @module
 */

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import { BDF_TERMS } from "./_bdf_terms.ts";
import { accumulateResets } from "./_columns.ts";
import { naiveSecondsFromIso } from "./_delimited.ts";
import { allNaN } from "./_series.ts";

/** Options of {@link toBdfCsv}. */
export interface ToBdfCsvOptions {
  /**
   * Header style: BDF preferred labels (`Test Time / s`) or machine-readable names
   * (`test_time_second`).
   * @default {"label"}
   */
  header?: "label" | "name";
  /**
   * Offset of the series' `start_time` from UTC in minutes, used only when `start_time` carries
   * no zone (instrument clocks are local). Without a zone and without this option, no
   * `Unix Time / s` column is written (it would need a guessed time zone).
   */
  utcOffsetMinutes?: number;
  /** Line ending. @default {"\n"} */
  lineEnding?: "\n" | "\r\n";
}

function numberText(v: number): string {
  return Number.isFinite(v) ? String(v) : "";
}

/**
 * Write a series as BDF CSV: one header row, one row per sample, comma separated, numbers in
 * shortest round-trip form, missing values empty.
 *
 * Columns: `Test Time / s`, `Voltage / V`, `Current / A` (positive on charge, as BDF defines),
 * `Unix Time / s` (see {@link ToBdfCsvOptions.utcOffsetMinutes}), `Cycle Count / 1`
 * (`cycle_index` as is: BDF forbids renumbering), `Step Count / 1` (1 + the number of step
 * changes so far: never repeats), `Step ID` (`step_index`, the program step), the four capacity
 * and energy counters, and when present `Temperature T1 / degC` (`temperature_C`) and the extras
 * `ambient_temperature_C`, `step_time_s`, `power_W`, `internal_resistance_ohm`,
 * `net_capacity_Ah`, `temperature_t2_C` … `temperature_t5_C`. Other extras are not written.
 *
 * BDF counters accumulate over the whole test, so counters that reset (per step or per cycle)
 * are turned into running totals: each drop adds the value held before it. Counters entirely
 * `NaN` are left out.
 *
 * @param series The series to write.
 * @param options Header style, time zone of `start_time`, line ending.
 * @returns The CSV text.
 * @throws {RangeError} When `utcOffsetMinutes` is not finite or `start_time` is not ISO text.
 *
 * @example Usage
 * ```ts
 * import { toBdfCsv } from "./to_bdf.ts";
 * import { equal } from "node:assert/strict";
 *
 * const f = (...v: number[]) => Float64Array.from(v);
 * const csv = toBdfCsv({
 *   length: 2, time_s: f(0, 1), voltage_V: f(3.5, 3.6), current_A: f(1, 1),
 *   charge_capacity_Ah: f(0, 0.5), discharge_capacity_Ah: f(0, 0),
 *   charge_energy_Wh: f(NaN, NaN), discharge_energy_Wh: f(NaN, NaN),
 *   step_index: Int32Array.of(1, 1), cycle_index: Int32Array.of(0, 0),
 *   extras: {}, start_time: null, columns: {},
 * });
 * equal(csv.split("\n")[0], "Test Time / s,Voltage / V,Current / A,Cycle Count / 1," +
 *   "Step Count / 1,Step ID,Charging Capacity / Ah,Discharging Capacity / Ah");
 * equal(csv.split("\n")[2], "1,3.6,1,0,1,1,0.5,0");
 * ```
 */
export function toBdfCsv(series: CyclingSeries, options: ToBdfCsvOptions = {}): string {
  const n = series.length;
  const eol = options.lineEnding ?? "\n";
  const useNames = (options.header ?? "label") === "name";
  if (options.utcOffsetMinutes !== undefined && !Number.isFinite(options.utcOffsetMinutes)) {
    throw new RangeError(
      `Cannot export BDF: utcOffsetMinutes must be a finite number, got ${options.utcOffsetMinutes}`,
    );
  }
  const columns: { name: string; values: ArrayLike<number> }[] = [];
  const term = (name: string): string => {
    const t = BDF_TERMS.find((x) => x.name === name)!;
    return useNames ? t.name : t.label;
  };
  columns.push({ name: term("test_time_second"), values: series.time_s });
  columns.push({ name: term("voltage_volt"), values: series.voltage_V });
  columns.push({ name: term("current_ampere"), values: series.current_A });

  if (series.start_time !== null) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(series.start_time);
    let t0 = naiveSecondsFromIso(series.start_time);
    if (t0 === undefined) {
      throw new RangeError(
        `Cannot export BDF: start_time "${series.start_time}" is not ISO 8601 date-time text`,
      );
    }
    if (zoned || options.utcOffsetMinutes !== undefined) {
      if (!zoned) t0 -= options.utcOffsetMinutes! * 60;
      const unix = new Float64Array(n);
      for (let k = 0; k < n; k++) unix[k] = t0 + (series.time_s[k] - series.time_s[0]);
      columns.push({ name: term("unix_time_second"), values: unix });
    }
  }
  columns.push({ name: term("cycle_count"), values: series.cycle_index });
  const stepCount = new Float64Array(n);
  for (let k = 0, c = 1; k < n; k++) {
    if (k > 0 && series.step_index[k] !== series.step_index[k - 1]) c++;
    stepCount[k] = c;
  }
  columns.push({ name: term("step_count"), values: stepCount });
  columns.push({ name: term("step_id"), values: series.step_index });
  for (
    const [name, values] of [
      ["charging_capacity_ah", series.charge_capacity_Ah],
      ["discharging_capacity_ah", series.discharge_capacity_Ah],
      ["charging_energy_wh", series.charge_energy_Wh],
      ["discharging_energy_wh", series.discharge_energy_Wh],
    ] as const
  ) {
    if (!allNaN(values)) columns.push({ name: term(name), values: accumulateResets(values) });
  }
  if (series.temperature_C && !allNaN(series.temperature_C)) {
    columns.push({ name: term("temperature_t1_celsius"), values: series.temperature_C });
  }
  for (const t of BDF_TERMS) {
    if (!t.target?.startsWith("extras.")) continue;
    const v = series.extras[t.target.slice(7)];
    if (v && v.length === n) columns.push({ name: useNames ? t.name : t.label, values: v });
  }

  const out: string[] = [columns.map((c) => c.name).join(",")];
  const row = new Array<string>(columns.length);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < columns.length; j++) row[j] = numberText(columns[j].values[k]);
    out.push(row.join(","));
  }
  return out.join(eol) + eol;
}
