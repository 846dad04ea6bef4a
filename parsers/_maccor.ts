// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The pieces of the Maccor text reader (`maccor_text.ts`): finding the column header, reading
 * the header lines, locating the columns, reading the rows, the time unit, the wall clock and
 * pauses, and assembling the series. Layouts learned from BEEP (`beep/structure/maccor.py`,
 * Apache-2.0), battery-data-toolkit (`battdat/io/maccor.py`, Apache-2.0) and cellpy
 * (`maccor_txt_two.py`, `maccor_txt_three.py`, `testdata/data/maccor_001.txt`, MIT).
 *
 * @module
 */

import type { ColumnSource, CyclingSeries } from "../lib/model/cycling_series.ts";
import { allocSeries, truncateSeries } from "./_series.ts";
import {
  countDataLines,
  counterAt,
  findColumn,
  isBlank,
  lastDataLine,
  source,
} from "./_columns.ts";
import {
  naiveIso,
  naiveSeconds,
  numberAt,
  parseClockSeconds,
  parseDecimal,
  parseNaiveDateTime,
} from "./_delimited.ts";
import { ParseError } from "./parse_error.ts";
import { damageWarning } from "./_damage.ts";

/** How many lines are searched for the column header. */
export const HEADER_SCAN_LINES = 60;

/** Spellings of the current, capacity and energy columns, with the factor to A, Ah, Wh. */
const AMPS: ReadonlyArray<readonly [string, number]> = [
  ["Amps", 1],
  ["Current [A]", 1],
  ["Current", 1],
  ["mAmps", 1e-3],
  ["Current [mA]", 1e-3],
];
const AMP_HOURS: ReadonlyArray<readonly [string, number]> = [
  ["Amp-hr", 1],
  ["Cap. [Ah]", 1],
  ["Capacity", 1],
  ["Cap [Ah]", 1],
  ["mAmp-hr", 1e-3],
  ["Cap. [mAh]", 1e-3],
];
const WATT_HOURS: ReadonlyArray<readonly [string, number]> = [
  ["Watt-hr", 1],
  ["Ener. [Wh]", 1],
  ["Energy", 1],
  ["Ener [Wh]", 1],
  ["mWatt-hr", 1e-3],
  ["Ener. [mWh]", 1e-3],
];

/** The column header: its 0-based line index and trimmed fields. */
export interface MaccorHeader {
  index: number;
  fields: string[];
}

/** A column and the factor from its unit to the model's. */
interface Scaled {
  index: number;
  scale: number;
}

function findScaled(
  header: readonly string[],
  names: ReadonlyArray<readonly [string, number]>,
): Scaled {
  for (const [name, scale] of names) {
    const index = findColumn(header, name);
    if (index >= 0) return { index, scale };
  }
  return { index: -1, scale: 1 };
}

/** The column header within the first `limit` lines: Rec#, State (or Md), current, voltage. */
export function findMaccorHeader(lines: readonly string[], limit: number): MaccorHeader | null {
  for (let i = 0; i < Math.min(lines.length, limit); i++) {
    if (lines[i].indexOf("\t") < 0) continue;
    const fields = lines[i].split("\t").map((f) => f.trim());
    const rec = findColumn(fields, "Rec#", "Rec");
    const state = findColumn(fields, "State", "Md");
    const amps = findScaled(fields, AMPS).index;
    const volts = findColumn(fields, "Volts", "Voltage [V]", "Voltage");
    if (rec >= 0 && state >= 0 && amps >= 0 && volts >= 0) return { index: i, fields };
  }
  return null;
}

/**
 * What the lines before the column header say. Three layouts: BEEP's one line
 * `Today's Date 10/10/2019  Date of Test:\t10/10/2019\t Filename:\t… Procedure: …`; MIMS
 * Client's `Today's Date:\t14 December 2020\tDate of Test:\t11 December 2020, 12:22:12 PM` with
 * more `key:\tvalue` pairs on the following lines; and `key:\tvalue` lines (`Channel:\t81`).
 */
export function readMaccorHeaderLines(
  lines: readonly string[],
  count: number,
): Record<string, string> {
  const out: Record<string, string> = {};
  const first = lines[0] ?? "";
  if (/^Today's Date\s/.test(first)) {
    const flat = first.replace(/\t/g, " ");
    const grab = (re: RegExp): string | undefined => re.exec(flat)?.[1]?.trim();
    const today = grab(/Today's Date\s+(\S+)/);
    const date = grab(/Date of Test:\s*(\S+)/);
    const file = grab(/Filename:\s*(.*?)\s*(?:Procedure:|Comment\/Barcode:|$)/);
    const proc = grab(/Procedure:\s*(.*?)\s*(?:Comment\/Barcode:|$)/);
    const comment = grab(/Comment\/Barcode:\s*(.*)$/);
    if (today) out["Today's Date"] = today;
    if (date) out["Date of Test"] = date;
    if (file) out["Filename"] = file;
    if (proc) out["Procedure"] = proc;
    if (comment !== undefined) out["Comment/Barcode"] = comment;
    return out;
  }
  for (let i = 0; i < count; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const fields = line.split("\t");
    if (fields.length >= 2 && /:\s*$/.test(fields[0])) {
      // `key:\tvalue\tkey:\tvalue…` pairs.
      for (let k = 0; k + 1 < fields.length; k += 2) {
        const key = fields[k].trim().replace(/:$/, "");
        if (key) out[key] = fields[k + 1].trim();
      }
      continue;
    }
    const m = /^([^\t:]+?):?\t+(.*)$/.exec(line);
    if (m) out[m[1].trim()] = m[2].trim();
  }
  return out;
}

/** A test or step time column. */
export interface TimeColumn {
  index: number;
  name: string;
  /** Seconds per unit, or `null` when the header gives no unit. */
  scale: number | null;
  unit: string;
}

/** The `Test (Sec)` / `TestTime` (or `Step …`) column, or `null`. */
export function timeColumn(header: readonly string[], kind: "Test" | "Step"): TimeColumn | null {
  for (let i = 0; i < header.length; i++) {
    const h = header[i];
    const m = new RegExp(`^${kind}\\s*(Time)?\\s*(?:\\((Sec|Min|Hr)\\))?$`, "i").exec(h);
    if (!m || (!m[1] && !m[2])) continue;
    const unit = m[2]?.toLowerCase();
    const scale = unit === "sec" ? 1 : unit === "min" ? 60 : unit === "hr" ? 3600 : null;
    return { index: i, name: h, scale, unit: m[2] ?? "" };
  }
  return null;
}

/** Where each known column is (-1 when absent), with unit factors for the scaled ones. */
export interface MaccorColumns {
  rec: number;
  cycle: number;
  cycleC: number;
  step: number;
  cap: Scaled;
  energy: Scaled;
  amps: Scaled;
  volts: number;
  state: number;
  es: number;
  dpt: number;
  acImp: number;
  dcir: number;
  wfChgCap: number;
  wfDisCap: number;
  wfChgE: number;
  wfDisE: number;
  temp: number;
  testTime: TimeColumn;
  stepTime: TimeColumn | null;
}

/** Locate the columns of a header; throws without a test time column. */
export function maccorColumns(h: readonly string[], file: string, line: number): MaccorColumns {
  const testTime = timeColumn(h, "Test");
  if (!testTime) throw new ParseError(file, `line ${line}: no test time column`, { line });
  return {
    rec: findColumn(h, "Rec#", "Rec"),
    cycle: findColumn(h, "Cyc#", "Cycle P", "Cycle", "Cycle#"),
    cycleC: findColumn(h, "Cycle C"),
    step: findColumn(h, "Step"),
    cap: findScaled(h, AMP_HOURS),
    energy: findScaled(h, WATT_HOURS),
    amps: findScaled(h, AMPS),
    volts: findColumn(h, "Volts", "Voltage [V]", "Voltage"),
    state: findColumn(h, "State", "Md"),
    es: findColumn(h, "ES"),
    dpt: findColumn(h, "DPt Time", "DPT Time", "DPtTime"),
    acImp: findColumn(h, "ACImp/Ohms"),
    dcir: findColumn(h, "DCIR/Ohms"),
    wfChgCap: findColumn(h, "WF Chg Cap"),
    wfDisCap: findColumn(h, "WF Dis Cap"),
    wfChgE: findColumn(h, "WF Chg E"),
    wfDisE: findColumn(h, "WF Dis E"),
    temp: findColumn(h, "Temp 1", "Temperature", "Temp1"),
    testTime,
    stepTime: timeColumn(h, "Step"),
  };
}

/** The rows as read: the series (time still in the file's unit) and the per-row side data. */
export interface MaccorRows {
  series: CyclingSeries;
  n: number;
  /** Test time as written (seconds for the clock form). */
  rawTime: Float64Array;
  /** `true` when the test time was written as `0d 00:00:00.00`. */
  timeIsClock: boolean;
  /** Wall clock of each row from `DPt Time`, seconds of a naive date-time (`NaN` without). */
  wall: Float64Array;
  stepTime: Float64Array | null;
  es: Float64Array | null;
  acImp: Float64Array | null;
  dcir: Float64Array | null;
  cycleC: Float64Array | null;
  temp: Float64Array | null;
  recs: Float64Array;
  /** 1-based line of each row. */
  lineOf: Int32Array;
  /** 1 on FRA (impedance) rows. */
  fra: Uint8Array;
  unknownStates: Map<string, number>;
  decimalComma: boolean;
}

/** Decimal comma (German/Norwegian locale exports): decided from the first row's voltage. */
function usesDecimalComma(lines: readonly string[], start: number, volts: number): boolean {
  for (let i = start; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const v = lines[i].split("\t")[volts] ?? "";
    return /^\s*[+-]?\d+,\d+\s*$/.test(v);
  }
  return false;
}

/** Options of {@link readMaccorRows}. */
export interface ReadRowsOptions {
  file: string;
  header: MaccorHeader;
  col: MaccorColumns;
  /** `Date of Test` from the header, to date a time-only `DPt Time`. */
  testDate: ReturnType<typeof parseNaiveDateTime>;
  /** Repairs are appended here. */
  warnings: string[];
}

/**
 * Read every data row. Current takes its sign from `State` (`C` positive, `D` negative, others
 * as written); `Amp-hr` / `Watt-hr` become the charge counters on `C` rows and the discharge
 * counters on `D` rows, waveform counters winning where a row has them.
 */
export function readMaccorRows(lines: readonly string[], options: ReadRowsOptions): MaccorRows {
  const { file, header, col, warnings } = options;
  const h = header.fields;
  const needed = Math.max(
    col.rec,
    col.cycle,
    col.cycleC,
    col.step,
    col.cap.index,
    col.energy.index,
    col.amps.index,
    col.volts,
    col.state,
    col.es,
    col.dpt,
    col.acImp,
    col.dcir,
    col.wfChgCap,
    col.wfDisCap,
    col.wfChgE,
    col.wfDisE,
    col.temp,
    col.testTime.index,
    col.stepTime?.index ?? -1,
  ) + 1;
  const start = header.index + 1;
  const last = lastDataLine(lines);
  const capacity = countDataLines(lines, start);
  const opt = (index: number) => (index >= 0 ? new Float64Array(capacity).fill(NaN) : null);
  const rows: MaccorRows = {
    series: allocSeries(capacity),
    n: 0,
    rawTime: new Float64Array(capacity).fill(NaN),
    timeIsClock: false,
    wall: new Float64Array(capacity).fill(NaN),
    stepTime: opt(col.stepTime?.index ?? -1),
    es: opt(col.es),
    acImp: opt(col.acImp),
    dcir: opt(col.dcir),
    cycleC: opt(col.cycleC),
    temp: opt(col.temp),
    recs: new Float64Array(capacity).fill(NaN),
    lineOf: new Int32Array(capacity),
    fra: new Uint8Array(capacity),
    unknownStates: new Map(),
    decimalComma: usesDecimalComma(lines, start, col.volts),
  };
  const clockState = { dayOffset: 0, prevClock: NaN };
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const f = line.split("\t");
    if (f.length < needed) {
      if (i === last && rows.n > 0) {
        warnings.push(damageWarning(
          "truncated_last_line",
          `line ${
            i + 1
          } is cut short (${f.length} of ${h.length} fields, file truncated?) and was dropped`,
        ));
        break;
      }
      throw new ParseError(file, `line ${i + 1} has ${f.length} fields, expected ${h.length}`, {
        line: i + 1,
      });
    }
    readRow(f, i + 1, rows, { ...options, clockState });
    rows.n++;
  }
  if (rows.n === 0) {
    throw new ParseError(file, `no data rows after the column header on line ${header.index + 1}`, {
      line: header.index + 2,
    });
  }
  return rows;
}

function readRow(
  f: string[],
  lineNo: number,
  rows: MaccorRows,
  options: ReadRowsOptions & { clockState: { dayOffset: number; prevClock: number } },
): void {
  const { file, col } = options;
  const h = options.header.fields;
  const s = rows.series, n = rows.n, comma = rows.decimalComma;
  const num = (index: number, name: string): number =>
    numberAt(f[index], file, lineNo, name, comma);
  const clock = (text: string, what: string): number => {
    const v = parseClockSeconds(text);
    if (v !== undefined) return v;
    throw new ParseError(file, `line ${lineNo}: "${text.trim()}" is not a ${what}`, {
      line: lineNo,
    });
  };
  rows.recs[n] = num(col.rec, h[col.rec]);
  rows.lineOf[n] = lineNo;
  s.cycle_index[n] = col.cycle >= 0 ? counterAt(f[col.cycle], file, lineNo, h[col.cycle]) : 0;
  s.step_index[n] = col.step >= 0 ? counterAt(f[col.step], file, lineNo, h[col.step]) : 0;
  const tText = f[col.testTime.index];
  if (tText.indexOf(":") >= 0) {
    rows.rawTime[n] = clock(tText, "test time");
    rows.timeIsClock = true;
  } else rows.rawTime[n] = num(col.testTime.index, col.testTime.name);
  if (rows.stepTime && col.stepTime) {
    const st = f[col.stepTime.index];
    rows.stepTime[n] = st.indexOf(":") >= 0
      ? clock(st, "step time")
      : num(col.stepTime.index, col.stepTime.name) * (col.stepTime.scale ?? 1);
  }
  const amps = num(col.amps.index, h[col.amps.index]) * col.amps.scale;
  s.voltage_V[n] = num(col.volts, h[col.volts]);
  const state = f[col.state].trim();
  if (state === "FRA") rows.fra[n] = 1;
  const cap = col.cap.index >= 0 ? num(col.cap.index, h[col.cap.index]) * col.cap.scale : NaN;
  const en = col.energy.index >= 0
    ? num(col.energy.index, h[col.energy.index]) * col.energy.scale
    : NaN;
  let qc = 0, qd = 0, ec = 0, ed = 0;
  if (state === "C") {
    s.current_A[n] = Math.abs(amps);
    qc = Math.abs(cap);
    ec = Math.abs(en);
  } else if (state === "D") {
    s.current_A[n] = -Math.abs(amps);
    qd = Math.abs(cap);
    ed = Math.abs(en);
  } else {
    s.current_A[n] = amps;
    if (!/^(R|O|P|S|E|FRA)$/.test(state)) {
      rows.unknownStates.set(state, (rows.unknownStates.get(state) ?? 0) + 1);
    }
  }
  // Waveform steps keep their own counters (BEEP uses them in place of Amp-hr / Watt-hr).
  const waveform = (index: number, otherwise: number): number => {
    const v = index >= 0 ? parseDecimal(f[index], comma) : undefined;
    return v !== undefined && Number.isFinite(v) ? Math.abs(v) : otherwise;
  };
  qc = waveform(col.wfChgCap, qc);
  qd = waveform(col.wfDisCap, qd);
  ec = waveform(col.wfChgE, ec);
  ed = waveform(col.wfDisE, ed);
  if (col.cap.index >= 0 || col.wfChgCap >= 0) {
    s.charge_capacity_Ah[n] = qc;
    s.discharge_capacity_Ah[n] = qd;
  }
  if (col.energy.index >= 0 || col.wfChgE >= 0) {
    s.charge_energy_Wh[n] = ec;
    s.discharge_energy_Wh[n] = ed;
  }
  if (rows.es) rows.es[n] = num(col.es, "ES");
  if (rows.acImp) rows.acImp[n] = num(col.acImp, h[col.acImp]);
  if (rows.dcir) rows.dcir[n] = num(col.dcir, h[col.dcir]);
  if (rows.cycleC) rows.cycleC[n] = counterAt(f[col.cycleC], file, lineNo, h[col.cycleC]);
  if (rows.temp) rows.temp[n] = num(col.temp, h[col.temp]);
  if (col.dpt >= 0) rows.wall[n] = wallClock(f[col.dpt].trim(), lineNo, options);
}

/** Seconds of the `DPt Time` of one row; a time of day alone is dated from `Date of Test`. */
function wallClock(
  text: string,
  lineNo: number,
  options: ReadRowsOptions & { clockState: { dayOffset: number; prevClock: number } },
): number {
  const t = parseNaiveDateTime(text, "mdy");
  if (t) return naiveSeconds(t);
  if (text === "") return NaN;
  if (/^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) && options.testDate) {
    // Time of day only: date it from "Date of Test", adding a day where the clock wraps.
    const state = options.clockState;
    const clock = parseClockSeconds(text.split(":").length === 2 ? `${text}:00` : text)!;
    if (clock < state.prevClock - 3600) state.dayOffset++;
    state.prevClock = clock;
    return naiveSeconds(options.testDate) + state.dayOffset * 86400 + clock;
  }
  throw new ParseError(options.file, `line ${lineNo}: "${text.slice(0, 40)}" is not a date-time`, {
    line: lineNo,
  });
}

/**
 * The unit of the test time: from the header, the clock form, or (a bare `TestTime`) inferred
 * from the `DPt Time` clock. Sets `series.time_s` and scales an unlabelled step time alike.
 * @returns The unit written in the column's provenance.
 */
export function resolveTestTime(rows: MaccorRows, col: MaccorColumns, warnings: string[]): {
  scale: number;
  unit: string;
} {
  const { testTime, stepTime } = col;
  let scale = rows.timeIsClock ? 1 : testTime.scale;
  let unit = rows.timeIsClock ? "d hh:mm:ss" : testTime.unit;
  if (scale === null) {
    const inferred = inferTimeScale(rows.rawTime, rows.wall, rows.n);
    if (inferred === null) {
      scale = 1;
      unit = "s";
      warnings.push(
        `column "${testTime.name}" states no unit and the DPt Time clock cannot confirm one; seconds assumed`,
      );
    } else {
      scale = inferred.scale;
      unit = inferred.unit;
      warnings.push(
        `column "${testTime.name}" states no unit; ${inferred.unit} inferred from the DPt Time clock`,
      );
      if (rows.stepTime && stepTime && stepTime.scale === null) {
        for (let k = 0; k < rows.n; k++) rows.stepTime[k] *= inferred.scale;
      }
    }
  }
  for (let k = 0; k < rows.n; k++) rows.series.time_s[k] = rows.rawTime[k] * scale;
  return { scale, unit };
}

function inferTimeScale(
  raw: Float64Array,
  wall: Float64Array,
  n: number,
): { scale: number; unit: string } | null {
  // Median over rows of (wall-clock step) / (test-time step), both positive.
  const ratios: number[] = [];
  for (let k = 1; k < n; k++) {
    const dt = raw[k] - raw[k - 1], dw = wall[k] - wall[k - 1];
    if (dt > 0 && dw >= 1 && Number.isFinite(dw)) ratios.push(dw / dt);
  }
  if (ratios.length < 3) return null;
  ratios.sort((a, b) => a - b);
  const median = ratios[ratios.length >> 1];
  for (const [scale, unit] of [[1, "s"], [60, "min"], [3600, "h"]] as const) {
    if (Math.abs(Math.log(median / scale)) < Math.log(1.2)) return { scale, unit };
  }
  return null;
}

/**
 * Make the wall clock relative to the first dated row (in place) and report pauses: where the
 * wall clock ran more than `pauseThreshold` seconds beyond the test time between two rows (FRA
 * rows excepted: the test clock stands still during an impedance measurement).
 * @returns The start time (ISO 8601 without zone), or `null` without `DPt Time`.
 */
export function wallClockAndPauses(
  rows: MaccorRows,
  pauseThreshold: number,
  warnings: string[],
): string | null {
  const { wall, n } = rows;
  const first = wall.findIndex((w, k) => k < n && Number.isFinite(w));
  if (first < 0) return null;
  const w0 = wall[first];
  const d = new Date(w0 * 1000);
  const start = naiveIso({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  });
  for (let k = 0; k < n; k++) wall[k] -= w0;
  const t = rows.series.time_s;
  const pauses: string[] = [];
  for (let k = 1; k < n; k++) {
    if (rows.fra[k]) continue;
    const excess = (wall[k] - wall[k - 1]) - (t[k] - t[k - 1]);
    if (excess > pauseThreshold) {
      pauses.push(
        `${Math.round(excess)} s between lines ${rows.lineOf[k - 1]} and ${rows.lineOf[k]} ` +
          `(records ${rows.recs[k - 1]} and ${rows.recs[k]})`,
      );
    }
  }
  if (pauses.length > 0) {
    warnings.push(
      `test paused ${pauses.length} time(s): wall clock ran beyond the test time by ${
        pauses.slice(0, 5).join("; ")
      }${
        pauses.length > 5 ? "; ..." : ""
      }; time_s is the test time (pauses excluded), wall_clock_s includes them`,
    );
  }
  return start;
}

/** Warnings for record numbers skipped, FRA rows and unknown `State` codes. */
export function rowWarnings(rows: MaccorRows): string[] {
  const warnings: string[] = [];
  let skipped = 0;
  const at: string[] = [];
  for (let k = 1; k < rows.n; k++) {
    const gap = rows.recs[k] - rows.recs[k - 1] - 1;
    if (gap > 0 && Number.isFinite(gap)) {
      skipped += gap;
      if (at.length < 5) at.push(`after record ${rows.recs[k - 1]} (line ${rows.lineOf[k - 1]})`);
    }
  }
  if (skipped > 0) {
    warnings.push(
      damageWarning("row_count_mismatch", `${skipped} record number(s) missing: ${at.join(", ")}`),
    );
  }
  if (rows.fra.some((v) => v === 1)) {
    warnings.push(
      "FRA (impedance) rows: the test clock stands still during the measurement; wall_clock_s advances",
    );
  }
  if (rows.unknownStates.size > 0) {
    warnings.push(
      `unknown State codes kept with current as written: ${
        [...rows.unknownStates].map(([k, v]) => `"${k}" (${v} rows)`).join(", ")
      }`,
    );
  }
  return warnings;
}

/**
 * The series of the rows read, with every column's provenance and the extras (step time, wall
 * clock, ending status, resistances, second cycle counter, temperature).
 */
export function assembleMaccorSeries(
  rows: MaccorRows,
  col: MaccorColumns,
  context: {
    header: readonly string[];
    time: { scale: number; unit: string };
    startTime: string | null;
  },
): CyclingSeries {
  const h = context.header, n = rows.n;
  const series = truncateSeries(rows.series, n);
  series.start_time = context.startTime;
  const unitOf = (scale: number, base: string) => (scale === 1 ? base : `m${base}`);
  const cols: Record<string, ColumnSource> = {
    time_s: source(col.testTime.name, context.time.unit, context.time.scale),
    voltage_V: source(h[col.volts], "V"),
    current_A: source(
      h[col.amps.index],
      unitOf(col.amps.scale, "A"),
      col.amps.scale,
      `sign from column "${h[col.state]}": C positive, D negative, others as written`,
    ),
    step_index: source(col.step >= 0 ? h[col.step] : "", ""),
    cycle_index: source(col.cycle >= 0 ? h[col.cycle] : "", ""),
  };
  if (col.cap.index >= 0) {
    const name = h[col.cap.index], unit = unitOf(col.cap.scale, "Ah"), scale = col.cap.scale;
    const wf = (which: string) => (col.wfChgCap >= 0 ? `; WF ${which} Cap on waveform rows` : "");
    cols.charge_capacity_Ah = source(
      name,
      unit,
      scale,
      `per-step counter; charge on "C" rows, 0 elsewhere${wf("Chg")}`,
    );
    cols.discharge_capacity_Ah = source(
      name,
      unit,
      scale,
      `per-step counter; discharge on "D" rows, 0 elsewhere${wf("Dis")}`,
    );
  }
  if (col.energy.index >= 0) {
    const name = h[col.energy.index], unit = unitOf(col.energy.scale, "Wh");
    cols.charge_energy_Wh = source(name, unit, col.energy.scale, 'per-step counter on "C" rows');
    cols.discharge_energy_Wh = source(name, unit, col.energy.scale, 'per-step counter on "D" rows');
  }
  const extra = (name: string, values: Float64Array | null, src: () => ColumnSource) => {
    if (!values) return;
    series.extras[name] = values.slice(0, n);
    cols[name] = src();
  };
  extra("step_time_s", rows.stepTime, () =>
    source(
      col.stepTime!.name,
      rows.timeIsClock ? "d hh:mm:ss" : col.stepTime!.unit || context.time.unit,
      1,
    ));
  if (col.dpt >= 0 && context.startTime !== null) {
    extra(
      "wall_clock_s",
      rows.wall,
      () => source(h[col.dpt], "date-time", 1, "seconds since the first row's DPt Time"),
    );
  }
  extra("ending_status", rows.es, () => source("ES", "", 1, "Maccor ending status code"));
  extra("acr_ohm", rows.acImp, () => source(h[col.acImp], "Ohms"));
  extra("internal_resistance_ohm", rows.dcir, () => source(h[col.dcir], "Ohms"));
  extra(
    "cycle_c",
    rows.cycleC,
    () => source(h[col.cycleC], "", 1, "second cycle counter of MIMS Client exports"),
  );
  if (rows.temp) {
    series.temperature_C = rows.temp.slice(0, n);
    cols.temperature_C = source(h[col.temp], "°C");
  }
  series.columns = cols;
  return series;
}
