// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The test search of the original `search_tests` tool, over any {@link Store}: filters are
 * AND-combined; a sample name or chemistry that matches nothing gives no results (never all);
 * the date range is inclusive of both days (the original excluded the end day after 00:00).
 *
 * @module
 */

import type { Sample, TestResult, TestType } from "./store/documents.ts";
import type { Store, TestFilter } from "./store/store.ts";

/** What {@link searchTests} looks for. Empty strings count as absent. */
export interface TestQuery {
  /** Exact sample name. */
  sample?: string;
  /** Exact chemistry of the sample. */
  chemistry?: string;
  /** First day (`YYYY-MM-DD`, UTC) of the start-time range, inclusive. */
  from?: string;
  /** Last day (`YYYY-MM-DD`, UTC) of the start-time range, inclusive. */
  to?: string;
  /** A tag the test carries. */
  tag?: string;
  /** Instrument maker (`"Arbin"`). */
  tester?: string;
  /** Kind of test. */
  test_type?: TestType;
  /** Exact cell code. */
  cell_code?: string;
  /** Omit the per-cycle summaries. @default {false} */
  without_cycles?: boolean;
}

/** One match: the test and its sample. */
export interface TestMatch {
  /** The test. */
  test: TestResult;
  /** Its sample, or `null` when the link is broken. */
  sample: Sample | null;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function day(text: string, what: string): Date {
  const m = DAY.exec(text);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
  if (!d || d.toISOString().slice(0, 10) !== text) {
    throw new RangeError(`Cannot search tests: ${what} must be a date YYYY-MM-DD, got "${text}"`);
  }
  return d;
}

/**
 * Find tests by sample, chemistry, start-date range, tag, tester, test type and cell code,
 * sorted by start time (tests without one last).
 *
 * @param store The store.
 * @param query The filters (all optional).
 * @returns The matching tests with their samples.
 * @throws {RangeError} For a malformed date or a range that ends before it starts.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { searchTests } from "./search_tests.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const cell = await store.samples.create({ name: "CN1", chemistry: "NMC" });
 * await store.tests.create({
 *   sample_id: cell.id, tester: "Arbin", name: "t1", file_hash: "a".repeat(64),
 *   start_time: "2024-01-31T23:00:00.000Z",
 * });
 * equal((await searchTests(store, { chemistry: "NMC", to: "2024-01-31" })).length, 1);
 * equal((await searchTests(store, { chemistry: "LFP" })).length, 0);
 * await store.close();
 * ```
 */
export async function searchTests(store: Store, query: TestQuery = {}): Promise<TestMatch[]> {
  const q = Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== ""),
  ) as TestQuery;
  const filter: TestFilter = {};
  let sampleIds: string[] | null = null;
  if (q.sample !== undefined) {
    const sample = await store.samples.getByName(q.sample);
    if (!sample) return [];
    sampleIds = [sample.id];
  }
  if (q.chemistry !== undefined) {
    const ids = (await store.samples.find({ chemistry: q.chemistry })).map((s) => s.id);
    sampleIds = sampleIds === null ? ids : sampleIds.filter((id) => ids.includes(id));
    if (sampleIds.length === 0) return [];
  }
  if (sampleIds !== null) filter.sample_ids = sampleIds;
  const from = q.from !== undefined ? day(q.from, "from") : null;
  const to = q.to !== undefined ? day(q.to, "to") : null;
  if (from && to && to < from) {
    throw new RangeError(
      `Cannot search tests: the range ends (${q.to}) before it starts (${q.from})`,
    );
  }
  if (from) filter.started_from = from.toISOString();
  if (to) filter.started_before = new Date(to.getTime() + 86_400_000).toISOString();
  if (q.tag !== undefined) filter.tags = [q.tag];
  if (q.tester !== undefined) filter.tester = q.tester;
  if (q.test_type !== undefined) filter.test_type = q.test_type;
  if (q.cell_code !== undefined) filter.cell_code = q.cell_code;
  if (q.without_cycles) filter.without_cycles = true;
  const tests = await store.tests.find(filter);
  const samples = new Map<string, Sample | null>();
  for (const t of tests) {
    if (!samples.has(t.sample_id)) samples.set(t.sample_id, await store.samples.get(t.sample_id));
  }
  return tests.map((test) => ({ test, sample: samples.get(test.sample_id) ?? null }));
}
