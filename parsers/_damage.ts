// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private: damaged input is never silently good (issue 12). Every reader's `parse` runs through
 * {@link checkedRead}, the one place where these checks live:
 *
 * - **text readers**, before parsing: runs of zero bytes (NUL: blocks a crash left allocated but
 *   unwritten) — the lines holding them are blanked (same length, so line numbers and byte
 *   offsets stay right) and reported; a **last line without a line end** — compared with the lines
 *   before it ({@link lastLineCheck}): cut short (fewer fields, or a last value shorter than the
 *   column's fixed form, `-2.751082138962` among `-2.842018738411917524e-03`) it is left out;
 *   when its form cannot be checked it is kept; either way with a warning;
 * - **text readers**, when parsing fails on a line that repeats an earlier line (the header of a
 *   file concatenated with itself, a block written twice): the repeated lines are blanked with a
 *   warning and the file is read again;
 * - **every reader**, after parsing: test time going backwards (rows swapped or written twice),
 *   a spectrum whose frequency sweep turns back, or whose time goes backwards.
 *
 * Warnings start with a data-quality flag code and a colon (`truncated_last_line: …`), so that
 * `analyzeTest` raises that flag instead of the generic `parser_warning` (see
 * {@link DAMAGE_CODES}). A `ParseError` raised after a repair names the repair too.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import type { FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";

/**
 * Codes that start the warnings of this module; each is a flag code of `analyzeTest`
 * (`FLAG_CODES` in `analysis/_quality_flags.ts`, documented in `docs/analysis.md`).
 */
export const DAMAGE_CODES = [
  "truncated_last_line",
  "nul_bytes",
  "repeated_header",
  "time_not_monotonic",
  "rows_out_of_order",
  "row_count_mismatch",
] as const;

/** One of {@link DAMAGE_CODES}. */
export type DamageCode = typeof DAMAGE_CODES[number];

/** A warning that raises the flag `code`: `"<code>: <message>"`. */
export function damageWarning(code: DamageCode, message: string): string {
  return `${code}: ${message}`;
}

/**
 * The warning of a file that states how many rows (points, records) it holds but holds another
 * number.
 *
 * @param what What is counted, plural (`"points"`).
 * @param stated The number the file states, and where (`"the ZCURVE table header"`).
 * @param found How many were read.
 */
export function countMismatchWarning(
  what: string,
  stated: { count: number; where: string },
  found: number,
): string {
  return damageWarning(
    "row_count_mismatch",
    `${stated.where} states ${stated.count} ${what}, the file holds ${found}` +
      (found < stated.count ? " (rows lost: truncated or damaged file?)" : ""),
  );
}

const LF = 10, CR = 13, SPACE = 32;
const DIGIT = /\d/;

/**
 * The warning for data rows found before a table's column header (lines swapped or out of
 * order: they are not read), or `null`. A line is taken for a data row when it has the header's
 * field count (at least 2) and digits (numbers, dates, clock times) in at least half of its
 * fields, which no column header has.
 *
 * @param lines The file's lines.
 * @param header 0-based index of the header line and its field count.
 * @param split Splits a line into fields.
 */
export function rowsBeforeHeader(
  lines: readonly string[],
  header: { index: number; width: number },
  split: (line: string) => string[],
): string | null {
  const found: number[] = [];
  for (let i = 0; i < header.index; i++) {
    const f = split(lines[i]);
    if (f.length !== header.width || f.length < 2) continue;
    let numbers = 0;
    for (const field of f) if (DIGIT.test(field)) numbers++;
    if (numbers * 2 >= f.length) found.push(i + 1);
  }
  if (found.length === 0) return null;
  return damageWarning(
    "rows_out_of_order",
    `${found.length === 1 ? "line" : "lines"} ${found.slice(0, 5).join(", ")}${
      found.length > 5 ? ", …" : ""
    } before the column header (line ${header.index + 1}) hold data rows: lines out of order ` +
      "(damaged file?); they were not read",
  );
}

/** What {@link lastLineCheck} decided about a last line without a line end. */
export interface LastLineVerdict {
  /** `cut`: left out; `unverified`: kept, but cannot be told complete; `complete`: kept. */
  status: "complete" | "cut" | "unverified";
  /** Why (for the warning): what was compared. */
  reason: string;
}

/** The field delimiter of a line: the most frequent of tab, `;`, `,`; else blank runs. */
function delimiterOf(line: string): string | null {
  let tab = 0, semi = 0, comma = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 9) tab++;
    else if (c === 59) semi++;
    else if (c === 44) comma++;
  }
  if (tab === 0 && semi === 0 && comma === 0) return null;
  if (tab >= semi && tab >= comma) return "\t";
  return semi >= comma ? ";" : ",";
}

function fieldsOf(line: string, delimiter: string | null): string[] {
  return delimiter === null ? line.trim().split(/\s+/) : line.split(delimiter);
}

/** Shape of a value: digits → `9`, signs → `±`, a leading sign and quotes dropped. */
function shape(token: string): string {
  let t = token.trim();
  if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"') t = t.slice(1, -1).trim();
  if (t[0] === "+" || t[0] === "-") t = t.slice(1);
  return t.replace(/[0-9]/g, "9").replace(/[+-]/g, "±");
}

/** {@link shape} with the leading digit run (the integer part) collapsed to one `9`. */
function looseShape(full: string): string {
  return full.replace(/^9+/, "9");
}

function clip(text: string, max = 40): string {
  return text.length > max ? "…" + text.slice(-max) : text;
}

/**
 * Decide whether a last line that has no line end was cut short, by comparing it with the lines
 * before it (up to 8 non-blank lines with the field count of the line just before). A cut can
 * only shorten the line, so only its field count and its last value can show it:
 *
 * - fewer fields → `cut`;
 * - the last column has one fixed form in the lines before (same digits after the point, same
 *   exponent form: `%.18e`, `%.7E`, `%.4f`, fixed-width text) and the last value has a shorter
 *   prefix of that form → `cut`; the same form → `complete`;
 * - integers or text of one fixed width → the same width is `complete`, shorter is `cut`;
 * - otherwise (values of varying form, nothing to compare with) → `unverified`.
 *
 * @param last The last line (no line end).
 * @param previous Lines before it, in file order (only the last few are looked at).
 */
export function lastLineCheck(last: string, previous: readonly string[]): LastLineVerdict {
  let k = previous.length - 1;
  while (k >= 0 && previous[k].trim() === "") k--;
  if (k < 0) return { status: "unverified", reason: "no line before it to compare with" };
  const delimiter = delimiterOf(previous[k]);
  const width = fieldsOf(previous[k], delimiter).length;
  const before: string[] = [];
  for (let i = k; i >= 0 && before.length < 8; i--) {
    if (previous[i].trim() === "") continue;
    const f = fieldsOf(previous[i], delimiter);
    if (f.length !== width) break;
    before.push(f[f.length - 1]);
  }
  const fields = fieldsOf(last, delimiter);
  if (fields.length < width) {
    return {
      status: "cut",
      reason: `${fields.length} of the ${width} fields of the lines before`,
    };
  }
  if (fields.length > width) {
    return { status: "unverified", reason: "it has more fields than the line before" };
  }
  const token = fields[fields.length - 1].trim();
  const full = shape(token), loose = looseShape(full);
  const fulls = new Set(before.map(shape));
  const looses = new Set([...fulls].map(looseShape));
  const example = before[0].trim();
  if (looses.size === 1) {
    const form = [...looses][0];
    if (form !== "9" && form !== "") {
      if (loose === form) return { status: "complete", reason: "" };
      if (form.startsWith(loose)) {
        return {
          status: "cut",
          reason: `its last value "${clip(token)}" is a cut-off form of the column's values ` +
            `(like "${clip(example)}")`,
        };
      }
    } else if (fulls.size === 1) {
      const width = [...fulls][0];
      if (full === width) return { status: "complete", reason: "" };
      if (width.startsWith(full)) {
        return {
          status: "cut",
          reason: `its last value "${clip(token)}" is shorter than the column's values ` +
            `(like "${clip(example)}")`,
        };
      }
    }
  }
  const other = before.find((t) => shape(t) !== shape(before[0]))?.trim();
  return {
    status: "unverified",
    reason: `its last value "${clip(token)}" cannot be checked: ` +
      (other !== undefined
        ? `the column's values vary in form (like "${clip(example)}" and "${clip(other)}")`
        : `the column's values (like "${clip(example)}") have no form a cut would change`),
  };
}

/** A run of zero bytes. */
interface NulRun {
  from: number;
  to: number;
}

function isUtf16(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

function lineStartBefore(bytes: Uint8Array, at: number): number {
  while (at > 0 && bytes[at - 1] !== LF && bytes[at - 1] !== CR) at--;
  return at;
}

function lineEndAfter(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && bytes[at] !== LF && bytes[at] !== CR) at++;
  return at;
}

function bytesText(n: number): string {
  return n === 1 ? "1 byte" : `${n.toLocaleString("en-US")} bytes`;
}

/** Text repaired before parsing, and what was done. */
interface TextRepair {
  bytes: Uint8Array;
  warnings: string[];
  /** Said in a `ParseError` raised after the repair (where the file is damaged). */
  notes: string[];
  /** First damaged byte, for errors without a place of their own. */
  offset: number | null;
}

/** Blank the lines holding NUL bytes; leave out or flag a last line without a line end. */
function repairText(input: Uint8Array): TextRepair {
  const out: TextRepair = { bytes: input, warnings: [], notes: [], offset: null };
  if (isUtf16(input)) return out; // zero bytes are part of every character there
  let bytes = input;
  let z = bytes.indexOf(0);
  if (z >= 0) {
    bytes = bytes.slice();
    const runs: NulRun[] = [];
    let total = 0;
    while (z >= 0) {
      let e = z;
      while (e < bytes.length && bytes[e] === 0) e++;
      runs.push({ from: z, to: e });
      total += e - z;
      const a = lineStartBefore(bytes, z), b = lineEndAfter(bytes, e);
      bytes.fill(SPACE, a, b);
      z = b < bytes.length ? bytes.indexOf(0, b) : -1;
    }
    const where = runs.slice(0, 3).map((r) => `${r.from}–${r.to}`).join(", ") +
      (runs.length > 3 ? `, … (${runs.length} runs)` : "");
    out.warnings.push(damageWarning(
      "nul_bytes",
      `${bytesText(total)} are zero (NUL) at bytes ${where}: the data written there is lost ` +
        "(damaged file, e.g. after a crash); the lines holding them were left out",
    ));
    out.notes.push(`the file holds zero bytes at bytes ${where} (damaged)`);
    out.offset = runs[0].from;
  }
  // The last line, when the file does not end with a line end.
  let end = bytes.length;
  const lastByte = bytes[end - 1];
  if (end > 0 && lastByte !== LF && lastByte !== CR) {
    const start = lineStartBefore(bytes, end);
    const decoder = new TextDecoder("windows-1252");
    const last = decoder.decode(bytes.subarray(start, end));
    if (last.trim() !== "") {
      // Up to 8 lines before it, from at most 64 KiB back: O(1) in the file size.
      const previous: string[] = [];
      let at = start;
      while (previous.length < 8 && at > 0 && start - at < 65536) {
        let e = at - 1;
        if (bytes[e] === LF && e > 0 && bytes[e - 1] === CR) e--;
        const s = lineStartBefore(bytes, e);
        const text = decoder.decode(bytes.subarray(s, e));
        if (text.trim() !== "") previous.unshift(text);
        at = s;
      }
      const verdict = lastLineCheck(last, previous);
      if (verdict.status !== "complete") {
        const where = `line ${lineNumberAt(bytes, start)} (byte ${start})`;
        out.offset ??= start;
        if (verdict.status === "cut") {
          out.warnings.push(damageWarning(
            "truncated_last_line",
            `${where} is cut short (no line end; ${verdict.reason}): the file looks truncated; ` +
              "the line was left out",
          ));
          out.notes.push(`${where} is cut short (file truncated?) and was left out`);
          bytes = bytes.subarray(0, start);
        } else {
          out.warnings.push(damageWarning(
            "truncated_last_line",
            `${where}, the last, has no line end and ${verdict.reason}: the file may be ` +
              "truncated there; the line was kept",
          ));
          out.notes.push(`${where}, the last, has no line end (file truncated?)`);
        }
      }
      end = start;
    }
  }
  out.bytes = bytes;
  return out;
}

/** 1-based number of the line starting at `at` (lines end with `\n`, `\r\n` or `\r`). */
function lineNumberAt(bytes: Uint8Array, at: number): number {
  let n = 1, lf = 0;
  for (let i = bytes.indexOf(LF); i >= 0 && i < at; i = bytes.indexOf(LF, i + 1)) lf++;
  n += lf;
  if (lf === 0) { for (let i = 0; i < at; i++) if (bytes[i] === CR) n++; }
  return n;
}

/** Start offsets of the lines (`\n`, `\r\n` or `\r` ends, as `splitLines` counts them). */
function lineOffsets(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === LF) starts.push(i + 1);
    else if (c === CR) {
      if (bytes[i + 1] === LF) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/**
 * After a `ParseError` on `line`: when that line repeats one of the first lines of the file,
 * blank the whole repeated block and say so; otherwise `null`.
 */
function blankRepeatedBlock(
  bytes: Uint8Array,
  line: number,
): { bytes: Uint8Array; warning: string } | null {
  const starts = lineOffsets(bytes);
  const n = starts.length;
  const textOf = (i: number): string => { // 0-based line index
    const s = starts[i], e = lineEndAfter(bytes, s);
    let t = "";
    for (let k = s; k < e && k < s + 4096; k++) t += String.fromCharCode(bytes[k]);
    return t.trim();
  };
  const at = line - 1;
  if (at <= 0 || at >= n) return null;
  const text = textOf(at);
  // Only lines with words (headers, preamble): a repeated data row fails for reasons of its own.
  if (!/[A-Za-z]/.test(text)) return null;
  const limit = Math.min(at, 1000);
  for (let h = 0; h < limit; h++) {
    if (textOf(h) !== text) continue;
    let back = 0;
    while (h - back - 1 >= 0 && textOf(h - back - 1) === textOf(at - back - 1)) back++;
    let fwd = 0;
    while (
      at + fwd + 1 < n && h + fwd + 1 < at - back && textOf(h + fwd + 1) === textOf(at + fwd + 1)
    ) {
      fwd++;
    }
    const first = at - back, last = at + fwd; // 0-based, inclusive
    const copy = bytes.slice();
    copy.fill(SPACE, starts[first], lineEndAfter(bytes, starts[last]));
    for (let k = starts[first]; k < lineEndAfter(bytes, starts[last]); k++) {
      if (bytes[k] === LF || bytes[k] === CR) copy[k] = bytes[k];
    }
    const span = (a: number, b: number) => (a === b ? `line ${a + 1}` : `lines ${a + 1}–${b + 1}`);
    return {
      bytes: copy,
      warning: damageWarning(
        "repeated_header",
        `${span(first, last)} (byte ${starts[first]}) repeat ${span(h - back, h + fwd)} ` +
          "of the file: two files joined, or a block written twice; the repeated lines were " +
          "left out and the rows after them kept",
      ),
    };
  }
  return null;
}

/** Warnings about the order of time and frequency in what a reader returned. */
export function orderWarnings(rec: Recording): string[] {
  const out: string[] = [];
  const s = rec.series;
  if (s && s.length > 1) {
    const t = s.time_s;
    let back = 0, first = -1, prev = t[0];
    for (let i = 1; i < s.length; i++) {
      const v = t[i];
      if (v < prev) {
        if (back++ === 0) first = i;
      }
      if (v === v) prev = v; // NaN keeps the last number
    }
    if (back > 0) {
      let before = first - 1;
      while (before > 0 && t[before] !== t[before]) before--;
      out.push(damageWarning(
        "time_not_monotonic",
        `test time goes backwards at ${back} row(s), first at row ${first + 1} (${t[first]} s ` +
          `after ${t[before]} s): rows out of order, written twice or damaged`,
      ));
    }
  }
  // The instrument's cycle counter never goes back in an intact file.
  if (s && s.length > 1) {
    const c = s.cycle_index;
    let back = 0, first = -1;
    for (let i = 1; i < s.length; i++) {
      if (c[i] < c[i - 1] && back++ === 0) first = i;
    }
    if (back > 0) {
      out.push(damageWarning(
        "rows_out_of_order",
        `the cycle counter goes back at ${back} row(s), first at row ${first + 1} (cycle ${
          c[first]
        } after ${c[first - 1]}): rows out of order, written twice or damaged`,
      ));
    }
  }
  // Wall clocks the file holds next to the test time: they never go back either, except by the
  // hour a local clock (not a Unix time) goes back at the end of daylight saving time.
  for (const key of ["wall_clock_s", "local_time_s", "unix_time_s"]) {
    const w = s?.extras[key];
    if (!s || !w) continue;
    let back = 0, first = -1;
    for (let i = 1; i < s.length; i++) {
      const drop = w[i - 1] - w[i];
      if (!(drop > 0) || (key !== "unix_time_s" && Math.abs(drop - 3600) <= 120)) continue;
      if (back++ === 0) first = i;
    }
    if (back > 0) {
      const name = s.columns[key]?.original_name ?? key;
      out.push(damageWarning(
        "time_not_monotonic",
        `the date and time ("${name}") go backwards at ${back} row(s), first at row ${first + 1} (${
          w[first - 1] - w[first]
        } s back): rows out of order, written twice or damaged`,
      ));
    }
  }
  // Record numbers the instrument wrote (Arbin `Data_Point`, Neware and Landt record index):
  // consecutive in every intact file, so a jump means rows lost, a step back rows repeated.
  for (const key of ["data_point", "record_index"]) {
    const a = s?.extras[key];
    if (!s || !a) continue;
    let gaps = 0, back = 0, first = -1;
    for (let i = 1; i < s.length; i++) {
      const d = a[i] - a[i - 1];
      if (d === 1 || d !== d) continue;
      if (d > 1) gaps++;
      else back++;
      if (first < 0) first = i;
    }
    if (gaps + back > 0) {
      const name = s.columns[key]?.original_name ?? key;
      out.push(damageWarning(
        "row_count_mismatch",
        `the record number ("${name}") is not consecutive at ${gaps + back} row(s) ` +
          `(${gaps} jump(s) forward: rows missing; ${back} step(s) back: rows repeated or out of ` +
          `order), first at row ${first + 1} (${a[first - 1]} → ${a[first]})`,
      ));
    }
  }
  let lastTime = NaN, lastLabel = "", lastCycle = -Infinity;
  for (const sp of rec.spectra ?? []) {
    const f = sp.frequency_Hz;
    let dir = 0, turns = 0, first = -1;
    for (let i = 1; i < sp.length; i++) {
      const d = f[i] > f[i - 1] ? 1 : f[i] < f[i - 1] ? -1 : 0;
      if (d !== 0 && dir !== 0 && d !== dir) {
        if (turns++ === 0) first = i;
      }
      if (d !== 0) dir = d;
    }
    const label = `spectrum ${sp.sequence}${sp.cycle !== undefined ? ` (cycle ${sp.cycle})` : ""}`;
    if (sp.cycle !== undefined) {
      if (sp.cycle < lastCycle) {
        out.push(damageWarning(
          "rows_out_of_order",
          `${label} follows a spectrum of cycle ${lastCycle}: the cycle counter goes back ` +
            "(points out of order, written twice or damaged)",
        ));
      }
      lastCycle = sp.cycle;
    }
    if (turns > 0) {
      out.push(damageWarning(
        "rows_out_of_order",
        `the frequency sweep of ${label} turns back ${turns} time(s), first at point ${
          first + 1
        } (${f[first]} Hz after ${f[first - 1]} Hz): points out of order, written twice or damaged`,
      ));
    }
    const t = sp.extras.time_s;
    if (t && sp.length > 0) {
      // Spectra are measured one after the other: the next starts after the last ended.
      if (t[0] < lastTime) {
        out.push(damageWarning(
          "time_not_monotonic",
          `${label} starts at ${t[0]} s, before ${lastLabel} ended (${lastTime} s): spectra ` +
            "out of order, written twice or damaged",
        ));
      }
      lastTime = t[sp.length - 1];
      lastLabel = label;
      let back = 0, first = -1;
      for (let i = 1; i < sp.length; i++) {
        if (t[i] < t[i - 1] && back++ === 0) first = i;
      }
      if (back > 0) {
        out.push(damageWarning(
          "time_not_monotonic",
          `time goes backwards in ${label} at ${back} point(s), first at point ${first + 1} ` +
            `(${t[first]} s after ${
              t[first - 1]
            } s): points out of order, written twice or damaged`,
        ));
      }
    }
  }
  return out;
}

/** Text before `Cannot parse "file": ` removed. */
function detailOf(error: ParseError): string {
  const prefix = `Cannot parse "${error.file}": `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/**
 * Read a file with `read` through the damage checks (see the module documentation).
 *
 * @param bytes The whole file.
 * @param options Parse options, and `text` (`false` for binary formats: only the checks after
 *   parsing) and `read`, the reader proper.
 */
export function checkedRead<O extends ParseOptions>(
  bytes: Uint8Array,
  options: O & { text: boolean; read: (bytes: Uint8Array, options: O) => Recording },
): Recording {
  const { text, read, ...rest } = options;
  const parseOptions = rest as unknown as O;
  if (!text) return withOrderWarnings(read(bytes, parseOptions), []);
  const repair = repairText(bytes);
  let input = repair.bytes;
  const warnings = [...repair.warnings];
  for (let attempt = 0;; attempt++) {
    try {
      return withOrderWarnings(read(input, parseOptions), warnings);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      const repeated = attempt < 8 && error.line !== null
        ? blankRepeatedBlock(input, error.line)
        : null;
      if (repeated) {
        input = repeated.bytes;
        warnings.push(repeated.warning);
        continue;
      }
      if (repair.notes.length === 0) throw error;
      throw new ParseError(error.file, `${detailOf(error)}; ${repair.notes.join("; ")}`, {
        line: error.line,
        offset: error.offset ?? repair.offset,
        cause: error,
      });
    }
  }
}

function withOrderWarnings(rec: Recording, warnings: string[]): Recording {
  const order = orderWarnings(rec);
  if (warnings.length > 0 || order.length > 0) {
    rec.meta.warnings = [...warnings, ...rec.meta.warnings, ...order];
  }
  return rec;
}

/**
 * A format whose `parse` runs through {@link checkedRead}.
 *
 * @param kind `"text"` for the text readers (all checks), `"binary"` for the others (the checks
 *   after parsing).
 * @param parser The format, with its reader proper as `parse`.
 */
export function checkedFormat(kind: "text" | "binary", parser: FormatParser): FormatParser {
  const read = (bytes: Uint8Array, options: ParseOptions) => parser.parse(bytes, options);
  return {
    ...parser,
    parse: (bytes, options) => checkedRead(bytes, { ...options, text: kind === "text", read }),
  };
}
