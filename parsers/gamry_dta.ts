// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { type PointColumn, readPoints, usDateTime } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, extensionOf, splitLines } from "./_text.ts";
import { checkedFormat } from "./_damage.ts";

/**
 * Gamry Framework `.DTA` impedance files (potentiostatic and galvanostatic EIS). The header is
 * `KEY<TAB>TYPE<TAB>VALUE...` lines; the spectrum is the `ZCURVE` table (a column-name line, a
 * unit line, then rows that start with a tab). A run stopped early has an `EXPERIMENTABORTED`
 * line after the last point; the points measured before it are read and a warning is added.
 * Columns: `Freq` (Hz), `Zreal` and `Zimag` (Ω, signed), `Time` (s), `Idc` (A), `Vdc` (V).
 *
 * Layout facts learned from impedance.py's `readGamry` (MIT) and the example files.
 *
 * @example Usage
 * ```ts
 * import { gamryDta } from "./gamry_dta.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = [
 *   "EXPLAIN", "TAG\tEISPOT", "DATE\tLABEL\t4/23/2018\tDate", "TIME\tLABEL\t16:43:15\tTime",
 *   "ZCURVE\tTABLE", "\tPt\tTime\tFreq\tZreal\tZimag", "\t#\ts\tHz\tohm\tohm",
 *   "\t0\t1\t1000\t10.5\t-2.5", "\t1\t2\t100\t12\t-4",
 * ].join("\n");
 * const rec = gamryDta.parse(new TextEncoder().encode(text), { fileName: "x.DTA" });
 * equal(rec.spectra![0].length, 2);
 * equal(rec.spectra![0].z_imag_ohm[1], -4);
 * equal(rec.meta.start_time, "2018-04-23T16:43:15");
 * ```
 */
export const gamryDta: FormatParser = checkedFormat("text", {
  id: "gamry_dta",
  name: "Gamry DTA impedance file",
  instrument: "Gamry",
  extensions: [".dta"],
  kind: "eis",
  detect(head: Uint8Array, fileName: string) {
    const text = decodeHead(head.subarray(0, 65536));
    const isDta = text.startsWith("EXPLAIN") && /\nTAG\t/.test(text);
    if (isDta && /\nZCURVE\t/.test(text)) {
      return { confidence: 1, reason: "EXPLAIN header with a ZCURVE table" };
    }
    if (isDta && /\nTAG\t\w*EIS/.test(text)) {
      return { confidence: 0.95, reason: "EXPLAIN header with an EIS tag" };
    }
    if (isDta) return { confidence: 0.3, reason: "Gamry EXPLAIN header (no impedance table yet)" };
    return extensionOf(fileName) === ".dta"
      ? { confidence: 0.05, reason: ".DTA extension only" }
      : { confidence: 0, reason: "no EXPLAIN header" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    const header: Record<string, string> = {};
    let start = -1;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.startsWith("ZCURVE\t") || line === "ZCURVE") {
        start = i;
        break;
      }
      if (line.startsWith("\t") || line.trim() === "") continue;
      const f = line.split("\t");
      if (f.length >= 3 && f[1] !== "TABLE") header[f[0]] = f[2].trim();
      else if (f.length === 2) header[f[0]] = f[1].trim();
    }
    if (start < 0) throw new ParseError(file, "no ZCURVE table (not an impedance measurement)");
    const names = (lines[start + 1] ?? "").split("\t").map((s) => s.trim());
    const units = (lines[start + 2] ?? "").split("\t").map((s) => s.trim());
    const col = (name: string, required: boolean): number => {
      const idx = names.indexOf(name);
      if (idx < 0 && required) {
        throw new ParseError(file, `line ${start + 2}: ZCURVE has no "${name}" column`, {
          line: start + 2,
        });
      }
      return idx;
    };
    const iF = col("Freq", true), iRe = col("Zreal", true), iIm = col("Zimag", true);
    const iT = col("Time", false), iI = col("Idc", false), iV = col("Vdc", false);
    const at = (key: string, index: number): PointColumn => ({
      key,
      index,
      name: names[index],
      unit: units[index] ?? "",
    });
    const { builder, columns, end } = readPoints(lines, start + 3, {
      file,
      split: (line) => line.split("\t"),
      fields: names.length,
      columns: [
        ...[at("time_s", iT), at("dc_current_A", iI), at("dc_voltage_V", iV)].filter((c) =>
          c.index >= 0
        ),
        at("frequency_Hz", iF),
        at("z_real_ohm", iRe),
        at("z_imag_ohm", iIm),
      ],
      stop: (line) => !line.startsWith("\t"), // the table's rows start with a tab
      where: "in the ZCURVE table",
    });
    const warnings: string[] = [];
    const aborted = lines.slice(end).some((l) => l.startsWith("EXPERIMENTABORTED"));
    if (aborted) {
      warnings.push(`experiment aborted: ${builder.length} points measured before the abort`);
    }
    const area = Number(header.AREA);
    const meta = makeMeta(options, {
      format: "gamry_dta",
      instrument: "Gamry",
      format_version: header.FRAMEWORKVERSION ? `Framework ${header.FRAMEWORKVERSION}` : null,
      start_time: usDateTime(header.DATE, header.TIME),
      device: header.PSTAT ?? null,
      electrode_area_cm2: Number.isFinite(area) && area > 0 ? area : null,
      techniques: [header.TAG ?? "EIS"],
      header,
      warnings,
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});
