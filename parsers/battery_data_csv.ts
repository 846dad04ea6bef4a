// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * "BatteryData" raw CSV (`p492-13-raw.csv` in battery-data-toolkit's tests, the standardized
 * time series of the DOE battery data hub): one header of unit-suffixed names
 * (`Cycle_Index,Step,Time_s,Amphr,Watthr,Current_A,Voltage_V,…,Charge_Capacity_Ah,
 * Discharge_Capacity_Ah,…,Frequency_Hz,Z_Imag_Ohm,…,Z_Real_Ohm,…,Cycle_Label,Segment_Label,…`),
 * `NaN` for values a row does not have.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { finishCounters, source } from "./_columns.ts";
import { isoFromNaiveSeconds, splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { selectRows } from "./_series.ts";
import { type Mapping, readTable, type Target } from "./_table.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedRead } from "./_damage.ts";

/** The first header fields of every such file. */
const LEAD = ["Cycle_Index", "Step", "Time_s", "Amphr", "Watthr", "Current_A", "Voltage_V"];

/** Known columns → targets (SI units already; current positive on charge). */
const KNOWN: Record<string, Target> = {
  Cycle_Index: "cycle_index",
  Step: "step_index",
  Time_s: "time_s",
  Current_A: "current_A",
  Voltage_V: "voltage_V",
  Cell_Temperature_C: "temperature_C",
  Charge_Capacity_Ah: "charge_capacity_Ah",
  Discharge_Capacity_Ah: "discharge_capacity_Ah",
  Charge_Energy_Wh: "charge_energy_Wh",
  Discharge_Energy_Wh: "discharge_energy_Wh",
};

/** Days from MATLAB's day 0 (year 0) to 1970-01-01, for `Datenum_d`. */
const DATENUM_1970 = 719529;

function detect(head: Uint8Array, _fileName: string): Detection {
  const first = splitLines(decodeHead(head).slice(0, 4096))[0] ?? "";
  const fields = splitFields(first, ",");
  if (LEAD.every((name, k) => fields[k] === name)) {
    return { confidence: 1, reason: "BatteryData header (Cycle_Index,Step,Time_s,Amphr,...)" };
  }
  return { confidence: 0, reason: "" };
}

/** Extra name of an unknown numeric column: `Temp2` → `temp2`, `Power_W` → `power_W`. */
function extraName(name: string): string {
  const m = /^(.*?)_(Ah_V|V_Ah|Ah|Wh|W|V|A|s|d|Hz|Ohm|Degree|C)$/.exec(name);
  if (!m) return name.toLowerCase();
  const unit = { Ohm: "ohm", Degree: "deg", Ah_V: "Ah_per_V", V_Ah: "V_per_Ah" }[m[2]] ?? m[2];
  return `${m[1].toLowerCase()}_${unit}`;
}

/**
 * Read a BatteryData raw CSV. Current is positive on charge and the capacity and energy
 * counters restart at every step; both are kept as written. Rows with a finite `Frequency_Hz`
 * are impedance points: each run of them becomes a {@link Spectrum} (`Z_Imag_Ohm` is the signed
 * imaginary part: positive, inductive, at the highest frequencies) and leaves the cycling
 * series. `Datenum_d` (MATLAB day number, the tester's local time) gives `start_time`; the text
 * columns `Cycle_Label` and `Segment_Label` are not read.
 *
 * @param bytes The whole file.
 * @param options File name and naming rule.
 * @returns The recording: cycling series and, when the file has impedance rows, spectra.
 * @throws {ParseError} Without the BatteryData header, or for a row of the wrong length or a
 *   value that is not a number (naming the line).
 *
 * @example Usage
 * ```ts
 * import { parseBatteryDataCsv } from "./battery_data_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "Cycle_Index,Step,Time_s,Amphr,Watthr,Current_A,Voltage_V,Charge_Capacity_Ah," +
 *   "Discharge_Capacity_Ah,Frequency_Hz,Z_Real_Ohm,Z_Imag_Ohm\n" +
 *   "1,1,0,0,0,0.5,3.6,0,0,NaN,NaN,NaN\n1,1,3600,0.5,1.8,0.5,3.7,0.5,0,NaN,NaN,NaN\n" +
 *   "1,2,3700,0,0,0,3.7,0,0,1000,0.02,-0.001\n";
 * const rec = parseBatteryDataCsv(new TextEncoder().encode(text), { fileName: "x.csv" });
 * equal(rec.series!.length, 2);
 * equal(rec.spectra![0].z_imag_ohm[0], -0.001);
 * ```
 */
export function parseBatteryDataCsv(bytes: Uint8Array, options: ParseOptions): Recording {
  return checkedRead(bytes, { ...options, text: true, read: readBatteryDataCsv });
}

function readBatteryDataCsv(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const h = splitFields(lines[0] ?? "", ",").map((x) => x.trim());
  if (!LEAD.every((name, k) => h[k] === name)) {
    throw new ParseError(file, `line 1: not a BatteryData header (${LEAD.join(",")},...)`, {
      line: 1,
    });
  }
  const mappings: Mapping[] = [];
  const unread: string[] = [];
  h.forEach((name, index) => {
    const unit = name.includes("_") ? name.slice(name.indexOf("_") + 1) : "";
    const target = KNOWN[name];
    if (target) mappings.push({ index, target, unit });
    else if (name === "Cycle_Label" || name === "Segment_Label") unread.push(name);
    else if (name !== "") mappings.push({ index, target: `extras.${extraName(name)}`, unit });
  });
  const table = readTable(lines, 0, h, mappings, { file, delimiter: "," });
  const all = table.series;
  const warnings = [...table.warnings];
  if (unread.length > 0) warnings.push(`columns not read (text): ${unread.join(", ")}`);
  const freq = all.extras.frequency_Hz;
  const eis: number[] = [], other: number[] = [];
  for (let k = 0; k < all.length; k++) (freq && Number.isFinite(freq[k]) ? eis : other).push(k);
  const spectra: Spectrum[] = [];
  if (eis.length > 0) {
    const re = all.extras.z_real_ohm, im = all.extras.z_imag_ohm;
    if (!re || !im) {
      throw new ParseError(file, "line 1: impedance rows without Z_Real_Ohm and Z_Imag_Ohm", {
        line: 1,
      });
    }
    let start = 0;
    for (let j = 1; j <= eis.length; j++) {
      if (j < eis.length && eis[j] === eis[j - 1] + 1) continue;
      const rows = eis.slice(start, j);
      const pick = (a: Float64Array) => Float64Array.from(rows, (k) => a[k]);
      const spectrum: Spectrum = {
        length: rows.length,
        frequency_Hz: pick(freq!),
        z_real_ohm: pick(re),
        z_imag_ohm: pick(im),
        sequence: spectra.length,
        cycle: all.cycle_index[rows[0]],
        extras: { time_s: pick(all.time_s) },
        columns: {
          frequency_Hz: source("Frequency_Hz", "Hz"),
          z_real_ohm: source("Z_Real_Ohm", "Ohm"),
          z_imag_ohm: source("Z_Imag_Ohm", "Ohm", 1, "signed Im(Z), positive when inductive"),
          time_s: source("Time_s", "s"),
        },
      };
      for (const name of ["z_mag_ohm", "z_phase_deg"]) {
        const a = all.extras[name];
        if (a) {
          spectrum.extras[name] = pick(a);
          spectrum.columns[name] = all.columns[name];
        }
      }
      spectra.push(spectrum);
      start = j;
    }
    warnings.push(
      `${eis.length} impedance rows (finite Frequency_Hz) read as ${spectra.length} spectra, ` +
        "not as cycling rows",
    );
  }
  const series = eis.length > 0 ? selectRows(all, Int32Array.from(other)) : all;
  for (const name of ["frequency_Hz", "z_real_ohm", "z_imag_ohm", "z_mag_ohm", "z_phase_deg"]) {
    delete series.extras[name];
    delete series.columns[name];
  }
  const datenum = series.extras.datenum_d;
  if (datenum && series.length > 0 && Number.isFinite(datenum[0])) {
    const seconds = (datenum[0] - DATENUM_1970) * 86400 - series.time_s[0];
    series.start_time = isoFromNaiveSeconds(Math.round(seconds * 1000) / 1000);
  }
  warnings.push(...finishCounters(series));
  const meta = makeMeta(options, {
    format: "battery_data_csv",
    instrument: "BatteryData",
    start_time: series.start_time,
    techniques: spectra.length > 0 ? ["Cycling", "EIS"] : ["Cycling"],
    warnings,
  });
  const recording: Recording = { meta, series };
  if (spectra.length > 0) recording.spectra = spectra;
  return recording;
}

/** The BatteryData CSV format for the registry. */
export const batteryDataCsv: FormatParser = {
  id: "battery_data_csv",
  name: "BatteryData raw CSV",
  instrument: "BatteryData",
  extensions: [".csv"],
  kind: "cycling+eis",
  detect,
  parse: parseBatteryDataCsv,
};
