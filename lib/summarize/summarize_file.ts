// Copyright 2026 the battery-analysis authors. MIT license.

import { readFile } from "node:fs/promises";
import type { CycleSummary } from "../model/cycle_summary.ts";
import type { Recording } from "../model/file_meta.ts";
import type { Spectrum } from "../model/spectrum.ts";
import { FORMATS } from "../../parsers/_registry.ts";
import { DETECT_HEAD_BYTES, detectFormat } from "../../parsers/detect_format.ts";
import { explainDetection } from "../../parsers/explain_detection.ts";
import type { FileNameRule } from "../../parsers/file_name.ts";
import type { FormatParser } from "../../parsers/format_parser.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import type { CycleMethod } from "../../analysis/cycles.ts";
import { readArbinSidecar } from "../import/arbin_sidecar.ts";

/** Options of {@link summarizeFile}. */
export interface SummarizeFileOptions {
  /** How cycles are delimited (see `summarizeCycles`). @default {"auto"} */
  method?: CycleMethod;
  /** Registry id of the format to use instead of detection (`"arbin_csv"`). */
  format?: string;
  /** Attach the format-detection reasoning ({@link FileSummary.detection}). @default {false} */
  explain?: boolean;
  /** Naming rule for sample, channel and cell code. */
  fileNameRule?: FileNameRule;
}

/** One parser's opinion of a file. */
export interface DetectionCandidate {
  /** Registry id. */
  id: string;
  /** Human-readable format name. */
  name: string;
  /** 0–1. */
  confidence: number;
  /** Why, in a few words. */
  reason: string;
}

/** How the format of a file was chosen (`summarize --explain`). */
export interface DetectionReport {
  /** The format forced with `--format`, else `null` (then detection chose). */
  forced: string | null;
  /** Id of the parser detection chose, or `null` when none recognizes the file. */
  chosen: string | null;
  /** Every parser that recognized something, best first (ties: registry order). */
  candidates: DetectionCandidate[];
  /** Number of parsers asked. */
  parsers_asked: number;
  /** The same, as lines for people (from `explainDetection`). */
  lines: string[];
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
  /** Per-cycle summaries (capacities in Ah, efficiencies as fractions). */
  cycles: CycleSummary[];
  /** Impedance spectra, present only when the file has some. */
  spectra?: SpectrumOverview[];
  /** Repairs and oddities noticed while reading. */
  warnings: string[];
  /** Format-detection reasoning, with `explain: true`. */
  detection?: DetectionReport;
}

/** A file `summarizeFile` could not read, parse or summarize; the message names the file. */
export class SummarizeError extends Error {
  /** The path as given. */
  readonly file: string;
  /** Format-detection reasoning, when it was asked for and the file could be read. */
  readonly detection: DetectionReport | undefined;

  /**
   * @param file The path.
   * @param message What went wrong (naming the file).
   * @param options Detection report and cause.
   */
  constructor(
    file: string,
    message: string,
    options: { detection?: DetectionReport; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "SummarizeError";
    this.file = file;
    this.detection = options.detection;
  }
}

function detectionReport(head: Uint8Array, file: string, forced: string | null): DetectionReport {
  let candidates: DetectionCandidate[] = [];
  let chosen: string | null = null;
  try {
    const d = detectFormat(head, file);
    candidates = d.candidates.map((c) => ({
      id: c.parser.id,
      name: c.parser.name,
      confidence: c.confidence,
      reason: c.reason,
    }));
    chosen = d.parser.id;
  } catch {
    // No parser recognizes the file: no candidates (the lines say so).
  }
  const lines = explainDetection(head, file);
  if (forced) lines.push(`Forced with --format: ${forced}`);
  return { forced, chosen, candidates, parsers_asked: FORMATS.length, lines };
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A message that names the file (parser errors already do). */
function naming(file: string, message: string): string {
  return message.includes(file) ? message : `${file}: ${message}`;
}

/**
 * Read one instrument file and summarize it: format, instrument, sample, cell code, channel,
 * start time, row count, per-cycle table and (for impedance files) the spectra. An Arbin
 * `X_Metadata.csv` sidecar next to `X.csv` is read as the import pipeline does. Reads the file
 * only; needs no store.
 *
 * @param path Path of the file.
 * @param options Cycle method, forced format, detection report, naming rule.
 * @returns The summary (plain data, ready for `JSON.stringify`).
 * @throws {SummarizeError} When the file cannot be read, is not a supported format, is broken
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
 * // 1 A for one hour of charge, then 1 A for one hour of discharge, at a constant 3.7 V.
 * Deno.writeTextFileSync(
 *   path,
 *   "Test Time / s,Voltage / V,Current / A\n0,3.7,0\n1800,3.7,1\n3600,3.7,1\n" +
 *     "5400,3.7,-1\n7200,3.7,-1\n",
 * );
 * const summary = await summarizeFile(path);
 * equal(summary.format, "bdf_csv");
 * equal(summary.rows, 5);
 * equal(summary.cycles.length, 1);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function summarizeFile(
  path: string,
  options: SummarizeFileOptions = {},
): Promise<FileSummary> {
  let parser: FormatParser | undefined;
  if (options.format !== undefined) {
    parser = FORMATS.find((f) => f.id === options.format);
    if (!parser) {
      throw new RangeError(
        `Cannot use format "${options.format}": unknown format id; known ids: ${
          FORMATS.map((f) => f.id).join(", ")
        }`,
      );
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new SummarizeError(path, `Cannot read "${path}": ${messageOf(error)}`, { cause: error });
  }
  const detection = options.explain
    ? detectionReport(bytes.subarray(0, DETECT_HEAD_BYTES), path, options.format ?? null)
    : undefined;
  const warnings: string[] = [];
  let recording: Recording;
  try {
    let metadata;
    try {
      metadata = await readArbinSidecar(path);
    } catch (error) {
      warnings.push(`metadata sidecar ignored: ${messageOf(error)}`);
    }
    const parseOptions = { fileName: path, fileNameRule: options.fileNameRule, metadata };
    parser ??= detectFormat(bytes.subarray(0, DETECT_HEAD_BYTES), path).parser;
    recording = parser.parse(bytes, parseOptions);
  } catch (error) {
    throw new SummarizeError(path, naming(path, messageOf(error)), { detection, cause: error });
  }
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
      throw new SummarizeError(
        path,
        `Cannot build the cycles of "${path}": ${messageOf(error)}`,
        { detection, cause: error },
      );
    }
  }
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
    cycles,
    warnings: [...meta.warnings, ...warnings],
  };
  if (spectra && spectra.length > 0) summary.spectra = spectra;
  if (detection) summary.detection = detection;
  return summary;
}
