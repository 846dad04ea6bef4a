// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Novonix UHPC CSV exports: `[Summary]`, `[Protocol]` and `[Data]` sections.
 *
 * Layout and step-type codes learned from BEEP (`beep/structure/novonix.py`, Apache-2.0) and
 * PyProBE (`pyprobe/cyclers/novonix.py`, BSD-3-Clause); the code is ours.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { findColumn, finishCounters, source } from "./_columns.ts";
import { splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { UNITS } from "./_units.ts";
import { type Mapping, matchColumn, readTable } from "./_table.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

/** Novonix step types (BEEP's table): which direction the step's `Capacity` counts. */
const STEP_TYPES: Record<number, "charge" | "discharge" | "rest"> = {
  0: "rest",
  1: "charge", // CC charge
  2: "discharge", // CC discharge
  7: "charge", // CCCV charge
  8: "discharge", // CV hold discharge
  9: "discharge", // CCCV discharge
  10: "discharge", // CCCV hold discharge
};

function detect(head: Uint8Array, _fileName: string): Detection {
  const text = decodeHead(head);
  if (/^\[Summary\]/.test(text) && /Novonix/i.test(text.slice(0, 2000))) {
    return { confidence: 1, reason: "[Summary] section naming Novonix" };
  }
  if (/^\[Summary\]/.test(text) && /\n\[Data\]/.test(text)) {
    return { confidence: 0.6, reason: "[Summary] and [Data] sections (Novonix layout)" };
  }
  return { confidence: 0, reason: "" };
}

/**
 * The Novonix CSV reader.
 *
 * - Current is signed as written (positive on charge; checked against the capacity counters).
 * - `Capacity (Ah)` / `Energy (Wh)` count per step; by `Step Type` they become the charge
 *   counters (types 1, 7) or discharge counters (2, 8, 9, 10), 0 on other rows. Unknown step
 *   types are listed in `warnings` and counted by the sign of current.
 * - `Run Time (h)` → `time_s`; `Step Time (h)` → extra `step_time_s`; `Temperature (°C)` →
 *   `temperature_C`; `Circuit Temperature` → extra `circuit_temperature_C`; `dVdt (V/h)` →
 *   `dv_dt_V_per_s`; `Power(W)` → `power_W`; `Step Type` → `step_type`.
 */
export const novonixCsv: FormatParser = checkedFormat("text", {
  id: "novonix_csv",
  name: "Novonix UHPC CSV",
  instrument: "Novonix",
  extensions: [".csv"],
  kind: "cycling",
  detect,
  parse: parseNovonix,
});

/**
 * Some Novonix exports (BEEP's `test_Nova_Form-CH01-01_short.csv`) wrap whole lines in double
 * quotes: `"2022-04-11 10:58:07 AM,1,0,…"`. A line that starts and ends with a quote and holds no
 * other quote is unwrapped in place. Returns how many lines were.
 */
function unwrapQuotedLines(lines: string[]): number {
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length >= 2 && line[0] === '"' && line.endsWith('"')) {
      const inner = line.slice(1, -1);
      if (!inner.includes('"')) {
        lines[i] = inner;
        count++;
      }
    }
  }
  return count;
}

function parseNovonix(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const quoted = unwrapQuotedLines(lines);
  const dataAt = lines.findIndex((l) => l.trim() === "[Data]");
  if (dataAt < 0 || dataAt + 1 >= lines.length) {
    throw new ParseError(file, "no [Data] section with a column header", { line: 1 });
  }
  const headerIndex = dataAt + 1;
  const h = splitFields(lines[headerIndex], ",").map((x) => x.trim());
  const header: Record<string, string> = {};
  for (let i = 0; i < dataAt; i++) {
    const line = lines[i];
    if (line.startsWith("[")) continue;
    const m = /^([^:{]+):\s*(.*)$/.exec(line);
    if (m) header[m[1].trim()] = m[2].trim();
  }
  const req = (pattern: RegExp, what: string): { index: number; unit: string } => {
    const c = matchColumn(h, pattern);
    if (!c) {
      throw new ParseError(file, `line ${headerIndex + 1}: no ${what} column`, {
        line: headerIndex + 1,
      });
    }
    return c;
  };
  const time = req(/^Run Time \((?<unit>h|min|s)\)$/, "Run Time");
  const current = req(/^Current \((?<unit>A|mA)\)$/, "Current");
  const voltage = req(/^Potential \((?<unit>V|mV)\)$/, "Potential");
  const cap = matchColumn(h, /^Capacity \((?<unit>Ah|mAh)\)$/);
  const energy = matchColumn(h, /^Energy \((?<unit>Wh|mWh)\)$/);
  const stepType = findColumn(h, "Step Type");
  const milli = (u: string): number => (u.startsWith("m") ? 1e-3 : 1);
  const mappings: Mapping[] = [
    { index: time.index, target: "time_s", unit: time.unit, scale: UNITS.time[time.unit] },
    { index: current.index, target: "current_A", unit: current.unit, scale: milli(current.unit) },
    { index: voltage.index, target: "voltage_V", unit: voltage.unit, scale: milli(voltage.unit) },
  ];
  const opt = (
    pattern: RegExp,
    target: Mapping["target"],
    scale: (unit: string) => number,
  ): void => {
    const c = matchColumn(h, pattern);
    if (c) mappings.push({ index: c.index, target, unit: c.unit, scale: scale(c.unit) });
  };
  opt(/^Step Time \((?<unit>h|min|s)\)$/, "extras.step_time_s", (u) => UNITS.time[u]);
  opt(/^Temperature \((?<unit>°C)\)$/, "temperature_C", () => 1);
  opt(/^Circuit Temperature \((?<unit>°C)\)$/, "extras.circuit_temperature_C", () => 1);
  opt(/^dVdt \((?<unit>V\/h)\)$/, "extras.dv_dt_V_per_s", () => 1 / 3600);
  opt(/^Power\s*\((?<unit>W)\)$/, "extras.power_W", () => 1);
  if (cap) {
    mappings.push({
      index: cap.index,
      target: "extras.step_capacity_Ah",
      unit: cap.unit,
      scale: milli(cap.unit),
    });
  }
  if (energy) {
    mappings.push({
      index: energy.index,
      target: "extras.step_energy_Wh",
      unit: energy.unit,
      scale: milli(energy.unit),
    });
  }
  if (stepType >= 0) mappings.push({ index: stepType, target: "extras.step_type", unit: "" });
  const step = findColumn(h, "Step Number");
  const cycle = findColumn(h, "Cycle Number");
  if (step >= 0) mappings.push({ index: step, target: "step_index", unit: "" });
  if (cycle >= 0) mappings.push({ index: cycle, target: "cycle_index", unit: "" });
  const dt = findColumn(h, "Date and Time");
  const table = readTable(lines, headerIndex, h, mappings, {
    file,
    delimiter: ",",
    dateTime: dt >= 0 ? { index: dt, order: "ymd" } : undefined,
  });
  const s = table.series;
  const warnings = table.warnings;
  if (quoted > 0) warnings.push(`${quoted} line(s) wrapped in double quotes were read unwrapped`);

  // Per-step counters → charge / discharge counters by step type.
  const q = s.extras.step_capacity_Ah, e = s.extras.step_energy_Wh, types = s.extras.step_type;
  const unknown = new Map<number, number>();
  for (let k = 0; k < s.length; k++) {
    let dir = types ? STEP_TYPES[types[k]] : undefined;
    if (types && dir === undefined) unknown.set(types[k], (unknown.get(types[k]) ?? 0) + 1);
    if (dir === undefined) {
      dir = s.current_A[k] > 0 ? "charge" : s.current_A[k] < 0 ? "discharge" : "rest";
    }
    if (q) {
      s.charge_capacity_Ah[k] = dir === "charge" ? Math.abs(q[k]) : 0;
      s.discharge_capacity_Ah[k] = dir === "discharge" ? Math.abs(q[k]) : 0;
    }
    if (e) {
      s.charge_energy_Wh[k] = dir === "charge" ? Math.abs(e[k]) : 0;
      s.discharge_energy_Wh[k] = dir === "discharge" ? Math.abs(e[k]) : 0;
    }
  }
  if (unknown.size > 0) {
    warnings.push(
      `unknown Step Type codes counted by the sign of current: ${
        [...unknown].map(([k, v]) => `${k} (${v} rows)`).join(", ")
      }`,
    );
  }
  if (cap) {
    const note = "per-step counter assigned by Step Type (BEEP's table)";
    s.columns.charge_capacity_Ah = source(h[cap.index], cap.unit, milli(cap.unit), note);
    s.columns.discharge_capacity_Ah = source(h[cap.index], cap.unit, milli(cap.unit), note);
  }
  if (energy) {
    const note = "per-step counter assigned by Step Type";
    s.columns.charge_energy_Wh = source(h[energy.index], energy.unit, milli(energy.unit), note);
    s.columns.discharge_energy_Wh = source(h[energy.index], energy.unit, milli(energy.unit), note);
  }
  if (cycle < 0) warnings.push("no Cycle Number column; cycle_index is 0");
  warnings.push(...finishCounters(s));
  const num = (key: string): number | null => {
    const v = Number(header[key]);
    return header[key] !== undefined && header[key] !== "" && Number.isFinite(v) ? v : null;
  };
  const channel = num("Channel");
  const meta = makeMeta(options, {
    format: "novonix_csv",
    instrument: "Novonix",
    format_version: header["Version"] ? `UHPC ${header["Version"]}` : null,
    start_time: s.start_time,
    techniques: ["Cycling"],
    header,
    warnings,
    active_mass_g: num("Mass (g)"),
    electrode_area_cm2: num("Area (cm2)"),
    device: header["Serial Number"] || null,
  });
  if (channel !== null) meta.channel = channel;
  return { meta, series: s };
}
