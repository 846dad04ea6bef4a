// Copyright 2026 the battery-analysis authors. MIT license.
// Not browser compatible: it includes the Arbin .res reader (see arbin_res.ts).

import { FORMATS } from "./_registry.ts";
import type { Detection, FormatParser } from "./format_parser.ts";
import { UnsupportedFormatError } from "./parse_error.ts";

/** Bytes of the file head that detection looks at. */
export const DETECT_HEAD_BYTES = 65536;

/** One candidate of a {@link FormatDetection}. */
export interface FormatCandidate extends Detection {
  /** The parser asked. */
  parser: FormatParser;
}

/** The result of {@link detectFormat}: the chosen parser and every candidate with its reason. */
export interface FormatDetection {
  /** The parser with the highest confidence. */
  parser: FormatParser;
  /** Confidence of the chosen parser (0–1). */
  confidence: number;
  /** All parsers with confidence above 0, best first. */
  candidates: FormatCandidate[];
}

/** Options of {@link detectFormat}. */
export interface DetectFormatOptions {
  /** Parsers to choose from. @default {the built-in registry} */
  formats?: readonly FormatParser[];
  /**
   * Ask every parser, even after one is certain: the full candidate list (`summarize
   * --explain`). Without it, detection stops at the first parser (in registry order) that is
   * certain (confidence 1): none after it could win, since ties go to the registry order; the
   * chosen parser is the same either way. @default {false}
   */
  all?: boolean;
}

/**
 * Find the parser for a file: each registered parser rates the first bytes and the name
 * (content first, extension second); the best rating wins, ties going to the registry order. The
 * first parser that is certain (confidence 1) ends the search unless `options.all` is set.
 *
 * @param head The first bytes of the file (at least {@link DETECT_HEAD_BYTES} when available).
 * @param fileName File name, for the extension and messages.
 * @param options Parsers to choose from.
 * @returns The chosen parser and the reasons (every candidate asked: see `options.all`).
 * @throws {UnsupportedFormatError} When no parser recognizes the file.
 *
 * @example
 * ```ts
 * import { detectFormat } from "./detect_format.ts";
 * import { equal } from "node:assert/strict";
 *
 * const head = new TextEncoder().encode("Test Time / s,Voltage / V,Current / A\n0,3.7,0\n");
 * equal(detectFormat(head, "cell.csv").parser.id, "bdf_csv");
 * ```
 */
export function detectFormat(
  head: Uint8Array,
  fileName: string,
  options: DetectFormatOptions = {},
): FormatDetection {
  const formats = options.formats ?? FORMATS;
  const candidates: FormatCandidate[] = [];
  const first = head.subarray(0, DETECT_HEAD_BYTES); // one object: detectors share its decoding
  for (const parser of formats) {
    let detection: Detection;
    try {
      detection = parser.detect(first, fileName);
    } catch (error) {
      detection = { confidence: 0, reason: `detector failed: ${String(error)}` };
    }
    if (detection.confidence > 0) candidates.push({ parser, ...detection });
    if (detection.confidence >= 1 && !options.all) break;
  }
  candidates.sort((a, b) => b.confidence - a.confidence);
  const best = candidates[0];
  if (!best) {
    throw new UnsupportedFormatError(
      fileName,
      formats.map((f) => `${f.name} (${f.extensions.join(", ")})`),
      describeHead(head),
    );
  }
  return { parser: best.parser, confidence: best.confidence, candidates };
}

function describeHead(head: Uint8Array): string {
  if (head.length === 0) return "the file is empty";
  const bytes = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  return `first bytes ${bytes}`;
}
