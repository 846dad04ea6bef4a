// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, throws } from "node:assert/strict";
import { compile } from "vega-lite";
import { findOutliers } from "../../analysis/outliers.ts";
import { similarTests } from "../../analysis/similar_tests.ts";
import { pca } from "../../analysis/pca.ts";
import { compareTests } from "../../analysis/compare_tests.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { analyzeFade } from "../../analysis/fade.ts";
import { capacityPlotSpec, retentionPlotSpec } from "../../analysis/plot_specs.ts";
import { JUPYTER_DISPLAY } from "../../analysis/_display.ts";
import { symmetricEigen } from "../../analysis/_jacobi.ts";
import { assertClose } from "../_util.ts";
import { galvanostatic, rng, synthesize } from "./_synthetic.ts";

Deno.test("findOutliers() flags S5 by the IQR rule (original system's test case)", () => {
  // numpy.percentile([0.8, 0.82, 0.81, 0.79, 1.5], [25, 75]) = 0.8, 0.82 → fences 0.77, 0.85.
  const values = [0.8, 0.82, 0.81, 0.79, 1.5].map((value, i) => ({ id: `S${i + 1}`, value }));
  const res = findOutliers(values);
  assertClose(res.q1, 0.8, { rel: 1e-12 });
  assertClose(res.q3, 0.82, { rel: 1e-12 });
  assertClose(res.upper_fence, 0.85, { rel: 1e-12 });
  deepEqual(res.outliers.map((o) => [o.id, o.rules]), [["S5", ["iqr"]]]);
  // With 5 values no z-score can exceed 4/√5 ≈ 1.79 < 3: the z rule alone finds nothing.
  equal(findOutliers(values, { method: "zscore" }).outliers.length, 0);
});

Deno.test("findOutliers() z-score rule on a larger group, non-finite values ignored", () => {
  // 40 N(0, 1) values (seeded) plus one at 12: mean ≈ 0.3, sd ≈ 2 → z ≈ 5.7 > 3.
  const r = rng(2);
  const values = Array.from({ length: 40 }, (_, i) => ({ id: `T${i}`, value: r.normal() }));
  values.push({ id: "X", value: 12 }, { id: "nan", value: NaN });
  const res = findOutliers(values, { method: "zscore" });
  deepEqual(res.outliers.map((o) => o.id), ["X"]);
  deepEqual(res.ignored, ["nan"]);
  throws(() => findOutliers(values, { method: "mad" as never }), RangeError);
});

Deno.test("similarTests() ranks by distance in standardized units", () => {
  // One feature x = [0, 1, 2, 10]: mean 3.25, sample sd √(Σ(x − 3.25)²/3) = √(62.75/3);
  // from "a" (x = 0) the distances are 1/sd, 2/sd, 10/sd. A constant feature is dropped.
  const xs = [0, 1, 2, 10];
  const rows = ["a", "b", "c", "d"].map((id, i) => ({ id, features: { x: xs[i], k: 5 } }));
  const sd = Math.sqrt(62.75 / 3);
  const res = similarTests(rows, "a", { k: 2 });
  deepEqual(res.neighbours.map((n) => n.id), ["b", "c"]);
  assertClose(res.neighbours[0].distance, 1 / sd, { rel: 1e-12 });
  assertClose(res.neighbours[1].distance, 2 / sd, { rel: 1e-12 });
  deepEqual(res.features, ["x"]);
  deepEqual(res.dropped, [{ feature: "k", reason: "constant over the tests" }]);
  throws(() => similarTests(rows, "zz"), /no test "zz"/);
});

Deno.test("pca() matches numpy on standardized features", () => {
  // Expected values from numpy 2.4: Z = (X − mean)/std(ddof=1); eigh(cov(Z)); each component's
  // sign set so its largest |loading| is positive; scores = Z · loadings.
  const X = [
    [1.02, 0.91, 0.9990, 3.71],
    [0.98, 0.88, 0.9985, 3.69],
    [1.10, 0.95, 0.9995, 3.75],
    [0.95, 0.70, 0.9950, 3.60],
    [1.00, 0.90, 0.9989, 3.70],
    [1.05, 0.93, 0.9992, 3.72],
  ];
  const names = ["q0", "ret", "ce", "v"];
  const rows = X.map((row, i) => ({
    id: `T${i}`,
    features: Object.fromEntries(names.map((n, j) => [n, row[j]])),
  }));
  const res = pca(rows, { features: names });
  assertClose(res.eigenvalues[0], 3.70112961, { rel: 1e-8 });
  assertClose(res.eigenvalues[1], 0.29591398, { rel: 1e-7 });
  assertClose(res.explained_variance_ratio[0], 0.9252824, { rel: 1e-7 });
  const load = [
    [0.46145397, 0.51250065, 0.50477909, 0.51923154],
    [0.84586296, -0.30363424, -0.43774524, -0.02648035],
  ];
  const scores = [
    [0.55698619, -0.23079635],
    [-0.31461033, -0.62555722],
    [2.03635078, 0.75645032],
    [-3.56618228, 0.46204173],
    [0.19468259, -0.48414459],
    [1.09277305, 0.1220061],
  ];
  load.forEach((l, k) => l.forEach((v, j) => assertClose(res.loadings[k][j], v, { abs: 1e-7 })));
  scores.forEach((s, i) => s.forEach((v, k) => assertClose(res.scores[i].pc[k], v, { abs: 1e-7 })));
  throws(() => pca(rows.slice(0, 1)), /at least 2 tests/);
});

Deno.test("symmetricEigen() gives 2 ± √2 and 2 for the tridiagonal [1 2 1] matrix", () => {
  // Analytic eigenvalues of [[2,1,0],[1,2,1],[0,1,2]]: 2 + √2, 2, 2 − √2.
  const { values, vectors } = symmetricEigen([2, 1, 0, 1, 2, 1, 0, 1, 2], 3);
  assertClose(values[0], 2 + Math.SQRT2, { rel: 1e-14 });
  assertClose(values[1], 2, { rel: 1e-14 });
  assertClose(values[2], 2 - Math.SQRT2, { rel: 1e-14 });
  // Eigenvector of 2 + √2 is (1, √2, 1)/2 up to sign.
  assertClose(Math.abs(vectors[0][1]), Math.SQRT1_2, { rel: 1e-14 });
});

Deno.test("compareTests() aligns tests of different lengths at their common cycle", () => {
  // A: retention 1 − 0.001 (n − 1) for 200 cycles; B: 1 − 0.003 (n − 1) for 100 cycles.
  const make = (fade: number, n: number) =>
    Array.from({ length: n }, (_, k) => ({
      cycle: k + 1,
      discharge_capacity_Ah: 2 * (1 - fade * k),
      coulombic_efficiency: 0.999,
      energy_efficiency: 0.9,
    }));
  const cmp = compareTests([{ name: "A", cycles: make(0.001, 200) }, {
    name: "B",
    cycles: make(0.003, 100),
  }]);
  equal(cmp.common_cycle, 100);
  assertClose(cmp.table[0].retention_at_common_cycle!, 1 - 0.001 * 99, { rel: 1e-12 });
  assertClose(cmp.table[1].retention_at_common_cycle!, 1 - 0.003 * 99, { rel: 1e-12 });
  // B falls to 80 % at 1 + 0.2/0.003 = 67.67 (exact on the line); A never does.
  assertClose(cmp.table[1].cycle_life!, 1 + 0.2 / 0.003, { rel: 1e-9 });
  equal(cmp.table[0].cycle_life, null);
  equal(cmp.curves.length, 300);
  const bundle = cmp[JUPYTER_DISPLAY]();
  equal(bundle["text/html"]!.includes("<td>B</td>"), true);
  compile(bundle["application/vnd.vegalite.v5+json"] as never);
  throws(() => compareTests([{ name: "A", cycles: [] }, { name: "A", cycles: [] }]), /unique/);
});

Deno.test("plot specs compile with Vega-Lite and carry the data", () => {
  // The specs must be valid Vega-Lite (compile throws otherwise) and hold the plotted values.
  const table = summarizeCycles(synthesize(galvanostatic(3)));
  const cap = capacityPlotSpec(table.cycles);
  compile(cap as never);
  const capData = ((cap.vconcat as Record<string, unknown>[])[0].layer as {
    data: { values: { capacity_mAh: number }[] };
  }[])[0].data.values;
  equal(capData.length, 6);
  // Charge of cycle 1: 1 A × 3600 s = 1000 mAh.
  assertClose(capData[0].capacity_mAh, 1000, { rel: 1e-12 });
  compile(table[JUPYTER_DISPLAY]()["application/vnd.vegalite.v5+json"] as never);
  const cycles = Array.from({ length: 60 }, (_, k) => ({
    cycle: k + 1,
    discharge_capacity_Ah: k < 40 ? 1 - 1e-3 * k : 0.961 - 1e-2 * (k - 39),
    coulombic_efficiency: 0.99,
    energy_efficiency: 0.9,
  }));
  const fade = analyzeFade(cycles);
  const spec = retentionPlotSpec(fade.plotData());
  compile(spec as never);
  // Points, fitted curve, threshold line, knee rule (and knee onset), anomalies if any.
  equal((spec.layer as unknown[]).length >= 4, true);
  compile(fade[JUPYTER_DISPLAY]()["application/vnd.vegalite.v5+json"] as never);
});
