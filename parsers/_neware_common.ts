// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.
//
// Shared pieces of the Neware .nda and .ndax readers: the step-state table, the current-range
// scale table and the conversion of decoded records into a CyclingSeries.
//
// The record layouts, state codes and current-range multipliers were learned from the
// BSD-3-Clause NewareNDA project (Solid-Energy-Systems/NewareNDA, © SES AI, Daniel Cogswell);
// this is an independent TypeScript implementation.

import type { ColumnSource, CyclingSeries } from "../lib/model/cycling_series.ts";

/** Neware step-state codes (the "Status" of a record) and their BTSDA names. */
export const NEWARE_STATES: Readonly<Record<number, string>> = {
  1: "CC_Chg",
  2: "CC_DChg",
  3: "CV_Chg",
  4: "Rest",
  5: "Cycle",
  6: "End", // not in NewareNDA; the empty last step of every Step.xml schedule has type 6
  7: "CCCV_Chg",
  8: "CP_DChg",
  9: "CP_Chg",
  10: "CR_DChg",
  13: "Pause",
  16: "Pulse",
  17: "SIM",
  19: "CV_DChg",
  20: "CCCV_DChg",
  21: "Control",
  22: "OCV",
  26: "CPCV_DChg",
  27: "CPCV_Chg",
};

/**
 * Scale from the raw integer current/capacity fields of the older integer layouts to mA / mAs,
 * keyed by the record's current range.
 */
const RANGE_SCALE = new Map<number, number>([
  [-100000000, 10],
  [-200000, 1e-2],
  [-100000, 1e-2],
  [-60000, 1e-2],
  [-50000, 1e-2],
  [-40000, 1e-2],
  [-30000, 1e-2],
  [-20000, 1e-2],
  [-12000, 1e-2],
  [-10000, 1e-2],
  [-6000, 1e-2],
  [-5000, 1e-2],
  [-3000, 1e-2],
  [-2000, 1e-2],
  [-1000, 1e-2],
  [-500, 1e-3],
  [-100, 1e-3],
  [-50, 1e-4],
  [-25, 1e-4],
  [-20, 1e-4],
  [-10, 1e-4],
  [-5, 1e-5],
  [-2, 1e-5],
  [-1, 1e-5],
  [0, 0],
  [1, 1e-4],
  [2, 1e-4],
  [5, 1e-4],
  [10, 1e-3],
  [20, 1e-3],
  [25, 1e-3],
  [50, 1e-3],
  [100, 1e-2],
  [200, 1e-2],
  [250, 1e-2],
  [500, 1e-2],
  [1000, 1e-1],
  [6000, 1e-1],
  [10000, 1e-1],
  [12000, 1e-1],
  [20000, 1e-1],
  [30000, 1e-1],
  [40000, 1e-1],
  [50000, 1e-1],
  [60000, 1e-1],
  [100000, 1e-1],
  [200000, 1e-1],
]);

/** Scale of the raw current of a record with current range `range`, or `undefined`. */
export function rangeScale(range: number): number | undefined {
  return RANGE_SCALE.get(range);
}

/**
 * Decoded main records in file order, before de-duplication. Units are those of the Neware
 * software: step time in s, V, mA, mAh, mWh. `stepKey` changes exactly where a new step starts
 * (the definition differs between layouts); `unixTime_s` is seconds since 1970 of the record's
 * clock, either UTC (`utc`) or the instrument's local wall clock (naive).
 */
export interface NewareRows {
  n: number;
  index: Float64Array;
  cycle: Int32Array;
  stepIndex: Int32Array;
  stepKey: Float64Array;
  status: Int32Array;
  stepTime_s: Float64Array;
  voltage_V: Float64Array;
  current_mA: Float64Array;
  chargeCapacity_mAh: Float64Array;
  dischargeCapacity_mAh: Float64Array;
  chargeEnergy_mWh: Float64Array;
  dischargeEnergy_mWh: Float64Array;
  unixTime_s: Float64Array;
  /** Rows whose time/capacity/energy were interpolated (ndax without a runInfo record), 1/0. */
  interpolated?: Uint8Array;
}

/** Rows with room for `capacity` records (`n` = 0). */
export function allocRows(capacity: number): NewareRows {
  const f = () => new Float64Array(capacity);
  return {
    n: 0,
    index: f(),
    cycle: new Int32Array(capacity),
    stepIndex: new Int32Array(capacity),
    stepKey: f(),
    status: new Int32Array(capacity),
    stepTime_s: f(),
    voltage_V: f(),
    current_mA: f(),
    chargeCapacity_mAh: f(),
    dischargeCapacity_mAh: f(),
    chargeEnergy_mWh: f(),
    dischargeEnergy_mWh: f(),
    unixTime_s: f(),
  };
}

/** One auxiliary channel: values by record index. */
export interface NewareAux {
  /** Column name in the output, with unit (`aux_temperature_1_C`). */
  name: string;
  /** Original name as NewareNDA would call it (`T1`) and its unit. */
  original: string;
  unit: string;
  index: Float64Array;
  value: Float64Array;
  n: number;
}

/** Auxiliary values collected per channel (`T1`, `V1`, ...), then turned into columns. */
export class AuxCollector {
  private channels = new Map<string, { index: number[]; value: number[]; unit: string }>();
  /** Add the value of channel `name` (`T<id>` or `V<id>`) at record `index`. */
  add(name: string, unit: string, index: number, value: number): void {
    let c = this.channels.get(name);
    if (!c) this.channels.set(name, c = { index: [], value: [], unit });
    c.index.push(index);
    c.value.push(value);
  }
  /** The channels as {@link NewareAux} columns, ordered by name. */
  columns(): NewareAux[] {
    const out: NewareAux[] = [];
    const names = [...this.channels.keys()].sort((a, b) =>
      a.localeCompare(b, "en", { numeric: true })
    );
    for (const name of names) {
      const c = this.channels.get(name)!;
      const [kind, id] = [name[0], name.slice(1)];
      out.push({
        name: kind === "T" ? `aux_temperature_${id}_C` : `aux_voltage_${id}_V`,
        original: name,
        unit: c.unit,
        index: Float64Array.from(c.index),
        value: Float64Array.from(c.value),
        n: c.index.length,
      });
    }
    return out;
  }
}

/** The series plus the step-type table and warnings that go into the metadata. */
export interface NewareSeriesResult {
  series: CyclingSeries;
  stepTypes: string;
  warnings: string[];
  firstTime: { unix_s: number; utc: boolean } | null;
}

/**
 * Turn decoded records into a {@link CyclingSeries}: drop repeated record indices (first wins),
 * order by record index, number the steps, accumulate test time from the step time, scale to
 * SI-style units and join the auxiliary channels by record index.
 */
export function buildNewareSeries(
  rows: NewareRows,
  aux: NewareAux[],
  options: { utc: boolean; format: string },
): NewareSeriesResult {
  const warnings: string[] = [];
  const order = recordOrder(rows, warnings);
  const n = order ? order.length : rows.n;
  // Columns: in file order the decoded arrays are adopted (cut to n) and scaled in place,
  // otherwise gathered in index order.
  const pick = (a: Float64Array): Float64Array => {
    if (order) {
      const out = new Float64Array(n);
      for (let k = 0; k < n; k++) out[k] = a[order[k]];
      return out;
    }
    return a.length === n ? a : a.slice(0, n);
  };
  const milli = (a: Float64Array): Float64Array => {
    const out = pick(a);
    for (let k = 0; k < n; k++) out[k] *= 1e-3;
    return out;
  };
  // Counters in mAh/mWh → Ah/Wh, as magnitudes: Pulse steps store the discharge counters
  // negative (and decreasing), other steps positive; BTSDA shows their magnitude.
  let negative = 0;
  const counter = (a: Float64Array): Float64Array => {
    const out = pick(a);
    for (let k = 0; k < n; k++) {
      const v = out[k];
      if (v < 0) {
        negative++;
        out[k] = -v * 1e-3;
      } else out[k] = v * 1e-3;
    }
    return out;
  };
  const stepTime = pick(rows.stepTime_s);
  const recordIndex = pick(rows.index);
  const s: CyclingSeries = {
    length: n,
    time_s: new Float64Array(n),
    voltage_V: pick(rows.voltage_V),
    current_A: milli(rows.current_mA),
    charge_capacity_Ah: counter(rows.chargeCapacity_mAh),
    discharge_capacity_Ah: counter(rows.dischargeCapacity_mAh),
    charge_energy_Wh: counter(rows.chargeEnergy_mWh),
    discharge_energy_Wh: counter(rows.dischargeEnergy_mWh),
    step_index: new Int32Array(n),
    cycle_index: order
      ? new Int32Array(n)
      : (rows.cycle.length === n ? rows.cycle : rows.cycle.slice(0, n)),
    extras: {},
    start_time: null,
    columns: {},
  };
  if (negative > 0) {
    warnings.push(
      `${negative} capacity or energy value(s) are negative in the file (Neware stores the ` +
        "discharge counters of Pulse steps that way); their magnitude is used",
    );
  }
  const restarts = timeRestarts(rows, stepTime, order);
  const { stepType, stepProgram, interpolated, seen } = stepColumns(
    rows,
    s,
    stepTime,
    order,
    restarts,
  );
  s.columns = columnSources(restarts, interpolated !== null);
  s.extras.step_time_s = stepTime;
  s.extras.record_index = recordIndex;
  s.extras.step_type_code = stepType;
  s.extras.step_program_index = stepProgram;
  if (interpolated) {
    s.extras.interpolated = interpolated;
    let count = 0;
    for (let k = 0; k < n; k++) count += interpolated[k];
    if (count > 0) {
      warnings.push(
        `${count} of ${n} rows have no runInfo record: their time was extended with the ` +
          "record interval and their capacity and energy integrated from current and voltage",
      );
    }
  }
  joinAux(s, aux, recordIndex);
  const stepTypes = [...seen].sort((a, b) => a - b).map((c) =>
    `${c}=${NEWARE_STATES[c] ?? "Unknown"}`
  ).join("; ");
  for (const c of seen) {
    if (NEWARE_STATES[c] === undefined) {
      warnings.push(`step state code ${c} is not a known Neware state; it is named "Unknown"`);
    }
  }
  let firstTime: NewareSeriesResult["firstTime"] = null;
  const first = order ? order[0] : 0;
  if (n > 0 && Number.isFinite(rows.unixTime_s[first])) {
    firstTime = { unix_s: rows.unixTime_s[first], utc: options.utc };
    s.start_time = isoTime(firstTime.unix_s, options.utc);
  }
  return { series: s, stepTypes, warnings, firstTime };
}

/**
 * Row order when the record indices are not increasing: sorted by index, the first record of
 * a repeated index kept (a warning counts the others). `null` when the file order is fine.
 */
function recordOrder(rows: NewareRows, warnings: string[]): Int32Array | null {
  let monotonic = true;
  for (let k = 1; k < rows.n; k++) {
    if (!(rows.index[k] > rows.index[k - 1])) {
      monotonic = false;
      break;
    }
  }
  if (monotonic) return null;
  const idx = Array.from({ length: rows.n }, (_, k) => k);
  idx.sort((a, b) => rows.index[a] - rows.index[b] || a - b);
  const kept: number[] = [];
  for (const k of idx) {
    if (kept.length > 0 && rows.index[kept[kept.length - 1]] === rows.index[k]) continue;
    kept.push(k);
  }
  const dropped = rows.n - kept.length;
  if (dropped > 0) {
    warnings.push(
      `${dropped} record(s) repeat an earlier record index; the first of each was kept`,
    );
  }
  return Int32Array.from(kept);
}

/**
 * Whether the file's "Time" is a step time: it drops somewhere the step changes (every layout
 * seen so far). If it never does, it is already a test time and is used as it is.
 */
function timeRestarts(rows: NewareRows, stepTime: Float64Array, order: Int32Array | null) {
  const { stepKey } = rows;
  for (let k = 1; k < stepTime.length; k++) {
    const r = order ? order[k] : k, q = order ? order[k - 1] : k - 1;
    if (stepKey[r] !== stepKey[q] && stepTime[k] < stepTime[k - 1]) return true;
  }
  return false;
}

/**
 * Fill `time_s`, `step_index` (and `cycle_index` when reordered) of `s`, and return the state,
 * schedule-step and interpolated columns with the set of state codes seen.
 */
function stepColumns(
  rows: NewareRows,
  s: CyclingSeries,
  stepTime: Float64Array,
  order: Int32Array | null,
  restarts: boolean,
) {
  const n = s.length;
  const stepType = new Float64Array(n);
  const stepProgram = new Float64Array(n);
  const interpolated = rows.interpolated ? new Float64Array(n) : null;
  const { time_s, step_index, cycle_index } = s;
  const { status, cycle, stepIndex, stepKey } = rows;
  const seenSmall = new Uint8Array(256);
  const seen = new Set<number>();
  let step = 0;
  let offset = 0;
  let prevKey = NaN;
  for (let k = 0; k < n; k++) {
    const r = order ? order[k] : k;
    const key = stepKey[r];
    if (k === 0 || key !== prevKey) {
      step++;
      if (k > 0 && restarts) offset += stepTime[k - 1];
      prevKey = key;
    }
    time_s[k] = offset + stepTime[k];
    step_index[k] = step;
    if (order) cycle_index[k] = cycle[r];
    const code = status[r];
    stepType[k] = code;
    if (code >= 0 && code < 256) seenSmall[code] = 1;
    else seen.add(code);
    stepProgram[k] = stepIndex[r];
    if (interpolated) interpolated[k] = rows.interpolated![r];
  }
  for (let c = 0; c < 256; c++) if (seenSmall[c]) seen.add(c);
  return { stepType, stepProgram, interpolated, seen };
}

function src(
  name: string,
  unit: string,
  scale: number,
  extra: Partial<ColumnSource> = {},
): ColumnSource {
  return { original_name: name, original_unit: unit, scale, ...extra };
}

/** Where each column comes from (`CyclingSeries.columns`). */
function columnSources(restarts: boolean, interpolated: boolean): Record<string, ColumnSource> {
  const interpNote = interpolated
    ? "rows without a runInfo record are interpolated (see extras.interpolated)"
    : "";
  const counter = (name: string, unit: string) =>
    src(name, unit, 1e-3, {
      note: "magnitude of the file's counter (Pulse steps store discharge negative)" +
        (interpNote ? `; ${interpNote}` : ""),
    });
  const columns: Record<string, ColumnSource> = {
    time_s: src("Time", "s", 1, {
      derived: restarts,
      note: (restarts
        ? 'test time: the step time ("Time") accumulated over the steps, each step ' +
          "starting where the previous one ended"
        : "the file's time, which does not restart at step changes") +
        (interpNote ? `; ${interpNote}` : ""),
    }),
    voltage_V: src("Voltage", "V", 1),
    current_A: src("Current(mA)", "mA", 1e-3),
    charge_capacity_Ah: counter("Charge_Capacity(mAh)", "mAh"),
    discharge_capacity_Ah: counter("Discharge_Capacity(mAh)", "mAh"),
    charge_energy_Wh: counter("Charge_Energy(mWh)", "mWh"),
    discharge_energy_Wh: counter("Discharge_Energy(mWh)", "mWh"),
    step_index: src("Step", "", 1, {
      note: 'step counter: increases by one at every change of step (as BTSDA\'s "Step")',
    }),
    cycle_index: src("Cycle", "", 1, {
      note: "the file's own cycle counter (0-based in the file, +1)",
    }),
    step_time_s: src("Time", "s", 1),
    record_index: src("Index", "", 1),
    step_type_code: src("Status", "", 1, {
      note: "Neware step state code; names in meta.header.step_types",
    }),
    step_program_index: src("Step_Index", "", 1, { note: "step number in the schedule" }),
  };
  if (interpolated) {
    columns.interpolated = src("", "", 1, {
      derived: true,
      note: "1 where time, capacity and energy were interpolated because the file holds no " +
        "runInfo record for that index (same rule as NewareNDA), else 0",
    });
  }
  return columns;
}

/**
 * Auxiliary channels joined by record index (first value of an index wins); the first
 * temperature channel also becomes `temperature_C`.
 */
function joinAux(s: CyclingSeries, aux: NewareAux[], recordIndex: Float64Array): void {
  const n = s.length;
  let firstTemperature: string | null = null;
  for (const a of aux) {
    const byIndex = new Map<number, number>();
    for (let k = 0; k < a.n; k++) if (!byIndex.has(a.index[k])) byIndex.set(a.index[k], a.value[k]);
    const col = new Float64Array(n);
    for (let k = 0; k < n; k++) col[k] = byIndex.get(recordIndex[k]) ?? NaN;
    s.extras[a.name] = col;
    s.columns[a.name] = src(a.original, a.unit, 1);
    if (firstTemperature === null && a.unit === "°C") firstTemperature = a.name;
  }
  if (firstTemperature !== null) {
    s.temperature_C = s.extras[firstTemperature];
    s.columns.temperature_C = {
      ...s.columns[firstTemperature],
      note: `first auxiliary temperature channel (${firstTemperature})`,
    };
  }
}

/** ISO 8601 text of `unix_s`: with `Z` when UTC, else a naive local wall-clock time. */
export function isoTime(unix_s: number, utc: boolean): string {
  const iso = new Date(Math.round(unix_s * 1000)).toISOString();
  const trimmed = iso.endsWith(".000Z") ? iso.slice(0, -5) + "Z" : iso;
  return utc ? trimmed : trimmed.slice(0, -1);
}
