// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingColumn, CyclingSeries } from "../lib/model/cycling_series.ts";

/** The float columns of a series that a parser may or may not have. */
export type SeriesFloatColumn = CyclingColumn;

/** Columns a parser already has, for {@link allocSeries}. */
export type GivenColumns =
  & Partial<Record<SeriesFloatColumn, Float64Array>>
  & Partial<Record<"step_index" | "cycle_index", Int32Array>>;

/**
 * A series of `length` rows with every float column `NaN` and the counters 0, except the
 * columns `given` (used as they are, not copied: nothing is allocated for them).
 */
export function allocSeries(length: number, given: GivenColumns = {}): CyclingSeries {
  const nan = (): Float64Array => new Float64Array(length).fill(NaN);
  return {
    length,
    time_s: given.time_s ?? nan(),
    voltage_V: given.voltage_V ?? nan(),
    current_A: given.current_A ?? nan(),
    charge_capacity_Ah: given.charge_capacity_Ah ?? nan(),
    discharge_capacity_Ah: given.discharge_capacity_Ah ?? nan(),
    charge_energy_Wh: given.charge_energy_Wh ?? nan(),
    discharge_energy_Wh: given.discharge_energy_Wh ?? nan(),
    step_index: given.step_index ?? new Int32Array(length),
    cycle_index: given.cycle_index ?? new Int32Array(length),
    extras: {},
    start_time: null,
    columns: {},
  };
}

/** Keep the first `length` rows of every column (for files shorter than pre-sized). */
export function truncateSeries(series: CyclingSeries, length: number): CyclingSeries {
  if (length === series.length) return series;
  const cut = <T extends Float64Array | Int32Array>(a: T): T => a.slice(0, length) as T;
  const extras: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(series.extras)) extras[k] = cut(v);
  return {
    ...series,
    length,
    time_s: cut(series.time_s),
    voltage_V: cut(series.voltage_V),
    current_A: cut(series.current_A),
    charge_capacity_Ah: cut(series.charge_capacity_Ah),
    discharge_capacity_Ah: cut(series.discharge_capacity_Ah),
    charge_energy_Wh: cut(series.charge_energy_Wh),
    discharge_energy_Wh: cut(series.discharge_energy_Wh),
    step_index: cut(series.step_index),
    cycle_index: cut(series.cycle_index),
    temperature_C: series.temperature_C ? cut(series.temperature_C) : undefined,
    extras,
  };
}

/** The rows `rows` (indexes, ascending) of every column, as a new series. */
export function selectRows(series: CyclingSeries, rows: Int32Array): CyclingSeries {
  const pick = <T extends Float64Array | Int32Array>(a: T): T => {
    const out = new (a.constructor as { new (n: number): T })(rows.length);
    for (let j = 0; j < rows.length; j++) out[j] = a[rows[j]];
    return out;
  };
  const extras: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(series.extras)) extras[k] = pick(v);
  return {
    ...series,
    length: rows.length,
    time_s: pick(series.time_s),
    voltage_V: pick(series.voltage_V),
    current_A: pick(series.current_A),
    charge_capacity_Ah: pick(series.charge_capacity_Ah),
    discharge_capacity_Ah: pick(series.discharge_capacity_Ah),
    charge_energy_Wh: pick(series.charge_energy_Wh),
    discharge_energy_Wh: pick(series.discharge_energy_Wh),
    step_index: pick(series.step_index),
    cycle_index: pick(series.cycle_index),
    temperature_C: series.temperature_C ? pick(series.temperature_C) : undefined,
    extras,
    columns: { ...series.columns },
  };
}

/** True when every value is `NaN` (a column the file does not provide); true when empty. */
export function allNaN(values: ArrayLike<number>): boolean {
  for (let k = 0; k < values.length; k++) if (values[k] === values[k]) return false; // not NaN
  return true;
}

/** The columns {@link integrateMissingCounters} reads and fills; absent ones count as `NaN`. */
export type CounterParts = GivenColumns & Pick<CyclingSeries, "length" | "columns">;

/** Absent, or `NaN` on every row. */
const missing = (values: Float64Array | undefined): boolean => !values || allNaN(values);

/**
 * Fill charge/discharge capacity and energy counters that the file does not provide by
 * trapezoidal integration of current (and current × voltage) over time, each counter
 * accumulating only while current flows in its direction. The columns are marked `derived`.
 * Counters already present (not all `NaN`) are left as they are, each on its own: a file with a
 * charge counter but no discharge counter keeps its charge counter. Works on a whole series or
 * on the columns a parser has so far (absent = `NaN`), so that only the counters filled are
 * allocated.
 *
 * @returns One warning per filled column (`"charge_capacity_Ah not in the file: integral of
 *   positive current over time"`), for the file's `meta.warnings`; empty when nothing was filled.
 */
export function integrateMissingCounters(series: CounterParts): string[] {
  const { time_s: t, current_A: i, voltage_V: v, length: n } = series;
  const counters = [
    "charge_capacity_Ah",
    "discharge_capacity_Ah",
    "charge_energy_Wh",
    "discharge_energy_Wh",
  ] as const;
  const need = counters.filter((name) => missing(series[name]));
  if (need.length === 0 || n === 0 || !t || !i || allNaN(t) || allNaN(i)) return [];
  const withVoltage = !missing(v);
  const fill = need.filter((name) => withVoltage || !name.endsWith("Wh"));
  const out: Partial<Record<(typeof counters)[number], Float64Array>> = {};
  for (const name of fill) out[name] = new Float64Array(n);
  const qcOut = out.charge_capacity_Ah, qdOut = out.discharge_capacity_Ah;
  const ecOut = out.charge_energy_Wh, edOut = out.discharge_energy_Wh;
  // One tight loop per pair of counters; a counter of a pair the file has is computed into a
  // scratch array (rare: a file with one capacity or energy counter of the two).
  if (qcOut || qdOut) {
    integrateCharge(t, i, qcOut ?? new Float64Array(n), qdOut ?? new Float64Array(n));
  }
  if (ecOut || edOut) {
    integrateEnergy(t, i, v!, ecOut ?? new Float64Array(n), edOut ?? new Float64Array(n));
  }
  const notes = {
    charge_capacity_Ah: "integral of positive current over time",
    discharge_capacity_Ah: "integral of negative current over time",
    charge_energy_Wh: "integral of current × voltage while charging",
    discharge_energy_Wh: "integral of current × voltage while discharging",
  } as const;
  const warnings: string[] = [];
  for (const name of fill) {
    const note = notes[name];
    series[name] = out[name];
    series.columns[name] = { original_name: "", original_unit: "", scale: 1, derived: true, note };
    warnings.push(`${name} not in the file: ${note}`);
  }
  return warnings;
}

/**
 * Charge counters of {@link integrateMissingCounters}: the trapezoid dq = (I[k] + I[k−1]) / 2 ×
 * Δt / 3600 of each interval with a finite Δt > 0 and a finite mean current, accumulated into
 * `qcOut` while positive and `qdOut` (negated) while negative; row 0 stays 0.
 */
function integrateCharge(
  t: Float64Array,
  i: Float64Array,
  qcOut: Float64Array,
  qdOut: Float64Array,
): void {
  const n = qcOut.length;
  let qc = 0, qd = 0;
  let tPrev = t[0], iPrev = i[0];
  for (let k = 1; k < n; k++) {
    const tk = t[k], ik = i[k];
    const dt = tk - tPrev;
    if (dt > 0 && dt < Infinity) {
      const di = (ik + iPrev) / 2;
      if (Number.isFinite(di)) {
        const dq = (di * dt) / 3600;
        if (dq > 0) qc = qc + dq;
        else if (dq < 0) qd = qd + -dq;
      }
    }
    qcOut[k] = qc;
    qdOut[k] = qd;
    tPrev = tk;
    iPrev = ik;
  }
}

/**
 * Energy counters of {@link integrateMissingCounters}: |(P[k] + P[k−1]) / 2 × Δt / 3600| with
 * P = I × V, accumulated into `ecOut` over the intervals whose charge (as in
 * {@link integrateCharge}) is positive and into `edOut` over those where it is negative; a
 * non-finite mean power adds 0. Each product I × V is computed once, as the same operation on
 * the same numbers the two-row formula would compute, so the sums are the same bit for bit.
 */
function integrateEnergy(
  t: Float64Array,
  i: Float64Array,
  v: Float64Array,
  ecOut: Float64Array,
  edOut: Float64Array,
): void {
  const n = ecOut.length;
  let ec = 0, ed = 0;
  let tPrev = t[0], iPrev = i[0], pPrev = i[0] * v[0];
  for (let k = 1; k < n; k++) {
    const tk = t[k], ik = i[k], pk = ik * v[k];
    const dt = tk - tPrev;
    if (dt > 0 && dt < Infinity) {
      const di = (ik + iPrev) / 2;
      if (Number.isFinite(di)) {
        const dq = (di * dt) / 3600;
        if (dq > 0 || dq < 0) {
          const p = (pk + pPrev) / 2;
          const de = Number.isFinite(p) ? Math.abs((p * dt) / 3600) : 0;
          if (dq > 0) ec = ec + de;
          else ed = ed + de;
        }
      }
    }
    ecOut[k] = ec;
    edOut[k] = ed;
    tPrev = tk;
    iPrev = ik;
    pPrev = pk;
  }
}
