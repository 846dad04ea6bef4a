// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * battery-analysis: read cycler and impedance files, turn them into per-cycle numbers, fit fade
 * and impedance models, and keep everything in a searchable store.
 *
 * This entry point is for Deno (scripts, notebooks): besides the pure model, parsers and
 * analysis (with `analyzeTest`, the one analysis of a test) it reads files from disk
 * ({@link read}, {@link readRecording}, {@link summarizeFile}) and writes exports of a test's
 * tables as CSV, XLSX, Parquet or Arrow IPC ({@link exportTest}, {@link exportFile},
 * {@link writeExportFiles}; see docs/export.md). The pure parts alone, usable
 * in a browser, are the `./parsers`, `./analysis` and `./model` entry points; the store, the
 * import pipeline and the configuration file are `./store`, `./import` and `./config`.
 *
 * Imported by path or URL from anywhere (no `deno.json` needed: npm packages are imported with
 * versioned `npm:` specifiers).
 *
 * @example Read a file and summarize its cycles
 * ```ts
 * import { read, summarizeCycles } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "cell.bdf.csv");
 * // 1 A for one hour of charge, then 1 A for one hour of discharge (capacity counters in Ah).
 * Deno.writeTextFileSync(
 *   path,
 *   "Test Time / s,Voltage / V,Current / A,Charging Capacity / Ah,Discharging Capacity / Ah\n" +
 *     "0,3.7,0,0,0\n1800,3.8,1,0.5,0\n3600,3.9,1,1,0\n5400,3.6,-1,1,0.5\n7200,3.5,-1,1,1\n",
 * );
 * const recording = await read(path);
 * const table = summarizeCycles(recording.series!);
 * equal(table.cycles.length, 1);
 * equal(table.cycles[0].discharge_capacity_Ah, 1);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./lib/model/mod.ts";
export * from "./parsers/mod.ts";
export * from "./analysis/mod.ts";
export { read } from "./lib/summarize/read.ts";
export {
  type DetectionCandidate,
  type DetectionReport,
  FileReadError,
  readRecording,
  type ReadRecordingOptions,
  type ReadRecordingResult,
} from "./lib/summarize/read_recording.ts";
export {
  type FileSummary,
  type SpectrumOverview,
  summarizeFile,
  type SummarizeFileOptions,
} from "./lib/summarize/summarize_file.ts";
export { exportFile, type ExportFileOptions } from "./lib/summarize/export_file.ts";
export {
  writeExportFiles,
  type WriteExportFilesOptions,
  type WrittenExportFile,
} from "./lib/summarize/write_export_files.ts";
