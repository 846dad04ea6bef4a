// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import type { Spectrum } from "../../lib/model/spectrum.ts";
import type { QualityFlag } from "../analyze_test.ts";
import { type CycleExportInput, cycleExportTable } from "./cycle_export_table.ts";
import type { ExportTable, ExportTableOptions } from "./export_table.ts";
import { flagExportTable } from "./flag_export_table.ts";
import { seriesExportTable } from "./series_export_table.ts";
import { spectraExportTable } from "./spectra_export_table.ts";
import { tableToArrowIpc } from "./table_to_arrow_ipc.ts";
import { tableToCsv } from "./table_to_csv.ts";
import { tableToParquet } from "./table_to_parquet.ts";
import { tablesToXlsx } from "./tables_to_xlsx.ts";

/** File formats of an export. */
export type ExportFormat = "csv" | "xlsx" | "parquet" | "arrow";

/** The export formats: CSV, XLSX, Parquet, Arrow IPC (Feather V2). */
export const EXPORT_FORMATS: readonly ExportFormat[] = ["csv", "xlsx", "parquet", "arrow"];

/** Tables of a test's export. */
export type ExportTableName = "cycles" | "flags" | "series" | "spectra";

/** The tables of a test's export, in order. */
export const EXPORT_TABLES: readonly ExportTableName[] = ["cycles", "flags", "series", "spectra"];

/** What {@link exportTest} exports. */
export interface TestExportInput {
  /** The test's analysis (its cycles with roles and its flags), or `null` without one. */
  analysis?: (CycleExportInput & { readonly flags: readonly QualityFlag[] }) | null;
  /** The cycling series, if any. */
  series?: CyclingSeries | null;
  /** The impedance spectra, if any. */
  spectra?: readonly Spectrum[] | null;
}

/** Options of {@link exportTest}. */
export interface ExportTestOptions extends ExportTableOptions {
  /** File format. */
  format: ExportFormat;
  /**
   * Tables to export. A table asked for that the test lacks is an error.
   * @default {every table the test has: cycles and flags with an analysis (cycles only when the
   *   test has a series or cycles), series with a series, spectra with spectra}
   */
  tables?: readonly ExportTableName[];
}

/** One file of an export. */
export interface ExportFile {
  /**
   * End of the file's name: `.cycles.csv`, `.series.parquet`, ... (one file per table), or
   * `.xlsx` (one workbook, a sheet per table). Callers put the test's or file's name in front.
   */
  suffix: string;
  /** Media type (`text/csv; charset=utf-8`, ...). */
  content_type: string;
  /** The tables in the file, with their rows. */
  tables: { name: string; rows: number }[];
  /** The bytes. */
  bytes: Uint8Array;
}

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  parquet: "application/vnd.apache.parquet",
  arrow: "application/vnd.apache.arrow.file",
};

/**
 * Encode tables in a format: one file per table for CSV, Parquet and Arrow IPC; one workbook
 * with a sheet per table (and an `about` sheet of their metadata) for XLSX.
 *
 * @param tables The tables.
 * @param format The format.
 * @returns The files.
 * @throws {RangeError} For an unknown format, or a table too large for an XLSX sheet.
 *
 * @example
 * ```ts
 * import { encodeTables } from "./export_test.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const table = { name: "cycles", length: 1, metadata: {},
 *   columns: [{ name: "cycle", type: "int32" as const, values: [1] }] };
 * deepEqual(encodeTables([table], "csv").map((f) => f.suffix), [".cycles.csv"]);
 * deepEqual(encodeTables([table], "xlsx").map((f) => f.suffix), [".xlsx"]);
 * ```
 */
export function encodeTables(tables: readonly ExportTable[], format: ExportFormat): ExportFile[] {
  const rows = (t: ExportTable) => ({ name: t.name, rows: t.length });
  const content_type = CONTENT_TYPE[format];
  switch (format) {
    case "xlsx":
      return [{
        suffix: ".xlsx",
        content_type,
        tables: tables.map(rows),
        bytes: tablesToXlsx(tables),
      }];
    case "csv":
      return tables.map((t) => ({
        suffix: `.${t.name}.csv`,
        content_type,
        tables: [rows(t)],
        bytes: new TextEncoder().encode(tableToCsv(t)),
      }));
    case "parquet":
      return tables.map((t) => ({
        suffix: `.${t.name}.parquet`,
        content_type,
        tables: [rows(t)],
        bytes: tableToParquet(t),
      }));
    case "arrow":
      return tables.map((t) => ({
        suffix: `.${t.name}.arrow`,
        content_type,
        tables: [rows(t)],
        bytes: tableToArrowIpc(t),
      }));
    default:
      throw new RangeError(
        `Cannot export as "${format}": the formats are ${EXPORT_FORMATS.join(", ")}`,
      );
  }
}

/**
 * The tables of a test that an export contains, by default every table the test has.
 *
 * @param input The analysis, series and spectra.
 * @param options Tables asked for, units, sample properties, label.
 * @returns The tables.
 * @throws {RangeError} For a table asked for that the test lacks, an unknown table name, or
 *   units that need a sample property the sample lacks.
 *
 * @example
 * ```ts
 * import { testExportTables } from "./export_test.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const f = (...v: number[]) => Float64Array.from(v);
 * const spectra = [{ length: 1, frequency_Hz: f(1), z_real_ohm: f(2), z_imag_ohm: f(-1),
 *   sequence: 0, extras: {}, columns: {} }];
 * deepEqual(testExportTables({ spectra }).map((t) => t.name), ["spectra"]);
 * ```
 */
export function testExportTables(
  input: TestExportInput,
  options: Omit<ExportTestOptions, "format"> = {},
): ExportTable[] {
  const { analysis, series, spectra } = input ?? {};
  const has: Record<ExportTableName, boolean> = {
    cycles: !!analysis && ((analysis.cycles?.length ?? 0) > 0 || !!series),
    flags: !!analysis,
    series: !!series && series.length > 0,
    spectra: !!spectra && spectra.length > 0,
  };
  const asked = options.tables ?? EXPORT_TABLES.filter((t) => has[t]);
  for (const name of asked) {
    if (!EXPORT_TABLES.includes(name)) {
      throw new RangeError(
        `Cannot export table "${name}": the tables are ${EXPORT_TABLES.join(", ")}`,
      );
    }
    if (!has[name]) {
      const why = name === "series"
        ? "no time series"
        : name === "spectra"
        ? "no impedance spectra"
        : analysis
        ? "no cycles"
        : "no analysis";
      throw new RangeError(`Cannot export the ${name}: the test has ${why}`);
    }
  }
  if (asked.length === 0) throw new RangeError("Cannot export: the test has no data to export");
  const tables: ExportTable[] = [];
  for (const name of EXPORT_TABLES.filter((t) => asked.includes(t))) {
    if (name === "cycles") tables.push(cycleExportTable(analysis!, options));
    else if (name === "flags") tables.push(flagExportTable(analysis!, options));
    else if (name === "series") {
      tables.push(seriesExportTable(series!, { ...options, cycles: analysis?.cycles }));
    } else tables.push(spectraExportTable(spectra!, options));
  }
  return tables;
}

/**
 * Export a test — its analysed cycle table, its flags, its series and its spectra — as files of
 * one format, with the units asked for: the numbers of the analysis every other surface shows.
 * `summarize --csv/--xlsx/--parquet/--arrow`, `analyze` and the dashboard's download buttons
 * all call it.
 *
 * @param input The analysis (`analyzeTest(...)` or a stored `test.analysis`), series, spectra.
 * @param options Format, tables, units, sample properties, label.
 * @returns The files (name suffix, media type, tables, bytes).
 * @throws {RangeError} For a table the test lacks, units that need a sample property the sample
 *   lacks, or a table too large for an XLSX sheet.
 *
 * @example
 * ```ts
 * import { analyzeTest, exportTest } from "../mod.ts";
 * import { equal } from "node:assert/strict";
 *
 * const f = (...v: number[]) => Float64Array.from(v);
 * // One hour at 1 mA of charge, one hour at 1 mA of discharge.
 * const series = {
 *   length: 5, time_s: f(0, 1800, 3600, 5400, 7200), voltage_V: f(3.7, 3.8, 3.9, 3.6, 3.5),
 *   current_A: f(0, 0.001, 0.001, -0.001, -0.001),
 *   charge_capacity_Ah: f(0, 0.0005, 0.001, 0.001, 0.001),
 *   discharge_capacity_Ah: f(0, 0, 0, 0.0005, 0.001),
 *   charge_energy_Wh: f(NaN, NaN, NaN, NaN, NaN), discharge_energy_Wh: f(NaN, NaN, NaN, NaN, NaN),
 *   step_index: Int32Array.of(1, 2, 2, 3, 3), cycle_index: Int32Array.of(1, 1, 1, 1, 1),
 *   extras: {}, start_time: null, columns: {},
 * };
 * const files = exportTest({ analysis: analyzeTest({ series }), series }, {
 *   format: "csv", units: { capacity: "mAh" },
 * });
 * equal(files.map((x) => x.suffix).join(" "), ".cycles.csv .flags.csv .series.csv");
 * const cycles = new TextDecoder().decode(files[0].bytes).split("\n");
 * equal(cycles[0].split(",").slice(0, 3).join(","), "cycle,instrument_cycle,role");
 * ```
 */
export function exportTest(input: TestExportInput, options: ExportTestOptions): ExportFile[] {
  if (!EXPORT_FORMATS.includes(options?.format)) {
    throw new RangeError(
      `Cannot export as "${options?.format}": the formats are ${EXPORT_FORMATS.join(", ")}`,
    );
  }
  return encodeTables(testExportTables(input, options), options.format);
}
