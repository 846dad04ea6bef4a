// Copyright 2026 the battery-analysis authors. MIT license.
// summarizeCycles computes its per-cycle means, voltage range and median resistance in one pass
// with a selection-based median, and its capacities and energies from the counters at the cycle
// boundaries only (for speed and memory). These tests check it bit for bit against the plain
// definitions (one pass per mean, a sorted copy for the median — the implementation it
// replaced) on every cycling fixture and on synthetic series with holes, ties and odd and even
// resistance counts.
import { equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { parseRecording } from "../../parsers/mod.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { monotoneCounter, segmentCycles } from "../../analysis/_cycle_segments.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { fixturePath } from "../_util.ts";

/** Time-weighted mean over intervals whose two ends both pass `keep` (trapezoid rule). */
function timeWeightedMean(
  t: Float64Array,
  x: Float64Array,
  from: number,
  to: number,
  keep: (r: number) => boolean,
): number | null {
  let area = 0, span = 0, sum = 0, count = 0;
  let prevOk = false;
  for (let r = from; r < to; r++) {
    const ok = keep(r) && Number.isFinite(x[r]) && Number.isFinite(t[r]);
    if (ok) {
      sum += x[r];
      count++;
      if (prevOk) {
        const dt = t[r] - t[r - 1];
        if (dt > 0) {
          area += ((x[r] + x[r - 1]) / 2) * dt;
          span += dt;
        }
      }
    }
    prevOk = ok;
  }
  if (span > 0) return area / span;
  return count > 0 ? sum / count : null;
}

function sortedMedian(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/** The reference values of the fields computed in the one pass, per cycle. */
function reference(series: CyclingSeries) {
  const seg = segmentCycles(series);
  const { time_s: t, voltage_V: v, current_A: i } = series;
  const dir = seg.dir;
  const n = series.length;
  // Capacities and energies from full-length running counters (what summarizeCycles did before
  // it computed them at the cycle boundaries only).
  const anyFinite = (x: Float64Array) => x.some((value) => Number.isFinite(value));
  const qcm = monotoneCounter(series.charge_capacity_Ah);
  const qdm = monotoneCounter(series.discharge_capacity_Ah);
  const ecm = anyFinite(series.charge_energy_Wh) ? monotoneCounter(series.charge_energy_Wh) : null;
  const edm = anyFinite(series.discharge_energy_Wh)
    ? monotoneCounter(series.discharge_energy_Wh)
    : null;
  return seg.cycles.map(({ start, end }) => {
    const counted = (m: Float64Array, sign: 1 | -1): number => {
      let x = m[end - 1] - (start > 0 ? m[start - 1] : 0);
      if (start > 0 && dir[start] === -sign) x -= m[start] - m[start - 1];
      if (end < n && dir[end] === -sign) x += m[end] - m[end - 1];
      return x;
    };
    const qc = counted(qcm, 1), qd = counted(qdm, -1);
    const ec = ecm ? counted(ecm, 1) : null, ed = edm ? counted(edm, -1) : null;
    let vmin = Infinity, vmax = -Infinity;
    for (let r = start; r < end; r++) {
      if (v[r] < vmin) vmin = v[r];
      if (v[r] > vmax) vmax = v[r];
    }
    const ir = series.extras.internal_resistance_ohm;
    const values: number[] = [];
    if (ir) { for (let r = start; r < end; r++) if (ir[r] > 0) values.push(ir[r]); }
    return {
      charge_capacity_Ah: qc,
      discharge_capacity_Ah: qd,
      coulombic_efficiency: qc > 0 ? qd / qc : null,
      charge_energy_Wh: ec,
      discharge_energy_Wh: ed,
      energy_efficiency: ec !== null && ed !== null && ec > 0 ? ed / ec : null,
      mean_voltage_V: timeWeightedMean(t, v, start, end, () => true),
      min_voltage_V: Number.isFinite(vmin) ? vmin : null,
      max_voltage_V: Number.isFinite(vmax) ? vmax : null,
      mean_charge_voltage_V: timeWeightedMean(t, v, start, end, (r) => dir[r] === 1),
      mean_discharge_voltage_V: timeWeightedMean(t, v, start, end, (r) => dir[r] === -1),
      mean_charge_current_A: timeWeightedMean(t, i, start, end, (r) => dir[r] === 1),
      mean_discharge_current_A: timeWeightedMean(t, i, start, end, (r) => dir[r] === -1),
      internal_resistance_ohm: ir ? sortedMedian(values) : null,
    };
  });
}

function assertSame(series: CyclingSeries, label: string): number {
  const got = summarizeCycles(series).cycles;
  const want = reference(series);
  equal(got.length, want.length, `${label}: cycle count`);
  for (let k = 0; k < want.length; k++) {
    for (const [key, value] of Object.entries(want[k])) {
      const actual = got[k][key as keyof typeof want[number]];
      ok(Object.is(actual, value), `${label}, cycle ${k + 1}, ${key}: ${actual} !== ${value}`);
    }
  }
  return want.length;
}

Deno.test("summarizeCycles: one-pass means and median equal the plain definitions on every cycling fixture", () => {
  const root = fixturePath("");
  let files = 0, cycles = 0;
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        walk(path);
        continue;
      }
      let series: CyclingSeries | null | undefined;
      try {
        series = parseRecording(Deno.readFileSync(path), { fileName: entry.name }).series;
      } catch {
        continue; // not a recording (README, reference tables, broken-file fixtures)
      }
      if (!series || series.length === 0) continue;
      try {
        segmentCycles(series);
      } catch {
        continue;
      }
      try {
        summarizeCycles(series);
      } catch {
        continue; // no capacity counters: summarizeCycles refuses, not our concern here
      }
      const n = assertSame(series, entry.name);
      files++;
      cycles += n;
    }
  };
  walk(root);
  // The fixtures hold dozens of cycling files; make sure the walk found them.
  ok(files >= 20, `only ${files} cycling fixtures found`);
  ok(cycles >= 500, `only ${cycles} cycles compared`);
});

Deno.test("summarizeCycles: one-pass means and median equal the plain definitions with holes and ties", () => {
  // 12 cycles of 2 A charge / rest / 2 A discharge; NaN holes in time, voltage and current;
  // resistances with ties, zeros (not measured), Infinity, and odd and even counts per cycle.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const n = 12 * 97;
  const t = new Float64Array(n), v = new Float64Array(n), i = new Float64Array(n);
  const qc = new Float64Array(n), qd = new Float64Array(n), ir = new Float64Array(n);
  let c = 0, d = 0;
  for (let r = 0; r < n; r++) {
    const k = r % 97;
    const cur = k < 45 ? 2 : k < 50 ? 0 : 92 > k ? -2 : 0;
    t[r] = r * 30 + (rand() < 0.05 ? -40 : 0); // some steps back in time (dt <= 0)
    i[r] = cur + (rand() - 0.5) * 0.01;
    v[r] = 3.5 + 0.5 * Math.sin(r / 9) + rand() * 1e-3;
    if (cur > 0) c += 30 * 2 / 3600;
    if (cur < 0) d += 30 * 2 / 3600;
    qc[r] = c;
    qd[r] = d;
    ir[r] = rand() < 0.3 ? 0 : Math.round(rand() * 8) / 1000; // ties
    if (rand() < 0.03) t[r] = NaN;
    if (rand() < 0.03) v[r] = NaN;
    if (rand() < 0.03) i[r] = NaN;
    if (rand() < 0.01) ir[r] = Infinity;
    if (rand() < 0.02) ir[r] = NaN;
  }
  const series: CyclingSeries = {
    length: n,
    time_s: t,
    voltage_V: v,
    current_A: i,
    charge_capacity_Ah: qc,
    discharge_capacity_Ah: qd,
    charge_energy_Wh: new Float64Array(n).fill(NaN),
    discharge_energy_Wh: new Float64Array(n).fill(NaN),
    step_index: new Int32Array(n),
    cycle_index: new Int32Array(n).fill(1),
    extras: { internal_resistance_ohm: ir },
    start_time: null,
    columns: {},
  };
  // 12 cycles by construction (one charge and one discharge run each).
  equal(assertSame(series, "synthetic"), 12);
  // Cycles whose rows are cut to one resistance value, two, three: odd and even counts.
  for (let keep = 1; keep <= 4; keep++) {
    const few = new Float64Array(n);
    for (let r = 0; r < n; r++) few[r] = r % 97 < keep ? 0.001 * (1 + (r % 97)) : 0;
    equal(assertSame({ ...series, extras: { internal_resistance_ohm: few } }, `keep ${keep}`), 12);
  }
});
