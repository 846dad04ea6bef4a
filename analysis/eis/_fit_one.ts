// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * One circuit fit with automatic starts: prepare the problem (bounds, constants, weights), run
 * the local search from every automatic starting vector (`_search.ts`), optionally search
 * globally (seeded random restarts), escalate to a wider search when the fit is poor or a nested
 * simpler circuit fits as well, and grade the result.
 */

import { type Circuit, parseCircuit } from "./circuit.ts";
import type { CoreFit, FitProblem, Weighting } from "./_fit_core.ts";
import { weights } from "./_fit_core.ts";
import { computeDrt } from "./drt.ts";
import type { Arc } from "./_guess.ts";
import {
  determined,
  localSearch,
  POOR_RELATIVE_ERROR,
  randomRestarts,
  startingVectors,
} from "./_search.ts";
import { circuitShape, nestedCircuits } from "./_nested.ts";
import type { SpectrumData } from "./_spectrum_data.ts";

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
  /**
   * Widen the search automatically ({@link ESCALATION_STARTS} seeded random restarts) when the
   * fit is graded poor or a nested simpler circuit fits as well, unless `globalStarts` is set.
   */
  escalate: boolean;
  /** What the fits of one spectrum share (the candidates of an automatic choice). */
  shared?: SharedSearch;
  /**
   * A candidate of an automatic choice: a misfit alone (even above 10 %) does not escalate —
   * such a candidate is the wrong model, not a bad start, and the choice goes elsewhere.
   */
  candidate?: boolean;
}

/** Results reused across the fits of one spectrum. */
export interface SharedSearch {
  /** Fits of nested circuits by shape (`circuitShape`). */
  nested: Map<string, FitOneResult>;
  /** Arcs from the peaks of the DRT (computed at the first escalation; `null` if it failed). */
  drtArcs?: Arc[] | null;
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
  /** Why and how the search was widened automatically; `null` when it was not. */
  escalation: { reason: string; restarts: number; improved: boolean } | null;
  /** A nested simpler circuit with a BIC as low or lower; `null` when none. */
  simpler: NestedFit | null;
}

/** The BIC of a nested simpler circuit fitted to the same data. */
export interface NestedFit {
  /** Circuit string. */
  circuit: string;
  /** The block left out (`p(R2,CPE2)`). */
  removed: string;
  /** Parameter indices of the removed block in the full circuit: [first, one past the last). */
  parameters: [number, number];
  /** Its BIC. */
  bic: number;
}

/** Seeded random restarts of an automatically escalated search. */
export const ESCALATION_STARTS = 10;
/** Iterations of each restart of an escalated search before it is compared with the best. */
const ESCALATION_ITERATIONS = 25;

/** Relative RMS misfit above which a fit is poor. */
export const POOR_RMSE = 0.1;
/** Relative RMS misfit above which a fit gets a warning. */
export const WARN_RMSE = 0.03;
export { POOR_RELATIVE_ERROR };

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
  const status = parameterStatus(problem, fit, relativeErrors);
  if (!fit.covariance) poor("parameters not determined: singular Jacobian (no standard errors)");
  status.forEach((st, k) => {
    if (st.flag === "ran off towards 0" || st.flag === "ran off towards ∞") {
      warn(
        `parameter ${names[k]} ${st.flag} (${
          fit.params[k].toPrecision(4)
        }): the element is probably unnecessary`,
      );
    } else if (st.flag === "at lower bound" || st.flag === "at upper bound") {
      warn(
        `parameter ${names[k]} ${st.flag} (${fit.params[k].toPrecision(4)}): the bound may be ` +
          "too tight or the element unnecessary",
      );
    } else if (st.flag === "not determined" && fit.covariance) {
      poor(
        `parameter ${names[k]} not determined by the data: relative standard error above ${
          100 * POOR_RELATIVE_ERROR
        } %`,
      );
    }
  });
  return { level, reasons };
}

/**
 * What is doubtful about a parameter: `fixed` (a constant), `at lower bound`/`at upper bound`
 * (stopped at a finite bound), `ran off towards 0`/`ran off towards ∞` (a log parameter that
 * left its start by more than six decades), `not determined` (no covariance, or relative
 * standard error above {@link POOR_RELATIVE_ERROR}), or `""` (a determined estimate).
 */
export type ParameterFlag =
  | ""
  | "fixed"
  | "at lower bound"
  | "at upper bound"
  | "ran off towards 0"
  | "ran off towards ∞"
  | "not determined";

/** The flag of every parameter of a fit (see {@link ParameterFlag}), in circuit order. */
export function parameterStatus(
  problem: FitProblem,
  fit: CoreFit,
  relativeErrors: ArrayLike<number>,
): { flag: ParameterFlag; undetermined: boolean }[] {
  const out = problem.circuit.parameters.map(() => ({
    flag: "fixed" as ParameterFlag,
    undetermined: false,
  }));
  for (const k of problem.free) {
    const i = fit.atBound.indexOf(k);
    let flag: ParameterFlag = "";
    if (i >= 0) {
      const side = fit.boundSide[i];
      const bound = side === "lower" ? problem.lower[k] : problem.upper[k];
      // A log parameter whose bound is 0 or ∞ never reaches it: it ran off in that direction.
      const runaway = problem.log[k] && (side === "lower" ? bound <= 0 : bound === Infinity);
      flag = runaway
        ? (side === "lower" ? "ran off towards 0" : "ran off towards ∞")
        : (side === "lower" ? "at lower bound" : "at upper bound");
    } else if (!fit.covariance || !(relativeErrors[k] <= POOR_RELATIVE_ERROR)) {
      flag = "not determined";
    }
    out[k] = { flag, undetermined: flag !== "" };
  }
  return out;
}

/** Fit a circuit with automatic (and optional user or seeded) starts. */
export function fitOne(
  what: string,
  circuit: Circuit,
  data: SpectrumData,
  options: FitOneOptions,
): FitOneResult {
  const problem = makeProblem(what, circuit, data, options);
  const trials = startingVectors(what, problem, data, options);
  const local = localSearch(problem, trials, options.maxIterations);
  let best = local.best;
  let tried = trials.length;
  if (options.globalStarts > 0) {
    best = randomRestarts(problem, best, {
      fallback: trials[0],
      count: options.globalStarts,
      seed: options.randomSeed,
      maxIterations: options.maxIterations,
    });
    tried += options.globalStarts;
  }
  const summary = (fit: CoreFit): FitOneResult =>
    summarize(problem, fit, { starts: tried, cheaper: local.cheaper });
  let result = summary(best);
  if (!options.escalate) return result;
  // Escalation (escalationReason): the local search is widened when its result is doubtful.
  const nested = nestedFits(circuit, data, options, best.params);
  // Of the nested circuits with a BIC as low, name the one without the block the data support
  // least (most parameters flagged), then the lowest BIC.
  const simplerThan = (r: FitOneResult): NestedFit | null => {
    const flags = parameterStatus(problem, r, r.relativeErrors);
    const loose = (n: NestedFit) =>
      flags.slice(n.parameters[0], n.parameters[1]).filter((f) => f.undetermined).length;
    return nested.filter((n) => n.bic <= r.bic)
      .sort((a, b) => loose(b) - loose(a) || a.bic - b.bic)[0] ?? null;
  };
  let simpler = simplerThan(result);
  const reason = escalationReason(problem, result, simpler, options.candidate ?? false);
  if (reason && options.globalStarts === 0) {
    const wider = widerSearch(what, problem, best, { ...options, fallback: trials[0] });
    tried += wider.starts;
    const improved = wider.fit !== best;
    result = summary(wider.fit);
    simpler = simplerThan(result);
    result.escalation = { reason, restarts: wider.starts, improved };
    result.notes.unshift(
      `search escalated (${reason}): ${wider.how} ${
        improved
          ? `lowered χ² from ${best.cost.toExponential(4)} to ${wider.fit.cost.toExponential(4)}`
          : "found no lower χ²"
      }`,
    );
  }
  if (simpler) {
    result.simpler = simpler;
    result.notes.push(
      `the simpler nested circuit ${simpler.circuit} (without ${simpler.removed}) fits as well ` +
        `(BIC ${simpler.bic.toFixed(1)} vs ${result.bic.toFixed(1)}): the data do not support ` +
        simpler.removed,
    );
  }
  return result;
}

/**
 * Why the local search should be widened, or `null`: a poor grade (for a candidate of an
 * automatic choice only through the next reasons); a doubtful parameter (at a bound, run off,
 * not determined) or no convergence — a misfit of 3–10 % alone (graded warning) is the model's,
 * not the search's; a nested simpler circuit that fits as well (two arcs collapsed into one).
 */
function escalationReason(
  problem: FitProblem,
  result: FitOneResult,
  simpler: NestedFit | null,
  candidate: boolean,
): string | null {
  if (result.quality.level === "poor" && !candidate) return "the fit is graded poor";
  const flags = parameterStatus(problem, result, result.relativeErrors);
  const k = flags.findIndex((f) => f.undetermined);
  if (k >= 0) return `parameter ${problem.circuit.names[k]} ${flags[k].flag}`;
  if (!result.converged) return "the search did not converge";
  return simpler ? `the nested circuit ${simpler.circuit} fits as well` : null;
}

/**
 * The wider search: starts from the arcs the DRT resolves (it separates processes that share
 * one apex of −Im Z), then {@link ESCALATION_STARTS} seeded random restarts around the best.
 */
function widerSearch(
  what: string,
  problem: FitProblem,
  best: CoreFit,
  options: FitOneOptions & { fallback: Float64Array },
): { fit: CoreFit; starts: number; how: string } {
  const arcs = drtArcs(problem.data, options.shared);
  let fromDrt: Float64Array[] = [];
  if (arcs && arcs.length > 0) {
    try {
      fromDrt = startingVectors(what, problem, problem.data, { arcs });
    } catch {
      fromDrt = []; // the impedance is not finite at any of them
    }
  }
  let fit = best;
  if (fromDrt.length > 0) {
    const drtFit = localSearch(problem, fromDrt, options.maxIterations).best;
    if (
      drtFit.cost < best.cost * (1 - 1e-9) &&
      (determined(problem, drtFit) || !determined(problem, best))
    ) {
      fit = drtFit;
    }
  }
  fit = randomRestarts(problem, fit, {
    fallback: options.fallback,
    count: ESCALATION_STARTS,
    seed: options.randomSeed,
    maxIterations: options.maxIterations,
    quickIterations: ESCALATION_ITERATIONS,
  });
  return {
    fit,
    starts: fromDrt.length + ESCALATION_STARTS,
    how: `${
      fromDrt.length > 0 ? `${fromDrt.length} starts from the DRT peaks and ` : ""
    }${ESCALATION_STARTS} seeded random restarts`,
  };
}

/** Arcs (τ, R) of the DRT peaks of the data, computed once per shared search. */
function drtArcs(data: SpectrumData, shared: SharedSearch | undefined): Arc[] | null {
  if (shared && shared.drtArcs !== undefined) return shared.drtArcs;
  let arcs: Arc[] | null = null;
  try {
    const drt = computeDrt({ frequency_Hz: data.f, z_real_ohm: data.re, z_imag_ohm: data.im });
    arcs = drt.peaks.map((p) => ({ tau_s: p.tau_s, r_ohm: p.resistance_ohm }));
  } catch {
    arcs = null; // too few points or a singular basis: no DRT starts
  }
  if (shared) shared.drtArcs = arcs;
  return arcs;
}

/**
 * The BICs of the nested simpler circuits (see `_nested.ts`): from the shared fits of an
 * automatic choice when there, otherwise one Levenberg–Marquardt run started from the full fit
 * without the removed block. That start is exact where it matters: when a block of the full fit
 * does nothing (collapsed arcs), the nested fit starts at the same χ²; when every block is
 * needed, the nested fit ends far higher whatever its start.
 */
function nestedFits(
  circuit: Circuit,
  data: SpectrumData,
  options: FitOneOptions,
  full: ArrayLike<number>,
): NestedFit[] {
  const out: NestedFit[] = [];
  for (const { text, removed, parameters } of nestedCircuits(circuit)) {
    let fit = options.shared?.nested.get(circuitShape(text));
    if (!fit) {
      const sub = parseCircuit(text);
      const keep = <T>(o: Record<string, T> | undefined) =>
        o && Object.fromEntries(Object.entries(o).filter(([name]) => sub.names.includes(name)));
      const start = Object.fromEntries(
        sub.names.map((name) => [name, full[circuit.names.indexOf(name)]]),
      );
      try {
        fit = fitOne(`fit "${text}"`, sub, data, {
          ...options,
          constants: keep(options.constants),
          bounds: keep(options.bounds),
          initialGuess: start,
          seed: undefined,
          globalStarts: 0,
          escalate: false,
        });
      } catch {
        continue; // too few points for it, or not finite: no comparison possible
      }
    }
    out.push({ circuit: text, removed, parameters, bic: fit.bic });
  }
  return out;
}

/** Relative misfit, information criteria and grade of a finished fit. */
function summarize(
  problem: FitProblem,
  best: CoreFit,
  context: { starts: number; cheaper: CoreFit },
): FitOneResult {
  const { circuit, data } = problem;
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
  const notes: string[] = [];
  const cheaper = context.cheaper;
  if (cheaper.cost < best.cost * (1 - 1e-6)) {
    const loose = circuit.names.filter((_, k) =>
      problem.free.includes(k) &&
      !(cheaper.standardErrors[k] <= POOR_RELATIVE_ERROR * Math.abs(cheaper.params[k]))
    );
    notes.push(
      `a lower χ² (${cheaper.cost.toExponential(4)} vs ${best.cost.toExponential(4)}) exists ` +
        `with ${loose.join(", ")} undetermined (a degenerate limit of this circuit); ` +
        "a simpler circuit may describe the data better",
    );
  }
  return {
    ...best,
    problem,
    starts: context.starts,
    relativeRmse,
    relativeErrors,
    aic: ll + 2 * k,
    bic: ll + k * Math.log(m),
    quality: grade(problem, best, relativeRmse, relativeErrors),
    notes,
    escalation: null,
    simpler: null,
  };
}
