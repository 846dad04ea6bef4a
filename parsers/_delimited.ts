// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private helpers for delimited instrument text (tab or comma separated): field splitting,
 * strict number parsing (decimal point or comma), clock strings and naive date-times.
 */

import { ParseError } from "./parse_error.ts";

/**
 * Split one line on a single-character delimiter, honouring double-quoted fields (`""` = `"`).
 * A quote opens a quoted field only at its start (after blanks); what follows the closing quote
 * up to the delimiter is kept as written. Fields are not trimmed.
 */
export function splitFields(line: string, delimiter: string): string[] {
  if (line.indexOf('"') < 0) return line.split(delimiter);
  const out: string[] = [];
  let field = "";
  let quoted = false, wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && !wasQuoted && field.trim() === "") {
      quoted = wasQuoted = true;
      field = "";
    } else if (c === delimiter) {
      out.push(field);
      field = "";
      wasQuoted = false;
    } else field += c;
  }
  out.push(field);
  return out;
}

/** A decimal number as instruments write it (`12`, `-1.5`, `.5`, `3.`, `1e-3`), nothing else. */
export const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A field that holds one {@link NUMBER}, possibly quoted and padded with blanks. */
export const NUMERIC_FIELD = /^\s*"?[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"?\s*$/;

/**
 * Parse a decimal number strictly. Empty fields and the instrument placeholders `N/A`, `NaN`,
 * `-` give `NaN`; anything else that is not a number gives `undefined` (the caller raises a
 * {@link ParseError} with the line). With `decimalComma`, `"0,017"` reads as 0.017.
 */
export function parseDecimal(text: string, decimalComma = false): number | undefined {
  let s = text.trim();
  if (s === "" || s === "N/A" || s === "NaN" || s === "nan" || s === "-") return NaN;
  if (decimalComma) s = s.replace(",", ".");
  return NUMBER.test(s) ? Number(s) : undefined;
}

/** Parse a number or throw a {@link ParseError} naming the file, line and column. */
export function numberAt(
  text: string,
  file: string,
  line: number,
  column: string,
  decimalComma = false,
): number {
  const v = parseDecimal(text, decimalComma);
  return v !== undefined ? v : badField(text, { file, line, column, expected: "a number" });
}

/** Throw the {@link ParseError} of a field that does not hold what its column should. */
export function badField(
  text: string,
  at: { file: string; line: number; column: string; expected: string },
): never {
  throw new ParseError(
    at.file,
    `line ${at.line}: "${text.slice(0, 40)}" in column "${at.column}" is not ${at.expected}`,
    { line: at.line },
  );
}

/**
 * Seconds of a clock duration: `"hh:mm:ss.fff"` (hours may exceed 24), `"mm:ss"`, or the Maccor
 * form `"3d 04:05:06.7"`. Returns `undefined` when the text is not such a duration.
 */
export function parseClockSeconds(text: string): number | undefined {
  const m = /^\s*(?:(\d+)d\s+)?(?:(\d+):)?(\d+):(\d+(?:\.\d*)?)\s*$/.exec(text);
  if (!m) return undefined;
  const days = m[1] ? Number(m[1]) : 0;
  const hours = m[2] ? Number(m[2]) : 0;
  const minutes = Number(m[3]);
  const seconds = Number(m[4]);
  if (minutes >= 60 && m[2] !== undefined) return undefined;
  if (seconds >= 60) return undefined;
  return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}

/** English month names, January first (for dates written with month names). */
export const MONTH_NAMES: readonly string[] = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** A wall-clock date and time without a time zone, as instruments write them. */
export interface NaiveDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Which order a slashed date uses. */
export type DateOrder = "mdy" | "dmy" | "ymd";

/**
 * Parse `"10/21/2019 23:59:59"` (order `mdy`), `"19.06.2023 17:56:53"` (`dmy`, dots or slashes),
 * `"2025-07-19 15:26:20"` / `"2025-07-19T15:26:20.5"` (ISO, any order argument), either form
 * optionally with ` AM`/` PM` (Novonix writes `"2022-04-11 10:58:07 AM"`). Returns `undefined` when the text is not such a date-time or a field is out
 * of range. A date without a time gives midnight.
 */
export function parseNaiveDateTime(text: string, order: DateOrder): NaiveDateTime | undefined {
  const s = text.trim();
  let m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(?:\s*([AaPp][Mm]))?)?$/
      .exec(s);
  let year: number, month: number, day: number;
  if (m) {
    const hour = twelveHour(Number(m[4] ?? 0), m[7]);
    if (hour === undefined) return undefined;
    return checked(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      hour,
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
    );
  }
  m =
    /^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(?:\s*([AaPp][Mm]))?)?$/
      .exec(s);
  if (!m) return undefined;
  const a = Number(m[1]), b = Number(m[2]), c = Number(m[3]);
  if (order === "ymd" || m[1].length === 4) [year, month, day] = [a, b, c];
  else if (order === "mdy") [year, month, day] = [c, a, b];
  else [year, month, day] = [c, b, a];
  if (m[3].length <= 2 && order !== "ymd" && m[1].length !== 4) year += year < 70 ? 2000 : 1900;
  const hour = twelveHour(Number(m[4] ?? 0), m[7]);
  if (hour === undefined) return undefined;
  return checked(year, month, day, hour, Number(m[5] ?? 0), Number(m[6] ?? 0));
}

/** 24-hour clock hour of `hour` with an optional `AM`/`PM`; `undefined` when out of range. */
function twelveHour(hour: number, meridiem: string | undefined): number | undefined {
  if (!meridiem) return hour;
  if (hour < 1 || hour > 12) return undefined;
  return (hour % 12) + (meridiem.toLowerCase() === "pm" ? 12 : 0);
}

function checked(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): NaiveDateTime | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (hour > 23 || minute > 59 || second >= 61) return undefined;
  const t = new Date(Date.UTC(year, month - 1, day));
  if (t.getUTCDate() !== day) return undefined;
  return { year, month, day, hour, minute, second };
}

/** Seconds since 1970-01-01 of a naive date-time read as if it were UTC (for differences). */
export function naiveSeconds(t: NaiveDateTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, 0) / 1000 + t.second;
}

/** ISO 8601 text without a zone offset: `2019-10-21T23:59:59` (fractions kept when present). */
export function naiveIso(t: NaiveDateTime): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const whole = Math.floor(t.second);
  const frac = t.second - whole;
  const fs = frac > 0 ? String(Math.round(frac * 1000) / 1000).slice(1) : "";
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(whole)}${fs}`;
}

/** Naive ISO text of `seconds` (as from {@link naiveSeconds}). */
export function isoFromNaiveSeconds(seconds: number): string {
  const d = new Date(Math.round(seconds * 1000));
  return naiveIso({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds() + d.getUTCMilliseconds() / 1000,
  });
}

/** Parse naive ISO text (as written by {@link naiveIso}) back to seconds, or `undefined`. */
export function naiveSecondsFromIso(iso: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/
    .exec(iso);
  if (!m) return undefined;
  const base = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  let s = base / 1000 + Number(m[6]);
  if (m[7] && m[7] !== "Z") {
    const sign = m[7][0] === "-" ? -1 : 1;
    const hh = Number(m[7].slice(1, 3)), mm = Number(m[7].slice(-2));
    s -= sign * (hh * 3600 + mm * 60);
  }
  return s;
}
