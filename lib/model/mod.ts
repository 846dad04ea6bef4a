// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The types every layer shares: cycling time series, impedance spectra, file metadata and cycle
 * summaries. Nothing here does I/O.
 *
 * @module
 */
export * from "./cycling_series.ts";
export * from "./spectrum.ts";
export * from "./file_meta.ts";
export * from "./cycle_summary.ts";
export * from "./sample_info.ts";
export * from "./sample_info.ts";
