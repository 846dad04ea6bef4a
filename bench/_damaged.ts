// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Damaged variants of real fixtures and the judgement of how a parser handled them (issue 12,
 * item 4), shared by `bench/damaged_variants.ts` (every fixture) and
 * `tests/parsers/damaged_variants_test.ts` (a CI-sized subset).
 *
 * A variant is the fixture with one kind of damage that happens to files on instrument PCs and
 * shares: truncation (a copy or a write cut off), a block of zero bytes (NUL: blocks allocated
 * but never written before a crash), duplicated content (a file concatenated with itself, a block
 * written twice), bit flips, a block of lines lost, two blocks swapped. Every variant is parsed
 * the way an import does (format detection, then the parser) and compared with the parse of the
 * intact fixture. The variant must be either
 *
 * - **repaired with a warning** (parsed, with a warning the original does not have), or
 *   **flagged** (the analysis of the stored test raises a data-quality flag of the series —
 *   time going backwards, repeated rows, a gap — that the original does not have),
 * - **failed with a message naming the place** (a `ParseError` with a line or byte offset), or
 * - **not recognized** (no format claims it any more: the import records it as `failed` when its
 *   name says it is an instrument file, `skipped` otherwise), or
 * - **harmless**: parsed without a new warning, and every value outside the damaged region equal
 *   to the original's (for the damage kinds a reader can always notice — NUL bytes, duplicated or
 *   swapped content — any difference at all counts).
 *
 * Anything else is **silently wrong** (a failure), and so is any exception that is not a
 * `ParseError` (a crash).
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { instrumentName } from "../lib/import/parse_file.ts";
import { detectFormat } from "../parsers/detect_format.ts";
import type { FormatParser } from "../parsers/format_parser.ts";
import { ParseError, UnsupportedFormatError } from "../parsers/parse_error.ts";
import { seriesFlags } from "../analysis/_quality_flags.ts";
import { hash, rng } from "./_fuzz.ts";

/** Kinds of damage. */
export const DAMAGE_KINDS = [
  "truncate",
  "nul",
  "duplicate",
  "bit-flip",
  "remove",
  "swap",
] as const;

/** One kind of damage. */
export type DamageKind = typeof DAMAGE_KINDS[number];

/** One damaged variant of a fixture. */
export interface Variant {
  /** Short name, unique per fixture (`truncate@35%`, `nul-block`, `flip#2`, ...). */
  name: string;
  kind: DamageKind;
  bytes: Uint8Array;
  /** Bit flips made (for the change budget of `bit-flip` variants). */
  flips: number;
  /** What was done, with byte offsets. */
  detail: string;
}

/** Offsets just after each `\n` (line starts), with 0 first. */
function lineStarts(b: Uint8Array): number[] {
  const out = [0];
  for (let at = b.indexOf(10); at >= 0 && at + 1 < b.length; at = b.indexOf(10, at + 1)) {
    out.push(at + 1);
  }
  return out;
}

/** Whether bytes look like text (no NUL in the first 64 KiB, no UTF-16 BOM). */
export function isText(b: Uint8Array): boolean {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) return false;
  return b.subarray(0, 65536).indexOf(0) < 0;
}

/** Round `at` down to a line start (text) or leave it (binary). */
function align(at: number, starts: number[] | null): number {
  if (!starts) return at;
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return starts[lo];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The damaged variants of one fixture (deterministic for a name and a seed). Text fixtures get
 * line-aligned blocks for duplication, removal and swapping (lines lost or written twice);
 * binary ones byte blocks.
 *
 * @param name Fixture name (seeds the random positions).
 * @param bytes The intact fixture.
 * @param seed Seed of the random positions. @default {1}
 */
export function damagedVariants(name: string, bytes: Uint8Array, seed = 1): Variant[] {
  const n = bytes.length;
  if (n < 16) return [];
  const random = rng(hash(`${seed}:${name}`));
  const text = isText(bytes);
  const starts = text ? lineStarts(bytes) : null;
  const out: Variant[] = [];
  const add = (v: Omit<Variant, "flips"> & { flips?: number }) => out.push({ flips: 0, ...v });

  // Truncation at several offsets, and inside the last line (a copy cut off near its end).
  for (const f of [0.1, 0.35, 0.6, 0.85, 0.99]) {
    const at = Math.floor(n * f);
    add({
      name: `truncate@${Math.round(f * 100)}%`,
      kind: "truncate",
      bytes: bytes.slice(0, at),
      detail: `cut at byte ${at} of ${n}`,
    });
  }
  if (starts) {
    let end = n;
    while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
    const lastStart = align(end - 1, starts);
    const at = lastStart + Math.max(1, Math.floor((end - lastStart) * 0.6));
    if (at < end) {
      add({
        name: "truncate-last-line",
        kind: "truncate",
        bytes: bytes.slice(0, at),
        detail: `cut at byte ${at} of ${n}, inside the last line`,
      });
    }
  }
  // Zero-filled blocks: a large one (a lost 52 KB extent), a short run, the tail.
  const zero = (from: number, len: number, label: string) => {
    const b = bytes.slice();
    const to = Math.min(n, from + len);
    b.fill(0, from, to);
    add({ name: label, kind: "nul", bytes: b, detail: `bytes ${from}–${to} set to 0` });
  };
  zero(Math.floor(n * 0.4), Math.max(64, Math.min(52 * 1024, Math.floor(n * 0.25))), "nul-block");
  zero(Math.floor(n * 0.7), 64, "nul-run");
  zero(Math.floor(n * 0.8), n, "nul-tail");
  // Duplicated content: the whole file twice, and a block written twice.
  add({ name: "concat", kind: "duplicate", bytes: concat(bytes, bytes), detail: "file twice" });
  {
    const a = align(Math.floor(n * 0.5), starts), b = align(Math.floor(n * 0.6), starts);
    if (b > a) {
      add({
        name: "dup-block",
        kind: "duplicate",
        bytes: concat(bytes.subarray(0, b), bytes.subarray(a, b), bytes.subarray(b)),
        detail: `bytes ${a}–${b} written twice`,
      });
    }
  }
  // Bit flips: single ones at three random places, then eight at once.
  const flip = (count: number, label: string) => {
    const b = bytes.slice();
    const at: number[] = [];
    for (let k = 0; k < count; k++) {
      const i = Math.floor(random() * n);
      b[i] ^= 1 << Math.floor(random() * 8);
      at.push(i);
    }
    add({
      name: label,
      kind: "bit-flip",
      bytes: b,
      flips: count,
      detail: `bit flips at bytes ${at.join(", ")}`,
    });
  };
  flip(1, "flip#1");
  flip(1, "flip#2");
  flip(1, "flip#3");
  flip(8, "flips×8");
  // A block lost (lines, for text), and two neighbouring blocks swapped.
  {
    const a = align(Math.floor(n * 0.45), starts), b = align(Math.floor(n * 0.55), starts);
    if (b > a) {
      add({
        name: "remove-block",
        kind: "remove",
        bytes: concat(bytes.subarray(0, a), bytes.subarray(b)),
        detail: `bytes ${a}–${b} removed`,
      });
    }
    const c = align(Math.floor(n * 0.3), starts), d = align(Math.floor(n * 0.4), starts);
    const e = align(Math.floor(n * 0.5), starts);
    if (d > c && e > d) {
      add({
        name: "swap-blocks",
        kind: "swap",
        bytes: concat(
          bytes.subarray(0, c),
          bytes.subarray(d, e),
          bytes.subarray(c, d),
          bytes.subarray(e),
        ),
        detail: `bytes ${c}–${d} and ${d}–${e} swapped`,
      });
    }
  }
  return out;
}

/** What reading a file gave: a recording (with the parser that read it) or an error. */
export type ReadResult =
  | { ok: true; parser: string; recording: Recording }
  | { ok: false; error: unknown };

/** Read bytes the way an import does: detect the format from the head, then parse. */
export function readLikeImport(
  bytes: Uint8Array,
  fileName: string,
  formats?: readonly FormatParser[],
): ReadResult {
  try {
    const { parser } = detectFormat(bytes, fileName, formats ? { formats } : {});
    return { ok: true, parser: parser.id, recording: parser.parse(bytes, { fileName }) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** How a variant was handled. */
export type Verdict =
  | "repaired" // parsed with a new warning
  | "flagged" // parsed; the analysis raises a data-quality flag the original does not have
  | "failed-at-place" // ParseError naming a line or byte offset
  | "not-recognized-failed" // no format claims it; an import records it as failed
  | "not-recognized-skipped" // no format claims it; an import skips it (name is not an instrument's)
  | "unchanged" // parsed, no new warning, every value equal to the original's
  | "within-damage" // parsed, no new warning, differences only where the bytes were damaged
  | "failed-no-place" // ParseError without a line or offset (a bad message)
  | "silently-wrong" // parsed, no new warning, values differ beyond the damage
  | "crash"; // an exception that is not a ParseError

/** Verdicts that are failures of the reader. */
export const BAD_VERDICTS: readonly Verdict[] = ["failed-no-place", "silently-wrong", "crash"];

/** A judged variant. */
export interface Judgement {
  verdict: Verdict;
  /** Why, in a few words (the warning, the error, or the difference found). */
  reason: string;
}

/** The series columns of a recording by name (`derived` ones left out with `readOnly`). */
function seriesColumns(rec: Recording, readOnly: boolean): Map<string, ArrayLike<number>> {
  const out = new Map<string, ArrayLike<number>>();
  const s = rec.series;
  if (!s) return out;
  const keys = [
    "time_s",
    "voltage_V",
    "current_A",
    "charge_capacity_Ah",
    "discharge_capacity_Ah",
    "step_index",
    "cycle_index",
    "charge_energy_Wh",
    "discharge_energy_Wh",
    "temperature_C",
  ] as const;
  for (const k of keys) {
    const c = s[k];
    if (c && !(readOnly && s.columns[k]?.derived)) out.set(k, c);
  }
  // Wall clocks are stored as seconds since the first row (with `start_time`): compare the
  // dates and times themselves.
  const start = s.start_time ? Date.parse(s.start_time.replace(/Z|[+-]\d\d:?\d\d$/, "") + "Z") : 0;
  for (const k of Object.keys(s.extras).sort()) {
    if (readOnly && s.columns[k]?.derived) continue;
    const e = s.extras[k];
    out.set(k, k === "wall_clock_s" && Number.isFinite(start) ? e.map((v) => v + start / 1000) : e);
  }
  return out;
}

/** Spectrum points as rows; with `numbered`, each says its spectrum's sequence number. */
function spectrumRows(rec: Recording, numbered = true): string[] {
  const rows: string[] = [];
  for (const sp of rec.spectra ?? []) {
    const keys = Object.keys(sp.extras).sort();
    for (let i = 0; i < sp.length; i++) {
      let r = `S${numbered ? sp.sequence : ""}:${sp.frequency_Hz[i]},${sp.z_real_ohm[i]},${
        sp.z_imag_ohm[i]
      }`;
      for (const k of keys) r += `,${sp.extras[k][i]}`;
      rows.push(r);
    }
  }
  return rows;
}

function rowsOf(cols: (ArrayLike<number> | null)[], length: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < length; i++) {
    let r = "";
    for (const c of cols) r += c ? `${c[i]},` : "-,";
    rows.push(r);
  }
  return rows;
}

/** Every value of a recording as one text per row (series rows, then spectrum points). */
export function recordingRows(rec: Recording): string[] {
  const cols = seriesColumns(rec, false);
  return [...rowsOf([...cols.values()], rec.series?.length ?? 0), ...spectrumRows(rec)];
}

/**
 * The rows of two recordings, column by column of the first: a column is paired with the
 * second's column of the same name, or else with one of identical values under another name (a
 * damaged column title renames a column). With `readOnly`, columns the reader derived
 * (integrated capacities, renumbered cycles: `derived` in their provenance) are left out: a
 * damaged value read from the file carries into every derived value after it.
 */
export function pairedRows(
  a: Recording,
  b: Recording,
  readOnly: boolean,
): { series: [string[], string[]]; spectra: [string[], string[]] } {
  const ca = seriesColumns(a, readOnly), cb = seriesColumns(b, readOnly);
  const same = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  };
  const left: (ArrayLike<number> | null)[] = [], right: (ArrayLike<number> | null)[] = [];
  const unmatched = new Map(cb);
  for (const [k, v] of ca) {
    if (unmatched.has(k)) {
      left.push(v);
      right.push(unmatched.get(k)!);
      unmatched.delete(k);
    }
  }
  for (const [k, v] of ca) {
    if (cb.has(k)) continue;
    const twin = [...unmatched].find(([, w]) => same(v, w));
    left.push(v);
    right.push(twin ? twin[1] : null);
    if (twin) unmatched.delete(twin[0]);
  }
  for (const w of unmatched.values()) {
    left.push(null);
    right.push(w);
  }
  return {
    series: [rowsOf(left, a.series?.length ?? 0), rowsOf(right, b.series?.length ?? 0)],
    spectra: [spectrumRows(a, !readOnly), spectrumRows(b, !readOnly)],
  };
}

/** Rows of one list that the other lacks (counting repeats), the larger of the two ways. */
function multisetDifference(a: readonly string[], b: readonly string[]): number {
  const count = new Map<string, number>();
  for (const r of a) count.set(r, (count.get(r) ?? 0) + 1);
  let onlyB = 0;
  for (const r of b) {
    const c = count.get(r) ?? 0;
    if (c > 0) count.set(r, c - 1);
    else onlyB++;
  }
  let onlyA = 0;
  for (const c of count.values()) onlyA += c;
  return Math.max(onlyA, onlyB);
}

/** Rows the two lists share at the start and at the end (not overlapping). */
export function commonEnds(a: readonly string[], b: readonly string[]): [number, number] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return [p, s];
}

/**
 * A ParseError that says where: a line or byte offset in its fields, or in its message a line,
 * byte, offset, record, page or spreadsheet cell.
 */
export function namesPlace(error: ParseError): boolean {
  return error.line !== null || error.offset !== null ||
    /\b(?:line|lines|byte|bytes|offset|row|record|page)\s+\d|\bcell [A-Z]+\d/i.test(
      error.message,
    );
}

/** Codes of the data-quality flags of a series (as `analyzeTest` raises them). */
function seriesFlagCodes(rec: Recording): Set<string> {
  return new Set(rec.series ? seriesFlags(rec.series).map((f) => f.code) : []);
}

/**
 * Judge how a variant was handled, against the intact fixture's result.
 *
 * @param original Result of reading the intact fixture (must be `ok`).
 * @param variant The variant.
 * @param damaged Result of reading the variant.
 * @param fileName Name the variant was read under.
 */
export function judge(
  original: Extract<ReadResult, { ok: true }>,
  variant: Variant,
  damaged: ReadResult,
  fileName: string,
): Judgement {
  if (!damaged.ok) {
    const e = damaged.error;
    if (e instanceof UnsupportedFormatError) {
      return instrumentName(fileName)
        ? {
          verdict: "not-recognized-failed",
          reason: "no format recognizes it (name says damaged)",
        }
        : { verdict: "not-recognized-skipped", reason: "no format recognizes it" };
    }
    if (e instanceof ParseError) {
      return namesPlace(e)
        ? { verdict: "failed-at-place", reason: e.message.slice(0, 200) }
        : { verdict: "failed-no-place", reason: e.message.slice(0, 200) };
    }
    const err = e as Error;
    return {
      verdict: "crash",
      reason: `${err?.name}: ${String(err?.message ?? e).slice(0, 200)}${
        err?.stack ? " " + err.stack.split("\n").slice(1, 3).join(" ").trim() : ""
      }`,
    };
  }
  const before = new Set(original.recording.meta.warnings);
  const fresh = damaged.recording.meta.warnings.filter((w) => !before.has(w));
  if (fresh.length > 0) return { verdict: "repaired", reason: fresh[0].slice(0, 200) };
  // The flags of the stored analysis show damage too (a repeated row: `duplicate_rows`).
  const flagsBefore = seriesFlagCodes(original.recording);
  const flags = [...seriesFlagCodes(damaged.recording)].filter((c) => !flagsBefore.has(c));
  if (flags.length > 0) return { verdict: "flagged", reason: `data-quality flag ${flags[0]}` };
  const other = damaged.parser !== original.parser ? ` (read as ${damaged.parser})` : "";
  const full0 = recordingRows(original.recording), full1 = recordingRows(damaged.recording);
  if (full0.length === full1.length && full0.every((r, i) => r === full1[i]) && !other) {
    return { verdict: "unchanged", reason: "same values" };
  }
  const readOnly = variant.kind === "bit-flip" || variant.kind === "remove"; // Series rows and spectrum points are compared apart (a lost block can hold both).
  const parts = pairedRows(original.recording, damaged.recording, readOnly);
  let ok = !other, differ = 0;
  const diffs: string[] = [];
  for (const [name, [a, b]] of Object.entries(parts)) {
    if (a.length === 0 && b.length === 0) continue;
    const [p, s] = commonEnds(a, b);
    const lostRows = a.length - p - s, newRows = b.length - p - s;
    if (lostRows === 0 && newRows === 0) continue;
    diffs.push(
      `${name}: ${a.length} → ${b.length} rows; first ${p} and last ${s} equal, ${lostRows} ` +
        `original rows replaced by ${newRows}`,
    );
    switch (variant.kind) {
      case "truncate": // a prefix of the rows (a cut at a line end cannot be told from an end)
        ok &&= s === 0 && newRows === 0;
        break;
      case "bit-flip": // changed digits cannot be noticed: as many rows as flips may differ
        differ += multisetDifference(a.slice(p, a.length - s), b.slice(p, b.length - s));
        ok &&= differ <= variant.flips;
        break;
      case "remove": // a lost block of lines: rows missing, nothing else changed
        ok &&= newRows === 0;
        break;
      default: // NUL bytes, duplicated and swapped content can always be noticed
        ok = false;
    }
  }
  const diff = diffs.join("; ") + other;
  return { verdict: ok ? "within-damage" : "silently-wrong", reason: diff };
}
