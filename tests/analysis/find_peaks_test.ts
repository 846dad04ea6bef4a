// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, throws } from "node:assert/strict";
import { findPeaks } from "../../analysis/mod.ts";
import { assertClose } from "../_util.ts";

// y = exp(−(x−1)²/0.02) + 0.5 exp(−(x−3)²/0.02) + 0.2 exp(−(x−2.2)²/0.005) + 0.05 sin(7x) on
// x = 0, 0.01, …, 4. Expected values from SciPy 1.17 (`find_peaks(y, prominence=0)` and
// `peak_widths(y, peaks, rel_height=0.5)`, widths × 0.01):
//   index 22: prominence 0.0499763, width 0.2991789
//   index 100: prominence 1.0800040, width 0.2457171
//   index 220: prominence 0.2651523, width 0.1516301
//   index 300: prominence 0.5912807, width 0.2570670
//   index 381: prominence 0.0364266, width 0.2521087
const x = Array.from({ length: 401 }, (_, i) => i * 0.01);
const y = x.map((v) =>
  Math.exp(-((v - 1) ** 2) / 0.02) + 0.5 * Math.exp(-((v - 3) ** 2) / 0.02) +
  0.2 * Math.exp(-((v - 2.2) ** 2) / 0.005) + 0.05 * Math.sin(7 * v)
);
const SCIPY = [
  { index: 22, prominence: 0.04997629153033544, width: 0.29917894156227226 },
  { index: 100, prominence: 1.0800040317429183, width: 0.24571705960244572 },
  { index: 220, prominence: 0.2651522686187954, width: 0.1516301151504058 },
  { index: 300, prominence: 0.5912807228858753, width: 0.25706700487641454 },
  { index: 381, prominence: 0.036426594029395104, width: 0.2521087112056995 },
];

Deno.test("findPeaks() prominences and widths match SciPy", () => {
  const peaks = findPeaks(x, y, { min_prominence: 0 });
  deepEqual(peaks.map((p) => p.index), SCIPY.map((s) => s.index));
  peaks.forEach((p, k) => {
    assertClose(p.prominence, SCIPY[k].prominence, { rel: 1e-12 });
    assertClose(p.width, SCIPY[k].width, { rel: 1e-9 });
  });
});

Deno.test("findPeaks() default threshold keeps peaks above 5 % of the maximum prominence", () => {
  // max(y) = 1.0328 (SciPy), so 5 % is 0.0516: the two sine ripples (0.0500, 0.0364) go.
  deepEqual(findPeaks(x, y).map((p) => p.index), [100, 220, 300]);
});

Deno.test("findPeaks() areas of all peaks add up to the integral of the positive part", () => {
  const peaks = findPeaks(x, y);
  let total = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    total += ((Math.max(y[i], 0) + Math.max(y[i + 1], 0)) / 2) * 0.01;
  }
  assertClose(peaks.reduce((s, p) => s + p.area, 0), total, { rel: 1e-12 });
});

Deno.test("findPeaks() on an isolated Gaussian: position, height, FWHM and area", () => {
  // exp(−(x−μ)²/(2σ²)) with μ = 1.2345, σ = 0.05 sampled every 0.001: FWHM = 2.35482 σ,
  // area = σ √(2π), and the vertex recovers the off-grid μ to within 5 % of the sample spacing
  // (the least-squares parabola over the top fifth is centred on the highest sample, half a
  // sample off here, and a Gaussian top is not quite a parabola).
  const xs = Array.from({ length: 2001 }, (_, i) => i * 0.001 + 0.2);
  const ys = xs.map((v) => Math.exp(-((v - 1.2345) ** 2) / (2 * 0.05 ** 2)));
  const [p] = findPeaks(xs, ys);
  assertClose(p.position, 1.2345, { abs: 5e-5 });
  assertClose(p.height, 1, { abs: 1e-4 });
  assertClose(p.fwhm!, 2 * Math.sqrt(2 * Math.LN2) * 0.05, { rel: 1e-4 });
  assertClose(p.area, 0.05 * Math.sqrt(2 * Math.PI), { rel: 1e-6 });
});

Deno.test("findPeaks() handles flat tops, edges and bad input", () => {
  // A flat top counts once at its middle; rising edges are not peaks.
  const peaks = findPeaks([0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 2, 2, 1, 3]);
  equal(peaks.length, 1);
  equal(peaks[0].index, 3);
  // Half height not reached before the curve rises again on the right: FWHM is null.
  equal(findPeaks([0, 1, 2, 3, 4], [0, 4, 3, 5, 0])[0].fwhm, null);
  throws(() => findPeaks([0, 1, 1], [0, 1, 0]), /strictly increasing/);
  throws(() => findPeaks([0, 1], [0, 1, 0]), /x has 2 samples but y has 3/);
});
