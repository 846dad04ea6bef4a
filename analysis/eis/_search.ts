// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The searches of a circuit fit: the starting vectors (automatic, user, previous fit), the local
 * search (a short Levenberg–Marquardt run from every start, the distinct basins refined) and
 * seeded random restarts around the best fit (the global search, also used to escalate).
 */

import type { Circuit } from "./circuit.ts";
import { type CoreFit, costAt, type FitProblem, solve } from "./_fit_core.ts";
import { type Arc, features, initialGuesses } from "./_guess.ts";
import type { SpectrumData } from "./_spectrum_data.ts";
import { mulberry32 } from "../_random.ts";

/** Relative standard error above which a parameter is called undetermined. */
export const POOR_RELATIVE_ERROR = 1;

/** Whether every free parameter not at a bound has a relative standard error ≤ the limit. */
export function determined(problem: FitProblem, fit: CoreFit): boolean {
  if (!fit.covariance) return false;
  for (const k of problem.free) {
    if (fit.atBound.includes(k)) continue;
    if (!(fit.standardErrors[k] <= POOR_RELATIVE_ERROR * Math.abs(fit.params[k]))) return false;
  }
  return true;
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

/**
 * The starting vectors of a fit, fixed parameters set to their constants, those where the
 * impedance is not finite left out: the user's guess (then only it), the previous fit of a
 * batch, and the automatic guesses from the spectrum's features.
 *
 * @throws {RangeError} When no start gives a finite impedance, or for a bad `initialGuess`.
 */
export function startingVectors(
  what: string,
  problem: FitProblem,
  data: SpectrumData,
  options: {
    initialGuess?: ArrayLike<number> | Record<string, number>;
    seed?: ArrayLike<number>;
    /**
     * Arcs to use instead of those seen in −Im Z (the DRT peaks of an escalated search; they are
     * not split further).
     */
    arcs?: Arc[];
  },
): Float64Array[] {
  const circuit = problem.circuit;
  const isFree = new Uint8Array(circuit.length);
  for (const k of problem.free) isFree[k] = 1;
  const fixedInto = (v: Float64Array): Float64Array => {
    const out = Float64Array.from(v);
    for (let k = 0; k < circuit.length; k++) if (!isFree[k]) out[k] = problem.values[k];
    return out;
  };
  const starts: Float64Array[] = [];
  const seen = features(data);
  const auto = options.arcs
    ? initialGuesses(circuit, { ...seen, arcs: options.arcs }, { split: false })
    : initialGuesses(circuit, seen);
  if (options.initialGuess) starts.push(userStart(what, circuit, options.initialGuess, auto[0]));
  if (options.seed && options.seed.length === circuit.length) {
    starts.push(Float64Array.from(options.seed));
  }
  if (!options.initialGuess) starts.push(...auto);
  const trials = starts.map(fixedInto).filter((s) => costAt(problem, s) < Infinity);
  if (trials.length === 0) {
    throw new RangeError(`Cannot ${what}: the impedance is not finite at any starting point`);
  }
  return trials;
}

/**
 * Short runs from every start, the distinct basins refined. A local minimum whose parameters
 * are undetermined (a degenerate limit such as a finite Warburg with τ → ∞) is not a usable
 * estimate for this circuit: the cheapest well-determined minimum is `best`, and `cheaper` is
 * the cheapest minimum found (the same fit, or a degenerate one the caller reports).
 */
export function localSearch(
  problem: FitProblem,
  trials: Float64Array[],
  maxIterations: number,
): { best: CoreFit; cheaper: CoreFit } {
  const quick: CoreFit[] = trials.length === 1
    ? [solve(problem, trials[0], maxIterations)]
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
    refined.push(trials.length === 1 ? q : solve(problem, q.params, maxIterations));
  }
  refined.sort((a, b) => a.cost - b.cost);
  return { best: refined.find((r) => determined(problem, r)) ?? refined[0], cheaper: refined[0] };
}

/**
 * Seeded random restarts around the best fit: log parameters multiplied by 10^U(−1.5, 1.5)
 * (those that ran off restart from `fallback`), linear ones drawn within their bounds; a
 * restart that ends lower (and is well determined, unless the best is not) is refined and
 * becomes the best. Returns `best` itself when nothing better was found.
 */
export function randomRestarts(
  problem: FitProblem,
  best: CoreFit,
  options: {
    fallback: Float64Array;
    count: number;
    seed: number;
    maxIterations: number;
    /** Iterations of each restart before it is compared with the best. @default {60} */
    quickIterations?: number;
  },
): CoreFit {
  const rand = mulberry32(options.seed);
  let bestDetermined = determined(problem, best);
  for (let s = 0; s < options.count; s++) {
    const start = Float64Array.from(best.params);
    for (const k of problem.free) {
      // A log parameter that ran off to 0 or ∞ restarts from its automatic guess.
      if (problem.log[k] && best.atBound.includes(k)) start[k] = options.fallback[k];
      if (problem.log[k]) start[k] *= 10 ** (3 * rand() - 1.5);
      else {
        const lo = Number.isFinite(problem.lower[k]) ? problem.lower[k] : start[k] - 1;
        const hi = Number.isFinite(problem.upper[k]) ? problem.upper[k] : start[k] + 1;
        start[k] = lo + rand() * (hi - lo);
      }
    }
    const trial = solve(problem, start, options.quickIterations ?? 60);
    if (trial.cost < best.cost * (1 - 1e-9)) {
      const refined = solve(problem, trial.params, options.maxIterations);
      const ok = determined(problem, refined);
      if (refined.cost < best.cost * (1 - 1e-9) && (ok || !bestDetermined)) {
        best = refined;
        bestDetermined = ok;
      }
    }
  }
  return best;
}
