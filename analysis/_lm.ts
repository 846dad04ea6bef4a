// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The Levenberg–Marquardt core shared by all fits (circuit fits call it directly with analytic
 * Jacobians; `_least_squares.ts` wraps it for the other fits): no allocation per iteration,
 * JᵀJ and Jᵀr accumulated directly, MINPACK-style scaling (running maximum of the JᵀJ
 * diagonal) and MINPACK-style stopping (both actual and predicted relative reductions below
 * `ftol`, scaled step below `xtol`, or gradient cosine below `gtol`), steps projected onto
 * bounds.
 */

import { cholesky, choleskySolve, invertSpd } from "./_linalg.ts";

/** Residuals and Jacobian of a problem with `m` residuals and `n` unknowns. */
export interface LmProblem {
  /** Number of residuals. */
  m: number;
  /** Residuals at `u`. */
  residuals(u: Float64Array, out: Float64Array): void;
  /** Residuals and row-major m×n Jacobian at `u`. */
  jacobian(u: Float64Array, r: Float64Array, jac: Float64Array): void;
}

/** Result of {@link levenbergMarquardt}. */
export interface LmResult {
  /** Solution. */
  u: Float64Array;
  /** Σ r². */
  cost: number;
  /** Residuals at the solution. */
  residuals: Float64Array;
  /** s²(JᵀJ)⁻¹, s² = cost/(m − n); `null` when singular or m ≤ n. */
  covariance: Float64Array | null;
  /** Iterations (Jacobian evaluations). */
  iterations: number;
  /** Whether a stopping test was met. */
  converged: boolean;
  /** Which test stopped the iteration. */
  message: string;
}

/** Options of {@link levenbergMarquardt}. */
export interface LmOptions {
  /** Lower bounds. */
  lower: Float64Array;
  /** Upper bounds. */
  upper: Float64Array;
  /** Iteration limit. */
  maxIterations: number;
  /** Relative reduction tolerance. @default {1e-10} */
  ftol?: number;
  /** Relative step tolerance. @default {1e-9} */
  xtol?: number;
  /** Gradient cosine tolerance. @default {1e-12} */
  gtol?: number;
  /** Compute the covariance at the end. @default {true} */
  covariance?: boolean;
}

/**
 * Indices of the variables at (within 1e-6 of the bound interval's width, or of 1 when it is
 * infinite) their lower or upper bound.
 */
export function indicesAtBound(
  u: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): number[] {
  const out: number[] = [];
  for (let j = 0; j < u.length; j++) {
    const width = upper[j] - lower[j];
    const tol = 1e-6 * (Number.isFinite(width) ? Math.max(width, 1e-300) : 1);
    if (u[j] - lower[j] <= tol || upper[j] - u[j] <= tol) out.push(j);
  }
  return out;
}

/** Minimize Σ rᵢ(u)² within bounds from `u0`. */
export function levenbergMarquardt(
  problem: LmProblem,
  u0: Float64Array,
  options: LmOptions,
): LmResult {
  const n = u0.length, m = problem.m;
  const { lower, upper, maxIterations } = options;
  const ftol = options.ftol ?? 1e-10, xtol = options.xtol ?? 1e-9, gtol = options.gtol ?? 1e-12;
  const u = Float64Array.from(u0);
  for (let j = 0; j < n; j++) u[j] = Math.min(upper[j], Math.max(lower[j], u[j]));
  const r = new Float64Array(m), rt = new Float64Array(m);
  const jac = new Float64Array(m * n);
  const jtj = new Float64Array(n * n), jtr = new Float64Array(n), a = new Float64Array(n * n);
  const step = new Float64Array(n), trial = new Float64Array(n), diag = new Float64Array(n);
  const sumSq = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    return s;
  };
  const normal = (): void => {
    jtj.fill(0);
    jtr.fill(0);
    for (let i = 0; i < m; i++) {
      const base = i * n, ri = r[i];
      for (let j = 0; j < n; j++) {
        const v = jac[base + j];
        if (v === 0) continue;
        jtr[j] += v * ri;
        for (let k = 0; k <= j; k++) jtj[j * n + k] += v * jac[base + k];
      }
    }
    for (let j = 0; j < n; j++) for (let k = 0; k < j; k++) jtj[k * n + j] = jtj[j * n + k];
  };
  problem.jacobian(u, r, jac);
  let cost = sumSq(r);
  if (!Number.isFinite(cost)) {
    throw new RangeError("Cannot fit: the residuals are not finite at the starting parameters");
  }
  normal();
  let lambda = -1, nu = 2, iterations = 0, converged = false;
  let message = "maximum number of iterations reached";
  let fresh = true;
  while (iterations < maxIterations) {
    if (fresh) {
      iterations++;
      fresh = false;
      for (let j = 0; j < n; j++) diag[j] = Math.max(diag[j], jtj[j * n + j], 1e-300);
      // Gradient test (cosine between r and each free column of J).
      let gmax = 0;
      for (let j = 0; j < n; j++) {
        const blocked = (u[j] <= lower[j] && jtr[j] > 0) || (u[j] >= upper[j] && jtr[j] < 0);
        const d = jtj[j * n + j];
        if (!blocked && d > 0) gmax = Math.max(gmax, Math.abs(jtr[j]) / Math.sqrt(d * cost));
      }
      if (cost === 0 || gmax <= gtol) {
        converged = true;
        message = "gradient below tolerance";
        break;
      }
      // Damping is relative to the scaling diagonal.
      if (lambda < 0) lambda = 1e-3;
    }
    a.set(jtj);
    for (let j = 0; j < n; j++) a[j * n + j] += lambda * diag[j];
    for (let j = 0; j < n; j++) step[j] = -jtr[j];
    if (!cholesky(a, n)) {
      lambda *= nu;
      nu *= 2;
      if (lambda > 1e16) {
        message = "no further decrease possible";
        converged = true;
        break;
      }
      continue;
    }
    choleskySolve(a, n, step);
    let moved = 0, scaleU = 0;
    for (let j = 0; j < n; j++) {
      trial[j] = Math.min(upper[j], Math.max(lower[j], u[j] + step[j]));
      const d = trial[j] - u[j];
      moved += diag[j] * d * d;
      scaleU += diag[j] * u[j] * u[j];
    }
    let predicted = 0;
    for (let j = 0; j < n; j++) {
      const d = trial[j] - u[j];
      let hd = 0;
      for (let k = 0; k < n; k++) hd += jtj[j * n + k] * (trial[k] - u[k]);
      predicted -= 2 * jtr[j] * d + d * hd;
    }
    problem.residuals(trial, rt);
    const tcost = sumSq(rt);
    const actual = cost - tcost;
    const rho = predicted > 0 ? actual / predicted : -1;
    if (Number.isFinite(tcost) && actual > 0 && rho > 1e-4) {
      u.set(trial);
      const prevCost = cost;
      problem.jacobian(u, r, jac);
      cost = sumSq(r);
      normal();
      fresh = true;
      lambda *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
      nu = 2;
      if (actual <= ftol * prevCost && predicted <= ftol * prevCost && rho <= 2) {
        converged = true;
        message = "relative reduction below tolerance";
        break;
      }
      if (Math.sqrt(moved) <= xtol * (Math.sqrt(scaleU) + xtol)) {
        converged = true;
        message = "step below tolerance";
        break;
      }
    } else {
      if (predicted > 0 && predicted <= ftol * 1e-3 * cost) {
        converged = true;
        message = "no further decrease possible";
        break;
      }
      lambda *= nu;
      nu *= 2;
      if (lambda > 1e16) {
        converged = true;
        message = "no further decrease possible";
        break;
      }
    }
  }
  let covariance: Float64Array | null = null;
  if (options.covariance !== false && m > n) {
    const inv = invertSpd(jtj, n);
    if (inv) {
      const s2 = cost / (m - n);
      for (let k = 0; k < n * n; k++) inv[k] *= s2;
      covariance = inv;
    }
  }
  return { u, cost, residuals: r, covariance, iterations, converged, message };
}
