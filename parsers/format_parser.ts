// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { Recording } from "../lib/model/file_meta.ts";
import type { FileNameRule } from "./file_name.ts";
import type { ByteSource } from "./byte_source.ts";

/** Options every parser accepts. */
export interface ParseOptions {
  /** File name or path, used for messages and the file name rule. */
  fileName: string;
  /** Naming rule for sample, channel and cell code. @default {DEFAULT_FILE_NAME_RULE} */
  fileNameRule?: FileNameRule;
}

/** How sure a parser is that it can read a file, and why. */
export interface Detection {
  /** 0 = not this format, 1 = certain (content markers found). */
  confidence: number;
  /** Why, in a few words (printed by `summarize --explain`). */
  reason: string;
}

/**
 * One file format: how to recognize it (content first, name second) and how to read it.
 * Parsers are pure: bytes in, {@link Recording} out; they throw `ParseError` for bad input.
 */
export interface FormatParser {
  /** Registry id, for example `"arbin_csv"`. */
  id: string;
  /** Human-readable name, for example `"Arbin CSV export"`. */
  name: string;
  /** Instrument maker. */
  instrument: string;
  /** Usual file extensions, lower case with the dot (`[".csv"]`). */
  extensions: string[];
  /** What the files hold. */
  kind: "cycling" | "eis" | "cycling+eis";
  /**
   * Recognize the format from the first bytes (up to 64 KiB) and the file name.
   * Must never throw.
   */
  detect(head: Uint8Array, fileName: string): Detection;
  /** Read the whole file. */
  parse(bytes: Uint8Array, options: ParseOptions): Recording;
  /**
   * Read the file in chunks from a source, never holding it whole (formats that can; callers
   * fall back to {@link FormatParser.parse} without it). Same result as `parse`.
   */
  parseSource?(source: ByteSource, options: ParseOptions): Recording;
}
