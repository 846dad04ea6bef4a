// Copyright 2026 the battery-analysis authors. MIT license.
// Synthetic half cycles with an analytic dQ/dV, for tests and benchmarks.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";

/** One sigmoid step of Q(V) = Σ Qk / (1 + exp(−(V − Vk)/wk)). */
export interface Step {
  /** Capacity of the step, Ah. */
  q_Ah: number;
  /** Centre, V. */
  v_V: number;
  /** Width parameter, V (FWHM of its dQ/dV = 3.5255 w). */
  w_V: number;
}

/** The three steps used by most tests: total 1 Ah between 3.0 and 4.2 V. */
export const STEPS: Step[] = [
  { q_Ah: 0.4, v_V: 3.45, w_V: 0.015 },
  { q_Ah: 0.3, v_V: 3.7, w_V: 0.02 },
  { q_Ah: 0.3, v_V: 3.95, w_V: 0.025 },
];

/** Q(V) of the steps. */
export function capacityAt(steps: Step[], v: number): number {
  let q = 0;
  for (const s of steps) q += s.q_Ah / (1 + Math.exp(-(v - s.v_V) / s.w_V));
  return q;
}

/** Analytic dQ/dV of the steps. */
export function dqdvAt(steps: Step[], v: number): number {
  let d = 0;
  for (const s of steps) {
    const e = 1 / (1 + Math.exp(-(v - s.v_V) / s.w_V));
    d += (s.q_Ah / s.w_V) * e * (1 - e);
  }
  return d;
}

/** A small deterministic PRNG (mulberry32) and a Gaussian from it (Box–Muller). */
export function gaussianNoise(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Options of {@link syntheticHalfCycle}. */
export interface SyntheticOptions {
  /** Number of rows. */
  rows: number;
  /** "charge" (V rises) or "discharge" (V falls). */
  direction?: "charge" | "discharge";
  /** Voltage window, V. */
  v_min?: number;
  v_max?: number;
  /** Standard deviation of Gaussian voltage noise, V. */
  noise_V?: number;
  /** Quantization step of the voltage, V (0 = none). */
  quantum_V?: number;
  /** Rest rows (current 0, voltage relaxing by 5 mV) inserted every this many rows (0 = none). */
  rest_every?: number;
  /** Current pulses: every this many rows the voltage overshoots by 10 mV then relaxes. */
  pulse_every?: number;
  /** Extra rows at the end held at the voltage limit (constant-voltage hold). */
  hold_rows?: number;
  /** Capacity passed during the hold, Ah. */
  hold_Ah?: number;
  /** Seed of the noise. */
  seed?: number;
}

/**
 * A series holding one half cycle sampled at constant current (uniform in capacity): the
 * capacity counter is exact, the voltage is V(Q) from inverting Q(V), plus noise, quantization,
 * rests, overshoots and an optional hold as asked.
 */
export function syntheticHalfCycle(steps: Step[], options: SyntheticOptions): CyclingSeries {
  const vMin = options.v_min ?? 3.0, vMax = options.v_max ?? 4.2;
  const direction = options.direction ?? "charge";
  const noise = gaussianNoise(options.seed ?? 1);
  // Tabulate Q(V) finely, then invert by interpolation.
  const table = 200_001;
  const tv = new Float64Array(table), tq = new Float64Array(table);
  for (let i = 0; i < table; i++) {
    tv[i] = vMin + ((vMax - vMin) * i) / (table - 1);
    tq[i] = capacityAt(steps, tv[i]);
  }
  const q0 = tq[0], q1 = tq[table - 1];
  const holdRows = options.hold_rows ?? 0;
  const activeRows = options.rows - holdRows;
  const rows: { v: number; q: number; i: number }[] = [];
  let b = 0;
  for (let r = 0; r < activeRows; r++) {
    const passed = ((q1 - q0) * r) / (activeRows - 1);
    // Charge: Q(V) - q0 = passed. Discharge: q1 - Q(V) = passed.
    const target = direction === "charge" ? q0 + passed : q1 - passed;
    if (direction === "charge") {
      while (b < table - 2 && tq[b + 1] < target) b++;
    } else {
      b = r === 0 ? table - 2 : b;
      while (b > 0 && tq[b] > target) b--;
    }
    const f = (target - tq[b]) / (tq[b + 1] - tq[b] || 1);
    const v = tv[b] + f * (tv[b + 1] - tv[b]);
    rows.push({ v, q: passed, i: 1 });
    if (options.rest_every && r % options.rest_every === options.rest_every - 1) {
      const relax = direction === "charge" ? -0.005 : 0.005;
      for (let k = 1; k <= 5; k++) rows.push({ v: v + (relax * k) / 5, q: passed, i: 0 });
    }
    if (options.pulse_every && r % options.pulse_every === options.pulse_every - 1) {
      const over = direction === "charge" ? 0.01 : -0.01;
      rows[rows.length - 1].v = v + over;
    }
  }
  const lastQ = rows[rows.length - 1].q;
  for (let h = 1; h <= holdRows; h++) {
    rows.push({
      v: direction === "charge" ? vMax : vMin,
      q: lastQ + ((options.hold_Ah ?? 0) * h) / holdRows,
      i: 0.5,
    });
  }
  const n = rows.length;
  const quantum = options.quantum_V ?? 0;
  const sigma = options.noise_V ?? 0;
  const sign = direction === "charge" ? 1 : -1;
  const series: CyclingSeries = {
    length: n,
    time_s: new Float64Array(n),
    voltage_V: new Float64Array(n),
    current_A: new Float64Array(n),
    charge_capacity_Ah: new Float64Array(n),
    discharge_capacity_Ah: new Float64Array(n),
    charge_energy_Wh: new Float64Array(n),
    discharge_energy_Wh: new Float64Array(n),
    step_index: new Int32Array(n),
    cycle_index: new Int32Array(n).fill(1),
    extras: {},
    start_time: null,
    columns: {},
  };
  let t = 0;
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    let v = row.v + sigma * noise();
    if (quantum > 0) v = Math.round(v / quantum) * quantum;
    series.voltage_V[r] = v;
    series.current_A[r] = sign * row.i;
    (direction === "charge" ? series.charge_capacity_Ah : series.discharge_capacity_Ah)[r] = row.q;
    if (r > 0) t += row.i > 0 ? ((row.q - rows[r - 1].q) * 3600) / row.i : 10;
    series.time_s[r] = t;
  }
  return series;
}
