// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { type PointColumn, readPoints } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import { checkedFormat } from "./_damage.ts";

/**
 * Princeton Applied Research Parstat (VersaStudio table export) text: tab-separated with the
 * header `Potential (V) Current (A) Elapsed Time (s) Frequency (Hz) Zre (ohms) Zim (ohms) ...`.
 * Rows with `Frequency (Hz)` = 0 are DC readings taken before the sweep; they are not spectrum
 * points and are counted in a warning. `Zim` is the signed imaginary part.
 *
 * Layout facts learned from impedance.py's `readParstat` (MIT) and its example file.
 *
 * @example Usage
 * ```ts
 * import { parstatTxt } from "./parstat_txt.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = [
 *   "Potential (V)\tCurrent (A)\tElapsed Time (s)\tFrequency (Hz)\tZre (ohms)\tZim (ohms)\t",
 *   "3.49\t-0.15\t10\t0\t0\t0\t", "3.50\t0.02\t7639\t10000\t-0.0005\t0.0175\t",
 *   "3.50\t0.02\t7750\t10\t0.0271\t-0.0040\t",
 * ].join("\n");
 * const rec = parstatTxt.parse(new TextEncoder().encode(text), { fileName: "p.txt" });
 * equal(rec.spectra![0].length, 2);
 * equal(rec.meta.warnings.length, 1);
 * ```
 */
export const parstatTxt: FormatParser = checkedFormat("text", {
  id: "parstat_txt",
  name: "Parstat impedance text export",
  instrument: "Parstat",
  extensions: [".txt"],
  kind: "eis",
  detect(head: Uint8Array) {
    const first = decodeHead(head).split(/\r?\n/, 1)[0] ?? "";
    if (/Frequency \(Hz\)\tZre \(ohms\)\tZim \(ohms\)/.test(first)) {
      return { confidence: 1, reason: "Parstat column line (Frequency, Zre, Zim)" };
    }
    return { confidence: 0, reason: "no Parstat column line" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    const names = (lines[0] ?? "").split("\t").map((s) => s.trim());
    const idx = (name: string, required: boolean): number => {
      const i = names.indexOf(name);
      if (i < 0 && required) {
        throw new ParseError(file, `line 1: no "${name}" column`, { line: 1 });
      }
      return i;
    };
    const iF = idx("Frequency (Hz)", true), iRe = idx("Zre (ohms)", true);
    const iIm = idx("Zim (ohms)", true);
    const iV = idx("Potential (V)", false), iI = idx("Current (A)", false);
    const iT = idx("Elapsed Time (s)", false);
    const optional: PointColumn[] = [
      { key: "time_s", index: iT, name: "Elapsed Time (s)", unit: "s", what: "elapsed time" },
      { key: "dc_voltage_V", index: iV, name: "Potential (V)", unit: "V", what: "potential" },
      { key: "dc_current_A", index: iI, name: "Current (A)", unit: "A", what: "current" },
    ];
    const { builder, columns, skipped } = readPoints(lines, 1, {
      file,
      split: (line) => line.split("\t"),
      fields: names.length,
      columns: [
        { key: "frequency_Hz", index: iF, name: "Frequency (Hz)", unit: "Hz", what: "frequency" },
        ...optional.filter((c) => c.index >= 0),
        { key: "z_real_ohm", index: iRe, name: "Zre (ohms)", unit: "ohms", what: "Zre" },
        { key: "z_imag_ohm", index: iIm, name: "Zim (ohms)", unit: "ohms", what: "Zim" },
      ],
      frequency: (f) => f !== 0, // DC readings before the sweep
      where: "(no row with a non-zero frequency)",
    });
    const warnings = skipped > 0
      ? [`${skipped} rows with Frequency (Hz) = 0 (DC readings) are not spectrum points`]
      : [];
    const meta = makeMeta(options, {
      format: "parstat_txt",
      instrument: "Parstat",
      techniques: ["EIS"],
      warnings,
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});
