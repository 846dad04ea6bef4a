// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { Recording } from "../lib/model/file_meta.ts";
import {
  arbinDateToIso,
  buildArbinSeries,
  hasArbinColumns,
  planArbinColumns,
} from "./_arbin_columns.ts";
import {
  guessDelimiter,
  nonFiniteWarnings,
  readNumericCsv,
  splitFields,
  truncatedWarning,
} from "./_csv_numeric.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { extensionOf, headLines } from "./_text.ts";
import type { ArbinMetadata } from "./arbin_metadata_csv.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { checkedRead } from "./_damage.ts";
import type { ByteSource } from "./byte_source.ts";

/** Options of {@link parseArbinCsv}. */
export interface ArbinCsvOptions extends ParseOptions {
  /**
   * The BEEP/MITS Pro `*_Metadata.csv` sidecar of this file, read with
   * `parseArbinMetadataCsv`; its fields go into `meta.header`, and its device, schedule and
   * start time into `meta`. @default {none}
   */
  metadata?: ArbinMetadata;
}

/**
 * Read an Arbin CSV export: MITS Pro 8 `*_Wb_<n>.CSV` (UTF-8 BOM, `Date_Time,Test Time (s),...`),
 * MITS Pro 7 / BEEP style (`Data_Point,Test_Time,DateTime,...`, no units, Unix `DateTime`) and
 * newer exports with `Data Point,Date Time,...,Aux_Temperature_1 (C)`. Columns are mapped by
 * name and converted to SI units (see `docs/arbin.md`); the instrument's counters (cycle and
 * step index, cumulative capacities) are kept as they are. Arbin current is already positive on
 * charge. `start_time` is the first row's `Date_Time` as local time without offset.
 *
 * `Step_Index` or `Cycle_Index` empty on every row (some exports leave them blank) is read as
 * absent, with a warning: cycles then come from the current sign.
 *
 * A truncated last line (fewer fields, no line end) is left out with a warning; `inf`/`nan`
 * values become `NaN` with a warning; any other bad row is a `ParseError` with its line.
 *
 * @param bytes The whole file, or a {@link ByteSource} (read in chunks, never whole).
 * @param options File name, naming rule and the optional metadata sidecar.
 * @returns The recording.
 * @throws {ParseError} For a file that is not a readable Arbin CSV export.
 *
 * @example Usage
 * ```ts
 * import { parseArbinCsv } from "./arbin_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "\uFEFFDate_Time,Test Time (s),Step Time (s),Cycle Index,Step Index," +
 *   "Voltage (V),Current (mA),Charge Capacity (Ah),Discharge Capacity (Ah)\r\n" +
 *   "05/01/2024 10:00:01.001,1.0,1.0,1,1,3.5,1100,0.0,0.0\r\n" +
 *   "05/01/2024 10:00:11.001,11.0,11.0,1,1,3.6,1100,0.00306,0.0\r\n";
 * const recording = parseArbinCsv(new TextEncoder().encode(text), {
 *   fileName: "cell_Channel_3_Wb_1.CSV",
 * });
 * const series = recording.series!;
 * equal(series.length, 2);
 * equal(series.current_A[0], 1.1); // mA converted to A
 * equal(series.columns.current_A.original_unit, "mA");
 * equal(series.start_time, "2024-05-01T10:00:01.001");
 * equal(recording.meta.channel, 3);
 * ```
 */
export function parseArbinCsv(
  bytes: Uint8Array | ByteSource,
  options: ArbinCsvOptions,
): Recording {
  return checkedRead(bytes, { ...options, text: true, read: readArbinCsv });
}

function readArbinCsv(bytes: Uint8Array | ByteSource, options: ArbinCsvOptions): Recording {
  const file = options.fileName;
  let plans: ReturnType<typeof planArbinColumns> = [];
  const csv = readNumericCsv(bytes, {
    fileName: file,
    isHeader: (fields) => hasArbinColumns(fields),
    maxHeaderLine: 50,
    kinds: (header, firstRow) => {
      plans = planArbinColumns(header, firstRow.length > 0 ? firstRow : null, file);
      // A counter left empty on the first row is read as floats (empty → NaN) and checked below.
      return plans.map((p) =>
        p.role === "counter" && firstRow.length > 0 && (firstRow[p.index] ?? "").trim() === ""
          ? "float"
          : p.kind
      );
    },
  });
  const warnings: string[] = [];
  const dropped = emptyCounters(plans, csv, { file, warnings });
  plans = plans.filter((p) => !dropped.includes(p));
  const dateColumn = plans.find((p) => p.role === "date");
  let startTime: string | null = null;
  if (dateColumn && csv.firstRow) {
    const text = csv.firstRow[dateColumn.index] ?? "";
    startTime = arbinDateToIso(text);
    if (startTime === null && text !== "") {
      warnings.push(
        `line ${csv.firstRowLine}: "${dateColumn.original_name}" value "${text}" is not a date; start_time unknown`,
      );
    }
  }
  const built = buildArbinSeries(plans, csv.columns, csv.length, {
    file,
    startTime,
    headerLine: csv.headerLine,
  });
  const absent = new Set(dropped.map((p) => `no ${p.target} column: set to 0`));
  warnings.push(...built.warnings.filter((w) => !absent.has(w)));
  warnings.push(...nonFiniteWarnings(csv));
  if (csv.truncated) warnings.push(truncatedWarning(csv.truncated, csv.header.length));
  const meta = makeMeta(options, {
    format: "arbin_csv",
    instrument: "Arbin",
    start_time: startTime,
    warnings,
  });
  if (csv.preamble.length > 0) {
    csv.preamble.forEach((fields, i) => {
      if (fields.some((f) => f !== "")) meta.header[`line_${i + 1}`] = fields.join(", ");
    });
  }
  const md = options.metadata;
  if (md) {
    for (const [k, v] of Object.entries(md.fields)) meta.header[k] = v;
    if (md.device) meta.device = md.device;
    if (md.start_time) meta.start_time = md.start_time;
  }
  return { meta, series: built.series };
}

/**
 * Counters (`Cycle_Index`, `Step_Index`) whose first row was empty were read as floats. Empty on
 * every row: the column is left out (as if absent: set to 0, so cycles come from the current
 * sign) with a warning, and its plan returned for the caller to drop. Filled on every row after all: converted to integers. Empty on some rows
 * only: a `ParseError` naming the first empty line (a counter with holes cannot be trusted).
 */
function emptyCounters(
  plans: ReturnType<typeof planArbinColumns>,
  csv: ReturnType<typeof readNumericCsv>,
  context: { file: string; warnings: string[] },
): ReturnType<typeof planArbinColumns> {
  const { file, warnings } = context;
  const dropped: ReturnType<typeof planArbinColumns> = [];
  for (const plan of plans) {
    const column = csv.columns[plan.index];
    if (plan.role !== "counter" || !(column instanceof Float64Array)) continue;
    let empty = 0;
    for (let k = 0; k < csv.length; k++) if (Number.isNaN(column[k])) empty++;
    if (empty === csv.length) {
      warnings.push(
        `column "${plan.original_name}" is empty on every row: not read (set to 0)` +
          (plan.target === "cycle_index" ? "; cycles come from the current sign" : ""),
      );
      dropped.push(plan);
      csv.columns[plan.index] = null;
      continue;
    }
    if (empty > 0) {
      let k = 0;
      while (Number.isNaN(column[k])) k++;
      throw new ParseError(
        file,
        `line ${csv.firstRowLine}: column "${plan.original_name}" is empty on ${empty} of ` +
          `${csv.length} rows but holds ${column[k]} in data row ${k + 1}`,
        { line: csv.firstRowLine },
      );
    }
    const ints = new Int32Array(csv.length);
    for (let k = 0; k < csv.length; k++) ints[k] = Math.round(column[k]);
    csv.columns[plan.index] = ints;
    plan.kind = "int";
  }
  return dropped;
}

/**
 * Rate a file as an Arbin CSV export: the header line (within the first lines) has Arbin's
 * `Test Time`, `Cycle Index`, `Step Index`, `Voltage` and `Current` columns (any of the
 * spellings); the `.csv` extension alone is not enough.
 */
function detectArbinCsv(head: Uint8Array, fileName: string): Detection {
  const lines = headLines(head).slice(0, 50);
  if (head.length >= 65536) lines.pop(); // possibly cut
  for (const line of lines) {
    const fields = splitFields(line, guessDelimiter(line));
    if (hasArbinColumns(fields)) {
      const ext = extensionOf(fileName) === ".csv" ? ", .csv extension" : "";
      return {
        confidence: ext ? 0.95 : 0.9,
        reason: `Arbin header (Test Time, Cycle Index, Step Index, Voltage, Current)${ext}`,
      };
    }
  }
  return { confidence: 0, reason: "no Arbin header line" };
}

/** The Arbin CSV format for the registry. */
export const arbinCsv: FormatParser = {
  id: "arbin_csv",
  name: "Arbin CSV export",
  instrument: "Arbin",
  extensions: [".csv"],
  kind: "cycling",
  detect: detectArbinCsv,
  parse: (bytes, options) => parseArbinCsv(bytes, options),
  parseSource: (source, options) => parseArbinCsv(source, options),
};
