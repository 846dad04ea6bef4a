// Copyright 2026 the battery-analysis authors. MIT license.
// Documents as the MongoDB store keeps them: `id` as `_id`, keys and nested arrays encoded
// (`_mongo_encoding.ts`), private `_`-prefixed index fields beside the public ones, and the
// projections lists read tests with.

import type { Document } from "npm:mongodb@6.22.0";
import { ANALYSIS_DETAIL_FIELDS, SUMMARY_NUMBER_FIELDS, type TestResult } from "./documents.ts";
import type { Chunk } from "./_columnar.ts";
import { decodeDocument, encodeDocument } from "./_mongo_encoding.ts";
import { hasFade, lastDataMs, randomKey, testSearchText } from "./_test_query.ts";
import { lastCycleEnd } from "./_shared.ts";

/** A document as stored: string `_id` plus fields. */
export interface Doc extends Document {
  _id: string;
}

/** Sort key for tests without a start time: after every ISO date. */
export const NO_START = "~";

/**
 * A unique-index violation. MongoDB says code 11000; FerretDB 1.24 says so for inserts but
 * answers an update that breaks a unique index with code 1 and "UNIQUE constraint failed".
 */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: number; message?: string };
  return e?.code === 11000 || /UNIQUE constraint failed|E11000/.test(e?.message ?? "");
}

/** Projection of a listing without cycles: neither the cycles nor the analysis's cycle table. */
export const LIGHT_TEST = { projection: { cycles: 0, "analysis.cycles": 0 } };

/**
 * Projection of `tests.list`: no cycles (writers keep the end of the last one in `_end_time_s`)
 * and the analysis without its bulky parts.
 */
export const LISTED_TEST = {
  projection: {
    cycles: 0,
    ...Object.fromEntries(ANALYSIS_DETAIL_FIELDS.map((f) => [`analysis.${f}`, 0])),
  },
};

/** A test read with {@link LIGHT_TEST}: its cycle tables empty, as the type says. */
export function lightened(test: TestResult, withCycles: boolean): TestResult {
  if (!withCycles) {
    test.cycles = [];
    if (test.analysis) test.analysis.cycles = [];
  }
  return test;
}

/** A stored document without its `_id` and private (`_`-prefixed) fields, with `id`. */
export function fromDoc<T>(doc: Doc | null): T | null {
  if (!doc) return null;
  const out: Record<string, unknown> = { id: doc._id };
  for (const [key, value] of Object.entries(doc)) {
    if (!key.startsWith("_")) out[key] = value;
  }
  return decodeDocument(out) as T;
}

/** Id of a stored chunk: deterministic, so readers fetch chunks by `_id`. */
export function chunkId(
  testId: string,
  version: string,
  c: Pick<Chunk, "kind" | "seq" | "chunk" | "column">,
): string {
  return `${testId}:${version}:${c.kind}:${c.seq}:${c.chunk}:${c.column}`;
}

/** A public document as stored: `id` becomes `_id`. */
export function toDoc<T extends { id: string }>(
  value: T,
  extra: Record<string, unknown> = {},
): Doc {
  const { id, ...rest } = value;
  return { _id: id, ...encodeDocument(rest), ...extra };
}

/** Resolve after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Fields kept beside a test's document for queries (stripped on read, like every `_` field):
 * lower-case tester and free-text search text, the analysis's protocol and flags, and per sort
 * key its value (`_k`) and whether it is missing (`_kn`, 1 = missing: sorted last).
 */
export function indexFields(test: TestResult): Record<string, unknown> {
  const s = test.analysis?.summary ?? null;
  const k: Record<string, string | number | null> = {
    start_time: test.start_time,
    name: test.name.toLowerCase(),
    tester: test.tester.toLowerCase(),
    test_type: test.test_type,
    cell_code: test.cell_code || null,
    protocol: s?.protocol ?? null,
    flag_count: s ? s.flag_codes.length : null,
    last_data_time: lastDataMs(test.start_time, lastCycleEnd(test.cycles)),
    random: randomKey(test.id),
  };
  for (const f of SUMMARY_NUMBER_FIELDS) {
    const v = s?.[f];
    k[f] = typeof v === "number" && Number.isFinite(v) ? v : null;
  }
  return {
    _tester_lc: test.tester.toLowerCase(),
    _search: testSearchText(test),
    _protocol: s?.protocol ?? null,
    _flags: s ? [...s.flag_codes] : [],
    _has_fade: hasFade(test),
    _k: k,
    _kn: Object.fromEntries(Object.entries(k).map(([key, v]) => [key, v === null ? 1 : 0])),
  };
}

/** `text` as a regular expression matching itself. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
