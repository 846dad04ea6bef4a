// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private penalized cubic regression spline (P-spline, Eilers & Marx 1996): cubic B-splines on
 * equally spaced knots with a second-order difference penalty on the coefficients,
 * `min Σ wₖ (yₖ − s(xₖ))² + λ' Σ (Δ²aⱼ)²`. The normal equations are banded (bandwidth 3), so a
 * fit costs O(points + knots). The smoothing weight is chosen by generalized cross-validation
 * (GCV) unless given; the trace of the hat matrix comes from the band of the inverse (Takahashi
 * recursion), so GCV stays O(points + knots) per trial λ.
 */

const B = 3; // half-bandwidth of the normal matrix for cubic B-splines

/** A fitted P-spline. */
export interface PSpline {
  /** Left end of the domain. */
  x0: number;
  /** Knot spacing. */
  delta: number;
  /** Number of segments (coefficients = segments + 3). */
  segments: number;
  /** B-spline coefficients. */
  coef: Float64Array;
  /** Relative smoothing weight used (λ = relative × tr(BᵀWB) / tr(DᵀD)). */
  lambda: number;
  /** Effective degrees of freedom (trace of the hat matrix). */
  edf: number;
  /** Weighted residual sum of squares. */
  rss: number;
}

function locate(x: number, x0: number, delta: number, segments: number): [number, number] {
  let u = (x - x0) / delta;
  if (u < 0) u = 0;
  let s = Math.floor(u);
  if (s >= segments) s = segments - 1;
  return [s, u - s];
}

/** Value of the spline at x (clamped to the domain). */
export function psplineValue(sp: PSpline, x: number): number {
  const [s, t] = locate(x, sp.x0, sp.delta, sp.segments);
  const c = sp.coef, u = 1 - t, t2 = t * t, t3 = t2 * t;
  return (u * u * u * c[s] + (3 * t3 - 6 * t2 + 4) * c[s + 1] +
    (-3 * t3 + 3 * t2 + 3 * t + 1) * c[s + 2] + t3 * c[s + 3]) / 6;
}

/** Derivative of the spline at x (0 outside the domain). */
export function psplineDerivative(sp: PSpline, x: number): number {
  if (x < sp.x0 || x > sp.x0 + sp.delta * sp.segments) return 0;
  const [s, t] = locate(x, sp.x0, sp.delta, sp.segments);
  const c = sp.coef, u = 1 - t, t2 = t * t;
  return (-u * u * c[s] + (3 * t2 - 4 * t) * c[s + 1] + (-3 * t2 + 2 * t + 1) * c[s + 2] +
    t2 * c[s + 3]) / (2 * sp.delta);
}

interface System {
  m: number;
  g: Float64Array; // upper band of BᵀWB: g[i*(B+1)+d] = G[i][i+d]
  r: Float64Array; // BᵀWy
  p: Float64Array; // upper band of DᵀD (d ≤ 2), stored with the same stride
  scale: number; // tr(G)/tr(P)
}

function buildSystem(
  x: Float64Array,
  y: Float64Array,
  w: Float64Array,
  x0: number,
  delta: number,
  segments: number,
): System {
  const m = segments + 3;
  const g = new Float64Array(m * (B + 1));
  const r = new Float64Array(m);
  const b = new Float64Array(4);
  for (let k = 0; k < x.length; k++) {
    const [s, t] = locate(x[k], x0, delta, segments);
    const u = 1 - t, t2 = t * t, t3 = t2 * t;
    b[0] = (u * u * u) / 6;
    b[1] = (3 * t3 - 6 * t2 + 4) / 6;
    b[2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6;
    b[3] = t3 / 6;
    const wk = w[k];
    for (let i = 0; i < 4; i++) {
      const wbi = wk * b[i];
      r[s + i] += wbi * y[k];
      for (let j = i; j < 4; j++) g[(s + i) * (B + 1) + (j - i)] += wbi * b[j];
    }
  }
  // DᵀD for second differences a_j - 2a_{j+1} + a_{j+2}.
  const p = new Float64Array(m * (B + 1));
  const d = [1, -2, 1];
  for (let j = 0; j + 2 < m; j++) {
    for (let a = 0; a < 3; a++) {
      for (let c = a; c < 3; c++) p[(j + a) * (B + 1) + (c - a)] += d[a] * d[c];
    }
  }
  let trG = 0, trP = 0;
  for (let i = 0; i < m; i++) {
    trG += g[i * (B + 1)];
    trP += p[i * (B + 1)];
  }
  return { m, g, r, p, scale: trP > 0 ? trG / trP : 1 };
}

/** Banded Cholesky; l[i*(B+1)+d] = L[i][i-d]. Returns false if not positive definite. */
function bandCholesky(a: Float64Array, m: number, l: Float64Array): boolean {
  const W = B + 1;
  for (let i = 0; i < m; i++) {
    for (let j = Math.max(0, i - B); j <= i; j++) {
      let s = a[j * W + (i - j)]; // A[j][i] = A[i][j]
      for (let k = Math.max(0, i - B); k < j; k++) s -= l[i * W + (i - k)] * l[j * W + (j - k)];
      if (i === j) {
        if (!(s > 0)) return false;
        l[i * W] = Math.sqrt(s);
      } else {
        l[i * W + (i - j)] = s / l[j * W];
      }
    }
  }
  return true;
}

function bandSolve(l: Float64Array, m: number, rhs: Float64Array): Float64Array {
  const W = B + 1;
  const z = rhs.slice();
  for (let i = 0; i < m; i++) {
    let s = z[i];
    for (let k = Math.max(0, i - B); k < i; k++) s -= l[i * W + (i - k)] * z[k];
    z[i] = s / l[i * W];
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k <= Math.min(m - 1, i + B); k++) s -= l[k * W + (k - i)] * z[k];
    z[i] = s / l[i * W];
  }
  return z;
}

/** Band of the inverse of L Lᵀ (Takahashi): s[i*(B+1)+d] = Σ[i][i+d]. */
function bandInverse(l: Float64Array, m: number): Float64Array {
  const W = B + 1;
  const s = new Float64Array(m * W);
  const get = (i: number, j: number): number => i <= j ? s[i * W + (j - i)] : s[j * W + (i - j)];
  for (let i = m - 1; i >= 0; i--) {
    const lii = l[i * W];
    const top = Math.min(m - 1, i + B);
    for (let j = top; j > i; j--) {
      let acc = 0;
      for (let k = i + 1; k <= top; k++) acc += l[k * W + (k - i)] * get(k, j);
      s[i * W + (j - i)] = -acc / lii;
    }
    let acc = 0;
    for (let k = i + 1; k <= top; k++) acc += l[k * W + (k - i)] * get(k, i);
    s[i * W] = 1 / (lii * lii) - acc / lii;
  }
  return s;
}

interface Trial {
  coef: Float64Array;
  rss: number;
  edf: number;
  gcv: number;
}

function trial(
  sys: System,
  x: Float64Array,
  y: Float64Array,
  w: Float64Array,
  x0: number,
  delta: number,
  segments: number,
  relative: number,
): Trial | null {
  const { m, g, p, r } = sys;
  const W = B + 1;
  const lam = relative * sys.scale;
  const a = new Float64Array(m * W);
  for (let i = 0; i < a.length; i++) a[i] = g[i] + lam * p[i];
  const l = new Float64Array(m * W);
  if (!bandCholesky(a, m, l)) return null;
  const coef = bandSolve(l, m, r);
  const inv = bandInverse(l, m);
  let edf = 0;
  for (let i = 0; i < m; i++) {
    edf += inv[i * W] * g[i * W];
    for (let d = 1; d <= B && i + d < m; d++) edf += 2 * inv[i * W + d] * g[i * W + d];
  }
  const sp: PSpline = { x0, delta, segments, coef, lambda: relative, edf, rss: 0 };
  let rss = 0, sw = 0;
  for (let k = 0; k < x.length; k++) {
    const e = y[k] - psplineValue(sp, x[k]);
    rss += w[k] * e * e;
    sw += w[k];
  }
  const n = x.length;
  const denom = 1 - edf / n;
  const gcv = denom > 0 ? (rss / sw) / (denom * denom) : Infinity;
  return { coef, rss, edf, gcv };
}

/** Options of {@link fitPSpline}. */
export interface PSplineOptions {
  /** Knot spacing in x units. */
  knotSpacing: number;
  /** Relative smoothing weight, or "gcv" to choose it. */
  lambda: number | "gcv";
}

/**
 * Fit a P-spline to points sorted by x (weights > 0). Throws RangeError when the system is
 * singular (for example a single distinct x).
 */
export function fitPSpline(
  x: Float64Array,
  y: Float64Array,
  w: Float64Array,
  options: PSplineOptions,
): PSpline {
  const x0 = x[0], x1 = x[x.length - 1];
  const span = x1 - x0;
  if (!(span > 0)) throw new RangeError("spline: x does not vary");
  const segments = Math.max(1, Math.min(20000, Math.ceil(span / options.knotSpacing)));
  const delta = span / segments;
  const sys = buildSystem(x, y, w, x0, delta, segments);
  const run = (rel: number): Trial | null => trial(sys, x, y, w, x0, delta, segments, rel);
  let best: Trial | null = null;
  let bestRel = 0;
  if (options.lambda === "gcv") {
    // Coarse grid over log10 λ, then golden-section refinement around the best grid point.
    let bestLog = NaN;
    for (let lg = -8; lg <= 6; lg += 0.5) {
      const t = run(10 ** lg);
      if (t && (!best || t.gcv < best.gcv)) [best, bestLog] = [t, lg];
    }
    if (best) {
      let lo = bestLog - 0.5, hi = bestLog + 0.5;
      const phi = (Math.sqrt(5) - 1) / 2;
      for (let it = 0; it < 16; it++) {
        const a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
        const ta = run(10 ** a), tb = run(10 ** b);
        if ((ta?.gcv ?? Infinity) < (tb?.gcv ?? Infinity)) hi = b;
        else lo = a;
      }
      const mid = (lo + hi) / 2;
      const t = run(10 ** mid);
      if (t && t.gcv <= best.gcv) [best, bestLog] = [t, mid];
      bestRel = 10 ** bestLog;
    }
  } else {
    if (!(options.lambda >= 0)) {
      throw new RangeError(`spline: smoothing weight must be ≥ 0, got ${options.lambda}`);
    }
    bestRel = options.lambda;
    best = run(bestRel);
  }
  if (!best) throw new RangeError("spline: the penalized normal equations are singular");
  return {
    x0,
    delta,
    segments,
    coef: best.coef,
    lambda: bestRel,
    edf: best.edf,
    rss: best.rss,
  };
}
