// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { type Circuit, parseCircuit } from "./circuit.ts";
import { CircuitFit } from "./circuit_fit.ts";
import { chooseWeighting, type Weighting } from "./_fit_core.ts";
import { fitOne, type FitOneResult } from "./_fit_one.ts";
import { circuitShape } from "./_nested.ts";
import { type PointSelection, spectrumData, type SpectrumLike } from "./_spectrum_data.ts";

/**
 * Candidate circuits of the automatic choice, simplest first: one arc (ideal and depressed),
 * an arc with a low-frequency CPE tail, Randles with semi-infinite and finite Warburg, two arcs,
 * two arcs with a tail, two arcs with a finite Warburg. When the highest-frequency point is
 * inductive (Im Z > 0) every candidate gets a series inductance `L0`.
 */
export const CANDIDATE_CIRCUITS: readonly string[] = [
  "R0-p(R1,C1)",
  "R0-p(R1,CPE1)",
  "R0-p(R1,CPE1)-CPE2",
  "R0-p(R1-W1,CPE1)",
  "R0-p(R1-Wo1,CPE1)",
  "R0-p(R1,CPE1)-p(R2,CPE2)",
  "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3",
  "R0-p(R1,CPE1)-p(R2-Wo1,CPE2)",
];

/** Options of {@link fitCircuit}. */
export interface FitCircuitOptions extends PointSelection {
  /**
   * Circuit string (impedance.py syntax) or a parsed circuit. Without it the circuit is chosen
   * automatically from {@link FitCircuitOptions.candidates} (lowest `criterion` among fits that
   * are not graded poor).
   */
  circuit?: string | Circuit;
  /** Candidate circuits of the automatic choice. @default {CANDIDATE_CIRCUITS} */
  candidates?: readonly string[];
  /** Information criterion of the automatic choice. @default {"bic"} */
  criterion?: "aic" | "bic";
  /**
   * Residual weighting: `unit`, `modulus`, `proportional`, or `auto` — `modulus` when |Z|
   * spreads over more than 100× (blocking electrodes, coatings: unit weights would fit only the
   * largest |Z|), `unit` otherwise. The fit reports the weighting used and why.
   * @default {"auto"}
   */
  weighting?: Weighting | "auto";
  /**
   * Starting values (in parameter order or by name). Optional: without them the starts are
   * derived from the spectrum.
   */
  initialGuess?: ArrayLike<number> | Record<string, number>;
  /** Parameters held fixed, by name (`{ R0: 0.01 }`). */
  constants?: Record<string, number>;
  /** Bounds by parameter name (`{ CPE1_1: [0.5, 1] }`); defaults: [0, ∞), exponents [0, 1]. */
  bounds?: Record<string, [number, number]>;
  /**
   * Global search: `true` for 30 seeded random restarts around the best local fit, or the
   * number of restarts. @default {false}
   */
  globalSearch?: boolean | number;
  /** Seed of the global search (and of an escalated search). @default {1} */
  seed?: number;
  /**
   * Widen the search automatically when the local search is not trustworthy: when the fit is
   * graded poor, a parameter is at a bound, ran off or is not determined, the search did not
   * converge, or a nested simpler circuit (one arc block removed) fits as well by BIC —
   * the signature of two arcs collapsed into one — starts from the peaks of the DRT and 10
   * seeded random restarts follow, and the notes say why and what they found. Ignored when
   * `globalSearch` is set. @default {true}
   */
  escalate?: boolean;
  /** Iteration limit of the final Levenberg–Marquardt refinement. @default {300} */
  maxIterations?: number;
  /** Parameter vector of a previous fit tried as an extra start (batch fitting). */
  previous?: ArrayLike<number>;
}

function restarts(option: boolean | number | undefined): number {
  if (option === true) return 30;
  if (!option) return 0;
  if (!Number.isInteger(option) || option < 0) {
    throw new RangeError(`Cannot fit: globalSearch must be a boolean or a count, got ${option}`);
  }
  return option;
}

/**
 * Fit an equivalent circuit to an impedance spectrum by complex nonlinear least squares
 * (stacked real and imaginary residuals, bounded Levenberg–Marquardt on log-scaled parameters
 * with the analytic Jacobian). No initial guess is needed: starting vectors come from the
 * spectrum (high-frequency intercept, arc diameters and apex frequencies, low-frequency tail),
 * each is refined and the best well-determined minimum is kept. The result carries standard
 * errors, χ², AIC/BIC, residuals and a quality grade with reasons (poor fit, parameter at a
 * bound, undetermined parameter, not converged). Without a circuit, the candidates are all
 * fitted and the one with the lowest BIC among those not graded poor is returned, with the
 * table of candidates in `candidates`.
 *
 * @param spectrum Frequencies and signed impedance (a parsed `Spectrum` works).
 * @param options Circuit, weighting, constants, bounds, point selection, global search.
 * @returns The fit.
 * @throws {RangeError} For a bad circuit string, bad options or too few points.
 *
 * @example Fit a synthetic RC spectrum without any guess
 * ```ts
 * import { fitCircuit } from "./fit_circuit.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { ok, equal } from "node:assert/strict";
 *
 * const f = Array.from({ length: 40 }, (_, i) => 10 ** (5 - i / 6));
 * const data = parseCircuit("R0-p(R1,C1)").impedance([29, 47, 1e-5], f);
 * const fit = fitCircuit(data, { circuit: "R0-p(R1,C1)" });
 * ok(Math.abs(fit.value("R1") - 47) < 1e-6);
 * equal(fit.quality.level, "good");
 * ```
 */
export function fitCircuit(spectrum: SpectrumLike, options: FitCircuitOptions = {}): CircuitFit {
  const what = `fit ${
    typeof options.circuit === "string"
      ? `"${options.circuit}"`
      : options.circuit
      ? `"${options.circuit.text}"`
      : "a circuit"
  }`;
  const data = spectrumData(what, spectrum, options, 3);
  const asked = options.weighting ?? "auto";
  if (!["auto", "unit", "modulus", "proportional"].includes(asked)) {
    throw new RangeError(
      `Cannot ${what}: weighting must be "auto", "unit", "modulus" or "proportional", got "${asked}"`,
    );
  }
  const auto = chooseWeighting(data);
  const weighting = asked === "auto" ? auto.weighting : asked;
  const weightingNote = asked !== "auto"
    ? "given"
    : auto.weighting === "modulus"
    ? `auto: ${auto.detail}, so modulus (1/|Z|): unit weights would leave the small-|Z| part unfitted`
    : `auto: ${auto.detail}, so unit`;
  // Unit weights asked for on data where they cannot fit the small-|Z| part: a warning.
  const unitWarning = asked === "unit" && auto.weighting === "modulus"
    ? `unit weighting while ${auto.detail}: the small-|Z| part is hardly fitted; ` +
      'weighting "modulus" is recommended'
    : null;
  const flagUnit = (fit: CircuitFit): CircuitFit => {
    if (unitWarning) {
      fit.quality.reasons.push(unitWarning);
      if (fit.quality.level === "good") fit.quality.level = "warning";
    }
    return fit;
  };
  const common = {
    weighting,
    constants: options.constants,
    bounds: options.bounds,
    globalStarts: restarts(options.globalSearch),
    randomSeed: options.seed ?? 1,
    maxIterations: options.maxIterations ?? 300,
    escalate: options.escalate ?? true,
    // Nested circuits of one candidate are often other candidates: fit each shape once.
    shared: { nested: new Map<string, FitOneResult>() },
  };
  if (options.circuit !== undefined) {
    const circuit = typeof options.circuit === "string"
      ? parseCircuit(options.circuit)
      : options.circuit;
    const result = fitOne(what, circuit, data, {
      ...common,
      initialGuess: options.initialGuess,
      seed: options.previous,
    });
    return flagUnit(new CircuitFit(circuit, data, result, { weighting, reason: weightingNote }));
  }
  // Automatic choice.
  const inductive = (() => {
    let top = 0;
    for (let i = 1; i < data.n; i++) if (data.f[i] > data.f[top]) top = i;
    return data.im[top] > 0;
  })();
  const texts = (options.candidates ?? CANDIDATE_CIRCUITS).map((c) =>
    inductive && !/\bL\d/.test(c) ? `L0-${c}` : c
  );
  if (texts.length === 0) throw new RangeError(`Cannot ${what}: no candidate circuits`);
  const criterion = options.criterion ?? "bic";
  const fits: { circuit: Circuit; result: FitOneResult }[] = [];
  const errors: string[] = [];
  for (const text of texts) {
    const circuit = parseCircuit(text);
    if (2 * data.n <= circuit.length + 1) continue;
    try {
      const previous = options.previous?.length === circuit.length ? options.previous : undefined;
      const result = fitOne(what, circuit, data, { ...common, seed: previous, candidate: true });
      fits.push({ circuit, result });
      if (!previous) common.shared.nested.set(circuitShape(text), result);
    } catch (error) {
      errors.push(`${text}: ${(error as Error).message}`);
    }
  }
  if (fits.length === 0) {
    throw new RangeError(`Cannot ${what}: no candidate could be fitted (${errors.join("; ")})`);
  }
  const score = (f: FitOneResult): number => (criterion === "aic" ? f.aic : f.bic);
  const usable = fits.filter((f) => f.result.quality.level !== "poor");
  const pool = usable.length > 0 ? usable : fits;
  const chosen = pool.reduce((a, b) => (score(b.result) < score(a.result) ? b : a));
  const fit = new CircuitFit(chosen.circuit, data, chosen.result, {
    weighting,
    reason: weightingNote,
  });
  flagUnit(fit);
  fit.candidates = fits.map(({ circuit, result }) => ({
    circuit: circuit.text,
    parameters: result.problem.free.length,
    chi_square: result.cost,
    aic: result.aic,
    bic: result.bic,
    quality: result.quality.level,
    reasons: result.quality.reasons,
    notes: result.notes,
    chosen: circuit === chosen.circuit,
  }));
  if (usable.length === 0) {
    fit.quality.reasons.push("every candidate circuit was graded poor");
  }
  return fit;
}
