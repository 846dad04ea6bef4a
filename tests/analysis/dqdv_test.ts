// Copyright 2026 the battery-analysis authors. MIT license.
import { equal, ok, throws } from "node:assert/strict";
import { dqdv, type DqdvMethod } from "../../analysis/mod.ts";
import { JUPYTER_DISPLAY } from "../../analysis/_display.ts";
import { assertClose } from "../_util.ts";
import {
  capacityAt,
  dqdvAt,
  STEPS,
  syntheticHalfCycle,
  type SyntheticOptions,
} from "./_dqdv_synthetic.ts";
import { readArbinCsv, stepRows } from "./_dqdv_csv.ts";

// Synthetic half cycles: Q(V) = Σ Qk / (1 + exp(−(V − Vk)/wk)) with (Qk, Vk, wk) =
// (0.4 Ah, 3.45 V, 15 mV), (0.3, 3.70, 20 mV), (0.3, 3.95, 25 mV), sampled at constant current.
// The analytic dQ/dV = Σ Qk/wk · s(1 − s) peaks at Vk (neighbours are ≥ 10 w apart, so their
// tails move the maxima by < 0.1 mV), its FWHM is 3.5255 wk and the area of peak k is Qk.
const CASES: Record<string, SyntheticOptions> = {
  "clean": { rows: 5000 },
  "noisy and 1 mV quantized": { rows: 20000, noise_V: 0.002, quantum_V: 0.001, seed: 7 },
  "with rests and overshoots": {
    rows: 5000,
    noise_V: 0.001,
    quantum_V: 0.001,
    rest_every: 200,
    pulse_every: 150,
    seed: 3,
  },
  "discharge, noisy and quantized": {
    rows: 20000,
    noise_V: 0.002,
    quantum_V: 0.001,
    direction: "discharge",
    seed: 11,
  },
};
const METHODS: DqdvMethod[] = ["gaussian", "savgol", "spline"];

function rangeOf(series: { length: number }) {
  return { start_row: 0, end_row: series.length };
}

for (const [name, options] of Object.entries(CASES)) {
  const series = syntheticHalfCycle(STEPS, options);
  for (const method of METHODS) {
    Deno.test(`dqdv() ${method} finds the three analytic peaks within 2.5 mV (${name})`, () => {
      const curve = dqdv({ series, ...rangeOf(series) }, { method });
      equal(curve.direction, options.direction ?? "charge");
      equal(curve.peaks.length, 3, curve.peaks.map((p) => p.position_V).join(", "));
      curve.peaks.forEach((p, k) => {
        assertClose(p.position_V, STEPS[k].v_V, { abs: 0.0025, message: `peak ${k}` });
        // The peak's share of the curve is its step's capacity (tails of neighbours: < 1 %).
        assertClose(p.area_Ah, STEPS[k].q_Ah, { abs: 0.006, message: `area ${k}` });
        const sign = curve.direction === "charge" ? 1 : -1;
        // Smoothing lowers peaks: within 8 % of the analytic height Σ Qk/(4 wk) at Vk.
        assertClose(sign * p.height_Ah_per_V, dqdvAt(STEPS, STEPS[k].v_V), {
          rel: 0.08,
          message: `height ${k}`,
        });
      });
    });
  }
}

Deno.test("dqdv() gaussian: area equals the capacity between the end levels exactly", () => {
  // Sum-conserving smoothing of cell differences telescopes: area = Q(last) − Q(first).
  for (const options of Object.values(CASES)) {
    const series = syntheticHalfCycle(STEPS, options);
    const curve = dqdv({ series, ...rangeOf(series) });
    assertClose(curve.area_Ah + curve.terminal_capacity_Ah, curve.capacity_Ah, { abs: 1e-10 });
    // The synthetic capacity between 3.0 and 4.2 V is Q(4.2) − Q(3.0).
    assertClose(curve.capacity_Ah, capacityAt(STEPS, 4.2) - capacityAt(STEPS, 3.0), {
      abs: 1e-9,
    });
    const include = dqdv({ series, ...rangeOf(series) }, { terminal: "include" });
    assertClose(include.area_Ah, include.capacity_Ah, { abs: 1e-10 });
    equal(include.terminal_capacity_Ah, 0);
  }
});

Deno.test("dqdv() savgol and spline: area within 0.5 % of the capacity", () => {
  const series = syntheticHalfCycle(STEPS, CASES["noisy and 1 mV quantized"]);
  for (const method of ["savgol", "spline"] as const) {
    const curve = dqdv({ series, ...rangeOf(series) }, { method, terminal: "include" });
    assertClose(curve.area_Ah, curve.capacity_Ah, { rel: 0.005, message: method });
  }
});

Deno.test("dqdv() FWHM matches the analytic width widened by the Gaussian", () => {
  // FWHM of a logistic step's derivative is 4·acosh(√2)·w = 3.5255 w; Gaussian smoothing of
  // FWHM f widens it to about √(F² + f²) (exact for Gaussians; within 2 % here).
  const series = syntheticHalfCycle(STEPS, CASES["clean"]);
  const curve = dqdv({ series, ...rangeOf(series) }, { fwhm_V: 0.01 });
  curve.peaks.forEach((p, k) => {
    const analytic = 4 * Math.acosh(Math.SQRT2) * STEPS[k].w_V;
    assertClose(p.fwhm_V!, Math.hypot(analytic, 0.01), { rel: 0.02, message: `peak ${k}` });
  });
  const none = dqdv({ series, ...rangeOf(series) }, { fwhm_V: 0 });
  none.peaks.forEach((p, k) => {
    assertClose(p.fwhm_V!, 4 * Math.acosh(Math.SQRT2) * STEPS[k].w_V, { rel: 0.01 });
  });
});

Deno.test("dqdv() leaves a constant-voltage hold out of the curve and reports it", () => {
  // 0.05 Ah passed at the 4.2 V limit after the CC part (synthetic hold rows).
  const series = syntheticHalfCycle(STEPS, {
    rows: 5300,
    quantum_V: 0.001,
    hold_rows: 300,
    hold_Ah: 0.05,
  });
  const raw = dqdv({ series, ...rangeOf(series) }, { presmooth_Ah: 0 });
  assertClose(raw.capacity_Ah, 1.05, { abs: 1e-4 });
  // The hold plus the capacity in the last 1 mV (terminal_tolerance_V) of the CC part, < 0.1 mAh.
  assertClose(raw.terminal_capacity_Ah, 0.05, { abs: 1e-4 });
  // Averaging voltage over presmooth_Ah (default 0.2 % of 1.05 Ah) blurs the start of the hold
  // by at most that much capacity.
  const curve = dqdv({ series, ...rangeOf(series) });
  assertClose(curve.terminal_capacity_Ah, 0.05, { abs: 0.002 * 1.05 });
  equal(curve.peaks.length, 3);
  const include = dqdv({ series, ...rangeOf(series) }, { terminal: "include" });
  assertClose(include.area_Ah, include.capacity_Ah, { abs: 1e-10 });
});

Deno.test("dqdv() drops rest rows inside the range", () => {
  // Rest rows have current 0: 5 per 200 active rows in the "rests" case.
  const series = syntheticHalfCycle(STEPS, CASES["with rests and overshoots"]);
  const curve = dqdv({ series, ...rangeOf(series) });
  equal(curve.rows.dropped, 5 * Math.floor(5000 / 200));
  equal(curve.rows.used, 5000);
});

Deno.test("dqdv() grids of different cycles share their points", () => {
  // Grid points are odd multiples of half the step, whatever the voltage range.
  const a = syntheticHalfCycle(STEPS, { rows: 3000, v_min: 3.0, v_max: 4.2 });
  const b = syntheticHalfCycle(STEPS, { rows: 3000, v_min: 3.0123, v_max: 4.1877 });
  for (const s of [a, b]) {
    const curve = dqdv({ series: s, ...rangeOf(s) }, { grid_step_V: 0.002 });
    for (const v of curve.voltage_V.subarray(0, 5)) {
      assertClose(((v - 0.001) / 0.002) % 1, 0, { abs: 1e-6 });
    }
  }
});

Deno.test("dqdv() rejects bad input with clear messages", () => {
  const series = syntheticHalfCycle(STEPS, { rows: 100 });
  throws(() => dqdv({ series, start_row: 0, end_row: 1 }), /at least 2 rows/);
  throws(() => dqdv({ series, start_row: 0, end_row: 500 }), /within 0\.\.100/);
  throws(() => dqdv({ series, start_row: 0.5, end_row: 50 }), /integers/);
  throws(() => dqdv({ series, ...rangeOf(series) }, { grid_step_V: 0 }), /grid_step_V/);
  throws(
    () => dqdv({ series, ...rangeOf(series) }, { method: "magic" as DqdvMethod }),
    /method must be/,
  );
  throws(() => dqdv({ series, ...rangeOf(series) }, { direction: "discharge" }), /no discharge/);
  // Both directions in one range.
  const both = syntheticHalfCycle(STEPS, { rows: 100 });
  both.discharge_capacity_Ah.set(both.charge_capacity_Ah);
  throws(() => dqdv({ series: both, ...rangeOf(both) }), /both charge .* and discharge/);
  // Constant voltage.
  const flat = syntheticHalfCycle(STEPS, { rows: 100 });
  flat.voltage_V.fill(3.5);
  throws(() => dqdv({ series: flat, ...rangeOf(flat) }), /does not change/);
});

Deno.test("dqdv() result displays in Jupyter with a peak table and a plot", () => {
  const series = syntheticHalfCycle(STEPS, { rows: 2000 });
  const curve = dqdv({ series, ...rangeOf(series), cycle: 3 });
  const bundle = curve[JUPYTER_DISPLAY]();
  ok(bundle["text/html"]!.includes("<table>"));
  ok(bundle["text/plain"].includes("charge of cycle 3"));
  // Three peak rows in the table (3.45, 3.7, 3.95 V).
  equal(bundle["text/html"]!.split("<tr>").length - 2, 3);
  ok(bundle["application/vnd.vegalite.v5+json"]);
});

// Real data: `arbin/arbin_example.csv` (battery-data-toolkit), an LFP cell. Expected values from
// the raw columns with pandas: discharge capacity = last − first Discharge_Capacity of step 12
// (cycle 1: 1.0723574 Ah, cycle 2: 1.0729039 Ah); charge step 11: 0.1904931 and 0.1910142 Ah.
// A plain 10 mV histogram of ΔQ by voltage (3-bin moving average) puts the maximum in the
// 3.14–3.15 V bin for both discharges and 3.42–3.43 V for both charges.
const REAL = [
  { cycle: 1, step: 12, capacity: 1.0723574, peak: 3.145 },
  { cycle: 2, step: 12, capacity: 1.0729039, peak: 3.145 },
  { cycle: 1, step: 11, capacity: 0.1904931, peak: 3.425 },
  { cycle: 2, step: 11, capacity: 0.1910142, peak: 3.425 },
];
for (const method of METHODS) {
  Deno.test(`dqdv() ${method} on arbin_example.csv: area and main peak match the raw columns`, () => {
    const series = readArbinCsv("arbin/arbin_example.csv");
    for (const r of REAL) {
      const [start_row, end_row] = stepRows(series, r.cycle, [r.step]);
      const curve = dqdv({ series, start_row, end_row, cycle: r.cycle }, { method });
      assertClose(curve.capacity_Ah, r.capacity, { abs: 1e-7 });
      // area + the capacity at the voltage limits = capacity (exact for gaussian).
      assertClose(curve.area_Ah + curve.terminal_capacity_Ah, curve.capacity_Ah, {
        abs: method === "gaussian" ? 1e-10 : 0.005 * r.capacity,
      });
      ok(curve.peaks.length >= 1);
      const main = curve.peaks.reduce((a, b) =>
        a.prominence_Ah_per_V > b.prominence_Ah_per_V ? a : b
      );
      assertClose(main.position_V, r.peak, {
        abs: 0.01,
        message: `cycle ${r.cycle} step ${r.step}`,
      });
    }
  });
}

Deno.test("dqdv() on a multi-rate CC-CV charge (arbin_example.csv cycle 2 steps 7-8)", () => {
  // Step 7 charges at 1.1 A, step 8 at 6.6 A then holds 3.6 V: the IR jump at the current change
  // makes voltage fall and rise at constant capacity; isotonic pooling keeps dQ/dV ≥ 0.
  const series = readArbinCsv("arbin/arbin_example.csv");
  const [start_row, end_row] = stepRows(series, 2, [7, 8]);
  const curve = dqdv({ series, start_row, end_row });
  // Charge_Capacity goes from 1.9e-6 to 0.880049 over the two steps (pandas).
  assertClose(curve.capacity_Ah, 0.880049 - 0.0000019, { abs: 2e-6 });
  assertClose(curve.area_Ah + curve.terminal_capacity_Ah, curve.capacity_Ah, { abs: 1e-10 });
  ok(curve.dqdv_Ah_per_V.every((d) => d >= -1e-12));
});
