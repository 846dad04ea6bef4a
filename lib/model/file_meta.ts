// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Instruments the toolkit knows by name; other strings are allowed for new readers. */
export type Instrument =
  | "Arbin"
  | "BioLogic"
  | "Maccor"
  | "Neware"
  | "Novonix"
  | "Basytec"
  | "PEC"
  | "Gamry"
  | "ZPlot"
  | "Autolab"
  | "CH Instruments"
  | "Parstat"
  | "PowerSuite"
  | "VersaStudio"
  | "Battery Archive"
  | "BDF"
  | "Other";

/**
 * What a file says about itself: the instrument and format, the run, and the identity of the
 * sample derived from the file name (see `parseFileName`).
 */
export interface FileMeta {
  /** Base name of the file, with extension. */
  file_name: string;
  /** Registry id of the format, for example `"arbin_csv"` or `"biologic_mpr"`. */
  format: string;
  /** Format version when the file states one (`"EC-Lab 11.50"`, `"nda v8"`), else `null`. */
  format_version: string | null;
  /** Instrument maker. */
  instrument: Instrument | string;
  /** Channel of the instrument, from the file content or the file name, else `null`. */
  channel: number | null;
  /** Techniques in the file (`"GCPL"`, `"PEIS"`, `"Cycling"`, ...), in order. */
  techniques: string[];
  /** Absolute start time of the measurement from the file (ISO 8601), else `null`. */
  start_time: string | null;
  /** Sample name from the file name rule. */
  sample: string;
  /** Cell code (for example `CN123`) from the file name rule, else `null`. */
  cell_code: string | null;
  /** Name shared by the sequential parts of one test (without `_Wb_<n>` or `.00<n>` suffix). */
  base_name: string;
  /** Part number of a multi-file test (`_Wb_2` → 2, `.002` → 2), else `null`. */
  part: number | null;
  /** Instrument device or serial, when the file says. */
  device: string | null;
  /** Electrode area in cm² when the file states one, else `null`. */
  electrode_area_cm2: number | null;
  /** Active mass in grams when the file states one, else `null`. */
  active_mass_g: number | null;
  /** Header key/value pairs exactly as read (trimmed), for provenance. */
  header: Record<string, string>;
  /** Repairs and oddities noticed while reading (never silent). */
  warnings: string[];
}

/** Everything read from one file. */
export interface Recording {
  /** Metadata. */
  meta: FileMeta;
  /** Cycling time series, when the file has one. */
  series?: import("./cycling_series.ts").CyclingSeries;
  /** Impedance spectra, when the file has any. */
  spectra?: import("./spectrum.ts").Spectrum[];
}
