// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { indicesAtBound, levenbergMarquardt } from "./_lm.ts";

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
  /**
   * Optional: residuals and analytic Jacobian in one call (used instead of `residuals` then
   * `jacobian` wherever both are needed, for models that compute them together).
   */
  residualsAndJacobian?(p: Float64Array, residuals: Float64Array, out: Float64Array): void;
}

/** Options of {@link leastSquares}. */
export interface LeastSquaresOptions {
  /** Lower bounds (may be `-Infinity`). */
  lower?: ArrayLike<number>;
  /** Upper bounds (may be `Infinity`). */
  upper?: ArrayLike<number>;
  /** Maximum number of iterations. @default {200} */
  maxIterations?: number;
  /** Stop when the scaled relative step is below this. @default {1e-10} */
  xtol?: number;
  /** Stop when actual and predicted relative decreases of the cost are below this. @default {1e-15} */
  ftol?: number;
  /** Stop when the cosine between residuals and every free Jacobian column is below this. @default {1e-14} */
  gtol?: number;
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
  /**
   * Indices of the parameters at (within 1e-6 of the width of their bound interval) a bound:
   * the data pushed them there, so their value and standard error are not an estimate.
   */
  atBound: number[];
}

/**
 * Bounded Levenberg–Marquardt for problems given by residuals (and optionally an analytic
 * Jacobian), with parameter covariance, standard errors and the parameters left at a bound.
 * The solver (`_lm.ts`) is shared by every fit: fade models, the circuit fits (through
 * `eis/_fit_core.ts`) and the other curve fits.
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
  const lower = Float64Array.from(options.lower ?? new Float64Array(n).fill(-Infinity));
  const upper = Float64Array.from(options.upper ?? new Float64Array(n).fill(Infinity));
  const shifted = new Float64Array(n);
  const rShifted = new Float64Array(m);
  const both = problem.residualsAndJacobian?.bind(problem);
  const jacobian = both ?? ((p: Float64Array, r: Float64Array, jac: Float64Array): void => {
    problem.residuals(p, r);
    if (problem.jacobian) {
      problem.jacobian(p, jac);
      return;
    }
    shifted.set(p);
    for (let j = 0; j < n; j++) {
      let h = 1.4901161193847656e-8 * (p[j] !== 0 ? Math.abs(p[j]) : 1);
      if (p[j] + h > upper[j]) h = -h;
      shifted[j] = p[j] + h;
      problem.residuals(shifted, rShifted);
      for (let i = 0; i < m; i++) jac[i * n + j] = (rShifted[i] - r[i]) / h;
      shifted[j] = p[j];
    }
  });
  const result = levenbergMarquardt(
    { m, residuals: (p, out) => problem.residuals(p, out), jacobian },
    Float64Array.from(p0),
    {
      lower,
      upper,
      maxIterations: options.maxIterations ?? 200,
      ftol: options.ftol ?? 1e-15,
      xtol: options.xtol ?? 1e-10,
      gtol: options.gtol ?? 1e-14,
    },
  );
  const standardErrors = new Float64Array(n).fill(NaN);
  if (result.covariance) {
    for (let j = 0; j < n; j++) standardErrors[j] = Math.sqrt(result.covariance[j * n + j]);
  }
  return {
    params: result.u,
    cost: result.cost,
    residuals: result.residuals,
    covariance: result.covariance,
    standardErrors,
    iterations: result.iterations,
    converged: result.converged,
    message: result.message,
    atBound: indicesAtBound(result.u, lower, upper),
  };
}
