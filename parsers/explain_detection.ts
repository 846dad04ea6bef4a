// Copyright 2026 the battery-analysis authors. MIT license.
// Not browser compatible: it includes the Arbin .res reader (see arbin_res.ts).

/**
 * Human-readable account of format detection, for `summarize --explain`.
 *
 * @module
 */

import { FORMATS } from "./_registry.ts";
import { DETECT_HEAD_BYTES, type DetectFormatOptions } from "./detect_format.ts";
import type { Detection } from "./format_parser.ts";

/**
 * Ask every registered parser about a file and describe the answers: one line per parser that
 * recognized something (confidence and reason, best first), a line counting the parsers that
 * did not, a line naming the winner (or saying that none matched), and a note when the two
 * best are tied (the registry order then decides, as in `detectFormat`).
 *
 * @param head The first bytes of the file (up to 64 KiB are looked at).
 * @param fileName The file name (for the extension).
 * @param options Parsers to ask. @default {the built-in registry}
 * @returns The lines, without line ends.
 *
 * @example Usage
 * ```ts
 * import { explainDetection } from "./explain_detection.ts";
 * import { match } from "node:assert/strict";
 *
 * const head = new TextEncoder().encode("Test Time / s,Voltage / V,Current / A\n0,3.7,1\n");
 * const lines = explainDetection(head, "cell.bdf.csv");
 * match(lines.at(-1)!, /^Chosen: bdf_csv/);
 * ```
 */
export function explainDetection(
  head: Uint8Array,
  fileName: string,
  options: DetectFormatOptions = {},
): string[] {
  const formats = options.formats ?? FORMATS;
  const rated: { id: string; name: string; detection: Detection; order: number }[] = [];
  let silent = 0;
  formats.forEach((parser, order) => {
    let detection: Detection;
    try {
      detection = parser.detect(head.subarray(0, DETECT_HEAD_BYTES), fileName);
    } catch (error) {
      detection = { confidence: 0, reason: `detector failed: ${String(error)}` };
    }
    if (detection.confidence > 0) {
      rated.push({ id: parser.id, name: parser.name, detection, order });
    } else silent++;
  });
  // Same order as detectFormat: confidence, then registry order (stable sort).
  rated.sort((a, b) => b.detection.confidence - a.detection.confidence || a.order - b.order);
  const lines = [`Format detection for "${fileName}" (${formats.length} parsers asked):`];
  for (const r of rated) {
    lines.push(
      `  ${r.detection.confidence.toFixed(2)}  ${r.id} (${r.name}): ${
        r.detection.reason || "no reason given"
      }`,
    );
  }
  if (silent > 0) lines.push(`  ${silent} other parser(s): not this format`);
  const best = rated[0];
  if (!best) {
    lines.push("Chosen: none; no parser recognizes this file");
    return lines;
  }
  if (rated[1] && rated[1].detection.confidence === best.detection.confidence) {
    lines.push(`  note: tied with ${rated[1].id}; the registry order decides`);
  }
  lines.push(
    `Chosen: ${best.id} (${best.name}) with confidence ${best.detection.confidence.toFixed(2)}`,
  );
  return lines;
}
