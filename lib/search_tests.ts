// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The one test search, used by `search_tests` and the dashboard: filters are AND-combined; a
 * sample name or chemistry that matches nothing gives no results (never all); the date range is
 * inclusive of both days (the original excluded the end day after 00:00). Filters on the numbers
 * read the stored analysis (`analysis.summary`), so the search and every table agree.
 *
 * @module
 */

import { FLAG_CODES, PROTOCOL_KINDS, type ProtocolKind } from "../analysis/analyze_test.ts";
import { SUMMARY_NUMBER_FIELDS, type SummaryNumberField } from "./store/documents.ts";
import type { Sample, TestListing, TestResult, TestType } from "./store/documents.ts";
import {
  type Store,
  type SummaryCondition,
  TEST_SORT_KEYS,
  type TestFilter,
  type TestSortKey,
} from "./store/store.ts";

/** The numeric fields of `analysis.summary` a search can compare (indexed by the stores). */
export { SUMMARY_NUMBER_FIELDS, type SummaryNumberField } from "./store/documents.ts";
export type { SummaryCondition } from "./store/store.ts";

/** Keys a search can sort by (the store's: test fields, the sample's, the summary numbers). */
export const SORT_KEYS = TEST_SORT_KEYS;

/** A sort key. */
export type SortKey = TestSortKey;

/** What {@link searchTests} looks for. Empty strings count as absent. */
export interface TestQuery {
  /** Exact sample name. */
  sample?: string;
  /** Part of the sample's chemistry, any case (`"nmc"` matches `"NMC811/Gr"`). */
  chemistry?: string;
  /** First day (`YYYY-MM-DD`, UTC) of the start-time range, inclusive. */
  from?: string;
  /** Last day (`YYYY-MM-DD`, UTC) of the start-time range, inclusive. */
  to?: string;
  /** A tag the test carries. */
  tag?: string;
  /** Tags the test carries (all of them). */
  tags?: string[];
  /** Tags of which the test carries at least one. */
  any_tags?: string[];
  /** Tags the test must not carry. */
  exclude_tags?: string[];
  /**
   * Free text: every word (any case) must occur — at the start or anywhere — in the test's name,
   * id, cell code, tester, tags, file names or source path, or its sample's name or chemistry.
   */
  text?: string;
  /** Instrument maker, any case (`"arbin"` matches `"Arbin"`). */
  tester?: string;
  /** Kind of test. */
  test_type?: TestType;
  /** Exact cell code. */
  cell_code?: string;
  /** Protocol the analysis detected. */
  protocol?: ProtocolKind;
  /** Flag codes the analysis raised (all of them; see `FLAG_CODES`). */
  flags?: string[];
  /** Conditions on the analysis's headline numbers (all must hold; a missing number fails). */
  where?: SummaryCondition[];
  /** At most this many tests (after all filters, in the sort order). */
  limit?: number;
  /** Skip this many tests first (paging). @default {0} */
  offset?: number;
  /**
   * Sort key: a {@link SORT_KEYS} entry; tests without the value come last either way.
   * @default {"start_time"}
   */
  sort?: SortKey;
  /** Sort direction. @default {"asc"} */
  order?: "asc" | "desc";
  /** Omit the per-cycle tables (`cycles`, `analysis.cycles`). @default {false} */
  without_cycles?: boolean;
  /**
   * Tests whose stored analysis has a fade analysis (`true`), or has none (`false`: a protocol
   * without fade, flat retention, or no analysis).
   */
  has_fade?: boolean;
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

const OPS: Record<SummaryCondition["op"], (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "=": (a, b) => a === b,
};

/**
 * A condition written as `FIELD OP VALUE` (`capacity_retention<0.8`, `cycle_count >= 100`),
 * as `search_tests --where` and the dashboard take it.
 *
 * @param text The condition.
 * @returns It, checked.
 * @throws {RangeError} For an unknown field or operator, or a value that is not a number.
 *
 * @example Usage
 * ```ts
 * import { parseSummaryCondition } from "./search_tests.ts";
 * import { deepEqual, throws } from "node:assert/strict";
 *
 * deepEqual(parseSummaryCondition("capacity_retention<0.8"), {
 *   field: "capacity_retention", op: "<", value: 0.8,
 * });
 * throws(() => parseSummaryCondition("retention<0.8"), /unknown field "retention"/);
 * ```
 */
export function parseSummaryCondition(text: string): SummaryCondition {
  const m = /^\s*([a-z_0-9]+)\s*(<=|>=|<|>|=)\s*([^\s].*?)\s*$/i.exec(text);
  if (!m) {
    throw new RangeError(
      `Cannot search tests: "${text}" is not FIELD OP VALUE (e.g. capacity_retention<0.8)`,
    );
  }
  const field = m[1] as SummaryNumberField;
  if (!SUMMARY_NUMBER_FIELDS.includes(field)) {
    throw new RangeError(
      `Cannot search tests: unknown field "${m[1]}" (use ${SUMMARY_NUMBER_FIELDS.join(", ")})`,
    );
  }
  const value = Number(m[3]);
  if (m[3].trim() === "" || !Number.isFinite(value)) {
    throw new RangeError(`Cannot search tests: "${m[3]}" in "${text}" is not a number`);
  }
  return { field, op: m[2] as SummaryCondition["op"], value };
}

function checkQuery(q: TestQuery): void {
  for (const code of q.flags ?? []) {
    if (!Object.hasOwn(FLAG_CODES, code)) {
      throw new RangeError(
        `Cannot search tests: unknown flag code "${code}" (use ${
          Object.keys(FLAG_CODES).join(", ")
        })`,
      );
    }
  }
  if (q.protocol !== undefined && !(PROTOCOL_KINDS as readonly string[]).includes(q.protocol)) {
    throw new RangeError(
      `Cannot search tests: unknown protocol "${q.protocol}" (use ${PROTOCOL_KINDS.join(", ")})`,
    );
  }
  for (const c of q.where ?? []) {
    if (!SUMMARY_NUMBER_FIELDS.includes(c.field) || !OPS[c.op] || !Number.isFinite(c.value)) {
      throw new RangeError(`Cannot search tests: bad condition ${JSON.stringify(c)}`);
    }
  }
  if (q.limit !== undefined && !(Number.isInteger(q.limit) && q.limit >= 0)) {
    throw new RangeError(`Cannot search tests: limit must be an integer ≥ 0, got ${q.limit}`);
  }
  if (q.offset !== undefined && !(Number.isInteger(q.offset) && q.offset >= 0)) {
    throw new RangeError(`Cannot search tests: offset must be an integer ≥ 0, got ${q.offset}`);
  }
  if (q.sort !== undefined && !(SORT_KEYS as readonly string[]).includes(q.sort)) {
    throw new RangeError(
      `Cannot search tests: unknown sort key "${q.sort}" (use ${SORT_KEYS.join(", ")})`,
    );
  }
  if (q.order !== undefined && q.order !== "asc" && q.order !== "desc") {
    throw new RangeError(`Cannot search tests: order must be "asc" or "desc", got "${q.order}"`);
  }
}

/**
 * Find tests by sample, chemistry, start-date range, tags, tester, test type, cell code, and by
 * their stored analysis: protocol, flag codes and conditions on the headline numbers. Sorted by
 * start time (tests without one last).
 *
 * @param store The store.
 * @param query The filters (all optional).
 * @returns The matching tests with their samples.
 * @throws {RangeError} For a malformed date, a range that ends before it starts, an unknown flag
 *   code, protocol or summary field.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { searchTests } from "./search_tests.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const cell = await store.samples.create({ name: "CN1", chemistry: "NMC811/Gr" });
 * await store.tests.create({
 *   sample_id: cell.id, tester: "Arbin", name: "t1", file_hash: "a".repeat(64),
 *   start_time: "2024-01-31T23:00:00.000Z",
 * });
 * equal((await searchTests(store, { chemistry: "nmc", to: "2024-01-31", tester: "arbin" })).length, 1);
 * equal((await searchTests(store, { chemistry: "LFP" })).length, 0);
 * // Without a stored analysis, no number can satisfy a condition.
 * equal((await searchTests(store, { where: [{ field: "cycle_count", op: ">=", value: 0 }] })).length, 0);
 * await store.close();
 * ```
 */
export async function searchTests(store: Store, query: TestQuery = {}): Promise<TestMatch[]> {
  const built = await storeFilter(store, query);
  if (!built) return [];
  const tests = await store.tests.find(built.filter);
  return withSamples(store, tests, built.samples);
}

/** The samples of tests (read once each), as matches. */
async function withSamples<T extends { sample_id: string }>(
  store: Store,
  tests: T[],
  samples: Map<string, Sample | null>,
): Promise<{ test: T; sample: Sample | null }[]> {
  for (const t of tests) {
    if (!samples.has(t.sample_id)) samples.set(t.sample_id, await store.samples.get(t.sample_id));
  }
  return tests.map((test) => ({ test, sample: samples.get(test.sample_id) ?? null }));
}

/**
 * The store filter of a {@link searchTests} query, or `null` when no test can match (an unknown
 * sample name, a chemistry no sample has): for the store's aggregates over the same tests
 * (`tests.stats`, `tests.numbers`, `tests.count`).
 *
 * @param store The store.
 * @param query The filters (sort and page kept).
 * @returns The store filter, or `null`.
 * @throws {RangeError} As {@link searchTests}.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { searchFilter } from "./search_tests.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const cell = await store.samples.create({ name: "CN1", chemistry: "NMC811/Gr" });
 * await store.tests.create({
 *   sample_id: cell.id, tester: "Arbin", name: "t1", file_hash: "a".repeat(64),
 * });
 * const filter = await searchFilter(store, { chemistry: "nmc", tester: "ARBIN" });
 * equal((await store.tests.stats(filter!, { by: ["tester"] })).groups.tester![0].count, 1);
 * // No sample has this chemistry: no test can match.
 * equal(await searchFilter(store, { chemistry: "LFP" }), null);
 * await store.close();
 * ```
 */
export async function searchFilter(
  store: Store,
  query: TestQuery = {},
): Promise<TestFilter | null> {
  return (await storeFilter(store, query))?.filter ?? null;
}

/**
 * The store filter of a query (and the samples read on the way), or `null` when no test can
 * match (an unknown sample name, a chemistry no sample has).
 */
async function storeFilter(
  store: Store,
  query: TestQuery,
): Promise<{ filter: TestFilter; samples: Map<string, Sample | null> } | null> {
  const q = Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== ""),
  ) as TestQuery;
  checkQuery(q);
  const filter: TestFilter = {};
  const samples = new Map<string, Sample | null>();
  let sampleIds: string[] | null = null;
  if (q.sample !== undefined) {
    const sample = await store.samples.getByName(q.sample);
    if (!sample) return null;
    samples.set(sample.id, sample);
    sampleIds = [sample.id];
  }
  if (q.chemistry !== undefined) {
    const needle = q.chemistry.toLowerCase();
    const matching = (await store.samples.find()).filter((s) =>
      s.chemistry?.toLowerCase().includes(needle)
    );
    for (const s of matching) samples.set(s.id, s);
    const ids = matching.map((s) => s.id);
    sampleIds = sampleIds === null ? ids : sampleIds.filter((id) => ids.includes(id));
    if (sampleIds.length === 0) return null;
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
  const tags = [...(q.tag !== undefined ? [q.tag] : []), ...(q.tags ?? [])];
  if (tags.length) filter.tags = [...new Set(tags)];
  if (q.test_type !== undefined) filter.test_type = q.test_type;
  if (q.cell_code !== undefined) filter.cell_code = q.cell_code;
  if (q.without_cycles) filter.without_cycles = true;
  // Every other condition is answered by the store (indexed columns), and so is the limit.
  if (q.tester !== undefined) filter.tester_any_case = q.tester;
  if (q.protocol !== undefined) filter.protocol = q.protocol;
  if (q.flags?.length) filter.flags = q.flags;
  if (q.where?.length) filter.summary = q.where;
  if (q.any_tags?.length) filter.any_tags = [...new Set(q.any_tags)];
  if (q.exclude_tags?.length) filter.exclude_tags = [...new Set(q.exclude_tags)];
  if (q.text !== undefined && q.text.trim() !== "") filter.text = q.text;
  if (q.has_fade !== undefined) filter.has_fade = q.has_fade;
  if (q.sort !== undefined || q.order !== undefined) {
    filter.sort = { key: q.sort ?? "start_time", order: q.order ?? "asc" };
  }
  if (q.limit !== undefined) filter.limit = q.limit;
  if (q.offset !== undefined) filter.skip = q.offset;
  return { filter, samples };
}

/** A listed match: the test as lists show it (`tests.list`) and its sample. */
export interface TestListingMatch {
  /** The test, without its per-cycle tables and the bulky parts of its analysis. */
  test: TestListing;
  /** Its sample, or `null` when the link is broken. */
  sample: Sample | null;
}

/** A page of matches and how many there are in all. */
export interface TestSearchPage {
  /** Matches of all pages. */
  total: number;
  /** The tests of this page, in the sort order. */
  matches: TestListingMatch[];
}

/**
 * One page of a {@link searchTests} search (`offset`, `limit`, `sort`, `order` of the query)
 * and the number of matches over all pages: what a paginated list shows. The store filters,
 * sorts and pages (its index); the tests come as listings (`tests.list`: headline numbers,
 * flags, no per-cycle tables), light enough for lists of many tests.
 *
 * @param store The store.
 * @param query Filters, sort and page.
 * @returns The page and the total.
 * @throws {RangeError} As {@link searchTests}.
 *
 * @example
 * ```ts
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { searchTestsPage } from "./search_tests.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const cell = await store.samples.create({ name: "Zn symmetric 4" });
 * for (const [i, name] of ["c", "a", "b"].entries()) {
 *   await store.tests.create({
 *     sample_id: cell.id, tester: "Arbin", name, file_hash: String(i).repeat(64),
 *   });
 * }
 * const page = await searchTestsPage(store, { text: "zn sym", sort: "name", limit: 2 });
 * equal(page.total, 3);
 * deepEqual(page.matches.map((m) => m.test.name), ["a", "b"]);
 * await store.close();
 * ```
 */
export async function searchTestsPage(
  store: Store,
  query: TestQuery = {},
): Promise<TestSearchPage> {
  const built = await storeFilter(store, { ...query, sort: query.sort ?? "start_time" });
  if (!built) return { total: 0, matches: [] };
  const { limit: _limit, skip: _skip, ...all } = built.filter;
  const [total, tests] = await Promise.all([
    store.tests.count(all),
    store.tests.list(built.filter),
  ]);
  return { total, matches: await withSamples(store, tests, built.samples) };
}
