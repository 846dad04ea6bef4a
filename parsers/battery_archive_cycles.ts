// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Battery Archive (batteryarchive.org) per-cycle tables (`<cell>_cycle_data.csv`) as
 * {@link CycleSummary} rows. A per-cycle table is not a time series, so it is not a registered
 * `FormatParser`: it enters the model where analysis produces per-cycle numbers.
 *
 * @module
 */

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import { BATTERY_ARCHIVE_CYCLE_COLUMNS } from "./_battery_archive.ts";
import { isBlank, lastDataLine } from "./_columns.ts";
import { numberAt, splitFields } from "./_delimited.ts";
import { decodeText, splitLines } from "./_text.ts";
import { ParseError } from "./parse_error.ts";

/** Options of {@link parseBatteryArchiveCycles}. */
export interface BatteryArchiveCyclesOptions {
  /** File name for messages. */
  fileName: string;
  /**
   * Which half opens each cycle; the table does not record it.
   * @default {"charge"}
   */
  firstHalf?: "charge" | "discharge";
}

/**
 * Read a Battery Archive per-cycle table (`<cell>_cycle_data.csv`) into {@link CycleSummary}
 * rows, one per line, in file order.
 *
 * The table holds no time series, so `start_row` / `end_row` are `NaN`. `Test_Time (s)` is the
 * test time at the end of the cycle (it grows by one cycle's duration per row and the time series
 * starts inside cycle 1); `start_time_s` is the previous row's end, `NaN` for the first row.
 * Charge and discharge capacity and energy are copied; efficiencies are computed from them;
 * `min_voltage_V` / `max_voltage_V` come from `Min_Voltage (V)` / `Max_Voltage (V)`; quantities the
 * table lacks (mean voltages and currents, resistance) are `null`. `cycle` counts rows from 1;
 * `instrument_cycle` is `Cycle_Index`.
 *
 * @param bytes The whole file.
 * @param options File name and the opening half of a cycle.
 * @returns One summary per line.
 * @throws {ParseError} When a column is missing or a value is not a number.
 *
 * @example Usage
 * ```ts
 * import { parseBatteryArchiveCycles } from "./battery_archive_cycles.ts";
 * import { equal } from "node:assert/strict";
 *
 * const csv = "Cycle_Index,Start_Time,End_Time,Test_Time (s),Min_Current (A),Max_Current (A)," +
 *   "Min_Voltage (V),Max_Voltage (V),Charge_Capacity (Ah),Discharge_Capacity (Ah)," +
 *   "Charge_Energy (Wh),Discharge_Energy (Wh)\n" +
 *   "1.0,,,100,-1,1,2.7,4.2,1.0,0.9,4.0,3.5\n";
 * const [c] = parseBatteryArchiveCycles(new TextEncoder().encode(csv), { fileName: "x.csv" });
 * equal(c.instrument_cycle, 1);
 * equal(c.coulombic_efficiency, 0.9);
 * ```
 */
export function parseBatteryArchiveCycles(
  bytes: Uint8Array,
  options: BatteryArchiveCyclesOptions,
): CycleSummary[] {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const h = splitFields(lines[0] ?? "", ",").map((x) => x.trim());
  const missing = [...BATTERY_ARCHIVE_CYCLE_COLUMNS, "Min_Voltage (V)", "Max_Voltage (V)"].filter((
    c,
  ) => !h.includes(c));
  if (missing.length > 0) {
    throw new ParseError(
      file,
      `line 1: missing Battery Archive cycle columns ${missing.join(", ")}`,
      {
        line: 1,
      },
    );
  }
  const at = (name: string): number => h.indexOf(name);
  const last = lastDataLine(lines);
  const out: CycleSummary[] = [];
  let previousEnd = NaN;
  for (let i = 1; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const lineNo = i + 1;
    const f = splitFields(lines[i], ",");
    if (f.length !== h.length) {
      if (f.length < h.length && i === last && out.length > 0) break;
      throw new ParseError(file, `line ${lineNo} has ${f.length} fields, expected ${h.length}`, {
        line: lineNo,
      });
    }
    const num = (name: string): number => {
      const idx = at(name);
      return idx < 0 ? NaN : numberAt(f[idx], file, lineNo, name);
    };
    const cycleIndex = num("Cycle_Index");
    if (!Number.isInteger(cycleIndex)) {
      throw new ParseError(
        file,
        `line ${lineNo}: Cycle_Index "${f[at("Cycle_Index")]}" is not a whole number`,
        {
          line: lineNo,
        },
      );
    }
    const end = num("Test_Time (s)");
    const qc = num("Charge_Capacity (Ah)"), qd = num("Discharge_Capacity (Ah)");
    const ec = num("Charge_Energy (Wh)"), ed = num("Discharge_Energy (Wh)");
    const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
    out.push({
      cycle: out.length + 1,
      instrument_cycle: cycleIndex,
      first_half: options.firstHalf ?? "charge",
      start_row: NaN,
      end_row: NaN,
      start_time_s: previousEnd,
      end_time_s: end,
      duration_s: end - previousEnd,
      charge_capacity_Ah: qc,
      discharge_capacity_Ah: qd,
      coulombic_efficiency: qc > 0 ? qd / qc : null,
      charge_energy_Wh: orNull(ec),
      discharge_energy_Wh: orNull(ed),
      energy_efficiency: ec > 0 && Number.isFinite(ed) ? ed / ec : null,
      mean_voltage_V: null,
      min_voltage_V: orNull(num("Min_Voltage (V)")),
      max_voltage_V: orNull(num("Max_Voltage (V)")),
      mean_charge_voltage_V: null,
      mean_discharge_voltage_V: null,
      mean_charge_current_A: null,
      mean_discharge_current_A: null,
      internal_resistance_ohm: null,
    });
    previousEnd = end;
  }
  return out;
}
