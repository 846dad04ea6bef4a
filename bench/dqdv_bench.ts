// Copyright 2026 the battery-analysis authors. MIT license.
// dQ/dV on one million rows: `deno bench -A bench/dqdv_bench.ts`. Target: under 50 ms for the
// default (Gaussian) method.
import { dqdv, dvdq } from "../analysis/mod.ts";
import { STEPS, syntheticHalfCycle } from "../tests/analysis/_dqdv_synthetic.ts";

// One charge of 1 Ah over 3.0–4.2 V, 1 000 000 rows, 1 mV noise, 1 mV quantization.
const series = syntheticHalfCycle(STEPS, { rows: 1_000_000, noise_V: 0.001, quantum_V: 0.001 });
const input = { series, start_row: 0, end_row: series.length };

Deno.bench("dqdv gaussian, 1e6 rows", { group: "dqdv", baseline: true }, () => {
  dqdv(input);
});
Deno.bench("dqdv savgol, 1e6 rows", { group: "dqdv" }, () => {
  dqdv(input, { method: "savgol" });
});
Deno.bench("dqdv spline (GCV), 1e6 rows", { group: "dqdv" }, () => {
  dqdv(input, { method: "spline" });
});
Deno.bench("dvdq gaussian, 1e6 rows", { group: "dqdv" }, () => {
  dvdq(input);
});
