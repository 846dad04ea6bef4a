// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { readPoints, usDateTime, zviewColumns } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, extensionOf, splitLines } from "./_text.ts";
import { checkedFormat, countMismatchWarning } from "./_damage.ts";

/**
 * Scribner ZPlot `.z` text files. Two layouts:
 *
 * - `ZPLOT2 ASCII`: `Key: value` header lines, a column line
 *   `Freq(Hz) Ampl Bias Time(Sec) Z'(a) Z''(b) GD Err Range`, `End Comments`, then one point per
 *   line (tab or comma separated).
 * - ZPlot for Windows without comments (`"ZPlotW Data File: Version 3.2c"`): quoted header
 *   lines, `Date: 12-17-2019    Time: 16:24:35` on one line, the sweep settings, the declared
 *   number of points alone on the line before the quoted, space-separated column line, then the
 *   points (comma separated) with no `End Comments` line.
 *
 * `Z''(b)` is the signed imaginary part. When the declared number of points (`Data Points`, or
 * the count line of the second layout) disagrees with the rows present, a warning says so.
 *
 * Layout facts learned from impedance.py's `readZPlot` (MIT) and its example files
 * `exampleDataZPlot.z` and `exampleDataZPlot_noComments.z`.
 *
 * @example Usage
 * ```ts
 * import { zplotZ } from "./zplot_z.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = [
 *   "ZPLOT2 ASCII", "  Date:                       10-12-2018", "  Data Points:                2",
 *   "  Freq(Hz)\tAmpl\tBias\tTime(Sec)\tZ'(a)\tZ''(b)\tGD\tErr\tRange", "End Comments",
 *   "1.0E+03\t0.01\t0\t1\t29.1\t-1.5\t0\t0\t4", "1.0E+00\t0.01\t0\t9\t75.8\t-0.2\t0\t0\t4",
 * ].join("\n");
 * const rec = zplotZ.parse(new TextEncoder().encode(text), { fileName: "x.z" });
 * equal(rec.spectra![0].length, 2);
 * equal(rec.spectra![0].z_real_ohm[1], 75.8);
 * ```
 */
export const zplotZ: FormatParser = checkedFormat("text", {
  id: "zplot_z",
  name: "Scribner ZPlot .z file",
  instrument: "ZPlot",
  extensions: [".z"],
  kind: "eis",
  detect(head: Uint8Array, fileName: string) {
    const text = decodeHead(head);
    if (text.startsWith("ZPLOT2 ASCII")) return { confidence: 1, reason: "ZPLOT2 ASCII signature" };
    if (/^"ZPlotW Data File/.test(text)) {
      return { confidence: 1, reason: "ZPlotW Data File signature" };
    }
    if (/Freq\(Hz\)[\t ,]+Ampl/.test(text) && text.includes("End Comments")) {
      return { confidence: 0.8, reason: "ZPlot column line and End Comments" };
    }
    return extensionOf(fileName) === ".z"
      ? { confidence: 0.05, reason: ".z extension only" }
      : { confidence: 0, reason: "no ZPLOT2 signature" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    const header: Record<string, string> = {};
    let headLine = -1, endComments = -1;
    // Quotes around header lines and the column line (ZPlotW layout) are not part of them.
    const unquote = (line: string): string => line.trim().replace(/^"(.*)"$/, "$1");
    for (let i = 0; i < lines.length; i++) {
      const line = unquote(lines[i]);
      if (/^\s*Freq\(Hz\)/.test(line)) {
        headLine = i;
        // ZPlotW: no End Comments line; the points follow the column line.
        if (/^"?ZPlotW/.test(lines[0])) break;
      } else if (/^\s*End Comments/.test(line)) {
        endComments = i;
        break;
      } else {
        // `Date: 12-17-2019    Time: 16:24:35` (ZPlotW) holds two fields on one line.
        const both = line.match(/^\s*Date:\s*(\S+)\s+Time:\s*(\S+)\s*$/);
        if (both) {
          header["Date"] ??= both[1];
          header["Time"] ??= both[2];
          continue;
        }
        const m = line.match(/^\s*([^:]+?):\s*(.*)$/);
        if (m && !(m[1] in header)) header[m[1]] = m[2].trim();
      }
    }
    if (headLine < 0) {
      throw new ParseError(file, `no "Freq(Hz)" column line in lines 1–${lines.length}`);
    }
    const columnLine = unquote(lines[headLine]);
    // Column names: tab or comma separated (ZPLOT2), or runs of spaces (ZPlotW).
    const names =
      (/\t|,/.test(columnLine) ? columnLine.trim().split(/\t|, ?/) : columnLine.trim().split(/\s+/))
        .map((s) => s.trim());
    // ZPlotW: the line before the column line is the declared number of points.
    if (
      headLine > 0 && header["Data Points"] === undefined && /^\s*\d+\s*$/.test(lines[headLine - 1])
    ) {
      header["Data Points"] = lines[headLine - 1].trim();
    }
    const find = (re: RegExp, what: string): number => {
      const idx = names.findIndex((n) => re.test(n));
      if (idx < 0) {
        throw new ParseError(file, `line ${headLine + 1}: no ${what} column`, {
          line: headLine + 1,
        });
      }
      return idx;
    };
    const iF = find(/^Freq/, "frequency");
    const iRe = find(/^Z'\(/, "Z'");
    const iIm = find(/^Z''\(/, "Z''");
    const iT = names.findIndex((n) => /^Time\(Sec\)/i.test(n));
    const { builder, columns } = readPoints(lines, Math.max(headLine, endComments) + 1, {
      file,
      split: (line) => line.trim().split(/\t|, ?/),
      fields: names.length,
      columns: zviewColumns(names, { f: iF, re: iRe, im: iIm, time: iT }),
      where: "after the column line",
    });
    const warnings: string[] = [];
    const declared = Number(header["Data Points"]);
    if (Number.isInteger(declared) && declared !== builder.length) {
      warnings.push(
        countMismatchWarning(
          "data points",
          { count: declared, where: "the header" },
          builder.length,
        ),
      );
    }
    const area = Number(header["Surface Area"]);
    const version = header["Measured Data, ZPlot"];
    const meta = makeMeta(options, {
      format: "zplot_z",
      instrument: "ZPlot",
      format_version: version
        ? `ZPlot ${version}`
        : header["ZPlotW Data File"]
        ? `ZPlotW ${header["ZPlotW Data File"].replace(/^Version\s*/, "")}`
        : null,
      start_time: usDateTime(header["Date"], header["Time"]),
      electrode_area_cm2: Number.isFinite(area) && area > 0 ? area : null,
      techniques: [header["Experiment Type"] ?? "EIS"],
      header,
      warnings,
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});
