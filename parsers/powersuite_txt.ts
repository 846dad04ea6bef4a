// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { column, parseNumberField, requirePoints, SpectrumBuilder } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";

/**
 * Princeton Applied Research PowerSuite impedance text export: the header
 * `Frequency<TAB> Zre<TAB> Zimg`, then one tab-separated point per line. `Zimg` is the signed
 * imaginary part.
 *
 * Layout facts learned from impedance.py's `readPowerSuite` (MIT) and its example file.
 *
 * @example Usage
 * ```ts
 * import { powersuiteTxt } from "./powersuite_txt.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "Frequency\t Zre\t Zimg\r\r\n0.1\t 423929.46\t -49014.063\r\r\n";
 * const rec = powersuiteTxt.parse(new TextEncoder().encode(text), { fileName: "p.txt" });
 * equal(rec.spectra![0].z_imag_ohm[0], -49014.063);
 * ```
 */
export const powersuiteTxt: FormatParser = {
  id: "powersuite_txt",
  name: "PowerSuite impedance text export",
  instrument: "PowerSuite",
  extensions: [".txt"],
  kind: "eis",
  detect(head: Uint8Array) {
    const first = decodeHead(head).split(/\r|\n/, 1)[0] ?? "";
    if (/^Frequency\t\s*Zre\t\s*Zimg\s*$/.test(first)) {
      return { confidence: 1, reason: "PowerSuite column line (Frequency, Zre, Zimg)" };
    }
    return { confidence: 0, reason: "no PowerSuite column line" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    if (!/^Frequency\t/.test(lines[0] ?? "")) {
      throw new ParseError(file, 'line 1: expected the column line "Frequency Zre Zimg"', {
        line: 1,
      });
    }
    const builder = new SpectrumBuilder();
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].trim() === "") continue;
      const f = lines[i].split("\t");
      const n = i + 1;
      if (f.length !== 3) {
        throw new ParseError(file, `line ${n} has ${f.length} fields, expected 3`, { line: n });
      }
      builder.push(
        parseNumberField(f[0], file, n, "frequency"),
        parseNumberField(f[1], file, n, "Zre"),
        parseNumberField(f[2], file, n, "Zimg"),
      );
    }
    requirePoints(builder, file, "after the column line");
    const columns = {
      frequency_Hz: column("Frequency", "Hz"),
      z_real_ohm: column("Zre", ""),
      z_imag_ohm: column("Zimg", ""),
    };
    const meta = makeMeta(options, {
      format: "powersuite_txt",
      instrument: "PowerSuite",
      techniques: ["EIS"],
    });
    return { meta, spectra: [builder.build(columns)] };
  },
};
