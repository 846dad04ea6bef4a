// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { featureMatrix, type FeatureRow } from "./_feature_matrix.ts";
import { symmetricEigen } from "./_jacobi.ts";

export type { FeatureRow } from "./_feature_matrix.ts";

/** Options of {@link pca}. */
export interface PcaOptions {
  /** Features to use. @default {every feature present} */
  features?: readonly string[];
  /** Divide each feature by its standard deviation (correlation PCA). @default {true} */
  standardize?: boolean;
  /** Components kept. @default {2} */
  components?: number;
}

/** Result of {@link pca}. */
export interface PcaResult {
  /** Features used, in loading order. */
  features: string[];
  /** Features left out (missing somewhere, or constant). */
  dropped: { feature: string; reason: string }[];
  /** Variance along each kept component (eigenvalues of the covariance, decreasing). */
  eigenvalues: number[];
  /** Fraction of the total variance along each kept component. */
  explained_variance_ratio: number[];
  /** Unit loading vector of each kept component over `features` (sign: largest entry positive). */
  loadings: number[][];
  /** Coordinates of each test on the kept components. */
  scores: { id: string; pc: number[] }[];
}

/**
 * Principal component analysis of per-test features, for a 2-D map of a group of tests.
 * Features are centred (and standardized by default); the covariance (n − 1 denominator) is
 * diagonalized with a Jacobi eigen-solver. Each component's sign is fixed so that its largest
 * loading is positive, which makes the result reproducible.
 *
 * @param rows One row of features per test.
 * @param options Features, standardization and number of components.
 * @returns Loadings, explained variance and scores.
 * @throws {RangeError} with fewer than 2 tests or no usable feature.
 *
 * @example Points along the diagonal: PC1 is (1, 1)/√2 and explains everything
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { pca } from "./pca.ts";
 * const rows = [1, 2, 3].map((v) => ({ id: `T${v}`, features: { x: v, y: v } }));
 * const result = pca(rows, { standardize: false });
 * equal(result.explained_variance_ratio[0], 1);
 * equal(Math.abs(result.loadings[0][0] - Math.SQRT1_2) < 1e-12, true);
 * ```
 */
export function pca(rows: readonly FeatureRow[], options: PcaOptions = {}): PcaResult {
  const m = featureMatrix(rows, options.features, options.standardize ?? true);
  const n = m.ids.length, p = m.used.length;
  if (n < 2) throw new RangeError(`pca needs at least 2 tests, got ${n}`);
  if (p === 0) {
    throw new RangeError(
      `pca: no usable feature (${m.dropped.map((d) => `${d.feature}: ${d.reason}`).join("; ")})`,
    );
  }
  const k = Math.min(options.components ?? 2, p);
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`components must be >= 1, got ${k}`);
  const cov = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) {
      for (let b = 0; b <= a; b++) cov[a * p + b] += m.data[i * p + a] * m.data[i * p + b];
    }
  }
  for (let a = 0; a < p; a++) {
    for (let b = 0; b <= a; b++) {
      cov[a * p + b] /= n - 1;
      cov[b * p + a] = cov[a * p + b];
    }
  }
  const { values, vectors } = symmetricEigen(cov, p);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const loadings = vectors.slice(0, k).map((vec) => {
    let big = 0;
    for (let j = 1; j < p; j++) if (Math.abs(vec[j]) > Math.abs(vec[big])) big = j;
    return vec[big] < 0 ? vec.map((x) => -x) : vec;
  });
  const scores = m.ids.map((id, i) => ({
    id,
    pc: loadings.map((vec) => vec.reduce((s, w, j) => s + w * m.data[i * p + j], 0)),
  }));
  return {
    features: m.used,
    dropped: m.dropped,
    eigenvalues: values.slice(0, k).map((v) => Math.max(v, 0)),
    explained_variance_ratio: values.slice(0, k).map((v) => Math.max(v, 0) / total),
    loadings,
    scores,
  };
}
