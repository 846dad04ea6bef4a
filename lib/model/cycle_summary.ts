// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Per-cycle numbers computed from a {@link CyclingSeries} by `analysis/cycles`.
 *
 * A cycle is one charge half followed by its discharge half (or the reverse when the test starts
 * on discharge; the order is kept in `first_half`). Values that cannot be computed are `null`.
 * `coulombic_efficiency` = discharge / charge capacity; `energy_efficiency` = discharge / charge
 * energy (fractions, not percent).
 */
export interface CycleSummary {
  /** Cycle number, 1-based and consecutive. */
  cycle: number;
  /** The instrument's cycle index at the start of this cycle. */
  instrument_cycle: number;
  /** Which half came first in this cycle. */
  first_half: "charge" | "discharge";
  /** First row of the cycle. */
  start_row: number;
  /** One past the last row of the cycle. */
  end_row: number;
  /** Test time at the first row, seconds. */
  start_time_s: number;
  /** Test time at the last row, seconds. */
  end_time_s: number;
  /** `end_time_s - start_time_s`. */
  duration_s: number;
  /** Charge passed while charging, Ah. */
  charge_capacity_Ah: number;
  /** Charge passed while discharging, Ah (positive). */
  discharge_capacity_Ah: number;
  /** `discharge_capacity_Ah / charge_capacity_Ah`, or `null` when charge capacity is 0. */
  coulombic_efficiency: number | null;
  /** Energy in while charging, Wh, or `null` without energy data or voltage. */
  charge_energy_Wh: number | null;
  /** Energy out while discharging, Wh (positive), or `null`. */
  discharge_energy_Wh: number | null;
  /** `discharge_energy_Wh / charge_energy_Wh`, or `null`. */
  energy_efficiency: number | null;
  /** Time-weighted mean voltage over the cycle, V. */
  mean_voltage_V: number | null;
  /** Minimum voltage, V. */
  min_voltage_V: number | null;
  /** Maximum voltage, V. */
  max_voltage_V: number | null;
  /** Time-weighted mean voltage while charging, V. */
  mean_charge_voltage_V: number | null;
  /** Time-weighted mean voltage while discharging, V. */
  mean_discharge_voltage_V: number | null;
  /** Time-weighted mean current while charging, A (positive). */
  mean_charge_current_A: number | null;
  /** Time-weighted mean current while discharging, A (negative). */
  mean_discharge_current_A: number | null;
  /** Median internal resistance reported by the instrument within the cycle, Ω, else `null`. */
  internal_resistance_ohm: number | null;
  /**
   * `false` when the end of the recording cut the cycle short: current still flowed at the last
   * row of the file (the half in progress was interrupted), or the file ends before the cycle's
   * second half began. Only a last cycle can be incomplete. Its capacities measure the end of
   * the file, not the cell, so fade analyses leave it out. Set by `summarizeCycles`; absent in
   * summaries made before the field existed (then unknown).
   */
  complete?: boolean;
}
