// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Where a normalized column came from: the instrument's own column name and unit, and the factor
 * that converted it into the normalized unit.
 */
export interface ColumnSource {
  /** Column name exactly as the file wrote it, for example `"Current (A)"` or `"I/mA"`. */
  original_name: string;
  /** Unit as written by the file (`"mA"`), or `""` when the file gave none. */
  original_unit: string;
  /** Normalized value = original value × `scale` (for example `1e-3` for mA → A). */
  scale: number;
  /** `true` when the column was computed (for example capacity integrated from current). */
  derived?: boolean;
  /** How a derived column was computed, in words. */
  note?: string;
}

/** The required numeric columns of a {@link CyclingSeries}, all with units in their names. */
export const CYCLING_COLUMNS = [
  "time_s",
  "voltage_V",
  "current_A",
  "charge_capacity_Ah",
  "discharge_capacity_Ah",
  "charge_energy_Wh",
  "discharge_energy_Wh",
] as const;

/** Name of one required floating-point column of a {@link CyclingSeries}. */
export type CyclingColumn = typeof CYCLING_COLUMNS[number];

/**
 * A cycling time series held as columns (one typed array per quantity, all of `length` rows).
 *
 * Conventions:
 * - `current_A` is positive on charge, negative on discharge.
 * - `charge_capacity_Ah` / `discharge_capacity_Ah` (and the energies) are the instrument's
 *   non-negative counters of charge passed in each direction. They may reset to zero where the
 *   instrument resets them (new cycle, new step, new half cycle) or accumulate over the whole
 *   test; analysis code treats a drop as a reset, so both conventions give the same per-cycle
 *   numbers. A file without such columns gets them integrated from current and time, marked
 *   `derived` in {@link CyclingSeries.columns}.
 * - `step_index` and `cycle_index` are the instrument's own counters (0 when the file has none);
 *   deciding what a cycle is belongs to `analysis/cycles`.
 * - Values that the file does not provide are `NaN` (never invented).
 */
export interface CyclingSeries {
  /** Number of rows. */
  length: number;
  /** Seconds since the start of the test. */
  time_s: Float64Array;
  /** Cell voltage (working electrode potential for three-electrode setups), volts. */
  voltage_V: Float64Array;
  /** Current in amperes, positive on charge. */
  current_A: Float64Array;
  /** Charge-direction capacity counter, ampere-hours. */
  charge_capacity_Ah: Float64Array;
  /** Discharge-direction capacity counter, ampere-hours (non-negative). */
  discharge_capacity_Ah: Float64Array;
  /** Charge-direction energy counter, watt-hours. */
  charge_energy_Wh: Float64Array;
  /** Discharge-direction energy counter, watt-hours (non-negative). */
  discharge_energy_Wh: Float64Array;
  /** Instrument step counter. */
  step_index: Int32Array;
  /** Instrument cycle counter. */
  cycle_index: Int32Array;
  /** Cell or chamber temperature in °C, when the file has it. */
  temperature_C?: Float64Array;
  /**
   * Further numeric columns with units in their names, for example `step_time_s`,
   * `internal_resistance_ohm`, `acr_ohm`, `dv_dt_V_per_s`, `aux_voltage_1_V`.
   */
  extras: Record<string, Float64Array>;
  /** Absolute time of the first row (ISO 8601), or `null` when the file does not say. */
  start_time: string | null;
  /** Provenance of each normalized column (required, `temperature_C` and extras) by its name. */
  columns: Record<string, ColumnSource>;
}
