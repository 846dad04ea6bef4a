// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, ok } from "node:assert/strict";
import { gaussianConserving, savgol } from "../../analysis/_smooth.ts";
import { fitPSpline, psplineDerivative, psplineValue } from "../../analysis/_pspline.ts";
import { downsample } from "../../analysis/downsample.ts";
import { gaussianNoise } from "./_dqdv_synthetic.ts";
import { assertClose } from "../_util.ts";

Deno.test("savgol() matches SciPy savgol_filter(window 9, order 2, mode='interp')", () => {
  // v_i = sin(i/5) + ((i·7919) mod 13)/13, i = 0..39; expected values from SciPy 1.17.
  const v = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i / 5) + ((i * 7919) % 13) / 13);
  const out = savgol(v, 4, 2);
  const expected: [number, number][] = [
    [0, -0.12512784531],
    [1, 0.400925642336],
    [3, 1.144293554493],
    [4, 1.361607979003],
    [20, -0.306070338212],
    [35, 1.100893113317],
    [38, 1.38642417356],
    [39, 1.462163895918],
  ];
  for (const [i, e] of expected) assertClose(out[i], e, { abs: 1e-10, message: `index ${i}` });
});

Deno.test("gaussianConserving() keeps the sum exactly and smooths a spike into a Gaussian", () => {
  const spike = new Float64Array(101);
  spike[3] = 1; // near the edge: the mass must not leak out
  spike[50] = 2;
  const out = gaussianConserving(spike, 4);
  assertClose(out.reduce((a, b) => a + b, 0), 3, { abs: 1e-12 });
  // Interior spike: out[50 ± d] = 2 g(d) / Σ g with g(d) = exp(−d²/32).
  let z = 0;
  for (let d = -16; d <= 16; d++) z += Math.exp(-(d * d) / 32);
  assertClose(out[50], 2 / z, { rel: 1e-12 });
  assertClose(out[58], (2 * Math.exp(-64 / 32)) / z, { rel: 1e-12 });
});

Deno.test("fitPSpline() reproduces a straight line for any smoothing weight", () => {
  // The second-difference penalty vanishes on linear coefficients and cubic B-splines reproduce
  // linear functions, so y = 2 + 3x is fitted exactly.
  const x = Float64Array.from({ length: 50 }, (_, i) => i / 49);
  const y = x.map((v) => 2 + 3 * v);
  const w = new Float64Array(50).fill(1);
  for (const lambda of [0, 1, 1e4] as const) {
    const sp = fitPSpline(x, y, w, { knotSpacing: 0.1, lambda });
    assertClose(psplineValue(sp, 0.37), 2 + 3 * 0.37, { abs: 1e-9 });
    assertClose(psplineDerivative(sp, 0.61), 3, { abs: 1e-8 });
  }
});

Deno.test("fitPSpline() with GCV recovers a sine from noise better than the noise level", () => {
  // y = sin(2πx) + N(0, 0.1²) on 2000 points: the fit's RMS error against the true sine is well
  // below 0.1, and its effective degrees of freedom are far below the number of coefficients.
  const noise = gaussianNoise(5);
  const n = 2000;
  const x = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
  const y = x.map((v) => Math.sin(2 * Math.PI * v) + 0.1 * noise());
  const sp = fitPSpline(x, y, new Float64Array(n).fill(1), { knotSpacing: 0.01, lambda: "gcv" });
  let se = 0;
  for (let i = 0; i < n; i++) se += (psplineValue(sp, x[i]) - Math.sin(2 * Math.PI * x[i])) ** 2;
  ok(Math.sqrt(se / n) < 0.02, `rms ${Math.sqrt(se / n)}`);
  ok(sp.edf > 4 && sp.edf < 30, `edf ${sp.edf}`);
});

Deno.test("downsample() keeps the ends and the extremes (largest triangle three buckets)", () => {
  // A flat line with one spike at 500: the spike's bucket must keep the spike.
  const x = Array.from({ length: 1000 }, (_, i) => i);
  const y = x.map((i) => (i === 500 ? 10 : 0));
  const idx = downsample(x, y, 50);
  equal(idx.length, 50);
  equal(idx[0], 0);
  equal(idx[49], 999);
  ok(idx.includes(500));
  deepEqual(Array.from(downsample([0, 1, 2], [0, 1, 2], 10)), [0, 1, 2]);
});
