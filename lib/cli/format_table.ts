// Copyright 2026 the battery-analysis authors. MIT license.

/** A table cell: text, a number, or `null` (printed empty). */
export type Cell = string | number | null;

/**
 * A plain-text table, one string per line: a header, a rule, the rows. Columns whose values all
 * look like numbers (or are empty) are right-aligned, the others left-aligned.
 *
 * @param headers Column titles.
 * @param rows The rows, one cell per column.
 * @returns The lines.
 *
 * @example Usage
 * ```ts
 * import { formatTable } from "./format_table.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(formatTable(["Cell", "mAh"], [["CN1", "1.500"], ["CN12", null]]), [
 *   "Cell    mAh",
 *   "----  -----",
 *   "CN1   1.500",
 *   "CN12",
 * ]);
 * ```
 */
export function formatTable(headers: string[], rows: Cell[][]): string[] {
  const cells = rows.map((r) => headers.map((_, i) => (r[i] === null ? "" : String(r[i]))));
  const numberLike = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?$/;
  const numeric = headers.map((_, i) =>
    cells.some((r) => r[i] !== "") && cells.every((r) => r[i] === "" || numberLike.test(r[i]))
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
}

/**
 * CSV text: a header row and the rows, lines separated by `\n` (no final line end); a field is
 * quoted when it holds a comma, a quote or a line break; `null` is an empty field.
 *
 * @param headers Column names.
 * @param rows The rows.
 * @returns The CSV text.
 *
 * @example Usage
 * ```ts
 * import { toCsv } from "./format_table.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(toCsv(["name", "mAh"], [['a,"b"', 1.5], ["c", null]]), 'name,mAh\n"a,""b""",1.5\nc,');
 * ```
 */
export function toCsv(headers: string[], rows: Cell[][]): string {
  const field = (v: Cell): string => {
    const s = v === null ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers, ...rows].map((r) => r.map(field).join(",")).join("\n");
}
