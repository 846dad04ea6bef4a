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
 * pyDRTtools / pandas CSV spectra: the header `,Freq,Real,Imag` (an unnamed row-index column),
 * then `index,f,Re Z,Im Z` rows. `Imag` is the signed imaginary part.
 *
 * @example Usage
 * ```ts
 * import { drttoolsCsv } from "./drttools_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = ",Freq,Real,Imag\n0,0.01,69.8,-0.58\n1,0.0126,69.9,-0.68\n";
 * const rec = drttoolsCsv.parse(new TextEncoder().encode(text), { fileName: "2ZARC0.csv" });
 * equal(rec.spectra![0].length, 2);
 * equal(rec.spectra![0].z_imag_ohm[0], -0.58);
 * ```
 */
export const drttoolsCsv: FormatParser = checkedFormat("text", {
  id: "drttools_csv",
  name: "pyDRTtools CSV (,Freq,Real,Imag)",
  instrument: "Other",
  extensions: [".csv"],
  kind: "eis",
  detect(head: Uint8Array) {
    const first = decodeHead(head).split(/\r?\n/, 1)[0] ?? "";
    return /^,Freq,Real,Imag\s*$/.test(first)
      ? { confidence: 0.95, reason: "header ,Freq,Real,Imag" }
      : { confidence: 0, reason: "no ,Freq,Real,Imag header" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    if (!/^,Freq,Real,Imag\s*$/.test(lines[0] ?? "")) {
      throw new ParseError(file, 'line 1: expected the header ",Freq,Real,Imag"', { line: 1 });
    }
    const { builder, columns } = readPoints(lines, 1, {
      file,
      split: (line) => line.split(","),
      fields: 4,
      exact: true,
      columns: [
        { key: "frequency_Hz", index: 1, name: "Freq", unit: "" },
        { key: "z_real_ohm", index: 2, name: "Real", unit: "" },
        { key: "z_imag_ohm", index: 3, name: "Imag", unit: "" },
      ],
      where: "after the header",
    });
    const meta = makeMeta(options, {
      format: "drttools_csv",
      instrument: "Other",
      techniques: ["EIS"],
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});
