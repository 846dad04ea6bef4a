// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Novonix UHPC CSV exports: `[Summary]`, `[Protocol]` and `[Data]` sections.
 *
 * Layout learned from BEEP (`beep/structure/novonix.py`, Apache-2.0), PyProBE
 * (`pyprobe/cyclers/novonix.py`, BSD-3-Clause) and preparenovonix (`novonix_variables.py`, MIT);
 * the code is ours. Facts the reader relies on:
 * - `Capacity (Ah)` (and `Energy (Wh)`) is the net charge passed: it rises on charge and falls on
 *   discharge, across steps and cycles (preparenovonix's HPC 3.0 example: −0.4328 Ah after a 1.5 A
 *   discharge, rising again from there on the next charge; BEEP's formation file: 0.00066925 Ah
 *   at the end of its CC-CV charge, rising from there in the next CC charge step). PyProBE reads
 *   it unchanged as its net `Capacity [Ah]`.
 * - `Step Type` codes (preparenovonix): 0 open circuit, 1 CC charge, 2 CC discharge (older HPC
 *   files write 1 for a CC discharge too), 7 and 8 the CC and CV phases of a CC-CV charge, 9 and 10
 *   those of a CC-CV discharge. BEEP's table files 8 under discharge; the CV hold of a charge runs
 *   at positive current. The codes are kept as `step_type` but decide nothing: each increment of
 *   the net counter is filed by its sign, checked against the sign of the current.
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
 * - `Capacity (Ah)` / `Energy (Wh)` are net counters (rising on charge, falling on discharge):
 *   their rises become the charge counters and their falls the discharge counters (running
 *   totals). An increment counts only when the current at either end of its interval has its
 *   sign; changes against the current (a counter restarted, a file that counts otherwise) are
 *   left out and reported in `warnings` when they exceed 0.1 % of the charge passed. The file's
 *   values are kept as extras `net_capacity_Ah` / `net_energy_Wh`.
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

/** What {@link splitNetCounter} counted and left out. */
interface NetSplit {
  /** Sum of the increments counted (both directions). */
  counted: number;
  /** Sum of the magnitudes of the increments left out (against the current). */
  against: number;
  /** How many increments were left out. */
  rows: number;
}

/**
 * Split a net counter (rising on charge, falling on discharge) into running totals of its rises
 * (`up`) and of its falls (`down`). An increment (difference to the previous finite value) counts
 * when the current at either end of its interval has its sign; otherwise it is left out and
 * tallied. Rows where the counter is not finite get `NaN`; the first finite value is the baseline.
 */
function splitNetCounter(
  net: Float64Array,
  current: Float64Array,
  up: Float64Array,
  down: Float64Array,
): NetSplit {
  let rise = 0, fall = 0, against = 0, rows = 0;
  let prev = NaN, prevRow = -1;
  for (let k = 0; k < net.length; k++) {
    const v = net[k];
    if (!Number.isFinite(v)) {
      up[k] = NaN;
      down[k] = NaN;
      continue;
    }
    if (prevRow >= 0) {
      const dq = v - prev, a = current[k], b = current[prevRow];
      if (dq > 0 && (a > 0 || b > 0)) rise += dq;
      else if (dq < 0 && (a < 0 || b < 0)) fall -= dq;
      else if (dq !== 0) {
        against += Math.abs(dq);
        rows++;
      }
    }
    up[k] = rise;
    down[k] = fall;
    prev = v;
    prevRow = k;
  }
  return { counted: rise + fall, against, rows };
}

/** A warning when the changes left out by {@link splitNetCounter} exceed 0.1 % of those counted. */
function againstCurrentWarning(column: string, split: NetSplit, unit: string): string | null {
  if (!(split.against > 1e-3 * split.counted)) return null;
  return `"${column}" changed against the direction of the current on ${split.rows} row(s), ` +
    `by ${Number(split.against.toPrecision(4))} ${unit} in all (${
      Number(split.counted.toPrecision(4))
    } ${unit} counted): those changes were left out of the charge and discharge counters`;
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
      target: "extras.net_capacity_Ah",
      unit: cap.unit,
      scale: milli(cap.unit),
    });
  }
  if (energy) {
    mappings.push({
      index: energy.index,
      target: "extras.net_energy_Wh",
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

  // Net counters → charge / discharge running totals, by the sign of each increment.
  const note = "running total of the rises (charge) or falls (discharge) of the net counter, " +
    "where the current has the same sign";
  const split = (
    column: { index: number; unit: string } | null,
    net: Float64Array | undefined,
    [up, down]: ["charge_capacity_Ah", "discharge_capacity_Ah"] | [
      "charge_energy_Wh",
      "discharge_energy_Wh",
    ],
    unit: string,
  ): void => {
    if (!column || !net) return;
    const counted = splitNetCounter(net, s.current_A, s[up], s[down]);
    const name = h[column.index], scale = milli(column.unit);
    s.columns[up] = source(name, column.unit, scale, note);
    s.columns[down] = source(name, column.unit, scale, note);
    const w = againstCurrentWarning(name, counted, unit);
    if (w) warnings.push(w);
  };
  split(cap, s.extras.net_capacity_Ah, ["charge_capacity_Ah", "discharge_capacity_Ah"], "Ah");
  split(energy, s.extras.net_energy_Wh, ["charge_energy_Wh", "discharge_energy_Wh"], "Wh");
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
