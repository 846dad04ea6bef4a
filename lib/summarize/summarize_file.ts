// Copyright 2026 the battery-analysis authors. MIT license.

import type { SampleInfo } from "../model/sample_info.ts";
import type {
  AnalyzedCycle,
  ExcludedCycle,
  QualityFlag,
  TestSampleInfo,
  TestSummary,
} from "../../analysis/analyze_test.ts";
import type { CycleMethod } from "../../analysis/cycles.ts";
import type { SampleSheet } from "../../parsers/sample_sheet.ts";
import type { DetectionReport, ReadRecordingOptions } from "./read_recording.ts";
import { analyzeFile } from "./_analyze_file.ts";

/** Options of {@link summarizeFile}. */
export interface SummarizeFileOptions extends ReadRecordingOptions {
  /** How cycles are delimited (see `summarizeCycles`). @default {"auto"} */
  method?: CycleMethod;
  /**
   * A sample sheet: the rows that apply to the file (see `matchSampleSheet`) give its sample's
   * properties (nominal capacity for the analysis's plausibility checks; active mass and area for
   * specific and areal exports).
   */
  sheet?: SampleSheet;
  /** Sample properties given directly (command-line flags); they win over the sheet's. */
  sampleInfo?: SampleInfo;
}

/** Overview of one impedance spectrum. */
export interface SpectrumOverview {
  /** Position of the spectrum in its file, from 0. */
  sequence: number;
  /** Cycle number the file gives the spectrum, else `null`. */
  cycle: number | null;
  /** Number of points. */
  points: number;
  /** Lowest and highest finite frequency, Hz, or `null` without any. */
  frequency_Hz: [number, number] | null;
}

/** What `summarize` reports about one file (also its `--json` line). */
export interface FileSummary {
  /** The path as given. */
  file: string;
  /** Registry id of the format. */
  format: string;
  /** Human-readable format name. */
  format_name: string;
  /** Format version the file states, else `null`. */
  format_version: string | null;
  /** Instrument maker. */
  instrument: string;
  /** Sample name (file name rule). */
  sample: string;
  /** Cell code (file name rule), else `null`. */
  cell_code: string | null;
  /** Instrument channel, else `null`. */
  channel: number | null;
  /** Absolute start time (ISO 8601), else `null`. */
  start_time: string | null;
  /** Techniques the file names. */
  techniques: string[];
  /**
   * Data rows read: the rows of the time series; for a file with spectra only, the number of
   * impedance points.
   */
  rows: number;
  /** How cycles were delimited (`null` without a time series). */
  cycle_method: "cycle_index" | "step" | "current_sign" | null;
  /** |current| at or below this was rest, A (`null` without a time series). */
  current_threshold_A: number | null;
  /**
   * Per-cycle summaries (capacities in Ah, efficiencies as fractions), each with its role in
   * the analysis (`counted`, `cut_off`, `formation`, ...), why, its retention and its flags.
   */
  cycles: AnalyzedCycle[];
  /**
   * The headline numbers of the file's analysis (`analyzeTest(...).summary`, without dQ/dV):
   * the same numbers `analyze`, `search_tests` and the dashboard show.
   */
  summary: TestSummary;
  /** Cycles left out of retention, fade and end of life, with the reason. */
  excluded: ExcludedCycle[];
  /** Data-quality flags of the analysis, with their reasons. */
  flags: QualityFlag[];
  /** Impedance spectra, present only when the file has some. */
  spectra?: SpectrumOverview[];
  /** Repairs and oddities noticed while reading. */
  warnings: string[];
  /** Format-detection reasoning, with `explain: true`. */
  detection?: DetectionReport;
  /**
   * The sample properties used (from `sheet` and `sampleInfo`; active mass as `mass_g` and
   * `active_mass_g`), present only when some were given.
   */
  sample_properties?: TestSampleInfo;
}

/**
 * Read one instrument file and summarize it: format, instrument, sample, cell code, channel,
 * start time, row count, per-cycle table and (for impedance files) the spectra. Reads the file
 * only (see `readRecording`); needs no store.
 *
 * @param path Path of the file.
 * @param options Cycle method, forced format, detection report, naming rule.
 * @returns The summary (plain data, ready for `JSON.stringify`).
 * @throws {FileReadError} When the file cannot be read, is not a supported format, is broken
 *   or its cycles cannot be built; the message names the file.
 * @throws {RangeError} When `options.format` is not a registered format id.
 *
 * @example Usage
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 * import { summarizeFile } from "./summarize_file.ts";
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "cell.bdf.csv");
 * // 1 A for one hour of charge, then 1 A for one hour of discharge (capacity counters in Ah).
 * Deno.writeTextFileSync(
 *   path,
 *   "Test Time / s,Voltage / V,Current / A,Charging Capacity / Ah,Discharging Capacity / Ah\n" +
 *     "0,3.7,0,0,0\n1800,3.8,1,0.5,0\n3600,3.9,1,1,0\n5400,3.6,-1,1,0.5\n7200,3.5,-1,1,1\n",
 * );
 * const summary = await summarizeFile(path);
 * equal(summary.format, "bdf_csv");
 * equal(summary.rows, 5);
 * equal(summary.cycles.length, 1);
 * equal(summary.cycles[0].discharge_capacity_Ah, 1);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function summarizeFile(
  path: string,
  options: SummarizeFileOptions = {},
): Promise<FileSummary> {
  return (await analyzeFile(path, options)).summary;
}
