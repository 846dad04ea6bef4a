// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The complex nonlinear least-squares core: weighted stacked residuals, log-parameter
 * transform, bounded Levenberg–Marquardt (the shared `_least_squares.ts`) with the circuit's
 * analytic Jacobian, and the covariance mapped back to the parameters.
 */

import { leastSquares, type LeastSquaresResult } from "../_least_squares.ts";
import type { Circuit } from "./circuit.ts";
import type { SpectrumData } from "./_spectrum_data.ts";

/**
 * Residual weighting: `unit` (σ = 1, impedance.py's default), `modulus` (σ = |Z|, impedance.py's
 * `weight_by_modulus`), `proportional` (σ_re = |Z'|, σ_im = |Z''|, each floored at 1 % of |Z|).
 */
export type Weighting = "unit" | "modulus" | "proportional";

/** A prepared fitting problem. */
export interface FitProblem {
  /** The circuit. */
  circuit: Circuit;
  /** The data. */
  data: SpectrumData;
  /** 1/σ for the real residuals. */
  weightRe: Float64Array;
  /** 1/σ for the imaginary residuals. */
  weightIm: Float64Array;
  /** Indices of the free parameters. */
  free: Int32Array;
  /** Full parameter vector; fixed parameters hold their constant values. */
  values: Float64Array;
  /** Lower bounds (full vector). */
  lower: Float64Array;
  /** Upper bounds (full vector). */
  upper: Float64Array;
  /** 1 where the parameter is fitted as its logarithm. */
  log: Uint8Array;
}

/**
 * Result of {@link solve}: as `leastSquares` gives it, for the circuit's full parameter vector —
 * `params` and `standardErrors` (`NaN` for fixed or unavailable) cover every parameter,
 * `covariance` only the free ones (in their order), `atBound` holds full indices (free
 * parameters at, or within 1e-6 relative of, a bound, or run off to 0 or ∞ on the log scale).
 */
export interface CoreFit extends LeastSquaresResult {
  /**
   * For each entry of `atBound`, in the same order: which way the parameter went — `"lower"`
   * (its lower bound, or towards 0 for a log parameter that ran off) or `"upper"` (its upper
   * bound, or towards ∞).
   */
  boundSide: ("lower" | "upper")[];
}

/** Span around the start, in natural-log units, of a log parameter without finite bounds. */
const LOG_SPAN = 35;
const XTOL = 1e-8, FTOL = 1e-10, GTOL = 1e-12;

/**
 * |Z| spread (largest / smallest) above which `auto` weighting uses `modulus`: beyond two
 * decades, unit weights give the smallest-|Z| points less than 1e-4 of the influence of the
 * largest, and the high-frequency part of the spectrum is effectively not fitted (blocking
 * electrodes, coatings).
 */
export const MODULUS_SPREAD = 100;

/**
 * The weighting `auto` stands for on these data, and why: `modulus` when |Z| spreads over more
 * than {@link MODULUS_SPREAD}×, `unit` (impedance.py's default) otherwise. `spread` is
 * max |Z| / min |Z|, `detail` says it in words.
 */
export function chooseWeighting(
  data: SpectrumData,
): { weighting: Weighting; spread: number; detail: string } {
  let lo = Infinity, hi = 0;
  for (let i = 0; i < data.n; i++) {
    const mod = Math.hypot(data.re[i], data.im[i]);
    lo = Math.min(lo, mod);
    hi = Math.max(hi, mod);
  }
  const spread = hi / lo;
  const text = spread < 1e4 ? spread.toPrecision(3) : spread.toExponential(1);
  const wide = spread > MODULUS_SPREAD;
  return {
    weighting: wide ? "modulus" : "unit",
    spread,
    detail: `|Z| spreads over ${text}× (${wide ? ">" : "≤"} ${MODULUS_SPREAD}×)`,
  };
}

/** Build the weights for a weighting scheme. */
export function weights(data: SpectrumData, weighting: Weighting): [Float64Array, Float64Array] {
  const wr = new Float64Array(data.n), wi = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    const mod = Math.hypot(data.re[i], data.im[i]);
    if (weighting === "unit") {
      wr[i] = 1;
      wi[i] = 1;
    } else if (weighting === "modulus") {
      wr[i] = 1 / mod;
      wi[i] = 1 / mod;
    } else {
      wr[i] = 1 / Math.max(Math.abs(data.re[i]), 0.01 * mod);
      wi[i] = 1 / Math.max(Math.abs(data.im[i]), 0.01 * mod);
    }
  }
  return [wr, wi];
}

/** Map free parameters to the optimizer's variables (log or linear). */
function toU(problem: FitProblem, p: ArrayLike<number>): Float64Array {
  const u = new Float64Array(problem.free.length);
  problem.free.forEach((k, j) => {
    u[j] = problem.log[k] ? Math.log(p[k]) : p[k];
  });
  return u;
}

/**
 * Fit from `start` (full parameter vector; fixed entries are ignored).
 */
export function solve(problem: FitProblem, start: ArrayLike<number>, maxIterations = 300): CoreFit {
  const { circuit, data, weightRe, weightIm, free, log } = problem;
  const nAll = circuit.length, nFree = free.length, N = data.n, m = 2 * N;
  const p = Float64Array.from(problem.values);
  const s = Float64Array.from(start);
  for (let j = 0; j < nFree; j++) {
    const k = free[j];
    const lo = problem.lower[k], hi = problem.upper[k];
    let v = s[k];
    if (!Number.isFinite(v)) v = log[k] ? 1 : 0.5 * (lo + hi);
    if (log[k] && !(v > 0)) v = lo > 0 ? lo : 1e-12;
    s[k] = Math.min(hi, Math.max(lo, v));
  }
  const u0 = toU(problem, s);
  const lowerU = new Float64Array(nFree), upperU = new Float64Array(nFree);
  for (let j = 0; j < nFree; j++) {
    const k = free[j];
    if (log[k]) {
      lowerU[j] = problem.lower[k] > 0 ? Math.log(problem.lower[k]) : u0[j] - LOG_SPAN;
      upperU[j] = Number.isFinite(problem.upper[k]) ? Math.log(problem.upper[k]) : u0[j] + LOG_SPAN;
    } else {
      lowerU[j] = problem.lower[k];
      upperU[j] = problem.upper[k];
    }
  }
  const re = new Float64Array(N), im = new Float64Array(N);
  const jRe = new Float64Array(N * nAll), jIm = new Float64Array(N * nAll);
  const setP = (u: Float64Array): void => {
    for (let j = 0; j < nFree; j++) {
      const k = free[j];
      p[k] = log[k] ? Math.exp(u[j]) : u[j];
    }
  };
  const fill = (out: Float64Array): void => {
    for (let i = 0; i < N; i++) {
      out[i] = (re[i] - data.re[i]) * weightRe[i];
      out[N + i] = (im[i] - data.im[i]) * weightIm[i];
    }
  };
  const result = leastSquares(
    {
      m,
      residuals(u, out) {
        setP(u);
        circuit.evaluate(p, data.w, re, im);
        fill(out);
      },
      residualsAndJacobian(u, r, out) {
        setP(u);
        circuit.evaluate(p, data.w, re, im, jRe, jIm);
        fill(r);
        for (let i = 0; i < N; i++) {
          const a = i * nFree, b = (N + i) * nFree, row = i * nAll;
          for (let j = 0; j < nFree; j++) {
            const k = free[j];
            const g = log[k] ? p[k] : 1;
            out[a + j] = jRe[row + k] * g * weightRe[i];
            out[b + j] = jIm[row + k] * g * weightIm[i];
          }
        }
      },
    },
    u0,
    { lower: lowerU, upper: upperU, maxIterations, xtol: XTOL, ftol: FTOL, gtol: GTOL },
  );
  setP(result.params);
  const params = Float64Array.from(p);
  const standardErrors = new Float64Array(nAll).fill(NaN);
  let covariance: Float64Array | null = null;
  if (result.covariance) {
    covariance = new Float64Array(nFree * nFree);
    const g = Array.from(free, (k) => (log[k] ? params[k] : 1));
    for (let a = 0; a < nFree; a++) {
      for (let b = 0; b < nFree; b++) {
        covariance[a * nFree + b] = result.covariance[a * nFree + b] * g[a] * g[b];
      }
      standardErrors[free[a]] = Math.sqrt(covariance[a * nFree + a]);
    }
  }
  const atBound: number[] = [];
  const boundSide: ("lower" | "upper")[] = [];
  for (let j = 0; j < nFree; j++) {
    // A log parameter that moved more than 6 decades from its start has run off to 0 or ∞
    // (its gradient vanishes on the log scale before the nominal bound is reached).
    const u = result.params[j];
    const runaway = log[free[j]] && Math.abs(u - u0[j]) > 13.8;
    if (result.atBound.includes(j)) {
      atBound.push(free[j]);
      boundSide.push(Math.abs(u - lowerU[j]) <= Math.abs(u - upperU[j]) ? "lower" : "upper");
    } else if (runaway) {
      atBound.push(free[j]);
      boundSide.push(u < u0[j] ? "lower" : "upper");
    }
  }
  return {
    params,
    cost: result.cost,
    residuals: result.residuals,
    covariance,
    standardErrors,
    iterations: result.iterations,
    converged: result.converged,
    message: result.message,
    atBound,
    boundSide,
  };
}

/** Weighted cost at a full parameter vector (no fitting), `Infinity` when not finite. */
export function costAt(problem: FitProblem, params: ArrayLike<number>): number {
  const { data } = problem;
  const re = new Float64Array(data.n), im = new Float64Array(data.n);
  problem.circuit.evaluate(params, data.w, re, im);
  let c = 0;
  for (let i = 0; i < data.n; i++) {
    c += ((re[i] - data.re[i]) * problem.weightRe[i]) ** 2 +
      ((im[i] - data.im[i]) * problem.weightIm[i]) ** 2;
  }
  return Number.isFinite(c) ? c : Infinity;
}
