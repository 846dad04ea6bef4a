// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../lib/model/cycling_series.ts";

/** A series of `length` rows with every float column `NaN` and the counters 0. */
export function allocSeries(length: number): CyclingSeries {
  const nan = (): Float64Array => new Float64Array(length).fill(NaN);
  return {
    length,
    time_s: nan(),
    voltage_V: nan(),
    current_A: nan(),
    charge_capacity_Ah: nan(),
    discharge_capacity_Ah: nan(),
    charge_energy_Wh: nan(),
    discharge_energy_Wh: nan(),
    step_index: new Int32Array(length),
    cycle_index: new Int32Array(length),
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

/**
 * Fill charge/discharge capacity and energy counters that the file does not provide by
 * trapezoidal integration of current (and current × voltage) over time, each counter
 * accumulating only while current flows in its direction. The columns are marked `derived`.
 * Counters already present (not all `NaN`) are left as they are, each on its own: a file with a
 * charge counter but no discharge counter keeps its charge counter.
 *
 * @returns One warning per filled column (`"charge_capacity_Ah not in the file: integral of
 *   positive current over time"`), for the file's `meta.warnings`; empty when nothing was filled.
 */
export function integrateMissingCounters(series: CyclingSeries): string[] {
  const { time_s: t, current_A: i, voltage_V: v, length: n } = series;
  const counters = [
    "charge_capacity_Ah",
    "discharge_capacity_Ah",
    "charge_energy_Wh",
    "discharge_energy_Wh",
  ] as const;
  const need = counters.filter((name) => allNaN(series[name]));
  if (need.length === 0 || n === 0 || allNaN(t) || allNaN(i)) return [];
  const qc = new Float64Array(n), qd = new Float64Array(n);
  const ec = new Float64Array(n), ed = new Float64Array(n);
  for (let k = 1; k < n; k++) {
    const dt = t[k] - t[k - 1];
    const di = Number.isFinite(dt) && dt > 0 ? (i[k] + i[k - 1]) / 2 : 0;
    const dq = Number.isFinite(di) ? (di * dt) / 3600 : 0;
    const p = (i[k] * v[k] + i[k - 1] * v[k - 1]) / 2;
    const de = Number.isFinite(p) && dt > 0 ? (p * dt) / 3600 : 0;
    qc[k] = qc[k - 1] + (dq > 0 ? dq : 0);
    qd[k] = qd[k - 1] + (dq < 0 ? -dq : 0);
    ec[k] = ec[k - 1] + (dq > 0 ? Math.abs(de) : 0);
    ed[k] = ed[k - 1] + (dq < 0 ? Math.abs(de) : 0);
  }
  const integrals = {
    charge_capacity_Ah: [qc, "integral of positive current over time"],
    discharge_capacity_Ah: [qd, "integral of negative current over time"],
    charge_energy_Wh: [ec, "integral of current × voltage while charging"],
    discharge_energy_Wh: [ed, "integral of current × voltage while discharging"],
  } as const;
  const warnings: string[] = [];
  for (const name of need) {
    if (name.endsWith("Wh") && allNaN(v)) continue;
    const [values, note] = integrals[name];
    series[name] = values;
    series.columns[name] = { original_name: "", original_unit: "", scale: 1, derived: true, note };
    warnings.push(`${name} not in the file: ${note}`);
  }
  return warnings;
}
