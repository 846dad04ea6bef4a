// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import {
  extractHalfCycle,
  type HalfCycleDirection,
  type HalfCycleRows,
} from "./_half_cycle_data.ts";

/** Voltage against capacity passed within one half cycle (rests dropped). */
export interface VoltageCapacityCurve {
  /** Cycle number from the input, or `null`. */
  cycle: number | null;
  /** Direction. */
  direction: HalfCycleDirection;
  /** Capacity passed since the first row of the half cycle, Ah (non-decreasing). */
  capacity_Ah: Float64Array;
  /** Voltage, V. */
  voltage_V: Float64Array;
  /** Row of each point in the series. */
  rows: Int32Array;
}

/** Options of {@link voltageCapacity}. */
export interface VoltageCapacityOptions {
  /** Direction, instead of detecting it from the capacity counters. */
  direction?: HalfCycleDirection;
  /** Rows with |current| at or below this are rests; default 0.1 % of the median |current|. */
  rest_current_A?: number;
}

/**
 * The voltage–capacity curve of one half cycle: capacity passed from the direction's counter
 * (a drop is a counter reset), for the rows where current flows in that direction.
 *
 * @param input The half cycle's rows.
 * @param options Direction and rest threshold.
 * @returns Capacity and voltage per kept row.
 *
 * @example
 * ```ts
 * import { voltageCapacity } from "./voltage_capacity.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const n = 4;
 * const series = {
 *   length: n, voltage_V: Float64Array.of(3.0, 3.1, 3.2, 3.2),
 *   current_A: Float64Array.of(1, 1, 1, 0), charge_capacity_Ah: Float64Array.of(0, 0.1, 0.2, 0.2),
 *   discharge_capacity_Ah: new Float64Array(n), time_s: Float64Array.of(0, 360, 720, 800),
 *   charge_energy_Wh: new Float64Array(n), discharge_energy_Wh: new Float64Array(n),
 *   step_index: new Int32Array(n), cycle_index: new Int32Array(n),
 *   extras: {}, start_time: null, columns: {},
 * };
 * const curve = voltageCapacity({ series, start_row: 0, end_row: n });
 * deepEqual(Array.from(curve.capacity_Ah), [0, 0.1, 0.2]); // the rest row is dropped
 * ```
 */
export function voltageCapacity(
  input: HalfCycleRows,
  options: VoltageCapacityOptions = {},
): VoltageCapacityCurve {
  const data = extractHalfCycle(input, "the voltage–capacity curve", options);
  return {
    cycle: data.cycle,
    direction: data.direction,
    capacity_Ah: data.capacity_Ah,
    voltage_V: data.voltage_V,
    rows: data.rows,
  };
}
