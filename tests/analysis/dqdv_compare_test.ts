// Copyright 2026 the battery-analysis authors. MIT license.
import { equal, ok, throws } from "node:assert/strict";
import { dqdv, dqdvDifference, trackPeaks } from "../../analysis/mod.ts";
import { assertClose } from "../_util.ts";
import { STEPS, syntheticHalfCycle } from "./_dqdv_synthetic.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";

function linearCharge(vmax: number): CyclingSeries {
  // 5 Ah charged linearly from 3.0 V to vmax: dQ/dV = 5 / (vmax − 3).
  const series = syntheticHalfCycle([{ q_Ah: 1, v_V: 3.5, w_V: 0.1 }], { rows: 2001 });
  for (let i = 0; i < 2001; i++) {
    series.charge_capacity_Ah[i] = (5 * i) / 2000;
    series.voltage_V[i] = 3 + ((vmax - 3) * i) / 2000;
  }
  return series;
}

Deno.test("dqdvDifference() reproduces the original system's test: 3.333 − 5 = −1.6667", () => {
  // Original system §3.10 item 5: Q 0..5 Ah over 3.0→4.0 V (dQ/dV 5) and over 3.0→4.5 V
  // (3.333): the difference is −1.6667 everywhere (away from the smoothed ends here).
  const a = dqdv({ series: linearCharge(4.0), start_row: 0, end_row: 2001 }, { peaks: false });
  const b = dqdv({ series: linearCharge(4.5), start_row: 0, end_row: 2001 }, { peaks: false });
  const diff = dqdvDifference(a, b);
  // Overlap is the charge 3.0–4.0 V range: 1000 cells of 1 mV.
  equal(diff.voltage_V.length, 1000);
  for (let i = 50; i < 950; i++) {
    assertClose(diff.difference_Ah_per_V[i], 5 / 1.5 - 5, { abs: 1e-9 });
  }
});

Deno.test("dqdvDifference() interpolates when grid steps differ, and rejects disjoint ranges", () => {
  const a = dqdv({ series: linearCharge(4.0), start_row: 0, end_row: 2001 }, { peaks: false });
  const b = dqdv({ series: linearCharge(4.5), start_row: 0, end_row: 2001 }, {
    peaks: false,
    grid_step_V: 0.002,
  });
  const diff = dqdvDifference(a, b);
  const mid = diff.voltage_V.findIndex((v) => v > 3.5);
  assertClose(diff.difference_Ah_per_V[mid], 5 / 1.5 - 5, { abs: 1e-9 });
  const far = linearCharge(4.0);
  for (let i = 0; i < 2001; i++) far.voltage_V[i] += 2;
  const c = dqdv({ series: far, start_row: 0, end_row: 2001 }, { peaks: false });
  throws(() => dqdvDifference(a, c), /do not overlap/);
});

Deno.test("trackPeaks() follows peaks moving 4 mV per cycle and a peak that fades away", () => {
  // Cycle k (0..5): the 3.45 V peak moves to 3.45 + 0.004k V; the 3.95 V peak shrinks and is gone
  // from cycle 4 on (capacity 0.3 → 0 Ah). Expected shift of track 1: 5 × 4 mV = 20 mV.
  const curves = [0, 1, 2, 3, 4, 5].map((k) => {
    const steps = [
      { q_Ah: 0.4, v_V: 3.45 + 0.004 * k, w_V: 0.015 },
      { q_Ah: 0.3, v_V: 3.7, w_V: 0.02 },
      ...(k < 4 ? [{ q_Ah: 0.3 * (1 - k / 4), v_V: 3.95, w_V: 0.025 }] : []),
    ];
    const series = syntheticHalfCycle(steps, { rows: 5000 });
    return dqdv({ series, start_row: 0, end_row: 5000, cycle: k + 1 });
  });
  const tracks = trackPeaks(curves);
  equal(tracks.length, 3);
  assertClose(tracks[0].shift_V, 0.02, { abs: 0.0005 });
  equal(tracks[0].points.length, 6);
  assertClose(tracks[1].shift_V, 0, { abs: 0.0005 });
  equal(tracks[2].points.length, 4); // cycles 1–4 (from cycle 5 the step is gone)
  ok(tracks[2].height_ratio! < 0.6);
});

Deno.test("trackPeaks() keeps charge and discharge peaks apart", () => {
  const charge = syntheticHalfCycle(STEPS, { rows: 3000 });
  const discharge = syntheticHalfCycle(STEPS, { rows: 3000, direction: "discharge" });
  const tracks = trackPeaks([
    dqdv({ series: charge, start_row: 0, end_row: 3000, cycle: 1 }),
    dqdv({ series: discharge, start_row: 0, end_row: 3000, cycle: 1 }),
  ]);
  equal(tracks.length, 6);
  equal(tracks.filter((t) => t.direction === "discharge").length, 3);
  throws(() => trackPeaks([], { max_shift_V: 0 }), /max_shift_V/);
});
