// Copyright 2026 the battery-analysis authors. MIT license.
// Synthetic cycling series with known answers, for the analysis tests.

import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { mulberry32 } from "../../analysis/_random.ts";

/** One constant-current segment of a synthetic test. */
export interface Segment {
  /** Current, A (positive on charge; 0 for rest). */
  current_A: number;
  /** Duration, s. */
  duration_s: number;
  /** Voltage at time τ ∈ [0, 1] of the segment (fraction of its duration). */
  voltage: number | ((tau: number) => number);
  /** Instrument step index. */
  step: number;
  /** Instrument cycle index. */
  cycle: number;
  /** Sampling interval inside this segment, s. @default {the series dt} */
  dt_s?: number;
}

/** How the synthetic capacity and energy counters reset. */
export type CounterMode = "cumulative" | "per_cycle" | "per_step";

/**
 * Sample the segments at their own interval (the first row of each segment at its start +
 * interval). Counters are exact integrals of the piecewise-constant current (charge) and of
 * current × voltage by the trapezoid rule (energy), reset as `mode` says.
 */
export function synthesize(
  segments: Segment[],
  options: { dt_s?: number; mode?: CounterMode } = {},
): CyclingSeries {
  const dt0 = options.dt_s ?? 60;
  const mode = options.mode ?? "cumulative";
  const t: number[] = [], v: number[] = [], i: number[] = [];
  const qc: number[] = [], qd: number[] = [], ec: number[] = [], ed: number[] = [];
  const step: number[] = [], cyc: number[] = [];
  let time = 0;
  let cQc = 0, cQd = 0, cEc = 0, cEd = 0;
  let prevV = NaN;
  // Row 0: start of the test, at rest, counters 0.
  const volt = (s: Segment, tau: number): number =>
    typeof s.voltage === "number" ? s.voltage : s.voltage(tau);
  t.push(0);
  v.push(volt(segments[0], 0));
  i.push(0);
  qc.push(0), qd.push(0), ec.push(0), ed.push(0);
  step.push(segments[0].step), cyc.push(segments[0].cycle);
  prevV = v[0];
  let prevSeg: Segment | null = null;
  for (const s of segments) {
    if (prevSeg) {
      const reset = (mode === "per_cycle" && s.cycle !== prevSeg.cycle) ||
        (mode === "per_step" && s.step !== prevSeg.step);
      if (reset) {
        cQc =
          cQd =
          cEc =
          cEd =
            0;
      }
    }
    const dt = s.dt_s ?? dt0;
    const rows = Math.round(s.duration_s / dt);
    for (let k = 1; k <= rows; k++) {
      time += dt;
      const vv = volt(s, k / rows);
      const dq = (s.current_A * dt) / 3600;
      const de = (s.current_A * ((vv + prevV) / 2) * dt) / 3600;
      if (dq > 0) cQc += dq, cEc += Math.abs(de);
      if (dq < 0) cQd -= dq, cEd += Math.abs(de);
      t.push(time), v.push(vv), i.push(s.current_A);
      qc.push(cQc), qd.push(cQd), ec.push(cEc), ed.push(cEd);
      step.push(s.step), cyc.push(s.cycle);
      prevV = vv;
    }
    prevSeg = s;
  }
  const f = (a: number[]) => Float64Array.from(a);
  return {
    length: t.length,
    time_s: f(t),
    voltage_V: f(v),
    current_A: f(i),
    charge_capacity_Ah: f(qc),
    discharge_capacity_Ah: f(qd),
    charge_energy_Wh: f(ec),
    discharge_energy_Wh: f(ed),
    step_index: Int32Array.from(step),
    cycle_index: Int32Array.from(cyc),
    extras: {},
    start_time: null,
    columns: {},
  };
}

/**
 * `n` cycles of: charge at `chargeA` for `chargeS`, rest 10 min, discharge at −`dischargeA` for
 * `dischargeS(k)`, rest 10 min; steps 2, 3, 4, 5; cycle index k (1-based). Voltage 4.0 V on
 * charge, 3.5 V on discharge, 3.7 V at rest.
 */
export function galvanostatic(
  n: number,
  options: {
    chargeA?: number;
    dischargeA?: number;
    chargeS?: number;
    dischargeS?: (k: number) => number;
    restS?: number;
  } = {},
): Segment[] {
  const chargeA = options.chargeA ?? 1;
  const dischargeA = options.dischargeA ?? 1;
  const chargeS = options.chargeS ?? 3600;
  const dischargeS = options.dischargeS ?? (() => 3420);
  const restS = options.restS ?? 600;
  const out: Segment[] = [];
  for (let k = 1; k <= n; k++) {
    out.push({ current_A: chargeA, duration_s: chargeS, voltage: 4.0, step: 2, cycle: k });
    out.push({ current_A: 0, duration_s: restS, voltage: 3.7, step: 3, cycle: k });
    out.push({
      current_A: -dischargeA,
      duration_s: dischargeS(k),
      voltage: 3.5,
      step: 4,
      cycle: k,
    });
    out.push({ current_A: 0, duration_s: restS, voltage: 3.7, step: 5, cycle: k });
  }
  return out;
}

/** A deterministic pseudo-random generator (mulberry32) with a standard normal sampler. */
export function rng(seed: number): { uniform(): number; normal(): number } {
  const uniform = mulberry32(seed);
  return {
    uniform,
    normal(): number {
      let u = 0;
      while (u === 0) u = uniform();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
    },
  };
}
