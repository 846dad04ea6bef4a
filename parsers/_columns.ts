// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Private helpers shared by the column-table parsers (Maccor, Novonix, Basytec, PEC, BDF, ...). */

import type { ColumnSource, CyclingSeries } from "../lib/model/cycling_series.ts";
import { badField } from "./_delimited.ts";
import { integrateMissingCounters } from "./_series.ts";

/** A {@link ColumnSource} for a column read as written (optionally scaled). */
export function source(originalName: string, unit: string, scale = 1, note?: string): ColumnSource {
  const s: ColumnSource = { original_name: originalName, original_unit: unit, scale };
  if (note) s.note = note;
  return s;
}

/** Index of the first header field equal (trimmed, case-insensitive) to one of `names`, or -1. */
export function findColumn(header: readonly string[], ...names: string[]): number {
  const wanted = names.map((n) => n.toLowerCase());
  for (let i = 0; i < header.length; i++) {
    if (wanted.includes(header[i].trim().toLowerCase())) return i;
  }
  return -1;
}

/** Parse an integer counter (`"37"`, `"37.0"`); `undefined` when not a whole number. */
export function parseCounter(text: string, decimalComma = false): number | undefined {
  let s = text.trim();
  if (decimalComma) s = s.replace(",", ".");
  if (!/^[+-]?\d+(?:\.0*)?$/.test(s)) return undefined;
  const v = Number(s);
  return Math.abs(v) <= 2147483647 ? v : undefined;
}

/** Parse an integer counter or throw a {@link ParseError} naming the line and column. */
export function counterAt(
  text: string,
  file: string,
  line: number,
  column: string,
  decimalComma = false,
): number {
  const v = parseCounter(text, decimalComma);
  return v !== undefined ? v : badField(text, { file, line, column, expected: "a whole number" });
}

/**
 * Number of data lines from `start` (0-based) on, ignoring blank lines and lines holding only
 * delimiters; used to pre-size the columns.
 */
export function countDataLines(lines: readonly string[], start: number): number {
  let n = 0;
  for (let i = start; i < lines.length; i++) if (!isBlank(lines[i])) n++;
  return n;
}

/** A line that holds nothing but whitespace, tabs, commas or semicolons. */
export function isBlank(line: string): boolean {
  return /^[\s,;]*$/.test(line);
}

/** Index of the last non-blank line, or -1. */
export function lastDataLine(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (!isBlank(lines[i])) return i;
  return -1;
}

/**
 * Turn counters that reset (a drop to a lower value) into running totals over the whole series:
 * each drop adds the value held just before it. Non-finite values are carried as they are and do
 * not break the running total.
 */
export function accumulateResets(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let offset = 0;
  let last = NaN;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) {
      out[k] = v;
      continue;
    }
    if (Number.isFinite(last) && v < last) offset += last;
    out[k] = v + offset;
    last = v;
  }
  return out;
}

/**
 * Count the rows where exactly one capacity counter grows while current flows: `agree` when the
 * charge counter grows under positive current or the discharge counter under negative current,
 * `disagree` otherwise.
 */
export function currentSignAgreement(series: CyclingSeries): { agree: number; disagree: number } {
  const { current_A: i, charge_capacity_Ah: qc, discharge_capacity_Ah: qd } = series;
  let agree = 0, disagree = 0;
  for (let k = 1; k < series.length; k++) {
    const dc = qc[k] - qc[k - 1], dd = qd[k] - qd[k - 1];
    if (!(Math.abs(i[k]) > 0)) continue;
    if (dc > 0 && !(dd > 0)) i[k] > 0 ? agree++ : disagree++;
    else if (dd > 0 && !(dc > 0)) i[k] < 0 ? agree++ : disagree++;
  }
  return { agree, disagree };
}

/**
 * Warn when the sign of current disagrees with the capacity counters: rows where the charge
 * counter grows should have positive current, rows where the discharge counter grows negative.
 * Returns a warning text, or `null` when consistent (or when there is too little to judge).
 */
export function currentSignWarning(series: CyclingSeries): string | null {
  const { agree, disagree } = currentSignAgreement(series);
  if (disagree > 0 && disagree >= agree) {
    return `current sign disagrees with the capacity counters on ${disagree} of ${
      agree + disagree
    } rows (expected positive while charging); check the export settings`;
  }
  return null;
}

/**
 * Finish the counters of a series read from a table: check the sign of current against the
 * counters the file gave ({@link currentSignWarning}), then fill the counters it lacks from
 * current and time (`integrateMissingCounters`), as the model requires of every parser.
 * Returns the warnings for `meta.warnings`: the columns filled, then the sign warning if any.
 */
export function finishCounters(series: CyclingSeries): string[] {
  const sign = currentSignWarning(series);
  const warnings = integrateMissingCounters(series);
  if (sign) warnings.push(sign);
  return warnings;
}
