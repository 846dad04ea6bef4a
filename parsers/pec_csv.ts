// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * PEC SBT CSV exports (`Test25195.csv`): `Key:,Value` header lines, then one table.
 *
 * Layout and time-unit labels learned from cellpy (`cellpy/readers/instruments/pec_csv.py`,
 * MIT); the code is ours.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { findColumn, finishCounters } from "./_columns.ts";
import { splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { type Mapping, matchColumn, readTable } from "./_table.ts";
import { prefixScale } from "./_units.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

function findHeader(lines: readonly string[], limit: number): number {
  for (let i = 0; i < Math.min(lines.length, limit); i++) {
    if (/^Test,Cell,/.test(lines[i]) && /Total Time \(/.test(lines[i])) return i;
  }
  return -1;
}

function detect(head: Uint8Array, _fileName: string): Detection {
  const lines = splitLines(decodeHead(head).slice(0, 32768));
  if (findHeader(lines, 400) >= 0) {
    return { confidence: 1, reason: "PEC table header (Test,Cell,...,Total Time (...))" };
  }
  if (/^Request Year:,/.test(lines[0] ?? "") && lines.some((l) => /^TestRegime Name:,/.test(l))) {
    return { confidence: 0.7, reason: "PEC header lines (Request Year, TestRegime Name)" };
  }
  return { confidence: 0, reason: "" };
}

/** Seconds per unit of the PEC time labels. */
const TIME_LABELS: Record<string, number | "clock"> = {
  "Hours in hh:mm:ss.xxx": "clock",
  "Decimal Hours": 3600,
  "Minutes": 60,
  "Seconds": 1,
};

/**
 * The PEC CSV reader.
 *
 * - `Total Time (...)` in any of PEC's units (`hh:mm:ss.xxx`, decimal hours, minutes, seconds)
 *   → `time_s`; `Step Time (...)` → extra `step_time_s`.
 * - `Voltage`, `Current` (signed as written, positive on charge, checked against the counters),
 *   capacities and energies in the units of their labels (`mAh` → ×1e-3).
 * - `Real Time` (month/day/year) gives `start_time` and the extra `wall_clock_s`.
 * - `Temp (°C)` → `temperature_C`; `Internal Resistance 1 (mOhm)` → `internal_resistance_ohm`.
 */
export const pecCsv: FormatParser = checkedFormat("text", {
  id: "pec_csv",
  name: "PEC SBT CSV",
  instrument: "PEC",
  extensions: [".csv"],
  kind: "cycling",
  detect,
  parse: parsePec,
});

function parsePec(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const headerIndex = findHeader(lines, lines.length);
  if (headerIndex < 0) {
    throw new ParseError(file, "no PEC table header (Test,Cell,...,Total Time (...))", { line: 1 });
  }
  const header: Record<string, string> = {};
  for (let i = 0; i < headerIndex; i++) {
    const f = splitFields(lines[i], ",");
    if (f.length >= 2 && f[0].endsWith(":")) {
      header[f[0].slice(0, -1).trim()] = f.slice(1).join(",").trim();
    }
  }
  const h = splitFields(lines[headerIndex], ",").map((x) => x.trim());
  const at = headerIndex + 1;
  const need = (pattern: RegExp, what: string): { index: number; unit: string } => {
    const c = matchColumn(h, pattern);
    if (!c) throw new ParseError(file, `line ${at}: no ${what} column`, { line: at });
    return c;
  };
  const total = need(/^Total Time \((?<unit>[^)]+)\)$/, "Total Time");
  const v = need(/^Voltage \((?<unit>[^)]+)\)$/, "Voltage");
  const i = need(/^Current \((?<unit>[^)]+)\)$/, "Current");
  const scaleOf = (c: { unit: string; index: number }, base: string): number => {
    const s = prefixScale(c.unit, base);
    if (s === undefined) {
      throw new ParseError(file, `line ${at}: unknown unit "${c.unit}" in column "${h[c.index]}"`, {
        line: at,
      });
    }
    return s;
  };
  const timeMapping = (c: { index: number; unit: string }, target: Mapping["target"]): Mapping => {
    const t = TIME_LABELS[c.unit];
    if (t === undefined) {
      throw new ParseError(
        file,
        `line ${at}: unknown time unit "${c.unit}" in column "${h[c.index]}"`,
        {
          line: at,
        },
      );
    }
    return t === "clock"
      ? { index: c.index, target, unit: c.unit, kind: "clock" }
      : { index: c.index, target, unit: c.unit, scale: t };
  };
  const mappings: Mapping[] = [
    timeMapping(total, "time_s"),
    { index: v.index, target: "voltage_V", unit: v.unit, scale: scaleOf(v, "V") },
    { index: i.index, target: "current_A", unit: i.unit, scale: scaleOf(i, "A") },
  ];
  const step = matchColumn(h, /^Step Time \((?<unit>[^)]+)\)$/);
  if (step) mappings.push(timeMapping(step, "extras.step_time_s"));
  for (
    const [pattern, target, base] of [
      [/^Charge Capacity \((?<unit>[^)]+)\)$/, "charge_capacity_Ah", "Ah"],
      [/^Discharge Capacity \((?<unit>[^)]+)\)$/, "discharge_capacity_Ah", "Ah"],
      [/^Charge Energy \((?<unit>[^)]+)\)$/, "charge_energy_Wh", "Wh"],
      [/^Discharge Energy \((?<unit>[^)]+)\)$/, "discharge_energy_Wh", "Wh"],
      [/^Internal Resistance 1 \((?<unit>[^)]+)\)$/, "extras.internal_resistance_ohm", "Ohm"],
    ] as const
  ) {
    const c = matchColumn(h, pattern);
    if (c) {
      mappings.push({
        index: c.index,
        target,
        unit: c.unit,
        scale: scaleOf(c, base),
        abs: base !== "Ohm",
      });
    }
  }
  const temp = matchColumn(h, /^Temp \((?<unit>°C)\)$/);
  if (temp) mappings.push({ index: temp.index, target: "temperature_C", unit: temp.unit });
  const stepIdx = findColumn(h, "Step");
  const cycleIdx = findColumn(h, "Cycle");
  if (stepIdx >= 0) mappings.push({ index: stepIdx, target: "step_index", unit: "" });
  if (cycleIdx >= 0) mappings.push({ index: cycleIdx, target: "cycle_index", unit: "" });
  const real = findColumn(h, "Real Time");
  const table = readTable(lines, headerIndex, h, mappings, {
    file,
    delimiter: ",",
    dateTime: real >= 0 ? { index: real, order: "mdy" } : undefined,
  });
  const s = table.series;
  const warnings = table.warnings;
  if (cycleIdx < 0) warnings.push("no Cycle column; cycle_index is 0");
  warnings.push(...finishCounters(s));
  const meta = makeMeta(options, {
    format: "pec_csv",
    instrument: "PEC",
    start_time: s.start_time,
    techniques: ["Cycling"],
    header,
    warnings,
    device: header["Test"] ? `PEC test ${header["Test"]}` : null,
  });
  return { meta, series: s };
}
