// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { column, parseNumberField, SpectrumBuilder } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * VersaStudio `.par` files: `<Section>` … `</Section>` blocks of `key=value` lines. Each
 * `<SegmentN>` block has a `Definition=` line naming the comma-separated columns, then the
 * points. Every segment with `Frequency(Hz)`, `Z Real` and `Z Imag` columns becomes one spectrum
 * (`Z Imag` is the signed imaginary part); segments without impedance columns are skipped.
 *
 * Layout facts learned from impedance.py's `readVersaStudio` (MIT) and its example file.
 *
 * @example Usage
 * ```ts
 * import { versastudioPar } from "./versastudio_par.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = [
 *   "<Application>", "Name=VersaStudio", "Version=2.52.3.0", "</Application>", "<Segment1>",
 *   "Definition=Segment #, Point #, Frequency(Hz), Z Real, Z Imag",
 *   "0,0,100000,55.3,4.57", "0,1,77426.37,56.9,-1.66", "</Segment1>",
 * ].join("\n");
 * const rec = versastudioPar.parse(new TextEncoder().encode(text), { fileName: "v.par" });
 * equal(rec.spectra![0].length, 2);
 * equal(rec.meta.format_version, "VersaStudio 2.52.3.0");
 * ```
 */
export const versastudioPar: FormatParser = {
  id: "versastudio_par",
  name: "VersaStudio .par file",
  instrument: "VersaStudio",
  extensions: [".par"],
  kind: "eis",
  detect(head: Uint8Array) {
    const text = decodeHead(head);
    if (text.startsWith("<Application>") && /\nName=VersaStudio/.test(text)) {
      return { confidence: 1, reason: "<Application> block naming VersaStudio" };
    }
    return { confidence: 0, reason: "no VersaStudio <Application> block" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    const header: Record<string, string> = {};
    const spectra: Spectrum[] = [];
    const warnings: string[] = [];
    let section = "";
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      const open = line.match(/^<(\w+)>$/);
      if (open) {
        section = open[1];
        continue;
      }
      if (/^<\/\w+>$/.test(line)) {
        section = "";
        continue;
      }
      if (!/^Segment\d+$/.test(section)) {
        const eq = line.indexOf("=");
        if (section && eq > 0) header[`${section}.${line.slice(0, eq)}`] = line.slice(eq + 1);
        continue;
      }
      if (!line.startsWith("Definition=")) continue;
      const names = line.slice("Definition=".length).split(",").map((s) => s.trim());
      const iF = names.indexOf("Frequency(Hz)"), iRe = names.indexOf("Z Real");
      const iIm = names.indexOf("Z Imag"), iT = names.indexOf("Elapsed Time(s)");
      const iV = names.indexOf("E(V)"), iI = names.indexOf("I(A)");
      const builder = new SpectrumBuilder();
      let j = i + 1;
      for (; j < lines.length && !lines[j].trim().startsWith("</"); j++) {
        if (lines[j].trim() === "" || iF < 0 || iRe < 0 || iIm < 0) continue;
        const f = lines[j].split(",");
        const n = j + 1;
        if (f.length <= Math.max(iF, iRe, iIm)) {
          throw new ParseError(file, `line ${n} has ${f.length} fields, expected ${names.length}`, {
            line: n,
          });
        }
        const extras: Record<string, number> = {};
        if (iT >= 0) extras.time_s = parseNumberField(f[iT], file, n, "Elapsed Time(s)");
        if (iV >= 0) extras.dc_voltage_V = parseNumberField(f[iV], file, n, "E(V)");
        if (iI >= 0) extras.dc_current_A = parseNumberField(f[iI], file, n, "I(A)");
        builder.push(
          parseNumberField(f[iF], file, n, "Frequency(Hz)"),
          parseNumberField(f[iRe], file, n, "Z Real"),
          parseNumberField(f[iIm], file, n, "Z Imag"),
          extras,
        );
      }
      if (iF < 0 || iRe < 0 || iIm < 0) {
        warnings.push(`${section} has no impedance columns; skipped`);
      } else if (builder.length > 0) {
        spectra.push(builder.build({
          frequency_Hz: column("Frequency(Hz)", "Hz"),
          z_real_ohm: column("Z Real", ""),
          z_imag_ohm: column("Z Imag", ""),
          ...(iT >= 0 ? { time_s: column("Elapsed Time(s)", "s") } : {}),
          ...(iV >= 0 ? { dc_voltage_V: column("E(V)", "V") } : {}),
          ...(iI >= 0 ? { dc_current_A: column("I(A)", "A") } : {}),
        }, spectra.length));
      }
      i = j - 1;
    }
    if (spectra.length === 0) throw new ParseError(file, "no segment with impedance points");
    const area = Number(header["Action0.Working Electrode Area (cm2)"]);
    const mass = Number(header["Action0.Mass (g)"]);
    const version = header["Application.Version"];
    const meta = makeMeta(options, {
      format: "versastudio_par",
      instrument: "VersaStudio",
      format_version: version ? `VersaStudio ${version}` : null,
      start_time: parDate(header["Experiment.DateAcquired"], header["Experiment.TimeAcquired"]),
      device: [header["Instrument.Type"], header["Instrument.SN"]].filter(Boolean).join(" ") ||
        null,
      electrode_area_cm2: area > 0 ? area : null,
      active_mass_g: mass > 0 ? mass : null,
      techniques: [header["Action1.Name"] ?? "EIS"],
      header,
      warnings,
    });
    return { meta, spectra };
  },
};

/** `Thursday, July 19, 2018` + `9:40:30 AM` → `2018-07-19T09:40:30`, else `null`. */
function parDate(date: string | undefined, time: string | undefined): string | null {
  const d = date?.match(/(\w+) (\d{1,2}), (\d{4})$/);
  const t = time?.match(/^(\d{1,2}):(\d{2}):(\d{2})\s*(AM|PM)?$/i);
  if (!d || !t) return null;
  const month = MONTHS.indexOf(d[1]) + 1;
  if (month === 0) return null;
  const hour = t[4] ? (Number(t[1]) % 12) + (t[4].toUpperCase() === "PM" ? 12 : 0) : Number(t[1]);
  const p = (v: string | number): string => String(v).padStart(2, "0");
  return `${d[3]}-${p(month)}-${p(d[2])}T${p(hour)}:${t[2]}:${t[3]}`;
}
