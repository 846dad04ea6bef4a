// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { DqdvCurve } from "./dqdv.ts";
import { cycleColor, layeredChart, type LayerSpec, type VegaLiteSpec } from "./_vega.ts";
import { downsample } from "./downsample.ts";

/** Fewest points a curve is drawn with when `max_points` is shared among many curves. */
const MIN_POINTS_PER_CURVE = 50;

/** Options of {@link dqdvSpec}. */
export interface DqdvSpecOptions {
  /** Chart title. @default {"Differential capacity"} */
  title?: string;
  /** Width in pixels. @default {480} */
  width?: number;
  /** Height in pixels. @default {300} */
  height?: number;
  /** Largest number of points drawn per curve (largest-triangle downsampling). @default {2000} */
  max_points_per_curve?: number;
  /**
   * Largest number of points drawn over all curves: with many half cycles each curve gets
   * `max_points / curves` points (at least 50), so the spec stays
   * near 1 MB of JSON or less (a notebook output, a dashboard payload). @default {10000}
   */
  max_points?: number;
  /** Mark the peaks. @default {true} */
  peaks?: boolean;
}

/**
 * A Vega-Lite spec of dQ/dV curves: one line per half cycle, coloured by cycle number (curves
 * without a cycle number are numbered by their position in the list, from 1), with the peaks
 * marked. Long curves, and many curves, are downsampled so the spec stays small.
 *
 * @param curves Results of `dqdv`.
 * @param options Title, size, downsampling and peak markers.
 * @returns The spec (plain JSON), for Jupyter or vega-embed.
 *
 * @example
 * ```ts
 * import { dqdv, dqdvSpec } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 *
 * const n = 501;
 * const voltage_V = Float64Array.from({ length: n }, (_, i) => 3 + i / 500);
 * const charge_capacity_Ah = voltage_V.map((v) => 1 / (1 + Math.exp(-(v - 3.5) / 0.03)));
 * const series = {
 *   length: n, voltage_V, charge_capacity_Ah, time_s: charge_capacity_Ah.map((q) => q * 3600),
 *   current_A: new Float64Array(n).fill(1), discharge_capacity_Ah: new Float64Array(n),
 *   charge_energy_Wh: new Float64Array(n), discharge_energy_Wh: new Float64Array(n),
 *   step_index: new Int32Array(n), cycle_index: new Int32Array(n),
 *   extras: {}, start_time: null, columns: {},
 * };
 * const spec = dqdvSpec([dqdv({ series, start_row: 0, end_row: n, cycle: 1 })]);
 * equal((spec.layer as unknown[]).length, 2); // curve + peak markers
 * ```
 */
export function dqdvSpec(
  curves: readonly DqdvCurve[],
  options: DqdvSpecOptions = {},
): VegaLiteSpec {
  const total = options.max_points ?? 10_000;
  if (!(total >= MIN_POINTS_PER_CURVE)) {
    throw new RangeError(`dqdvSpec: max_points must be ≥ ${MIN_POINTS_PER_CURVE}, got ${total}`);
  }
  const maxPoints = Math.min(
    options.max_points_per_curve ?? 2000,
    Math.max(MIN_POINTS_PER_CURVE, Math.floor(total / Math.max(1, curves.length))),
  );
  const lines: Record<string, unknown>[] = [];
  const marks: Record<string, unknown>[] = [];
  curves.forEach((curve, c) => {
    const cycle = curve.cycle ?? c + 1;
    const half = `${cycle} ${curve.direction}`;
    for (const i of downsample(curve.voltage_V, curve.dqdv_Ah_per_V, maxPoints)) {
      lines.push({
        voltage_V: curve.voltage_V[i],
        dqdv_Ah_per_V: curve.dqdv_Ah_per_V[i],
        cycle,
        half,
      });
    }
    for (const p of curve.peaks) {
      marks.push({
        voltage_V: p.position_V,
        dqdv_Ah_per_V: p.height_Ah_per_V,
        cycle,
        half,
        area_Ah: p.area_Ah,
        fwhm_V: p.fwhm_V,
      });
    }
  });
  const x = { field: "voltage_V", title: "Voltage (V)" };
  const y = { field: "dqdv_Ah_per_V", title: "dQ/dV (Ah/V)" };
  const color = cycleColor(lines.map((r) => r.cycle as number));
  const layers: LayerSpec[] = [{
    mark: "line",
    rows: lines,
    x,
    y,
    color,
    detail: { field: "half" },
    tooltip: [x, y, color, { field: "half", title: "Half cycle", type: "nominal" }],
  }];
  if (options.peaks ?? true) {
    layers.push({
      mark: "point",
      rows: marks,
      x,
      y,
      markProps: { filled: true, color: "black", size: 40, shape: "triangle-up" },
      tooltip: [
        { field: "voltage_V", title: "Peak voltage (V)" },
        y,
        { field: "area_Ah", title: "Area (Ah)" },
        { field: "fwhm_V", title: "FWHM (V)" },
        { field: "half", title: "Half cycle", type: "nominal" },
      ],
    });
  }
  return layeredChart(layers, {
    title: options.title ?? "Differential capacity",
    width: options.width,
    height: options.height,
  });
}
