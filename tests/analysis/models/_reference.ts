// Copyright 2026 the battery-analysis authors. MIT license.
// Helpers of the model tests: the PyBaMM reference curves and a step-aware comparison.

import type { CyclingSeries } from "../../../lib/model/cycling_series.ts";

/** A reference CSV of tests/analysis/models/pybamm/ as named columns. */
export function readReference(name: string): Record<string, Float64Array> {
  const text = Deno.readTextFileSync(new URL(`./pybamm/${name}`, import.meta.url)).trim();
  const [head, ...lines] = text.split("\n");
  const names = head.split(",");
  const cols = names.map(() => new Float64Array(lines.length));
  lines.forEach((line, i) => line.split(",").forEach((v, j) => (cols[j][i] = Number(v))));
  return Object.fromEntries(names.map((n, j) => [n, cols[j]]));
}

/**
 * Voltage errors of a simulation against reference rows: each reference row is compared with
 * the simulation's voltage interpolated linearly in time between output rows of the same step
 * (`step` column, 0-based, when the reference has one), time counted from the start of that
 * step in each (a current-limited step may end a second earlier in one of them, which would
 * otherwise shift every later step).
 */
export function voltageErrors(
  series: CyclingSeries,
  ref: Record<string, Float64Array>,
  column = "voltage_V",
): { rmse: number; max: number; compared: number } {
  const t = ref.time_s, v = ref[column], step = ref.step;
  let se = 0, max = 0, n = 0;
  const refStart = new Map<number, number>(), simStart = new Map<number, number>();
  if (step) {
    for (let r = 0; r < t.length; r++) {
      if (!refStart.has(step[r] + 1)) refStart.set(step[r] + 1, t[r]);
    }
    for (let j = 0; j < series.length; j++) {
      if (!simStart.has(series.step_index[j])) simStart.set(series.step_index[j], series.time_s[j]);
    }
  }
  for (let r = 0; r < t.length; r++) {
    const want = step ? step[r] + 1 : 0;
    const at = step ? t[r] - refStart.get(want)! + (simStart.get(want) ?? NaN) : t[r];
    let lo = -1, hi = -1;
    for (let j = 0; j < series.length; j++) {
      if (step && series.step_index[j] !== want) continue;
      if (series.time_s[j] <= at) lo = j;
      if (series.time_s[j] >= at && hi < 0) hi = j;
    }
    if (lo < 0 || hi < 0) continue;
    const a = series.time_s[lo], b = series.time_s[hi];
    const w = b > a ? (at - a) / (b - a) : 0;
    const sim = column === "temperature_K"
      ? (series.temperature_C![lo] * (1 - w) + series.temperature_C![hi] * w) + 273.15
      : series.voltage_V[lo] * (1 - w) + series.voltage_V[hi] * w;
    const e = sim - v[r];
    se += e * e;
    max = Math.max(max, Math.abs(e));
    n++;
  }
  return { rmse: Math.sqrt(se / n), max, compared: n };
}
