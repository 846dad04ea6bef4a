// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import {
  escapeHtml,
  htmlTable,
  JUPYTER_DISPLAY,
  type MimeBundle,
  type TableColumn,
  textTable,
} from "../_display.ts";
import { concatCharts, layeredChart, type VegaLiteSpec } from "../_vega.ts";
import { downsample } from "../downsample.ts";
import type { ElectrodeSoh, InitialState } from "./_electrode_soh.ts";

/** Which model ran. */
export type ModelName = "spm" | "spme" | "dfn";

/** What ended a step. */
export type StepTermination =
  | "time"
  | "voltage limit"
  | "current limit"
  | "lower voltage cut-off"
  | "upper voltage cut-off"
  | "stoichiometry limit"
  | "limit met at start"
  | "end of profile";

/** One step as it ran. */
export interface StepResult {
  /** 1-based step number in the run. */
  step: number;
  /** Cycle number. */
  cycle: number;
  /** The step text. */
  text: string;
  /** Start time, s. */
  start_time_s: number;
  /** End time, s. */
  end_time_s: number;
  /** What ended it. */
  termination: StepTermination;
  /** Voltage at the start (after the current was applied), V. */
  start_voltage_V: number;
  /** Voltage at the end, V. */
  end_voltage_V: number;
  /** Current at the end, A (positive on charge). */
  end_current_A: number;
  /** Charge passed while discharging in this step, A h. */
  discharge_capacity_Ah: number;
  /** Charge passed while charging in this step, A h. */
  charge_capacity_Ah: number;
  /** Energy out while discharging, W h. */
  discharge_energy_Wh: number;
  /** Energy in while charging, W h. */
  charge_energy_Wh: number;
}

/** Per-cycle numbers of a simulation (from its steps). */
export interface SimulatedCycle {
  /** Cycle number. */
  cycle: number;
  /** Charge passed while discharging, A h. */
  discharge_capacity_Ah: number;
  /** Charge passed while charging, A h. */
  charge_capacity_Ah: number;
  /** Energy out, W h. */
  discharge_energy_Wh: number;
  /** Energy in, W h. */
  charge_energy_Wh: number;
  /** End time, s. */
  end_time_s: number;
  /** SEI thickness at the end of the cycle, m (null without SEI). */
  sei_thickness_m: number | null;
  /** Lithium lost to SEI by the end of the cycle, mol (null without SEI). */
  lithium_lost_mol: number | null;
}

/** Summary numbers of a simulation. */
export interface SimulationSummary {
  /** Total charge passed while discharging, A h. */
  discharge_capacity_Ah: number;
  /** Total charge passed while charging, A h. */
  charge_capacity_Ah: number;
  /** Total energy out, W h. */
  discharge_energy_Wh: number;
  /** Total energy in, W h. */
  charge_energy_Wh: number;
  /** Time at the end, s. */
  final_time_s: number;
  /** Voltage at the end, V. */
  final_voltage_V: number;
  /** Lowest voltage, V. */
  min_voltage_V: number;
  /** Highest voltage, V. */
  max_voltage_V: number;
  /** Number of cycles run. */
  cycles: number;
  /** Whether every step ran to its own end (false when a cut-off stopped the experiment). */
  completed: boolean;
  /** Why the run stopped early, or null. */
  stopped_reason: string | null;
  /** Initial state of charge (electrode-SOH scale, 0–1). */
  initial_soc: number;
  /** Initial open-circuit voltage, V. */
  initial_ocv_V: number;
  /** Temperature at the end, K (ambient for isothermal runs). */
  final_temperature_K: number;
  /** Highest temperature, K. */
  max_temperature_K: number;
  /** SEI thickness at the end, m (null without SEI). */
  final_sei_thickness_m: number | null;
  /** Lithium lost to SEI, mol (null without SEI). */
  lithium_lost_mol: number | null;
  /** The same as capacity, A h (null without SEI). */
  capacity_lost_to_sei_Ah: number | null;
  /** Solver work: accepted steps, f evaluations, Jacobians, factorizations. */
  solver: {
    steps: number;
    rejected: number;
    f_evaluations: number;
    jacobians: number;
    factorizations: number;
  };
  /** Wall-clock time of the run, ms. */
  elapsed_ms: number;
}

/** Internal states per output row, when requested. */
export interface SimulationStates {
  /** Surface stoichiometry of the negative particles (x-average). */
  negative_surface_stoichiometry: Float64Array;
  /** Surface stoichiometry of the positive particles (x-average). */
  positive_surface_stoichiometry: Float64Array;
  /** Mean stoichiometry of the negative electrode. */
  negative_mean_stoichiometry: Float64Array;
  /** Mean stoichiometry of the positive electrode. */
  positive_mean_stoichiometry: Float64Array;
  /** Electrolyte concentration at x = 0 (negative current collector), mol/m³. */
  electrolyte_concentration_negative_mol_m3: Float64Array;
  /** Electrolyte concentration at x = L (positive current collector), mol/m³. */
  electrolyte_concentration_positive_mol_m3: Float64Array;
  /** Temperature, K. */
  temperature_K: Float64Array;
  /** SEI thickness, m (NaN without SEI). */
  sei_thickness_m: Float64Array;
  /** Lithium in the particles, mol. */
  lithium_particles_mol: Float64Array;
  /** Lithium lost to SEI, mol. */
  lithium_lost_mol: Float64Array;
  /** Cell-centre positions of the electrolyte profiles, m. */
  x_m: Float64Array;
  /** Electrolyte concentration profile of every row, mol/m³. */
  electrolyte_concentration_mol_m3: Float64Array[];
}

/** The plain-data content of a {@link Simulation}. */
export interface SimulationData {
  /** Model. */
  model: ModelName;
  /** Parameter set name. */
  parameters: string;
  /** Options the run used. */
  options: {
    thermal: "isothermal" | "lumped";
    sei: boolean;
    mesh: { x_n: number; x_s: number; x_p: number; r_n: number; r_p: number };
    rtol: number;
    atol: number;
    period_s: number;
  };
  /** Electrode state of health of the parameter set. */
  electrode_soh: ElectrodeSoh;
  /** Initial state. */
  initial_state: InitialState;
  /** Steps as they ran. */
  steps: StepResult[];
  /** Per-cycle numbers. */
  cycles: SimulatedCycle[];
  /** Summary. */
  summary: SimulationSummary;
  /** The output rows as a cycling series (current positive on charge). */
  series: CyclingSeries;
  /** Internal states, when requested. */
  states: SimulationStates | null;
  /** Notes a reader must see (for example that SEI parameters are examples). */
  notes: string[];
}

const STEP_COLUMNS: TableColumn[] = [
  { key: "step" },
  { key: "cycle" },
  { key: "text", label: "step" },
  { key: "end_time_s", label: "end (s)" },
  { key: "termination", label: "ended by" },
  { key: "end_voltage_V", label: "V end" },
  { key: "discharge_capacity_Ah", label: "Q dis (Ah)" },
  { key: "charge_capacity_Ah", label: "Q ch (Ah)" },
];

/**
 * The result of `simulate`: the output as a `CyclingSeries` (so the cycle table, fade, dQ/dV
 * and every other analysis run on it), the steps as they ran, per-cycle numbers, a summary and,
 * when requested, internal states. Displays in Jupyter as a summary, the step table and a
 * voltage (and temperature) plot.
 *
 * @example
 * ```ts
 * import { simulate } from "./simulate.ts";
 * import { ok } from "node:assert/strict";
 *
 * const sim = simulate({ model: "spm", parameters: "Chen2020" }); // a Simulation
 * ok(sim.series.length > 10);
 * ok(sim.summary.discharge_capacity_Ah > 4.9);
 * ```
 */
export class Simulation implements SimulationData {
  readonly model: ModelName;
  readonly parameters: string;
  readonly options: SimulationData["options"];
  readonly electrode_soh: ElectrodeSoh;
  readonly initial_state: InitialState;
  readonly steps: StepResult[];
  readonly cycles: SimulatedCycle[];
  readonly summary: SimulationSummary;
  readonly series: CyclingSeries;
  readonly states: SimulationStates | null;
  readonly notes: string[];

  /**
   * Wrap a run's results (made by `simulate`).
   *
   * @param data The run's results.
   */
  constructor(data: SimulationData) {
    this.model = data.model;
    this.parameters = data.parameters;
    this.options = data.options;
    this.electrode_soh = data.electrode_soh;
    this.initial_state = data.initial_state;
    this.steps = data.steps;
    this.cycles = data.cycles;
    this.summary = data.summary;
    this.series = data.series;
    this.states = data.states;
    this.notes = data.notes;
  }

  /** One line: model, set, duration, capacity. */
  describe(): string {
    const s = this.summary;
    return `${this.model.toUpperCase()} of ${this.parameters}: ${this.steps.length} step(s), ` +
      `${s.cycles} cycle(s), ${(s.final_time_s / 3600).toFixed(3)} h, discharged ` +
      `${s.discharge_capacity_Ah.toFixed(4)} Ah, charged ${s.charge_capacity_Ah.toFixed(4)} Ah` +
      (s.completed ? "" : ` — stopped: ${s.stopped_reason}`);
  }

  /** Text summary with the step table. */
  toString(): string {
    return [
      this.describe(),
      textTable(this.steps as unknown as Record<string, unknown>[], STEP_COLUMNS, { maxRows: 40 }),
      ...this.notes,
    ]
      .join("\n");
  }

  /**
   * Voltage (and temperature, when modelled) against time, as a Vega-Lite spec.
   *
   * @param options Size and the most points to draw. @default {maxPoints: 2000}
   * @returns The spec.
   */
  plotSpec(options: { width?: number; height?: number; maxPoints?: number } = {}): VegaLiteSpec {
    const s = this.series;
    const keep = downsample(s.time_s, s.voltage_V, options.maxPoints ?? 2000);
    const rows = Array.from(keep, (i) => ({
      time_h: s.time_s[i] / 3600,
      voltage_V: s.voltage_V[i],
      current_A: s.current_A[i],
      ...(s.temperature_C ? { temperature_C: s.temperature_C[i] } : {}),
      cycle: s.cycle_index[i],
    }));
    const width = options.width ?? 560, height = options.height ?? 240;
    const charts = [
      layeredChart([{
        mark: "line",
        rows,
        x: { field: "time_h", title: "Time (h)" },
        y: { field: "voltage_V", title: "Voltage (V)" },
        tooltip: [{ field: "time_h", title: "Time (h)" }, {
          field: "voltage_V",
          title: "Voltage (V)",
        }, {
          field: "current_A",
          title: "Current (A)",
        }, { field: "cycle", title: "Cycle" }],
      }], { width, height }),
      layeredChart([{
        mark: "line",
        rows,
        x: { field: "time_h", title: "Time (h)" },
        y: { field: "current_A", title: "Current (A)" },
      }], { width, height: Math.round(height / 2) }),
    ];
    if (s.temperature_C) {
      charts.push(layeredChart([{
        mark: "line",
        rows,
        x: { field: "time_h", title: "Time (h)" },
        y: { field: "temperature_C", title: "Temperature (°C)" },
      }], { width, height: Math.round(height / 2) }));
    }
    return concatCharts(charts, { title: `${this.model.toUpperCase()} — ${this.parameters}` });
  }

  /**
   * The JSON of the `simulate` CLI: model, parameters, steps, summary, cycles, notes and the
   * column arrays `time_s`, `voltage_V`, `current_A` (positive on charge),
   * `discharge_capacity_Ah`, `charge_capacity_Ah` (cumulative counters) and `temperature_K`
   * (lumped thermal runs).
   */
  toJSON(): Record<string, unknown> {
    const s = this.series;
    const out: Record<string, unknown> = {
      model: this.model,
      parameters: this.parameters,
      options: this.options,
      electrode_soh: this.electrode_soh,
      initial_state: this.initial_state,
      steps: this.steps,
      cycles: this.cycles,
      summary: this.summary,
      notes: this.notes,
      time_s: Array.from(s.time_s),
      voltage_V: Array.from(s.voltage_V),
      current_A: Array.from(s.current_A),
      discharge_capacity_Ah: Array.from(s.discharge_capacity_Ah),
      charge_capacity_Ah: Array.from(s.charge_capacity_Ah),
    };
    if (s.temperature_C) out.temperature_K = Array.from(s.temperature_C, (c) => c + 273.15);
    if (this.states) {
      const st = this.states;
      out.states = {
        negative_surface_stoichiometry: Array.from(st.negative_surface_stoichiometry),
        positive_surface_stoichiometry: Array.from(st.positive_surface_stoichiometry),
        negative_mean_stoichiometry: Array.from(st.negative_mean_stoichiometry),
        positive_mean_stoichiometry: Array.from(st.positive_mean_stoichiometry),
        electrolyte_concentration_negative_mol_m3: Array.from(
          st.electrolyte_concentration_negative_mol_m3,
        ),
        electrolyte_concentration_positive_mol_m3: Array.from(
          st.electrolyte_concentration_positive_mol_m3,
        ),
        temperature_K: Array.from(st.temperature_K),
        sei_thickness_m: Array.from(st.sei_thickness_m, (v) => Number.isFinite(v) ? v : null),
        lithium_particles_mol: Array.from(st.lithium_particles_mol),
        lithium_lost_mol: Array.from(st.lithium_lost_mol),
      };
    }
    return out;
  }

  /** Jupyter display: summary, step table and the voltage plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const rows = this.steps as unknown as Record<string, unknown>[];
    return {
      "text/plain": this.toString(),
      "text/html":
        `<p>${escapeHtml(this.describe())}</p>${htmlTable(rows, STEP_COLUMNS, { maxRows: 40 })}` +
        this.notes.map((n) => `<p><em>${escapeHtml(n)}</em></p>`).join(""),
      "application/vnd.vegalite.v5+json": this.plotSpec(),
    };
  }
}
