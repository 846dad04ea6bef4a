// Copyright 2026 the battery-analysis authors. MIT license.

import type { CycleSummary } from "../model/cycle_summary.ts";
import type { Spectrum } from "../model/spectrum.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import {
  type AnalyzedCycle,
  analyzeTest,
  type ExcludedCycle,
  type QualityFlag,
  type TestSummary,
} from "../../analysis/analyze_test.ts";
import type { CycleMethod } from "../../analysis/cycles.ts";
import {
  type DetectionReport,
  FileReadError,
  readRecording,
  type ReadRecordingOptions,
} from "./read_recording.ts";

/** Options of {@link summarizeFile}. */
export interface SummarizeFileOptions extends ReadRecordingOptions {
  /** How cycles are delimited (see `summarizeCycles`). @default {"auto"} */
  method?: CycleMethod;
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
}

function overview(spectrum: Spectrum): SpectrumOverview {
  let lo = Infinity, hi = -Infinity;
  for (const f of spectrum.frequency_Hz) {
    if (Number.isFinite(f)) {
      if (f < lo) lo = f;
      if (f > hi) hi = f;
    }
  }
  return {
    sequence: spectrum.sequence,
    cycle: spectrum.cycle ?? null,
    points: spectrum.length,
    frequency_Hz: lo <= hi ? [lo, hi] : null,
  };
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
  const { recording, parser, warnings, detection } = await readRecording(path, options);
  const meta = recording.meta;
  const series = recording.series;
  let cycles: CycleSummary[] = [];
  let cycleMethod: FileSummary["cycle_method"] = null;
  let threshold: number | null = null;
  if (series && series.length > 0) {
    try {
      const table = summarizeCycles(series, { method: options.method });
      cycles = [...table.cycles];
      cycleMethod = table.method;
      threshold = table.currentThreshold_A;
    } catch (error) {
      throw new FileReadError(
        path,
        `Cannot build the cycles of "${path}": ${
          error instanceof Error ? error.message : String(error)
        }`,
        { detection, cause: error },
      );
    }
  }
  // The one analysis (dQ/dV left out: summarize does not show it, and it is the slow part).
  const analysis = analyzeTest({
    series: series && series.length > 0 ? series : null,
    ...(series && series.length > 0 ? { cycles, currentThreshold_A: threshold } : {}),
    cycleMethod,
    spectra: recording.spectra ?? [],
    label: path,
    warnings: meta.warnings,
  }, { dqdvCycles: [], ...(options.method ? { cycleMethod: options.method } : {}) });
  const spectra = recording.spectra?.map(overview);
  const summary: FileSummary = {
    file: path,
    format: meta.format,
    format_name: parser.name,
    format_version: meta.format_version,
    instrument: meta.instrument,
    sample: meta.sample,
    cell_code: meta.cell_code,
    channel: meta.channel,
    start_time: meta.start_time ?? series?.start_time ?? null,
    techniques: meta.techniques,
    rows: series ? series.length : (spectra ?? []).reduce((n, s) => n + s.points, 0),
    cycle_method: cycleMethod,
    current_threshold_A: threshold,
    cycles: analysis.cycles,
    summary: analysis.summary,
    excluded: analysis.excluded,
    flags: analysis.flags,
    warnings: [...meta.warnings, ...warnings],
  };
  if (spectra && spectra.length > 0) summary.spectra = spectra;
  if (detection) summary.detection = detection;
  return summary;
}
