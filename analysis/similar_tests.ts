// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { featureMatrix, type FeatureRow } from "./_feature_matrix.ts";

/** Options of {@link similarTests}. */
export interface SimilarTestsOptions {
  /** Number of neighbours returned. @default {5} */
  k?: number;
  /** Features to compare. @default {every feature present} */
  features?: readonly string[];
}

/** Result of {@link similarTests}. */
export interface SimilarTests {
  /** The test compared. */
  query: string;
  /** Nearest tests, closest first, with their Euclidean distance in standardized units. */
  neighbours: { id: string; distance: number }[];
  /** Features compared. */
  features: string[];
  /** Features left out (missing somewhere, or constant). */
  dropped: { feature: string; reason: string }[];
}

/**
 * Tests most similar to one test: every feature is standardized over the group (z-score with the
 * sample standard deviation, so features in Ah, % and cycles weigh alike), then neighbours are
 * ranked by Euclidean distance. Features missing for any test or constant over the group are
 * left out and listed.
 *
 * @param rows One row of features per test (for example from `testFeatures`).
 * @param query Identifier of the test to match.
 * @param options Number of neighbours and features.
 * @returns The nearest tests.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { similarTests } from "./similar_tests.ts";
 * const rows = [
 *   { id: "A", features: { retention: 0.90, ce: 0.999 } },
 *   { id: "B", features: { retention: 0.91, ce: 0.998 } },
 *   { id: "C", features: { retention: 0.60, ce: 0.980 } },
 * ];
 * equal(similarTests(rows, "A").neighbours[0].id, "B");
 * ```
 */
export function similarTests(
  rows: readonly FeatureRow[],
  query: string,
  options: SimilarTestsOptions = {},
): SimilarTests {
  const k = options.k ?? 5;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be an integer >= 1, got ${k}`);
  const m = featureMatrix(rows, options.features, true);
  const q = m.ids.indexOf(query);
  if (q < 0) throw new RangeError(`similarTests: no test "${query}" in the group`);
  const p = m.used.length;
  if (p === 0) {
    throw new RangeError(
      `similarTests: no usable feature (${
        m.dropped.map((d) => `${d.feature}: ${d.reason}`).join("; ")
      })`,
    );
  }
  const neighbours = m.ids.flatMap((id, i) => {
    if (i === q) return [];
    let d = 0;
    for (let j = 0; j < p; j++) d += (m.data[i * p + j] - m.data[q * p + j]) ** 2;
    return [{ id, distance: Math.sqrt(d) }];
  }).sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1)).slice(0, k);
  return { query, neighbours, features: m.used, dropped: m.dropped };
}
