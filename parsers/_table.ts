// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private reader for one-header-line column tables (Novonix, Basytec, PEC, Battery Archive,
 * BDF): maps instrument columns onto a {@link CyclingSeries} with scale factors, checks every
 * line's field count, and drops a cut-short last line with a warning.
 */

import type { CyclingColumn, CyclingSeries } from "../lib/model/cycling_series.ts";
import { countDataLines, counterAt, isBlank, lastDataLine, source } from "./_columns.ts";
import {
  badField,
  type DateOrder,
  isoFromNaiveSeconds,
  naiveSeconds,
  numberAt,
  parseClockSeconds,
  parseNaiveDateTime,
  splitFields,
} from "./_delimited.ts";
import { allocSeries, truncateSeries } from "./_series.ts";
import { ParseError } from "./parse_error.ts";
import { damageWarning, rowsBeforeHeader } from "./_damage.ts";

/** Where a column goes. */
export type Target =
  | CyclingColumn
  | "temperature_C"
  | "step_index"
  | "cycle_index"
  | `extras.${string}`;

/** One instrument column read into the series. */
export interface Mapping {
  /** Column index in the header. */
  index: number;
  /** Destination. */
  target: Target;
  /** Unit as written. */
  unit: string;
  /** Factor to the normalized unit. @default {1} */
  scale?: number;
  /** `"clock"` for `hh:mm:ss.fff` durations (seconds); counters are parsed as whole numbers. */
  kind?: "number" | "clock";
  /** Take the absolute value (counters some instruments write negative for discharge). */
  abs?: boolean;
  /** Provenance note. */
  note?: string;
}

/** Options of {@link readTable}. */
export interface TableOptions {
  /** File name for messages. */
  file: string;
  /** Field delimiter. */
  delimiter: string;
  /** Numbers are written with a decimal comma. @default {false} */
  decimalComma?: boolean;
  /**
   * A date-time column giving the wall clock, and its slashed-date order. The series then gets
   * `start_time` (the first date) and the extra `wall_clock_s` (seconds since it).
   */
  dateTime?: { index: number; order: DateOrder };
}

/** What {@link readTable} returns. */
export interface Table {
  series: CyclingSeries;
  /** Repairs made (a cut-short last line dropped). */
  warnings: string[];
}

/**
 * Read the data lines after the header at `headerIndex` (0-based) into a series.
 */
export function readTable(
  lines: readonly string[],
  headerIndex: number,
  header: readonly string[],
  mappings: readonly Mapping[],
  options: TableOptions,
): Table {
  const { file, delimiter } = options;
  const start = headerIndex + 1;
  const capacity = countDataLines(lines, start);
  const s = allocSeries(capacity);
  const extraArrays: Record<string, Float64Array> = {};
  for (const m of mappings) {
    if (m.target.startsWith("extras.")) {
      extraArrays[m.target.slice(7)] = new Float64Array(capacity).fill(NaN);
    } else if (m.target === "temperature_C") {
      s.temperature_C = new Float64Array(capacity).fill(NaN);
    }
  }
  const wall = options.dateTime ? new Float64Array(capacity).fill(NaN) : null;
  const warnings: string[] = [];
  const early = rowsBeforeHeader(
    lines,
    { index: headerIndex, width: header.length },
    (line) => splitFields(line, delimiter),
  );
  if (early) warnings.push(early);
  const last = lastDataLine(lines);
  const expected = header.length;
  let n = 0;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const lineNo = i + 1;
    const f = splitFields(line, delimiter);
    if (f.length !== expected) {
      if (f.length < expected && i === last && n > 0) {
        warnings.push(damageWarning(
          "truncated_last_line",
          `line ${lineNo} is cut short (${f.length} of ${expected} fields, file truncated?) and was dropped`,
        ));
        break;
      }
      throw new ParseError(file, `line ${lineNo} has ${f.length} fields, expected ${expected}`, {
        line: lineNo,
      });
    }
    for (const m of mappings) {
      const text = f[m.index];
      const name = header[m.index];
      if (m.target === "step_index" || m.target === "cycle_index") {
        s[m.target][n] = counterAt(text, file, lineNo, name, options.decimalComma);
        continue;
      }
      let v: number;
      if (m.kind === "clock") {
        const c = parseClockSeconds(text);
        if (c !== undefined) v = c;
        else if (text.trim() === "") v = NaN;
        else badField(text, { file, line: lineNo, column: name, expected: "a duration" });
      } else v = numberAt(text, file, lineNo, name, options.decimalComma);
      v *= m.scale ?? 1;
      if (m.abs) v = Math.abs(v);
      if (m.target.startsWith("extras.")) extraArrays[m.target.slice(7)][n] = v;
      else {(s[
          m.target as Exclude<Target, `extras.${string}` | "step_index" | "cycle_index">
        ] as Float64Array)[n] = v;}
    }
    if (wall && options.dateTime) {
      const text = f[options.dateTime.index].trim();
      if (text !== "") {
        const t = parseNaiveDateTime(text, options.dateTime.order);
        if (!t) {
          throw new ParseError(file, `line ${lineNo}: "${text.slice(0, 40)}" is not a date-time`, {
            line: lineNo,
          });
        }
        wall[n] = naiveSeconds(t);
      }
    }
    n++;
  }
  if (n === 0) {
    throw new ParseError(file, `no data rows after the column header on line ${headerIndex + 1}`, {
      line: headerIndex + 2,
    });
  }
  const series = truncateSeries(s, n);
  for (const [k, a] of Object.entries(extraArrays)) series.extras[k] = a.slice(0, n);
  for (const m of mappings) {
    const key = m.target.startsWith("extras.") ? m.target.slice(7) : m.target;
    series.columns[key] = source(header[m.index].trim(), m.unit, m.scale ?? 1, m.note);
  }
  const w0 = wall?.find((w, k) => k < n && Number.isFinite(w));
  if (wall && w0 !== undefined && options.dateTime) {
    series.extras.wall_clock_s = wall.slice(0, n).map((w) => w - w0);
    series.columns.wall_clock_s = source(
      header[options.dateTime.index].trim(),
      "date-time",
      1,
      "seconds since the first row",
    );
    series.start_time = isoFromNaiveSeconds(w0);
  }
  return { series, warnings };
}

/** Find the column whose trimmed name matches `pattern`; returns index and the unit group. */
export function matchColumn(
  header: readonly string[],
  pattern: RegExp,
): { index: number; unit: string } | null {
  for (let i = 0; i < header.length; i++) {
    const m = pattern.exec(header[i].trim());
    if (m) return { index: i, unit: m.groups?.unit ?? m[1] ?? "" };
  }
  return null;
}
