// Copyright 2026 the battery-analysis authors. MIT license.
// Anomaly detection on noise-free and quantized data, where the median absolute deviation of the
// residuals is 0 and only the scale floor decides: expected values are analytic.
import { deepEqual, equal } from "node:assert/strict";
import { detectAnomalies } from "../../analysis/anomalies.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { capacityRetention } from "../../analysis/retention.ts";
import { parseRecording } from "../../parsers/mod.ts";
import { assertClose, readFixture } from "../_util.ts";

const series = (f: (n: number) => number, count: number) =>
  Array.from({ length: count }, (_, k) => ({ cycle: k + 1, value: f(k + 1) }));

/** Two-slope fade: −0.05 %/cycle to cycle 150, −0.4 %/cycle after (as tests/cli/analyze_test). */
const knee = (
  n: number,
) => (n <= 150 ? 1 - 0.0005 * (n - 1) : 1 - 0.0005 * 149 - 0.004 * (n - 150));

Deno.test("detectAnomalies() does not flag the corner of a noise-free two-slope knee", () => {
  const res = detectAnomalies(series(knee, 200));
  // On straight parts the neighbours' median is the point itself (residual 0), so the MAD is 0
  // and the scale is the floor: 0.1 % of the median value. The median of the 200 values is the
  // mean of cycles 100 and 101 (the curve decreases): 1 − 0.0005 × 99.5 = 0.95025.
  equal(res.resolution, 0); // no value repeats
  assertClose(res.scale, 1e-3 * 0.95025, { rel: 1e-12 });
  assertClose(res.scale_floor, res.scale, { rel: 0 });
  // At the corner (cycle 150) the baseline is the mean of cycles 149 and 151 (monotone data), so
  // the residual is half the change of slope: (0.004 − 0.0005) / 2 = 0.00175 → z = 1.84.
  const corner = res.points.find((p) => p.cycle === 150)!;
  assertClose(corner.value - corner.baseline, 0.00175, { rel: 1e-9 });
  assertClose(corner.z, 0.00175 / (1e-3 * 0.95025), { rel: 1e-9 });
  deepEqual(res.anomalies, []);
});

Deno.test("detectAnomalies() does not flag a smooth knee and still flags a real outlier on it", () => {
  // Linear fade plus an exponential knee: the bend is spread over cycles, so each residual is
  // about half the second difference, 0.02/30² × e^((n−300)/30)/2 ≤ 1.2e-5 (z ≤ 0.02).
  const smooth = (n: number) => 1 - 2e-4 * n - 0.02 * Math.exp((n - 300) / 30);
  const clean = detectAnomalies(series(smooth, 320));
  deepEqual(clean.anomalies, []);
  for (const p of clean.points.slice(5, -5)) equal(Math.abs(p.z) < 0.05, true, `z ${p.z}`);
  // A 1 % dip at cycle 200: residual −0.01 × 0.959…, scale 0.1 % of the median (≈ 0.968), so
  // z ≈ −9.9: flagged, and nothing else is.
  const dipped = detectAnomalies(series((n) => smooth(n) * (n === 200 ? 0.99 : 1), 320));
  deepEqual(dipped.anomalies.map((a) => a.cycle), [200]);
  const dip = dipped.anomalies[0];
  assertClose(dip.z, (-0.01 * smooth(200)) / dipped.scale, { rel: 1e-3 });
});

Deno.test("detectAnomalies() scales quantized data by their resolution: one step is not an anomaly", () => {
  // Discharge capacity logged with 5 decimals (steps of 1e-5 Ah) around 1.13 mAh: 113 steps,
  // every seventh cycle 114. Retention = steps/113, so the resolution is exactly 1/113.
  const steps = (n: number) => (n % 7 === 0 ? 114 : n === 30 ? 26 : 113);
  const res = detectAnomalies(series((n) => steps(n) / 113, 40));
  assertClose(res.resolution, 1 / 113, { rel: 1e-12 });
  assertClose(res.scale, 1 / 113, { rel: 1e-12 });
  // The 114-step cycles sit one step above their baseline (113): z = 1 exactly.
  for (const n of [7, 14, 21, 28, 35]) {
    assertClose(res.points.find((p) => p.cycle === n)!.z, 1, { rel: 1e-9 });
  }
  // Cycle 30 holds 26 steps: (26 − 113) steps below the baseline → z = −87.
  deepEqual(res.anomalies.map((a) => a.cycle), [30]);
  assertClose(res.anomalies[0].z, -87, { rel: 1e-9 });
});

Deno.test("detectAnomalies() does not take a lone outlier of a constant series for a quantum", () => {
  // Only the level 1 repeats: no resolution; the floor is 0.1 % of the median (1), so the
  // drop to 0.5 scores z = −0.5 / 1e-3 = −500.
  const res = detectAnomalies(series((n) => (n === 10 ? 0.5 : 1), 20));
  equal(res.resolution, 0);
  deepEqual(res.anomalies.map((a) => a.cycle), [10]);
  assertClose(res.anomalies[0].z, -500, { rel: 1e-9 });
  // An explicit minScale replaces the default floor: −0.5 / 0.1 = −5.
  assertClose(
    detectAnomalies(series((n) => (n === 10 ? 0.5 : 1), 20), { minScale: 0.1 })
      .anomalies[0].z,
    -5,
    { rel: 1e-9 },
  );
});

Deno.test("detectAnomalies() on the Arbin Zn file flags only the cycle cut off by the end", () => {
  // Its discharge capacities are written with 5 decimals (0.00113 or 0.00114 Ah per cycle), so
  // retention moves in steps of 0.00001/0.00113 = 1/113. Cycles 1–35 hold 113 or 114 steps:
  // no anomaly (before the floor used the resolution, the 114-step cycles scored z = 8850). The
  // last cycle, cut off by the end of the file, holds 26 steps: z = (26 − 113) = −87.
  const path = "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
  const rec = parseRecording(readFixture(path), { fileName: path.split("/").pop()! });
  // capacityRetention leaves the cut-off cycle out unless it is counted explicitly (role).
  const table = summarizeCycles(rec.series!).cycles;
  equal(capacityRetention(table).points.length, 35);
  const cycles = table.map((c) => ({ ...c, role: "counted" }));
  const points = capacityRetention(cycles).points;
  equal(points.length, 36);
  const values = points.map((p) => ({ cycle: p.cycle, value: p.retention }));
  const full = detectAnomalies(values.slice(0, 35));
  deepEqual(full.anomalies, []);
  assertClose(full.resolution, 1 / 113, { rel: 1e-9 });
  for (const p of full.points) equal(Math.abs(p.z) <= 1 + 1e-9, true, `cycle ${p.cycle} z ${p.z}`);
  const all = detectAnomalies(values);
  deepEqual(all.anomalies.map((a) => a.cycle), [36]);
  assertClose(all.anomalies[0].z, -87, { rel: 1e-6 });
});
