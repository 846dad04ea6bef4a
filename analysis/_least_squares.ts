// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { cholesky, choleskySolve, invertSpd, normalEquations } from "./_linalg.ts";

/** A nonlinear least-squares problem: minimize Σ rᵢ(p)². */
export interface LeastSquaresProblem {
  /** Number of residuals. */
  m: number;
  /** Write the m residuals at parameters `p` into `out`. */
  residuals(p: Float64Array, out: Float64Array): void;
  /**
   * Optional analytic Jacobian, row-major m×n (∂rᵢ/∂pⱼ at `out[i*n+j]`). Without it a
   * forward-difference Jacobian is used.
   */
  jacobian?(p: Float64Array, out: Float64Array): void;
}

/** Options of {@link leastSquares}. */
export interface LeastSquaresOptions {
  /** Lower bounds (may be `-Infinity`). */
  lower?: ArrayLike<number>;
  /** Upper bounds (may be `Infinity`). */
  upper?: ArrayLike<number>;
  /** Maximum number of iterations. @default {200} */
  maxIterations?: number;
  /** Stop when the relative step is below this. @default {1e-10} */
  xtol?: number;
  /** Stop when the relative decrease of the cost is below this. @default {1e-15} */
  ftol?: number;
  /** Stop when the largest gradient component is below this. @default {1e-14} */
  gtol?: number;
  /** Initial damping relative to the largest diagonal of JᵀJ. @default {1e-3} */
  lambda?: number;
}

/** Result of {@link leastSquares}. */
export interface LeastSquaresResult {
  /** Fitted parameters. */
  params: Float64Array;
  /** Σ rᵢ² at the solution. */
  cost: number;
  /** Residuals at the solution. */
  residuals: Float64Array;
  /**
   * Covariance of the parameters, s²(JᵀJ)⁻¹ with s² = cost / (m − n), row-major n×n; `null`
   * when JᵀJ is singular or m ≤ n.
   */
  covariance: Float64Array | null;
  /** Standard errors (square roots of the covariance diagonal); `NaN` when unavailable. */
  standardErrors: Float64Array;
  /** Iterations used. */
  iterations: number;
  /** Whether a convergence test was met before `maxIterations`. */
  converged: boolean;
  /** Which test stopped the iteration. */
  message: string;
}

/**
 * Bounded Levenberg–Marquardt (Marquardt scaling, Nielsen damping update, steps projected onto
 * the bounds).
 *
 * @param problem Residuals and optional Jacobian.
 * @param p0 Starting parameters (clipped into the bounds).
 * @param options Bounds and tolerances.
 * @returns Fitted parameters with covariance and diagnostics.
 */
export function leastSquares(
  problem: LeastSquaresProblem,
  p0: ArrayLike<number>,
  options: LeastSquaresOptions = {},
): LeastSquaresResult {
  const n = p0.length;
  const m = problem.m;
  const lower = options.lower ?? new Float64Array(n).fill(-Infinity);
  const upper = options.upper ?? new Float64Array(n).fill(Infinity);
  const maxIterations = options.maxIterations ?? 200;
  const xtol = options.xtol ?? 1e-10;
  const ftol = options.ftol ?? 1e-15;
  const gtol = options.gtol ?? 1e-14;
  const clip = (p: Float64Array): void => {
    for (let j = 0; j < n; j++) p[j] = Math.min(upper[j], Math.max(lower[j], p[j]));
  };

  const p = Float64Array.from(p0);
  clip(p);
  const r = new Float64Array(m);
  const rTrial = new Float64Array(m);
  const jac = new Float64Array(m * n);
  const trial = new Float64Array(n);
  const sumSq = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    return s;
  };
  const evalJacobian = (): void => {
    if (problem.jacobian) {
      problem.jacobian(p, jac);
      return;
    }
    const shifted = p.slice();
    for (let j = 0; j < n; j++) {
      let h = 1.4901161193847656e-8 * (p[j] !== 0 ? Math.abs(p[j]) : 1);
      if (p[j] + h > upper[j]) h = -h;
      shifted[j] = p[j] + h;
      problem.residuals(shifted, rTrial);
      for (let i = 0; i < m; i++) jac[i * n + j] = (rTrial[i] - r[i]) / h;
      shifted[j] = p[j];
    }
  };

  problem.residuals(p, r);
  let cost = sumSq(r);
  if (!Number.isFinite(cost)) {
    throw new RangeError("Cannot fit: the residuals are not finite at the starting parameters");
  }
  let lambda = -1;
  let nu = 2;
  let iterations = 0;
  let converged = false;
  let message = "maximum number of iterations reached";
  let needJacobian = true;
  let jtj: Float64Array = new Float64Array(0);
  let jtr: Float64Array = new Float64Array(0);

  while (iterations < maxIterations) {
    iterations++;
    if (needJacobian) {
      evalJacobian();
      ({ jtj, jtr } = normalEquations(jac, r, m, n));
      needJacobian = false;
      let gmax = 0;
      for (let j = 0; j < n; j++) {
        // Only count gradient components that can still move inside the bounds.
        const blocked = (p[j] <= lower[j] && jtr[j] > 0) || (p[j] >= upper[j] && jtr[j] < 0);
        if (!blocked) gmax = Math.max(gmax, Math.abs(jtr[j]));
      }
      if (gmax <= gtol * Math.max(cost, 1e-300)) {
        converged = true;
        message = "gradient below tolerance";
        break;
      }
      if (lambda < 0) {
        let dmax = 0;
        for (let j = 0; j < n; j++) dmax = Math.max(dmax, jtj[j * n + j]);
        lambda = (options.lambda ?? 1e-3) * (dmax || 1);
      }
    }
    const a = jtj.slice();
    for (let j = 0; j < n; j++) a[j * n + j] += lambda * Math.max(jtj[j * n + j], 1e-300);
    const step = new Float64Array(n);
    for (let j = 0; j < n; j++) step[j] = -jtr[j];
    if (!cholesky(a, n)) {
      lambda *= nu;
      nu *= 2;
      continue;
    }
    choleskySolve(a, n, step);
    for (let j = 0; j < n; j++) trial[j] = p[j] + step[j];
    clip(trial);
    problem.residuals(trial, rTrial);
    const trialCost = sumSq(rTrial);
    // Predicted decrease of the linear model for the (projected) step actually taken.
    let predicted = 0;
    for (let j = 0; j < n; j++) {
      const d = trial[j] - p[j];
      predicted -= 2 * jtr[j] * d;
      for (let k = 0; k < n; k++) predicted -= d * jtj[j * n + k] * (trial[k] - p[k]);
    }
    if (Number.isFinite(trialCost) && trialCost < cost) {
      const rho = predicted > 0 ? (cost - trialCost) / predicted : 0.5;
      let stepNorm = 0, pNorm = 0;
      for (let j = 0; j < n; j++) {
        stepNorm += (trial[j] - p[j]) ** 2;
        pNorm += p[j] * p[j];
      }
      const relDecrease = (cost - trialCost) / cost;
      p.set(trial);
      r.set(rTrial);
      cost = trialCost;
      needJacobian = true;
      lambda *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
      nu = 2;
      if (Math.sqrt(stepNorm) <= xtol * (Math.sqrt(pNorm) + xtol)) {
        converged = true;
        message = "step below tolerance";
        break;
      }
      if (relDecrease <= ftol || cost === 0) {
        converged = true;
        message = "cost decrease below tolerance";
        break;
      }
    } else {
      lambda *= nu;
      nu *= 2;
      if (lambda > 1e32) {
        converged = true;
        message = "no further decrease possible";
        break;
      }
    }
  }

  if (needJacobian) {
    evalJacobian();
    ({ jtj } = normalEquations(jac, r, m, n));
  }
  let covariance: Float64Array | null = null;
  const standardErrors = new Float64Array(n).fill(NaN);
  if (m > n) {
    const inv = invertSpd(jtj, n);
    if (inv) {
      const s2 = cost / (m - n);
      for (let k = 0; k < n * n; k++) inv[k] *= s2;
      covariance = inv;
      for (let j = 0; j < n; j++) standardErrors[j] = Math.sqrt(inv[j * n + j]);
    }
  }
  return {
    params: p,
    cost,
    residuals: r,
    covariance,
    standardErrors,
    iterations,
    converged,
    message,
  };
}
