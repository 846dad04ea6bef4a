// Copyright 2026 the battery-analysis authors. MIT license.
// Tests of cli/analyze.ts on synthetic Arbin-style CSV files with a known fade, knee, anomaly,
// truncated last cycle and dQ/dV peaks (tests/cli/_synthetic_arbin.ts), in FILE and --test mode.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { assertClose } from "../_util.ts";
import { jsonLines, runCli } from "./_run.ts";
import {
  CHARGE_PEAK_V,
  DISCHARGE_PEAK_V,
  pseudoNoise,
  syntheticArbinCsv,
} from "./_synthetic_arbin.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Linear fade of 0.1 % per cycle with uniform noise of ±0.05 %, 100 cycles. */
function linearCapacities(): number[] {
  const noise = pseudoNoise(42);
  return Array.from({ length: 100 }, (_, k) => 1 - 0.001 * k + 0.0005 * noise());
}

/**
 * Two-slope fade with a knee at cycle 150 (−0.05 %/cycle before, −0.4 %/cycle after), a 3 %
 * dip at cycle 60, uniform noise ±0.2 %; 200 complete cycles plus a cycle 201 cut off half-way
 * through its discharge.
 */
function kneeCapacities(): number[] {
  const noise = pseudoNoise(7);
  return Array.from({ length: 201 }, (_, k) => {
    const n = k + 1;
    const clean = n <= 150 ? 1 - 0.0005 * (n - 1) : 1 - 0.0005 * 149 - 0.004 * (n - 150);
    return clean * (n === 60 ? 0.97 : 1) + 0.002 * noise();
  });
}

async function withFiles(
  fn: (paths: { linear: string; knee: string; dir: string }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "analyze_test_" });
  try {
    const lin = linearCapacities(), knee = kneeCapacities();
    const linear = join(dir, "linear_cell_Channel_1_Wb_1.CSV");
    const kneeFile = join(dir, "knee_cell_Channel_2_Wb_1.CSV");
    await Deno.writeTextFile(
      linear,
      syntheticArbinCsv({ cycles: 100, discharge_Ah: (n) => lin[n - 1], rowsPerHalf: 41 }),
    );
    await Deno.writeTextFile(
      kneeFile,
      syntheticArbinCsv({ cycles: 200, discharge_Ah: (n) => knee[n - 1], truncatedFraction: 0.5 }),
    );
    await fn({ linear, knee: kneeFile, dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function analyze(args: string[], permissions?: string[]): Promise<Json> {
  const run = await runCli("cli/analyze.ts", ["--json", ...args], permissions);
  equal(run.code, 0, run.stderr);
  return jsonLines(run.stdout)[0];
}

Deno.test("analyze --json predicts the end of life of a linear fade as least squares does", async () => {
  await withFiles(async ({ linear }) => {
    const a = await analyze([linear]);
    // Independent closed-form ordinary least squares of r_n = q_n / q_1 on n (the capacities
    // written into the file), its crossing of 0.8 and the delta-method interval with
    // s² = RSS / (n − 2) and z = 1.959964 (95 %).
    const q = linearCapacities();
    const x = q.map((_, k) => k + 1), y = q.map((v) => v / q[0]);
    const n = x.length;
    const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
    let sxx = 0, sxy = 0;
    for (let i = 0; i < n; i++) {
      sxx += (x[i] - mx) ** 2;
      sxy += (x[i] - mx) * (y[i] - my);
    }
    const b = sxy / sxx, intercept = my - b * mx;
    let rss = 0;
    for (let i = 0; i < n; i++) rss += (y[i] - intercept - b * x[i]) ** 2;
    const s2 = rss / (n - 2);
    const varB = s2 / sxx, varA = s2 * (1 / n + mx * mx / sxx), covAB = -s2 * mx / sxx;
    const crossing = (0.8 - intercept) / b;
    const da = -1 / b, db = -(0.8 - intercept) / (b * b);
    const sd = Math.sqrt(da * da * varA + 2 * da * db * covAB + db * db * varB);

    equal(a.summary.cycle_count, 100);
    equal(a.summary.counted_cycle_count, 100);
    equal(a.summary.reference_cycle, 1);
    equal(a.protocol.kind, "cc_cycling");
    equal(a.cycle_method, "cycle_index");
    deepEqual(a.excluded, []);
    equal(a.fade.models.best.model, "linear");
    equal(a.fade.models.fits.length, 4); // every model is fitted
    assertClose(a.fade.models.best.params.a, intercept, { rel: 1e-6 });
    assertClose(a.fade.models.best.params.b, b, { rel: 1e-6 });
    const eol = a.end_of_life;
    equal(eol.threshold, 0.8);
    equal(eol.model, "linear");
    assertClose(eol.predicted_cycle, crossing, { rel: 1e-6 });
    assertClose(eol.predicted_lower, crossing - 1.959964 * sd, { rel: 1e-5 });
    assertClose(eol.predicted_upper, crossing + 1.959964 * sd, { rel: 1e-5 });
    equal(eol.observed_cycle, null); // retention stays above 80 % (≈ 90 % at cycle 100)
    // Mean fade per 100 cycles: (1 − r_100) / (100 − 1) × 100.
    assertClose(a.fade.retention.fade_per_100_cycles, (1 - y[99]) / 99 * 100, { rel: 1e-9 });
  });
});

Deno.test("analyze finds the knee, observed end of life, anomaly and dQ/dV peaks", async () => {
  await withFiles(async ({ knee }) => {
    const a = await analyze([knee]);
    // Cycle 201 ends half-way through its discharge with 1 A flowing: left out.
    equal(a.summary.cycle_count, 201);
    deepEqual(a.excluded.map((e: Json) => [e.cycle, e.role]), [[201, "cut_off"]]);
    match(a.excluded[0].reason, /recording ends during it/);
    ok(a.summary.flag_codes.includes("last_cycle_cut_off"));
    equal(a.fade.retention.points.length, 200);
    // Observed end of life: first cycle with r_n = q_n/q_1 < 0.8, interpolated linearly from the
    // previous cycle (computed here from the capacities written into the file).
    const q = kneeCapacities(), r = q.map((v) => v / q[0]);
    const i = r.findIndex((v) => v < 0.8);
    const observed = i + (r[i - 1] - 0.8) / (r[i - 1] - r[i]); // cycle i at index i-1
    assertClose(a.end_of_life.observed_cycle, observed, { rel: 1e-9 });
    assertClose(observed, 181.375, { abs: 1 }); // the noise-free curve crosses at 181.375
    // Knee: the slopes change at cycle 150; fade accelerates.
    const k = a.fade.knee;
    assertClose(k.knee_cycle, 150, { abs: 3 });
    equal(k.accelerating, true);
    assertClose(k.slope_before, -0.0005, { abs: 0.0001 });
    assertClose(k.slope_after, -0.004, { abs: 0.0005 });
    // The 3 % dip at cycle 60 is the only anomaly (the noise is 0.2 %).
    deepEqual(a.fade.anomalies.retention.anomalies.map((p: Json) => p.cycle), [60]);
    // dQ/dV: first and last full cycles (1 and 200); the plateaus are at 3.40 V (charge) and
    // 3.35 V (discharge) by construction, and do not move.
    deepEqual(a.dqdv.cycles, [1, 200]);
    equal(a.dqdv.halves.length, 4);
    for (const h of a.dqdv.halves) {
      equal(h.peaks.length, 1);
      const expected = h.direction === "charge" ? CHARGE_PEAK_V : DISCHARGE_PEAK_V;
      assertClose(h.peaks[0].position_V, expected, { abs: 0.002 });
      // Area of the only peak ≈ the half cycle's capacity (the plateau holds all but its tails).
      assertClose(h.peaks[0].area_Ah, h.capacity_Ah, { rel: 0.02 });
    }
    // Capacity of the discharge of cycle 200 is q_200 (written into the file).
    const d200 = a.dqdv.halves.find((h: Json) => h.cycle === 200 && h.direction === "discharge");
    assertClose(d200.capacity_Ah, q[199], { rel: 1e-9 });
    for (const t of a.dqdv.tracks) assertClose(t.shift_V, 0, { abs: 0.002 });
  });
});

Deno.test("analyze options: --keep-incomplete, --cycle, --threshold, --reference-cycle", async () => {
  await withFiles(async ({ knee, linear }) => {
    const kept = await analyze(["--keep-incomplete", "--cycle", "100", knee]);
    deepEqual(kept.excluded, []);
    equal(kept.fade.retention.points.length, 201);
    deepEqual(kept.dqdv.cycles, [100]);
    equal(kept.dqdv.chosen_by, "--cycle");
    equal(kept.dqdv.halves.length, 2);
    // --threshold 0.9 on the linear fade: the crossing of r = 0.9 by the same linear fit.
    const a9 = await analyze(["--threshold", "0.9", "--reference-cycle", "10", linear]);
    equal(a9.end_of_life.threshold, 0.9);
    equal(a9.fade.retention.reference_cycle, 10);
    const q = linearCapacities();
    assertClose(a9.fade.retention.reference_value, q[9], { rel: 1e-9 });
    const best = a9.fade.models.best;
    equal(best.model, "linear");
    assertClose(a9.end_of_life.predicted_cycle, (0.9 - best.params.a) / best.params.b, {
      rel: 1e-9,
    });
    // Retention 0.9 relative to cycle 10 is ~ cycle 110: beyond the data, predicted only.
    assertClose(a9.end_of_life.predicted_cycle, 110, { abs: 3 });
  });
});

Deno.test("analyze --test reads a stored test and agrees with the file analysis", async () => {
  await withFiles(async ({ knee, dir }) => {
    const db = join(dir, "store.db");
    const imported = await runCli(
      "cli/import_directory.ts",
      ["--db", db, "--create", "--json", "--workers", "0", "--no-archive", knee],
      ["-A"],
    );
    equal(imported.code, 0, imported.stderr);
    const id = jsonLines(imported.stdout).find((l) => l.type === "file")!.test_id as string;
    const stored = await analyze(["--test", id, "--db", db], ["-A"]);
    const file = await analyze([knee]);
    // The stored analysis (computed at import) is the file's analysis: same numbers, flags, roles.
    equal(stored.label, "knee_cell_Channel_2_Wb_1");
    equal(stored.store.location, db); // the store used is in the JSON
    equal(file.store, undefined);
    deepEqual(stored.summary, file.summary);
    deepEqual(stored.flags, file.flags);
    deepEqual(stored.cycles, file.cycles);
    deepEqual(stored.excluded, file.excluded);
    deepEqual(stored.end_of_life, file.end_of_life);
    deepEqual(stored.fade, file.fade);
    deepEqual(stored.dqdv, file.dqdv);
    // With an option, --test computes it again; --save stores it and its options.
    const at9 = await analyze(["--test", id, "--db", db, "--threshold", "0.9", "--save"], ["-A"]);
    equal(at9.options.threshold, 0.9);
    const again = await analyze(["--test", id, "--db", db], ["-A"]);
    deepEqual(again.summary, at9.summary);
    equal(again.options.threshold, 0.9);
    const missing = await runCli("cli/analyze.ts", ["--test", "nope", "--db", db], ["-A"]);
    equal(missing.code, 1);
    match(missing.stderr, /analyze: no test "nope"/);
  });
});

Deno.test("analyze reports bad input clearly", async () => {
  const usage = await runCli("cli/analyze.ts", []);
  equal(usage.code, 2);
  match(usage.stderr, /give exactly one FILE, or --test TEST_ID/);
  const threshold = await runCli("cli/analyze.ts", ["--threshold", "1.5", "x.csv"]);
  equal(threshold.code, 2);
  match(threshold.stderr, /--threshold must be a number between 0 and 1/);
  // An impedance file is analysed as such: no fade analysis, and the reason.
  const eis = await runCli("cli/analyze.ts", ["tests/fixtures/biologic/PEIS-0.mpr"]);
  equal(eis.code, 0, eis.stderr);
  match(eis.stdout, /protocol: impedance/);
  match(eis.stdout, /No fade analysis: /);
  // A file without any discharge (BioLogic MB-0.mpr: 2 rows at rest): no fade analysis, said.
  const empty = await runCli("cli/analyze.ts", ["tests/fixtures/biologic/MB-0.mpr"]);
  equal(empty.code, 0, empty.stderr);
  match(empty.stdout, /protocol: ocv_rest/);
  match(empty.stdout, /No fade analysis: open-circuit/);
  const save = await runCli("cli/analyze.ts", ["--save", "x.csv"]);
  equal(save.code, 2);
  match(save.stderr, /--save goes with --test/);
  const cycle = await runCli("cli/analyze.ts", [
    "--cycle",
    "99",
    "tests/fixtures/arbin/arbin_example.csv",
  ]);
  equal(cycle.code, 1);
  match(cycle.stderr, /dQ\/dV .*99/);
});
