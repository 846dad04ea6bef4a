// Copyright 2026 the battery-analysis authors. MIT license.
// Test helper: read an Arbin-style CSV export (BEEP column names) into a CyclingSeries, so the
// dQ/dV tests can run on real data independently of the parsers under development.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { readFixture } from "../_util.ts";

/** Columns of `arbin/arbin_example.csv` and `arbin/FastCharge_000025_CH8.csv`. */
export function readArbinCsv(relative: string): CyclingSeries {
  const text = new TextDecoder().decode(readFixture(relative)).trim();
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(",");
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${relative}: no column ${name}`);
    return i;
  };
  const n = lines.length - 1;
  const f = (): Float64Array => new Float64Array(n);
  const s: CyclingSeries = {
    length: n,
    time_s: f(),
    voltage_V: f(),
    current_A: f(),
    charge_capacity_Ah: f(),
    discharge_capacity_Ah: f(),
    charge_energy_Wh: f(),
    discharge_energy_Wh: f(),
    step_index: new Int32Array(n),
    cycle_index: new Int32Array(n),
    extras: {},
    start_time: null,
    columns: {},
  };
  const cols = {
    time_s: col("Test_Time"),
    voltage_V: col("Voltage"),
    current_A: col("Current"),
    charge_capacity_Ah: col("Charge_Capacity"),
    discharge_capacity_Ah: col("Discharge_Capacity"),
    charge_energy_Wh: col("Charge_Energy"),
    discharge_energy_Wh: col("Discharge_Energy"),
  };
  const step = col("Step_Index"), cycle = col("Cycle_Index");
  for (let r = 0; r < n; r++) {
    const cells = lines[r + 1].split(",");
    for (const [key, i] of Object.entries(cols)) {
      (s[key as keyof typeof cols] as Float64Array)[r] = Number(cells[i]);
    }
    s.step_index[r] = Number(cells[step]);
    s.cycle_index[r] = Number(cells[cycle]);
  }
  return s;
}

/** Rows of the given steps in one cycle, as [start, end). */
export function stepRows(s: CyclingSeries, cycle: number, steps: number[]): [number, number] {
  let start = -1, end = -1;
  for (let r = 0; r < s.length; r++) {
    if (s.cycle_index[r] === cycle && steps.includes(s.step_index[r])) {
      if (start < 0) start = r;
      end = r + 1;
    }
  }
  return [start, end];
}
