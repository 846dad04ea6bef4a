// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Deterministic fuzz cases for the parsers, shared by `bench/fuzz_parsers.ts` and
 * `tests/parsers/fuzz_test.ts`. A case is fully determined by (seed, format id, case index), so
 * any failure can be replayed alone.
 */

import { FORMATS } from "../parsers/_registry.ts";
import { detectFormat } from "../parsers/detect_format.ts";
import type { FormatParser } from "../parsers/format_parser.ts";
import { ParseError } from "../parsers/parse_error.ts";
import { toBdfCsv } from "../parsers/to_bdf.ts";
import { mulberry32 } from "../analysis/_random.ts";

/** Fixtures larger than this are used for only 1 case in 20 (they parse slowly). */
export const LARGE_FIXTURE_BYTES = 128 * 1024;

/** A small, fast, deterministic PRNG (mulberry32); returns floats in [0, 1). */
export const rng: (seed: number) => () => number = mulberry32;

/** FNV-1a hash of text, for deriving per-case seeds. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One fixture file. */
export interface Fixture {
  /** Path relative to `tests/fixtures/`. */
  name: string;
  bytes: Uint8Array;
}

/** How a case mutates its fixture. */
export const MUTATIONS = [
  "truncate",
  "bit-flips",
  "byte-run",
  "insert-run",
  "delete-run",
  "duplicate-lines",
  "truncate+flips",
  "random-bytes",
  "random-text",
] as const;

/** One fuzz case. */
export interface FuzzCase {
  format: string;
  index: number;
  mutation: typeof MUTATIONS[number];
  /** Fixture the case was made from (`""` for random input). */
  fixture: string;
  /** File name given to the parser (the fixture's, so extension rules apply). */
  fileName: string;
  bytes: Uint8Array;
}

/**
 * Assign every fixture to the parser that detection picks for it; a parser with no fixture gets
 * those whose extension it lists. Returns fixtures per format id (possibly empty).
 */
export function fixturesByFormat(
  all: readonly Fixture[],
  formats: readonly FormatParser[] = FORMATS,
): Map<string, Fixture[]> {
  const out = new Map<string, Fixture[]>(formats.map((f) => [f.id, []]));
  for (const fx of all) {
    try {
      const d = detectFormat(fx.bytes.subarray(0, 65536), fx.name, { formats });
      out.get(d.parser.id)!.push(fx);
    } catch {
      // not a file any parser recognizes
    }
  }
  // BDF files are few among the instrument fixtures (one large BatMo export): derive small ones
  // from the small cycling fixtures.
  const bdf = out.get("bdf_csv");
  if (bdf && bdf.every((fx) => fx.bytes.length > LARGE_FIXTURE_BYTES)) {
    for (const [id, list] of out) {
      if (id === "bdf_csv") continue;
      const parser = formats.find((f) => f.id === id)!;
      for (const fx of list) {
        if (fx.bytes.length > LARGE_FIXTURE_BYTES) continue;
        try {
          const series = parser.parse(fx.bytes, { fileName: fx.name }).series;
          if (!series) continue;
          const text = toBdfCsv(series);
          bdf.push({
            name: `derived/${fx.name.split("/").pop()}.bdf.csv`,
            bytes: new TextEncoder().encode(text),
          });
        } catch {
          // fixture not readable by its parser: nothing to derive
        }
      }
    }
  }
  for (const f of formats) {
    if (out.get(f.id)!.length > 0) continue;
    const byExt = all.filter((fx) =>
      f.extensions.some((e) => fx.name.toLowerCase().endsWith(e.toLowerCase()))
    );
    out.set(f.id, byExt);
  }
  return out;
}

const TEXT_ALPHABET = "0123456789.,;:\t -+eE\r\n\"'/[]()ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefxyz~#";

/** Build case `index` of `format` from its fixtures. */
export function makeCase(
  format: string,
  fixtures: readonly Fixture[],
  seed: number,
  index: number,
): FuzzCase {
  const r = rng(hash(`${seed}:${format}:${index}`));
  const int = (n: number): number => Math.floor(r() * n);
  const mutation = fixtures.length === 0
    ? (index % 2 === 0 ? "random-bytes" : "random-text")
    : MUTATIONS[index % MUTATIONS.length];
  if (mutation === "random-bytes" || mutation === "random-text") {
    const n = int(4096);
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      bytes[i] = mutation === "random-bytes"
        ? int(256)
        : TEXT_ALPHABET.charCodeAt(int(TEXT_ALPHABET.length));
    }
    const fx = fixtures.length > 0 ? fixtures[int(fixtures.length)] : undefined;
    return {
      format,
      index,
      mutation,
      fixture: "",
      fileName: fx?.name.split("/").pop() ?? "random.bin",
      bytes,
    };
  }
  const small = fixtures.filter((f) => f.bytes.length <= LARGE_FIXTURE_BYTES);
  const pool = small.length > 0 && int(20) !== 0 ? small : fixtures;
  const fx = pool[int(pool.length)];
  const base = fx.bytes;
  let bytes: Uint8Array;
  const flips = (b: Uint8Array): Uint8Array => {
    const out = b.slice();
    const k = 1 + int(8);
    for (let i = 0; i < k && out.length > 0; i++) out[int(out.length)] ^= 1 << int(8);
    return out;
  };
  switch (mutation) {
    case "truncate":
      bytes = base.slice(0, int(base.length + 1));
      break;
    case "bit-flips":
      bytes = flips(base);
      break;
    case "byte-run": {
      bytes = base.slice();
      const len = 1 + int(64), at = int(Math.max(1, bytes.length));
      for (let i = at; i < Math.min(bytes.length, at + len); i++) bytes[i] = int(256);
      break;
    }
    case "insert-run": {
      const len = 1 + int(64), at = int(base.length + 1);
      const run = Uint8Array.from({ length: len }, () => int(256));
      bytes = new Uint8Array(base.length + len);
      bytes.set(base.subarray(0, at));
      bytes.set(run, at);
      bytes.set(base.subarray(at), at + len);
      break;
    }
    case "delete-run": {
      const len = 1 + int(256), at = int(base.length + 1);
      bytes = new Uint8Array(Math.max(0, base.length - Math.min(len, base.length - at)));
      bytes.set(base.subarray(0, at));
      bytes.set(base.subarray(Math.min(base.length, at + len)), at);
      break;
    }
    case "duplicate-lines": {
      // Repeat a random line many times (stress for row pre-sizing and counters). Built on
      // bytes: the same cases as splitting latin1 text on "\n", without the string copies.
      const starts = [0];
      for (let at = base.indexOf(10); at >= 0; at = base.indexOf(10, at + 1)) starts.push(at + 1);
      const k = int(starts.length);
      const times = 1 + int(2000);
      const lineStart = starts[k];
      const lineEnd = k + 1 < starts.length ? starts[k + 1] : base.length; // includes its "\n"
      const line = base.subarray(lineStart, lineEnd);
      const last = k + 1 >= starts.length; // the last line has no "\n" of its own
      const unit = last ? line.length + 1 : line.length;
      bytes = new Uint8Array(base.length + times * unit);
      bytes.set(base.subarray(0, lineStart), 0);
      let at = lineStart;
      for (let t = 0; t < times; t++) {
        bytes.set(line, at);
        at += line.length;
        if (last) bytes[at++] = 10;
      }
      bytes.set(base.subarray(lineStart), at);
      break;
    }
    default: // truncate+flips
      bytes = flips(base.slice(0, int(base.length + 1)));
  }
  return { format, index, mutation, fixture: fx.name, fileName: fx.name.split("/").pop()!, bytes };
}

/** Outcome of one case. */
export interface CaseResult {
  status: "ok" | "parse-error" | "failure";
  /** Milliseconds spent in `parse`. */
  ms: number;
  /** For failures: the exception (name and message). */
  detail?: string;
}

/**
 * Run one case: `parse` must return or throw a `ParseError` (a `SyntaxError` subclass). Any
 * other exception is a failure, and so is a result whose row count exceeds the input size (a
 * row needs at least one byte) or whose arrays disagree with `length`.
 */
export function runCase(parser: FormatParser, c: FuzzCase): CaseResult {
  const t0 = performance.now();
  try {
    const rec = parser.parse(c.bytes, { fileName: c.fileName });
    const ms = performance.now() - t0;
    const s = rec.series;
    if (s) {
      if (s.length > c.bytes.length) {
        return {
          status: "failure",
          ms,
          detail: `runaway result: ${s.length} rows from ${c.bytes.length} bytes`,
        };
      }
      for (const k of ["time_s", "voltage_V", "current_A", "step_index", "cycle_index"] as const) {
        if (s[k].length !== s.length) {
          return {
            status: "failure",
            ms,
            detail: `column ${k} has ${s[k].length} rows, length is ${s.length}`,
          };
        }
      }
    }
    return { status: "ok", ms };
  } catch (error) {
    const ms = performance.now() - t0;
    if (error instanceof ParseError && error instanceof SyntaxError) {
      return { status: "parse-error", ms };
    }
    const e = error as Error;
    return {
      status: "failure",
      ms,
      detail: `${e?.name ?? typeof error}: ${String(e?.message ?? error).slice(0, 300)}${
        e?.stack ? "\n" + e.stack.split("\n").slice(1, 4).join("\n") : ""
      }`,
    };
  }
}

/** Read every fixture under `tests/fixtures/` (README files excepted), sorted by name. */
export function readFixtures(root: string): Fixture[] {
  const out: Fixture[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
      const p = `${dir}/${e.name}`, r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) walk(p, r);
      else if (e.isFile && !/README/i.test(e.name)) {
        out.push({ name: r, bytes: Deno.readFileSync(p) });
      }
    }
  };
  walk(root, "");
  return out;
}
