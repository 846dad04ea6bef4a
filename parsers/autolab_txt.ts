// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { readPoints, zviewColumns } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import { checkedFormat, countMismatchWarning } from "./_damage.ts";

/**
 * Autolab (Metrohm) impedance text export in the comma-separated Z60W layout: a
 * `"Z60W Data File: Version 1.1"` line, quoted header lines, a settings line, the number of
 * points, a quoted column line `Freq (Hz) Ampl Bias Time(Sec) Z'(a) Z''(b) GD Err Range`, then
 * one point per line. `Z''(b)` is the signed imaginary part.
 *
 * Layout facts learned from impedance.py's `readAutolab` (MIT) and its example file.
 *
 * @example Usage
 * ```ts
 * import { autolabTxt } from "./autolab_txt.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = [
 *   '"Z60W Data File: Version 1.1"', "0,2,0,1,0.1,10000", "2",
 *   "\"  Freq (Hz)    Ampl     Bias   Time(Sec)   Z'(a)    Z''(b)    GD   Err   Range\"",
 *   "10000,0,0,0,0.0137,0.0071,0,0,0", "0.1,0,0,0,0.0345,-0.0039,0,0,0",
 * ].join("\n");
 * const rec = autolabTxt.parse(new TextEncoder().encode(text), { fileName: "a.txt" });
 * equal(rec.spectra![0].length, 2);
 * equal(rec.spectra![0].z_imag_ohm[1], -0.0039);
 * ```
 */
export const autolabTxt: FormatParser = checkedFormat("text", {
  id: "autolab_txt",
  name: "Autolab impedance text export (Z60W)",
  instrument: "Autolab",
  extensions: [".txt", ".dfr"],
  kind: "eis",
  detect(head: Uint8Array) {
    const text = decodeHead(head);
    const signature = /^"?Z60W Data File/.test(text.replace(/^\uFEFF|^ï»¿/, ""));
    const columns = /"\s*Freq \(Hz\)\s+Ampl\s+Bias\s+Time\(Sec\)\s+Z'\(a\)\s+Z''\(b\)/.test(text);
    if (signature && columns) return { confidence: 1, reason: "Z60W signature and column line" };
    if (columns) return { confidence: 0.8, reason: "Autolab column line" };
    if (signature) return { confidence: 0.6, reason: "Z60W signature" };
    return { confidence: 0, reason: "no Z60W signature" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    let headLine = -1;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].includes("Freq") && lines[i].includes("Z'")) {
        headLine = i;
        break;
      }
    }
    if (headLine < 0) throw new ParseError(file, `no "Freq (Hz)" column line`);
    const names = lines[headLine].replace(/"/g, "").trim().split(/\s{2,}|\t/).map((s) => s.trim());
    const iF = names.findIndex((n) => n.startsWith("Freq"));
    const iRe = names.findIndex((n) => n.startsWith("Z'("));
    const iIm = names.findIndex((n) => n.startsWith("Z''("));
    const iT = names.findIndex((n) => n.startsWith("Time"));
    if (iF < 0 || iRe < 0 || iIm < 0) {
      throw new ParseError(file, `line ${headLine + 1}: expected Freq, Z'(a) and Z''(b) columns`, {
        line: headLine + 1,
      });
    }
    const { builder, columns } = readPoints(lines, headLine + 1, {
      file,
      split: (line) => line.trim().split(","),
      fields: names.length,
      columns: zviewColumns(names, { f: iF, re: iRe, im: iIm, time: iT }),
      where: "after the column line",
    });
    const warnings: string[] = [];
    const declared = Number((lines[headLine - 1] ?? "").trim());
    if (Number.isInteger(declared) && declared > 0 && declared !== builder.length) {
      warnings.push(
        countMismatchWarning(
          "data points",
          { count: declared, where: `line ${headLine}` },
          builder.length,
        ),
      );
    }
    const version = lines[0].match(/Version\s+([\d.]+)/);
    const meta = makeMeta(options, {
      format: "autolab_txt",
      instrument: "Autolab",
      format_version: version ? `Z60W ${version[1]}` : null,
      techniques: ["EIS"],
      header: { settings: (lines[headLine - 2] ?? "").trim() },
      warnings,
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});
