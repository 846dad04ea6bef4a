// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The one test search, used by `search_tests` and the dashboard: filters are AND-combined; a
 * sample name or chemistry that matches nothing gives no results (never all); the date range is
 * inclusive of both days (the original excluded the end day after 00:00). Filters on the numbers
 * read the stored analysis (`analysis.summary`), so the search and every table agree.
 *
 * @module
 */

import {
  FLAG_CODES,
  PROTOCOL_KINDS,
  type ProtocolKind,
  type TestSummary,
} from "../analysis/analyze_test.ts";
import type { Sample, TestListing, TestResult, TestType } from "./store/documents.ts";
import type { Store, TestFilter } from "./store/store.ts";

/** The numeric fields of `analysis.summary` a search can compare. */
export const SUMMARY_NUMBER_FIELDS = [
  "cycle_count",
  "counted_cycle_count",
  "reference_cycle",
  "initial_capacity_Ah",
  "final_capacity_Ah",
  "capacity_retention",
  "fade_per_100_cycles",
  "mean_coulombic_efficiency",
  "mean_energy_efficiency",
  "eol_cycle_observed",
  "eol_cycle_predicted",
  "knee_cycle",
  "median_internal_resistance_ohm",
] as const;

/** A numeric field of `analysis.summary`. */
export type SummaryNumberField = typeof SUMMARY_NUMBER_FIELDS[number];

/** A comparison of one summary number with a value. */
export interface SummaryCondition {
  /** The field (`capacity_retention`, fractions as stored). */
  field: SummaryNumberField;
  /** The comparison. */
  op: "<" | "<=" | ">" | ">=" | "=";
  /** The value, in the field's unit. */
  value: number;
}

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
   * id, sample name, cell code, tags, tester, chemistry or the names of its files.
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
  /** Skip this many tests first (paging; with {@link searchTestsPage}). @default {0} */
  offset?: number;
  /**
   * Sort key: a {@link SORT_KEYS} entry (a test field, or a summary number of the stored
   * analysis). Tests without the value come last either way. @default {"start_time"}
   */
  sort?: SortKey;
  /** Sort direction. @default {"asc"} */
  order?: "asc" | "desc";
  /** Omit the per-cycle tables (`cycles`, `analysis.cycles`). @default {false} */
  without_cycles?: boolean;
}

/** Keys a search can sort by. */
export const SORT_KEYS = [
  "start_time",
  "name",
  "sample",
  "chemistry",
  "tester",
  "test_type",
  "cell_code",
  "protocol",
  "flag_count",
  ...SUMMARY_NUMBER_FIELDS,
] as const;

/** A sort key. */
export type SortKey = typeof SORT_KEYS[number];

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

/** The texts free-text search looks in, lower-cased. */
function haystack(test: Searchable, sample: Sample | null): string[] {
  const files = [
    ...test.parts.map((p) => p.file_name),
    ...(test.source_path ? [test.source_path.split(/[\\/]/).pop()!] : []),
  ];
  return [
    test.name,
    test.id,
    sample?.name ?? "",
    sample?.chemistry ?? "",
    test.cell_code ?? "",
    test.tester,
    ...test.tags,
    ...files,
  ].map((x) => x.toLowerCase());
}

/** Whether every word of a free-text query occurs in one of the test's texts. */
function textMatches(words: readonly string[], test: Searchable, sample: Sample | null): boolean {
  const hay = haystack(test, sample);
  return words.every((w) => hay.some((h) => h.includes(w)));
}

function sortValue(
  m: { test: Searchable; sample: Sample | null },
  key: SortKey,
): string | number | null {
  const s = m.test.analysis?.summary;
  switch (key) {
    case "start_time":
      return m.test.start_time;
    case "name":
      return m.test.name.toLowerCase();
    case "sample":
      return m.sample?.name.toLowerCase() ?? null;
    case "chemistry":
      return m.sample?.chemistry?.toLowerCase() ?? null;
    case "tester":
      return m.test.tester.toLowerCase();
    case "test_type":
      return m.test.test_type;
    case "cell_code":
      return m.test.cell_code || null;
    case "protocol":
      return s?.protocol ?? null;
    case "flag_count":
      return s ? s.flag_codes.length : null;
    default: {
      const v = s?.[key];
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    }
  }
}

/** Sort matches by a key; missing values last in either direction; ties by start time, id. */
function sortMatches<M extends { test: Searchable; sample: Sample | null }>(
  matches: M[],
  key: SortKey,
  order: "asc" | "desc",
): M[] {
  const sign = order === "desc" ? -1 : 1;
  const keyed = matches.map((m) => ({ m, v: sortValue(m, key) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) {
      if (a.v !== b.v) return a.v === null ? 1 : -1;
    } else if (a.v !== b.v) return (a.v < b.v ? -1 : 1) * sign;
    const ta = a.m.test.start_time ?? "\uffff", tb = b.m.test.start_time ?? "\uffff";
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.m.test.id < b.m.test.id ? -1 : a.m.test.id > b.m.test.id ? 1 : 0;
  });
  return keyed.map((k) => k.m);
}

/** Whether a test's stored analysis passes the protocol, flag and number filters. */
function analysisMatches(test: Searchable, q: TestQuery): boolean {
  const s: TestSummary | undefined = test.analysis?.summary;
  if (q.protocol !== undefined && s?.protocol !== q.protocol) return false;
  if (q.flags?.length && !q.flags.every((f) => s?.flag_codes.includes(f as never))) return false;
  for (const c of q.where ?? []) {
    const v = s?.[c.field];
    if (typeof v !== "number" || !OPS[c.op](v, c.value)) return false;
  }
  return true;
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
export function searchTests(store: Store, query: TestQuery = {}): Promise<TestMatch[]> {
  return matchTests(store, query, (filter) => store.tests.find(filter));
}

/** The fields of a test a search reads (a full test or a listing). */
type Searchable = TestResult | TestListing;

/** The search over tests read by `read` (`find` or `list`). */
async function matchTests<T extends Searchable>(
  store: Store,
  query: TestQuery,
  read: (filter: TestFilter) => Promise<T[]>,
): Promise<{ test: T; sample: Sample | null }[]> {
  const q = Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== ""),
  ) as TestQuery;
  checkQuery(q);
  const filter: TestFilter = {};
  const samples = new Map<string, Sample | null>();
  let sampleIds: string[] | null = null;
  if (q.sample !== undefined) {
    const sample = await store.samples.getByName(q.sample);
    if (!sample) return [];
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
  const tags = [...(q.tag !== undefined ? [q.tag] : []), ...(q.tags ?? [])];
  if (tags.length) filter.tags = [...new Set(tags)];
  const anyTags = q.any_tags?.length ? new Set(q.any_tags) : null;
  const excludeTags = q.exclude_tags?.length ? new Set(q.exclude_tags) : null;
  const words = (q.text ?? "").toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (q.test_type !== undefined) filter.test_type = q.test_type;
  if (q.cell_code !== undefined) filter.cell_code = q.cell_code;
  if (q.without_cycles) filter.without_cycles = true;
  let tests = await read(filter);
  if (q.tester !== undefined) {
    const tester = q.tester.toLowerCase();
    tests = tests.filter((t) => t.tester.toLowerCase() === tester);
  }
  tests = tests.filter((t) =>
    analysisMatches(t, q) &&
    (!anyTags || t.tags.some((x) => anyTags.has(x))) &&
    (!excludeTags || !t.tags.some((x) => excludeTags.has(x)))
  );
  if (words.length && tests.length) {
    // Free text looks at sample names too: every sample, read once.
    for (const s of await store.samples.find()) if (!samples.has(s.id)) samples.set(s.id, s);
  }
  for (const t of tests) {
    if (!samples.has(t.sample_id)) samples.set(t.sample_id, await store.samples.get(t.sample_id));
  }
  let matches = tests.map((test) => ({ test, sample: samples.get(test.sample_id) ?? null }));
  if (words.length) matches = matches.filter((m) => textMatches(words, m.test, m.sample));
  if (q.sort !== undefined || q.order !== undefined) {
    matches = sortMatches(matches, q.sort ?? "start_time", q.order ?? "asc");
  }
  const offset = q.offset ?? 0;
  return matches.slice(offset, q.limit !== undefined ? offset + q.limit : undefined);
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
 * and the number of matches over all pages: what a paginated list shows. The tests come as
 * listings (`tests.list`: headline numbers, flags, no per-cycle tables), light enough for a
 * store of many tests.
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
  const { limit, offset, ...all } = query;
  checkQuery({ limit, offset });
  const matches = await matchTests(
    store,
    { ...all, sort: all.sort ?? "start_time" },
    (filter) => store.tests.list(filter),
  );
  const from = offset ?? 0;
  return {
    total: matches.length,
    matches: matches.slice(from, limit !== undefined ? from + limit : undefined),
  };
}
