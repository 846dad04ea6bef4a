// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { DqdvCurve } from "./dqdv.ts";

/** Two dQ/dV curves on their common voltage grid and their difference. */
export interface DqdvDifference {
  /** Common grid (the overlap of the two voltage ranges), V. */
  voltage_V: Float64Array;
  /** First curve on the grid, Ah/V. */
  first_Ah_per_V: Float64Array;
  /** Second curve on the grid, Ah/V. */
  second_Ah_per_V: Float64Array;
  /** second − first, Ah/V. */
  difference_Ah_per_V: Float64Array;
  /** Σ difference · ΔV: the capacity change within the overlap, Ah. */
  integral_Ah: number;
}

function interpolate(x: Float64Array, y: Float64Array, at: number): number {
  // x uniform and ascending.
  const step = x[1] - x[0];
  const u = (at - x[0]) / step;
  const i = Math.max(0, Math.min(x.length - 2, Math.floor(u)));
  const f = u - i;
  return y[i] + f * (y[i + 1] - y[i]);
}

/**
 * The difference second − first of two dQ/dV curves over the voltage range both cover. Curves
 * computed with the same grid step share grid points (the grid is aligned to multiples of the
 * step), so no interpolation is needed; otherwise both are interpolated linearly onto the finer
 * step. Works for discharge curves as well (grids are always ascending in voltage).
 *
 * @param first The reference curve (for example cycle 1).
 * @param second The curve to compare (for example cycle 100).
 * @returns The common grid, both curves on it and their difference.
 * @throws {RangeError} When the voltage ranges do not overlap.
 *
 * @example
 * ```ts
 * import { dqdv, dqdvDifference } from "./mod.ts";
 * import { ok } from "node:assert/strict";
 *
 * // 5 Ah over 3.0–4.0 V (dQ/dV = 5) against 5 Ah over 3.0–4.5 V (dQ/dV = 3.333).
 * const charge = (vmax: number) => {
 *   const n = 1001;
 *   const charge_capacity_Ah = Float64Array.from({ length: n }, (_, i) => (5 * i) / (n - 1));
 *   return {
 *     length: n, charge_capacity_Ah,
 *     voltage_V: charge_capacity_Ah.map((q) => 3 + ((vmax - 3) * q) / 5),
 *     time_s: charge_capacity_Ah.map((q) => q * 3600), current_A: new Float64Array(n).fill(1),
 *     discharge_capacity_Ah: new Float64Array(n), charge_energy_Wh: new Float64Array(n),
 *     discharge_energy_Wh: new Float64Array(n), step_index: new Int32Array(n),
 *     cycle_index: new Int32Array(n), extras: {}, start_time: null, columns: {},
 *   };
 * };
 * const a = dqdv({ series: charge(4.0), start_row: 0, end_row: 1001 });
 * const b = dqdv({ series: charge(4.5), start_row: 0, end_row: 1001 });
 * const diff = dqdvDifference(a, b);
 * const mid = diff.voltage_V.findIndex((v) => v > 3.5);
 * ok(Math.abs(diff.difference_Ah_per_V[mid] - (10 / 3 - 5)) < 1e-9);
 * ```
 */
export function dqdvDifference(first: DqdvCurve, second: DqdvCurve): DqdvDifference {
  for (const c of [first, second]) {
    if (!c || !(c.voltage_V instanceof Float64Array) || c.voltage_V.length < 2) {
      throw new TypeError("Cannot difference dQ/dV: expected two results of dqdv()");
    }
  }
  const a = first.voltage_V, b = second.voltage_V;
  const stepA = a[1] - a[0], stepB = b[1] - b[0];
  const step = Math.min(stepA, stepB);
  const lo = Math.max(a[0], b[0]), hi = Math.min(a[a.length - 1], b[b.length - 1]);
  if (!(hi >= lo)) {
    throw new RangeError(
      `Cannot difference dQ/dV: the voltage ranges ${a[0].toFixed(4)}–${
        a[a.length - 1].toFixed(4)
      } V and ${b[0].toFixed(4)}–${b[b.length - 1].toFixed(4)} V do not overlap`,
    );
  }
  const same = Math.abs(stepA - stepB) <= 1e-12 * stepA;
  let v: Float64Array, ya: Float64Array, yb: Float64Array;
  if (same) {
    const ia = Math.round((lo - a[0]) / stepA), ib = Math.round((lo - b[0]) / stepB);
    const n = Math.round((hi - lo) / stepA) + 1;
    v = a.slice(ia, ia + n);
    ya = first.dqdv_Ah_per_V.slice(ia, ia + n);
    yb = second.dqdv_Ah_per_V.slice(ib, ib + n);
  } else {
    const n = Math.floor((hi - lo) / step + 1e-9) + 1;
    v = Float64Array.from({ length: n }, (_, i) => lo + i * step);
    ya = v.map((x) => interpolate(a, first.dqdv_Ah_per_V, x));
    yb = v.map((x) => interpolate(b, second.dqdv_Ah_per_V, x));
  }
  const diff = yb.map((y, i) => y - ya[i]);
  let integral = 0;
  for (const d of diff) integral += d;
  return {
    voltage_V: v,
    first_Ah_per_V: ya,
    second_Ah_per_V: yb,
    difference_Ah_per_V: diff,
    integral_Ah: integral * step,
  };
}
