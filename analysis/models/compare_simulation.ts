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
import { concatCharts, layeredChart, type VegaLiteSpec } from "../_vega.ts";
import { summarizeCycles } from "../cycles.ts";
import { halfCycles } from "../half_cycles.ts";
import { voltageCapacity } from "../voltage_capacity.ts";
import type { Simulation } from "./simulation.ts";
import { interpolateClamped, rowsNearTimes } from "./_interpolate.ts";

/** Options of {@link compareSimulation}. */
export interface CompareSimulationOptions {
  /**
   * Common axis of the voltage comparison: `"time"` (the measured rows nearest to evenly
   * spaced times over the time both cover, with the simulation interpolated at their times) or
   * `"capacity"` (charge passed within each matching charge and discharge half cycle, both
   * interpolated onto evenly spaced capacities).
   * @default {"time"}
   */
  axis?: "time" | "capacity";
  /** Points of the common axis (per half cycle on the capacity axis). @default {400} */
  points?: number;
}

/** Per-cycle capacities, measured and simulated. */
export interface CycleCapacityError {
  /** Cycle number (1-based, in the order both series run them). */
  cycle: number;
  /** Measured discharge capacity, A h. */
  measured_discharge_Ah: number;
  /** Simulated discharge capacity, A h. */
  simulated_discharge_Ah: number;
  /** (simulated − measured) / measured × 100, or null when nothing was measured. */
  discharge_error_percent: number | null;
  /** Measured charge capacity, A h. */
  measured_charge_Ah: number;
  /** Simulated charge capacity, A h. */
  simulated_charge_Ah: number;
  /** (simulated − measured) / measured × 100, or null when nothing was measured. */
  charge_error_percent: number | null;
}

/** One point of the voltage overlay. */
export interface OverlayPoint {
  /** Position on the common axis (s or A h). */
  x: number;
  /** Cycle of the point (capacity axis), else 0. */
  cycle: number;
  /** Half cycle (capacity axis), else "". */
  half: "" | "charge" | "discharge";
  /** Measured voltage, V. */
  measured_V: number;
  /** Simulated voltage, V. */
  simulated_V: number;
}

/**
 * Measured test against a simulation: capacities per cycle, voltage on a common axis.
 *
 * @example
 * ```ts
 * import { compareSimulation, simulate } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 *
 * const sim = simulate({ model: "spm", parameters: "Chen2020" });
 * const comparison = compareSimulation(sim.series, sim); // a SimulationComparison
 * equal(comparison.rmse_V, 0);
 * equal(comparison.axis, "time");
 * ```
 */
export class SimulationComparison {
  /** The common axis. */
  readonly axis: "time" | "capacity";
  /** Per-cycle capacities (cycles both series have). */
  readonly cycles: readonly CycleCapacityError[];
  /** Voltage points on the common axis. */
  readonly points: readonly OverlayPoint[];
  /** Root-mean-square voltage difference, V. */
  readonly rmse_V: number;
  /** Mean absolute voltage difference, V. */
  readonly mae_V: number;
  /** Largest absolute voltage difference, V. */
  readonly max_abs_V: number;

  /**
   * Wrap a computed comparison (made by `compareSimulation`).
   *
   * @param data The computed comparison.
   */
  constructor(data: {
    axis: "time" | "capacity";
    cycles: CycleCapacityError[];
    points: OverlayPoint[];
  }) {
    this.axis = data.axis;
    this.cycles = data.cycles;
    this.points = data.points;
    let se = 0, ae = 0, max = 0;
    for (const p of data.points) {
      const e = p.simulated_V - p.measured_V;
      se += e * e;
      ae += Math.abs(e);
      max = Math.max(max, Math.abs(e));
    }
    const n = data.points.length;
    this.rmse_V = n ? Math.sqrt(se / n) : NaN;
    this.mae_V = n ? ae / n : NaN;
    this.max_abs_V = n ? max : NaN;
  }

  /** One line with the voltage errors. */
  describe(): string {
    return `Simulation vs test on the ${this.axis} axis (${this.points.length} points): voltage ` +
      `RMSE ${(this.rmse_V * 1e3).toFixed(2)} mV, MAE ${(this.mae_V * 1e3).toFixed(2)} mV, ` +
      `max ${(this.max_abs_V * 1e3).toFixed(2)} mV; ${this.cycles.length} cycle(s) compared`;
  }

  /** Text summary and capacity table. */
  toString(): string {
    return `${this.describe()}\n${textTable(this.rows(), CAPACITY_COLUMNS, { maxRows: 40 })}`;
  }

  /** The capacity table's rows. */
  private rows(): Record<string, unknown>[] {
    return this.cycles as unknown as Record<string, unknown>[];
  }

  /**
   * Measured and simulated voltage on the common axis, with the difference below (Vega-Lite).
   *
   * @param options Size.
   * @returns The spec.
   */
  overlaySpec(options: { width?: number; height?: number } = {}): VegaLiteSpec {
    const xTitle = this.axis === "time" ? "Time (h)" : "Capacity (Ah)";
    const scale = this.axis === "time" ? 1 / 3600 : 1;
    const long = this.points.flatMap((p, i) => [
      {
        x: p.x * scale,
        voltage_V: p.measured_V,
        source: "measured",
        series: `m${p.cycle}${p.half}`,
        i,
      },
      {
        x: p.x * scale,
        voltage_V: p.simulated_V,
        source: "simulated",
        series: `s${p.cycle}${p.half}`,
        i,
      },
    ]);
    const diff = this.points.map((p, i) => ({
      x: p.x * scale,
      difference_mV: (p.simulated_V - p.measured_V) * 1e3,
      series: `${p.cycle}${p.half}`,
      i,
    }));
    const width = options.width ?? 560, height = options.height ?? 260;
    return concatCharts([
      layeredChart([{
        mark: "line",
        rows: long,
        x: { field: "x", title: xTitle },
        y: { field: "voltage_V", title: "Voltage (V)" },
        color: { field: "source", type: "nominal", title: "" },
        detail: { field: "series" },
        order: { field: "i" },
      }], { width, height }),
      layeredChart([{
        mark: "line",
        rows: diff,
        x: { field: "x", title: xTitle },
        y: { field: "difference_mV", title: "Simulated − measured (mV)" },
        detail: { field: "series" },
        order: { field: "i" },
      }], { width, height: Math.round(height / 2) }),
    ], { title: this.describe() });
  }

  /** Plain data for JSON. */
  toJSON(): Record<string, unknown> {
    return {
      axis: this.axis,
      rmse_V: this.rmse_V,
      mae_V: this.mae_V,
      max_abs_V: this.max_abs_V,
      cycles: this.cycles,
      points: this.points,
    };
  }

  /** Jupyter display: summary, per-cycle capacity errors and the overlay plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "text/plain": this.toString(),
      "text/html": `<p>${this.describe()}</p>${
        htmlTable(this.rows(), CAPACITY_COLUMNS, { maxRows: 40 })
      }`,
      "application/vnd.vegalite.v5+json": this.overlaySpec(),
    };
  }
}

const CAPACITY_COLUMNS: TableColumn[] = [
  { key: "cycle" },
  { key: "measured_discharge_Ah", label: "Q dis meas (Ah)" },
  { key: "simulated_discharge_Ah", label: "Q dis sim (Ah)" },
  { key: "discharge_error_percent", label: "error (%)" },
  { key: "measured_charge_Ah", label: "Q ch meas (Ah)" },
  { key: "simulated_charge_Ah", label: "Q ch sim (Ah)" },
  { key: "charge_error_percent", label: "error (%)" },
];

/**
 * Compare a measured test with a simulation: per-cycle discharge and charge capacity errors
 * (cycles from `summarizeCycles` on both, paired in order), and the voltage on a common time
 * or capacity axis (RMSE, MAE, maximum), with an overlay plot.
 *
 * @param test The measured series (current positive on charge).
 * @param simulation A simulation (or its series).
 * @param options Axis and number of points.
 * @returns The comparison.
 * @throws {RangeError} When the series do not overlap on the chosen axis.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { compareSimulation, simulate } from "./mod.ts";
 * const sim = simulate({ model: "spm", parameters: "Chen2020" });
 * const self = compareSimulation(sim.series, sim);
 * ok(self.rmse_V === 0 && self.cycles.length === 1);
 * ```
 */
export function compareSimulation(
  test: CyclingSeries,
  simulation: Simulation | CyclingSeries,
  options: CompareSimulationOptions = {},
): SimulationComparison {
  const sim = "series" in simulation ? simulation.series : simulation;
  const axis = options.axis ?? "time";
  const points = options.points ?? 400;
  if (!(Number.isInteger(points) && points >= 2)) {
    throw new RangeError(`points must be an integer ≥ 2, got ${points}`);
  }
  const measuredCycles = summarizeCycles(test).cycles;
  const simulatedCycles = summarizeCycles(sim).cycles;
  const cycles: CycleCapacityError[] = [];
  const pct = (s: number, m: number) => (m > 0 ? (s - m) / m * 100 : null);
  for (let k = 0; k < Math.min(measuredCycles.length, simulatedCycles.length); k++) {
    const m = measuredCycles[k], s = simulatedCycles[k];
    cycles.push({
      cycle: k + 1,
      measured_discharge_Ah: m.discharge_capacity_Ah,
      simulated_discharge_Ah: s.discharge_capacity_Ah,
      discharge_error_percent: pct(s.discharge_capacity_Ah, m.discharge_capacity_Ah),
      measured_charge_Ah: m.charge_capacity_Ah,
      simulated_charge_Ah: s.charge_capacity_Ah,
      charge_error_percent: pct(s.charge_capacity_Ah, m.charge_capacity_Ah),
    });
  }
  const overlay: OverlayPoint[] = [];
  if (axis === "time") {
    const t0 = Math.max(test.time_s[0], sim.time_s[0]);
    const t1 = Math.min(test.time_s[test.length - 1], sim.time_s[sim.length - 1]);
    if (!(t1 > t0)) throw new RangeError("The test and the simulation do not overlap in time");
    // Measured rows as they are (never interpolated); the simulation at their times.
    for (const r of rowsNearTimes(test.time_s, t0, t1, points)) {
      overlay.push({
        x: test.time_s[r],
        cycle: 0,
        half: "",
        measured_V: test.voltage_V[r],
        simulated_V: interpolateClamped(sim.time_s, sim.voltage_V, test.time_s[r]),
      });
    }
  } else {
    const mh = halfCycles(test), sh = halfCycles(sim);
    for (const dir of ["discharge", "charge"] as const) {
      const ms = mh.filter((h) => h.direction === dir), ss = sh.filter((h) => h.direction === dir);
      for (let k = 0; k < Math.min(ms.length, ss.length); k++) {
        const a = voltageCapacity({ series: test, ...ms[k], direction: dir });
        const b = voltageCapacity({ series: sim, ...ss[k], direction: dir });
        if (a.capacity_Ah.length < 2 || b.capacity_Ah.length < 2) continue;
        const qMax = Math.min(
          a.capacity_Ah[a.capacity_Ah.length - 1],
          b.capacity_Ah[b.capacity_Ah.length - 1],
        );
        if (!(qMax > 0)) continue;
        for (let j = 0; j < points; j++) {
          const q = qMax * j / (points - 1);
          overlay.push({
            x: q,
            cycle: ms[k].cycle,
            half: dir,
            measured_V: interpolateClamped(a.capacity_Ah, a.voltage_V, q),
            simulated_V: interpolateClamped(b.capacity_Ah, b.voltage_V, q),
          });
        }
      }
    }
    if (overlay.length === 0) {
      throw new RangeError("The test and the simulation share no charge or discharge half cycle");
    }
  }
  return new SimulationComparison({ axis, cycles, points: overlay });
}
