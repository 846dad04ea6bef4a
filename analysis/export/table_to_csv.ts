// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { ExportTable } from "./export_table.ts";
import { cell, checkTable } from "./_cells.ts";

/** Options of {@link tableToCsv}. */
export interface TableToCsvOptions {
  /** Line ending. @default {"\n"} */
  lineEnding?: "\n" | "\r\n";
}

/** A text field: quoted when it holds a comma, quote or line break; formula-like text guarded. */
function textField(s: string): string {
  // A spreadsheet runs text starting with these as a formula: keep it text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Write a table as CSV text: a header row of the column names, then one row per table row,
 * comma separated; numbers in shortest round-trip form (`0.1`, `1e-7`), booleans `true` /
 * `false`, missing values empty; text quoted when it holds a comma, a quote or a line break, and
 * text a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) prefixed with `'`.
 * Every line ends with the line ending.
 *
 * @param table The table (`cycleExportTable(...)`, ...).
 * @param options Line ending.
 * @returns The CSV text.
 * @throws {RangeError} For a column whose length differs from the table's.
 *
 * @example
 * ```ts
 * import { tableToCsv } from "./table_to_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const csv = tableToCsv({
 *   name: "t", length: 2, metadata: {},
 *   columns: [
 *     { name: "cycle", type: "int32", values: [1, 2] },
 *     { name: "capacity_mAh", type: "float64", values: [1.5, NaN] },
 *     { name: "role", type: "string", values: ["counted", "cut_off, last"] },
 *   ],
 * });
 * equal(csv, 'cycle,capacity_mAh,role\n1,1.5,counted\n2,,"cut_off, last"\n');
 * ```
 */
export function tableToCsv(table: ExportTable, options: TableToCsvOptions = {}): string {
  checkTable(table, "CSV");
  const eol = options.lineEnding ?? "\n";
  if (eol !== "\n" && eol !== "\r\n") {
    throw new TypeError(`Cannot write CSV: lineEnding must be "\\n" or "\\r\\n"`);
  }
  const columns = table.columns;
  const lines: string[] = [columns.map((c) => textField(c.name)).join(",")];
  const row = new Array<string>(columns.length);
  for (let r = 0; r < table.length; r++) {
    for (let j = 0; j < columns.length; j++) {
      const v = cell(columns[j], r);
      row[j] = v === null ? "" : typeof v === "string" ? textField(v) : String(v);
    }
    lines.push(row.join(","));
  }
  return lines.join(eol) + eol;
}
