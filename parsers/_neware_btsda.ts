// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.
//
// The record table that Neware's BTSDA software exports (CSV or XLSX): one row per record with
// `DataPoint`, `Cycle Index`, `Step Index`, `Step Type`, `Time` (step time), `Total Time` (or
// `Cumulative Time`), `Current(<unit>)`, `Voltage(<unit>)`, capacity and energy counters
// (`Chg. Cap.(<unit>)` / `DChg. Cap.(<unit>)` or one `Capacity(<unit>)` per step), `Date`,
// `Power(<unit>)` and auxiliary channels (`T1(°C)`, `V1(V)`). Units vary with the export
// settings (A/mA/µA, V/mV, Ah/mAh/mAs, Wh/mWh/mWs). Column names as seen in the cellpy, fastnda
// and PyProBE sample exports; the code is ours.

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import { counterAt, finishCounters, source } from "./_columns.ts";
import {
  badField,
  isoFromNaiveSeconds,
  naiveSeconds,
  numberAt,
  parseClockSeconds,
  parseNaiveDateTime,
} from "./_delimited.ts";
import { NEWARE_STATES } from "./_neware_common.ts";
import { allocSeries, truncateSeries } from "./_series.ts";
import { ParseError } from "./parse_error.ts";

/** A cell as read: text (CSV, XLSX strings) or a number (XLSX numbers), or empty. */
export type BtsdaCell = string | number | boolean | null;

/** Where a row is, for messages: the 1-based line (CSV) or row (XLSX) number. */
export interface BtsdaRows {
  /** Column names, as written. */
  header: string[];
  /** The rows, each with as many cells as the header. */
  rows: BtsdaCell[][];
  /** 1-based line (or sheet row) of each row. */
  lines: number[];
  /** "line" (CSV) or "row" (XLSX sheet), for messages. */
  unit: "line" | "row";
}

/** BTSDA's step-type names ("CC DChg", "CCCV Chg", "Pulse Step") → Neware state codes. */
const STATE_CODES: ReadonlyMap<string, number> = new Map(
  Object.entries(NEWARE_STATES).map(([code, name]) => [name.toLowerCase(), Number(code)]),
);

/** The Neware state code of a BTSDA step-type name, or `undefined`. */
export function stateCode(name: string): number | undefined {
  const key = name.trim().replace(/\s+/g, "_").toLowerCase();
  return STATE_CODES.get(key) ?? STATE_CODES.get(key.replace(/_step$/, ""));
}

const SCALES: Record<string, Record<string, number>> = {
  current: { A: 1, mA: 1e-3, "µA": 1e-6, uA: 1e-6, "μA": 1e-6 },
  voltage: { V: 1, mV: 1e-3 },
  capacity: { Ah: 1, mAh: 1e-3, As: 1 / 3600, mAs: 1e-3 / 3600 },
  energy: { Wh: 1, mWh: 1e-3, Ws: 1 / 3600, mWs: 1e-3 / 3600 },
  power: { W: 1, mW: 1e-3 },
};

/** A header name `Label(unit)` split into label and unit (µ lost to encoding becomes µ). */
function splitName(name: string): { label: string; unit: string } {
  const m = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(name.trim());
  if (!m) return { label: name.trim(), unit: "" };
  const unit = m[2].replace(/^(?:\uFFFD|Âµ|µ|μ)/, "µ");
  return { label: m[1].trim(), unit };
}

/** The column with label `label` (case-insensitive) and its scale in `quantity`. */
interface Found {
  index: number;
  name: string;
  unit: string;
  scale: number;
}

function column(
  header: readonly string[],
  labels: readonly string[],
  quantity: keyof typeof SCALES | null,
  file: string,
): Found | null {
  const wanted = labels.map((l) => l.toLowerCase());
  for (let i = 0; i < header.length; i++) {
    const { label, unit } = splitName(header[i]);
    if (!wanted.includes(label.toLowerCase())) continue;
    if (quantity === null) return { index: i, name: header[i].trim(), unit, scale: 1 };
    const scale = SCALES[quantity][unit];
    if (scale === undefined) {
      throw new ParseError(
        file,
        `column "${header[i].trim()}" has unit "${unit}", expected one of ` +
          Object.keys(SCALES[quantity]).join(", "),
      );
    }
    return { index: i, name: header[i].trim(), unit, scale };
  }
  return null;
}

/** Whether a header looks like a BTSDA record table. */
export function isBtsdaHeader(header: readonly string[]): boolean {
  const labels = new Set(header.map((h) => splitName(h).label.toLowerCase()));
  return ["datapoint", "step type", "voltage", "current"].every((l) => labels.has(l)) &&
    (labels.has("total time") || labels.has("cumulative time") || labels.has("time"));
}

/**
 * Turn a BTSDA record table into a series: current positive on charge (as BTSDA writes it),
 * counters per step as magnitudes, `step_index` counting the steps, the schedule step and
 * state in extras, the date as `start_time` (naive local time) and `extras.wall_clock_s`.
 */
export function btsdaSeries(
  table: BtsdaRows,
  file: string,
): { series: CyclingSeries; warnings: string[] } {
  const { header, rows, lines } = table;
  const warnings: string[] = [];
  const cols = locate(header, file);
  const { current, voltage, total, stepTime, cycle, stepIndex, stepNumber, stepType } = cols;
  const { point, date, power, qc, qd, ec, ed, q, e, aux } = cols;
  const at = (k: number) => `${table.unit} ${lines[k]}`;

  const n = rows.length;
  const s = allocSeries(n);
  const extra = (name: string) => (s.extras[name] = new Float64Array(n).fill(NaN));
  const stepTimeCol = stepTime ? extra("step_time_s") : null;
  const recordCol = point ? extra("record_index") : null;
  const typeCol = stepType ? extra("step_type_code") : null;
  const programCol = stepIndex ? extra("step_program_index") : null;
  const powerCol = power ? extra("power_W") : null;
  const auxCols = aux.map((a) =>
    extra(a.kind === "T" ? `aux_temperature_${a.id}_C` : `aux_voltage_${a.id}_V`)
  );
  const wall = date ? new Float64Array(n).fill(NaN) : null;
  const num = (k: number, c: Found): number => {
    const v = rows[k][c.index];
    if (typeof v === "number") return v;
    if (v === null || v === "" || typeof v === "boolean") return NaN;
    return numberAt(v, file, lines[k], c.name);
  };
  // Durations: "hh:mm:ss(.fff)" text, or an Excel time (fraction of a day) in XLSX.
  const clock = (k: number, c: Found): number => {
    const v = rows[k][c.index];
    if (typeof v === "number") return v * 86400;
    if (v === null || typeof v === "boolean" || v.trim() === "") return NaN;
    const t = parseClockSeconds(v) ?? (/^\s*[\d.]+\s*$/.test(v) ? Number(v) : undefined);
    return t ?? badField(v, { file, line: lines[k], column: c.name, expected: "a duration" });
  };
  const unknownTypes = new Map<string, number>();
  let step = 0, prevKey = "";
  for (let k = 0; k < n; k++) {
    const row = rows[k];
    s.current_A[k] = num(k, current) * current.scale;
    s.voltage_V[k] = num(k, voltage) * voltage.scale;
    if (stepTimeCol) stepTimeCol[k] = clock(k, stepTime!);
    s.time_s[k] = total ? clock(k, total) : NaN;
    const cyc = cycle ? counterAt(String(row[cycle.index] ?? ""), file, lines[k], cycle.name) : 0;
    s.cycle_index[k] = cyc;
    const prog = stepIndex
      ? counterAt(String(row[stepIndex.index] ?? ""), file, lines[k], stepIndex.name)
      : 0;
    if (programCol) programCol[k] = prog;
    const key = stepNumber ? String(row[stepNumber.index]) : `${cyc}/${prog}`;
    if (k === 0 || key !== prevKey) step++;
    prevKey = key;
    s.step_index[k] = step;
    let dir = 0;
    if (typeCol) {
      const name = String(row[stepType!.index] ?? "").trim();
      const code = stateCode(name);
      if (code === undefined) unknownTypes.set(name, (unknownTypes.get(name) ?? 0) + 1);
      typeCol[k] = code ?? NaN;
      const state = code === undefined ? "" : NEWARE_STATES[code];
      dir = state.endsWith("_DChg") ? -1 : state.endsWith("_Chg") ? 1 : 0;
    }
    if (recordCol) recordCol[k] = num(k, point!);
    if (powerCol) powerCol[k] = num(k, power!) * power!.scale;
    aux.forEach((a, j) => (auxCols[j][k] = num(k, { ...a, scale: 1 })));
    // Counters: separate charge/discharge columns, or one per-step column split by direction.
    if (dir === 0) dir = Math.sign(s.current_A[k]);
    const split = (both: Found | null, one: Found | null, sign: number): number => {
      if (both) return Math.abs(num(k, both) * both.scale);
      if (one) return dir === sign ? Math.abs(num(k, one) * one.scale) : 0;
      return NaN;
    };
    s.charge_capacity_Ah[k] = split(qc, q, 1);
    s.discharge_capacity_Ah[k] = split(qd, q, -1);
    s.charge_energy_Wh[k] = split(ec, e, 1);
    s.discharge_energy_Wh[k] = split(ed, e, -1);
    if (wall) wall[k] = dateSeconds(row[date!.index], file, at(k), date!.name);
  }
  if (!total && stepTimeCol) accumulateStepTimes(s, stepTimeCol);
  for (const [name, count] of unknownTypes) {
    warnings.push(`step type "${name}" (${count} rows) is not a known Neware state`);
  }
  describe(s, cols, auxCols);
  if (wall) {
    const w0 = wall.find(Number.isFinite);
    if (w0 !== undefined) {
      s.extras.wall_clock_s = wall.map((w) => w - w0);
      s.columns.wall_clock_s = source(date!.name, "date-time", 1, "seconds since the first row");
      s.start_time = isoFromNaiveSeconds(w0);
    }
  }
  warnings.push(...finishCounters(s));
  return { series: truncateSeries(s, n), warnings };
}

/** The BTSDA columns of `header` (required: current, voltage, a time), with their units. */
function locate(header: readonly string[], file: string) {
  const need = (labels: string[], quantity: keyof typeof SCALES | null): Found => {
    const found = column(header, labels, quantity, file);
    if (!found) {
      throw new ParseError(file, `no ${labels.join(" or ")} column in the header`, { line: 1 });
    }
    return found;
  };
  const current = need(["Current"], "current");
  const voltage = need(["Voltage"], "voltage");
  const total = column(header, ["Total Time", "Cumulative Time"], null, file);
  const stepTime = column(header, ["Time", "Step Time"], null, file);
  if (!total && !stepTime) need(["Total Time"], null);
  const cycle = column(header, ["Cycle Index", "Cycle"], null, file);
  const stepIndex = column(header, ["Step Index", "Step"], null, file);
  const stepNumber = column(header, ["Step Number", "Step Count"], null, file);
  const stepType = column(header, ["Step Type", "Status"], null, file);
  const point = column(header, ["DataPoint", "Record Index", "Record ID"], null, file);
  const date = column(header, ["Date", "Realtime", "Absolute Time"], null, file);
  const power = column(header, ["Power"], "power", file);
  const qc = column(header, ["Chg. Cap.", "Charge Capacity"], "capacity", file);
  const qd = column(header, ["DChg. Cap.", "Discharge Capacity"], "capacity", file);
  const ec = column(header, ["Chg. Energy", "Charge Energy"], "energy", file);
  const ed = column(header, ["DChg. Energy", "Discharge Energy"], "energy", file);
  const q = column(header, ["Capacity"], "capacity", file);
  const e = column(header, ["Energy"], "energy", file);
  const aux = header.flatMap((h, index) => {
    const m = /^([TV])(\d+)$/.exec(splitName(h).label);
    return m ? [{ index, kind: m[1], id: m[2], name: h.trim(), unit: splitName(h).unit }] : [];
  });
  return {
    current,
    voltage,
    total,
    stepTime,
    cycle,
    stepIndex,
    stepNumber,
    stepType,
    point,
    date,
    power,
    qc,
    qd,
    ec,
    ed,
    q,
    e,
    aux,
  };
}

/** Columns found by {@link locate}. */
type Located = ReturnType<typeof locate>;

/** Where each column of the series comes from (`series.columns`), and `temperature_C`. */
function describe(s: CyclingSeries, cols: Located, auxCols: Float64Array[]): void {
  const { current, voltage, total, stepTime, cycle, stepIndex, stepNumber, stepType } = cols;
  const { point, power, qc, qd, ec, ed, q, e, aux } = cols;
  const has = (name: string) => name in s.extras;
  s.columns = {
    time_s: total
      ? source(total.name, "h:mm:ss", 1, "test time")
      : source(stepTime!.name, "h:mm:ss", 1, "the step times accumulated over the steps"),
    current_A: source(current.name, current.unit, current.scale),
    voltage_V: source(voltage.name, voltage.unit, voltage.scale),
    cycle_index: cycle ? source(cycle.name, "") : source("", "", 1, "no cycle column: 0"),
    step_index: source(
      stepNumber?.name ?? "",
      "",
      1,
      stepNumber
        ? "step counter"
        : "step counter: +1 wherever the cycle or the schedule step changes",
    ),
  };
  if (has("step_time_s")) s.columns.step_time_s = source(stepTime!.name, "h:mm:ss");
  if (has("record_index")) s.columns.record_index = source(point!.name, "");
  if (has("step_program_index")) {
    s.columns.step_program_index = source(stepIndex!.name, "", 1, "schedule step");
  }
  if (has("step_type_code")) {
    s.columns.step_type_code = source(stepType!.name, "", 1, "Neware state code of the name");
  }
  if (has("power_W")) s.columns.power_W = source(power!.name, power!.unit, power!.scale);
  aux.forEach((a, j) => {
    const key = a.kind === "T" ? `aux_temperature_${a.id}_C` : `aux_voltage_${a.id}_V`;
    s.columns[key] = source(a.name, a.unit, 1, a.unit === "?" ? "unit written as ?" : undefined);
    if (a.kind === "T" && !s.temperature_C) {
      s.temperature_C = auxCols[j];
      s.columns.temperature_C = source(a.name, a.unit, 1, `first auxiliary temperature (${key})`);
    }
  });
  const counter = (both: Found | null, one: Found | null, key: string) => {
    if (both) s.columns[key] = source(both.name, both.unit, both.scale, "magnitude");
    else if (one) {
      s.columns[key] = source(one.name, one.unit, one.scale, "per-step counter split by step type");
    }
  };
  counter(qc, q, "charge_capacity_Ah");
  counter(qd, q, "discharge_capacity_Ah");
  counter(ec, e, "charge_energy_Wh");
  counter(ed, e, "discharge_energy_Wh");
}

/** Naive seconds of a date cell: "yyyy-mm-dd hh:mm:ss(.fff)" text or an Excel serial date. */
function dateSeconds(v: BtsdaCell, file: string, where: string, name: string): number {
  if (typeof v === "number") return Math.round((v - 25569) * 86400 * 1000) / 1000;
  if (v === null || typeof v === "boolean" || v.trim() === "") return NaN;
  const t = parseNaiveDateTime(v.trim(), "ymd");
  if (!t) {
    throw new ParseError(file, `${where}: "${v.slice(0, 40)}" in column "${name}" is not a date`);
  }
  return naiveSeconds(t);
}

/** Test time from step times: each step starts where the previous one ended. */
function accumulateStepTimes(s: CyclingSeries, stepTime: Float64Array): void {
  let offset = 0;
  for (let k = 0; k < s.length; k++) {
    if (k > 0 && s.step_index[k] !== s.step_index[k - 1]) offset += stepTime[k - 1];
    s.time_s[k] = offset + stepTime[k];
  }
}
