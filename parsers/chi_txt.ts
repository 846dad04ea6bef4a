// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { readPoints } from "./_eis.ts";
import { MONTH_NAMES, naiveIso } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import { checkedFormat } from "./_damage.ts";

/**
 * CH Instruments "A.C. Impedance" text export: a date line (`Feb. 20, 2020   15:55:08`), the
 * technique, `Key: value` and `Key = value` settings, the column line
 * `Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg`, a blank line, then comma-separated points.
 * `Z"` is the signed imaginary part.
 *
 * Layout facts learned from impedance.py's `readCHInstruments` (MIT) and its example file.
 *
 * @example Usage
 * ```ts
 * import { chiTxt } from "./chi_txt.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = [
 *   "Feb. 20, 2020   15:55:08", "A.C. Impedance", "Instrument Model:  CHI660E", "",
 *   'Freq/Hz, Z\'/ohm, Z"/ohm, Z/ohm, Phase/deg', "",
 *   "9.961e+4, 9.891e+1, -2.748e+0, 9.894e+1, -1.6", "1.000e-1, 5.685e+3, -1.586e+4, 1.685e+4, -70.3",
 * ].join("\n");
 * const rec = chiTxt.parse(new TextEncoder().encode(text), { fileName: "c.txt" });
 * equal(rec.spectra![0].length, 2);
 * equal(rec.meta.start_time, "2020-02-20T15:55:08");
 * ```
 */
export const chiTxt: FormatParser = checkedFormat("text", {
  id: "chi_txt",
  name: "CH Instruments A.C. Impedance text export",
  instrument: "CH Instruments",
  extensions: [".txt"],
  kind: "eis",
  detect(head: Uint8Array) {
    const text = decodeHead(head);
    const columns = /\nFreq\/Hz,\s*Z'\/ohm,\s*Z"\/ohm/.test(text);
    if (columns && text.includes("A.C. Impedance")) {
      return { confidence: 1, reason: "A.C. Impedance technique and CHI column line" };
    }
    if (columns) return { confidence: 0.8, reason: "CHI column line" };
    return { confidence: 0, reason: "no CHI impedance column line" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    const header: Record<string, string> = {};
    let headLine = -1;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith("Freq/Hz")) {
        headLine = i;
        break;
      }
      const m = line.match(/^([^:=]+?)\s*[:=]\s*(.*)$/);
      if (m && !/^\w{3}\.? \d/.test(line)) header[m[1].trim()] = m[2].trim();
    }
    if (headLine < 0) throw new ParseError(file, `no "Freq/Hz" column line`);
    const names = lines[headLine].split(",").map((s) => s.trim());
    if (names.length < 3) {
      throw new ParseError(
        file,
        `line ${headLine + 1} names ${names.length} column(s), expected at least 3 ` +
          `(Freq/Hz, Z'/ohm, Z"/ohm)`,
        { line: headLine + 1 },
      );
    }
    const unitOf = (name: string): string => name.split("/")[1] ?? "";
    const { builder, columns } = readPoints(lines, headLine + 1, {
      file,
      split: (line) => line.trim().split(","),
      fields: names.length,
      columns: (["frequency_Hz", "z_real_ohm", "z_imag_ohm"] as const).map((key, index) => ({
        key,
        index,
        name: names[index],
        unit: unitOf(names[index]),
        what: ["frequency", "Z'", 'Z"'][index],
      })),
      where: "after the column line",
    });
    const meta = makeMeta(options, {
      format: "chi_txt",
      instrument: "CH Instruments",
      start_time: chiDate(lines[0] ?? ""),
      device: header["Instrument Model"] ?? null,
      techniques: [(lines[1] ?? "").trim() || "A.C. Impedance"],
      header,
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});

/** `Feb. 20, 2020   15:55:08` → `2020-02-20T15:55:08`, else `null`. */
function chiDate(line: string): string | null {
  const m = line.trim().match(/^(\w{3})\w*\.?\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})$/);
  if (!m) return null;
  const month = MONTH_NAMES.findIndex((name) => name.startsWith(m[1])) + 1;
  if (month === 0) return null;
  const [day, year, hour, minute, second] = m.slice(2).map(Number);
  return naiveIso({ year, month, day, hour, minute, second });
}
