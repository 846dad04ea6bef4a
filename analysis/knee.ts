// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { cholesky, choleskySolve } from "./_linalg.ts";

/** Options of {@link kneePoint}. */
export interface KneeOptions {
  /** Fewest points on each side of a breakpoint (and between the two onset breakpoints). @default {3} */
  minSegment?: number;
  /** Largest number of grid candidates per breakpoint before refinement. @default {200} */
  gridSize?: number;
}

/** Result of {@link kneePoint}. Slopes are retention per cycle. */
export interface KneeResult {
  /** Knee point: breakpoint of the two-line (Bacon–Watts, γ → 0) fit, cycle. */
  knee_cycle: number;
  /** Fitted retention at the knee. */
  knee_retention: number;
  /** Slope before the knee. */
  slope_before: number;
  /** Slope after the knee. */
  slope_after: number;
  /**
   * `atan(m1) − atan(m2)` with the slopes on axes normalized by the last cycle, as BEEP's
   * `angle_diff`: positive when fade accelerates (a knee), negative when it slows down.
   */
  angle_diff: number;
  /** `true` when the slope after the knee is steeper (more negative) than before. */
  accelerating: boolean;
  /** Residual sum of squares of the two-line fit. */
  rss: number;
  /** Knee onset: first breakpoint of the three-line (double Bacon–Watts) fit, or `null`. */
  onset_cycle: number | null;
  /** Fitted retention at the onset, or `null`. */
  onset_retention: number | null;
  /** Second breakpoint of the three-line fit, or `null`. */
  onset_second_cycle: number | null;
  /** Residual sum of squares of the three-line fit, or `null`. */
  onset_rss: number | null;
}

/**
 * Least squares of y on [1, x − b0, |x − b0|] (one break) or [1, x − b0, |x − b0|, |x − b1|]
 * (two breaks); returns SSE and coefficients. The normal equations are accumulated in scalars
 * (this runs hundreds of times per knee search), term by term in the order of the row loop.
 */
function hingeFit(
  x: Float64Array,
  y: Float64Array,
  breaks: number[],
): { sse: number; coef: Float64Array } {
  const two = breaks.length === 2;
  const k = two ? 4 : 3;
  const b0 = breaks[0], b1 = two ? breaks[1] : 0;
  const n = x.length;
  // Sums of the products of the features f0 = 1, f1 = x − b0, f2 = |x − b0|, f3 = |x − b1|.
  let s00 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s22 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  if (two) {
    for (let i = 0; i < n; i++) {
      const xi = x[i], yi = y[i];
      const f1 = xi - b0, f2 = Math.abs(xi - b0), f3 = Math.abs(xi - b1);
      t0 += yi;
      s00 += 1;
      t1 += f1 * yi;
      s10 += f1;
      s11 += f1 * f1;
      t2 += f2 * yi;
      s20 += f2;
      s21 += f2 * f1;
      s22 += f2 * f2;
      t3 += f3 * yi;
      s30 += f3;
      s31 += f3 * f1;
      s32 += f3 * f2;
      s33 += f3 * f3;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const xi = x[i], yi = y[i];
      const f1 = xi - b0, f2 = Math.abs(xi - b0);
      t0 += yi;
      s00 += 1;
      t1 += f1 * yi;
      s10 += f1;
      s11 += f1 * f1;
      t2 += f2 * yi;
      s20 += f2;
      s21 += f2 * f1;
      s22 += f2 * f2;
    }
  }
  const xtx = two
    ? Float64Array.of(
      s00,
      s10,
      s20,
      s30,
      s10,
      s11,
      s21,
      s31,
      s20,
      s21,
      s22,
      s32,
      s30,
      s31,
      s32,
      s33,
    )
    : Float64Array.of(s00, s10, s20, s10, s11, s21, s20, s21, s22);
  const xty = two ? Float64Array.of(t0, t1, t2, t3) : Float64Array.of(t0, t1, t2);
  // Tiny ridge relative to the diagonal keeps the factorization alive for exact collinearity.
  for (let a = 0; a < k; a++) xtx[a * k + a] *= 1 + 1e-12;
  if (!cholesky(xtx, k)) return { sse: Infinity, coef: new Float64Array(k) };
  choleskySolve(xtx, k, xty);
  const c0 = xty[0], c1 = xty[1], c2 = xty[2], c3 = two ? xty[3] : 0;
  let sse = 0;
  if (two) {
    for (let i = 0; i < n; i++) {
      let v = c0 + c1 * (x[i] - b0);
      v += c2 * Math.abs(x[i] - b0);
      v += c3 * Math.abs(x[i] - b1);
      sse += (v - y[i]) ** 2;
    }
  } else {
    for (let i = 0; i < n; i++) {
      let v = c0 + c1 * (x[i] - b0);
      v += c2 * Math.abs(x[i] - b0);
      sse += (v - y[i]) ** 2;
    }
  }
  return { sse, coef: xty };
}

/** Golden-section minimization of f on [lo, hi]. */
function golden(f: (v: number) => number, lo: number, hi: number): { x: number; f: number } {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  let c = b - r * (b - a), d = a + r * (b - a);
  let fc = f(c), fd = f(d);
  for (let it = 0; it < 60 && b - a > 1e-10 * (Math.abs(a) + Math.abs(b) + 1); it++) {
    if (fc <= fd) {
      b = d, d = c, fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c, c = d, fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  const fa = f(lo), fb = f(hi);
  const mid = fc <= fd ? { x: c, f: fc } : { x: d, f: fd };
  // Keep an end if it is better (the minimum can sit on a grid point).
  if (fa <= mid.f && fa <= fb) return { x: lo, f: fa };
  if (fb <= mid.f) return { x: hi, f: fb };
  return mid;
}

/** Candidate indices in [from, to], at most `size` of them, evenly spread. */
function candidates(from: number, to: number, size: number): number[] {
  const count = to - from + 1;
  if (count <= 0) return [];
  if (count <= size) return Array.from({ length: count }, (_, k) => from + k);
  return Array.from({ length: size }, (_, k) => from + Math.round((k * (to - from)) / (size - 1)));
}

/**
 * Knee point and knee onset of a retention curve by deterministic Bacon–Watts fits.
 *
 * The Bacon–Watts model y = α0 + α1(x − x1) + α2(x − x1)·tanh((x − x1)/γ) is used in its γ → 0
 * limit, two straight lines joined at x1: y = α0 + α1(x − x1) + α2|x − x1| (as in Fermín-Cueto
 * et al., 2020, and BEEP's two-line knee fit). For a given x1 the model is linear in α, so the
 * fit profiles the residual sum of squares over x1: a grid over the cycles (at most `gridSize`
 * candidates) followed by golden-section refinement between the neighbours of the best
 * candidate — no random search, so the answer is reproducible. The knee onset is the first
 * breakpoint x0 of the double Bacon–Watts model y = β0 + β1(x − x0) + β2|x − x0| + β3|x − x2|
 * (x0 < x2), fitted the same way over pairs of candidates (at most 60 per breakpoint, scored on
 * at most ~1,000 evenly spaced points) then refined coordinate-wise on every point.
 *
 * @param points The retention curve, in cycle order.
 * @param options Segment length and grid size.
 * @returns The knee, or `null` with fewer than 2·minSegment points (onset `null` with fewer than
 *   3·minSegment points).
 *
 * @example A fade that steepens at cycle 300
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { kneePoint } from "./knee.ts";
 * const points = Array.from({ length: 500 }, (_, k) => ({
 *   cycle: k + 1,
 *   retention: k + 1 <= 300 ? 1 - 1e-4 * (k + 1) : 0.97 - 1e-3 * (k + 1 - 300),
 * }));
 * equal(Math.round(kneePoint(points)!.knee_cycle), 300);
 * ```
 */
export function kneePoint(
  points: readonly { cycle: number; retention: number }[],
  options: KneeOptions = {},
): KneeResult | null {
  const minSeg = options.minSegment ?? 3;
  const gridSize = options.gridSize ?? 200;
  if (!(Number.isInteger(minSeg) && minSeg >= 2)) {
    throw new RangeError(`minSegment must be an integer >= 2, got ${minSeg}`);
  }
  if (!(Number.isInteger(gridSize) && gridSize >= 3)) {
    throw new RangeError(`gridSize must be an integer >= 3, got ${gridSize}`);
  }
  const usable = points.filter((p) => Number.isFinite(p.cycle) && Number.isFinite(p.retention))
    .sort((a, b) => a.cycle - b.cycle);
  const n = usable.length;
  if (n < 2 * minSeg) return null;
  const x = Float64Array.from(usable, (p) => p.cycle);
  const y = Float64Array.from(usable, (p) => p.retention);

  // Two-line fit.
  const sse1 = (b: number): number => hingeFit(x, y, [b]).sse;
  const grid = candidates(minSeg - 1, n - minSeg, gridSize);
  let bestJ = 0, bestF = Infinity;
  grid.forEach((idx, j) => {
    const f = sse1(x[idx]);
    if (f < bestF) bestF = f, bestJ = j;
  });
  const lo = x[grid[Math.max(0, bestJ - 1)]], hi = x[grid[Math.min(grid.length - 1, bestJ + 1)]];
  const refined = golden(sse1, lo, hi);
  const x1 = refined.f <= bestF ? refined.x : x[grid[bestJ]];
  const fit1 = hingeFit(x, y, [x1]);
  const [a0, a1, a2] = fit1.coef;
  const before = a1 - a2, after = a1 + a2;
  const scale = x[n - 1];
  const result: KneeResult = {
    knee_cycle: x1,
    knee_retention: a0,
    slope_before: before,
    slope_after: after,
    angle_diff: Math.atan(before * scale) - Math.atan(after * scale),
    accelerating: after < before,
    rss: fit1.sse,
    onset_cycle: null,
    onset_retention: null,
    onset_second_cycle: null,
    onset_rss: null,
  };
  if (n < 3 * minSeg) return result;

  // Three-line fit for the onset. The coarse search over pairs runs on at most ~1,000 evenly
  // spaced points (every point when fewer); the refinement uses every point.
  const sse2 = (b0: number, b2: number): number =>
    b0 < b2 ? hingeFit(x, y, [b0, b2]).sse : Infinity;
  const stride = Math.max(1, Math.floor(n / 1000));
  const xs = stride > 1 ? x.filter((_, i) => i % stride === 0) : x;
  const ys = stride > 1 ? y.filter((_, i) => i % stride === 0) : y;
  const grid2 = candidates(minSeg - 1, n - minSeg, Math.min(gridSize, 60));
  let best0 = -1, best2 = -1, bestCoarse = Infinity;
  for (let i = 0; i < grid2.length; i++) {
    for (let j = i + 1; j < grid2.length; j++) {
      if (grid2[j] - grid2[i] < minSeg - 1) continue;
      const f = hingeFit(xs, ys, [x[grid2[i]], x[grid2[j]]]).sse;
      if (f < bestCoarse) bestCoarse = f, best0 = i, best2 = j;
    }
  }
  if (best0 < 0) return result;
  let bestF2 = sse2(x[grid2[best0]], x[grid2[best2]]);
  let b0 = x[grid2[best0]], b2 = x[grid2[best2]];
  const span = (j: number): [number, number] => [
    x[grid2[Math.max(0, j - 1)]],
    x[grid2[Math.min(grid2.length - 1, j + 1)]],
  ];
  const [l0, h0] = span(best0), [l2, h2] = span(best2);
  for (let round = 0; round < 6; round++) {
    const old0 = b0, old2 = b2;
    const r0 = golden((v) => sse2(v, b2), l0, Math.min(h0, b2));
    if (r0.f <= bestF2) b0 = r0.x, bestF2 = r0.f;
    const r2 = golden((v) => sse2(b0, v), Math.max(l2, b0), h2);
    if (r2.f <= bestF2) b2 = r2.x, bestF2 = r2.f;
    if (Math.abs(b0 - old0) + Math.abs(b2 - old2) <= 1e-9 * (Math.abs(x[n - 1]) + 1)) break;
  }
  const fit2 = hingeFit(x, y, [b0, b2]);
  result.onset_cycle = b0;
  // Value at x0: β0 + β3|x0 − x2|.
  result.onset_retention = fit2.coef[0] + fit2.coef[3] * Math.abs(b0 - b2);
  result.onset_second_cycle = b2;
  result.onset_rss = fit2.sse;
  return result;
}
