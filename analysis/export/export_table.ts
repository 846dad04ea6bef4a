// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * A table ready to be written as CSV, XLSX, Parquet or Arrow IPC: named, typed columns of equal
 * length, with units in the column names (`current_mA`, `discharge_capacity_mAh_per_g`) and
 * metadata that formats able to carry it keep (Parquet key-value metadata, Arrow schema metadata,
 * an `about` sheet in XLSX).
 *
 * @module
 */

import type { SampleProperties } from "../sample_properties.ts";
import type { ExportUnits } from "./export_units.ts";

/**
 * One column. Missing values: `NaN` (and any non-finite number) in a `float64` column, `null`
 * in the others; every format writes them as its missing value (an empty CSV field, no cell in
 * XLSX, a null in Parquet and Arrow).
 */
export type ExportColumn =
  | { name: string; type: "float64"; values: ArrayLike<number> }
  | { name: string; type: "int32"; values: ArrayLike<number | null> }
  | { name: string; type: "string"; values: ArrayLike<string | null> }
  | { name: string; type: "bool"; values: ArrayLike<boolean | null> };

/** Type of a column's values. */
export type ExportColumnType = ExportColumn["type"];

/** A named table of columns of equal length. */
export interface ExportTable {
  /** What the table is: `"cycles"`, `"flags"`, `"series"`, `"spectra"` (file and sheet names). */
  name: string;
  /** Number of rows (the length of every column). */
  length: number;
  /** The columns, in order. */
  columns: ExportColumn[];
  /**
   * What the numbers are (units, sample properties used, analysis version, source, original
   * column names): plain JSON-compatible data.
   */
  metadata: Record<string, unknown>;
}

/** Key of the JSON metadata in Parquet key-value metadata and Arrow schema metadata. */
export const EXPORT_METADATA_KEY = "battery_analysis";

/** Options shared by the table builders (`cycleExportTable`, `seriesExportTable`, ...). */
export interface ExportTableOptions {
  /** Units of the numbers (see {@link ExportUnits}). @default {A, Ah, Wh; no specific or areal columns} */
  units?: ExportUnits;
  /**
   * What is known of the sample: `active_mass_g` (or `mass_g`, the active mass as in
   * `specificCapacity`) for specific capacities, `area_cm2` for areal values. A property the
   * units need and the sample lacks is an error, never a guess.
   */
  sample?: (SampleProperties & { active_mass_g?: number | null }) | null;
  /** Where the data came from (file or test), kept in the metadata. */
  label?: string | null;
}
