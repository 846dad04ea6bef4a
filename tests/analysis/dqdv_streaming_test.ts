// Copyright 2026 the battery-analysis authors. MIT license.
// The streaming half-cycle passes (rows read in chunks, running sums in ring buffers that grow
// when a window holds more rows than they do) against a direct whole-array implementation of the
// same definitions: the results must be identical to the last bit.
import { deepEqual, equal } from "node:assert/strict";
import {
  extractHalfCycle,
  halfCycleBlocks,
  type HalfCycleData,
  presmoothVoltage,
  scanHalfCycle,
} from "../../analysis/_half_cycle_data.ts";
import { STEPS, syntheticHalfCycle, type SyntheticOptions } from "./_dqdv_synthetic.ts";

/**
 * Reference presmoothing on whole arrays: prefix sums over every kept row, the first moving mean
 * at every row, its prefix sums, the second mean at the rows at least width/4 apart.
 */
function presmoothReference(data: HalfCycleData, width: number) {
  const q = data.capacity_Ah, v = Float64Array.from(data.voltage_V), n = v.length;
  const half = width / 2, refV = v[0], q0 = q[0], qn = q[n - 1];
  const eps = 1e-9 * (qn - q0);
  const pv = new Float64Array(n + 1), pq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    pv[i + 1] = pv[i] + (v[i] - refV);
    pq[i + 1] = pq[i] + (q[i] - q0);
  }
  const qm = new Float64Array(n);
  let lo = 0, hi = 0;
  for (let i = 0; i < n; i++) {
    const h = Math.min(half, q[i] - q0, qn - q[i]) + eps;
    while (hi < n && q[hi] <= q[i] + h) hi++;
    while (q[lo] < q[i] - h) lo++;
    v[i] = (pv[hi] - pv[lo]) / (hi - lo);
    qm[i] = (pq[hi] - pq[lo]) / (hi - lo);
  }
  for (let i = 0; i < n; i++) {
    pv[i + 1] = pv[i] + v[i];
    pq[i + 1] = pq[i] + qm[i];
  }
  const V: number[] = [], Q: number[] = [], W: number[] = [];
  let last = -Infinity, prevKept = -1;
  lo = 0;
  hi = 0;
  for (let i = 0; i < n; i++) {
    if (!(q[i] - last >= width / 4) && i !== n - 1) continue;
    const h = Math.min(half, q[i] - q0, qn - q[i]) + eps;
    while (hi < n && q[hi] <= q[i] + h) hi++;
    while (q[lo] < q[i] - h) lo++;
    V.push(refV + (pv[hi] - pv[lo]) / (hi - lo));
    Q.push(q0 + (pq[hi] - pq[lo]) / (hi - lo));
    W.push(i - prevKept);
    last = q[i];
    prevKept = i;
  }
  return { V, Q, W };
}

/** Reference pool-adjacent-violators on whole arrays, blocks as (level, mean Q, weight). */
function isotonicReference(data: HalfCycleData) {
  const s = data.direction === "charge" ? 1 : -1;
  const sv: number[] = [], sq: number[] = [], w: number[] = [];
  for (let k = 0; k < data.voltage_V.length; k++) {
    sv.push(s * data.voltage_V[k]);
    sq.push(data.capacity_Ah[k]);
    w.push(1);
    let t = sv.length - 1;
    while (t > 0 && sv[t - 1] / w[t - 1] >= sv[t] / w[t] - 1e-12) {
      sv[t - 1] += sv[t];
      sq[t - 1] += sq[t];
      w[t - 1] += w[t];
      sv.pop();
      sq.pop();
      w.pop();
      t--;
    }
  }
  return { level: sv.map((x, b) => (s * x) / w[b]), mean: sq.map((x, b) => x / w[b]), w };
}

const CASES: { name: string; options: SyntheticOptions; width_Ah: number }[] = [
  // Windows of ~2000 rows: the rings never grow.
  {
    name: "dense noisy charge",
    options: { rows: 200_000, noise_V: 0.001, quantum_V: 0.001 },
    width_Ah: 0.002,
  },
  // Windows of ~30 000 rows: the rings grow several times.
  {
    name: "wide window",
    options: { rows: 300_000, noise_V: 0.001, quantum_V: 0.001 },
    width_Ah: 0.1,
  },
  // Rests (dropped rows), overshoots and a constant-voltage hold, on a discharge.
  {
    name: "rests, pulses, hold, discharge",
    options: {
      rows: 60_000,
      direction: "discharge",
      noise_V: 0.0005,
      rest_every: 100,
      pulse_every: 37,
      hold_rows: 20_000,
      hold_Ah: 0.001,
    },
    width_Ah: 0.002,
  },
];

for (const { name, options, width_Ah } of CASES) {
  Deno.test(`presmoothVoltage (streaming) equals whole-array prefix sums: ${name}`, () => {
    const series = syntheticHalfCycle(STEPS, options);
    const input = { series, start_row: 0, end_row: series.length };
    const data = extractHalfCycle(input, "test");
    const want = presmoothReference(data, width_Ah);
    const got = presmoothVoltage(scanHalfCycle(input, "test"), width_Ah)!;
    equal(got.voltage_V.length, want.V.length);
    deepEqual(Array.from(got.voltage_V), want.V);
    deepEqual(Array.from(got.capacity_Ah), want.Q);
    deepEqual(Array.from(got.weight!), want.W);
  });

  Deno.test(`halfCycleBlocks without presmoothing equals whole-array PAVA: ${name}`, () => {
    const series = syntheticHalfCycle(STEPS, options);
    const input = { series, start_row: 0, end_row: series.length };
    const want = isotonicReference(extractHalfCycle(input, "test"));
    const got = halfCycleBlocks(scanHalfCycle(input, "test"), 0);
    equal(got.count, want.w.length);
    deepEqual(Array.from(got.level_V), want.level);
    deepEqual(Array.from(got.mean_Ah), want.mean);
    deepEqual(Array.from(got.weight), want.w);
  });
}
