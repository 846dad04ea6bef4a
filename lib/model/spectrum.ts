// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { ColumnSource } from "./cycling_series.ts";

/**
 * One impedance spectrum.
 *
 * `z_imag_ohm` is the signed imaginary part of Z: capacitive behaviour is negative. Plots draw
 * `-z_imag_ohm`; parsers convert files that store −Im(Z) into this convention.
 * Points are kept in file order.
 */
export interface Spectrum {
  /** Number of points. */
  length: number;
  /** Frequency in hertz. */
  frequency_Hz: Float64Array;
  /** Real part of the impedance, ohms. */
  z_real_ohm: Float64Array;
  /** Signed imaginary part of the impedance, ohms (negative for capacitive). */
  z_imag_ohm: Float64Array;
  /** Cycle number of this spectrum in a multi-spectrum file (EC-Lab `cycle number`), if any. */
  cycle?: number;
  /** Position of this spectrum in its file, starting at 0. */
  sequence: number;
  /** Further per-point columns with units in their names (`time_s`, `voltage_V`, ...). */
  extras: Record<string, Float64Array>;
  /** Provenance of each column. */
  columns: Record<string, ColumnSource>;
}
