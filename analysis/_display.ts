// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** The symbol Jupyter (Deno kernel) calls to get a MIME bundle: `Deno.jupyter.$display`. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A Jupyter MIME bundle. */
export interface MimeBundle {
  /** Plain-text fallback. */
  "text/plain": string;
  /** HTML rendering (tables). */
  "text/html"?: string;
  /** A Vega-Lite v5 specification (plots). */
  "application/vnd.vegalite.v5+json"?: Record<string, unknown>;
  /** JSON data. */
  "application/json"?: unknown;
}

/**
 * Escape text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { escapeHtml } from "./_display.ts";
 * equal(escapeHtml(`<b title="x">R&D</b>`), "&lt;b title=&quot;x&quot;&gt;R&amp;D&lt;/b&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  );
}

/** A column of {@link htmlTable}. */
export interface TableColumn {
  /** Property of each row. */
  key: string;
  /** Header text (defaults to the key). */
  label?: string;
  /** Significant digits for numbers. @default {4} */
  digits?: number;
}

/**
 * Format a number for tables: significant digits, exponent notation below 1e-3 and from 1e6,
 * integers as they are, `—` for null/NaN; anything else as `String(value)`.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { formatNumber } from "./_display.ts";
 * deepEqual([0.123456, 2.5e-5, 36, null].map((v) => formatNumber(v)), [
 *   "0.1235",
 *   "2.500e-5",
 *   "36",
 *   "—",
 * ]);
 * ```
 */
export function formatNumber(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "—" : String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** Options of {@link htmlTable} and {@link textTable}. */
export interface TableOptions {
  /**
   * Show at most this many rows: a longer table shows its first and last `maxRows / 2` rows
   * around a row saying how many were left out (as pandas does), so a notebook output of a
   * 5000-cycle test stays small. @default {Infinity}
   */
  maxRows?: number;
}

/** The rows to show: all, or the head and tail around the number left out. */
function elide<T>(
  rows: readonly T[],
  maxRows = Infinity,
): { head: T[]; omitted: number; tail: T[] } {
  if (!(maxRows >= 2)) throw new RangeError(`maxRows must be ≥ 2, got ${maxRows}`);
  if (rows.length <= maxRows) return { head: [...rows], omitted: 0, tail: [] };
  const half = Math.floor(maxRows / 2);
  return {
    head: rows.slice(0, half),
    omitted: rows.length - 2 * half,
    tail: rows.slice(rows.length - half),
  };
}

/** The text of the row standing for the rows left out. */
function omittedText(omitted: number): string {
  return `… ${omitted} more row${omitted === 1 ? "" : "s"} …`;
}

/**
 * An HTML table of rows (all text escaped, numbers by {@link formatNumber}).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { htmlTable } from "./_display.ts";
 * equal(
 *   htmlTable([{ cycle: 1, ce: 0.99 }], [{ key: "cycle" }, { key: "ce", label: "CE" }]),
 *   "<table><thead><tr><th>cycle</th><th>CE</th></tr></thead>" +
 *     "<tbody><tr><td>1</td><td>0.99</td></tr></tbody></table>",
 * );
 * ```
 */
export function htmlTable(
  rows: readonly Record<string, unknown>[],
  columns: TableColumn[],
  options: TableOptions = {},
): string {
  const head = columns.map((c) => `<th>${escapeHtml(c.label ?? c.key)}</th>`).join("");
  const tr = (row: Record<string, unknown>): string =>
    `<tr>${
      columns.map((c) => `<td>${escapeHtml(formatNumber(row[c.key], c.digits ?? 4))}</td>`).join("")
    }</tr>`;
  const shown = elide(rows, options.maxRows);
  const body = shown.head.map(tr).join("") +
    (shown.omitted > 0
      ? `<tr><td colspan="${columns.length}">${omittedText(shown.omitted)}</td></tr>`
      : "") +
    shown.tail.map(tr).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * A fixed-width text table of rows, for terminals and `text/plain`: right-aligned columns two
 * spaces apart, numbers by {@link formatNumber}.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { textTable } from "./_display.ts";
 * equal(
 *   textTable([{ cycle: 1, ce: 0.99 }, { cycle: 10, ce: null }], [{ key: "cycle" }, { key: "ce" }]),
 *   "cycle    ce\n    1  0.99\n   10     —",
 * );
 * ```
 */
export function textTable(
  rows: readonly Record<string, unknown>[],
  columns: TableColumn[],
  options: TableOptions = {},
): string {
  const shown = elide(rows, options.maxRows);
  const format = (row: Record<string, unknown>): string[] =>
    columns.map((c) => formatNumber(row[c.key], c.digits ?? 4));
  const head = shown.head.map(format), tail = shown.tail.map(format);
  const widths = columns.map((c, i) =>
    Math.max(
      (c.label ?? c.key).length,
      ...head.map((r) => r[i].length),
      ...tail.map((r) => r[i].length),
    )
  );
  const line = (values: string[]): string =>
    values.map((v, i) => v.padStart(widths[i])).join("  ").trimEnd();
  return [
    line(columns.map((c) => c.label ?? c.key)),
    ...head.map(line),
    ...(shown.omitted > 0 ? [omittedText(shown.omitted)] : []),
    ...tail.map(line),
  ].join("\n");
}

/**
 * The MIME bundle of a result shown as a one-line summary over a table, with a plot: the same
 * summary and table as text and as HTML.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { summaryTableBundle } from "./_display.ts";
 * const b = summaryTableBundle("2 peaks", [{ v: 3.4 }, { v: 3.5 }], [{ key: "v" }], {});
 * equal(b["text/plain"], "2 peaks\n  v\n3.4\n3.5");
 * ```
 */
export function summaryTableBundle(
  summary: string,
  rows: readonly Record<string, unknown>[],
  columns: TableColumn[],
  spec: Record<string, unknown>,
): MimeBundle {
  return {
    "text/plain": `${summary}\n${textTable(rows, columns)}`,
    "text/html": `<p>${escapeHtml(summary)}</p>${htmlTable(rows, columns)}`,
    "application/vnd.vegalite.v5+json": spec,
  };
}
