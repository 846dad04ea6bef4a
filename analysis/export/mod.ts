// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Exports of a test's numbers for other tools: the analysed cycle table (roles, retention,
 * flags), the flags with their reasons, the time series and the impedance spectra, as CSV, XLSX,
 * Parquet or Arrow IPC, in the units asked for (A or mA, Ah or mAh, Wh or mWh, specific and
 * areal capacities from the sample's properties). Bytes out; writing files is the caller's
 * (`writeExportFiles` of `./summarize`).
 *
 * @module
 */
export * from "./export_table.ts";
export * from "./export_units.ts";
export * from "./cycle_export_table.ts";
export * from "./flag_export_table.ts";
export * from "./series_export_table.ts";
export * from "./spectra_export_table.ts";
export * from "./table_to_csv.ts";
export * from "./tables_to_xlsx.ts";
export * from "./table_to_parquet.ts";
export * from "./table_to_arrow_ipc.ts";
export * from "./export_test.ts";
