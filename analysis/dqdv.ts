// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import {
  capacityKnots,
  halfCycleBlocks,
  type HalfCycleDirection,
  type HalfCycleRows,
  scanHalfCycle,
} from "./_half_cycle_data.ts";
import { differentiateKnots } from "./_differentiate.ts";
import { findPeaks, type FindPeaksOptions } from "./find_peaks.ts";
import { JUPYTER_DISPLAY, type MimeBundle, summaryTableBundle } from "./_display.ts";
import { dqdvSpec } from "./dqdv_spec.ts";

export type { HalfCycleDirection, HalfCycleRows } from "./_half_cycle_data.ts";

/** How dQ/dV is computed from the monotonic capacity–voltage knots. */
export type DqdvMethod = "gaussian" | "savgol" | "spline";

/** Options of {@link dqdv}. Every default works on all the project's fixtures. */
export interface DqdvOptions {
  /**
   * `"gaussian"`: capacity interpolated linearly onto the voltage grid, differentiated cell by
   * cell, then smoothed with an area-conserving Gaussian of FWHM `fwhm_V`.
   * `"savgol"`: the same cell derivative smoothed by a Savitzky–Golay filter of `savgol_window_V`.
   * `"spline"`: a penalized cubic regression spline Q(V) (P-spline) fitted to the knots, smoothing
   * chosen by generalized cross-validation unless `spline_lambda` is given; dQ/dV is its exact
   * derivative averaged over each grid cell.
   * @default {"gaussian"}
   */
  method?: DqdvMethod;
  /**
   * Width of capacity over which voltage is averaged before anything else (twice, a triangular
   * kernel), Ah; 0 turns it off. Removes voltage noise and quantization steps where rows are
   * dense, with little blurring in voltage; default 0.2 % of the half-cycle capacity (0 for the
   * spline, whose cross-validation needs independent residuals).
   */
  presmooth_Ah?: number;
  /** Voltage grid step, V. Grid points are odd multiples of half the step. @default {0.001} */
  grid_step_V?: number;
  /** Full width at half maximum of the Gaussian smoothing, V (0 = none). @default {0.01} */
  fwhm_V?: number;
  /** Savitzky–Golay window length, V (rounded to an odd number of grid cells). @default {0.04} */
  savgol_window_V?: number;
  /** Savitzky–Golay polynomial order. @default {2} */
  savgol_order?: number;
  /** Relative smoothing weight of the spline, or `"gcv"` to choose it. @default {"gcv"} */
  spline_lambda?: number | "gcv";
  /** Knot spacing of the spline, V. @default {0.005} */
  spline_knot_spacing_V?: number;
  /**
   * Capacity passed while the voltage sits at its first or last level (a constant-voltage hold,
   * the start of a step): `"exclude"` leaves it out of the curve (it would be a spike at the
   * voltage limit) and reports it as `terminal_capacity_Ah`; `"include"` puts it into the end
   * cells so the area equals the whole half-cycle capacity.
   * @default {"exclude"}
   */
  terminal?: "exclude" | "include";
  /**
   * Voltage levels within this many volts of the first (last) level belong to the start
   * (terminal) hold, so the control noise of a constant-voltage step does not make spikes.
   * @default {0.001}
   */
  terminal_tolerance_V?: number;
  /** Direction, instead of detecting it from the capacity counters. */
  direction?: HalfCycleDirection;
  /** Rows with |current| at or below this are rests; default 0.1 % of the median |current|. */
  rest_current_A?: number;
  /** Peak search options, or `false` for no peak search. @default {{min_prominence_fraction: 0.05}} */
  peaks?: FindPeaksOptions | false;
}

/** A peak of a dQ/dV curve. */
export interface DqdvPeak {
  /** Voltage of the peak, V. */
  position_V: number;
  /** dQ/dV at the peak, Ah/V (negative for discharge). */
  height_Ah_per_V: number;
  /** Prominence, Ah/V (positive). */
  prominence_Ah_per_V: number;
  /** Capacity under the peak's share of the curve, Ah (positive; see `findPeaks`). */
  area_Ah: number;
  /** Full width at half height, V, or `null` when not resolved. */
  fwhm_V: number | null;
  /** Width at half prominence, V. */
  width_V: number;
  /** Lower voltage bound of the peak's share of the curve, V. */
  left_V: number;
  /** Upper voltage bound of the peak's share, V. */
  right_V: number;
}

/** The options after defaults were applied, recorded with a result. */
export type ResolvedDqdvOptions = Required<Omit<DqdvOptions, "direction" | "rest_current_A">> & {
  rest_current_A: number;
};

/**
 * dQ/dV of one half cycle on a uniform voltage grid. For a charge dQ/dV is positive; for a
 * discharge it is negative (capacity passed grows as voltage falls). Implements the Jupyter
 * display protocol (table of peaks and a Vega-Lite plot).
 *
 * @example A curve and its Jupyter display
 * ```ts
 * import { dqdv } from "./dqdv.ts";
 * import { JUPYTER_DISPLAY } from "./mod.ts";
 * import { ok } from "node:assert/strict";
 *
 * // Q(V) = 1 Ah / (1 + exp(-(V - 3.4) / 0.02)), charged at 1 A, one row per mV from 3.0 to 3.8 V.
 * const n = 801;
 * const voltage_V = Float64Array.from({ length: n }, (_, i) => 3 + i / 1000);
 * const charge_capacity_Ah = voltage_V.map((v) => 1 / (1 + Math.exp(-(v - 3.4) / 0.02)));
 * const series = {
 *   length: n, voltage_V, charge_capacity_Ah,
 *   time_s: charge_capacity_Ah.map((q) => q * 3600),
 *   current_A: new Float64Array(n).fill(1),
 *   discharge_capacity_Ah: new Float64Array(n),
 *   charge_energy_Wh: new Float64Array(n), discharge_energy_Wh: new Float64Array(n),
 *   step_index: new Int32Array(n), cycle_index: new Int32Array(n),
 *   extras: {}, start_time: null, columns: {},
 * };
 * const curve = dqdv({ series, start_row: 0, end_row: n }); // a DqdvCurve
 * ok(Math.abs(curve.peaks[0].position_V - 3.4) < 0.001);
 * ok("application/vnd.vegalite.v5+json" in curve[JUPYTER_DISPLAY]());
 * ```
 */
export class DqdvCurve {
  /** Cycle number from the input, or `null`. */
  readonly cycle: number | null;
  /** Half-cycle direction. */
  readonly direction: HalfCycleDirection;
  /** Method used. */
  readonly method: DqdvMethod;
  /** Grid voltages (cell centres, ascending), V. */
  readonly voltage_V: Float64Array;
  /** dQ/dV at each grid voltage, Ah/V. */
  readonly dqdv_Ah_per_V: Float64Array;
  /** Capacity passed over the row range, from the instrument's counter, Ah. */
  readonly capacity_Ah: number;
  /** Area under the curve, Σ |dQ/dV| ΔV, Ah. */
  readonly area_Ah: number;
  /** Capacity passed at the first and last voltage level (left out with `terminal: "exclude"`). */
  readonly terminal_capacity_Ah: number;
  /** Peaks, by increasing voltage. */
  readonly peaks: DqdvPeak[];
  /** First and one-past-last row of the input range. */
  readonly rows: { start_row: number; end_row: number; used: number; dropped: number };
  /** Options in force. */
  readonly options: ResolvedDqdvOptions;
  /** Repairs and oddities noticed. */
  readonly warnings: string[];

  /** Built by {@link dqdv}. */
  constructor(fields: Omit<DqdvCurve, typeof JUPYTER_DISPLAY | "toRows">) {
    this.cycle = fields.cycle;
    this.direction = fields.direction;
    this.method = fields.method;
    this.voltage_V = fields.voltage_V;
    this.dqdv_Ah_per_V = fields.dqdv_Ah_per_V;
    this.capacity_Ah = fields.capacity_Ah;
    this.area_Ah = fields.area_Ah;
    this.terminal_capacity_Ah = fields.terminal_capacity_Ah;
    this.peaks = fields.peaks;
    this.rows = fields.rows;
    this.options = fields.options;
    this.warnings = fields.warnings;
  }

  /** The curve as rows `{voltage_V, dqdv_Ah_per_V}`. */
  toRows(): { voltage_V: number; dqdv_Ah_per_V: number }[] {
    return Array.from(
      this.voltage_V,
      (v, i) => ({ voltage_V: v, dqdv_Ah_per_V: this.dqdv_Ah_per_V[i] }),
    );
  }

  /** Jupyter MIME bundle: peak table (HTML and text) and a Vega-Lite plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const columns = [
      { key: "position_V", label: "V (V)" },
      { key: "height_Ah_per_V", label: "dQ/dV (Ah/V)" },
      { key: "prominence_Ah_per_V", label: "prominence (Ah/V)" },
      { key: "area_Ah", label: "area (Ah)" },
      { key: "fwhm_V", label: "FWHM (V)" },
    ];
    const label = `${this.direction}${this.cycle === null ? "" : ` of cycle ${this.cycle}`}`;
    const summary = `dQ/dV (${this.method}) of the ${label}: capacity ${
      this.capacity_Ah.toPrecision(5)
    } Ah, area ${this.area_Ah.toPrecision(5)} Ah, ${this.peaks.length} peak(s)`;
    const rows = this.peaks as unknown as Record<string, unknown>[];
    return summaryTableBundle(summary, rows, columns, dqdvSpec([this]));
  }
}

/**
 * Differential capacity dQ/dV of one half cycle (rows `[start_row, end_row)` of a series).
 *
 * Steps: keep the rows whose current flows in the half cycle's direction (rests and
 * opposite-sign rows are dropped); take the capacity passed from the direction's counter (a drop
 * is a counter reset); make voltage monotonic in row order by isotonic regression (pool adjacent
 * violators), which merges quantized flat runs into one level each and averages out reversals
 * (relaxation after a current step, noise); place one knot per level at the level's mean
 * capacity; interpolate capacity onto a uniform voltage grid; differentiate and smooth (see
 * {@link DqdvOptions.method}). With the default Gaussian the area under the curve equals the
 * capacity between the first and last voltage level exactly.
 *
 * @param input The half cycle's rows; `direction` and `cycle` are optional.
 * @param options Method, grid and smoothing; see {@link DqdvOptions}.
 * @returns The curve with its peaks.
 * @throws {RangeError} When the rows hold no charge, both directions, or a constant voltage.
 *
 * @example A synthetic charge with one plateau at 3.4 V
 * ```ts
 * import { dqdv } from "./dqdv.ts";
 * import { ok } from "node:assert/strict";
 *
 * // Q(V) = 1 Ah / (1 + exp(-(V - 3.4) / 0.02)), charged at 1 A, one row per mV from 3.0 to 3.8 V.
 * const n = 801;
 * const voltage_V = Float64Array.from({ length: n }, (_, i) => 3 + i / 1000);
 * const charge_capacity_Ah = voltage_V.map((v) => 1 / (1 + Math.exp(-(v - 3.4) / 0.02)));
 * const series = {
 *   length: n, voltage_V, charge_capacity_Ah,
 *   time_s: charge_capacity_Ah.map((q) => q * 3600),
 *   current_A: new Float64Array(n).fill(1),
 *   discharge_capacity_Ah: new Float64Array(n),
 *   charge_energy_Wh: new Float64Array(n), discharge_energy_Wh: new Float64Array(n),
 *   step_index: new Int32Array(n), cycle_index: new Int32Array(n),
 *   extras: {}, start_time: null, columns: {},
 * };
 * const curve = dqdv({ series, start_row: 0, end_row: n });
 * ok(Math.abs(curve.peaks[0].position_V - 3.4) < 0.001);
 * ok(Math.abs(curve.area_Ah + curve.terminal_capacity_Ah - curve.capacity_Ah) < 1e-9);
 * ```
 */
export function dqdv(input: HalfCycleRows, options: DqdvOptions = {}): DqdvCurve {
  const what = "dQ/dV";
  const method = options.method ?? "gaussian";
  if (method !== "gaussian" && method !== "savgol" && method !== "spline") {
    throw new RangeError(
      `Cannot compute dQ/dV: method must be "gaussian", "savgol" or "spline", got ${
        String(method)
      }`,
    );
  }
  const step = options.grid_step_V ?? 0.001;
  const fwhm = options.fwhm_V ?? 0.01;
  const sgWindow = options.savgol_window_V ?? 0.04;
  const sgOrder = options.savgol_order ?? 2;
  const knotSpacing = options.spline_knot_spacing_V ?? 0.005;
  const lambda = options.spline_lambda ?? "gcv";
  const terminal = options.terminal ?? "exclude";
  const terminalTolerance = options.terminal_tolerance_V ?? 0.001;
  positive(step, "grid_step_V");
  nonNegative(fwhm, "fwhm_V");
  nonNegative(terminalTolerance, "terminal_tolerance_V");
  positive(sgWindow, "savgol_window_V");
  positive(knotSpacing, "spline_knot_spacing_V");
  if (!Number.isInteger(sgOrder) || sgOrder < 0 || sgOrder > 6) {
    throw new RangeError(
      `Cannot compute dQ/dV: savgol_order must be an integer 0..6, got ${sgOrder}`,
    );
  }
  if (terminal !== "exclude" && terminal !== "include") {
    throw new RangeError(
      `Cannot compute dQ/dV: terminal must be "exclude" or "include", got ${String(terminal)}`,
    );
  }

  const data = scanHalfCycle(input, what, {
    direction: options.direction,
    rest_current_A: options.rest_current_A,
  });
  // The spline's GCV assumes independent residuals, which averaging would correlate.
  const presmooth = options.presmooth_Ah ??
    (method === "spline" ? 0 : 0.002 * data.total_capacity_Ah);
  nonNegative(presmooth, "presmooth_Ah");
  const blocks = halfCycleBlocks(data, presmooth);
  if (blocks.count < 2) {
    throw new RangeError(
      `Cannot compute dQ/dV: the voltage of rows ${input.start_row}..${input.end_row} does not ` +
        `change in the ${data.direction} direction`,
    );
  }
  let knots;
  try {
    knots = capacityKnots(data, blocks, terminal, terminalTolerance);
  } catch (e) {
    throw new RangeError(
      `Cannot compute dQ/dV of rows ${input.start_row}..${input.end_row}: ${(e as Error).message}`,
    );
  }
  const { voltage_V: kx, capacity_Ah: ky, weight: kw } = knots;
  let curve;
  try {
    curve = differentiateKnots(kx, ky, kw, {
      method,
      step,
      fwhm,
      savgolWindow: sgWindow,
      savgolOrder: sgOrder,
      knotSpacing,
      lambda,
      unit: "voltage (V)",
    });
  } catch (e) {
    throw new RangeError(
      `Cannot compute dQ/dV of rows ${input.start_row}..${input.end_row}: ${(e as Error).message}`,
    );
  }
  const { x: voltage, d } = curve;
  const area = curve.integral;

  const sign = data.direction === "charge" ? 1 : -1;
  let peaks: DqdvPeak[] = [];
  if (options.peaks !== false) {
    const y = sign === 1 ? d : d.map((value) => -value);
    peaks = findPeaks(voltage, y, options.peaks ?? {}).map((p) => ({
      position_V: p.position,
      height_Ah_per_V: sign * p.height,
      prominence_Ah_per_V: p.prominence,
      area_Ah: p.area,
      fwhm_V: p.fwhm,
      width_V: p.width,
      left_V: p.left,
      right_V: p.right,
    }));
  }
  return new DqdvCurve({
    cycle: data.cycle,
    direction: data.direction,
    method,
    voltage_V: voltage,
    dqdv_Ah_per_V: d,
    capacity_Ah: data.total_capacity_Ah,
    area_Ah: sign * area,
    terminal_capacity_Ah: knots.terminal_capacity_Ah,
    peaks,
    rows: {
      start_row: input.start_row,
      end_row: input.end_row,
      used: data.kept_rows,
      dropped: data.dropped_rows,
    },
    options: {
      method,
      grid_step_V: step,
      fwhm_V: fwhm,
      savgol_window_V: sgWindow,
      savgol_order: sgOrder,
      spline_lambda: lambda,
      spline_knot_spacing_V: knotSpacing,
      terminal,
      terminal_tolerance_V: terminalTolerance,
      presmooth_Ah: presmooth,
      rest_current_A: data.rest_current_A,
      peaks: options.peaks ?? {},
    },
    warnings: data.warnings,
  });
}

function positive(value: number, name: string): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`Cannot compute dQ/dV: ${name} must be a positive number, got ${value}`);
  }
}

function nonNegative(value: number, name: string): void {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`Cannot compute dQ/dV: ${name} must be ≥ 0, got ${value}`);
  }
}
