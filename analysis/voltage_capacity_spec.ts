// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { VoltageCapacityCurve } from "./voltage_capacity.ts";
import { cycleColor, layeredChart, type VegaLiteSpec } from "./_vega.ts";
import { downsample } from "./downsample.ts";

/** Options of {@link voltageCapacitySpec}. */
export interface VoltageCapacitySpecOptions {
  /** Chart title. @default {"Voltage vs capacity"} */
  title?: string;
  /** Width in pixels. @default {480} */
  width?: number;
  /** Height in pixels. @default {300} */
  height?: number;
  /**
   * Largest number of points drawn per half cycle (largest-triangle downsampling); default
   * 20 000 / number of curves, at least 100.
   */
  max_points_per_curve?: number;
  /** Divide capacity by this mass to plot mAh/g (grams). */
  mass_g?: number;
}

/**
 * A Vega-Lite spec of voltage against capacity passed, one line per half cycle, coloured by
 * cycle number (curves without one are numbered by position, from 1), drawn in row order.
 * Capacity is in mAh, or mAh/g with `mass_g`.
 *
 * @param curves Results of `voltageCapacity`.
 * @param options Title, size, downsampling and mass normalization.
 * @returns The spec (plain JSON).
 *
 * @example
 * ```ts
 * import { voltageCapacitySpec } from "./voltage_capacity_spec.ts";
 * import { equal } from "node:assert/strict";
 *
 * const curve = {
 *   cycle: 1, direction: "charge" as const, rows: Int32Array.of(0, 1, 2),
 *   capacity_Ah: Float64Array.of(0, 0.1, 0.2), voltage_V: Float64Array.of(3.0, 3.4, 3.6),
 * };
 * const spec = voltageCapacitySpec([curve]);
 * const layer = (spec.layer as { data: { values: unknown[] } }[])[0];
 * equal(layer.data.values.length, 3);
 * ```
 */
export function voltageCapacitySpec(
  curves: readonly VoltageCapacityCurve[],
  options: VoltageCapacitySpecOptions = {},
): VegaLiteSpec {
  const maxPoints = options.max_points_per_curve ??
    Math.max(100, Math.floor(20000 / Math.max(1, curves.length)));
  const mass = options.mass_g;
  if (mass !== undefined && !(mass > 0)) {
    throw new RangeError(`Cannot plot voltage vs capacity: mass_g must be positive, got ${mass}`);
  }
  const scale = mass === undefined ? 1000 : 1000 / mass;
  const capacityField = mass === undefined ? "capacity_mAh" : "capacity_mAh_per_g";
  const rows: Record<string, unknown>[] = [];
  curves.forEach((curve, c) => {
    const cycle = curve.cycle ?? c + 1;
    const half = `${cycle} ${curve.direction}`;
    for (const i of downsample(curve.capacity_Ah, curve.voltage_V, maxPoints)) {
      rows.push({
        [capacityField]: curve.capacity_Ah[i] * scale,
        voltage_V: curve.voltage_V[i],
        cycle,
        half,
        row: curve.rows[i],
      });
    }
  });
  const x = {
    field: capacityField,
    title: mass === undefined ? "Capacity (mAh)" : "Specific capacity (mAh/g)",
  };
  const y = { field: "voltage_V", title: "Voltage (V)" };
  const color = cycleColor(rows.map((r) => r.cycle as number));
  return layeredChart([{
    mark: "line",
    rows,
    x,
    y,
    color,
    detail: { field: "half" },
    order: { field: "row" },
    tooltip: [x, y, color, { field: "half", title: "Half cycle", type: "nominal" }],
  }], {
    title: options.title ?? "Voltage vs capacity",
    width: options.width,
    height: options.height,
  });
}
