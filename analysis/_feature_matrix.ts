// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Shared by PCA and similarity: a standardized matrix of per-test features. */

/** One test's features by name. */
export interface FeatureRow {
  /** Test identifier. */
  id: string;
  /** Numeric features by name (units in the names). */
  features: Record<string, number | null>;
}

/** A standardized feature matrix. */
export interface FeatureMatrix {
  /** Test identifiers, in row order. */
  ids: string[];
  /** Feature names used, in column order. */
  used: string[];
  /** Features left out, with the reason. */
  dropped: { feature: string; reason: string }[];
  /** Row-major rows × used values (centred, and scaled when standardized). */
  data: Float64Array;
  /** Column means. */
  mean: number[];
  /** Column scales (sample standard deviations, or 1 when not standardized). */
  scale: number[];
}

/**
 * Build the matrix: features missing or non-finite in any row, or constant over the rows, are
 * dropped (and listed); columns are centred and (optionally) divided by their sample standard
 * deviation.
 */
export function featureMatrix(
  rows: readonly FeatureRow[],
  features: readonly string[] | undefined,
  standardize: boolean,
): FeatureMatrix {
  if (!Array.isArray(rows)) throw new TypeError("expected an array of {id, features} rows");
  const ids = rows.map((r) => r.id);
  if (new Set(ids).size !== ids.length) throw new RangeError("test ids must be unique");
  const names = features ?? [...new Set(rows.flatMap((r) => Object.keys(r.features)))].sort();
  const used: string[] = [];
  const dropped: { feature: string; reason: string }[] = [];
  const cols: number[][] = [];
  for (const name of names) {
    const col = rows.map((r) => r.features[name]);
    const bad = col.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
    if (bad >= 0) {
      dropped.push({ feature: name, reason: `missing or not finite for "${ids[bad]}"` });
      continue;
    }
    const nums = col as number[];
    if (nums.every((v) => v === nums[0])) {
      dropped.push({ feature: name, reason: "constant over the tests" });
      continue;
    }
    used.push(name);
    cols.push(nums);
  }
  const n = rows.length, p = used.length;
  const data = new Float64Array(n * p);
  const mean: number[] = [], scale: number[] = [];
  cols.forEach((col, j) => {
    const m = col.reduce((s, v) => s + v, 0) / n;
    const sd = n > 1 ? Math.sqrt(col.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1)) : 1;
    const sc = standardize ? sd : 1;
    mean.push(m), scale.push(sc);
    for (let i = 0; i < n; i++) data[i * p + j] = (col[i] - m) / sc;
  });
  return { ids, used, dropped, data, mean, scale };
}
