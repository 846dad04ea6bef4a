// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Helpers shared by the impedance-spectrum readers: number parsing with line numbers, column
 * collection and {@link Spectrum} assembly.
 */

import type { ColumnSource } from "../lib/model/cycling_series.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { ParseError } from "./parse_error.ts";

/** Parse one numeric field; a decimal comma is accepted when there is no decimal point. */
export function parseNumberField(
  text: string | undefined,
  fileName: string,
  line: number,
  what: string,
): number {
  if (text === undefined) {
    throw new ParseError(fileName, `line ${line}: ${what} is missing (row too short)`, { line });
  }
  const t = text.trim();
  let value = t === "" ? NaN : Number(t);
  if (Number.isNaN(value) && /^[-+]?\d+,\d*([eE][-+]?\d+)?$/.test(t)) {
    value = Number(t.replace(",", "."));
  }
  if (!Number.isFinite(value)) {
    throw new ParseError(fileName, `line ${line}: ${what} "${t}" is not a finite number`, {
      line,
    });
  }
  return value;
}

/** Growable columns of a spectrum read row by row. */
export class SpectrumBuilder {
  /** Frequencies, Hz. */
  readonly frequency: number[] = [];
  /** Real parts, Ω. */
  readonly real: number[] = [];
  /** Signed imaginary parts, Ω. */
  readonly imag: number[] = [];
  /** Extra per-point columns by normalized name. */
  readonly extras: Record<string, number[]> = {};

  /** Append one point (`imag` signed, capacitive negative) and its extras. */
  push(frequency: number, real: number, imag: number, extras: Record<string, number> = {}): void {
    this.frequency.push(frequency);
    this.real.push(real);
    this.imag.push(imag);
    for (const [k, v] of Object.entries(extras)) (this.extras[k] ??= []).push(v);
  }

  /** Number of points so far. */
  get length(): number {
    return this.frequency.length;
  }

  /** The finished spectrum. */
  build(columns: Record<string, ColumnSource>, sequence = 0, cycle?: number): Spectrum {
    const extras: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(this.extras)) extras[k] = Float64Array.from(v);
    const spectrum: Spectrum = {
      length: this.frequency.length,
      frequency_Hz: Float64Array.from(this.frequency),
      z_real_ohm: Float64Array.from(this.real),
      z_imag_ohm: Float64Array.from(this.imag),
      sequence,
      extras,
      columns,
    };
    if (cycle !== undefined) spectrum.cycle = cycle;
    return spectrum;
  }
}

/** One column of an impedance point table. */
export interface PointColumn {
  /** Destination: `frequency_Hz`, `z_real_ohm`, `z_imag_ohm`, or an extra (`time_s`, ...). */
  key: string;
  /** Field index in a row. */
  index: number;
  /** Column name as the file writes it (provenance). */
  name: string;
  /** Unit as the file writes it, or `""`. */
  unit: string;
  /** What error messages call the column. @default {name} */
  what?: string;
}

/** Options of {@link readPoints}. */
export interface PointTableOptions {
  /** File name for messages. */
  file: string;
  /** Splits one line into fields. */
  split: (line: string) => string[];
  /** The columns, in the order their values are parsed (an error names the first bad one). */
  columns: readonly PointColumn[];
  /**
   * Field count named in errors (`expected N`). A row must have exactly this many fields with
   * `exact`, otherwise enough to hold the frequency, real and imaginary columns.
   */
  fields: number;
  /** Rows must have exactly {@link fields} fields. @default {false} */
  exact?: boolean;
  /** A line that ends the table (it is not read); checked before blank lines are skipped. */
  stop?: (line: string) => boolean;
  /** Sees each row's fields once their count is checked. */
  row?: (fields: string[]) => void;
  /** Sees each frequency when parsed (with the 1-based line); `false` skips the rest of the row. */
  frequency?: (value: number, line: number) => boolean;
  /**
   * Where the points should be, for the `ParseError` of a table without any (`"after the
   * header"`). Without it an empty table is returned.
   */
  where?: string;
}

/** What {@link readPoints} read. */
export interface PointTable {
  /** The points. */
  builder: SpectrumBuilder;
  /** Provenance: frequency, real and imaginary parts, then the extras in column order. */
  columns: Record<string, ColumnSource>;
  /** Index of the line that ended the table (`lines.length` when the text did). */
  end: number;
  /** Rows skipped by the `frequency` hook. */
  skipped: number;
}

const MAIN = ["frequency_Hz", "z_real_ohm", "z_imag_ohm"];

/**
 * Read impedance points, one per non-blank line from `lines[start]` on, into a
 * {@link SpectrumBuilder}: every column parsed with {@link parseNumberField} (so a bad value is a
 * `ParseError` naming the line), a row of the wrong width is a `ParseError`.
 */
export function readPoints(
  lines: readonly string[],
  start: number,
  options: PointTableOptions,
): PointTable {
  const { file, split, columns, fields, exact = false } = options;
  const builder = new SpectrumBuilder();
  const main = columns.filter((c) => MAIN.includes(c.key));
  const widest = Math.max(...main.map((c) => c.index));
  let skipped = 0;
  let i = start;
  rows: for (; i < lines.length; i++) {
    const line = lines[i];
    if (options.stop?.(line)) break;
    if (line.trim() === "") continue;
    const f = split(line);
    const n = i + 1;
    if (exact ? f.length !== fields : f.length <= widest) {
      throw new ParseError(file, `line ${n} has ${f.length} fields, expected ${fields}`, {
        line: n,
      });
    }
    options.row?.(f);
    const point: Record<string, number> = {};
    const extras: Record<string, number> = {};
    for (const c of columns) {
      const v = parseNumberField(f[c.index], file, n, c.what ?? c.name);
      if (c.key === "frequency_Hz" && options.frequency && !options.frequency(v, n)) {
        skipped++;
        continue rows;
      }
      (MAIN.includes(c.key) ? point : extras)[c.key] = v;
    }
    builder.push(point.frequency_Hz, point.z_real_ohm, point.z_imag_ohm, extras);
  }
  if (options.where !== undefined && builder.length === 0) {
    throw new ParseError(file, `no impedance data points found ${options.where}`);
  }
  const sources: Record<string, ColumnSource> = {};
  for (const c of [...main.sort((a, b) => MAIN.indexOf(a.key) - MAIN.indexOf(b.key)), ...columns]) {
    sources[c.key] ??= column(c.name, c.unit);
  }
  return { builder, columns: sources, end: i, skipped };
}

/**
 * The columns of a ZView-style table (`Freq(Hz) Ampl Bias Time(Sec) Z'(a) Z''(b) ...`, written by
 * Autolab and ZPlot), given the field index of each (`time` −1 when absent).
 */
export function zviewColumns(
  names: readonly string[],
  at: { f: number; re: number; im: number; time: number },
): PointColumn[] {
  const columns: PointColumn[] = [
    { key: "frequency_Hz", index: at.f, name: names[at.f], unit: "Hz", what: "frequency" },
    { key: "z_real_ohm", index: at.re, name: names[at.re], unit: "", what: "Z'" },
    { key: "z_imag_ohm", index: at.im, name: names[at.im], unit: "", what: "Z''" },
  ];
  if (at.time >= 0) {
    columns.push({ key: "time_s", index: at.time, name: names[at.time], unit: "s", what: "time" });
  }
  return columns;
}

/** Column provenance entry. */
export function column(original_name: string, original_unit: string, scale = 1): ColumnSource {
  return { original_name, original_unit, scale };
}

/** Case-insensitive test of a text head for every marker. */
export function hasAll(text: string, markers: string[]): boolean {
  return markers.every((m) => text.includes(m));
}

/**
 * `M/D/YYYY` (or `M-D-YYYY`) date and `H:MM:SS` time to ISO 8601 local time without zone, or
 * `null` when either does not match. Instruments from US vendors write month first.
 */
export function usDateTime(date: string | undefined, time: string | undefined): string | null {
  const d = date?.trim().match(/^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/);
  const t = time?.trim().match(/^(\d{1,2}):(\d{2})(?::(\d{2}))?$/);
  if (!d || !t) return null;
  const pad = (s: string | undefined): string => (s ?? "0").padStart(2, "0");
  const month = Number(d[1]), day = Number(d[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return `${d[3]}-${pad(d[1])}-${pad(d[2])}T${pad(t[1])}:${pad(t[2])}:${pad(t[3])}`;
}
