// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Read any delimited cycler file with a user-defined {@link ColumnMapping}.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import type { ColumnMapping, ColumnSpec, MappedQuantity } from "./column_mapping.ts";
import { finishCounters } from "./_columns.ts";
import { guessDelimiter } from "./_csv_numeric.ts";
import { splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { type Mapping, readTable, type Target } from "./_table.ts";
import { type Quantity, unitFactor, UNITS } from "./_units.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedRead } from "./_damage.ts";

/** Options of {@link parseMappedCsv}. */
export interface MappedCsvOptions extends ParseOptions {
  /** The mapping (checked with `checkColumnMapping`). */
  mapping: ColumnMapping;
}

/** Quantity (for units) and target of each mapped column. */
const TARGETS: Record<MappedQuantity, { q: Quantity | null; target: Target }> = {
  time: { q: "time", target: "time_s" },
  voltage: { q: "voltage", target: "voltage_V" },
  current: { q: "current", target: "current_A" },
  charge_capacity: { q: "capacity", target: "charge_capacity_Ah" },
  discharge_capacity: { q: "capacity", target: "discharge_capacity_Ah" },
  capacity: { q: "capacity", target: "extras.mapped_capacity_Ah" },
  charge_energy: { q: "energy", target: "charge_energy_Wh" },
  discharge_energy: { q: "energy", target: "discharge_energy_Wh" },
  energy: { q: "energy", target: "extras.mapped_energy_Wh" },
  cycle: { q: null, target: "cycle_index" },
  step: { q: null, target: "step_index" },
  temperature: { q: "temperature", target: "temperature_C" },
};

const titleOf = (spec: ColumnSpec): string => (typeof spec === "string" ? spec : spec.name).trim();

/** Unit written in a title: `Voltage (mV)`, `Voltage [mV]`, `Voltage / mV`, else `""`. */
function unitInTitle(title: string): string {
  const m = /[([]\s*([^()[\]]+?)\s*[)\]]\s*$/.exec(title) ?? /\/\s*([^/]+)$/.exec(title);
  return m ? m[1].trim() : "";
}

function findHeader(
  lines: readonly string[],
  mapping: ColumnMapping,
  delimiter: string | undefined,
): { index: number; delimiter: string } | null {
  const wanted = Object.values(mapping.columns).map((c) => titleOf(c as ColumnSpec));
  const check = (i: number) => {
    const d = delimiter ?? guessDelimiter(lines[i]);
    const fields = splitFields(lines[i], d).map((f) => f.trim());
    return wanted.every((w) => fields.includes(w)) ? { index: i, delimiter: d } : null;
  };
  if (mapping.header_line !== undefined) {
    return mapping.header_line <= lines.length ? check(mapping.header_line - 1) : null;
  }
  for (let i = 0; i < Math.min(lines.length, 200); i++) {
    const found = check(i);
    if (found) return found;
  }
  return null;
}

/**
 * Read a delimited file with a user-defined column mapping. Mapped columns are converted to the
 * model's units (the mapping's `unit`, else the unit in the title, else SI with a warning);
 * `current_sign = "positive_discharge"` negates current so that it is positive on charge; a
 * single `capacity` (or `energy`) counter is split by the sign of current into the charge and
 * discharge counters (its absolute value on rows of that direction, 0 elsewhere); counters the
 * mapping does not give are integrated from current (marked derived). Time written as a duration
 * (`hh:mm:ss`, `1d 02:03:04`) or as a date-time (then seconds since the first row, `start_time`
 * from it) is read as the mapping says. Unmapped columns are not read.
 *
 * @param bytes The whole file.
 * @param options File name, naming rule and the mapping.
 * @returns The recording.
 * @throws {ParseError} When the title line with every mapped column is not found, a unit cannot
 *   be converted, or a row is short or holds text where a number belongs (naming the line).
 *
 * @example Usage
 * ```ts
 * import { parseMappedCsv } from "./mapped_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "Lab export\nt;U;I;Q\n0:00:00;3,50;-500;0\n1:00:00;3,40;-500;500\n";
 * const { series } = parseMappedCsv(new TextEncoder().encode(text), {
 *   fileName: "x.csv",
 *   mapping: {
 *     decimal: ",", time_format: "duration", current_sign: "positive_discharge",
 *     columns: { time: "t", voltage: "U", current: { name: "I", unit: "mA" }, capacity: { name: "Q", unit: "mAh" } },
 *   },
 * });
 * equal(series!.time_s[1], 3600);
 * equal(series!.current_A[1], 0.5); // positive on charge
 * equal(series!.charge_capacity_Ah[1], 0.5);
 * ```
 */
export function parseMappedCsv(bytes: Uint8Array, options: MappedCsvOptions): Recording {
  return checkedRead(bytes, { ...options, text: true, read: readMappedCsv });
}

function readMappedCsv(bytes: Uint8Array, options: MappedCsvOptions): Recording {
  const file = options.fileName;
  const mapping = options.mapping;
  const lines = splitLines(decodeText(bytes));
  const found = findHeader(lines, mapping, mapping.delimiter);
  const columns = mapping.columns as Record<string, ColumnSpec>;
  if (!found) {
    const titles = Object.values(columns).map((c) => `"${titleOf(c)}"`).join(", ");
    const where = mapping.header_line !== undefined
      ? `line ${mapping.header_line}`
      : "the first 200 lines";
    throw new ParseError(file, `no line in ${where} holds every mapped column (${titles})`, {
      line: mapping.header_line ?? 1,
    });
  }
  const header = splitFields(lines[found.index], found.delimiter).map((f) => f.trim());
  const warnings: string[] = [];
  const mappings: Mapping[] = [];
  const unitless: string[] = [];
  let dateTimeIndex = -1;
  for (const [quantity, spec] of Object.entries(columns)) {
    const { q, target } = TARGETS[quantity as MappedQuantity];
    const title = titleOf(spec);
    const index = header.indexOf(title);
    if (quantity === "time" && mapping.time_format === "datetime") {
      dateTimeIndex = index;
      continue;
    }
    const unit = (typeof spec === "object" ? spec.unit : undefined) ?? unitInTitle(title);
    let scale = 1;
    if (q !== null && !(quantity === "time" && mapping.time_format === "duration")) {
      const s = unitFactor(q, unit);
      if (s === undefined) {
        throw new ParseError(
          file,
          `line ${
            found.index + 1
          }: unit "${unit}" of column "${title}" cannot be converted (${q}: ${
            Object.keys(UNITS[q]).filter((u) => u !== "").join(", ")
          })`,
          { line: found.index + 1 },
        );
      }
      scale = s;
      if (unit === "") unitless.push(`"${title}"`);
    }
    const m: Mapping = { index, target, unit, scale };
    if (quantity === "time" && mapping.time_format === "duration") m.kind = "clock";
    mappings.push(m);
  }
  if (unitless.length > 0) {
    warnings.push(`no unit given for ${unitless.join(", ")}: taken as SI (s, V, A, Ah, Wh, °C)`);
  }
  const table = readTable(lines, found.index, header, mappings, {
    file,
    delimiter: found.delimiter,
    decimalComma: mapping.decimal === ",",
    dateTime: dateTimeIndex >= 0
      ? { index: dateTimeIndex, order: mapping.date_order ?? "ymd" }
      : undefined,
  });
  const s = table.series;
  warnings.push(...table.warnings);
  if (dateTimeIndex >= 0) {
    s.time_s = s.extras.wall_clock_s;
    s.columns.time_s = { ...s.columns.wall_clock_s };
    delete s.extras.wall_clock_s;
    delete s.columns.wall_clock_s;
  }
  if (mapping.current_sign === "positive_discharge") {
    for (let k = 0; k < s.length; k++) s.current_A[k] = -s.current_A[k];
    s.columns.current_A = {
      ...s.columns.current_A,
      scale: -s.columns.current_A.scale,
      note: "negated: the file's current is positive on discharge (mapping current_sign)",
    };
  }
  splitBySign(s, "mapped_capacity_Ah", ["charge_capacity_Ah", "discharge_capacity_Ah"]);
  splitBySign(s, "mapped_energy_Wh", ["charge_energy_Wh", "discharge_energy_Wh"]);
  warnings.push(...finishCounters(s));
  const meta = makeMeta(options, {
    format: "mapped_csv",
    instrument: mapping.name ?? "custom",
    start_time: s.start_time,
    techniques: ["Cycling"],
    warnings,
  });
  return { meta, series: s };
}

/** A single counter → the charge and discharge counters, by the sign of current. */
function splitBySign(
  s: Recording["series"] & object,
  extra: string,
  [charge, discharge]: ["charge_capacity_Ah", "discharge_capacity_Ah"] | [
    "charge_energy_Wh",
    "discharge_energy_Wh",
  ],
): void {
  const values = s.extras[extra];
  if (!values) return;
  const qc = new Float64Array(s.length), qd = new Float64Array(s.length);
  for (let k = 0; k < s.length; k++) {
    const i = s.current_A[k];
    if (i > 0) qc[k] = Math.abs(values[k]);
    else if (i < 0) qd[k] = Math.abs(values[k]);
  }
  s[charge] = qc;
  s[discharge] = qd;
  const src = s.columns[extra];
  s.columns[charge] = { ...src, note: "the mapped counter on rows of positive current, else 0" };
  s.columns[discharge] = { ...src, note: "the mapped counter on rows of negative current, else 0" };
  delete s.extras[extra];
  delete s.columns[extra];
}

/**
 * The {@link FormatParser} of one mapping (id `mapped_csv`), for `parseRecording` and the import
 * tools: it claims a file (confidence 1) whose first 64 KiB hold a line with every mapped title.
 *
 * @param mapping The mapping.
 * @returns The parser.
 *
 * @example Usage
 * ```ts
 * import { mappedCsvFormat } from "./mapped_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const parser = mappedCsvFormat({ columns: { time: "t", voltage: "U", current: "I" } });
 * equal(parser.detect(new TextEncoder().encode("t,U,I\n0,3,1\n"), "x.csv").confidence, 1);
 * equal(parser.detect(new TextEncoder().encode("a,b\n"), "x.csv").confidence, 0);
 * ```
 */
export function mappedCsvFormat(mapping: ColumnMapping): FormatParser {
  return {
    id: "mapped_csv",
    name: `Delimited file with a column mapping${mapping.name ? ` (${mapping.name})` : ""}`,
    instrument: mapping.name ?? "custom",
    extensions: [".csv", ".txt", ".tsv"],
    kind: "cycling",
    detect(head: Uint8Array, _fileName: string): Detection {
      const lines = splitLines(decodeHead(head));
      if (head.length >= 65536) lines.pop();
      return findHeader(lines, mapping, mapping.delimiter)
        ? { confidence: 1, reason: "a line holds every title of the column mapping" }
        : { confidence: 0, reason: "the column mapping's titles are not all in one line" };
    },
    parse: (bytes, options) => parseMappedCsv(bytes, { ...options, mapping }),
  };
}
