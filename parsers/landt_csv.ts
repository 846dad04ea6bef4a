// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Landt cycler CSV exports as published with battery-data-format's sample data
 * (`SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv`): a few `key:value` lines (`cell model:`,
 * `Nominal capacity used to define the C rate:Ah`), then one header of unit-suffixed names
 * (`channel_index,cycle_index,step_index,date_time_iso_string,test_time_s,step_time_s,current_A,
 * voltage_V,discharge_capacity_Ah,charge_capacity_Ah,…,step_name`), one row per record, each row
 * ending with a comma.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { finishCounters } from "./_columns.ts";
import { splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { type Mapping, readTable, type Target } from "./_table.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedRead } from "./_damage.ts";

/** Header fields every Landt export has, in this order at the start of the header. */
const LEAD = ["channel_index", "cycle_index", "step_index", "date_time_iso_string", "test_time_s"];

/** Known columns: header name → target (all already in SI units, current positive on charge). */
const KNOWN: Record<string, Target> = {
  channel_index: "extras.record_index",
  cycle_index: "cycle_index",
  step_index: "step_index",
  test_time_s: "time_s",
  step_time_s: "extras.step_time_s",
  current_A: "current_A",
  voltage_V: "voltage_V",
  discharge_capacity_Ah: "discharge_capacity_Ah",
  charge_capacity_Ah: "charge_capacity_Ah",
  discharge_energy_Wh: "discharge_energy_Wh",
  charge_energy_Wh: "charge_energy_Wh",
  temperature_1_C: "temperature_C",
};

function findHeader(lines: readonly string[], limit: number): number {
  for (let i = 0; i < Math.min(lines.length, limit); i++) {
    const fields = splitFields(lines[i], ",");
    if (LEAD.every((name, k) => fields[k] === name)) return i;
  }
  return -1;
}

function detect(head: Uint8Array, _fileName: string): Detection {
  const lines = splitLines(decodeHead(head).slice(0, 16384));
  if (findHeader(lines, 50) >= 0) {
    return {
      confidence: 1,
      reason: "Landt header (channel_index,cycle_index,step_index,date_time_iso_string,...)",
    };
  }
  return { confidence: 0, reason: "" };
}

/**
 * Read a Landt CSV export. Columns are already in SI units with current positive on charge;
 * the per-step capacity and energy counters are kept as written (they restart at every step);
 * `date_time_iso_string` (month first, despite its name: `04/30/2024 14:33:19`) gives
 * `start_time` and the extra `wall_clock_s`; `step_name` (text) is not read. The `key:value`
 * lines before the header go into `meta.header`.
 *
 * @param bytes The whole file.
 * @param options File name and naming rule.
 * @returns The recording.
 * @throws {ParseError} Without the Landt header, or for a row of the wrong length or a value
 *   that is not a number (naming the line).
 *
 * @example Usage
 * ```ts
 * import { parseLandtCsv } from "./landt_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "cell model:LiGr,,\n" +
 *   "channel_index,cycle_index,step_index,date_time_iso_string,test_time_s,step_time_s," +
 *   "current_A,voltage_V,discharge_capacity_Ah,charge_capacity_Ah,step_name\n" +
 *   "1,1,1,04/30/2024 14:33:19,0.0,0.0,0.0002,3.0,0,0,charge CC,\n" +
 *   "2,1,1,04/30/2024 15:33:19,3600.0,3600.0,0.0002,3.1,0,0.0002,charge CC,\n";
 * const { series, meta } = parseLandtCsv(new TextEncoder().encode(text), { fileName: "x.csv" });
 * equal(series!.length, 2);
 * equal(series!.charge_capacity_Ah[1], 0.0002);
 * equal(series!.start_time, "2024-04-30T14:33:19");
 * equal(meta.header["cell model"], "LiGr");
 * ```
 */
export function parseLandtCsv(bytes: Uint8Array, options: ParseOptions): Recording {
  return checkedRead(bytes, { ...options, text: true, read: readLandtCsv });
}

function readLandtCsv(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const headerIndex = findHeader(lines, 50);
  if (headerIndex < 0) {
    throw new ParseError(file, `no Landt header (${LEAD.join(",")},...) in the first 50 lines`, {
      line: 1,
    });
  }
  const h = splitFields(lines[headerIndex], ",").map((x) => x.trim());
  // Every row ends with a comma: one more (empty) field than the header names.
  const firstRow = lines.slice(headerIndex + 1).find((l) => l.trim() !== "");
  if (firstRow && h[h.length - 1] !== "" && splitFields(firstRow, ",").length === h.length + 1) {
    h.push("");
  }
  const mappings: Mapping[] = [];
  const unread: string[] = [];
  h.forEach((name, index) => {
    const target = KNOWN[name];
    if (target) mappings.push({ index, target, unit: name.slice(name.lastIndexOf("_") + 1) });
    else if (/^(temperature_\d+_C|Pressure_Psi)$/.test(name)) {
      const extra = name === "Pressure_Psi" ? "pressure_psi" : name;
      mappings.push({ index, target: `extras.${extra}`, unit: name.split("_").pop()! });
    } else if (name !== "" && name !== "date_time_iso_string") unread.push(name);
  });
  const table = readTable(lines, headerIndex, h, mappings, {
    file,
    delimiter: ",",
    dateTime: { index: h.indexOf("date_time_iso_string"), order: "mdy" },
  });
  const series = table.series;
  const warnings = [...table.warnings];
  if (unread.length > 0) warnings.push(`columns not read (text): ${unread.join(", ")}`);
  warnings.push(...finishCounters(series));
  const header: Record<string, string> = {};
  for (let i = 0; i < headerIndex; i++) {
    const m = /^([^:]+):\s*(.*?)[,\s]*$/.exec(lines[i]);
    if (m) header[m[1].trim()] = m[2].trim();
  }
  const meta = makeMeta(options, {
    format: "landt_csv",
    instrument: "Landt",
    start_time: series.start_time,
    techniques: ["Cycling"],
    header,
    warnings,
  });
  return { meta, series };
}

/** The Landt CSV format for the registry. */
export const landtCsv: FormatParser = {
  id: "landt_csv",
  name: "Landt CSV export",
  instrument: "Landt",
  extensions: [".csv"],
  kind: "cycling",
  detect,
  parse: parseLandtCsv,
};
