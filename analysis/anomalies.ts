// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { median } from "./_stats.ts";

/** Theil–Sen line through points [from, to) except `skip`, evaluated at point `skip`'s cycle. */
function theilSenAt(
  pts: readonly { cycle: number; value: number }[],
  from: number,
  to: number,
  skip: number,
): number {
  const slopes: number[] = [];
  for (let j = from; j < to; j++) {
    if (j === skip) continue;
    for (let k = j + 1; k < to; k++) {
      if (k === skip || pts[k].cycle === pts[j].cycle) continue;
      slopes.push((pts[k].value - pts[j].value) / (pts[k].cycle - pts[j].cycle));
    }
  }
  const s = slopes.length ? median(slopes) : 0;
  const at: number[] = [];
  for (let j = from; j < to; j++) {
    if (j !== skip) at.push(pts[j].value - s * (pts[j].cycle - pts[skip].cycle));
  }
  return at.length ? median(at) : pts[skip].value;
}

/**
 * Resolution of quantized values: the smallest step between two distinct values that each occur
 * at least twice. Quantized data keep coming back to the same levels; continuous data (noisy,
 * or noise-free on a trend) do not repeat and have no resolution (0), and neither does a single
 * departure from a constant series (an outlier is not a quantum). Values closer than 1e-9 ×
 * the largest |value| are one level (floating-point noise: 1.0000000000000007 is 1).
 */
function resolution(pts: readonly { value: number }[]): number {
  const sorted = Float64Array.from(pts, (p) => p.value).sort();
  const n = sorted.length;
  if (n < 4) return 0;
  const tol = 1e-9 * Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]));
  let step = Infinity, previous = NaN;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && sorted[j] - sorted[j - 1] <= tol) j++;
    if (j - i >= 2) {
      const level = sorted[i];
      if (level - previous < step) step = level - previous;
      previous = level;
    }
    i = j;
  }
  return Number.isFinite(step) ? step : 0;
}

/** Options of {@link detectAnomalies}. */
export interface AnomalyOptions {
  /** Width of the centred rolling-median window, points (odd). @default {11} */
  window?: number;
  /** Flag points whose robust z-score exceeds this in absolute value. @default {3} */
  nSigma?: number;
  /**
   * Smallest robust scale, in the units of the values. Noise-free or quantized data have a zero
   * median absolute deviation, which would make every rounding step or bend of the curve look
   * infinitely significant; this floor prevents that. Given, it replaces the default floor.
   * @default {the larger of `minRelativeScale` × the median of |value| and the resolution of
   *   the values (see {@link AnomalyResult.resolution})}
   */
  minScale?: number;
  /**
   * Smallest robust scale relative to the median of |value| (used when `minScale` is not
   * given): with the default, a point must depart from its baseline by more than
   * `nSigma` × 0.1 % of the typical value to be flagged.
   * @default {1e-3}
   */
  minRelativeScale?: number;
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
  /** Robust scale: 1.4826 × the median absolute deviation of the residuals, at least `scale_floor`. */
  scale: number;
  /** The floor applied to the scale (see {@link AnomalyOptions.minScale}). */
  scale_floor: number;
  /**
   * Resolution of the values: the smallest step between two distinct values that each occur at
   * least twice (values within 1e-9 × the largest |value| count as one), else 0. For quantized
   * data (capacity logged in steps of 0.01 mAh, say) it is the quantum, and a departure of one
   * quantum has |z| ≤ 1; continuous data do not repeat values and have 0.
   */
  resolution: number;
  /** Threshold used. */
  nSigma: number;
}

/**
 * Anomalies in a per-cycle metric by a robust z-score against a rolling median.
 *
 * The baseline of each point is the median of its neighbours in a centred window (the point
 * itself left out, so its own noise does not shrink its residual); within half a window of
 * either end, where no centred window fits, it is the Theil–Sen line (median of pairwise
 * slopes) through the nearest full window, evaluated at the point — so a steady fade does not
 * look anomalous at the ends. Residuals (value − baseline) are scaled by 1.4826 × their median
 * absolute deviation — a standard-deviation estimate that outliers do not inflate — and points
 * beyond `nSigma` are flagged. Non-finite values are left out.
 *
 * The scale is floored so that noise-free or quantized data (median absolute deviation 0) do
 * not give absurd scores: by default at the resolution of the values (one quantization step
 * is never an anomaly) and at 0.1 % of the median |value| (so the bend of a smooth knee, whose
 * residual against the rolling median is half the change of slope per point, is not one).
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
  const minRelativeScale = options.minRelativeScale ?? 1e-3;
  if (!(Number.isInteger(window) && window >= 3 && window % 2 === 1)) {
    throw new RangeError(`window must be an odd integer >= 3, got ${window}`);
  }
  if (!(nSigma > 0)) throw new RangeError(`nSigma must be > 0, got ${nSigma}`);
  if (options.minScale !== undefined && !(options.minScale >= 0)) {
    throw new RangeError(`minScale must be >= 0, got ${options.minScale}`);
  }
  if (!(minRelativeScale >= 0)) {
    throw new RangeError(`minRelativeScale must be >= 0, got ${minRelativeScale}`);
  }
  const pts = values.filter((v): v is { cycle: number; value: number } =>
    typeof v.value === "number" && Number.isFinite(v.value)
  );
  const res = resolution(pts);
  const relative = minRelativeScale * median(pts.map((p) => Math.abs(p.value)));
  const floor = options.minScale ?? Math.max(Number.isFinite(relative) ? relative : 0, res);
  const n = pts.length;
  const half = (window - 1) / 2;
  const baseline = new Float64Array(n);
  const buf: number[] = [];
  for (let i = 0; i < n; i++) {
    buf.length = 0;
    if (i >= half && i + half < n) {
      // Interior: median of the neighbours (the point itself left out).
      for (let k = i - half; k <= i + half; k++) if (k !== i) buf.push(pts[k].value);
      baseline[i] = median(buf);
    } else {
      // Ends: Theil–Sen line through the nearest full window (the point left out), at x_i.
      const from = Math.max(0, Math.min(i - half, n - window));
      const to = Math.min(n, from + window);
      baseline[i] = theilSenAt(pts, from, to, i);
    }
  }
  const resid = pts.map((p, i) => p.value - baseline[i]);
  const mid = median(resid);
  const mad = median(resid.map((r) => Math.abs(r - mid)));
  const scale = Math.max(1.4826 * (Number.isFinite(mad) ? mad : 0), floor);
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
  return {
    points: scored,
    anomalies: scored.filter((p) => p.anomaly),
    scale,
    scale_floor: floor,
    resolution: res,
    nSigma,
  };
}
