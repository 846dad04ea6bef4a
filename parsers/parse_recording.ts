// Copyright 2026 the battery-analysis authors. MIT license.
// Not browser compatible: it includes the Arbin .res reader (see arbin_res.ts).

import type { Recording } from "../lib/model/file_meta.ts";
import { FORMATS } from "./_registry.ts";
import { detectFormat, type DetectFormatOptions } from "./detect_format.ts";
import type { ParseOptions } from "./format_parser.ts";

/** Options of {@link parseRecording}. */
export interface ParseRecordingOptions extends ParseOptions, DetectFormatOptions {
  /** Registry id of the format to use instead of detection (`"arbin_csv"`). */
  format?: string;
}

/**
 * Detect the format of a file and parse it.
 *
 * @param bytes The whole file.
 * @param options File name (required), optional forced format and naming rule.
 * @returns Metadata and the time series and/or spectra of the file.
 * @throws {UnsupportedFormatError} When no parser recognizes the file.
 * @throws {ParseError} When the file is recognized but broken.
 *
 * @example
 * ```ts
 * import { parseRecording } from "./parse_recording.ts";
 * import { equal } from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("Test Time / s,Voltage / V,Current / A\n0,3.7,0\n60,3.7,1\n");
 * const recording = parseRecording(bytes, { fileName: "cell.bdf.csv" });
 * equal(recording.meta.format, "bdf_csv");
 * equal(recording.series?.length, 2);
 * ```
 */
export function parseRecording(bytes: Uint8Array, options: ParseRecordingOptions): Recording {
  if (options.format) {
    const parser = (options.formats ?? FORMATS).find((f) => f.id === options.format);
    if (!parser) {
      throw new RangeError(
        `Cannot use format "${options.format}": unknown format id; known ids: ${
          (options.formats ?? FORMATS).map((f) => f.id).join(", ")
        }`,
      );
    }
    return parser.parse(bytes, options);
  }
  return detectFormat(bytes, options.fileName, options).parser.parse(bytes, options);
}
