// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { column, parseNumberField, requirePoints, SpectrumBuilder } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";

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
export const parstatTxt: FormatParser = {
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
    const builder = new SpectrumBuilder();
    let dcRows = 0;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].trim() === "") continue;
      const f = lines[i].split("\t");
      const n = i + 1;
      if (f.length <= Math.max(iF, iRe, iIm)) {
        throw new ParseError(file, `line ${n} has ${f.length} fields, expected ${names.length}`, {
          line: n,
        });
      }
      const freq = parseNumberField(f[iF], file, n, "frequency");
      if (freq === 0) {
        dcRows++;
        continue;
      }
      const extras: Record<string, number> = {};
      if (iT >= 0) extras.time_s = parseNumberField(f[iT], file, n, "elapsed time");
      if (iV >= 0) extras.dc_voltage_V = parseNumberField(f[iV], file, n, "potential");
      if (iI >= 0) extras.dc_current_A = parseNumberField(f[iI], file, n, "current");
      builder.push(
        freq,
        parseNumberField(f[iRe], file, n, "Zre"),
        parseNumberField(f[iIm], file, n, "Zim"),
        extras,
      );
    }
    requirePoints(builder, file, "(no row with a non-zero frequency)");
    const warnings = dcRows > 0
      ? [`${dcRows} rows with Frequency (Hz) = 0 (DC readings) are not spectrum points`]
      : [];
    const columns = {
      frequency_Hz: column("Frequency (Hz)", "Hz"),
      z_real_ohm: column("Zre (ohms)", "ohms"),
      z_imag_ohm: column("Zim (ohms)", "ohms"),
      ...(iT >= 0 ? { time_s: column("Elapsed Time (s)", "s") } : {}),
      ...(iV >= 0 ? { dc_voltage_V: column("Potential (V)", "V") } : {}),
      ...(iI >= 0 ? { dc_current_A: column("Current (A)", "A") } : {}),
    };
    const meta = makeMeta(options, {
      format: "parstat_txt",
      instrument: "Parstat",
      techniques: ["EIS"],
      warnings,
    });
    return { meta, spectra: [builder.build(columns)] };
  },
};
