// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import {
  halfCycleBlocks,
  type HalfCycleDirection,
  type HalfCycleRows,
  scanHalfCycle,
} from "./_half_cycle_data.ts";
import { differentiateKnots } from "./_differentiate.ts";
import { findPeaks, type FindPeaksOptions } from "./find_peaks.ts";
import { JUPYTER_DISPLAY, type MimeBundle, summaryTableBundle } from "./_display.ts";
import { layeredChart } from "./_vega.ts";
import { downsample } from "./downsample.ts";

/** Options of {@link dvdq}. */
export interface DvdqOptions {
  /** Smoothing method, as for `dqdv` but along capacity. @default {"gaussian"} */
  method?: "gaussian" | "savgol" | "spline";
  /**
   * Width of capacity over which voltage is averaged first (see `dqdv`), Ah; default 0.2 % of
   * the half-cycle capacity (0 for the spline).
   */
  presmooth_Ah?: number;
  /**
   * Capacity grid step, Ah; default the half-cycle capacity / 1000 rounded down to 1, 2 or 5 × a
   * power of ten (so cycles of similar capacity share their grid).
   */
  grid_step_Ah?: number;
  /** FWHM of the Gaussian smoothing, Ah; default 1 % of the half-cycle capacity. */
  fwhm_Ah?: number;
  /** Savitzky–Golay window, Ah; default 4 % of the half-cycle capacity. */
  savgol_window_Ah?: number;
  /** Savitzky–Golay polynomial order. @default {2} */
  savgol_order?: number;
  /** Relative smoothing weight of the spline, or `"gcv"`. @default {"gcv"} */
  spline_lambda?: number | "gcv";
  /** Spline knot spacing, Ah; default 0.5 % of the half-cycle capacity. */
  spline_knot_spacing_Ah?: number;
  /** Direction, instead of detecting it. */
  direction?: HalfCycleDirection;
  /** Rows with |current| at or below this are rests; default 0.1 % of the median |current|. */
  rest_current_A?: number;
  /** Peak search options, or `false`. @default {{min_prominence_fraction: 0.05}} */
  peaks?: FindPeaksOptions | false;
}

/** A peak of a dV/dQ curve. */
export interface DvdqPeak {
  /** Capacity passed at the peak, Ah. */
  position_Ah: number;
  /** dV/dQ at the peak, V/Ah (negative for discharge). */
  height_V_per_Ah: number;
  /** Prominence, V/Ah. */
  prominence_V_per_Ah: number;
  /** Voltage change over the peak's share of the curve, V (positive). */
  area_V: number;
  /** Full width at half height, Ah, or `null`. */
  fwhm_Ah: number | null;
  /** Width at half prominence, Ah. */
  width_Ah: number;
}

/**
 * dV/dQ of one half cycle on a uniform grid of capacity passed (0 at the start of the half
 * cycle). Positive for a charge, negative for a discharge. Peaks of dV/dQ mark the transitions
 * between voltage plateaus; a constant-voltage hold is simply a flat zero stretch at the end.
 *
 * @example
 * ```ts
 * import { dvdq } from "./dvdq.ts";
 * import { ok } from "node:assert/strict";
 *
 * // A linear charge V = 3 + 0.5·Q over 1 Ah has dV/dQ = 0.5 V/Ah everywhere.
 * const n = 1001;
 * const charge_capacity_Ah = Float64Array.from({ length: n }, (_, i) => i / 1000);
 * const series = {
 *   length: n, charge_capacity_Ah, voltage_V: charge_capacity_Ah.map((q) => 3 + 0.5 * q),
 *   time_s: charge_capacity_Ah.map((q) => q * 3600), current_A: new Float64Array(n).fill(1),
 *   discharge_capacity_Ah: new Float64Array(n), charge_energy_Wh: new Float64Array(n),
 *   discharge_energy_Wh: new Float64Array(n), step_index: new Int32Array(n),
 *   cycle_index: new Int32Array(n), extras: {}, start_time: null, columns: {},
 * };
 * const curve = dvdq({ series, start_row: 0, end_row: n }); // a DvdqCurve
 * ok(Math.abs(curve.voltage_change_V - 0.5) < 1e-9);
 * ```
 */
export class DvdqCurve {
  /** Cycle number from the input, or `null`. */
  readonly cycle: number | null;
  /** Direction. */
  readonly direction: HalfCycleDirection;
  /** Grid of capacity passed (cell centres), Ah. */
  readonly capacity_Ah: Float64Array;
  /** dV/dQ at each grid point, V/Ah. */
  readonly dvdq_V_per_Ah: Float64Array;
  /** Voltage change across the curve, Σ dV/dQ ΔQ, V. */
  readonly voltage_change_V: number;
  /** Capacity passed over the row range, Ah. */
  readonly total_capacity_Ah: number;
  /** Peaks, by increasing capacity. */
  readonly peaks: DvdqPeak[];
  /** Repairs and oddities noticed. */
  readonly warnings: string[];

  /** Built by {@link dvdq}. */
  constructor(fields: Omit<DvdqCurve, typeof JUPYTER_DISPLAY>) {
    this.cycle = fields.cycle;
    this.direction = fields.direction;
    this.capacity_Ah = fields.capacity_Ah;
    this.dvdq_V_per_Ah = fields.dvdq_V_per_Ah;
    this.voltage_change_V = fields.voltage_change_V;
    this.total_capacity_Ah = fields.total_capacity_Ah;
    this.peaks = fields.peaks;
    this.warnings = fields.warnings;
  }

  /** Jupyter MIME bundle: peak table and a Vega-Lite plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const columns = [
      { key: "position_Ah", label: "Q (Ah)" },
      { key: "height_V_per_Ah", label: "dV/dQ (V/Ah)" },
      { key: "prominence_V_per_Ah", label: "prominence (V/Ah)" },
      { key: "fwhm_Ah", label: "FWHM (Ah)" },
    ];
    const summary = `dV/dQ of the ${this.direction}${
      this.cycle === null ? "" : ` of cycle ${this.cycle}`
    }: ${this.peaks.length} peak(s)`;
    const rows = this.peaks as unknown as Record<string, unknown>[];
    const x = { field: "capacity_Ah", title: "Capacity (Ah)" };
    const y = { field: "dvdq_V_per_Ah", title: "dV/dQ (V/Ah)" };
    const line = Array.from(
      downsample(this.capacity_Ah, this.dvdq_V_per_Ah, 2000),
      (i) => ({ capacity_Ah: this.capacity_Ah[i], dvdq_V_per_Ah: this.dvdq_V_per_Ah[i] }),
    );
    const marks = this.peaks.map((p) => ({
      capacity_Ah: p.position_Ah,
      dvdq_V_per_Ah: p.height_V_per_Ah,
    }));
    return summaryTableBundle(
      summary,
      rows,
      columns,
      layeredChart([
        { mark: "line", rows: line, x, y },
        { mark: "point", rows: marks, x, y, markProps: { filled: true, color: "black" } },
      ], { title: "Differential voltage" }),
    );
  }
}

/** Largest 1, 2 or 5 × 10^k not above x. */
function niceFloor(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

/**
 * Differential voltage dV/dQ of one half cycle. Voltage is made monotonic in row order by
 * isotonic regression (as in `dqdv`), one knot per level at its mean capacity, then interpolated
 * linearly onto a uniform capacity grid, differentiated and smoothed. With the Gaussian the
 * integral Σ dV/dQ ΔQ equals the voltage change between the first and last knot exactly.
 *
 * @param input The half cycle's rows.
 * @param options Grid, smoothing and peaks; see {@link DvdqOptions}.
 * @returns The curve and its peaks.
 *
 * @example
 * ```ts
 * import { dvdq } from "./dvdq.ts";
 * import { ok } from "node:assert/strict";
 *
 * // A linear charge V = 3 + 0.5·Q over 1 Ah has dV/dQ = 0.5 V/Ah everywhere.
 * const n = 1001;
 * const charge_capacity_Ah = Float64Array.from({ length: n }, (_, i) => i / 1000);
 * const series = {
 *   length: n, charge_capacity_Ah, voltage_V: charge_capacity_Ah.map((q) => 3 + 0.5 * q),
 *   time_s: charge_capacity_Ah.map((q) => q * 3600), current_A: new Float64Array(n).fill(1),
 *   discharge_capacity_Ah: new Float64Array(n), charge_energy_Wh: new Float64Array(n),
 *   discharge_energy_Wh: new Float64Array(n), step_index: new Int32Array(n),
 *   cycle_index: new Int32Array(n), extras: {}, start_time: null, columns: {},
 * };
 * const curve = dvdq({ series, start_row: 0, end_row: n });
 * ok(Math.abs(curve.dvdq_V_per_Ah[500] - 0.5) < 1e-9);
 * ok(Math.abs(curve.voltage_change_V - 0.5) < 1e-9);
 * ```
 */
export function dvdq(input: HalfCycleRows, options: DvdqOptions = {}): DvdqCurve {
  const data = scanHalfCycle(input, "dV/dQ", {
    direction: options.direction,
    rest_current_A: options.rest_current_A,
  });
  const total = data.total_capacity_Ah;
  const method = options.method ?? "gaussian";
  if (method !== "gaussian" && method !== "savgol" && method !== "spline") {
    throw new RangeError(
      `Cannot compute dV/dQ: method must be "gaussian", "savgol" or "spline", got ${
        String(method)
      }`,
    );
  }
  const step = options.grid_step_Ah ?? niceFloor(total / 1000);
  const fwhm = options.fwhm_Ah ?? 0.01 * total;
  const settings = {
    method,
    step,
    fwhm,
    savgolWindow: options.savgol_window_Ah ?? 0.04 * total,
    savgolOrder: options.savgol_order ?? 2,
    knotSpacing: options.spline_knot_spacing_Ah ?? 0.005 * total,
    lambda: options.spline_lambda ?? "gcv",
    unit: "capacity (Ah)",
  } as const;
  for (
    const [name, value] of [
      ["grid_step_Ah", step],
      ["savgol_window_Ah", settings.savgolWindow],
      ["spline_knot_spacing_Ah", settings.knotSpacing],
    ] as const
  ) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`Cannot compute dV/dQ: ${name} must be a positive number, got ${value}`);
    }
  }
  if (!(fwhm >= 0) || !Number.isFinite(fwhm)) {
    throw new RangeError(`Cannot compute dV/dQ: fwhm_Ah must be ≥ 0, got ${fwhm}`);
  }
  const presmooth = options.presmooth_Ah ?? (method === "spline" ? 0 : 0.002 * total);
  if (!(presmooth >= 0) || !Number.isFinite(presmooth)) {
    throw new RangeError(`Cannot compute dV/dQ: presmooth_Ah must be ≥ 0, got ${presmooth}`);
  }
  const blocks = halfCycleBlocks(data, presmooth);
  // Knots (mean capacity, level); blocks sharing a capacity (a voltage jump at constant capacity,
  // such as the IR step at a current change) merge into one knot at their mean voltage.
  const kx = new Float64Array(blocks.count);
  const ky = new Float64Array(blocks.count);
  const kw = new Float64Array(blocks.count);
  let k = -1;
  for (let b = 0; b < blocks.count; b++) {
    const q = blocks.mean_Ah[b], v = blocks.level_V[b], w = blocks.weight[b];
    if (k >= 0 && !(q > kx[k])) {
      ky[k] = (ky[k] * kw[k] + v * w) / (kw[k] + w);
      kw[k] += w;
    } else {
      k++;
      kx[k] = q;
      ky[k] = v;
      kw[k] = w;
    }
  }
  if (k < 1) {
    throw new RangeError(
      `Cannot compute dV/dQ: rows ${input.start_row}..${input.end_row} give fewer than two ` +
        `distinct capacities`,
    );
  }
  let curve;
  try {
    curve = differentiateKnots(
      kx.subarray(0, k + 1),
      ky.subarray(0, k + 1),
      kw.subarray(0, k + 1),
      settings,
    );
  } catch (e) {
    throw new RangeError(
      `Cannot compute dV/dQ of rows ${input.start_row}..${input.end_row}: ${(e as Error).message}`,
    );
  }
  const sign = data.direction === "charge" ? 1 : -1;
  let peaks: DvdqPeak[] = [];
  if (options.peaks !== false) {
    const y = sign === 1 ? curve.d : curve.d.map((value) => -value);
    peaks = findPeaks(curve.x, y, options.peaks ?? {}).map((p) => ({
      position_Ah: p.position,
      height_V_per_Ah: sign * p.height,
      prominence_V_per_Ah: p.prominence,
      area_V: p.area,
      fwhm_Ah: p.fwhm,
      width_Ah: p.width,
    }));
  }
  return new DvdqCurve({
    cycle: data.cycle,
    direction: data.direction,
    capacity_Ah: curve.x,
    dvdq_V_per_Ah: curve.d,
    voltage_change_V: curve.integral,
    total_capacity_Ah: total,
    peaks,
    warnings: data.warnings,
  });
}
