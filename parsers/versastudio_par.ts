// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { type PointColumn, readPoints } from "./_eis.ts";
import { MONTH_NAMES, naiveIso } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import { checkedFormat } from "./_damage.ts";

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
export const versastudioPar: FormatParser = checkedFormat("text", {
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
      const at = (key: string, name: string, unit: string): PointColumn => ({
        key,
        index: names.indexOf(name),
        name,
        unit,
      });
      const main = [
        at("frequency_Hz", "Frequency(Hz)", "Hz"),
        at("z_real_ohm", "Z Real", ""),
        at("z_imag_ohm", "Z Imag", ""),
      ];
      if (main.some((c) => c.index < 0)) {
        // The segment's rows are skipped by the loop: they are not `Definition=` lines.
        warnings.push(`${section} has no impedance columns; skipped`);
        continue;
      }
      const optional = [
        at("time_s", "Elapsed Time(s)", "s"),
        at("dc_voltage_V", "E(V)", "V"),
        at("dc_current_A", "I(A)", "A"),
      ];
      const { builder, columns, end } = readPoints(lines, i + 1, {
        file,
        split: (row) => row.split(","),
        fields: names.length,
        columns: [...optional.filter((c) => c.index >= 0), ...main],
        stop: (row) => row.trim().startsWith("</"),
      });
      if (builder.length > 0) spectra.push(builder.build(columns, spectra.length));
      i = end - 1;
    }
    if (spectra.length === 0) {
      throw new ParseError(file, `no segment with impedance points in lines 1–${lines.length}`);
    }
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
});

/** `Thursday, July 19, 2018` + `9:40:30 AM` → `2018-07-19T09:40:30`, else `null`. */
function parDate(date: string | undefined, time: string | undefined): string | null {
  const d = date?.match(/(\w+) (\d{1,2}), (\d{4})$/);
  const t = time?.match(/^(\d{1,2}):(\d{2}):(\d{2})\s*(AM|PM)?$/i);
  if (!d || !t) return null;
  const month = MONTH_NAMES.indexOf(d[1]) + 1;
  if (month === 0) return null;
  const hour = t[4] ? (Number(t[1]) % 12) + (t[4].toUpperCase() === "PM" ? 12 : 0) : Number(t[1]);
  const [day, minute, second] = [d[2], t[2], t[3]].map(Number);
  return naiveIso({ year: Number(d[3]), month, day, hour, minute, second });
}
