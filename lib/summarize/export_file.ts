// Copyright 2026 the battery-analysis authors. MIT license.

import {
  type ExportFile,
  type ExportFormat,
  exportTest,
  type ExportTestOptions,
} from "../../analysis/export/export_test.ts";
import type { FileSummary, SummarizeFileOptions } from "./summarize_file.ts";
import { analyzeFile } from "./_analyze_file.ts";

/** Options of {@link exportFile}. */
export interface ExportFileOptions
  extends SummarizeFileOptions, Pick<ExportTestOptions, "tables" | "units"> {
  /** Export format, or several (`format` is the parser's id, as in `summarizeFile`). */
  to: ExportFormat | readonly ExportFormat[];
}

/**
 * Read an instrument file, analyse it as `summarizeFile` does, and encode its tables — the
 * analysed cycle table, the flags, the series, the spectra — in one or more formats with the units asked
 * for (`summarize --csv`, `--xlsx`, `--parquet`, `--arrow`). Specific and areal units take the
 * active mass and area from `sheet` / `sampleInfo`. Returns bytes; `writeExportFiles` writes
 * them.
 *
 * @param path Path of the file.
 * @param options Export format (`to`), tables, units, sample properties, and the options of `summarizeFile`.
 * @returns The file's summary and the export files (suffix, media type, tables, bytes).
 * @throws {FileReadError} When the file cannot be read (see `summarizeFile`).
 * @throws {RangeError} For a table the file lacks, units needing a sample property that is not
 *   given, or a table too long for an XLSX sheet.
 *
 * @example
 * ```ts
 * import { exportFile } from "./export_file.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 * import { join } from "node:path";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "cell.bdf.csv");
 * // 1 mA for one hour of charge, then for one hour of discharge (capacity counters in Ah).
 * Deno.writeTextFileSync(
 *   path,
 *   "Test Time / s,Voltage / V,Current / A,Charging Capacity / Ah,Discharging Capacity / Ah\n" +
 *     "0,3.7,0,0,0\n1800,3.8,0.001,0.0005,0\n3600,3.9,0.001,0.001,0\n" +
 *     "5400,3.6,-0.001,0.001,0.0005\n7200,3.5,-0.001,0.001,0.001\n",
 * );
 * const { summary, files } = await exportFile(path, {
 *   to: "csv", tables: ["series"], units: { capacity: "mAh", specific: true },
 *   sampleInfo: { active_mass_g: 0.01 },
 * });
 * equal(summary.cycles.length, 1);
 * const lines = new TextDecoder().decode(files[0].bytes).trimEnd().split("\n");
 * const [header, row] = [lines[0], lines.at(-1)!]; // the header and the last sample
 * const cell = (name: string) => row.split(",")[header.split(",").indexOf(name)];
 * deepEqual([cell("discharge_capacity_mAh"), cell("discharge_capacity_mAh_per_g")], ["1", "100"]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function exportFile(
  path: string,
  options: ExportFileOptions,
): Promise<{ summary: FileSummary; files: ExportFile[] }> {
  const { summary, analysis, recording } = await analyzeFile(path, options);
  const files: ExportFile[] = [];
  for (const format of typeof options.to === "string" ? [options.to] : options.to) {
    files.push(...exportTest({
      analysis,
      series: recording.series ?? null,
      spectra: recording.spectra ?? null,
    }, {
      format,
      tables: options.tables,
      units: options.units,
      sample: summary.sample_properties ?? null,
      label: path,
    }));
  }
  return { summary, files };
}
