// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { BdfSolver, type EventFunction, SolverError } from "./_bdf.ts";
import { compileCell } from "./_cell.ts";
import { type CellModel, type MeshPoints, Mode, type StateSnapshot } from "./_cell_model.ts";
import { DfnModel } from "./_dfn.ts";
import { SingleParticleModel } from "./_spm.ts";
import { electrodeSohCompiled, initialStateCompiled } from "./_electrode_soh.ts";
import { type Experiment, type ExperimentStep, parseExperiment } from "./experiment.ts";
import { interpolateClamped } from "./_interpolate.ts";
import { resolveParameterSet } from "./load_parameter_set.ts";
import type { ParameterSet } from "./parameter_set.ts";
import {
  type ModelName,
  type SimulatedCycle,
  Simulation,
  type SimulationStates,
  type StepResult,
  type StepTermination,
} from "./simulation.ts";

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Model. @default {"dfn"} */
  model?: ModelName;
  /** Parameter set, or the name of a built-in set. @default {"Chen2020"} */
  parameters?: ParameterSet | string;
  /**
   * The experiment: step strings (PyBaMM's syntax, groups as `(…, …) × N`), step objects
   * (`profileStep` for a measured current), or a parsed experiment. @default {a 1C discharge
   * to the lower voltage cut-off}
   */
  experiment?: readonly (string | ExperimentStep)[] | Experiment;
  /** Run the whole list of steps this many times. @default {1} */
  cycles?: number;
  /**
   * Initial state: a state of charge 0–1 on the electrode-SOH scale (PyBaMM's
   * `set_initial_state`), or an open-circuit voltage like `"3.9 V"`. @default {1}
   */
  initialSoc?: number | string;
  /** Thermal model. @default {"isothermal"} */
  thermal?: "isothermal" | "lumped";
  /** Solvent-diffusion-limited SEI growth with film resistance. @default {false} */
  sei?: boolean;
  /** Finite volumes per domain. @default {20 everywhere, PyBaMM's default mesh} */
  mesh?: Partial<MeshPoints>;
  /** Output interval, s (rows at multiples of it plus the start and end of every step). @default {30} */
  period_s?: number;
  /** Resample the output to this many evenly spaced rows (for plots). */
  points?: number;
  /**
   * Report rows at exactly these times (s, increasing) instead of every `period_s`, plus the
   * start and end of every step (PyBaMM's `t_eval`).
   */
  times_s?: readonly number[];
  /**
   * Stop the experiment when the voltage leaves the set's cut-offs (as PyBaMM does). Turn off
   * to follow a measured current profile wherever it goes. @default {true}
   */
  voltageCutoffs?: boolean;
  /** Record internal states per output row. @default {false} */
  states?: boolean;
  /** Relative tolerance of the integrator (PyBaMM's default). @default {1e-4} */
  rtol?: number;
  /** Absolute tolerance of the scaled unknowns (PyBaMM's default). @default {1e-6} */
  atol?: number;
  /** Called after every step with the fraction of steps done. */
  onProgress?: (fraction: number, step: StepResult) => void;
}

const DEFAULT_MESH: MeshPoints = { x_n: 20, x_s: 20, x_p: 20, r_n: 20, r_p: 20 };

/** Growable column store for the output rows. */
class Rows {
  t: number[] = [];
  v: number[] = [];
  i: number[] = [];
  c: number[][] = [[], [], [], []];
  temp: number[] = [];
  step: number[] = [];
  cycle: number[] = [];
  snaps: StateSnapshot[] = [];
  profiles: Float64Array[] = [];
}

/** Build the model of a run. */
function buildModel(
  set: ParameterSet,
  model: ModelName,
  options: { thermal: boolean; sei: boolean; mesh: MeshPoints },
): CellModel {
  const cell = compileCell(set);
  if (model === "dfn") return new DfnModel(cell, options);
  if (model === "spm" || model === "spme") return new SingleParticleModel(cell, model, options);
  throw new RangeError(`Unknown model "${model}": use spm, spme or dfn`);
}

function checkMesh(mesh: Partial<MeshPoints> | undefined): MeshPoints {
  const m = { ...DEFAULT_MESH, ...mesh };
  for (const [k, v] of Object.entries(m)) {
    if (!(Number.isInteger(v) && v >= 3 && v <= 400)) {
      throw new RangeError(`mesh.${k} must be an integer between 3 and 400, got ${v}`);
    }
  }
  return m;
}

/**
 * Simulate a cell: SPM, SPMe or DFN with PyBaMM's equations and default discretization, run
 * through an experiment, starting from a state of charge defined as PyBaMM defines it.
 *
 * @param options Model, parameter set, experiment, initial state, sub-models, output.
 * @returns The simulation (its `series` is a `CyclingSeries`, current positive on charge).
 * @throws {RangeError} For bad options; {SyntaxError} for a step that cannot be read;
 * {SolverError} when the integrator cannot continue.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { simulate } from "./simulate.ts";
 * const sim = simulate({ model: "spm", parameters: "Chen2020" });
 * // A 1C discharge of the LG M50 from 100 % SOC to 2.5 V gives about 5.0 Ah (PyBaMM: 5.009).
 * ok(Math.abs(sim.summary.discharge_capacity_Ah - 5.009) < 0.01);
 * ```
 */
export function simulate(options: SimulateOptions = {}): Simulation {
  const started = performance.now();
  const kind = options.model ?? "dfn";
  const set = resolveParameterSet(options.parameters ?? "Chen2020");
  const mesh = checkMesh(options.mesh);
  const thermal = (options.thermal ?? "isothermal") === "lumped";
  if (options.thermal !== undefined && !["isothermal", "lumped"].includes(options.thermal)) {
    throw new RangeError(`thermal must be "isothermal" or "lumped", got "${options.thermal}"`);
  }
  const sei = options.sei ?? false;
  const rtol = options.rtol ?? 1e-4, atol = options.atol ?? 1e-6;
  if (!(rtol > 0 && rtol < 1) || !(atol > 0)) {
    throw new RangeError("rtol and atol must be positive");
  }
  const period = options.period_s ?? 30;
  if (!(period > 0)) throw new RangeError(`period_s must be positive, got ${period}`);
  const times = options.times_s ? Float64Array.from(options.times_s) : null;
  if (times) {
    for (let k = 1; k < times.length; k++) {
      if (!(times[k] > times[k - 1])) throw new RangeError("times_s must increase strictly");
    }
  }
  let nextTime = 0;
  const cutoffs = options.voltageCutoffs ?? true;
  const model = buildModel(set, kind, { thermal, sei, mesh });
  const cell = model.cell;
  const soh = electrodeSohCompiled(cell);
  const init = initialStateCompiled(cell, soh, options.initialSoc ?? 1);
  const experiment: Experiment = options.experiment && "steps" in options.experiment
    ? options.experiment
    : parseExperiment(
      (options.experiment as readonly (string | ExperimentStep)[] | undefined) ??
        [`Discharge at 1C until ${set.cell.lower_voltage_cutoff_V} V`],
      { cycles: options.cycles ?? 1 },
    );
  if (options.experiment && "steps" in options.experiment && (options.cycles ?? 1) !== 1) {
    throw new RangeError("cycles applies to a list of steps, not to a parsed experiment");
  }
  const solver = new BdfSolver(model, { rtol, atol: model.atol.map((a) => a * atol / 1e-6) });
  const y = model.initialState(init.x, init.y, cell.Tinit);
  const rows = new Rows();
  const withStates = options.states ?? false;
  const nx = model.xNodes.length;
  const tmp = new Float64Array(model.n);
  const ic = model.iCounters;
  const oneC = cell.oneC_A;
  const record = (t: number, state: Float64Array, step: number, cycle: number) => {
    rows.t.push(t);
    rows.v.push(model.voltage(state));
    // A prescribed current is recorded exactly (between solver steps the state's current comes
    // from the interpolating polynomial, which rounds the corners of a measured profile).
    const c = model.control;
    rows.i.push(
      c.mode === Mode.Current ? -(c.profile ? c.profile(t) : c.value) : -model.current(state),
    );
    for (let k = 0; k < 4; k++) rows.c[k].push(state[ic + k] * oneC);
    rows.temp.push(model.temperature(state));
    rows.step.push(step);
    rows.cycle.push(cycle);
    if (withStates) {
      rows.snaps.push(model.snapshot(state));
      const prof = new Float64Array(nx);
      model.electrolyteProfile(state, prof);
      rows.profiles.push(prof);
    }
  };
  const steps: StepResult[] = [];
  const stepEnds: StateSnapshot[] = [];
  const notes: string[] = [];
  if (sei) {
    notes.push(
      "SEI: solvent-diffusion-limited growth with PyBaMM's example SEI parameters, which their " +
        "authors say do not claim to be representative of a real cell; treat SEI-driven fade " +
        "and cycle-life figures as illustrations until the SEI parameters are fitted.",
    );
  }
  let t = 0;
  let stopped: string | null = null;
  let nextGrid = 0;
  for (let k = 0; k < experiment.steps.length && stopped === null; k++) {
    const step = experiment.steps[k];
    const cycle = experiment.cycle[k];
    const stepNo = k + 1;
    const selectPiece = configure(model, step, t);
    // A good first guess of the current for current-driven steps.
    if (model.control.mode === Mode.Current) {
      y[model.iCurrent] = (model.control.profile ? model.control.profile(t) : model.control.value) /
        oneC;
    }
    try {
      solver.reset(t, y);
    } catch (error) {
      if (error instanceof SolverError) {
        stopped = `step ${stepNo} ("${step.text}") could not start: ${error.message}`;
        break;
      }
      throw error;
    }
    y.set(solver.y);
    const startCounters = [0, 1, 2, 3].map((c) => y[ic + c] * oneC);
    const startV = model.voltage(y);
    record(t, y, stepNo, cycle);
    // Events: the step's own limits first, then the global safety limits.
    const events: EventFunction[] = [];
    const kinds: StepTermination[] = [];
    const I0 = model.current(y);
    const discharging = model.control.mode === Mode.Power
      ? model.control.value > 0
      : model.control.mode === Mode.Resistance
      ? true
      : I0 > 0 || (model.control.mode === Mode.Current && model.control.value > 0);
    for (const limit of step.limits) {
      if (limit.kind === "voltage") {
        const v = limit.value_V;
        events.push(
          discharging ? (_t, s) => model.voltage(s) - v : (_t, s) => v - model.voltage(s),
        );
        kinds.push("voltage limit");
      } else {
        const a = limit.value_A ?? (limit.c_rate as number) * oneC;
        events.push((_t, s) => Math.abs(model.current(s)) - a);
        kinds.push("current limit");
      }
    }
    const own = events.length;
    if (cutoffs && model.control.mode !== Mode.Voltage) {
      events.push((_t, s) => model.voltage(s) - cell.vMin);
      kinds.push("lower voltage cut-off");
      events.push((_t, s) => cell.vMax - model.voltage(s));
      kinds.push("upper voltage cut-off");
    }
    // A safety net only: the OCP asymptotes (PyBaMM's) hold the surface stoichiometries within
    // about 0.001 of [0, 1]; beyond 0.005 something is wrong.
    events.push((_t, s) => model.stoichiometryRange(s)[0] + 0.005);
    kinds.push("stoichiometry limit");
    events.push((_t, s) => 1.005 - model.stoichiometryRange(s)[1]);
    kinds.push("stoichiometry limit");
    let termination: StepTermination | null = null;
    for (let e = 0; e < own; e++) {
      if (!(events[e](t, y) > 0)) termination = "limit met at start";
    }
    if (termination === null) {
      const tEnd = step.duration_s !== null ? t + step.duration_s : t + 1e8;
      // A measured profile may jump (a time recorded twice): integrate up to each jump and
      // restart there, as no error-controlled step can cross a jump of the current.
      const stops: number[] = [];
      if (step.mode === "profile") {
        const ts = step.profile!.time_s;
        for (let i = 1; i < ts.length; i++) {
          if (ts[i] === ts[i - 1] && t + ts[i] < tEnd && stops.at(-1) !== t + ts[i]) {
            stops.push(t + ts[i]);
          }
        }
      }
      stops.push(tEnd);
      const onStep = times
        ? (tOld: number, tNew: number, interp: (t: number, out: Float64Array) => void) => {
          while (nextTime < times.length && times[nextTime] <= tOld) nextTime++;
          while (nextTime < times.length && times[nextTime] < tNew) {
            interp(times[nextTime], tmp);
            record(times[nextTime], tmp, stepNo, cycle);
            nextTime++;
          }
        }
        : (tOld: number, tNew: number, interp: (t: number, out: Float64Array) => void) => {
          while (nextGrid <= tOld) nextGrid += period;
          while (nextGrid < tNew) {
            interp(nextGrid, tmp);
            record(nextGrid, tmp, stepNo, cycle);
            nextGrid += period;
          }
        };
      let result = { t, event: -1 };
      try {
        for (let k = 0; k < stops.length; k++) {
          // Both sides of a jump, as a cycler records a step change.
          if (k > 0) record(solver.t, solver.y, stepNo, cycle);
          selectPiece?.(k);
          if (k > 0) {
            solver.reset(solver.t, solver.y);
            record(solver.t, solver.y, stepNo, cycle);
          }
          result = solver.integrate(stops[k], { events, onStep });
          if (result.event >= 0) break;
        }
      } catch (error) {
        if (!(error instanceof SolverError)) throw error;
        stopped = `step ${stepNo} ("${step.text}") failed at t = ${solver.t.toFixed(1)} s: ` +
          error.message;
        result = { t: solver.t, event: -2 };
      }
      t = result.t;
      y.set(solver.y);
      if (result.event === -2) termination = "time";
      else if (result.event < 0) termination = step.mode === "profile" ? "end of profile" : "time";
      else {
        termination = kinds[result.event];
        if (result.event >= own) {
          stopped = `step ${stepNo} ("${step.text}") reached the ${termination} ` +
            `at t = ${t.toFixed(1)} s before its own end`;
        }
      }
    }
    // The end row (a step that ended at its start keeps its one row).
    if (rows.t[rows.t.length - 1] !== t || rows.step[rows.step.length - 1] !== stepNo) {
      record(t, y, stepNo, cycle);
    }
    const endCounters = [0, 1, 2, 3].map((c) => y[ic + c] * oneC);
    const result: StepResult = {
      step: stepNo,
      cycle,
      text: step.text,
      start_time_s: steps.length ? steps[steps.length - 1].end_time_s : 0,
      end_time_s: t,
      termination,
      start_voltage_V: startV,
      end_voltage_V: model.voltage(y),
      end_current_A: -model.current(y),
      discharge_capacity_Ah: endCounters[0] - startCounters[0],
      charge_capacity_Ah: endCounters[1] - startCounters[1],
      discharge_energy_Wh: endCounters[2] - startCounters[2],
      charge_energy_Wh: endCounters[3] - startCounters[3],
    };
    steps.push(result);
    stepEnds.push(model.snapshot(y));
    options.onProgress?.((k + 1) / experiment.steps.length, result);
  }
  const series = buildSeries(rows, set, kind, thermal, options.points);
  const states = withStates ? buildStates(rows, model) : null;
  const cycles = cycleTable(steps, stepEnds, sei);
  const last = model.snapshot(y);
  const stats = solver.stats;
  // Loops, not Math.min(...rows.v): a long run has more rows than a call has room for arguments.
  let vMinAll = Infinity, vMaxAll = -Infinity, tMaxAll = -Infinity;
  for (const v of rows.v) {
    if (v < vMinAll) vMinAll = v;
    if (v > vMaxAll) vMaxAll = v;
  }
  for (const t of rows.temp) if (t > tMaxAll) tMaxAll = t;
  const finalCounters = [0, 1, 2, 3].map((c) => y[ic + c] * oneC);
  return new Simulation({
    model: kind,
    parameters: set.name,
    options: {
      thermal: thermal ? "lumped" : "isothermal",
      sei,
      mesh,
      rtol,
      atol,
      period_s: period,
    },
    electrode_soh: soh,
    initial_state: init,
    steps,
    cycles,
    summary: {
      discharge_capacity_Ah: finalCounters[0],
      charge_capacity_Ah: finalCounters[1],
      discharge_energy_Wh: finalCounters[2],
      charge_energy_Wh: finalCounters[3],
      final_time_s: t,
      final_voltage_V: model.voltage(y),
      min_voltage_V: vMinAll,
      max_voltage_V: vMaxAll,
      cycles: steps.length ? steps[steps.length - 1].cycle : 0,
      completed: stopped === null,
      stopped_reason: stopped,
      initial_soc: init.soc,
      initial_ocv_V: init.ocv_V,
      final_temperature_K: model.temperature(y),
      max_temperature_K: tMaxAll,
      final_sei_thickness_m: sei ? last.seiThickness : null,
      lithium_lost_mol: sei ? last.lithiumLostToSei : null,
      capacity_lost_to_sei_Ah: sei ? last.lithiumLostToSei * 96485.33212331001 / 3600 : null,
      solver: {
        steps: stats.steps,
        rejected: stats.rejected,
        f_evaluations: stats.fEvaluations,
        jacobians: stats.jacobians,
        factorizations: stats.factorizations,
      },
      elapsed_ms: performance.now() - started,
    },
    series,
    states,
    notes,
  });
}

/**
 * Set the model's control for a step starting at time t0. For a profile, returns the function
 * that selects the piece (between jumps) the solver integrates next.
 */
function configure(
  model: CellModel,
  step: ExperimentStep,
  t0: number,
): ((piece: number) => void) | null {
  const c = model.control, oneC = model.cell.oneC_A;
  c.profile = null;
  switch (step.mode) {
    case "rest":
      c.mode = Mode.Current;
      c.value = 0;
      return null;
    case "c_rate":
      c.mode = Mode.Current;
      c.value = -step.value * oneC;
      return null;
    case "current":
      c.mode = Mode.Current;
      c.value = -step.value;
      return null;
    case "voltage":
      c.mode = Mode.Voltage;
      c.value = step.value;
      return null;
    case "power":
      c.mode = Mode.Power;
      c.value = -step.value;
      return null;
    case "resistance":
      c.mode = Mode.Resistance;
      c.value = step.value;
      return null;
    case "profile": {
      const p = step.profile!;
      const ts = Float64Array.from(p.time_s), is = Float64Array.from(p.current_A, (v) => -v);
      c.mode = Mode.Current;
      c.value = 0;
      // Between two jumps (a time recorded twice) the profile is interpolated within its own
      // samples, so the solver never sees the value after a jump before it restarts there.
      let lo = 0, hi = ts.length;
      c.profile = (t: number) =>
        interpolateClamped(ts.subarray(lo, hi), is.subarray(lo, hi), t - t0);
      const starts = [0];
      for (let i = 1; i < ts.length; i++) if (ts[i] === ts[i - 1]) starts.push(i);
      return (k: number) => {
        lo = starts[Math.min(k, starts.length - 1)];
        hi = k + 1 < starts.length ? starts[k + 1] : ts.length;
      };
    }
  }
}

function buildSeries(
  rows: Rows,
  set: ParameterSet,
  kind: ModelName,
  thermal: boolean,
  points: number | undefined,
): CyclingSeries {
  let idx: { lo: Int32Array; w: Float64Array } | null = null;
  let t = Float64Array.from(rows.t);
  if (points !== undefined) {
    if (!(Number.isInteger(points) && points >= 2)) {
      throw new RangeError(`points must be an integer ≥ 2, got ${points}`);
    }
    const t0 = t[0], t1 = t[t.length - 1];
    const lo = new Int32Array(points), w = new Float64Array(points);
    const tt = new Float64Array(points);
    let j = 0;
    for (let k = 0; k < points; k++) {
      const tk = t0 + (t1 - t0) * k / (points - 1);
      tt[k] = tk;
      while (j < t.length - 2 && t[j + 1] <= tk) j++;
      lo[k] = j;
      const span = t[j + 1] - t[j];
      w[k] = span > 0 ? Math.min(1, Math.max(0, (tk - t[j]) / span)) : 0;
    }
    idx = { lo, w };
    t = tt;
  }
  const col = (values: number[]): Float64Array => {
    if (!idx) return Float64Array.from(values);
    const out = new Float64Array(idx.lo.length);
    for (let k = 0; k < out.length; k++) {
      const j = idx.lo[k], w = idx.w[k];
      out[k] = values.length === 1 ? values[0] : values[j] * (1 - w) + values[j + 1] * w;
    }
    return out;
  };
  const ints = (values: number[]): Int32Array =>
    idx
      ? Int32Array.from(idx.lo, (j, k) => values[idx!.w[k] > 0.5 ? j + 1 : j])
      : Int32Array.from(values);
  const note = `${kind.toUpperCase()} simulation of ${set.name}`;
  const source = (name: string, unit: string) => ({
    original_name: name,
    original_unit: unit,
    scale: 1,
    derived: true,
    note,
  });
  const series: CyclingSeries = {
    length: t.length,
    time_s: t,
    voltage_V: col(rows.v),
    current_A: col(rows.i),
    discharge_capacity_Ah: col(rows.c[0]),
    charge_capacity_Ah: col(rows.c[1]),
    discharge_energy_Wh: col(rows.c[2]),
    charge_energy_Wh: col(rows.c[3]),
    step_index: ints(rows.step),
    cycle_index: ints(rows.cycle),
    extras: {},
    start_time: null,
    columns: {
      time_s: source("Time [s]", "s"),
      voltage_V: source("Voltage [V]", "V"),
      current_A: source("Current [A] (positive on charge)", "A"),
      discharge_capacity_Ah: source("Discharge capacity counter", "A.h"),
      charge_capacity_Ah: source("Charge capacity counter", "A.h"),
      discharge_energy_Wh: source("Discharge energy counter", "W.h"),
      charge_energy_Wh: source("Charge energy counter", "W.h"),
    },
  };
  if (thermal) {
    series.temperature_C = col(rows.temp.map((k) => k - 273.15));
    series.columns.temperature_C = source("Volume-averaged cell temperature [K] - 273.15", "C");
  }
  return series;
}

function buildStates(rows: Rows, model: CellModel): SimulationStates {
  const s = rows.snaps;
  const pick = (f: (x: StateSnapshot) => number) => Float64Array.from(s, f);
  return {
    negative_surface_stoichiometry: pick((x) => x.negativeSurfaceSto),
    positive_surface_stoichiometry: pick((x) => x.positiveSurfaceSto),
    negative_mean_stoichiometry: pick((x) => x.negativeMeanSto),
    positive_mean_stoichiometry: pick((x) => x.positiveMeanSto),
    electrolyte_concentration_negative_mol_m3: pick((x) => x.electrolyteNegative),
    electrolyte_concentration_positive_mol_m3: pick((x) => x.electrolytePositive),
    temperature_K: pick((x) => x.temperature),
    sei_thickness_m: pick((x) => x.seiThickness),
    lithium_particles_mol: pick((x) => x.lithiumParticles),
    lithium_lost_mol: pick((x) => x.lithiumLostToSei),
    x_m: Float64Array.from(model.xNodes),
    electrolyte_concentration_mol_m3: rows.profiles,
  };
}

function cycleTable(steps: StepResult[], ends: StateSnapshot[], sei: boolean): SimulatedCycle[] {
  const out: SimulatedCycle[] = [];
  steps.forEach((s, k) => {
    let c = out[out.length - 1];
    if (!c || c.cycle !== s.cycle) {
      c = {
        cycle: s.cycle,
        discharge_capacity_Ah: 0,
        charge_capacity_Ah: 0,
        discharge_energy_Wh: 0,
        charge_energy_Wh: 0,
        end_time_s: s.end_time_s,
        sei_thickness_m: null,
        lithium_lost_mol: null,
      };
      out.push(c);
    }
    c.discharge_capacity_Ah += s.discharge_capacity_Ah;
    c.charge_capacity_Ah += s.charge_capacity_Ah;
    c.discharge_energy_Wh += s.discharge_energy_Wh;
    c.charge_energy_Wh += s.charge_energy_Wh;
    c.end_time_s = s.end_time_s;
    if (sei) {
      c.sei_thickness_m = ends[k].seiThickness;
      c.lithium_lost_mol = ends[k].lithiumLostToSei;
    }
  });
  return out;
}
