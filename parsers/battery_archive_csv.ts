// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Battery Archive (batteryarchive.org) time-series CSV downloads (`<cell>_timeseries.csv`).
 * The per-cycle table (`<cell>_cycle_data.csv`) is read by `parseBatteryArchiveCycles`
 * (`battery_archive_cycles.ts`).
 *
 * Column names learned from battery-data-toolkit (`battdat/io/ba.py`, Apache-2.0) and the
 * fixture files; the code is ours.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { findColumn, finishCounters } from "./_columns.ts";
import { BATTERY_ARCHIVE_CYCLE_COLUMNS } from "./_battery_archive.ts";
import { splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { type Mapping, readTable } from "./_table.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

const TIMESERIES = ["Date_Time", "Test_Time (s)", "Cycle_Index", "Current (A)", "Voltage (V)"];

function headerOf(text: string): string[] {
  const first = splitLines(text.slice(0, 4096))[0] ?? "";
  return splitFields(first, ",").map((x) => x.trim());
}

function detect(head: Uint8Array, _fileName: string): Detection {
  const h = headerOf(decodeHead(head));
  if (TIMESERIES.every((c) => h.includes(c))) {
    return {
      confidence: 0.9,
      reason: "Battery Archive time-series columns (Date_Time, Test_Time (s), ...)",
    };
  }
  if (BATTERY_ARCHIVE_CYCLE_COLUMNS.every((c) => h.includes(c)) && h.includes("Min_Voltage (V)")) {
    return {
      confidence: 0.5,
      reason: "Battery Archive per-cycle table (read it with parseBatteryArchiveCycles)",
    };
  }
  return { confidence: 0, reason: "" };
}

/**
 * The Battery Archive time-series reader. Current is positive on charge (checked against the
 * counters); the counters are Battery Archive's per-cycle counters. `Cell_Temperature (C)` →
 * `temperature_C`, `Environment_Temperature (C)` → extra `ambient_temperature_C`; `Date_Time`
 * gives `start_time` and `wall_clock_s`. A per-cycle table given to this parser is refused with
 * a {@link ParseError} that names `parseBatteryArchiveCycles`.
 */
export const batteryArchiveCsv: FormatParser = checkedFormat("text", {
  id: "battery_archive_csv",
  name: "Battery Archive time-series CSV",
  instrument: "Battery Archive",
  extensions: [".csv"],
  kind: "cycling",
  detect,
  parse: parseTimeseries,
});

function parseTimeseries(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const h = splitFields(lines[0] ?? "", ",").map((x) => x.trim());
  if (!TIMESERIES.every((c) => h.includes(c))) {
    if (BATTERY_ARCHIVE_CYCLE_COLUMNS.every((c) => h.includes(c))) {
      throw new ParseError(
        file,
        "this is a Battery Archive per-cycle table, not a time series; read it with parseBatteryArchiveCycles()",
        { line: 1 },
      );
    }
    throw new ParseError(
      file,
      `line 1: missing Battery Archive columns ${
        TIMESERIES.filter((c) => !h.includes(c)).join(", ")
      }`,
      { line: 1 },
    );
  }
  const col = (name: string): number => findColumn(h, name);
  const mappings: Mapping[] = [
    { index: col("Test_Time (s)"), target: "time_s", unit: "s" },
    { index: col("Voltage (V)"), target: "voltage_V", unit: "V" },
    { index: col("Current (A)"), target: "current_A", unit: "A" },
    { index: col("Cycle_Index"), target: "cycle_index", unit: "" },
  ];
  for (
    const [name, target, unit] of [
      ["Charge_Capacity (Ah)", "charge_capacity_Ah", "Ah"],
      ["Discharge_Capacity (Ah)", "discharge_capacity_Ah", "Ah"],
      ["Charge_Energy (Wh)", "charge_energy_Wh", "Wh"],
      ["Discharge_Energy (Wh)", "discharge_energy_Wh", "Wh"],
      ["Cell_Temperature (C)", "temperature_C", "C"],
      ["Environment_Temperature (C)", "extras.ambient_temperature_C", "C"],
    ] as const
  ) {
    if (col(name) >= 0) mappings.push({ index: col(name), target, unit });
  }
  const table = readTable(lines, 0, h, mappings, {
    file,
    delimiter: ",",
    dateTime: { index: col("Date_Time"), order: "ymd" },
  });
  const s = table.series;
  const warnings = table.warnings;
  warnings.push(...finishCounters(s));
  const meta = makeMeta(options, {
    format: "battery_archive_csv",
    instrument: "Battery Archive",
    start_time: s.start_time,
    techniques: ["Cycling"],
    warnings,
  });
  return { meta, series: s };
}
