// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { quantile } from "./_stats.ts";

/** Options of {@link findOutliers}. */
export interface OutlierOptions {
  /** Which tests flag a value: IQR fences, z-score, or either. @default {"both"} */
  method?: "iqr" | "zscore" | "both";
  /** IQR fence multiplier: outside [Q1 − k·IQR, Q3 + k·IQR]. @default {1.5} */
  k?: number;
  /** z-score threshold (sample standard deviation). @default {3} */
  nSigma?: number;
}

/** One flagged value. */
export interface Outlier {
  /** Identifier of the test. */
  id: string;
  /** The value. */
  value: number;
  /** z-score of the value. */
  z: number;
  /** Which rules flagged it. */
  rules: ("iqr" | "zscore")[];
}

/** Result of {@link findOutliers}. */
export interface OutlierResult {
  /** Flagged values, in input order. */
  outliers: Outlier[];
  /** First quartile (linear interpolation, numpy's default). */
  q1: number;
  /** Third quartile. */
  q3: number;
  /** Lower IQR fence. */
  lower_fence: number;
  /** Upper IQR fence. */
  upper_fence: number;
  /** Mean. */
  mean: number;
  /** Sample standard deviation. */
  sd: number;
  /** Values that were not finite (ignored), by id. */
  ignored: string[];
}

/**
 * Outliers of one metric within a group of tests, by Tukey's IQR fences and by z-score. Note
 * that with n values no z-score can exceed (n − 1)/√n, so for small groups (n ≤ 10 with
 * nSigma = 3) only the IQR rule can flag anything.
 *
 * @param values One value per test (non-finite values are ignored and listed).
 * @param options Rules and thresholds.
 * @returns Flagged tests with the rules that flagged them, and the fences.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { findOutliers } from "./outliers.ts";
 * const values = [0.8, 0.82, 0.81, 0.79, 1.5].map((value, i) => ({ id: `S${i + 1}`, value }));
 * deepEqual(findOutliers(values).outliers.map((o) => o.id), ["S5"]);
 * ```
 */
export function findOutliers(
  values: readonly { id: string; value: number | null }[],
  options: OutlierOptions = {},
): OutlierResult {
  const method = options.method ?? "both";
  const k = options.k ?? 1.5;
  const nSigma = options.nSigma ?? 3;
  if (!["iqr", "zscore", "both"].includes(method)) {
    throw new RangeError(`method must be "iqr", "zscore" or "both", got "${method}"`);
  }
  if (!(k >= 0)) throw new RangeError(`k must be >= 0, got ${k}`);
  if (!(nSigma > 0)) throw new RangeError(`nSigma must be > 0, got ${nSigma}`);
  const ok = values.filter((v): v is { id: string; value: number } =>
    typeof v.value === "number" && Number.isFinite(v.value)
  );
  const ignored = values.filter((v) => !ok.includes(v as { id: string; value: number })).map((v) =>
    v.id
  );
  const xs = ok.map((v) => v.value);
  const q1 = quantile(xs, 0.25), q3 = quantile(xs, 0.75);
  const lower = q1 - k * (q3 - q1), upper = q3 + k * (q3 - q1);
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const sd = xs.length > 1
    ? Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1))
    : NaN;
  const outliers: Outlier[] = [];
  for (const v of ok) {
    const z = sd > 0 ? (v.value - mean) / sd : 0;
    const rules: ("iqr" | "zscore")[] = [];
    if (method !== "zscore" && (v.value < lower || v.value > upper)) rules.push("iqr");
    if (method !== "iqr" && Math.abs(z) > nSigma) rules.push("zscore");
    if (rules.length) outliers.push({ id: v.id, value: v.value, z, rules });
  }
  return { outliers, q1, q3, lower_fence: lower, upper_fence: upper, mean, sd, ignored };
}
