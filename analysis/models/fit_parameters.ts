// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import {
  htmlTable,
  JUPYTER_DISPLAY,
  type MimeBundle,
  type TableColumn,
  textTable,
} from "../_display.ts";
import { leastSquares } from "../_least_squares.ts";
import { compareSimulation, type SimulationComparison } from "./compare_simulation.ts";
import { type ExperimentStep, profileStep } from "./experiment.ts";
import { resolveParameterSet } from "./load_parameter_set.ts";
import {
  checkParameterSet,
  FUNCTION_VARIABLES,
  type MaterialFunction,
  type ParameterSet,
} from "./parameter_set.ts";
import { simulate, type SimulateOptions } from "./simulate.ts";
import type { Simulation } from "./simulation.ts";
import { interpolateClamped, rowsNearTimes } from "./_interpolate.ts";

/** A parameter to fit. */
export interface FitParameter {
  /**
   * Dotted path into the parameter set (`"negative.diffusivity_m2_s"`,
   * `"positive.active_material_volume_fraction"`, `"cell.contact_resistance_ohm"`), or
   * `"initial_soc"`. A path holding an expression or a table fits a factor multiplying it.
   */
  path: string;
  /** Lower bound. @default {value / 100, or 0 for the initial SOC and contact resistance} */
  lower?: number;
  /** Upper bound. @default {value × 100, or 1 for the initial SOC, 1 Ω for a resistance} */
  upper?: number;
  /** Starting value. @default {the parameter set's value (1 for a factor)} */
  initial?: number;
}

/** Options of {@link fitParameters}. */
export interface FitOptions
  extends Omit<SimulateOptions, "experiment" | "times_s" | "points" | "parameters" | "cycles"> {
  /** Starting parameter set. @default {"Chen2020"} */
  parameters?: ParameterSet | string;
  /** What to fit: paths or parameter descriptions. */
  fit: readonly (string | FitParameter)[];
  /**
   * The experiment to simulate. @default {the test's own measured current, as a profile step}
   */
  experiment?: readonly (string | ExperimentStep)[];
  /**
   * Number of measured rows in the residuals (those nearest to evenly spaced times).
   * @default {300}
   */
  points?: number;
  /** Iteration limit of Levenberg–Marquardt. @default {40} */
  maxIterations?: number;
  /**
   * Called as each simulation of the fit starts, with how many have started (the fit's
   * progress: about (parameters + 1) simulations per iteration). `onProgress` is not called
   * during a fit.
   */
  onSimulation?: (simulations: number) => void;
}

/** One fitted parameter. */
export interface FittedModelParameter {
  /** Path (or `"initial_soc"`). */
  path: string;
  /** Whether the value is a factor multiplying a function. */
  factor: boolean;
  /** Starting value. */
  initial: number;
  /** Fitted value. */
  value: number;
  /** Standard error (NaN when the fit cannot give one). */
  standard_error: number;
  /** Lower bound. */
  lower: number;
  /** Upper bound. */
  upper: number;
  /** Whether the value ended at a bound (its standard error is then not an estimate). */
  at_bound: boolean;
}

/**
 * Result of {@link fitParameters}.
 *
 * @example
 * ```ts
 * import { fitParameters, simulate } from "./mod.ts";
 * import { ok } from "node:assert/strict";
 *
 * const measured = simulate({ model: "spm", parameters: "Chen2020", period_s: 60 }).series;
 * const fit = fitParameters(measured, {
 *   model: "spm",
 *   fit: [{ path: "cell.contact_resistance_ohm", initial: 0.01 }],
 *   points: 40,
 * }); // a ParameterFit
 * ok(fit.rmse_V < 1e-3);
 * ok(fit.toString().startsWith("Fit of SPM"));
 * ```
 */
export class ParameterFit {
  /** The fitted parameters. */
  readonly parameters: readonly FittedModelParameter[];
  /** The parameter set with the fitted values. */
  readonly set: ParameterSet;
  /** Initial SOC used (fitted or given). */
  readonly initial_soc: number | string;
  /** Voltage RMSE at the solution over the fitted points, V. */
  readonly rmse_V: number;
  /** Levenberg–Marquardt iterations. */
  readonly iterations: number;
  /** Simulations run. */
  readonly simulations: number;
  /** Whether a convergence test was met. */
  readonly converged: boolean;
  /** Which test stopped the iteration. */
  readonly message: string;
  /** The simulation at the fitted values. */
  readonly simulation: Simulation;
  /** The comparison with the test at the fitted values. */
  readonly comparison: SimulationComparison;

  /**
   * Wrap a fit (made by {@link fitParameters}).
   *
   * @param data The fit.
   */
  constructor(data: Omit<ParameterFit, "toString" | "toJSON" | typeof JUPYTER_DISPLAY>) {
    this.parameters = data.parameters;
    this.set = data.set;
    this.initial_soc = data.initial_soc;
    this.rmse_V = data.rmse_V;
    this.iterations = data.iterations;
    this.simulations = data.simulations;
    this.converged = data.converged;
    this.message = data.message;
    this.simulation = data.simulation;
    this.comparison = data.comparison;
  }

  /** Summary and parameter table. */
  toString(): string {
    return `${this.headline()}\n${textTable(this.rows(), FIT_COLUMNS)}`;
  }

  /** The summary line. */
  private headline(): string {
    return `Fit of ${this.simulation.model.toUpperCase()} (${this.set.name}) to the test: voltage ` +
      `RMSE ${(this.rmse_V * 1e3).toFixed(2)} mV after ${this.iterations} iteration(s), ` +
      `${this.simulations} simulations (${this.message})`;
  }

  /** The parameter table's rows. */
  private rows(): Record<string, unknown>[] {
    return this.parameters.map((p) => ({
      ...p,
      path: p.factor ? `${p.path} (factor)` : p.path,
      at_bound: p.at_bound ? "yes" : "",
    }));
  }

  /** Plain data for JSON (the fitted set included). */
  toJSON(): Record<string, unknown> {
    return {
      parameters: this.parameters.map((p) => ({
        ...p,
        standard_error: Number.isFinite(p.standard_error) ? p.standard_error : null,
      })),
      initial_soc: this.initial_soc,
      rmse_V: this.rmse_V,
      iterations: this.iterations,
      simulations: this.simulations,
      converged: this.converged,
      message: this.message,
      comparison: this.comparison.toJSON(),
      set: this.set,
    };
  }

  /** Jupyter display: parameter table and the overlay at the fitted values. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "text/plain": this.toString(),
      "text/html": `<p>${this.headline()}</p>${htmlTable(this.rows(), FIT_COLUMNS)}`,
      "application/vnd.vegalite.v5+json": this.comparison.overlaySpec(),
    };
  }
}

const FIT_COLUMNS: TableColumn[] = [
  { key: "path", label: "parameter" },
  { key: "initial" },
  { key: "value" },
  { key: "standard_error", label: "std. error" },
  { key: "lower" },
  { key: "upper" },
  { key: "at_bound", label: "at bound" },
];

/** Read the entry at a dotted path. */
function getPath(set: ParameterSet, path: string): unknown {
  let node: unknown = set;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) {
      throw new RangeError(`No parameter "${path}" in the set "${set.name}"`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A copy of the set with the entry at `path` replaced. */
function withPath(set: ParameterSet, path: string, value: unknown): ParameterSet {
  const copy = structuredClone(set) as unknown as Record<string, unknown>;
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
  return copy as unknown as ParameterSet;
}

/** A material function multiplied by a factor. */
function scaled(f: MaterialFunction, factor: number): MaterialFunction {
  if (typeof f === "number") return f * factor;
  if (typeof f === "string") return `(${f}) * ${factor}`;
  return { x: [...f.x], y: f.y.map((v) => v * factor) };
}

interface Unknown {
  path: string;
  factor: boolean;
  initial: number;
  lower: number;
  upper: number;
  /** Logarithmic (u = log10(p / initial)) or linear (u = p / scale). */
  log: boolean;
  scale: number;
}

/** The starting set and the unknowns of a fit, checked. */
function fitUnknowns(options: FitOptions): { base: ParameterSet; unknowns: Unknown[] } {
  const base = resolveParameterSet(options.parameters ?? "Chen2020");
  if (options.fit.length === 0) throw new RangeError("Nothing to fit: give at least one parameter");
  const unknowns: Unknown[] = options.fit.map((f) => {
    const spec: FitParameter = typeof f === "string" ? { path: f } : f;
    if (spec.path === "initial_soc") {
      const init = spec.initial ??
        (typeof options.initialSoc === "number" ? options.initialSoc : 1);
      return {
        path: spec.path,
        factor: false,
        initial: init,
        lower: spec.lower ?? 0,
        upper: spec.upper ?? 1,
        log: false,
        scale: 1,
      };
    }
    const entry = getPath(base, spec.path);
    const factor = typeof entry !== "number";
    // A material function is an entry named in FUNCTION_VARIABLES (a number, an expression or a
    // table); any other non-number (a name, a section of the set) cannot be fitted.
    if (factor && !Object.hasOwn(FUNCTION_VARIABLES, spec.path.split(".").pop()!)) {
      throw new RangeError(`Parameter "${spec.path}" is not a number or a material function`);
    }
    const value = spec.initial ?? (factor ? 1 : entry as number);
    const resistance = /resistance/.test(spec.path);
    const log = !resistance && value > 0;
    const lower = spec.lower ?? (log ? value / 100 : 0);
    const upper = spec.upper ?? (log ? value * 100 : resistance ? 1 : Math.max(1, 10 * value));
    if (!(lower <= value && value <= upper && lower < upper)) {
      throw new RangeError(`Bounds of "${spec.path}" must satisfy lower ≤ initial ≤ upper`);
    }
    if (log && !(lower > 0)) throw new RangeError(`Lower bound of "${spec.path}" must be positive`);
    return {
      path: spec.path,
      factor,
      initial: value,
      lower,
      upper,
      log,
      scale: log ? 1 : Math.max(Math.abs(value), upper - lower) || 1,
    };
  });
  return { base, unknowns };
}

/**
 * Check what {@link fitParameters} would fit, without simulating: the starting set, every path
 * (it must exist and hold a number or a material function), the bounds and the number of
 * points. Cheap: for validating a form or flags before a long fit starts.
 *
 * @param options The fit's options.
 * @throws {RangeError} For unknown paths, bad bounds or too few points (the message names them).
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { checkFitOptions } from "./fit_parameters.ts";
 * checkFitOptions({ fit: ["negative.diffusivity_m2_s", "initial_soc"] });
 * throws(() => checkFitOptions({ fit: ["negative.nonsense"] }), /No parameter "negative.nonsense"/);
 * ```
 */
export function checkFitOptions(options: FitOptions): void {
  const { unknowns } = fitUnknowns(options);
  fitPoints(options, unknowns.length);
}

/** The number of measured rows in the residuals, checked. */
function fitPoints(options: FitOptions, unknowns: number): number {
  const nPoints = options.points ?? 300;
  if (!(Number.isInteger(nPoints) && nPoints >= unknowns + 2)) {
    throw new RangeError(`points must be an integer ≥ ${unknowns + 2}`);
  }
  return nPoints;
}

/**
 * Fit model parameters to a measured test (as PyBOP does for PyBaMM): simulate the test's own
 * current (or a given experiment), and minimize the squared voltage difference at evenly spaced
 * measured points by bounded Levenberg–Marquardt (the project's LM core), with finite-difference
 * sensitivities from repeated simulations. Positive parameters are fitted on a logarithmic scale
 * (diffusivities span decades); standard errors come from the covariance s²(JᵀJ)⁻¹, mapped back
 * to the parameters' scale.
 *
 * @param test The measured series (current positive on charge).
 * @param options Model, starting set, parameters to fit, experiment and solver options.
 * @returns The fit.
 * @throws {RangeError} For unknown paths or bad bounds.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { fitParameters, simulate } from "./mod.ts";
 * const measured = simulate({ model: "spm", parameters: "Chen2020", period_s: 60 }).series;
 * const fit = fitParameters(measured, {
 *   model: "spm",
 *   fit: [{ path: "cell.contact_resistance_ohm", initial: 0.01 }],
 *   points: 40,
 * });
 * ok(fit.parameters[0].value < 1e-4);
 * ```
 */
export function fitParameters(test: CyclingSeries, options: FitOptions): ParameterFit {
  const { base, unknowns } = fitUnknowns(options);
  const toP = (u: Unknown, x: number) => (u.log ? u.initial * 10 ** x : x * u.scale);
  const toU = (u: Unknown, p: number) => (u.log ? Math.log10(p / u.initial) : p / u.scale);
  const nPoints = fitPoints(options, unknowns.length);
  const t0 = test.time_s[0], t1 = test.time_s[test.length - 1];
  if (!(t1 > t0)) throw new RangeError("The test has no time span to fit");
  // Measured rows as they are, the simulation reported at exactly their times.
  const picked = rowsNearTimes(test.time_s, t0, t1, nPoints);
  const measured = picked.map((r) => test.voltage_V[r]);
  const experiment = options.experiment ??
    [profileStep(Array.from(test.time_s, (t) => t - t0), test.current_A, "Run measured current")];
  const relTimes = picked.map((r) => test.time_s[r] - t0);
  const m = picked.length;
  const setFor = (u: Float64Array): { set: ParameterSet; soc: number | string } => {
    let set = base;
    let soc: number | string = options.initialSoc ?? 1;
    unknowns.forEach((q, j) => {
      const p = toP(q, u[j]);
      if (q.path === "initial_soc") soc = p;
      else if (q.factor) {
        set = withPath(set, q.path, scaled(getPath(base, q.path) as MaterialFunction, p));
      } else set = withPath(set, q.path, p);
    });
    return { set: set === base ? base : checkParameterSet(set), soc };
  };
  let simulations = 0;
  const run = (u: Float64Array, outputTimes: number[] | undefined = relTimes): Simulation => {
    const { set, soc } = setFor(u);
    simulations++;
    const {
      fit: _fit,
      points: _points,
      maxIterations: _max,
      experiment: _e,
      onProgress: _p,
      onSimulation,
      ...rest
    } = options;
    onSimulation?.(simulations);
    return simulate({
      ...rest,
      parameters: set,
      initialSoc: soc,
      experiment,
      ...(outputTimes ? { times_s: outputTimes } : {}),
      voltageCutoffs: options.voltageCutoffs ?? false,
      rtol: options.rtol ?? 1e-6,
      atol: options.atol ?? 1e-8,
    });
  };
  const residuals = (u: Float64Array, out: Float64Array): void => {
    const sim = run(u).series;
    for (let k = 0; k < m; k++) {
      out[k] = interpolateClamped(sim.time_s, sim.voltage_V, relTimes[k]) - measured[k];
    }
  };
  const n = unknowns.length;
  const lower = unknowns.map((q) => toU(q, q.lower));
  const upper = unknowns.map((q) => toU(q, q.upper));
  const start = Float64Array.from(unknowns, (q) => toU(q, q.initial));
  const shifted = new Float64Array(n), rShift = new Float64Array(m);
  const result = leastSquares(
    {
      m,
      residuals,
      // Forward differences with steps far above the simulation's own error (rtol 1e-6).
      residualsAndJacobian: (u, r, jac) => {
        residuals(u, r);
        for (let j = 0; j < n; j++) {
          shifted.set(u);
          let h = unknowns[j].log ? 2e-3 : 1e-3;
          if (u[j] + h > upper[j]) h = -h;
          shifted[j] = u[j] + h;
          residuals(shifted, rShift);
          for (let i = 0; i < m; i++) jac[i * n + j] = (rShift[i] - r[i]) / h;
        }
      },
    },
    start,
    { lower, upper, maxIterations: options.maxIterations ?? 40, xtol: 1e-6, ftol: 1e-10 },
  );
  const fitted = unknowns.map((q, j): FittedModelParameter => {
    const value = toP(q, result.params[j]);
    const se = result.standardErrors[j];
    return {
      path: q.path,
      factor: q.factor,
      initial: q.initial,
      value,
      standard_error: q.log ? value * Math.LN10 * se : q.scale * se,
      lower: q.lower,
      upper: q.upper,
      at_bound: result.atBound.includes(j),
    };
  });
  const { set, soc } = setFor(result.params);
  // The simulation at the solution, reported at every measured time when it follows the test.
  const allTimes: number[] = [];
  for (let r = 0; r < test.length; r++) {
    const t = test.time_s[r] - t0;
    if (allTimes.length === 0 || t > allTimes[allTimes.length - 1]) allTimes.push(t);
  }
  const simulation = run(result.params, options.experiment ? undefined : allTimes);
  const comparison = compareSimulation(shiftTime(test, -t0), simulation);
  let ss = 0;
  for (const r of result.residuals) ss += r * r;
  return new ParameterFit({
    parameters: fitted,
    set,
    initial_soc: soc,
    rmse_V: Math.sqrt(ss / m),
    iterations: result.iterations,
    simulations,
    converged: result.converged,
    message: result.message,
    simulation,
    comparison,
  });
}

function shiftTime(series: CyclingSeries, dt: number): CyclingSeries {
  if (dt === 0) return series;
  return { ...series, time_s: Float64Array.from(series.time_s, (t) => t + dt) };
}
