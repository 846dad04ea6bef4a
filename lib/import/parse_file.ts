// Copyright 2026 the battery-analysis authors. MIT license.

import { createHash } from "node:crypto";
import { open, readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { CycleSummary } from "../model/cycle_summary.ts";
import type { Recording } from "../model/file_meta.ts";
import { parseRecording } from "../../parsers/parse_recording.ts";
import { FORMATS } from "../../parsers/mod.ts";
import type { ColumnMapping } from "../../parsers/column_mapping.ts";
import { mappedCsvFormat } from "../../parsers/mapped_csv.ts";
import type { FormatParser } from "../../parsers/format_parser.ts";
import { UnsupportedFormatError } from "../../parsers/parse_error.ts";
import { type FileNameRule, parseFileName } from "../../parsers/file_name.ts";
import { DETECT_HEAD_BYTES, detectFormat } from "../../parsers/detect_format.ts";
import { readArbinSidecar } from "./arbin_sidecar.ts";
import { openFileSource } from "../file_source.ts";
import { fileKind } from "../file_kind.ts";

export { fileKind };
import { packRaw } from "../store/raw_codec.ts";
import { packFile } from "./_pack_file.ts";
import type { PackedRawFile } from "../store/store.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import type { CycleMethod } from "../../analysis/cycles.ts";

/** Options of {@link parseFile}. */
export interface ParseFileOptions {
  /** Naming rule for sample, channel and cell code. */
  fileNameRule?: FileNameRule;
  /** How cycles are delimited. @default {"auto"} */
  cycleMethod?: CycleMethod;
  /**
   * Largest file read, bytes; a larger file fails without being read (its head is still
   * checked, so a file no format recognizes is skipped as such). @default {4294967296} (4 GiB)
   */
  maxBytes?: number;
  /**
   * A user-defined column mapping: files holding its column titles are read with it (before
   * any instrument parser). @default {none}
   */
  mapping?: ColumnMapping;
  /**
   * Pack the bytes for the archive here (hashed, cut into pieces of 1 MiB and compressed with
   * zstd when they compress: `ParsedFile.packed`), so that the compression runs in the parse
   * worker, not in the thread that writes the store. @default {false}
   */
  pack?: boolean;
}

/**
 * The parsers to detect among: the registry, preceded by the mapping's parser when a mapping
 * is given; `undefined` (the registry) otherwise.
 *
 * @param mapping A user-defined column mapping, or nothing.
 * @returns The parsers, or `undefined` for the registry.
 *
 * @example Usage
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { formatsWithMapping } from "./parse_file.ts";
 * equal(formatsWithMapping(), undefined);
 * const formats = formatsWithMapping({ columns: { time: "t", voltage: "U", current: "I" } })!;
 * equal(formats[0].id, "mapped_csv");
 * ```
 */
export function formatsWithMapping(mapping?: ColumnMapping): FormatParser[] | undefined {
  return mapping ? [mappedCsvFormat(mapping), ...FORMATS] : undefined;
}

/** Default {@link ParseFileOptions.maxBytes}: 4 GiB. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 ** 3;

/** A file read, hashed, parsed and summarized, or the reason it could not be. */
export interface ParsedFile {
  /** Path of the file. */
  path: string;
  /** SHA-256 of the bytes (hex). */
  sha256: string;
  /**
   * The bytes, when the file was read whole; empty when its format reads in chunks (the file
   * is then never whole in memory) or when it was packed (`packed`).
   */
  bytes: Uint8Array;
  /** The bytes packed for the archive, with `pack: true` (`rawFiles.put` stores them as given). */
  packed?: PackedRawFile;
  /** The recording, when the file parsed. */
  recording: Recording | null;
  /** Per-cycle summaries of the recording's series (`[]` without one). */
  cycles: CycleSummary[];
  /** How cycles were delimited, when there is a series. */
  cycle_method: string | null;
  /**
   * Why the file was not parsed: not a data file or not a regular file (a skip), or a file that
   * is broken, too large, or looks like an instrument file by its name yet no format
   * recognizes its content (a failure).
   */
  error: { kind: "unsupported" | "invalid"; message: string } | null;
}

/** Extensions many non-data files have: a match on them alone says nothing. */
const GENERIC_EXTENSIONS = new Set([".csv", ".txt", ".tsv", ".dat"]);

/**
 * What makes a file name look like an instrument file, or `null`: an extension that only
 * instrument formats use (`.mpr`, `.nda`, `.res`, `.001`, ...), or an instrument naming
 * pattern (`_Channel_3_Wb_1.CSV`, `_C01.mpt`). A file with such a name that no format
 * recognizes is damaged, not foreign.
 *
 * @example Usage
 * ```ts
 * import { instrumentName } from "./parse_file.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(instrumentName("run_C01.mpr"), "extension .mpr");
 * equal(instrumentName("notes.txt"), null);
 * ```
 */
export function instrumentName(fileName: string): string | null {
  const name = basename(fileName).toLowerCase();
  if (/\.\d{3}$/.test(name)) return `extension ${name.slice(-4)}`;
  for (const format of FORMATS) {
    for (const ext of format.extensions) {
      if (GENERIC_EXTENSIONS.has(ext) || ext === ".nnn") continue;
      if (name.endsWith(ext)) return `extension ${ext}`;
    }
  }
  const parsed = parseFileName(basename(fileName));
  if (parsed.channel !== null || parsed.part !== null) return "its instrument file name";
  return null;
}

/** Read at most `length` bytes from the start of an open file. */
async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(head, got, length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return head.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/** SHA-256 of a file read in pieces (never whole in memory). */
async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    const piece = new Uint8Array(1 << 20);
    for (let at = 0;;) {
      const { bytesRead } = await handle.read(piece, 0, piece.length, at);
      if (bytesRead === 0) break;
      hash.update(piece.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/**
 * SHA-256 of bytes as lower-case hex. `node:crypto` (OpenSSL) hashes about twice as fast as
 * Web Crypto here (55 MB: ~50 ms against ~110 ms), and it is on every file's path.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./parse_file.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(
 *   await sha256Hex(new TextEncoder().encode("abc")),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * ```
 */
export function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Promise.resolve(createHash("sha256").update(bytes).digest("hex"));
}

/**
 * Read a file, hash it, detect and parse its format and summarize its cycles. Never throws for
 * bad file content: the reason is returned in `error` (read errors do throw).
 *
 * @param path File path.
 * @param options Naming rule and cycle method.
 * @returns The parsed file.
 *
 * @example
 * ```ts
 * import { parseFile } from "./parse_file.ts";
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "notes.txt");
 * Deno.writeTextFileSync(path, "not an instrument file\n");
 * const parsed = await parseFile(path);
 * equal(parsed.recording, null);
 * equal(parsed.error?.kind, "unsupported"); // skipped, not a failure
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function parseFile(path: string, options: ParseFileOptions = {}): Promise<ParsedFile> {
  const empty = (sha256: string, kind: "unsupported" | "invalid", message: string) => ({
    path,
    sha256,
    bytes: new Uint8Array(0),
    recording: null,
    cycles: [],
    cycle_method: null,
    error: { kind, message },
  });
  // Look before reading: a FIFO would block forever, a device never end.
  const info = await stat(path);
  if (!info.isFile()) return empty("", "unsupported", `not a regular file (${fileKind(info)})`);
  // The head decides whether any format can read the file: a file nobody recognizes (a 2 GiB
  // file of zeros) is never read whole.
  const head = await readHead(path, DETECT_HEAD_BYTES);
  try {
    detectFormat(head, path, { formats: formatsWithMapping(options.mapping) });
  } catch (error) {
    if (!(error instanceof UnsupportedFormatError)) throw error;
    const byName = instrumentName(path);
    return empty(
      await hashFile(path),
      byName ? "invalid" : "unsupported",
      byName
        ? `looks like an instrument file by ${byName}, but no format recognizes its content ` +
          `(damaged?): ${error.message}`
        : error.message,
    );
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (info.size > maxBytes) {
    return empty(
      await hashFile(path),
      "invalid",
      `${info.size} bytes is more than the ${maxBytes} bytes a file may have (not read)`,
    );
  }
  const formats = formatsWithMapping(options.mapping);
  const parser = detectFormat(head, path, { formats }).parser;
  let bytes: Uint8Array = new Uint8Array(0);
  let sha256: string;
  let packed: PackedRawFile | undefined;
  if (parser.parseSource) {
    // Read in chunks: hashed (and packed) piece by piece, parsed from the file below.
    if (options.pack) {
      packed = packFile(path);
      sha256 = packed.sha256;
    } else sha256 = await hashFile(path);
  } else {
    // A view of the Buffer readFile returns (`new Uint8Array(buffer)` would copy every file).
    const buffer = await readFile(path);
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (options.pack) {
      packed = packRaw(bytes);
      sha256 = packed.sha256;
    } else sha256 = await sha256Hex(bytes);
  }
  const result: ParsedFile = {
    path,
    sha256,
    bytes: packed ? new Uint8Array(0) : bytes,
    recording: null,
    cycles: [],
    cycle_method: null,
    error: null,
  };
  if (packed) result.packed = packed;
  try {
    const metadata = await readArbinSidecar(path).catch(() => undefined);
    const parseOptions = {
      fileName: path,
      fileNameRule: options.fileNameRule,
      metadata,
      formats,
    };
    let recording: Recording;
    if (parser.parseSource) {
      const source = openFileSource(path);
      try {
        recording = parser.parseSource(source, parseOptions);
      } finally {
        source.close();
      }
    } else recording = parseRecording(bytes, parseOptions);
    result.recording = recording;
    if (recording.series && recording.series.length > 0) {
      const table = summarizeCycles(recording.series, { method: options.cycleMethod });
      result.cycles = [...table.cycles];
      result.cycle_method = table.method;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result.error = {
      kind: error instanceof UnsupportedFormatError && !instrumentName(path)
        ? "unsupported"
        : "invalid",
      message,
    };
  }
  return result;
}
