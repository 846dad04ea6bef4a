// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { column, parseNumberField, requirePoints, SpectrumBuilder, usDateTime } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, extensionOf, splitLines } from "./_text.ts";

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
export const gamryDta: FormatParser = {
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
    const builder = new SpectrumBuilder();
    const warnings: string[] = [];
    let i = start + 3;
    for (; i < lines.length; i++) {
      const line = lines[i];
      if (!line.startsWith("\t")) break;
      if (line.trim() === "") continue;
      const f = line.split("\t");
      const n = i + 1;
      if (f.length <= Math.max(iF, iRe, iIm)) {
        throw new ParseError(file, `line ${n} has ${f.length} fields, expected ${names.length}`, {
          line: n,
        });
      }
      const extras: Record<string, number> = {};
      if (iT >= 0) extras.time_s = parseNumberField(f[iT], file, n, "Time");
      if (iI >= 0) extras.dc_current_A = parseNumberField(f[iI], file, n, "Idc");
      if (iV >= 0) extras.dc_voltage_V = parseNumberField(f[iV], file, n, "Vdc");
      builder.push(
        parseNumberField(f[iF], file, n, "Freq"),
        parseNumberField(f[iRe], file, n, "Zreal"),
        parseNumberField(f[iIm], file, n, "Zimag"),
        extras,
      );
    }
    const aborted = lines.slice(i).some((l) => l.startsWith("EXPERIMENTABORTED"));
    if (aborted) {
      warnings.push(`experiment aborted: ${builder.length} points measured before the abort`);
    }
    requirePoints(builder, file, "in the ZCURVE table");
    const unit = (idx: number): string => units[idx] ?? "";
    const columns = {
      frequency_Hz: column("Freq", unit(iF)),
      z_real_ohm: column("Zreal", unit(iRe)),
      z_imag_ohm: column("Zimag", unit(iIm)),
      ...(iT >= 0 ? { time_s: column("Time", unit(iT)) } : {}),
      ...(iI >= 0 ? { dc_current_A: column("Idc", unit(iI)) } : {}),
      ...(iV >= 0 ? { dc_voltage_V: column("Vdc", unit(iV)) } : {}),
    };
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
};
