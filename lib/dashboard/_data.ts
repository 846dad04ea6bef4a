// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Store reads and per-test analyses shared by the pages. Every number a page shows about a test
 * (retention, fade, efficiencies, capacities, end of life, knee, flags) comes from the analysis
 * stored with the test (`test.analysis`, computed at import by `analyzeTest`), the same one every
 * other surface reads; a page never composes the analysis primitives itself.
 */

import { type TestAnalysis, type TestAnalysisData } from "../../analysis/analyze_test.ts";
import type { FadeAnalysis } from "../../analysis/fade.ts";
import { type TestFeatures, testFeatures } from "../../analysis/test_features.ts";
import { analyzeStoredTest } from "../analyze/analyze_stored_test.ts";
import { testAnalysisOf } from "../analyze/test_analysis_of.ts";
import type { Sample, TestResult } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { HttpError } from "./_context.ts";

/** A test with its sample and stored analysis. */
export interface TestRow {
  /** The test. */
  test: TestResult;
  /** Its sample, or `null`. */
  sample: Sample | null;
  /** Its stored analysis, or `null` (see {@link analysisNote}). */
  analysis: TestAnalysisData | null;
  /**
   * Features of its counted cycles (for outliers, similarity and the fade drivers), or `null`
   * when there are none.
   */
  features: TestFeatures | null;
  /** Why there are no features. */
  featureError: string | null;
}

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
export function analysisNote(test: TestResult): string | null {
  if (test.analysis) return null;
  const error = test.metadata?.analysis_error;
  return typeof error === "string" ? error : "not analysed yet: run migrate (deno task migrate)";
}

/**
 * Features of a test's counted cycles (the stored analysis's cycles, with their roles), or the
 * reason there are none.
 */
export function featuresOf(
  test: TestResult,
): { features: TestFeatures | null; error: string | null } {
  return cached(`features:${test.id}:${test.updated_at}`, () => {
    const a = test.analysis;
    if (!a) return { features: null, error: analysisNote(test) };
    if (a.cycles.length === 0) return { features: null, error: "no cycles" };
    try {
      return {
        features: testFeatures(a.cycles, {
          metric: a.options.metric,
          ...(a.reference ? { referenceCycle: a.reference.cycle } : {}),
          threshold: a.options.threshold,
        }),
        error: null,
      };
    } catch (err) {
      if (err instanceof RangeError) return { features: null, error: err.message };
      throw err;
    }
  });
}

/** The stored analysis of a test as an object (tables, plots), or `null`. */
export function storedAnalysisOf(test: TestResult): TestAnalysis | null {
  if (!test.analysis) return null;
  return cached(`analysis:${test.id}:${test.updated_at}`, () => testAnalysisOf(test.analysis!));
}

/**
 * The analysis of a test at an end-of-life threshold: the stored one at its own threshold;
 * at another, the same analysis computed again with only the threshold changed (the test's other
 * stored options kept), not stored.
 */
export async function analysisAt(
  store: Store,
  test: TestResult,
  threshold: number,
): Promise<{ analysis: TestAnalysis | null; note: string | null }> {
  const stored = storedAnalysisOf(test);
  if (!stored) return { analysis: null, note: analysisNote(test) };
  if (stored.data.options.threshold === threshold) return { analysis: stored, note: null };
  const key = `analysis:${test.id}:${test.updated_at}:${threshold}`;
  if (cache.has(key)) return { analysis: cache.get(key) as TestAnalysis, note: null };
  try {
    const analysis = await analyzeStoredTest(store, test.id, { threshold });
    cached(key, () => analysis);
    return { analysis, note: null };
  } catch (err) {
    if (err instanceof RangeError) return { analysis: null, note: err.message };
    throw err;
  }
}

/** The stored fade analysis of a test (object for plots), or `null` with the reason. */
export function fadeOf(test: TestResult): { fade: FadeAnalysis | null; error: string | null } {
  const a = storedAnalysisOf(test);
  if (!a) return { fade: null, error: analysisNote(test) };
  return { fade: a.fadeAnalysis, error: a.fadeAnalysis ? null : a.data.fade_note };
}

/** Samples by id. */
export async function sampleMap(store: Store): Promise<Map<string, Sample>> {
  return new Map((await store.samples.find()).map((s) => [s.id, s]));
}

/** Rows for tests (with their samples, analyses and features). */
export function testRows(tests: readonly TestResult[], samples: Map<string, Sample>): TestRow[] {
  return tests.map((test) => {
    const f = featuresOf(test);
    return {
      test,
      sample: samples.get(test.sample_id) ?? null,
      analysis: test.analysis,
      features: f.features,
      featureError: f.error,
    };
  });
}

/** Every test with cycles, as rows. */
export async function cyclingRows(store: Store): Promise<TestRow[]> {
  const [tests, samples] = await Promise.all([store.tests.find(), sampleMap(store)]);
  return testRows(tests.filter((t) => t.cycles.length > 0), samples);
}

/** A test of a listing (no per-cycle tables) with its sample. */
export interface ListingRow {
  /** The test, without `cycles` and `analysis.cycles`. */
  test: TestResult;
  /** Its sample, or `null`. */
  sample: Sample | null;
}

/**
 * Every test without its per-cycle tables, with its sample: what lists and aggregates over the
 * whole store read (the stored analysis's summary, flags and fade data are there).
 */
export async function listingRows(store: Store): Promise<ListingRow[]> {
  const [tests, samples] = await Promise.all([
    store.tests.find({ without_cycles: true }),
    sampleMap(store),
  ]);
  return tests.map((test) => ({ test, sample: samples.get(test.sample_id) ?? null }));
}

/** A test by id, or a 404. */
export async function requireTest(store: Store, id: string): Promise<TestResult> {
  const test = await store.tests.get(id);
  if (!test) throw new HttpError(404, `No test with id "${id}"`);
  return test;
}

/** Display name of a test: its name, and the sample name when it differs. */
export function testLabel(row: { test: TestResult; sample: Sample | null }): string {
  const s = row.sample?.name;
  return s && s !== row.test.name ? `${row.test.name} (${s})` : row.test.name;
}

/** Unique display names for several tests (the id is appended to repeated names). */
export function uniqueLabels(
  rows: readonly { test: TestResult; sample: Sample | null }[],
): string[] {
  const labels = rows.map(testLabel);
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return labels.map((l, i) => (counts.get(l)! > 1 ? `${l} [${rows[i].test.id}]` : l));
}
