// Copyright 2026 the battery-analysis authors. MIT license.

import { readFile } from "node:fs/promises";
import { statSync } from "node:fs";
import { openFileSource } from "../file_source.ts";
import { fileKind } from "../file_kind.ts";
import type { Recording } from "../model/file_meta.ts";
import { FORMATS } from "../../parsers/mod.ts";
import { DETECT_HEAD_BYTES, detectFormat } from "../../parsers/detect_format.ts";
import { explainDetection } from "../../parsers/explain_detection.ts";
import type { FileNameRule } from "../../parsers/file_name.ts";
import type { FormatParser } from "../../parsers/format_parser.ts";
import { readArbinSidecar } from "../import/arbin_sidecar.ts";
import type { ColumnMapping } from "../../parsers/column_mapping.ts";
import { mappedCsvFormat } from "../../parsers/mapped_csv.ts";

/** Options of {@link readRecording}. */
export interface ReadRecordingOptions {
  /** Registry id of the format to use instead of detection (`"arbin_csv"`). */
  format?: string;
  /** Attach the format-detection reasoning ({@link ReadRecordingResult.detection}). @default {false} */
  explain?: boolean;
  /** Naming rule for sample, channel and cell code. */
  fileNameRule?: FileNameRule;
  /**
   * A user-defined column mapping (`loadColumnMapping`): the file is read with it (format
   * `mapped_csv`) unless `format` names another. @default {none}
   */
  mapping?: ColumnMapping;
}

/** Files smaller than this are read whole at once (one open, one read, no chunked source). */
const SMALL_FILE_BYTES = 1 << 20;

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

/** What {@link readRecording} returns. */
export interface ReadRecordingResult {
  /** The parsed file. */
  recording: Recording;
  /** The parser that read it. */
  parser: FormatParser;
  /** Notes about reading beyond the recording's own warnings (an unreadable sidecar). */
  warnings: string[];
  /** Format-detection reasoning, with `explain: true`. */
  detection?: DetectionReport;
}

/**
 * A file that could not be read, parsed or summarized; the message names the file. Carries the
 * detection report when one was asked for, so `--explain` can show why detection failed.
 *
 * @example
 * ```ts
 * import { FileReadError, readRecording } from "./read_recording.ts";
 * import { rejects } from "node:assert/strict";
 *
 * await rejects(readRecording("no/such/file.csv"), (e) => e instanceof FileReadError && e.file === "no/such/file.csv");
 * ```
 */
export class FileReadError extends Error {
  /** The path as given. */
  readonly file: string;
  /** Format-detection reasoning, when it was asked for and the file could be read. */
  readonly detection: DetectionReport | undefined;

  /**
   * A file that could not be read.
   *
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
    this.name = "FileReadError";
    this.file = file;
    this.detection = options.detection;
  }
}

function detectionReport(head: Uint8Array, file: string, forced: string | null): DetectionReport {
  let candidates: DetectionCandidate[] = [];
  let chosen: string | null = null;
  try {
    const d = detectFormat(head, file, { all: true });
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A message that names the file (parser errors already do). */
function naming(file: string, message: string): string {
  return message.includes(file) ? message : `${file}: ${message}`;
}

/**
 * Read one instrument file from disk and parse it, detecting the format unless one is forced.
 * An Arbin `X_Metadata.csv` sidecar next to `X.csv` is read as the import pipeline does (an
 * unreadable sidecar is a warning, not a failure). Needs only read permission, no store.
 *
 * @param path Path of the file.
 * @param options Forced format, detection report, naming rule.
 * @returns The recording, the parser used and the detection report.
 * @throws {FileReadError} When the file cannot be read, is not a supported format or is broken;
 *   the message names the file.
 * @throws {RangeError} When `options.format` is not a registered format id.
 *
 * @example Usage
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 * import { readRecording } from "./read_recording.ts";
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "cell.bdf.csv");
 * Deno.writeTextFileSync(path, "Test Time / s,Voltage / V,Current / A\n0,3.7,0\n60,3.7,1\n");
 * const { recording, parser } = await readRecording(path);
 * equal(parser.id, "bdf_csv");
 * equal(recording.series?.length, 2);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function readRecording(
  path: string,
  options: ReadRecordingOptions = {},
): Promise<ReadRecordingResult> {
  let forced: FormatParser | undefined;
  if (options.mapping && (options.format === undefined || options.format === "mapped_csv")) {
    forced = mappedCsvFormat(options.mapping);
  } else if (options.format !== undefined) {
    forced = FORMATS.find((f) => f.id === options.format);
    if (!forced) {
      throw new RangeError(
        `Cannot use format "${options.format}": unknown format id; known ids: ${
          FORMATS.map((f) => f.id).join(", ")
        }`,
      );
    }
  }
  let head: Uint8Array;
  let all: Uint8Array;
  let whole = false;
  let detected: FormatParser | undefined;
  try {
    // Look before reading: a FIFO named .csv would block forever, a device never end. Sync
    // Deno calls: a few small reads, and the per-file cost of the promise machinery (and of
    // node:fs's Stats) was larger than the parse of a small binary file.
    const info = Deno.statSync(path);
    if (!info.isFile) {
      throw new Error(`it is ${fileKind(statSync(path))}, not a regular file`);
    }
    // Detect from the head first: a large file no format recognizes is never read whole. A
    // small file is read whole at once (one open, one read): one byte more than its size is
    // asked for, so that the end of the file shows (one that grew since the stat is read below
    // like a large one).
    const file = Deno.openSync(path);
    try {
      const buffer = new Uint8Array(
        info.size < SMALL_FILE_BYTES ? info.size + 1 : Math.min(DETECT_HEAD_BYTES, info.size + 1),
      );
      let got = 0;
      while (got < buffer.length) {
        const n = file.readSync(buffer.subarray(got));
        if (n === null || n === 0) {
          whole = true;
          break;
        }
        got += n;
      }
      all = buffer.subarray(0, got);
      head = all.subarray(0, DETECT_HEAD_BYTES);
    } finally {
      file.close();
    }
    if (!forced && !options.explain) {
      try {
        detected = detectFormat(head, path).parser;
      } catch (error) {
        throw new FileReadError(path, naming(path, messageOf(error)), { cause: error });
      }
    }
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError(path, `Cannot read "${path}": ${messageOf(error)}`, { cause: error });
  }
  const detection = options.explain
    ? detectionReport(head, path, forced?.id ?? options.format ?? null)
    : undefined;
  const warnings: string[] = [];
  try {
    let metadata;
    try {
      metadata = await readArbinSidecar(path);
    } catch (error) {
      warnings.push(`metadata sidecar ignored: ${messageOf(error)}`);
    }
    const parser = forced ?? detected ?? detectFormat(head, path).parser;
    const parseOptions = { fileName: path, fileNameRule: options.fileNameRule, metadata };
    let recording: Recording;
    if (whole) {
      // A small file, read whole above.
      recording = parser.parse(all!, parseOptions);
    } else if (parser.parseSource) {
      // Read in chunks: the file is never whole in memory (and may be larger than 2 GiB).
      const source = openFileSource(path);
      try {
        recording = parser.parseSource(source, parseOptions);
      } finally {
        source.close();
      }
    } else {
      let bytes: Uint8Array;
      try {
        // A view of the Buffer (a copy would double the memory of a large file).
        const buffer = await readFile(path);
        bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (error) {
        throw new FileReadError(
          path,
          `Cannot read "${path}": ${messageOf(error)}`,
          {
            detection,
            cause: error,
          },
        );
      }
      recording = parser.parse(bytes, parseOptions);
    }
    return detection ? { recording, parser, warnings, detection } : { recording, parser, warnings };
  } catch (error) {
    if (error instanceof FileReadError) throw error;
    throw new FileReadError(path, naming(path, messageOf(error)), { detection, cause: error });
  }
}
