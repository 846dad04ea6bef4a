// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { readPoints } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import { checkedFormat } from "./_damage.ts";

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
export const powersuiteTxt: FormatParser = checkedFormat("text", {
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
    const { builder, columns } = readPoints(lines, 1, {
      file,
      split: (line) => line.split("\t"),
      fields: 3,
      exact: true,
      columns: [
        { key: "frequency_Hz", index: 0, name: "Frequency", unit: "Hz", what: "frequency" },
        { key: "z_real_ohm", index: 1, name: "Zre", unit: "" },
        { key: "z_imag_ohm", index: 2, name: "Zimg", unit: "" },
      ],
      where: "after the column line",
    });
    const meta = makeMeta(options, {
      format: "powersuite_txt",
      instrument: "PowerSuite",
      techniques: ["EIS"],
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});
