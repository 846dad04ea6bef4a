// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * One peak of a sampled curve y(x). Units follow the curve: `position`, `fwhm`, `width` in x
 * units, `height`, `prominence` in y units, `area` in x·y units.
 */
export interface Peak {
  /** Index of the highest sample. */
  index: number;
  /**
   * Position: vertex of the least-squares parabola through the samples within the top fifth of
   * the prominence, symmetric about the highest sample (the top three samples when that is all).
   */
  position: number;
  /** Value at the vertex of the parabola through the top three samples. */
  height: number;
  /**
   * Height above the higher of the two lowest points reached before the curve rises above the
   * peak on each side (SciPy's definition).
   */
  prominence: number;
  /**
   * Full width at half height (y = height / 2), interpolated linearly; `null` when the curve does
   * not fall to half height before rising to a higher peak (or reaching an end) on either side.
   */
  fwhm: number | null;
  /** Width at half prominence (SciPy `peak_widths` with `rel_height = 0.5`). */
  width: number;
  /** Left end of the peak's share of the curve (see {@link Peak.area}). */
  left: number;
  /** Right end of the peak's share of the curve. */
  right: number;
  /**
   * Integral of max(y, 0) from `left` to `right` (trapezoids). The curve is split between
   * neighbouring reported peaks at the lowest point between them, and the first and last peak
   * extend to the ends, so the areas of all peaks add up to the integral of the positive part of
   * the curve.
   */
  area: number;
}

/** Options of {@link findPeaks}. */
export interface FindPeaksOptions {
  /** Keep peaks at least this prominent (y units). Overrides `min_prominence_fraction`. */
  min_prominence?: number;
  /** Keep peaks whose prominence is at least this fraction of max(y). @default {0.05} */
  min_prominence_fraction?: number;
  /** Keep peaks at least this high (y units); by default peaks must be above 0. */
  min_height?: number;
}

/** Vertex of the least-squares parabola through samples lo..hi, or null if not concave. */
function lsqVertex(x: ArrayLike<number>, y: ArrayLike<number>, lo: number, hi: number) {
  const xc = x[(lo + hi) >> 1];
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
  for (let i = lo; i <= hi; i++) {
    const u = x[i] - xc, u2 = u * u;
    s0 += 1;
    s1 += u;
    s2 += u2;
    s3 += u2 * u;
    s4 += u2 * u2;
    t0 += y[i];
    t1 += u * y[i];
    t2 += u2 * y[i];
  }
  // Solve [s4 s3 s2; s3 s2 s1; s2 s1 s0] [a b c] = [t2 t1 t0] by Cramer's rule.
  const det = (m: number[]) =>
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
    m[2] * (m[3] * m[7] - m[4] * m[6]);
  const d = det([s4, s3, s2, s3, s2, s1, s2, s1, s0]);
  if (d === 0) return null;
  const a = det([t2, s3, s2, t1, s2, s1, t0, s1, s0]) / d;
  const b = det([s4, t2, s2, s3, t1, s1, s2, t0, s0]) / d;
  return a < 0 ? xc - b / (2 * a) : null;
}

function crossing(x: ArrayLike<number>, y: ArrayLike<number>, i: number, j: number, line: number) {
  // x where the segment from i to j crosses `line` (y[i] and y[j] on opposite sides).
  const f = (line - y[i]) / (y[j] - y[i]);
  return x[i] + f * (x[j] - x[i]);
}

/**
 * Find the peaks (local maxima) of a sampled curve, with position, height, prominence, FWHM,
 * width and area. Flat tops count once (at their middle); the end samples are never peaks.
 *
 * @param x Sample positions, strictly increasing.
 * @param y Sample values (same length).
 * @param options Prominence and height thresholds.
 * @returns The kept peaks, by increasing position.
 *
 * @example Two Gaussian peaks
 * ```ts
 * import { findPeaks } from "./find_peaks.ts";
 * import { equal, ok } from "node:assert/strict";
 *
 * const x = Array.from({ length: 401 }, (_, i) => i / 100); // 0..4
 * const y = x.map((v) => Math.exp(-((v - 1) ** 2) / 0.02) + 0.5 * Math.exp(-((v - 3) ** 2) / 0.02));
 * const peaks = findPeaks(x, y);
 * equal(peaks.length, 2);
 * ok(Math.abs(peaks[0].position - 1) < 1e-6);
 * ok(Math.abs(peaks[1].height - 0.5) < 1e-3);
 * // FWHM of exp(-(x-μ)²/(2σ²)) is 2.3548 σ; here σ = 0.1.
 * ok(Math.abs(peaks[0].fwhm! - 0.23548) < 1e-3);
 * ```
 */
export function findPeaks(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: FindPeaksOptions = {},
): Peak[] {
  const n = y.length;
  if (x.length !== n) {
    throw new RangeError(`findPeaks: x has ${x.length} samples but y has ${n}`);
  }
  for (let i = 1; i < n; i++) {
    if (!(x[i] > x[i - 1])) {
      throw new RangeError(`findPeaks: x must be strictly increasing (x[${i}] = ${x[i]})`);
    }
  }
  let ymax = -Infinity;
  for (let i = 0; i < n; i++) if (y[i] > ymax) ymax = y[i];
  const fraction = options.min_prominence_fraction ?? 0.05;
  const minProminence = options.min_prominence ??
    (ymax > 0 ? fraction * ymax : 0);
  const minHeight = options.min_height;

  // Local maxima, flat tops counted once at their middle.
  const candidates: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    if (!(y[i] > y[i - 1])) continue;
    let j = i;
    while (j + 1 < n - 1 && y[j + 1] === y[i]) j++;
    if (y[j + 1] < y[i]) candidates.push((i + j) >> 1);
    i = j;
  }

  interface Raw {
    index: number;
    prominence: number;
    leftBase: number;
    rightBase: number;
  }
  const kept: Raw[] = [];
  for (const p of candidates) {
    const h = y[p];
    if (minHeight === undefined ? !(h > 0) : !(h >= minHeight)) continue;
    let leftMin = h, leftBase = p;
    for (let k = p - 1; k >= 0 && y[k] <= h; k--) {
      if (y[k] < leftMin) [leftMin, leftBase] = [y[k], k];
    }
    let rightMin = h, rightBase = p;
    for (let k = p + 1; k < n && y[k] <= h; k++) {
      if (y[k] < rightMin) [rightMin, rightBase] = [y[k], k];
    }
    const prominence = h - Math.max(leftMin, rightMin);
    if (prominence >= minProminence && prominence > 0) {
      kept.push({ index: p, prominence, leftBase, rightBase });
    }
  }

  // Split points between neighbouring kept peaks: the lowest sample between them.
  const splits: number[] = [0];
  for (let k = 1; k < kept.length; k++) {
    let lo = kept[k - 1].index;
    for (let i = kept[k - 1].index; i <= kept[k].index; i++) if (y[i] < y[lo]) lo = i;
    splits.push(lo);
  }
  splits.push(n - 1);

  return kept.map((raw, k): Peak => {
    const p = raw.index;
    // Height: vertex of the parabola through the top three samples. Position: vertex of the
    // least-squares parabola through the samples within the top fifth of the prominence (at
    // least three), which averages out noise on a broad, flat top.
    let position = x[p], height = y[p];
    {
      const x0 = x[p - 1], x1 = x[p], x2 = x[p + 1];
      const y0 = y[p - 1], y1 = y[p], y2 = y[p + 1];
      const d0 = (y1 - y0) / (x1 - x0), d1 = (y2 - y1) / (x2 - x1);
      const a = (d1 - d0) / (x2 - x0);
      if (a < 0) {
        const xv = (x0 + x1) / 2 - d0 / (2 * a);
        if (xv > x0 && xv < x2) {
          position = xv;
          height = y0 + d0 * (xv - x0) + a * (xv - x0) * (xv - x1);
        }
      }
      const top = y[p] - 0.2 * raw.prominence;
      let l = p - 1, r = p + 1;
      while (l - 1 >= raw.leftBase && y[l - 1] >= top) l--;
      while (r + 1 <= raw.rightBase && y[r + 1] >= top) r++;
      // Balance the window around the peak so a one-sided shoulder does not pull it.
      const reach = Math.min(p - l, r - p);
      if (reach > 1) {
        const xv = lsqVertex(x, y, p - reach, p + reach);
        if (xv !== null && xv > x[p - reach] && xv < x[p + reach]) position = xv;
      }
    }
    // Width at half prominence, searched within the bases.
    const widthLine = y[p] - raw.prominence / 2;
    let i = p;
    while (i > raw.leftBase && y[i] > widthLine) i--;
    const wl = y[i] < widthLine ? crossing(x, y, i, i + 1, widthLine) : x[i];
    let j = p;
    while (j < raw.rightBase && y[j] > widthLine) j++;
    const wr = y[j] < widthLine ? crossing(x, y, j - 1, j, widthLine) : x[j];
    // FWHM at half height, only if the curve gets there within the bases.
    const half = y[p] / 2;
    let fl: number | null = null, fr: number | null = null;
    for (let a = p; a - 1 >= raw.leftBase; a--) {
      if (y[a - 1] <= half) {
        fl = crossing(x, y, a - 1, a, half);
        break;
      }
    }
    for (let b = p; b + 1 <= raw.rightBase; b++) {
      if (y[b + 1] <= half) {
        fr = crossing(x, y, b, b + 1, half);
        break;
      }
    }
    const lo = splits[k], hi = splits[k + 1];
    let area = 0;
    for (let a = lo; a < hi; a++) {
      area += ((Math.max(y[a], 0) + Math.max(y[a + 1], 0)) / 2) * (x[a + 1] - x[a]);
    }
    return {
      index: p,
      position,
      height,
      prominence: raw.prominence,
      fwhm: fl !== null && fr !== null ? fr - fl : null,
      width: wr - wl,
      left: x[lo],
      right: x[hi],
      area,
    };
  });
}
