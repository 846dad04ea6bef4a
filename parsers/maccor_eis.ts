// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Maccor FRA impedance exports (`<test>.EDA0001.041`), one spectrum per file.
 *
 * Layout learned from BEEP (`MaccorDatapath.MaccorEIS`, Apache-2.0): ten header lines (title,
 * frequency sweep, procedure, output file, `Start Date: ... Start Time: ...`, instrument
 * settings), then a tab-separated table with ZView-style column names.
 *
 * @module
 */

import type { ColumnSource } from "../lib/model/cycling_series.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { findColumn, isBlank, lastDataLine, source } from "./_columns.ts";
import { MONTH_NAMES, naiveIso, numberAt } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat, damageWarning } from "./_damage.ts";

function findTable(lines: readonly string[]): number {
  for (let i = 0; i < Math.min(lines.length, 40); i++) {
    const f = lines[i].split("\t").map((x) => x.trim());
    if (
      findColumn(f, "Freq(Hz)") >= 0 && findColumn(f, "Z'(a)") >= 0 && findColumn(f, "Z''(b)") >= 0
    ) {
      return i;
    }
  }
  return -1;
}

function detect(head: Uint8Array, _fileName: string): Detection {
  const lines = splitLines(decodeHead(head).slice(0, 16384));
  const maccor = /^MACCOR.*AC Impedance/i.test(lines[0] ?? "");
  const table = findTable(lines) >= 0;
  if (maccor && table) {
    return {
      confidence: 1,
      reason: "MACCOR AC Impedance Test title and Freq(Hz)/Z'(a)/Z''(b) table",
    };
  }
  if (maccor) return { confidence: 0.7, reason: "MACCOR AC Impedance Test title" };
  return { confidence: 0, reason: "" };
}

/** Parse `"Start Date:  Wednesday, November 2, 2016 Start Time:   15:58"` to naive ISO. */
function startTime(line: string): string | null {
  const m =
    /Start Date:\s*(?:[A-Za-z]+,\s*)?([A-Za-z]+)\s+(\d{1,2}),\s*(\d{4})\s*Start Time:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?/
      .exec(line);
  if (!m) return null;
  const month = MONTH_NAMES.findIndex((name) => name.toLowerCase() === m[1].toLowerCase()) + 1;
  if (month === 0) return null;
  const day = Number(m[2]), hour = Number(m[4]), minute = Number(m[5]);
  if (day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  return naiveIso({
    year: Number(m[3]),
    month,
    day,
    hour,
    minute,
    second: m[6] ? Number(m[6]) : 0,
  });
}

/**
 * The Maccor FRA impedance export reader: one {@link Spectrum} in file order.
 *
 * - `Z'(a)` is the real part and `Z''(b)` the signed imaginary part (capacitive negative), as in
 *   ZView files whose column names Maccor uses; the file's own `Phase_Angle` column equals
 *   atan2(Z'', Z') and confirms the sign. The file states no impedance unit: ohm is assumed (the
 *   ZView convention) and said so in `warnings`.
 * - Extras: `time_s` (`time(sec)`), `phase_deg`, `z_mod_ohm`, `capacitance_F`, `voltage_V`
 *   (`V-DC`). `Polar(V)` (it holds 2πf) and empty diagnostic columns are not read.
 * - Data lines may stop before the last header columns (empty trailing columns are omitted).
 */
export const maccorEis: FormatParser = checkedFormat("text", {
  id: "maccor_eis",
  name: "Maccor FRA impedance export",
  instrument: "Maccor",
  extensions: [".nnn"],
  kind: "eis",
  detect,
  parse: parseMaccorEis,
});

function parseMaccorEis(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const at = findTable(lines);
  if (at < 0) {
    throw new ParseError(file, "no Freq(Hz) / Z'(a) / Z''(b) table header in the first 40 lines", {
      line: 1,
    });
  }
  const h = lines[at].split("\t").map((x) => x.trim());
  const c = {
    f: findColumn(h, "Freq(Hz)"),
    re: findColumn(h, "Z'(a)"),
    im: findColumn(h, "Z''(b)"),
    time: findColumn(h, "time(sec)"),
    phase: findColumn(h, "Phase_Angle"),
    mag: findColumn(h, "Z-Mag"),
    cap: findColumn(h, "C(F)"),
    vdc: findColumn(h, "V-DC"),
  };
  const required = Math.max(c.f, c.re, c.im) + 1;
  const last = lastDataLine(lines);
  const warnings = [
    "the file states no impedance unit; ohm assumed (ZView column names Z'(a), Z''(b))",
  ];
  const rows: number[][] = [];
  const extrasIdx: [string, number][] = (
    [["time_s", c.time], ["phase_deg", c.phase], ["z_mod_ohm", c.mag], ["capacitance_F", c.cap], [
      "voltage_V",
      c.vdc,
    ]] as [string, number][]
  ).filter(([, i]) => i >= 0);
  for (let i = at + 1; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const f = lines[i].split("\t");
    const lineNo = i + 1;
    if (f.length < required) {
      if (i === last && rows.length > 0) {
        warnings.push(damageWarning(
          "truncated_last_line",
          `line ${lineNo} is cut short (file truncated?) and was dropped`,
        ));
        break;
      }
      throw new ParseError(
        file,
        `line ${lineNo} has ${f.length} fields, expected at least ${required}`,
        {
          line: lineNo,
        },
      );
    }
    const row = [
      numberAt(f[c.f], file, lineNo, h[c.f]),
      numberAt(f[c.re], file, lineNo, h[c.re]),
      numberAt(f[c.im], file, lineNo, h[c.im]),
    ];
    for (const [, idx] of extrasIdx) {
      row.push(idx < f.length ? numberAt(f[idx], file, lineNo, h[idx]) : NaN);
    }
    rows.push(row);
  }
  if (rows.length === 0) {
    throw new ParseError(file, `no data rows after the table header on line ${at + 1}`, {
      line: at + 2,
    });
  }
  const n = rows.length;
  const col = (k: number): Float64Array => Float64Array.from(rows, (r) => r[k]);
  const extras: Record<string, Float64Array> = {};
  const columns: Record<string, ColumnSource> = {
    frequency_Hz: source(h[c.f], "Hz"),
    z_real_ohm: source(h[c.re], "", 1, "unit not stated; ohm per the ZView convention"),
    z_imag_ohm: source(h[c.im], "", 1, "signed imaginary part; unit not stated, ohm assumed"),
  };
  const units: Record<string, string> = {
    time_s: "s",
    phase_deg: "deg",
    z_mod_ohm: "",
    capacitance_F: "F",
    voltage_V: "V",
  };
  extrasIdx.forEach(([name, idx], k) => {
    extras[name] = col(3 + k);
    columns[name] = source(h[idx], units[name]);
  });
  const spectrum: Spectrum = {
    length: n,
    frequency_Hz: col(0),
    z_real_ohm: col(1),
    z_imag_ohm: col(2),
    sequence: 0,
    extras,
    columns,
  };
  const header: Record<string, string> = {};
  const title = lines[0]?.trim() ?? "";
  if (title) header.title = title;
  for (let i = 1; i < at; i++) {
    const m = /^([^:]+):\s*(.*)$/.exec(lines[i].trim());
    if (m && !/Start Time:/.test(lines[i])) header[m[1].trim()] = m[2].trim();
  }
  const startLine = lines.slice(0, at).find((l) => /Start Date:/.test(l));
  if (startLine) header["Start Date"] = startLine.trim();
  if (at > 3 && lines[2]) header.Procedure = lines[2].trim();
  if (at > 3 && lines[3]) header["Output File"] = lines[3].trim();
  const start = startLine ? startTime(startLine) : null;
  const meta = makeMeta(options, {
    format: "maccor_eis",
    instrument: "Maccor",
    techniques: ["EIS"],
    start_time: start,
    header,
    warnings,
  });
  return { meta, spectra: [spectrum] };
}
