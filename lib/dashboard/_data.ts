// Copyright 2026 the battery-analysis authors. MIT license.

/** Store reads and per-test analyses shared by the pages (analyses cached per test version). */

import { analyzeFade, type FadeAnalysis } from "../../analysis/fade.ts";
import { type TestFeatures, testFeatures } from "../../analysis/test_features.ts";
import type { Sample, TestResult } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { HttpError } from "./_context.ts";

/** A test with its sample and, for cycling data, its features. */
export interface TestRow {
  /** The test. */
  test: TestResult;
  /** Its sample, or `null`. */
  sample: Sample | null;
  /** Features, or `null` when its cycles give none (no discharge capacity). */
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

/**
 * The cycles of a test that fade analyses use: a last cycle cut short by the end of the
 * recording (`complete: false`, marked by `summarizeCycles`) is left out, as `analyze` does.
 */
export function completeCycles(test: TestResult): TestResult["cycles"] {
  return test.cycles.filter((c) => c.complete !== false);
}

/** Features of a test's complete cycles, or the reason there are none. */
export function featuresOf(
  test: TestResult,
): { features: TestFeatures | null; error: string | null } {
  return cached(`features:${test.id}:${test.updated_at}`, () => {
    if (test.cycles.length === 0) return { features: null, error: "no cycles" };
    try {
      return { features: testFeatures(completeCycles(test)), error: null };
    } catch (err) {
      if (err instanceof RangeError) return { features: null, error: err.message };
      throw err;
    }
  });
}

/**
 * The fade analysis of a test's complete cycles at an end-of-life threshold, or the reason
 * there is none.
 */
export function fadeOf(
  test: TestResult,
  threshold = 0.8,
): { fade: FadeAnalysis | null; error: string | null } {
  return cached(`fade:${test.id}:${test.updated_at}:${threshold}`, () => {
    if (test.cycles.length === 0) return { fade: null, error: "no cycles" };
    try {
      return { fade: analyzeFade(completeCycles(test), { threshold }), error: null };
    } catch (err) {
      if (err instanceof RangeError) return { fade: null, error: err.message };
      throw err;
    }
  });
}

/** Samples by id. */
export async function sampleMap(store: Store): Promise<Map<string, Sample>> {
  return new Map((await store.samples.find()).map((s) => [s.id, s]));
}

/** Rows for tests (with their samples and features). */
export function testRows(tests: readonly TestResult[], samples: Map<string, Sample>): TestRow[] {
  return tests.map((test) => {
    const f = featuresOf(test);
    return {
      test,
      sample: samples.get(test.sample_id) ?? null,
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
