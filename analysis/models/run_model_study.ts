// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import type { MeshPoints } from "./_cell_model.ts";
import { compareSimulation, type SimulationComparison } from "./compare_simulation.ts";
import { initialState } from "./electrode_soh.ts";
import { type ExperimentStep, parseExperiment, profileStep } from "./experiment.ts";
import {
  checkFitOptions,
  type FitParameter,
  fitParameters,
  type ParameterFit,
} from "./fit_parameters.ts";
import { resolveParameterSet } from "./load_parameter_set.ts";
import type { ParameterSet } from "./parameter_set.ts";
import { type CycleLifeProjection, projectCycleLife } from "./project_cycle_life.ts";
import { simulate } from "./simulate.ts";
import type { ModelName, Simulation, StepResult } from "./simulation.ts";

/** A measured test to compare a simulation with (and to fit to). */
export interface StudyTest {
  /** How to name it in messages and output (`"cell.csv"`, `"test 42 (LG M50 #3)"`). */
  label: string;
  /** Its rows (current positive on charge). */
  series: CyclingSeries;
}

/** How far a study has got (for a progress bar). */
export type ModelStudyProgress =
  | {
    /** Fitting parameters. */
    phase: "fit";
    /** Simulations started so far (about parameters + 1 per iteration). */
    simulations: number;
  }
  | {
    /** Running the simulation shown. */
    phase: "simulate";
    /** Fraction of its steps done, 0–1. */
    fraction: number;
    /** The step just finished. */
    step: StepResult;
  };

/** Options of {@link runModelStudy}: what `simulate` takes, with a test to compare and fit. */
export interface ModelStudyOptions {
  /** Model. @default {"dfn"} */
  model?: ModelName;
  /** Parameter set, or the name of a built-in set. @default {"Chen2020"} */
  parameters?: ParameterSet | string;
  /**
   * Steps (PyBaMM's syntax or step objects). @default {the test's own measured current when a
   * test is given, else a 1C discharge to the set's lower voltage cut-off}
   */
  experiment?: readonly (string | ExperimentStep)[];
  /** Run the list of steps this many times. @default {1} */
  cycles?: number;
  /** Initial state: SOC 0–1 or an open-circuit voltage like `"3.9 V"`. @default {1} */
  initialSoc?: number | string;
  /** Thermal model. @default {"isothermal"} */
  thermal?: "isothermal" | "lumped";
  /** SEI growth. @default {false} */
  sei?: boolean;
  /** Finite volumes per domain. @default {20 everywhere} */
  mesh?: Partial<MeshPoints>;
  /** Output interval, s. @default {30} */
  period_s?: number;
  /** Resample the output to this many rows. */
  points?: number;
  /**
   * A measured test: the simulation is compared with it (following its measured current when
   * no experiment is given, reported at its own times unless `points` is given).
   */
  test?: StudyTest;
  /** Axis of the comparison. @default {"time"} */
  axis?: "time" | "capacity";
  /** Parameters to fit to the test first (needs `test`). */
  fit?: readonly (string | FitParameter)[];
  /**
   * Retention threshold of the cycle-life projection of an SEI run with 4 or more discharged
   * cycles. @default {0.8}
   */
  threshold?: number;
  /** Called as the fit and the simulation progress. */
  onProgress?: (progress: ModelStudyProgress) => void;
}

/**
 * A simulation with what was done around it: the comparison with a measured test, the fit of
 * parameters to it and the cycle-life projection of an SEI run. `toJSON()` is what
 * `simulate --json` prints; `toString()` what it prints without `--json`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { runModelStudy } from "./run_model_study.ts";
 * const study = runModelStudy({ model: "spm", points: 20 }); // a ModelStudy
 * equal(study.comparison, null);
 * equal((study.toJSON().time_s as number[]).length, 20);
 * ```
 */
export class ModelStudy {
  /** The simulation (at the fitted parameters after a fit). */
  readonly simulation: Simulation;
  /** The test it was compared with, or null. */
  readonly test: StudyTest | null;
  /** The comparison with the test, or null. */
  readonly comparison: SimulationComparison | null;
  /** The fit, or null. */
  readonly fit: ParameterFit | null;
  /** The cycle-life projection of an SEI run, or null. */
  readonly cycleLife: CycleLifeProjection | null;

  /**
   * Wrap a study's results (made by {@link runModelStudy}).
   *
   * @param data The results.
   */
  constructor(data: {
    simulation: Simulation;
    test: StudyTest | null;
    comparison: SimulationComparison | null;
    fit: ParameterFit | null;
    cycleLife: CycleLifeProjection | null;
  }) {
    this.simulation = data.simulation;
    this.test = data.test;
    this.comparison = data.comparison;
    this.fit = data.fit;
    this.cycleLife = data.cycleLife;
  }

  /**
   * The JSON of `simulate --json`: the simulation's `toJSON()` (model, parameters, steps,
   * summary, cycles, notes, column arrays), with `cycle_life`, `comparison` (its `test` label
   * included) and `fit` when there are.
   */
  toJSON(): Record<string, unknown> {
    return {
      ...(this.cycleLife ? { cycle_life: this.cycleLife } : {}),
      ...this.simulation.toJSON(),
      ...(this.comparison
        ? { comparison: { test: this.test!.label, ...this.comparison.toJSON() } }
        : {}),
      ...(this.fit ? { fit: this.fit.toJSON() } : {}),
    };
  }

  /** The cycle-life projection in words, or null without one. */
  cycleLifeText(): string | null {
    const life = this.cycleLife;
    if (!life) return null;
    const p = life.projected_cycle;
    return `Cycle life to ${(life.threshold * 100).toFixed(0)} % of cycle ` +
      `${life.reference_cycle}'s discharge: ` +
      (life.observed_cycle !== null
        ? `reached at cycle ${life.observed_cycle.toFixed(1)}`
        : `not reached in ${life.cycles_simulated} cycles (retention ` +
          `${(life.final_retention * 100).toFixed(2)} %)`) +
      (p !== null ? `; projected (${life.model}) at cycle ${p.toFixed(0)}` : "") +
      (life.reason ? ` (${life.reason})` : "");
  }

  /** Simulation summary and steps, cycle life, fit and comparison, as text. */
  toString(): string {
    const parts = [this.simulation.toString()];
    const life = this.cycleLifeText();
    if (life) {
      parts.push(`\n${life}`);
      parts.push(...this.cycleLife!.notes.slice(this.simulation.notes.length));
    }
    if (this.fit) parts.push(`\n${this.fit.toString()}`);
    if (this.comparison) {
      parts.push(`\nAgainst ${this.test!.label}:\n${this.comparison.toString()}`);
    }
    return parts.join("\n");
  }
}

/** What a study runs, resolved and checked. */
interface Plan {
  set: ParameterSet;
  given: readonly (string | ExperimentStep)[];
  cycles: number;
  threshold: number;
}

function plan(options: ModelStudyOptions): Plan {
  const model = options.model ?? "dfn";
  if (!["spm", "spme", "dfn"].includes(model)) {
    throw new RangeError(`Unknown model "${model}": use spm, spme or dfn`);
  }
  const thermal = options.thermal ?? "isothermal";
  if (!["isothermal", "lumped"].includes(thermal)) {
    throw new RangeError(`thermal must be "isothermal" or "lumped", got "${thermal}"`);
  }
  const cycles = options.cycles ?? 1;
  if (!(Number.isInteger(cycles) && cycles >= 1)) {
    throw new RangeError(`cycles must be a positive integer, got ${cycles}`);
  }
  if (options.points !== undefined && !(Number.isInteger(options.points) && options.points >= 2)) {
    throw new RangeError(`points must be an integer ≥ 2, got ${options.points}`);
  }
  if (options.period_s !== undefined && !(options.period_s > 0)) {
    throw new RangeError(`period_s must be positive, got ${options.period_s}`);
  }
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`threshold must be between 0 and 1, got ${threshold}`);
  }
  if (options.axis !== undefined && !["time", "capacity"].includes(options.axis)) {
    throw new RangeError(`axis must be "time" or "capacity", got "${options.axis}"`);
  }
  const set = resolveParameterSet(options.parameters ?? "Chen2020");
  if (options.sei && !set.sei) {
    throw new RangeError(`Parameter set "${set.name}" has no SEI parameters`);
  }
  const given = options.experiment ?? [];
  if (given.length) parseExperiment(given, { cycles });
  if (options.initialSoc !== undefined) initialState(set, options.initialSoc);
  if (options.test && options.test.series.length < 2) {
    throw new RangeError(`${options.test.label} has fewer than 2 rows to compare with`);
  }
  if (options.fit !== undefined) {
    if (!options.test) throw new RangeError("A fit needs a measured test to fit to");
    checkFitOptions({ parameters: set, fit: options.fit, initialSoc: options.initialSoc });
  }
  return { set, given, cycles, threshold };
}

/**
 * Check a study's options without simulating (cheap): the model and sub-models, the parameter
 * set, every step, the initial state, the parameters to fit and the output options.
 *
 * @param options What {@link runModelStudy} would run.
 * @throws {RangeError} For a bad option (the message names it); {SyntaxError} for a step that
 * cannot be read (naming it); `ParameterSetError` for an invalid parameter set.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { checkModelStudy } from "./run_model_study.ts";
 * checkModelStudy({ model: "spm", experiment: ["Discharge at 1C until 2.5 V"] });
 * throws(
 *   () => checkModelStudy({ experiment: ["Discharge at 1 parsec for 1 hour"] }),
 *   /Cannot read step "Discharge at 1 parsec for 1 hour"/,
 * );
 * ```
 */
export function checkModelStudy(options: ModelStudyOptions): void {
  plan(options);
}

/**
 * Simulate a cell and, given a measured test, compare the simulation with it and fit
 * parameters to it first: what `simulate` (the command) does after reading its flags, so that
 * the command, the dashboard and a notebook get the same numbers from the same options.
 *
 * With a test and no experiment, the model follows the test's measured current (voltage
 * cut-offs off), reported at the test's own times unless `points` is given, and the fit's own
 * simulation is the one shown. Without a test or an experiment, a 1C discharge to the set's lower
 * cut-off is run.
 *
 * @param options Model, parameters, experiment, test, fit, output.
 * @returns The study.
 * @throws {RangeError} For bad options; {SyntaxError} for a step that cannot be read;
 * {SolverError} when the integrator cannot continue.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { runModelStudy, simulate } from "./mod.ts";
 * const measured = simulate({ model: "spm", period_s: 60 }).series;
 * const study = runModelStudy({ model: "spm", test: { label: "measured", series: measured } });
 * // The model follows the measured current and reproduces it.
 * ok(study.comparison!.rmse_V < 1e-3);
 * ```
 */
export function runModelStudy(options: ModelStudyOptions = {}): ModelStudy {
  const { set, given, cycles, threshold } = plan(options);
  const test = options.test ?? null;
  const common = {
    model: options.model ?? "dfn",
    parameters: set,
    thermal: options.thermal ?? "isothermal",
    sei: options.sei ?? false,
    mesh: options.mesh,
    ...(options.initialSoc !== undefined ? { initialSoc: options.initialSoc } : {}),
  };
  const report = options.onProgress;
  let fit: ParameterFit | null = null;
  let parameters = set;
  if (test && options.fit !== undefined) {
    fit = fitParameters(test.series, {
      ...common,
      fit: options.fit,
      ...(given.length ? { experiment: given } : {}),
      ...(report ? { onSimulation: (n: number) => report({ phase: "fit", simulations: n }) } : {}),
    });
    parameters = fit.set;
  }
  // Without steps, a comparison follows the test's own current.
  const followTest = test !== null && given.length === 0;
  const steps: readonly (string | ExperimentStep)[] = followTest
    ? [profileStep(test.series.time_s, test.series.current_A, `Run ${test.label}`)]
    : given.length
    ? given
    : [`Discharge at 1C until ${parameters.cell.lower_voltage_cutoff_V} V`];
  const simulation = fit && followTest ? fit.simulation : simulate({
    ...common,
    parameters,
    ...(fit ? { initialSoc: fit.initial_soc } : {}),
    experiment: steps,
    cycles,
    period_s: options.period_s,
    points: options.points,
    // Following a test: rows at the test's own times, so the comparison needs no resampling.
    ...(followTest && options.points === undefined ? { times_s: testTimes(test.series) } : {}),
    voltageCutoffs: !followTest,
    ...(report
      ? {
        onProgress: (fraction: number, step: StepResult) =>
          report({ phase: "simulate", fraction, step }),
      }
      : {}),
  });
  let comparison: SimulationComparison | null = null;
  if (test) {
    const axis = options.axis ?? "time";
    comparison = fit && followTest && axis === "time"
      ? fit.comparison
      : compareSimulation(shiftedToZero(test.series), simulation, { axis });
  }
  const discharged = simulation.cycles.filter((c) => c.discharge_capacity_Ah > 0).length;
  const cycleLife = simulation.options.sei && discharged >= 4
    ? projectCycleLife(simulation, { threshold })
    : null;
  return new ModelStudy({ simulation, test, comparison, fit, cycleLife });
}

/** The distinct times of a series, from zero. */
function testTimes(series: CyclingSeries): number[] {
  const t0 = series.time_s[0];
  const out: number[] = [];
  for (const t of series.time_s) {
    if (out.length === 0 || t - t0 > out[out.length - 1]) out.push(t - t0);
  }
  return out;
}

/** A measured series with its time starting at zero (the simulation's clock). */
function shiftedToZero(series: CyclingSeries): CyclingSeries {
  const t0 = series.time_s[0];
  return t0 === 0 ? series : { ...series, time_s: series.time_s.map((t) => t - t0) };
}
