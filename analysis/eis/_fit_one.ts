// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * One circuit fit with automatic starts: prepare the problem (bounds, constants, weights),
 * run a short Levenberg–Marquardt from every automatic starting vector, refine the best two,
 * optionally search globally (seeded random restarts), and grade the result.
 */

import type { Circuit } from "./circuit.ts";
import {
  type CoreFit,
  costAt,
  type FitProblem,
  solve,
  type Weighting,
  weights,
} from "./_fit_core.ts";
import { features, initialGuesses } from "./_guess.ts";
import type { SpectrumData } from "./_spectrum_data.ts";
import { mulberry32 } from "../_random.ts";

/** Options of one fit. */
export interface FitOneOptions {
  /** Weighting. */
  weighting: Weighting;
  /** User starting values by parameter name or in order. */
  initialGuess?: ArrayLike<number> | Record<string, number>;
  /** Extra starting vector tried first (the previous fit of a batch). */
  seed?: ArrayLike<number>;
  /** Fixed parameters by name. */
  constants?: Record<string, number>;
  /** Bounds by parameter name. */
  bounds?: Record<string, [number, number]>;
  /** Random restarts for a global search (0 = none). */
  globalStarts: number;
  /** Seed of the random restarts. */
  randomSeed: number;
  /** Iteration limit of the final refinement. */
  maxIterations: number;
}

/** Quality of a fit. */
export interface FitQuality {
  /** `good`, `warning` (usable, read the reasons) or `poor` (do not trust). */
  level: "good" | "warning" | "poor";
  /** Why, in words; empty when good. */
  reasons: string[];
}

/** The outcome of {@link fitOne}. */
export interface FitOneResult extends CoreFit {
  /** The prepared problem. */
  problem: FitProblem;
  /** Number of starting vectors tried. */
  starts: number;
  /** Relative misfit √(Σ w²|Z − Ẑ|² / Σ w²|Z|²) in the fit's weighting. */
  relativeRmse: number;
  /** Relative standard errors (σ/|p|) of all parameters. */
  relativeErrors: Float64Array;
  /** Akaike information criterion. */
  aic: number;
  /** Bayesian information criterion. */
  bic: number;
  /** Quality grade. */
  quality: FitQuality;
  /** Remarks that do not change the grade (for example a cheaper degenerate minimum). */
  notes: string[];
}

/** Relative RMS misfit above which a fit is poor. */
export const POOR_RMSE = 0.1;
/** Relative RMS misfit above which a fit gets a warning. */
export const WARN_RMSE = 0.03;
/** Relative standard error above which a parameter is called undetermined. */
export const POOR_RELATIVE_ERROR = 1;

/** Build the problem: bounds, constants, weights. */
export function makeProblem(
  what: string,
  circuit: Circuit,
  data: SpectrumData,
  options: Pick<FitOneOptions, "weighting" | "constants" | "bounds">,
): FitProblem {
  const n = circuit.length;
  const names = circuit.names;
  const values = new Float64Array(n);
  const lower = new Float64Array(n), upper = new Float64Array(n);
  const log = new Uint8Array(n);
  const fixed = new Set<number>();
  for (const [name, v] of Object.entries(options.constants ?? {})) {
    const k = names.indexOf(name);
    if (k < 0) {
      throw new RangeError(
        `Cannot ${what}: constant "${name}" is not a parameter of ${circuit.text} (${
          names.join(", ")
        })`,
      );
    }
    if (!Number.isFinite(v)) throw new RangeError(`Cannot ${what}: constant ${name} = ${v}`);
    values[k] = v;
    fixed.add(k);
  }
  circuit.parameters.forEach((p, k) => {
    lower[k] = p.lower;
    upper[k] = p.upper;
  });
  for (const [name, b] of Object.entries(options.bounds ?? {})) {
    const k = names.indexOf(name);
    if (k < 0) {
      throw new RangeError(`Cannot ${what}: bound for unknown parameter "${name}"`);
    }
    if (!Array.isArray(b) || b.length !== 2 || !(b[0] < b[1])) {
      throw new RangeError(
        `Cannot ${what}: bounds of ${name} must be [lower, upper], lower < upper`,
      );
    }
    lower[k] = b[0];
    upper[k] = b[1];
  }
  circuit.parameters.forEach((p, k) => {
    log[k] = p.scale === "log" && lower[k] >= 0 ? 1 : 0;
  });
  const free = Int32Array.from(names.map((_, k) => k).filter((k) => !fixed.has(k)));
  if (free.length === 0) throw new RangeError(`Cannot ${what}: every parameter is a constant`);
  if (2 * data.n <= free.length) {
    throw new RangeError(
      `Cannot ${what}: ${data.n} points give ${
        2 * data.n
      } residuals for ${free.length} free parameters`,
    );
  }
  const [weightRe, weightIm] = weights(data, options.weighting);
  return { circuit, data, weightRe, weightIm, free, values, lower, upper, log };
}

function userStart(
  what: string,
  circuit: Circuit,
  guess: ArrayLike<number> | Record<string, number>,
  base: Float64Array,
): Float64Array {
  const out = Float64Array.from(base);
  if (typeof (guess as ArrayLike<number>).length === "number") {
    const g = guess as ArrayLike<number>;
    if (g.length !== circuit.length) {
      throw new RangeError(
        `Cannot ${what}: initialGuess has ${g.length} values, the circuit has ${circuit.length} parameters (${
          circuit.names.join(", ")
        })`,
      );
    }
    for (let k = 0; k < g.length; k++) out[k] = g[k];
    return out;
  }
  for (const [name, v] of Object.entries(guess)) {
    const k = circuit.names.indexOf(name);
    if (k < 0) throw new RangeError(`Cannot ${what}: initialGuess names unknown "${name}"`);
    out[k] = v;
  }
  return out;
}

/** Grade a finished fit. */
export function grade(
  problem: FitProblem,
  fit: CoreFit,
  relativeRmse: number,
  relativeErrors: Float64Array,
): FitQuality {
  const reasons: string[] = [];
  let level: FitQuality["level"] = "good";
  const warn = (r: string): void => {
    reasons.push(r);
    if (level === "good") level = "warning";
  };
  const poor = (r: string): void => {
    reasons.push(r);
    level = "poor";
  };
  const names = problem.circuit.names;
  const pct = (v: number): string => `${(100 * v).toPrecision(2)} %`;
  if (relativeRmse > POOR_RMSE) poor(`poor fit: relative RMS misfit ${pct(relativeRmse)}`);
  else if (relativeRmse > WARN_RMSE) warn(`mediocre fit: relative RMS misfit ${pct(relativeRmse)}`);
  if (!fit.converged) warn(`not converged: ${fit.message}`);
  for (const k of fit.atBound) {
    const lo = Math.abs(fit.params[k] - problem.lower[k]) <=
      Math.abs(fit.params[k] - problem.upper[k]);
    warn(
      `parameter ${names[k]} at its ${lo ? "lower" : "upper"} bound (${
        fit.params[k].toPrecision(4)
      }): the element may be unnecessary or the bound too tight`,
    );
  }
  if (!fit.covariance) poor("parameters not determined: singular Jacobian (no standard errors)");
  else {
    for (const k of problem.free) {
      if (fit.atBound.includes(k)) continue;
      const e = relativeErrors[k];
      if (!(e <= POOR_RELATIVE_ERROR)) {
        poor(`parameter ${names[k]} undetermined: relative standard error ${pct(e)}`);
      }
    }
  }
  return { level, reasons };
}

/** Whether every free parameter of a fit has a finite relative standard error ≤ the limit. */
function determined(problem: FitProblem, fit: CoreFit): boolean {
  if (!fit.covariance) return false;
  for (const k of problem.free) {
    if (fit.atBound.includes(k)) continue;
    if (!(fit.standardErrors[k] <= POOR_RELATIVE_ERROR * Math.abs(fit.params[k]))) return false;
  }
  return true;
}

/** Fit a circuit with automatic (and optional user or seeded) starts. */
export function fitOne(
  what: string,
  circuit: Circuit,
  data: SpectrumData,
  options: FitOneOptions,
): FitOneResult {
  const problem = makeProblem(what, circuit, data, options);
  const fixedInto = (v: Float64Array): Float64Array => {
    const out = Float64Array.from(v);
    const isFree = new Uint8Array(circuit.length);
    for (const k of problem.free) isFree[k] = 1;
    for (let k = 0; k < circuit.length; k++) if (!isFree[k]) out[k] = problem.values[k];
    return out;
  };
  const starts: Float64Array[] = [];
  const auto = initialGuesses(circuit, features(data));
  if (options.initialGuess) starts.push(userStart(what, circuit, options.initialGuess, auto[0]));
  if (options.seed && options.seed.length === circuit.length) {
    starts.push(Float64Array.from(options.seed));
  }
  if (!options.initialGuess) starts.push(...auto);
  const trials = starts.map(fixedInto).filter((s) => costAt(problem, s) < Infinity);
  if (trials.length === 0) {
    throw new RangeError(`Cannot ${what}: the impedance is not finite at any starting point`);
  }
  // Short runs from every start; refine the two cheapest. A local minimum whose parameters are
  // undetermined (a degenerate limit such as a finite Warburg with τ → ∞) is not a usable
  // estimate for this circuit: then the cheapest well-determined minimum is preferred and the
  // cheaper degenerate one is reported in the notes.
  const quick: CoreFit[] = trials.length === 1
    ? [solve(problem, trials[0], options.maxIterations)]
    : trials.map((s) => solve(problem, s, 15)).sort((a, b) => a.cost - b.cost);
  // Distinct basins only: quick results whose free parameters agree within 5 % are one.
  const distinct: CoreFit[] = [];
  for (const q of quick) {
    const same = distinct.some((d) =>
      Array.from(problem.free).every((k) => {
        const a = q.params[k], b = d.params[k];
        return problem.log[k]
          ? Math.abs(Math.log(a / b)) < 0.05
          : Math.abs(a - b) <= 0.05 * Math.max(Math.abs(a), Math.abs(b), 1e-300);
      })
    );
    if (!same) distinct.push(q);
  }
  const refined: CoreFit[] = [];
  for (const q of distinct) {
    if (refined.length > 0) {
      const good = refined.some((r) => determined(problem, r));
      const close = q.cost < 1.5 * distinct[0].cost;
      if (good && (!close || refined.length >= 2)) break;
    }
    refined.push(trials.length === 1 ? q : solve(problem, q.params, options.maxIterations));
  }
  refined.sort((a, b) => a.cost - b.cost);
  let best = refined.find((r) => determined(problem, r)) ?? refined[0];
  let tried = trials.length;
  const notes: string[] = [];
  const cheaper = refined[0];
  if (cheaper !== best && cheaper.cost < best.cost * (1 - 1e-6)) {
    const loose = problem.circuit.names.filter((_, k) =>
      problem.free.includes(k) &&
      !(cheaper.standardErrors[k] <= POOR_RELATIVE_ERROR * Math.abs(cheaper.params[k]))
    );
    notes.push(
      `a lower χ² (${cheaper.cost.toExponential(4)} vs ${best.cost.toExponential(4)}) exists ` +
        `with ${loose.join(", ")} undetermined (a degenerate limit of this circuit); ` +
        "a simpler circuit may describe the data better",
    );
  }
  if (options.globalStarts > 0) {
    const rand = mulberry32(options.randomSeed);
    for (let s = 0; s < options.globalStarts; s++) {
      const start = Float64Array.from(best.params);
      for (const k of problem.free) {
        // A log parameter that ran off to 0 or ∞ restarts from its automatic guess.
        if (problem.log[k] && best.atBound.includes(k)) start[k] = trials[0][k];
        if (problem.log[k]) start[k] *= 10 ** (3 * rand() - 1.5);
        else {
          const lo = Number.isFinite(problem.lower[k]) ? problem.lower[k] : start[k] - 1;
          const hi = Number.isFinite(problem.upper[k]) ? problem.upper[k] : start[k] + 1;
          start[k] = lo + rand() * (hi - lo);
        }
      }
      const trial = solve(problem, start, 60);
      tried++;
      if (trial.cost < best.cost * (1 - 1e-9)) {
        best = solve(problem, trial.params, options.maxIterations);
      }
    }
  }
  const N = data.n;
  const re = new Float64Array(N), im = new Float64Array(N);
  circuit.evaluate(best.params, data.w, re, im);
  // Misfit relative to the data in the fit's own weighting: √(Σ w²|Z − Ẑ|² / Σ w²|Z|²).
  let num = 0, den = 0;
  for (let i = 0; i < N; i++) {
    const wr = problem.weightRe[i] ** 2, wi = problem.weightIm[i] ** 2;
    num += wr * (re[i] - data.re[i]) ** 2 + wi * (im[i] - data.im[i]) ** 2;
    den += wr * data.re[i] ** 2 + wi * data.im[i] ** 2;
  }
  const relativeRmse = Math.sqrt(num / den);
  const relativeErrors = best.standardErrors.map((e, k) => e / Math.abs(best.params[k]));
  const m = 2 * N, k = problem.free.length;
  const ll = m * Math.log(Math.max(best.cost, 1e-300) / m);
  return {
    ...best,
    problem,
    starts: tried,
    relativeRmse,
    relativeErrors,
    aic: ll + 2 * k,
    bic: ll + k * Math.log(m),
    quality: grade(problem, best, relativeRmse, relativeErrors),
    notes,
  };
}
