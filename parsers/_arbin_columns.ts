// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Column mapping shared by the Arbin CSV and XLSX readers: Arbin column names (MITS Pro 7 and 8
 * exports, with or without units in parentheses, spaces or underscores) to the normalized
 * {@link CyclingSeries} columns, with unit conversion and provenance.
 *
 * @module
 */

import type { ColumnSource, CyclingSeries } from "../lib/model/cycling_series.ts";
import type { CsvColumnKind } from "./_csv_numeric.ts";
import { NUMERIC_FIELD } from "./_delimited.ts";
import { integrateMissingCounters } from "./_series.ts";
import { type Quantity, unitFactor, UNITS } from "./_units.ts";
import { ParseError } from "./parse_error.ts";

/** What one file column becomes. */
export interface ArbinColumnPlan {
  /** Column index in the file. */
  index: number;
  /** Name as written, without the unit. */
  original_name: string;
  /** Unit as written in parentheses, or `""`. */
  original_unit: string;
  /** Normalized name (`"voltage_V"`, `"step_time_s"`, ...), or `""` for date/unread columns. */
  target: string;
  /** Where the values go. */
  role: "series" | "counter" | "temperature" | "extra" | "date" | "unread";
  /** How the reader reads the column. */
  kind: CsvColumnKind;
  /** Normalized value = file value × scale. */
  scale: number;
}

/** Known Arbin columns by normalized name (lower case, runs of spaces/underscores → `_`). */
const KNOWN: Record<
  string,
  { target: string; role: ArbinColumnPlan["role"]; q: Quantity | "none" }
> = {
  test_time: { target: "time_s", role: "series", q: "time" },
  voltage: { target: "voltage_V", role: "series", q: "voltage" },
  current: { target: "current_A", role: "series", q: "current" },
  charge_capacity: { target: "charge_capacity_Ah", role: "series", q: "capacity" },
  discharge_capacity: { target: "discharge_capacity_Ah", role: "series", q: "capacity" },
  charge_energy: { target: "charge_energy_Wh", role: "series", q: "energy" },
  discharge_energy: { target: "discharge_energy_Wh", role: "series", q: "energy" },
  cycle_index: { target: "cycle_index", role: "counter", q: "none" },
  step_index: { target: "step_index", role: "counter", q: "none" },
  step_time: { target: "step_time_s", role: "extra", q: "time" },
  internal_resistance: { target: "internal_resistance_ohm", role: "extra", q: "resistance" },
  acr: { target: "acr_ohm", role: "extra", q: "resistance" },
  "dv/dt": { target: "dv_dt_V_per_s", role: "extra", q: "rate" },
  power: { target: "power_W", role: "extra", q: "power" },
  capacity: { target: "capacity_Ah", role: "extra", q: "capacity" },
  ac_impedance: { target: "ac_impedance_ohm", role: "extra", q: "resistance" },
  data_point: { target: "data_point", role: "extra", q: "none" },
  date_time: { target: "", role: "date", q: "none" },
  datetime: { target: "", role: "date", q: "none" },
  date: { target: "", role: "date", q: "none" },
};

/** Split `"Voltage (V)"` / `"Voltage(V)"` into name and unit; `"Voltage"` has unit `""`. */
export function splitNameUnit(text: string): { name: string; unit: string } {
  const m = /^(.*?)\s*\(([^()]*)\)\s*(_\d+)?$/.exec(text.trim());
  if (!m || m[1] === "") return { name: text.trim(), unit: "" };
  return { name: m[1] + (m[3] ?? ""), unit: m[2].trim() };
}

function keyOf(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_]+/g, "_");
}

/** `"C/s"` → `"C_per_s"`, `"Ohm"` → `"ohm"`, for names of generic extras. */
function unitSuffix(unit: string): string {
  return unit.replace(/^ohms?$/i, "ohm").replace(/°/g, "").replace(/\//g, "_per_")
    .replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "column";
}

/** The plan of a column left unread (what every plan starts from). */
export function unreadPlan(
  index: number,
  original: { name: string; unit: string },
): ArbinColumnPlan {
  return {
    index,
    original_name: original.name,
    original_unit: original.unit,
    target: "",
    role: "unread",
    kind: "skip",
    scale: 1,
  };
}

/** True when the header has the columns every Arbin cycling export has. */
export function hasArbinColumns(header: string[]): boolean {
  const keys = new Set(header.map((h) => keyOf(splitNameUnit(h).name)));
  return keys.has("test_time") && keys.has("step_index") && keys.has("cycle_index") &&
    keys.has("voltage") && keys.has("current");
}

/**
 * Plan how to read each column of an Arbin header.
 *
 * @param header Column names as written.
 * @param firstRow Fields of the first data row (text), to tell numeric unknown columns from
 *   text ones; `null` when unknown (every unknown column is then read as a number).
 * @param file File name for errors.
 * @returns One plan per column.
 * @throws {ParseError} For a known quantity with a unit it cannot convert.
 */
export function planArbinColumns(
  header: string[],
  firstRow: (string | number | null)[] | null,
  file: string,
): ArbinColumnPlan[] {
  const used = new Set<string>();
  let temperatureTaken = false;
  const plans: ArbinColumnPlan[] = [];
  const unique = (name: string): string => {
    let out = name, k = 2;
    while (used.has(out)) out = `${name}_${k++}`;
    used.add(out);
    return out;
  };
  header.forEach((text, index) => {
    const { name, unit } = splitNameUnit(text);
    const key = keyOf(name);
    const plan = unreadPlan(index, { name: text, unit });
    const known = KNOWN[key];
    const scaleFor = (q: Quantity): number => {
      const scale = unitFactor(q, unit);
      if (scale === undefined) {
        throw new ParseError(
          file,
          `column "${text}" has unit "${unit}", which cannot be converted (known: ${
            Object.keys(UNITS[q]).filter((u) => u !== "").join(", ")
          })`,
          { line: 1 },
        );
      }
      return scale;
    };
    if (text.trim() === "") {
      // an empty header field (for example a trailing delimiter): nothing to read
    } else if (
      known && !(known.role !== "extra" && known.role !== "date" && used.has(known.target))
    ) {
      plan.role = known.role;
      if (known.role === "date") {
        plan.kind = "skip";
      } else {
        plan.target = unique(known.target);
        plan.kind = known.role === "counter" ? "int" : "float";
        plan.scale = known.q === "none" ? 1 : scaleFor(known.q);
      }
    } else if (/temperature/.test(key) && !/dt|rate/.test(key)) {
      const scale = scaleFor("temperature");
      plan.kind = "float";
      plan.scale = scale;
      if (!temperatureTaken) {
        temperatureTaken = true;
        plan.role = "temperature";
        plan.target = "temperature_C";
        used.add("temperature_C");
      } else {
        plan.role = "extra";
        plan.target = unique(`${slug(name)}_C`);
      }
    } else if (/^aux_voltage/.test(key)) {
      plan.role = "extra";
      plan.kind = "float";
      plan.scale = scaleFor("voltage");
      plan.target = unique(`${slug(name)}_V`);
    } else {
      const value = firstRow?.[index];
      const numeric = firstRow === null || value === null || value === undefined ||
        typeof value === "number" || value === "" || NUMERIC_FIELD.test(value);
      if (numeric) {
        plan.role = "extra";
        plan.kind = "float";
        const special: Record<string, string> = {
          "mah/g": "specific_capacity_mAh_per_g",
          "dq/dv": "dq_dv",
          "dv/dq": "dv_dq",
          aci_phase_angle: "aci_phase_angle",
        };
        const base = special[key] ?? slug(name);
        const suffix = unitSuffix(unit);
        plan.target = unique(suffix ? `${base}_${suffix}` : base);
      }
    }
    plans.push(plan);
  });
  return plans;
}

/** Options of {@link buildArbinSeries}. */
export interface BuildArbinSeriesOptions {
  /** File name for errors. */
  file: string;
  /** Absolute time of the first row (ISO 8601) or `null`. */
  startTime: string | null;
  /** Line of the header, for errors. @default {1} */
  headerLine?: number;
}

/**
 * Assemble a {@link CyclingSeries} from columns read by plan (scaling in place: the arrays must
 * belong to the caller). Missing capacity/energy counters are integrated (marked `derived`).
 *
 * @returns The series and warnings for the file's `meta.warnings`.
 * @throws {ParseError} When time, voltage or current is missing.
 */
export function buildArbinSeries(
  plans: ArbinColumnPlan[],
  columns: (Float64Array | Int32Array | null)[],
  length: number,
  options: BuildArbinSeriesOptions,
): { series: CyclingSeries; warnings: string[] } {
  const warnings: string[] = [];
  const byTarget = new Map<string, ArbinColumnPlan>();
  for (const plan of plans) if (plan.target) byTarget.set(plan.target, plan);
  for (
    const [target, label] of [
      ["time_s", "Test Time"],
      ["voltage_V", "Voltage"],
      ["current_A", "Current"],
    ]
  ) {
    if (!byTarget.has(target)) {
      throw new ParseError(
        options.file,
        `no ${label} column (columns: ${plans.map((p) => p.original_name).join(", ")})`,
        { line: options.headerLine ?? 1 },
      );
    }
  }
  const sources: Record<string, ColumnSource> = {};
  const float = (target: string): Float64Array => {
    const plan = byTarget.get(target);
    const column = plan ? columns[plan.index] : null;
    if (!plan || !(column instanceof Float64Array)) return new Float64Array(length).fill(NaN);
    if (plan.scale !== 1) {
      // Divide by 1000 rather than multiply by 1e-3 (not exact): 3.06 mAh → 0.00306 Ah.
      const inverse = Math.round(1 / plan.scale);
      if (plan.scale < 1 && Math.abs(1 / plan.scale - inverse) < 1e-6) {
        for (let i = 0; i < length; i++) column[i] /= inverse;
      } else {
        for (let i = 0; i < length; i++) column[i] *= plan.scale;
      }
    }
    sources[target] = {
      original_name: plan.original_name,
      original_unit: plan.original_unit,
      scale: plan.scale,
    };
    return column.length === length ? column : column.subarray(0, length);
  };
  const int = (target: string): Int32Array => {
    const plan = byTarget.get(target);
    const column = plan ? columns[plan.index] : null;
    if (!plan || !(column instanceof Int32Array)) return new Int32Array(length);
    sources[target] = { original_name: plan.original_name, original_unit: "", scale: 1 };
    return column.length === length ? column : column.subarray(0, length);
  };
  const series: CyclingSeries = {
    length,
    time_s: float("time_s"),
    voltage_V: float("voltage_V"),
    current_A: float("current_A"),
    charge_capacity_Ah: float("charge_capacity_Ah"),
    discharge_capacity_Ah: float("discharge_capacity_Ah"),
    charge_energy_Wh: float("charge_energy_Wh"),
    discharge_energy_Wh: float("discharge_energy_Wh"),
    step_index: int("step_index"),
    cycle_index: int("cycle_index"),
    extras: {},
    start_time: options.startTime,
    columns: sources,
  };
  if (byTarget.has("temperature_C")) series.temperature_C = float("temperature_C");
  for (const plan of plans) {
    if (plan.role === "extra") series.extras[plan.target] = float(plan.target);
  }
  for (const missing of ["step_index", "cycle_index"]) {
    if (!byTarget.has(missing)) warnings.push(`no ${missing} column: set to 0`);
  }
  const unread = plans.filter((p) => p.role === "unread" && p.original_name.trim() !== "");
  if (unread.length > 0) {
    warnings.push(
      `columns not read (not numeric): ${unread.map((p) => `"${p.original_name}"`).join(", ")}`,
    );
  }
  warnings.push(...integrateMissingCounters(series));
  return { series, warnings };
}

/**
 * Arbin `Date_Time` text to ISO 8601 without offset (the instrument's local time, as written):
 * `07/21/2023 10:02:35.631` → `2023-07-21T10:02:35.631`. Month first (Arbin's US default)
 * unless the first number is above 12. Also accepts ISO-like `2023-07-21 10:02:35`, a 12-hour
 * clock with AM/PM, and Unix seconds (`1494645243.4715`, BEEP exports; given in UTC with `Z`).
 *
 * @returns The ISO text, or `null` when the text is not a date.
 */
export function arbinDateToIso(text: string): string | null {
  const t = text.trim();
  if (/^\d{9,11}(\.\d*)?$/.test(t)) return new Date(Math.round(Number(t) * 1000)).toISOString();
  let y: number, mo: number, d: number, rest: string;
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ T]+(.*)$/.exec(t);
  if (m) {
    const a = Number(m[1]), b = Number(m[2]);
    [mo, d] = a > 12 ? [b, a] : [a, b];
    y = Number(m[3]);
    rest = m[4];
  } else {
    m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(.*)$/.exec(t);
    if (!m) return null;
    [y, mo, d, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]];
  }
  const tm = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([AaPp][Mm])?$/.exec(rest.trim());
  if (!tm || mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  let h = Number(tm[1]);
  if (tm[5]) {
    const pm = tm[5].toLowerCase() === "pm";
    if (h === 12) h = pm ? 12 : 0;
    else if (pm) h += 12;
  }
  const p2 = (x: number): string => String(x).padStart(2, "0");
  const frac = tm[4] ? "." + tm[4].padEnd(3, "0").slice(0, 3) : "";
  return `${y}-${p2(mo)}-${p2(d)}T${p2(h)}:${tm[2]}:${tm[3] ?? "00"}${frac}`;
}

/**
 * Excel serial day number (1900 date system, as Arbin XLSX exports write `Date_Time`) to ISO
 * 8601 without offset, rounded to the millisecond: `44123.480400253473` →
 * `2020-10-19T11:31:46.582`.
 */
export function excelSerialToIso(serial: number): string {
  const ms = Math.round((serial - 25569) * 86400000); // 25569 = days from 1899-12-30 to 1970-01-01
  return new Date(ms).toISOString().replace("Z", "");
}
