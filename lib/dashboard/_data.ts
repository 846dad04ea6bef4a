// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Store reads and per-test analyses shared by the pages. Every number a page shows about a test
 * (retention, fade, efficiencies, capacities, end of life, knee, flags) comes from the analysis
 * stored with the test (`test.analysis`, computed at import by `analyzeTest`), the same one every
 * other surface reads; a page never composes the analysis primitives itself.
 */

import type { TestAnalysis, TestSummary } from "../../analysis/analyze_test.ts";
import { testAnalysisOf } from "../analyze/test_analysis_of.ts";
import type { Sample, TestListing, TestResult } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { HttpError } from "./_context.ts";

const cache = new Map<string, unknown>();
const CACHE_LIMIT = 4000;

function cached<T>(key: string, compute: () => T): T {
  if (cache.has(key)) return cache.get(key) as T;
  const value = compute();
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/** Why a test has no stored analysis (`null` when it has one). */
export function analysisNote(
  test: Pick<TestResult, "metadata"> & { analysis: unknown },
): string | null {
  if (test.analysis) return null;
  const error = test.metadata?.analysis_error;
  return typeof error === "string" ? error : "not analysed yet: run migrate (deno task migrate)";
}

/** The stored analysis of a test as an object (tables, plots), or `null`. */
export function storedAnalysisOf(test: TestResult): TestAnalysis | null {
  if (!test.analysis) return null;
  return cached(`analysis:${test.id}:${test.updated_at}`, () => testAnalysisOf(test.analysis!));
}

/** Samples by id. */
export async function sampleMap(store: Store): Promise<Map<string, Sample>> {
  return new Map((await store.samples.find()).map((s) => [s.id, s]));
}

/** A test as lists show it (no per-cycle tables, the analysis's head) with its sample. */
export interface ListingRow {
  /** The test. */
  test: TestListing;
  /** Its sample, or `null`. */
  sample: Sample | null;
}

/**
 * Every test as lists show it (`tests.list`), with its sample: what lists and aggregates over
 * the whole store read (the stored analysis's summary and flags are there).
 */
export async function listingRows(store: Store): Promise<ListingRow[]> {
  const [tests, samples] = await Promise.all([store.tests.list(), sampleMap(store)]);
  return tests.map((test) => ({ test, sample: samples.get(test.sample_id) ?? null }));
}

/** Headline numbers compared to find similar tests and samples. */
export const SIMILARITY_FIELDS: readonly (keyof TestSummary)[] = [
  "initial_capacity_Ah",
  "capacity_retention",
  "fade_per_100_cycles",
  "mean_coulombic_efficiency",
  "mean_energy_efficiency",
  "median_internal_resistance_ohm",
  "counted_cycle_count",
];

/**
 * The rows to find tests similar to `query` among: the features the query has a number for, and
 * the tests (of its protocol) that have a number for each of them — so one test without an
 * energy efficiency does not remove that feature for every comparison.
 */
export function similarityRows(
  rows: readonly { test: TestListing }[],
  query: TestListing,
): { id: string; features: Record<string, number | null> }[] {
  const own = summaryFeatures(query);
  if (!own) return [];
  const keys = Object.keys(own).filter((k) => typeof own[k] === "number");
  const protocol = query.analysis!.summary.protocol;
  const out: { id: string; features: Record<string, number | null> }[] = [];
  for (const r of rows) {
    if (r.test.analysis?.summary.protocol !== protocol) continue;
    const f = summaryFeatures(r.test)!;
    if (keys.every((k) => typeof f[k] === "number")) {
      out.push({ id: r.test.id, features: Object.fromEntries(keys.map((k) => [k, f[k]])) });
    }
  }
  return out;
}

/** The similarity features of a listed test (its summary's numbers), or `null` without analysis. */
export function summaryFeatures(test: TestListing): Record<string, number | null> | null {
  const s = test.analysis?.summary;
  if (!s) return null;
  return Object.fromEntries(SIMILARITY_FIELDS.map((k) => [k, s[k] as number | null]));
}

/**
 * Why a test's retention cannot be overlaid with others' (`null` when it can): it was not
 * analysed, has no counted cycles, or none with discharge capacity.
 */
export function retentionNote(
  test: Pick<TestResult, "metadata"> & {
    analysis: { summary: TestSummary } | null;
  },
): string | null {
  const s = test.analysis?.summary;
  if (!s) return `not analysed: ${analysisNote(test)}`;
  if (s.cycle_count === 0) return "no cycles";
  if (s.counted_cycle_count === 0) return "no counted cycles";
  if (s.capacity_retention === null) return "no counted cycle with discharge capacity";
  return null;
}

/** A test by id, or a 404. */
export async function requireTest(store: Store, id: string): Promise<TestResult> {
  const test = await store.tests.get(id);
  if (!test) throw new HttpError(404, `No test with id "${id}"`);
  return test;
}

/** Display name of a test: its name, and the sample name when it differs. */
export function testLabel(
  row: { test: { name: string }; sample: { name: string } | null },
): string {
  const s = row.sample?.name;
  return s && s !== row.test.name ? `${row.test.name} (${s})` : row.test.name;
}

/** Unique display names for several tests (the id is appended to repeated names). */
export function uniqueLabels(
  rows: readonly { test: { id: string; name: string }; sample: { name: string } | null }[],
): string[] {
  const labels = rows.map(testLabel);
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return labels.map((l, i) => (counts.get(l)! > 1 ? `${l} [${rows[i].test.id}]` : l));
}
