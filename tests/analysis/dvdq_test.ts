// Copyright 2026 the battery-analysis authors. MIT license.
import { equal, ok, throws } from "node:assert/strict";
import { dvdq } from "../../analysis/mod.ts";
import { JUPYTER_DISPLAY } from "../../analysis/_display.ts";
import { assertClose } from "../_util.ts";
import { capacityAt, dqdvAt, STEPS, syntheticHalfCycle } from "./_dqdv_synthetic.ts";
import { readArbinCsv, stepRows } from "./_dqdv_csv.ts";

// dV/dQ = 1 / (dQ/dV); between two steps it peaks where dQ/dV is lowest. Expected positions from
// the analytic curve (grid search of 1/dqdvAt every 10 µV): V = 3.5646 V, Q − Q(3.0) = 0.4002 Ah
// and V = 3.8162 V, Q = 0.7005 Ah. On discharge the capacity passed is 1 − those: 0.5998, 0.2995.
function analyticPeaks(): number[] {
  const out: number[] = [];
  for (const [a, b] of [[3.45, 3.7], [3.7, 3.95]]) {
    let best = 0, at = a;
    for (let v = a; v <= b; v += 1e-5) {
      if (1 / dqdvAt(STEPS, v) > best) [best, at] = [1 / dqdvAt(STEPS, v), v];
    }
    out.push(capacityAt(STEPS, at) - capacityAt(STEPS, 3.0));
  }
  return out;
}

Deno.test("dvdq() finds the plateau transitions within 1 mAh, charge and discharge", () => {
  const expected = analyticPeaks();
  assertClose(expected[0], 0.4002, { abs: 1e-4 });
  for (const direction of ["charge", "discharge"] as const) {
    const series = syntheticHalfCycle(STEPS, {
      rows: 20000,
      noise_V: 0.002,
      quantum_V: 0.001,
      direction,
      seed: 9,
    });
    const curve = dvdq({ series, start_row: 0, end_row: series.length });
    equal(curve.direction, direction);
    equal(curve.peaks.length, 2);
    const want = direction === "charge" ? expected : expected.map((q) => 1 - q).reverse();
    curve.peaks.forEach((p, k) => {
      assertClose(p.position_Ah, want[k], { abs: 0.001, message: `${direction} peak ${k}` });
      ok(direction === "charge" ? p.height_V_per_Ah > 0 : p.height_V_per_Ah < 0);
    });
  }
});

Deno.test("dvdq() integral equals the voltage change between the first and last knot", () => {
  // Noise-free: the knots span the sampled window 3.0 → 4.2 V exactly.
  const series = syntheticHalfCycle(STEPS, { rows: 5000 });
  const curve = dvdq({ series, start_row: 0, end_row: series.length });
  assertClose(curve.voltage_change_V, 1.2, { abs: 1e-9 });
  // Discharge: last − first row voltage (the generator's inversion ends a few µV below 3.0 V).
  const down = syntheticHalfCycle(STEPS, { rows: 5000, direction: "discharge" });
  assertClose(
    dvdq({ series: down, start_row: 0, end_row: 5000 }).voltage_change_V,
    down.voltage_V[4999] - down.voltage_V[0],
    { abs: 1e-9 },
  );
});

Deno.test("dvdq() on arbin_example.csv discharge: integral equals the voltage drop", () => {
  // Step 12 of cycle 1: the first 5+ rows ramp the current at constant capacity (IR drop from
  // 3.5898 V), so the first knot is their mean fitted level. Expected from SciPy's own
  // isotonic_regression(V, increasing=False) over all 446 rows, grouping rows by equal capacity:
  // first level 3.5248750 V, last 1.9997430 V, change −1.5251320 V (our knots pool blocks rather
  // than rows, a 1e-5 V difference).
  const series = readArbinCsv("arbin/arbin_example.csv");
  const [start_row, end_row] = stepRows(series, 1, [12]);
  const curve = dvdq({ series, start_row, end_row }, { presmooth_Ah: 0 });
  assertClose(curve.voltage_change_V, -1.525132, { abs: 1e-4 });
  assertClose(curve.total_capacity_Ah, 1.0723574, { abs: 1e-7 });
  ok(curve[JUPYTER_DISPLAY]()["text/plain"].startsWith("dV/dQ of the discharge"));
});

Deno.test("dvdq() rejects bad options", () => {
  const series = syntheticHalfCycle(STEPS, { rows: 100 });
  throws(() => dvdq({ series, start_row: 0, end_row: 100 }, { grid_step_Ah: -1 }), /grid_step_Ah/);
  throws(() => dvdq({ series, start_row: 0, end_row: 100 }, { fwhm_Ah: NaN }), /fwhm_Ah/);
});
