// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Neware BTSDA CSV exports, in the two layouts BTSDA writes:
 * - the record table: one header line `DataPoint,Cycle Index,Step Index,Step Type,Time,Total
 *   Time,Current(A),Voltage(V),...` and one line per record;
 * - the nested cycle/step/record layout: three header lines (`Cycle Index,Chg. Cap.(Ah),...`,
 *   `,Step Index,Step Number,Step Type,...`, `,,DataPoint,Time,Total Time,...`), then cycle
 *   lines, step lines (first field empty) and record lines (first two fields empty).
 *
 * Column meanings and units: see `parsers/_neware_btsda.ts` and `docs/neware.md`.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { isBlank } from "./_columns.ts";
import { splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { NEWARE_STATES } from "./_neware_common.ts";
import { type BtsdaCell, type BtsdaRows, btsdaSeries, isBtsdaHeader } from "./_neware_btsda.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat, damageWarning } from "./_damage.ts";

const NESTED = [/^Cycle Index,/i, /^,Step Index,/i, /^,,DataPoint,/i];

function detect(head: Uint8Array, _fileName: string): Detection {
  const lines = splitLines(decodeHead(head).slice(0, 8192)).slice(0, 3);
  if (lines.length === 3 && NESTED.every((re, k) => re.test(lines[k]))) {
    return { confidence: 0.95, reason: "BTSDA cycle/step/record header lines" };
  }
  if (lines.length > 0 && isBtsdaHeader(splitFields(lines[0], ","))) {
    return { confidence: 0.95, reason: "BTSDA record header (DataPoint, Step Type, ...)" };
  }
  return { confidence: 0, reason: "" };
}

/**
 * The Neware BTSDA CSV reader. Current is positive on charge as BTSDA writes it; capacity and
 * energy counters are per step, taken as magnitudes; `step_index` counts the steps, the
 * schedule step (`Step Index`) and state (`Step Type`) go to `extras.step_program_index` and
 * `extras.step_type_code` (Neware codes, named in `meta.header.step_types`); `Date` gives
 * `start_time` (the PC's local time, no zone) and `extras.wall_clock_s`.
 *
 * @example Usage
 * ```ts
 * import { newareCsv } from "./neware_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "DataPoint,Cycle Index,Step Index,Step Type,Time,Total Time,Current(A)," +
 *   "Voltage(V),Chg. Cap.(Ah),DChg. Cap.(Ah),Date\n" +
 *   "1,1,1,Rest,00:00:00,00:00:00,0,3.5,0,0,2024-01-02 03:04:05\n" +
 *   "2,1,2,CC Chg,00:00:10,00:00:10,1,3.6,0.0027778,0,2024-01-02 03:04:15\n";
 * const bytes = new TextEncoder().encode(text);
 * equal(newareCsv.detect(bytes, "x.csv").confidence, 0.95);
 * const s = newareCsv.parse(bytes, { fileName: "x.csv" }).series!;
 * equal(s.time_s[1], 10);
 * equal(s.step_index[1], 2);
 * equal(s.extras.step_type_code[1], 1); // CC_Chg
 * equal(s.start_time, "2024-01-02T03:04:05");
 * ```
 */
export const newareCsv: FormatParser = checkedFormat("text", {
  id: "neware_csv",
  name: "Neware BTSDA CSV export",
  instrument: "Neware",
  extensions: [".csv"],
  kind: "cycling",
  detect,
  parse: parseNewareCsv,
});

function parseNewareCsv(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const nested = lines.length >= 3 && NESTED.every((re, k) => re.test(lines[k]));
  const warnings: string[] = [];
  const table = nested ? nestedRows(lines, file, warnings) : recordRows(lines, file, warnings);
  if (!isBtsdaHeader(table.header)) {
    throw new ParseError(
      file,
      "line 1 is not a BTSDA record header (expected DataPoint, Step Type, Current(...), " +
        "Voltage(...) and Total Time columns)",
      { line: 1 },
    );
  }
  if (table.rows.length === 0) {
    throw new ParseError(file, "no record lines after the header", { line: nested ? 4 : 2 });
  }
  const built = btsdaSeries(table, file);
  const s = built.series;
  const codes = new Set<number>();
  for (const c of s.extras.step_type_code ?? []) if (Number.isFinite(c)) codes.add(c);
  const header: Record<string, string> = { layout: nested ? "cycle/step/record" : "record" };
  if (codes.size > 0) {
    header.step_types = [...codes].sort((a, b) => a - b).map((c) => `${c}=${NEWARE_STATES[c]}`)
      .join("; ");
  }
  const meta = makeMeta(options, {
    format: "neware_csv",
    instrument: "Neware",
    format_version: `BTSDA CSV (${header.layout})`,
    start_time: s.start_time,
    techniques: ["Cycling"],
    header,
    warnings: [...warnings, ...built.warnings],
  });
  if (s.start_time) meta.warnings.push("dates are the PC's local time without a time zone");
  return { meta, series: s };
}

/** The record layout: one header line, then one record per line. */
function recordRows(lines: string[], file: string, warnings: string[]): BtsdaRows {
  const header = splitFields(lines[0] ?? "", ",");
  const rows: BtsdaCell[][] = [];
  const at: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const f = splitFields(lines[i], ",");
    if (f.length !== header.length) {
      if (cutShort(f.length, header.length, i, lines, rows.length, warnings)) break;
      throw new ParseError(
        file,
        `line ${i + 1} has ${f.length} fields, expected ${header.length}`,
        { line: i + 1 },
      );
    }
    rows.push(f);
    at.push(i + 1);
  }
  return { header, rows, lines: at, unit: "line" };
}

/** A cut-short last line is dropped with a warning (a file still being written). */
function cutShort(
  got: number,
  expected: number,
  i: number,
  lines: string[],
  kept: number,
  warnings: string[],
): boolean {
  let last = lines.length - 1;
  while (last > i && isBlank(lines[last])) last--;
  if (got < expected && i === last && kept > 0) {
    warnings.push(damageWarning(
      "truncated_last_line",
      `line ${i + 1} is cut short (${got} of ${expected} fields, file truncated?) and was dropped`,
    ));
    return true;
  }
  return false;
}

/**
 * The nested layout, flattened: each record gets the cycle of the last cycle line and the step
 * index, step number and step type of the last step line. A cycle line may carry the first step
 * line after its own fields.
 */
function nestedRows(lines: string[], file: string, warnings: string[]): BtsdaRows {
  const cycleHead = splitFields(lines[0], ",");
  const stepHead = splitFields(lines[1], ",");
  const recordHead = splitFields(lines[2], ",");
  const header = ["Cycle Index", "Step Index", "Step Number", "Step Type", ...recordHead.slice(2)];
  const rows: BtsdaCell[][] = [];
  const at: number[] = [];
  let cycle = "", stepIndex = "", stepNumber = "", stepType = "";
  const takeStep = (f: string[], from: number) => {
    [stepIndex, stepNumber, stepType] = [f[from], f[from + 1], f[from + 2]];
  };
  for (let i = 3; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const f = splitFields(lines[i], ",");
    if (f[0].trim() !== "") {
      cycle = f[0];
      if (f.length > cycleHead.length) takeStep(f, cycleHead.length);
    } else if ((f[1] ?? "").trim() !== "") {
      if (f.length !== stepHead.length) {
        throw new ParseError(
          file,
          `line ${i + 1} (a step line) has ${f.length} fields, expected ${stepHead.length}`,
          { line: i + 1 },
        );
      }
      takeStep(f, 1);
    } else {
      if (f.length !== recordHead.length) {
        if (cutShort(f.length, recordHead.length, i, lines, rows.length, warnings)) break;
        throw new ParseError(
          file,
          `line ${i + 1} (a record line) has ${f.length} fields, expected ${recordHead.length}`,
          { line: i + 1 },
        );
      }
      if (cycle === "" || stepIndex === "") {
        throw new ParseError(file, `line ${i + 1}: a record line before any cycle or step line`, {
          line: i + 1,
        });
      }
      rows.push([cycle, stepIndex, stepNumber, stepType, ...f.slice(2)]);
      at.push(i + 1);
    }
  }
  return { header, rows, lines: at, unit: "line" };
}
