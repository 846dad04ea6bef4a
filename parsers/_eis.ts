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

/** Column provenance entry. */
export function column(original_name: string, original_unit: string, scale = 1): ColumnSource {
  return { original_name, original_unit, scale };
}

/** Throw a ParseError when a spectrum has no points. */
export function requirePoints(builder: SpectrumBuilder, fileName: string, where: string): void {
  if (builder.length === 0) {
    throw new ParseError(fileName, `no impedance data points found ${where}`);
  }
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
