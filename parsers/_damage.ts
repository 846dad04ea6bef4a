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
import { type ByteSource, byteSource, readRange } from "./byte_source.ts";

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

/** Bytes read per step when scanning a source. */
const CHUNK = 1 << 20;

/**
 * Every how many bytes the read path looks for a zero byte: a run of zeros at least this long
 * (a crash leaves whole blocks of them) is always seen, at 1/32 of the cost of looking at every
 * byte. A shorter run inside a number makes the reader fail, and a failed read looks at every
 * byte.
 */
const NUL_STRIDE = 32;

/** Offset of a zero byte among every {@link NUL_STRIDE}-th byte of `bytes`, or -1. */
function sampledNul(bytes: Uint8Array): number {
  for (let i = NUL_STRIDE - 1; i < bytes.length; i += NUL_STRIDE) if (bytes[i] === 0) return i;
  return -1;
}

function isUtf16(head: Uint8Array): boolean {
  return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
}

function bytesText(n: number): string {
  return n === 1 ? "1 byte" : `${n.toLocaleString("en-US")} bytes`;
}

/**
 * Repairs of a text file, as byte ranges: lines blanked (every byte but the line ends replaced
 * by a space, so line numbers and offsets stay right) and a cut-off end.
 */
interface Repairs {
  /** Bytes after this are left out (a cut-short last line). */
  limit: number;
  /** `[from, to)` ranges blanked, in file order. */
  blanks: [number, number][];
  warnings: string[];
  /** Said in a `ParseError` raised after the repairs (where the file is damaged). */
  notes: string[];
  /** First damaged byte, for errors without a place of their own. */
  offset: number | null;
}

/** Start of the line holding byte `at` (just after the line end before it). */
function lineStart(src: ByteSource, at: number): number {
  while (at > 0) {
    const from = Math.max(0, at - 4096);
    const part = readRange(src, from, at - from);
    for (let i = part.length - 1; i >= 0; i--) {
      if (part[i] === LF || part[i] === CR) return from + i + 1;
    }
    at = from;
  }
  return 0;
}

/** Position of the line end at or after `at` (the source size when none). */
function lineEnd(src: ByteSource, at: number): number {
  while (at < src.size) {
    const part = readRange(src, at, 4096);
    for (let i = 0; i < part.length; i++) if (part[i] === LF || part[i] === CR) return at + i;
    at += part.length;
  }
  return src.size;
}

/** Runs of zero bytes from `from` on (every byte looked at). */
function nulRuns(src: ByteSource, from: number): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  const buffer = new Uint8Array(CHUNK);
  let open = -1;
  for (let at = from; at < src.size;) {
    const n = src.readInto(buffer, at);
    if (n === 0) break;
    let i = open >= 0 ? 0 : buffer.subarray(0, n).indexOf(0);
    while (i >= 0 && i < n) {
      if (open < 0) open = at + i;
      while (i < n && buffer[i] === 0) i++;
      if (i === n) break; // the run may go on in the next chunk
      runs.push({ from: open, to: at + i });
      open = -1;
      i = buffer.subarray(0, n).indexOf(0, i);
    }
    at += n;
  }
  if (open >= 0) runs.push({ from: open, to: src.size });
  return runs;
}

/** Blank the lines holding zero bytes (`runs`), with a warning. */
function blankNuls(src: ByteSource, runs: { from: number; to: number }[], repairs: Repairs): void {
  let total = 0;
  for (const r of runs) {
    total += r.to - r.from;
    const a = lineStart(src, r.from), b = lineEnd(src, r.to);
    const last = repairs.blanks[repairs.blanks.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else repairs.blanks.push([a, b]);
  }
  const where = runs.slice(0, 3).map((r) => `${r.from}–${r.to}`).join(", ") +
    (runs.length > 3 ? `, … (${runs.length} runs)` : "");
  repairs.warnings.push(damageWarning(
    "nul_bytes",
    `${bytesText(total)} are zero (NUL) at bytes ${where}: the data written there is lost ` +
      "(damaged file, e.g. after a crash); the lines holding them were left out",
  ));
  repairs.notes.push(`the file holds zero bytes at bytes ${where} (damaged)`);
  repairs.offset = Math.min(repairs.offset ?? Infinity, runs[0].from);
}

/** 1-based number of the line starting at `at` (lines end with `\n`, `\r\n` or `\r`). */
function lineNumberAt(src: ByteSource, at: number): number {
  let lf = 0, cr = 0;
  const buffer = new Uint8Array(CHUNK);
  for (let p = 0; p < at;) {
    const n = src.readInto(buffer.subarray(0, Math.min(CHUNK, at - p)), p);
    if (n === 0) break;
    const part = buffer.subarray(0, n);
    for (let i = part.indexOf(LF); i >= 0; i = part.indexOf(LF, i + 1)) lf++;
    if (lf === 0) { for (let i = 0; i < n; i++) if (part[i] === CR) cr++; }
    p += n;
  }
  return 1 + (lf > 0 ? lf : cr);
}

/** Leave out or flag a last line without a line end (see {@link lastLineCheck}). */
function checkLastLine(src: ByteSource, repairs: Repairs): void {
  const end = src.size;
  if (end === 0) return;
  const from = Math.max(0, end - 65536);
  const tail = readRange(src, from, end - from);
  const lastByte = tail[tail.length - 1];
  if (lastByte === LF || lastByte === CR) return;
  let start = tail.length;
  while (start > 0 && tail[start - 1] !== LF && tail[start - 1] !== CR) start--;
  if (start === 0 && from > 0) return; // a last line over 64 KiB: no table row
  const decoder = new TextDecoder("windows-1252");
  const last = decoder.decode(tail.subarray(start));
  if (last.trim() === "") return;
  // Up to 8 non-blank lines before it, from the same 64 KiB: O(1) in the file size.
  const previous: string[] = [];
  let at = start;
  while (previous.length < 8 && at > 0) {
    let e = at - 1;
    if (tail[e] === LF && e > 0 && tail[e - 1] === CR) e--;
    let s = e;
    while (s > 0 && tail[s - 1] !== LF && tail[s - 1] !== CR) s--;
    if (s === 0 && from > 0) break; // cut by the 64 KiB window
    const text = decoder.decode(tail.subarray(s, e));
    if (text.trim() !== "") previous.unshift(text);
    at = s;
  }
  const verdict = lastLineCheck(last, previous);
  if (verdict.status === "complete") return;
  const offset = from + start;
  const where = `line ${lineNumberAt(src, offset)} (byte ${offset})`;
  repairs.offset ??= offset;
  if (verdict.status === "cut") {
    repairs.warnings.push(damageWarning(
      "truncated_last_line",
      `${where} is cut short (no line end; ${verdict.reason}): the file looks truncated; ` +
        "the line was left out",
    ));
    repairs.notes.push(`${where} is cut short (file truncated?) and was left out`);
    repairs.limit = offset;
  } else {
    repairs.warnings.push(damageWarning(
      "truncated_last_line",
      `${where}, the last, has no line end and ${verdict.reason}: the file may be truncated ` +
        "there; the line was kept",
    ));
    repairs.notes.push(`${where}, the last, has no line end (file truncated?)`);
  }
}

/** Start offsets of every line of a source (lines end with `\n`, `\r\n` or `\r`). */
function lineStarts(src: ByteSource): number[] {
  const starts = [0];
  const buffer = new Uint8Array(CHUNK);
  let pendingCr = false;
  for (let at = 0; at < src.size;) {
    const n = src.readInto(buffer, at);
    if (n === 0) break;
    for (let i = 0; i < n; i++) {
      const c = buffer[i];
      if (pendingCr) {
        pendingCr = false;
        if (c === LF) {
          starts[starts.length - 1]++;
          continue;
        }
      }
      if (c === LF) starts.push(at + i + 1);
      else if (c === CR) {
        starts.push(at + i + 1);
        pendingCr = true;
      }
    }
    at += n;
  }
  if (starts[starts.length - 1] >= src.size) starts.pop();
  return starts;
}

/**
 * After a `ParseError` on `line`: when that line repeats one of the first lines of the file
 * (a header: it has words), blank the whole repeated block with a warning; otherwise `false`.
 */
function blankRepeatedBlock(src: ByteSource, line: number, repairs: Repairs): boolean {
  const starts = lineStarts(src);
  const n = starts.length;
  const at = line - 1;
  if (at <= 0 || at >= n) return false;
  const textOf = (i: number): string => {
    const s = starts[i], e = i + 1 < n ? starts[i + 1] : src.size;
    const part = readRange(src, s, Math.min(e - s, 4096));
    let t = "";
    for (let k = 0; k < part.length; k++) t += String.fromCharCode(part[k]);
    return t.trim();
  };
  const text = textOf(at);
  // Only lines with words (headers, preamble): a repeated data row fails for reasons of its own.
  if (!/[A-Za-z]/.test(text)) return false;
  const limit = Math.min(at, 1000);
  for (let h = 0; h < limit; h++) {
    if (textOf(h) !== text) continue;
    let back = 0;
    while (h - back - 1 >= 0 && textOf(h - back - 1) === textOf(at - back - 1)) back++;
    let fwd = 0;
    while (
      at + fwd + 1 < n && h + fwd + 1 < at - back && textOf(h + fwd + 1) === textOf(at + fwd + 1)
    ) fwd++;
    const first = at - back, last = at + fwd; // 0-based, inclusive
    repairs.blanks.push([starts[first], lineEnd(src, starts[last])]);
    repairs.blanks.sort((x, y) => x[0] - y[0]);
    const span = (a: number, b: number) => (a === b ? `line ${a + 1}` : `lines ${a + 1}–${b + 1}`);
    repairs.warnings.push(damageWarning(
      "repeated_header",
      `${span(first, last)} (byte ${starts[first]}) repeat ${span(h - back, h + fwd)} of the ` +
        "file (two files joined, or a block written twice) and were left out",
    ));
    return true;
  }
  return false;
}

/** The bytes with the repairs made (the input itself when there are none). */
function repairedBytes(bytes: Uint8Array, repairs: Repairs): Uint8Array {
  if (repairs.blanks.length === 0) return bytes.subarray(0, repairs.limit);
  const out = bytes.slice(0, repairs.limit);
  for (const [a, b] of repairs.blanks) blank(out, a, Math.min(b, out.length), 0);
  return out;
}

/** Replace every byte but line ends in `into[a - base, b - base)` by a space. */
function blank(into: Uint8Array, a: number, b: number, base: number): void {
  for (let i = Math.max(a - base, 0); i < b - base && i < into.length; i++) {
    if (into[i] !== LF && into[i] !== CR) into[i] = SPACE;
  }
}

/**
 * A source with the repairs made as it is read; `nul` is set to the first zero byte read outside
 * the blanked ranges (checked per chunk with a native search).
 */
function repairedSource(src: ByteSource, repairs: Repairs): ByteSource & { nul: number } {
  const out = {
    size: repairs.limit,
    nul: -1,
    readInto(into: Uint8Array, offset: number): number {
      if (offset >= repairs.limit) return 0;
      const n = src.readInto(
        into.subarray(0, Math.min(into.length, repairs.limit - offset)),
        offset,
      );
      for (const [a, b] of repairs.blanks) {
        if (b > offset && a < offset + n) blank(into.subarray(0, n), a, b, offset);
      }
      if (out.nul < 0) {
        const z = sampledNul(into.subarray(0, n));
        if (z >= 0) out.nul = offset + z;
      }
      return n;
    },
  };
  return out;
}

/** Warnings about the order of time and frequency in what a reader returned. */
export function orderWarnings(rec: Recording): string[] {
  const out: string[] = [];
  const s = rec.series;
  if (s && s.length > 1) {
    // Test time and the instrument's cycle counter, in one pass: neither goes back in an
    // intact file.
    const t = s.time_s, c = s.cycle_index;
    let back = 0, first = -1, prev = t[0];
    let cycleBack = 0, cycleFirst = -1;
    for (let i = 1; i < s.length; i++) {
      const v = t[i];
      if (v < prev && back++ === 0) first = i;
      if (v === v) prev = v; // NaN keeps the last number
      if (c[i] < c[i - 1] && cycleBack++ === 0) cycleFirst = i;
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
    if (cycleBack > 0) {
      out.push(damageWarning(
        "rows_out_of_order",
        `the cycle counter goes back at ${cycleBack} row(s), first at row ${cycleFirst + 1} ` +
          `(cycle ${c[cycleFirst]} after ${c[cycleFirst - 1]}): rows out of order, written ` +
          "twice or damaged",
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
        `the frequency sweep of ${label} changes direction ${turns} time(s), first at point ${
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

/** A reader of whole files, or of sources as well. */
type Reader<O> =
  | ((bytes: Uint8Array, options: O) => Recording)
  | ((bytes: Uint8Array | ByteSource, options: O) => Recording);

/**
 * Read a file with `read` through the damage checks (see the module documentation). A source
 * (a file read in chunks) is checked as it is read: its last 64 KiB before parsing, each chunk
 * for zero bytes as the reader reads it (the file is read again, repaired, only when it has any).
 * Bytes in memory are looked at every {@link NUL_STRIDE}-th byte before parsing, and every byte
 * after a failed read.
 *
 * @param input The whole file, or a source of it (only for readers that take sources).
 * @param options Parse options, and `text` (`false` for binary formats: only the checks after
 *   parsing) and `read`, the reader proper.
 */
export function checkedRead<O extends ParseOptions>(
  input: Uint8Array | ByteSource,
  options: O & { text: boolean; read: Reader<O> },
): Recording {
  const { text, read, ...rest } = options;
  const parseOptions = rest as unknown as O;
  const readAny = read as (bytes: Uint8Array | ByteSource, options: O) => Recording;
  if (!text) return withOrderWarnings(readAny(input, parseOptions), []);
  const isBytes = input instanceof Uint8Array;
  const src = isBytes ? byteSource(input) : input;
  const repairs: Repairs = { limit: src.size, blanks: [], warnings: [], notes: [], offset: null };
  if (isUtf16(readRange(src, 0, 2))) return withOrderWarnings(readAny(input, parseOptions), []);
  let nulsDone = false;
  // Every zero byte found (once), the lines holding them blanked: the file is read again.
  const findNuls = (): boolean => {
    if (nulsDone) return false;
    nulsDone = true;
    const runs = nulRuns(src, 0);
    if (runs.length === 0) return false;
    blankNuls(src, runs, repairs);
    return true;
  };
  if (isBytes && sampledNul(input) >= 0) findNuls();
  checkLastLine(src, repairs);
  for (let attempt = 0;; attempt++) {
    const source = isBytes ? null : repairedSource(src, repairs);
    try {
      const rec = readAny(source ?? repairedBytes(input as Uint8Array, repairs), parseOptions);
      // A source showed zero bytes as it was read.
      if (source && source.nul >= 0 && findNuls()) continue;
      return withOrderWarnings(rec, repairs.warnings);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      if (findNuls()) continue;
      if (attempt < 8 && error.line !== null && blankRepeatedBlock(src, error.line, repairs)) {
        continue;
      }
      if (repairs.notes.length === 0) throw error;
      throw new ParseError(error.file, `${detailOf(error)}; ${repairs.notes.join("; ")}`, {
        line: error.line,
        offset: error.offset ?? repairs.offset,
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
  const checked: FormatParser = {
    ...parser,
    parse: (bytes, options) => checkedRead(bytes, { ...options, text: kind === "text", read }),
  };
  const fromSource = parser.parseSource?.bind(parser);
  if (fromSource) {
    const readEither = (input: Uint8Array | ByteSource, options: ParseOptions) =>
      input instanceof Uint8Array ? parser.parse(input, options) : fromSource(input, options);
    checked.parseSource = (source, options) =>
      checkedRead(source, { ...options, text: kind === "text", read: readEither });
  }
  return checked;
}
