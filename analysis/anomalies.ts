// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { median } from "./_stats.ts";

/** Options of {@link detectAnomalies}. */
export interface AnomalyOptions {
  /** Width of the centred rolling-median window, points (odd). @default {11} */
  window?: number;
  /** Flag points whose robust z-score exceeds this in absolute value. @default {3} */
  nSigma?: number;
  /**
   * Smallest robust scale, in the units of the values. Perfectly smooth data have a zero scale,
   * which would make every departure infinitely significant; this floor prevents that.
   * @default {0}
   */
  minScale?: number;
}

/** One point scored by {@link detectAnomalies}. */
export interface AnomalyPoint {
  /** Cycle number. */
  cycle: number;
  /** The value. */
  value: number;
  /** Rolling median around the point. */
  baseline: number;
  /** `(value − baseline) / scale` (±Infinity when the scale is 0 and the value departs). */
  z: number;
  /** `|z| > nSigma`. */
  anomaly: boolean;
}

/** Result of {@link detectAnomalies}. */
export interface AnomalyResult {
  /** Every finite point, scored. */
  points: AnomalyPoint[];
  /** The flagged points. */
  anomalies: AnomalyPoint[];
  /** Robust scale: 1.4826 × the median absolute deviation of the residuals (floored). */
  scale: number;
  /** Threshold used. */
  nSigma: number;
}

/**
 * Anomalies in a per-cycle metric by a robust z-score against a rolling median.
 *
 * The baseline of each point is the median of a centred window (truncated at the ends, like
 * pandas' `rolling(window, center=True, min_periods=1)`), which follows fade trends but not
 * single outliers. Residuals (value − baseline) are scaled by 1.4826 × their median absolute
 * deviation — a standard-deviation estimate that outliers do not inflate — and points beyond
 * `nSigma` are flagged. Non-finite values are left out.
 *
 * @param values Per-cycle values (`null` or NaN are skipped).
 * @param options Window, threshold and scale floor.
 * @returns Every point scored and the anomalies.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { detectAnomalies } from "./anomalies.ts";
 * const values = [1, 1.01, 0.99, 1, 1.02, 0.98, 0.5, 1, 1.01, 0.99, 1].map((value, k) => ({
 *   cycle: k + 1,
 *   value,
 * }));
 * deepEqual(detectAnomalies(values).anomalies.map((a) => a.cycle), [7]);
 * ```
 */
export function detectAnomalies(
  values: readonly { cycle: number; value: number | null }[],
  options: AnomalyOptions = {},
): AnomalyResult {
  const window = options.window ?? 11;
  const nSigma = options.nSigma ?? 3;
  const minScale = options.minScale ?? 0;
  if (!(Number.isInteger(window) && window >= 3 && window % 2 === 1)) {
    throw new RangeError(`window must be an odd integer >= 3, got ${window}`);
  }
  if (!(nSigma > 0)) throw new RangeError(`nSigma must be > 0, got ${nSigma}`);
  if (!(minScale >= 0)) throw new RangeError(`minScale must be >= 0, got ${minScale}`);
  const pts = values.filter((v): v is { cycle: number; value: number } =>
    typeof v.value === "number" && Number.isFinite(v.value)
  );
  const n = pts.length;
  const half = (window - 1) / 2;
  const baseline = new Float64Array(n);
  const buf: number[] = [];
  for (let i = 0; i < n; i++) {
    buf.length = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(n - 1, i + half); k++) buf.push(pts[k].value);
    baseline[i] = median(buf);
  }
  const resid = pts.map((p, i) => p.value - baseline[i]);
  const mid = median(resid);
  const mad = median(resid.map((r) => Math.abs(r - mid)));
  const scale = Math.max(1.4826 * (Number.isFinite(mad) ? mad : 0), minScale);
  const scored: AnomalyPoint[] = pts.map((p, i) => {
    const r = resid[i];
    const z = scale > 0 ? r / scale : r === 0 ? 0 : r > 0 ? Infinity : -Infinity;
    return {
      cycle: p.cycle,
      value: p.value,
      baseline: baseline[i],
      z,
      anomaly: Math.abs(z) > nSigma,
    };
  });
  return { points: scored, anomalies: scored.filter((p) => p.anomaly), scale, nSigma };
}
