// Copyright 2026 the battery-analysis authors. MIT license.
// Benchmarks of the cycling analysis: fade fitting on 5,000 cycles, cycle building on a
// 1,000,000-row series, and the whole per-test analysis (analyzeTest) on both.
// Run: deno bench -A bench/fade_bench.ts
import { summarizeCycles } from "../analysis/cycles.ts";
import { fitFadeModels } from "../analysis/fade_models.ts";
import { kneePoint } from "../analysis/knee.ts";
import { analyzeFade } from "../analysis/fade.ts";
import { analyzeTest } from "../analysis/analyze_test.ts";
import type { CyclingSeries } from "../lib/model/cycling_series.ts";

// 5,000 cycles of power-law fade with a deterministic ±0.1 % ripple (no randomness needed).
const points = Array.from({ length: 5000 }, (_, k) => ({
  cycle: k + 1,
  retention: 1 - 2e-3 * Math.pow(k + 1, 0.8) + 1e-3 * Math.sin(k * 1.7),
}));
const cycles = points.map((p) => ({
  cycle: p.cycle,
  discharge_capacity_Ah: 2 * p.retention,
  coulombic_efficiency: 0.999,
  energy_efficiency: 0.93,
}));

/** 1,000,000 rows: 1-A cycles of 250 rows charge, 25 rest, 200 discharge, 25 rest (2,000 cycles). */
function bigSeries(n: number): CyclingSeries {
  const t = new Float64Array(n), v = new Float64Array(n), i = new Float64Array(n);
  const qc = new Float64Array(n), qd = new Float64Array(n);
  const ec = new Float64Array(n), ed = new Float64Array(n);
  const step = new Int32Array(n), cyc = new Int32Array(n);
  let c = 0, d = 0;
  for (let r = 0; r < n; r++) {
    const k = r % 500;
    const cur = k < 250 ? 1 : k < 275 ? 0 : k < 475 ? -1 : 0;
    t[r] = r * 10;
    i[r] = cur;
    v[r] = cur > 0 ? 3.8 + k / 1000 : cur < 0 ? 3.9 - (k - 275) / 1000 : 3.7;
    if (cur > 0) c += 10 / 3600;
    if (cur < 0) d += 10 / 3600;
    qc[r] = c, qd[r] = d, ec[r] = 3.9 * c, ed[r] = 3.7 * d;
    step[r] = k < 250 ? 1 : k < 275 ? 2 : k < 475 ? 3 : 4;
    cyc[r] = 1; // the Zn-cell case: cycle index never changes
  }
  return {
    length: n,
    time_s: t,
    voltage_V: v,
    current_A: i,
    charge_capacity_Ah: qc,
    discharge_capacity_Ah: qd,
    charge_energy_Wh: ec,
    discharge_energy_Wh: ed,
    step_index: step,
    cycle_index: cyc,
    extras: {},
    start_time: null,
    columns: {},
  };
}
const series = bigSeries(1_000_000);

Deno.bench("fitFadeModels: 4 models on 5,000 cycles", { group: "fade" }, () => {
  fitFadeModels(points);
});
Deno.bench("kneePoint: knee and onset on 5,000 cycles", { group: "fade" }, () => {
  kneePoint(points);
});
Deno.bench("analyzeFade: full analysis of 5,000 cycles", { group: "fade" }, () => {
  analyzeFade(cycles);
});
Deno.bench("summarizeCycles: 1,000,000 rows (auto → current sign, 2,000 cycles)", {
  group: "cycles",
}, () => {
  const table = summarizeCycles(series);
  if (table.length !== 2000) throw new Error(`expected 2000 cycles, got ${table.length}`);
});
Deno.bench("summarizeCycles: 1,000,000 rows, method step", { group: "cycles" }, () => {
  summarizeCycles(series, { method: "step" });
});

// Stored cycles of a 5,000-cycle test (as analyzeTest reads them from the store): power-law
// fade to 82 % with a ±0.1 % ripple, CE 0.999.
const stored = summarizeCycles(series).cycles;
const storedLong = Array.from({ length: 5000 }, (_, k) => {
  const q = 2 * (1 - 2e-4 * Math.pow(k + 1, 0.8) + 1e-3 * Math.sin(k * 1.7));
  return {
    ...stored[0],
    cycle: k + 1,
    instrument_cycle: k + 1,
    charge_capacity_Ah: q / 0.999,
    discharge_capacity_Ah: q,
    coulombic_efficiency: 0.999,
  };
});
Deno.bench("analyzeTest: 5,000 stored cycles (roles, protocol, fade, flags)", {
  group: "analyzeTest",
}, () => {
  const a = analyzeTest({ cycles: storedLong });
  if (a.summary.counted_cycle_count !== 5000) throw new Error("expected 5,000 counted cycles");
});
Deno.bench("analyzeTest: 1,000,000-row series, 2,000 cycles (cycles built, dQ/dV of 2)", {
  group: "analyzeTest",
}, () => {
  const a = analyzeTest({ series });
  if (a.cycles.length !== 2000) throw new Error(`expected 2000 cycles, got ${a.cycles.length}`);
});
