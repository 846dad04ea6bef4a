// Copyright 2026 the battery-analysis authors. MIT license.
// analyzeTest() on synthetic tests with known answers: a long test with formation and check-up
// cycles, pulse / GITT / HPPC tests, a counter reset, impossible capacities, an end-of-life
// interval that leaves the tested range, and knees (real and fitted on a flat line).
import { deepEqual, equal, ok } from "node:assert/strict";
import { analyzeTest } from "../../analysis/analyze_test.ts";
import { analyzeFade } from "../../analysis/fade.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import type { CycleSummary } from "../../lib/model/cycle_summary.ts";
import { assertClose } from "../_util.ts";
import { galvanostatic, rng, type Segment, synthesize } from "./_synthetic.ts";

/** A segment sampled with exactly `rows` rows (so capacities are exact). */
function seg(
  current_A: number,
  duration_s: number,
  voltage: Segment["voltage"],
  step: number,
  cycle: number,
  rows = 5,
): Segment {
  return { current_A, duration_s, voltage, step, cycle, dt_s: duration_s / rows };
}

/** A per-cycle summary with the given capacities (for tests that need no series). */
function cycleSummary(k: number, qc: number, qd: number, extra: Partial<CycleSummary> = {}) {
  return {
    cycle: k,
    instrument_cycle: k,
    first_half: "charge" as const,
    start_row: 0,
    end_row: 0,
    start_time_s: 0,
    end_time_s: 0,
    duration_s: 0,
    charge_capacity_Ah: qc,
    discharge_capacity_Ah: qd,
    coulombic_efficiency: qc > 0 ? qd / qc : null,
    charge_energy_Wh: null,
    discharge_energy_Wh: null,
    energy_efficiency: null,
    mean_voltage_V: 3.7,
    min_voltage_V: 3.0,
    max_voltage_V: 4.2,
    mean_charge_voltage_V: 3.9,
    mean_discharge_voltage_V: 3.6,
    mean_charge_current_A: 1,
    mean_discharge_current_A: -1,
    internal_resistance_ohm: null,
    complete: true,
    ...extra,
  };
}

Deno.test("analyzeTest() on 1000 cycles: formation, periodic check-ups, linear fade", () => {
  // Cycles 1–3: formation at 0.1 A (charge 1 Ah, discharge 0.9 Ah). Main protocol from cycle 4:
  // charge 1 Ah at 1 A, discharge Q(k) = 0.95 − 1e-4·(k − 4) Ah at 1 A. Check-ups at cycles 50,
  // 150, …, 950: discharge at 0.2 A, Q(k) + 0.02 Ah. Every segment has 5 rows, so capacities
  // are exact. Known answers: reference cycle 4 (first counted), retention at cycle 1000 =
  // Q(1000)/0.95 = 0.8504/0.95, fade per 100 cycles = 100 × 1e-4/0.95, 80 % reached at
  // 0.95 − 1e-4·(k − 4) = 0.76 → k = 1904 (the linear model is exact).
  const segments: Segment[] = [];
  const q = (k: number) => 0.95 - 1e-4 * (k - 4);
  for (let k = 1; k <= 1000; k++) {
    let ic = 1, id = 1, qd = q(k);
    if (k <= 3) ic = 0.1, id = 0.1, qd = 0.9;
    else if (k % 100 === 50) id = 0.2, qd = q(k) + 0.02;
    segments.push(
      seg(ic, 3600 / ic, (t) => 3.6 + 0.5 * t, 2, k),
      seg(0, 600, 4.1, 3, k, 1),
      seg(-id, (3600 * qd) / id, (t) => 4.0 - 0.9 * t, 4, k),
      seg(0, 600, 3.2, 5, k, 1),
    );
  }
  const series = synthesize(segments);
  const a = analyzeTest({ series }, { dqdvCycles: [] });
  equal(a.protocol.kind, "cc_cycling");
  equal(a.cycles.length, 1000);
  const roleOf = (k: number) => a.cycles[k - 1].role;
  deepEqual([1, 2, 3].map(roleOf), ["formation", "formation", "formation"]);
  const checkups = a.cycles.filter((c) => c.role === "checkup").map((c) => c.cycle);
  deepEqual(checkups, Array.from({ length: 10 }, (_, i) => 50 + 100 * i));
  equal(a.summary.counted_cycle_count, 1000 - 3 - 10);
  equal(a.summary.reference_cycle, 4);
  assertClose(a.summary.initial_capacity_Ah!, 0.95, { rel: 1e-9 });
  assertClose(a.summary.final_capacity_Ah!, q(1000), { rel: 1e-9 });
  assertClose(a.summary.capacity_retention!, q(1000) / 0.95, { rel: 1e-9 });
  assertClose(a.summary.fade_per_100_cycles!, (100 * 1e-4) / 0.95, { rel: 1e-6 });
  equal(a.summary.best_fade_model, "linear");
  assertClose(a.summary.eol_cycle_predicted!, 1904, { rel: 1e-6 });
  equal(a.summary.eol_cycle_observed, null);
  equal(a.summary.knee_cycle, null); // a straight line has no knee
  // The check-ups' higher capacity (0.02 Ah more) never reaches the retention curve.
  equal(a.retention!.points.some((p) => p.cycle % 100 === 50), false);
  deepEqual(a.summary.flag_codes, []);
  // The same cycles given as stored cycles give the same summary.
  const stored = analyzeTest({ cycles: summarizeCycles(series).cycles }, { dqdvCycles: [] });
  deepEqual(stored.summary, a.summary);
});

/** Open-circuit voltage 3.7 V, ohmic resistance 0.05 Ω: V = 3.7 + 0.05·I. */
const R = 0.05;
const v = (i: number) => 3.7 + R * i;

Deno.test("analyzeTest() on a pulse test: pulse resistances, no fade fit", () => {
  // 30 alternating ±2 A pulses of 10 s, each followed by a 20 s rest, all in one instrument
  // cycle (as the Neware pulse test of issue 11). Known resistance: 0.05 Ω.
  const segments: Segment[] = [seg(0, 60, 3.7, 1, 1, 6)];
  for (let p = 0; p < 30; p++) {
    const i = p % 2 === 0 ? -2 : 2;
    segments.push(seg(i, 10, v(i), 2 + (p % 2), 1, 10), seg(0, 20, 3.7, 4, 1, 20));
  }
  const a = analyzeTest({ series: synthesize(segments) });
  equal(a.protocol.kind, "pulse");
  equal(a.fade, null);
  ok(a.fade_note!.includes("pulse"));
  equal(a.summary.capacity_retention, null);
  equal(a.pulse!.count, 30);
  assertClose(a.pulse!.median_resistance_first_sample_ohm!, R, { rel: 1e-9 });
  assertClose(a.pulse!.median_resistance_end_ohm!, R, { rel: 1e-9 });
  assertClose(a.summary.median_internal_resistance_ohm!, R, { rel: 1e-9 });
});

Deno.test("analyzeTest() tells GITT and HPPC from cycling", () => {
  // GITT: 20 discharge pulses of 600 s at 0.1 A, each followed by 1 h of rest.
  const gitt: Segment[] = [seg(0, 600, 3.7, 1, 1)];
  for (let p = 0; p < 20; p++) {
    gitt.push(seg(-0.1, 600, v(-0.1), 2, 1, 10), seg(0, 3600, 3.7, 3, 1, 10));
  }
  const g = analyzeTest({ series: synthesize(gitt) });
  equal(g.protocol.kind, "gitt");
  equal(g.pulse!.count, 20);
  assertClose(g.pulse!.median_resistance_first_sample_ohm!, R, { rel: 1e-9 });
  // HPPC: per state of charge, a 10 s discharge pulse at 1 A, 40 s rest, a 10 s charge pulse
  // at 0.75 A, 40 s rest, a 360 s discharge at 1 A to the next state, 1 h rest; 9 states.
  const hppc: Segment[] = [seg(0, 600, 3.7, 1, 1)];
  for (let s = 0; s < 9; s++) {
    hppc.push(
      seg(-1, 10, v(-1), 2, 1, 10),
      seg(0, 40, 3.7, 3, 1, 4),
      seg(0.75, 10, v(0.75), 4, 1, 10),
      seg(0, 40, 3.7, 5, 1, 4),
      seg(-1, 360, v(-1), 6, 1, 6),
      seg(0, 3600, 3.7, 7, 1, 6),
    );
  }
  const h = analyzeTest({ series: synthesize(hppc) });
  equal(h.protocol.kind, "hppc");
  equal(h.pulse!.count, 27);
  assertClose(h.summary.median_internal_resistance_ohm!, R, { rel: 1e-9 });
  // Plain cycling with rests is neither.
  const c = analyzeTest({ series: synthesize(galvanostatic(12)) });
  equal(c.protocol.kind, "cc_cycling");
  equal(c.pulse, null);
});

Deno.test("analyzeTest() on a rate test: rate steps, no fade fit", () => {
  // 5 cycles each at 0.1, 0.2, 0.5, 1 and 2 A discharge, then 5 at 0.1 A again; charge 1 Ah
  // at 0.5 A; discharge capacity 1, 0.98, 0.95, 0.9, 0.8 Ah by rate (1 Ah again at the end).
  const rates = [[0.1, 1], [0.2, 0.98], [0.5, 0.95], [1, 0.9], [2, 0.8], [0.1, 1]];
  const segments: Segment[] = [];
  let k = 0;
  for (const [i, qd] of rates) {
    for (let n = 0; n < 5; n++) {
      k++;
      segments.push(
        seg(0.5, 7200, 4.0, 2, k),
        seg(0, 600, 3.7, 3, k, 1),
        seg(-i, (3600 * qd) / i, 3.5, 4, k),
        seg(0, 600, 3.7, 5, k, 1),
      );
    }
  }
  const a = analyzeTest({ series: synthesize(segments) });
  equal(a.protocol.kind, "rate_test");
  equal(a.fade, null);
  ok(a.fade_note!.startsWith("rate test"));
  // The 0.1 A level holds the most cycles (10): they count; the others are rate steps.
  deepEqual(
    a.cycles.filter((c) => c.role === "counted").map((c) => c.cycle),
    [1, 2, 3, 4, 5, 26, 27, 28, 29, 30],
  );
  equal(a.cycles.filter((c) => c.role === "rate_step").length, 20);
  assertClose(a.summary.capacity_retention!, 1, { rel: 1e-9 });
});

Deno.test("analyzeTest() reports a repaired counter reset and keeps the capacities", () => {
  // 6 cycles with cumulative counters; the instrument restarts its counters (to 0) in the
  // middle of cycle 4's discharge. The repair continues from the drop, so every cycle keeps its
  // 1 Ah charge and 0.95 Ah discharge (3420 s at 1 A).
  const series = synthesize(galvanostatic(6), { dt_s: 60 });
  const rows = [...series.step_index.keys()].filter((r) =>
    series.cycle_index[r] === 4 && series.step_index[r] === 4
  );
  const mid = rows[Math.floor(rows.length / 2)];
  const qc0 = series.charge_capacity_Ah[mid - 1], qd0 = series.discharge_capacity_Ah[mid - 1];
  for (let r = mid; r < series.length; r++) {
    series.charge_capacity_Ah[r] -= qc0;
    series.discharge_capacity_Ah[r] -= qd0;
  }
  const a = analyzeTest({ series });
  ok(a.summary.flag_codes.includes("counter_reset_repaired"));
  const f = a.flags.find((x) => x.code === "counter_reset_repaired")!;
  ok(f.message.includes(`row ${mid}`), f.message);
  for (const c of a.cycles) {
    assertClose(c.charge_capacity_Ah, 1, { rel: 1e-9 });
    assertClose(c.discharge_capacity_Ah, 0.95, { rel: 1e-9 });
  }
  equal(a.summary.counted_cycle_count, 6);
});

Deno.test("analyzeTest() flags impossible capacities and leaves those cycles out", () => {
  // Cycle 5 holds the −2,334,490 mAh of the Neware pulse file of issue 11; cycle 8 a counter
  // read in mAh as Ah (1000 × too large); with nominal 1.1 Ah, cycle 9's 2.5 Ah is impossible.
  const cycles = Array.from({ length: 12 }, (_, i) => cycleSummary(i + 1, 1, 0.95));
  cycles[4] = cycleSummary(5, 1, -2334.49);
  cycles[7] = cycleSummary(8, 1000, 950);
  cycles[8] = cycleSummary(9, 2.6, 2.5);
  const a = analyzeTest({ cycles, sample: { nominal_capacity_Ah: 1.1 } });
  deepEqual(a.cycles.filter((c) => c.role === "invalid").map((c) => c.cycle), [5, 8, 9]);
  for (const code of ["capacity_sign_change", "capacity_implausible", "invalid_cycles"]) {
    ok(a.summary.flag_codes.includes(code as never), code);
  }
  // Retention stays 1 (every valid cycle holds 0.95 Ah).
  assertClose(a.summary.capacity_retention!, 1, { rel: 1e-12 });
  deepEqual(a.cycles[4].flags, ["capacity_sign_change", "invalid_cycles"]);
});

Deno.test("analyzeTest() flags CE, retention and energy efficiency out of range", () => {
  // Cycle 3: CE 3.29 (as in issue 11); cycle 6: 8 % above the reference; cycles 7–8: EE 1.2.
  const cycles = Array.from({ length: 10 }, (_, i) => cycleSummary(i + 1, 1, 0.95));
  cycles[2] = cycleSummary(3, 0.3, 0.987);
  cycles[5] = cycleSummary(6, 1.1, 1.026);
  for (const k of [7, 8]) {
    cycles[k - 1] = cycleSummary(k, 1, 0.95, {
      charge_energy_Wh: 3.9,
      discharge_energy_Wh: 4.68,
      energy_efficiency: 1.2,
    });
  }
  const a = analyzeTest({ cycles });
  const by = new Map(a.flags.map((f) => [f.code, f]));
  deepEqual(by.get("ce_out_of_range")!.cycles, [3]);
  deepEqual(by.get("retention_above_reference")!.cycles, [6]);
  deepEqual(by.get("energy_efficiency_above_100")!.cycles, [7, 8]);
});

Deno.test("analyzeTest() keeps the end-of-life interval in the physical range", () => {
  // 40 cycles of slow, noisy fade (1 − 2e-3·k, σ = 0.05, seeded): the model's 95 % interval
  // starts before the last cycle, where retention is still above 80 % (issue 11 showed
  // "−44075 – 67250"). analyzeTest raises the lower end to the last counted cycle.
  const r = rng(1);
  const cycles = Array.from(
    { length: 40 },
    (_, i) => cycleSummary(i + 1, 1, 1 - 2e-3 * (i + 1) + 0.05 * r.normal()),
  );
  const raw = analyzeFade(cycles);
  ok(raw.prediction!.lower! < 40, `raw lower ${raw.prediction!.lower}`);
  const a = analyzeTest({ cycles });
  const eol = a.end_of_life!;
  equal(eol.observed_cycle, null);
  equal(eol.predicted_lower, 40);
  equal(eol.interval_clipped, true);
  equal(eol.predicted_cycle, raw.prediction!.cycle);
  ok(a.summary.flag_codes.includes("eol_interval_clipped"));
});

Deno.test("analyzeTest() reports a real knee and none on a flat line", () => {
  // Retention 1 − 1e-4·k up to cycle 300, then 0.97 − 1e-3·(k − 300), to cycle 500: knee at
  // 300 (the two-line model is exact). A flat line with noise (σ = 1e-3) has no knee.
  const knee = Array.from({ length: 500 }, (_, i) => {
    const k = i + 1;
    return cycleSummary(k, 1, k <= 300 ? 1 - 1e-4 * k : 0.97 - 1e-3 * (k - 300));
  });
  const a = analyzeTest({ cycles: knee });
  // Reference is cycle 1 (0.9999), so the knee sits where the data bends.
  assertClose(a.summary.knee_cycle!, 300, { abs: 1e-6 });
  const r = rng(3);
  const flat = Array.from(
    { length: 100 },
    (_, i) => cycleSummary(i + 1, 1, 0.95 + 1e-3 * r.normal()),
  );
  const b = analyzeTest({ cycles: flat });
  equal(b.summary.knee_cycle, null);
  equal(b.fade!.knee, null);
  ok(b.fade!.knee_note);
  equal(b.summary.eol_cycle_predicted, null);
});
