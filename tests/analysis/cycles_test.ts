// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, throws } from "node:assert/strict";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { halfCycles } from "../../analysis/half_cycles.ts";
import {
  counterResets,
  defaultCurrentThreshold,
  monotoneCounter,
  monotoneCounterAt,
} from "../../analysis/_cycle_segments.ts";
import { assertClose } from "../_util.ts";
import { galvanostatic, type Segment, synthesize } from "./_synthetic.ts";

// Known answers: 1 A for 3600 s passes exactly 1 Ah; the discharge of cycle k lasts
// 3420 − 60 k s at 1 A (a whole number of 60-s samples), so its capacity is that / 3600 Ah.
const dis = (k: number): number => 3420 - 60 * k;
const segs = galvanostatic(5, { dischargeS: dis });

for (const mode of ["cumulative", "per_cycle", "per_step"] as const) {
  Deno.test(`summarizeCycles() gives the same capacities with ${mode} counters`, () => {
    const series = synthesize(segs, { mode });
    for (const method of ["auto", "cycle_index", "step", "current_sign"] as const) {
      const table = summarizeCycles(series, { method });
      equal(table.length, 5, method);
      table.cycles.forEach((c, j) => {
        const k = j + 1;
        equal(c.cycle, k);
        equal(c.first_half, "charge");
        assertClose(c.charge_capacity_Ah, 1, { rel: 1e-12, message: `${method} ${mode}` });
        assertClose(c.discharge_capacity_Ah, dis(k) / 3600, { rel: 1e-12 });
        assertClose(c.coulombic_efficiency!, dis(k) / 3600, { rel: 1e-12 });
        assertClose(c.mean_charge_current_A!, 1, { rel: 1e-12 });
        assertClose(c.mean_discharge_current_A!, -1, { rel: 1e-12 });
        // Voltage is 4.0 V throughout each charge and 3.5 V throughout each discharge.
        assertClose(c.mean_charge_voltage_V!, 4.0, { rel: 1e-12 });
        assertClose(c.mean_discharge_voltage_V!, 3.5, { rel: 1e-12 });
        equal(c.min_voltage_V, 3.5);
        equal(c.max_voltage_V, 4.0);
      });
    }
  });
}

Deno.test("summarizeCycles() auto uses the cycle index when it is meaningful", () => {
  const table = summarizeCycles(synthesize(segs, { mode: "per_cycle" }));
  equal(table.method, "cycle_index");
  deepEqual(table.cycles.map((c) => c.instrument_cycle), [1, 2, 3, 4, 5]);
  // Cycle k spans its own rows: charge 60 rows, rest 10, discharge, rest 10 (dt = 60 s); the
  // first cycle also holds row 0 (the test start).
  equal(table.cycles[0].start_row, 0);
  equal(table.cycles[1].start_row, table.cycles[0].end_row);
  equal(table.cycles[4].end_row, synthesize(segs).length);
});

Deno.test("summarizeCycles() auto ignores a cycle index that never changes (Zn sym-cell case)", () => {
  // Every row in cycle 1, counters cumulative over the whole test: 5 cycles by current sign.
  const flat = segs.map((s) => ({ ...s, cycle: 1 }));
  const table = summarizeCycles(synthesize(flat, { mode: "cumulative" }));
  equal(table.method, "current_sign");
  equal(table.length, 5);
  assertClose(table.cycles[4].discharge_capacity_Ah, dis(5) / 3600, { rel: 1e-12 });
  // With method "cycle_index" the same file is one cycle holding all the charge.
  const one = summarizeCycles(synthesize(flat), { method: "cycle_index" });
  equal(one.length, 1);
  assertClose(one.cycles[0].charge_capacity_Ah, 5, { rel: 1e-12 });
});

Deno.test("summarizeCycles() auto ignores a cycle index incremented every half cycle", () => {
  // Index increments on every half (charge = 2k−1, discharge = 2k): each run holds one
  // direction only, so the index is not a cycle counter.
  const halfIndexed = segs.map((s) => ({ ...s, cycle: 2 * s.cycle - (s.step <= 3 ? 1 : 0) }));
  const table = summarizeCycles(synthesize(halfIndexed));
  equal(table.method, "current_sign");
  equal(table.length, 5);
});

Deno.test("summarizeCycles() pairs discharge-first tests and honours startWith", () => {
  // Starts with a 30-min discharge at 1 A (0.5 Ah), then the 5 regular cycles.
  const first: Segment = { current_A: -1, duration_s: 1800, voltage: 3.5, step: 1, cycle: 1 };
  const series = synthesize([first, ...segs.map((s) => ({ ...s, cycle: 1 }))]);
  const auto = summarizeCycles(series);
  // Discharge-first pairing: (D0, C1), (D1, C2), ... (D4, C5), (D5).
  equal(auto.length, 6);
  equal(auto.cycles[0].first_half, "discharge");
  assertClose(auto.cycles[0].discharge_capacity_Ah, 0.5, { rel: 1e-12 });
  assertClose(auto.cycles[0].charge_capacity_Ah, 1, { rel: 1e-12 });
  const charge = summarizeCycles(series, { startWith: "charge" });
  // The lone discharge is cycle 1; then 5 charge-first cycles.
  equal(charge.length, 6);
  equal(charge.cycles[0].first_half, "discharge");
  equal(charge.cycles[0].charge_capacity_Ah, 0);
  equal(charge.cycles[0].coulombic_efficiency, null);
  equal(charge.cycles[1].first_half, "charge");
  assertClose(charge.cycles[5].discharge_capacity_Ah, dis(5) / 3600, { rel: 1e-12 });
});

Deno.test("summarizeCycles() treats impedance-like current noise in rests as rest", () => {
  // A ±2 mA, 1-s alternating burst during each rest: 5.6e-7 Ah per half, far below 0.1 % of
  // the largest (1 Ah) half, and above the default threshold (1e-3 × 1 A). The noise halves
  // outnumber the real ones 10 to 1.
  const noisy: Segment[] = [];
  for (const s of segs) {
    noisy.push(s);
    if (s.current_A === 0) {
      for (let k = 0; k < 10; k++) {
        noisy.push({
          current_A: k % 2 ? 2e-3 : -2e-3,
          duration_s: 1,
          dt_s: 1,
          voltage: 3.7,
          step: s.step,
          cycle: s.cycle,
        });
      }
    }
  }
  const table = summarizeCycles(synthesize(noisy), { method: "current_sign" });
  equal(table.length, 5);
  // With the noise filter off, each burst makes extra half cycles.
  const raw = summarizeCycles(synthesize(noisy), { method: "current_sign", minHalfFraction: 0 });
  equal(raw.length > 5, true);
});

Deno.test("summarizeCycles() means are time-weighted, not row averages", () => {
  // Charge 1 h with voltage rising linearly 3.0 → 4.0 V sampled densely (1 s) in the first
  // minute and every 60 s after: the time-weighted mean is exactly 3.5 V (trapezoid rule is
  // exact for a linear function); the plain row average would be biased low.
  const ramp = (t0: number, t1: number) => (tau: number) => 3 + (t0 + tau * (t1 - t0)) / 3600;
  const series = synthesize([
    { current_A: 0, duration_s: 60, voltage: 3, step: 1, cycle: 1 },
    { current_A: 1, duration_s: 60, dt_s: 1, voltage: ramp(0, 60), step: 2, cycle: 1 },
    { current_A: 1, duration_s: 3540, dt_s: 60, voltage: ramp(60, 3600), step: 2, cycle: 1 },
    { current_A: -1, duration_s: 3600, voltage: 3.2, step: 3, cycle: 1 },
  ]);
  const c = summarizeCycles(series).cycles[0];
  // The first charge row is at t = 1 s (V = 3 + 1/3600); the mean over [1 s, 3600 s] of a
  // linear ramp is the mid value 3 + (1 + 3600) / 2 / 3600.
  assertClose(c.mean_charge_voltage_V!, 3 + 3601 / 7200, { rel: 1e-12 });
  let rowMean = 0, rows = 0;
  for (let r = 0; r < series.length; r++) {
    if (series.current_A[r] > 0) rowMean += series.voltage_V[r], rows++;
  }
  equal(Math.abs(rowMean / rows - c.mean_charge_voltage_V!) > 0.05, true);
});

Deno.test("summarizeCycles() energies and energy efficiency", () => {
  // Constant 2 V everywhere: energy = 2 V × capacity exactly, so EE = CE.
  const flat = segs.map((s) => ({ ...s, voltage: 2 }));
  const table = summarizeCycles(synthesize(flat));
  for (const c of table.cycles) {
    assertClose(c.charge_energy_Wh!, 2 * c.charge_capacity_Ah, { rel: 1e-12 });
    assertClose(c.discharge_energy_Wh!, 2 * c.discharge_capacity_Ah, { rel: 1e-12 });
    assertClose(c.energy_efficiency!, c.coulombic_efficiency!, { rel: 1e-12 });
    assertClose(c.mean_voltage_V!, 2, { rel: 1e-12 });
  }
  // Without energy counters the energies are null.
  const series = synthesize(flat);
  series.charge_energy_Wh.fill(NaN);
  series.discharge_energy_Wh.fill(NaN);
  const none = summarizeCycles(series).cycles[0];
  equal(none.charge_energy_Wh, null);
  equal(none.energy_efficiency, null);
});

Deno.test("summarizeCycles() duration and internal resistance median", () => {
  const series = synthesize(segs, { mode: "per_cycle" });
  // Resistance 0.05 + 0.001 k Ω in cycle k on every third row, 0 (not measured) elsewhere.
  const ir = new Float64Array(series.length);
  for (let r = 0; r < series.length; r += 3) ir[r] = 0.05 + 0.001 * series.cycle_index[r];
  series.extras.internal_resistance_ohm = ir;
  const table = summarizeCycles(series, { method: "cycle_index" });
  table.cycles.forEach((c, j) => {
    assertClose(c.internal_resistance_ohm!, 0.05 + 0.001 * (j + 1), { rel: 1e-12 });
    // Cycle k (k > 1) spans charge 3600 + rest 600 + discharge + rest 600, sampled every
    // 60 s: first row 60 s after the previous cycle's last row.
    const span = 3600 + 600 + dis(j + 1) + 600 - 60 + (j === 0 ? 60 : 0);
    assertClose(c.duration_s, span, { rel: 1e-12 });
  });
  equal(summarizeCycles(synthesize(segs)).cycles[0].internal_resistance_ohm, null);
});

Deno.test("summarizeCycles() gives no cycles when no current flows", () => {
  const series = synthesize([{ current_A: 0, duration_s: 3600, voltage: 3, step: 1, cycle: 0 }]);
  equal(summarizeCycles(series).length, 0);
  deepEqual(halfCycles(series), []);
});

Deno.test("summarizeCycles() rejects bad arguments with clear errors", () => {
  const series = synthesize(segs);
  throws(
    () => summarizeCycles(series, { method: "bogus" as never }),
    /Unknown cycle method "bogus"/,
  );
  throws(() => summarizeCycles(series, { currentThreshold_A: -1 }), RangeError);
  throws(() => summarizeCycles(series, { minHalfFraction: 2 }), RangeError);
  throws(() => summarizeCycles({ ...series, time_s: new Float64Array(3) }), TypeError);
  throws(() => summarizeCycles(null as never), TypeError);
  const noCounters = synthesize(segs);
  noCounters.charge_capacity_Ah.fill(NaN);
  noCounters.discharge_capacity_Ah.fill(NaN);
  throws(() => summarizeCycles(noCounters), /no capacity counters/);
});

Deno.test("halfCycles() returns the charge and discharge row ranges", () => {
  // dt = 60 s; row 0 at rest; charge rows 1..60; rest 61..70; discharge rows 71..(70 + 57).
  const series = synthesize(galvanostatic(2));
  const halves = halfCycles(series);
  equal(halves.length, 4);
  deepEqual(halves[0], { cycle: 1, direction: "charge", start_row: 1, end_row: 61 });
  deepEqual(halves[1], { cycle: 1, direction: "discharge", start_row: 71, end_row: 128 });
  deepEqual(halves[2], { cycle: 2, direction: "charge", start_row: 138, end_row: 198 });
  for (const h of halves) {
    for (let r = h.start_row; r < h.end_row; r++) {
      equal(Math.sign(series.current_A[r]), h.direction === "charge" ? 1 : -1);
    }
  }
});

Deno.test("monotoneCounter() sums increments, resets on large drops, keeps small decreases", () => {
  // 0 → 1 → 2 (+2); reset to 0.25 (+0.25); 0.5 (+0.25); small decrease to 0.45 (−0.05);
  // NaN ignored; 0.55 (+0.1). Total 2.55.
  const out = monotoneCounter(Float64Array.from([0, 1, 2, 0.25, 0.5, 0.45, NaN, 0.55]));
  deepEqual(Array.from(out), [0, 1, 2, 2.25, 2.5, 2.45, 2.45, 2.5500000000000003]);
  // The same counter stored negative (Neware Pulse steps) counts the same amounts.
  const negative = monotoneCounter(Float64Array.from([0, -1, -2, -0.25, -0.5, -0.45, NaN, -0.55]));
  deepEqual(Array.from(negative), Array.from(out));
});

Deno.test("monotoneCounter() integrates a counter that passes through zero with its sign", () => {
  // Known answer: an energy counter at 1 A while the voltage runs linearly from −1 V to +2 V
  // over an hour, E(t) = ∫(−1 + 3t) dt = −t + 1.5 t² Wh (t in hours), sampled every 0.01 h. It
  // dips to −1/6 Wh at t = 1/3, is back at 0 at t = 2/3 and ends at +0.5 Wh: the sum of its
  // increments is E itself at every row (the file's value is the integral already).
  const n = 101;
  const e = Float64Array.from({ length: n }, (_, k) => -k / 100 + 1.5 * (k / 100) ** 2);
  const out = monotoneCounter(e);
  for (let k = 0; k < n; k++) assertClose(out[k], e[k], { abs: 1e-12, message: `row ${k}` });
  assertClose(out[n - 1], 0.5, { abs: 1e-12 });
  // The discharge-side mirror: V from +1 V to −2 V at 1 A of discharge, E(t) = t − 1.5 t²: up to
  // 1/6 Wh, back through 0, ends at −0.5 Wh (the cell took in more energy than it gave).
  const mirror = monotoneCounter(e.map((x) => -x));
  for (let k = 0; k < n; k++) assertClose(mirror[k], -e[k], { abs: 1e-12, message: `row ${k}` });
  // At selected rows (how summarizeCycles reads it) the same numbers, bit for bit, including rows
  // inside the dip that are counted again with their sign once the counter crosses zero.
  const rows = Int32Array.from([0, 10, 33, 50, 66, 67, 90, 100]);
  deepEqual([...monotoneCounterAt(e, rows)], [...rows].map((r) => out[r]));
  // Followed by a reset and a counter stored negative and decreasing (Neware Pulse steps): that
  // one never comes back to zero by itself and counts on its magnitude, +0.3 Wh.
  const joined = Float64Array.from([...e, 0, -0.1, -0.2, -0.3]);
  const j = monotoneCounter(joined);
  assertClose(j[n - 1], 0.5, { abs: 1e-12 });
  assertClose(j[n + 3], 0.8, { abs: 1e-12 });
  const series = synthesize([{
    current_A: 1,
    duration_s: 60 * (n + 3),
    voltage: 1,
    step: 1,
    cycle: 1,
  }], {
    dt_s: 60,
  });
  equal(series.length, n + 4);
  series.charge_energy_Wh.set(joined);
  // The crossing is no repaired reset; the drop from 0.5 Wh to 0 inside the step is.
  deepEqual(counterResets(series).filter((r) => r.counter === "charge_energy_Wh"), [
    { counter: "charge_energy_Wh", row: n, before: e[n - 1], after: 0 },
  ]);
});

Deno.test("monotoneCounter(): an abrupt change of sign is a reset", () => {
  // 0 → 0.5 → 1.0 (+1.0), then −0.2 straight from 1.0 (a restarted counter stored negative:
  // +0.2), then −0.4 (+0.2). Total 1.4.
  const out = monotoneCounter(Float64Array.from([0, 0.5, 1.0, -0.2, -0.4]));
  assertClose(out[4], 1.4, { abs: 1e-15 });
  equal(out[2], 1);
});

Deno.test("monotoneCounter(): a counter coming back to zero gradually is a genuine decrease", () => {
  // A net counter (charge in, then the same charge out: the instrument counts the difference)
  // rises 0 → 1.0 in steps of 0.1 and comes back to 0 in steps of 0.1, then rises to 0.3.
  // Known answer: the sum of the increments is the counter itself at every row. The last steps
  // of the approach (0.2 → 0.1, 0.1 → 0) are drops to at most half, but from the lower half of
  // the run (its largest value is 1.0): not resets, which would have added 0.1 and 0.
  const up = Array.from({ length: 11 }, (_, k) => k / 10);
  const values = [...up, ...up.slice(0, 10).reverse(), 0.1, 0.2, 0.3];
  const counter = Float64Array.from(values);
  const out = monotoneCounter(counter);
  for (let k = 0; k < values.length; k++) {
    assertClose(out[k], values[k], { abs: 1e-12, message: `row ${k}` });
  }
  // The same counter stored negative counts on its magnitude: the same amounts.
  const negative = monotoneCounter(counter.map((x) => -x));
  for (let k = 0; k < values.length; k++) {
    assertClose(negative[k], values[k], { abs: 1e-12, message: `row ${k}` });
  }
  // Coming back to 0.4 gradually (lower half of the run's 1.0), a drop to 0.1 is a decrease too:
  // 1.0 − 0.6 − 0.3 = 0.1.
  const low = monotoneCounter(Float64Array.from([0, 0.5, 1.0, 0.7, 0.4, 0.1]));
  assertClose(low[5], 0.1, { abs: 1e-12 });
  // At selected rows, the same numbers.
  const rows = Int32Array.from([0, 10, 19, 20, 23]);
  deepEqual([...monotoneCounterAt(counter, rows)], [...rows].map((r) => out[r]));
});

Deno.test("monotoneCounter(): true resets are repaired, however short the run before", () => {
  // Known answer, increment by increment:
  // 0 → 1.0 (+1.0); a genuine decrease to 0.8 (−0.2) from the upper half of the run; a reset
  // to 0.1 (+0.1: at most half of 0.8, which is above half the run's 1.0); 0.5 (+0.4);
  // a reset to 0 (+0) after a run whose largest value is 0.5; a short run 0.02 → 0.04 (+0.04);
  // a reset to 0 from it (+0: the run's largest is 0.04, so 0.04 is its upper half);
  // 0.3 (+0.3). Total 1.0 − 0.2 + 0.1 + 0.4 + 0.04 + 0.3 = 1.64.
  const values = [0, 0.5, 1.0, 0.8, 0.1, 0.5, 0, 0.02, 0.04, 0, 0.3];
  const expected = [0, 0.5, 1.0, 0.8, 0.9, 1.3, 1.3, 1.32, 1.34, 1.34, 1.64];
  const counter = Float64Array.from(values);
  const out = monotoneCounter(counter);
  for (let k = 0; k < values.length; k++) {
    assertClose(out[k], expected[k], { abs: 1e-12, message: `row ${k}` });
  }
  // Stored negative (Neware Pulse steps), the same amounts.
  const negative = monotoneCounter(counter.map((x) => -x));
  for (let k = 0; k < values.length; k++) {
    assertClose(negative[k], expected[k], { abs: 1e-12, message: `row ${k}` });
  }
  deepEqual(
    [...monotoneCounterAt(counter, Int32Array.from([3, 4, 9, 10]))],
    [out[3], out[4], out[9], out[10]],
  );
  // Inside one step and cycle, each of the three resets is listed as repaired (rows 4, 6, 9).
  const series = synthesize([{ current_A: 1, duration_s: 600, voltage: 1, step: 1, cycle: 1 }], {
    dt_s: 60,
  });
  equal(series.length, values.length);
  series.charge_capacity_Ah.set(counter);
  deepEqual(
    counterResets(series).filter((r) => r.counter === "charge_capacity_Ah").map((r) => r.row),
    [4, 6, 9],
  );
});

Deno.test("summarizeCycles() step method keeps a charge step whole despite a current glitch", () => {
  // One row of −0.5 A inside the charge step (step 2): by current sign that row is a
  // discharge half (3 cycles), by step the whole step is charge (2 cycles). Glitch charge
  // 0.5 A × 60 s = 8.3 mAh, above the noise filter (0.1 % of 1 Ah).
  const glitch: Segment[] = [
    { current_A: 1, duration_s: 1800, voltage: 4, step: 2, cycle: 1 },
    { current_A: -0.5, duration_s: 60, voltage: 4, step: 2, cycle: 1 },
    { current_A: 1, duration_s: 1800, voltage: 4, step: 2, cycle: 1 },
    { current_A: -1, duration_s: 3600, voltage: 3.5, step: 3, cycle: 1 },
    { current_A: 1, duration_s: 3600, voltage: 4, step: 2, cycle: 1 },
    { current_A: -1, duration_s: 3600, voltage: 3.5, step: 3, cycle: 1 },
  ];
  const series = synthesize(glitch);
  equal(summarizeCycles(series, { method: "current_sign" }).length, 3);
  const byStep = summarizeCycles(series, { method: "step" });
  equal(byStep.length, 2);
  // Charge counted: 1 Ah; discharge: the glitch 1/120 Ah + 1 Ah.
  assertClose(byStep.cycles[0].charge_capacity_Ah, 1, { rel: 1e-12 });
  assertClose(byStep.cycles[0].discharge_capacity_Ah, 1 + 1 / 120, { rel: 1e-12 });
});

Deno.test("summarizeCycles() marks a last cycle cut short by the end of the recording", () => {
  // Five full cycles (charge, rest, discharge, rest) end at rest: every cycle complete.
  const full = galvanostatic(5, { dischargeS: dis });
  for (const method of ["auto", "cycle_index", "step", "current_sign"] as const) {
    const t = summarizeCycles(synthesize(full), { method });
    deepEqual(t.cycles.map((c) => c.complete), [true, true, true, true, true], method);
  }
  // Drop the final rest and cut the last discharge in half: 1 A still flows at the last row.
  const midHalf = [...full.slice(0, -2), { ...full[full.length - 2], duration_s: 1500 }];
  // Drop the last discharge and rest: the file ends at rest after the charge of cycle 5, so
  // cycle 5 holds only its opening half (CE would read 0).
  const noSecondHalf = full.slice(0, -2);
  for (const [name, segs] of [["mid-half", midHalf], ["no second half", noSecondHalf]] as const) {
    for (const method of ["auto", "cycle_index", "step", "current_sign"] as const) {
      const t = summarizeCycles(synthesize(segs), { method });
      deepEqual(
        t.cycles.map((c) => c.complete),
        [true, true, true, true, false],
        `${name} ${method}`,
      );
    }
  }
  // 1500 s of the 1-A discharge: 1500/3600 Ah, the capacity the end of the file left it.
  const cut = summarizeCycles(synthesize(midHalf)).cycles[4];
  assertClose(cut.discharge_capacity_Ah, 1500 / 3600, { rel: 1e-12 });
  // A test that starts on discharge and ends after its last discharge (no charge follows):
  // that last cycle holds only its opening half.
  const dischargeFirst: Segment[] = [
    { current_A: -1, duration_s: 1800, voltage: 3.5, step: 1, cycle: 1 },
    { current_A: 0, duration_s: 600, voltage: 3.7, step: 2, cycle: 1 },
    { current_A: 1, duration_s: 1800, voltage: 4.0, step: 3, cycle: 1 },
    { current_A: 0, duration_s: 600, voltage: 3.7, step: 4, cycle: 1 },
    { current_A: -1, duration_s: 1800, voltage: 3.5, step: 1, cycle: 2 },
    { current_A: 0, duration_s: 600, voltage: 3.7, step: 2, cycle: 2 },
  ];
  const d = summarizeCycles(synthesize(dischargeFirst), { method: "current_sign" });
  deepEqual(d.cycles.map((c) => [c.first_half, c.complete]), [
    ["discharge", true],
    ["discharge", false],
  ]);
});

Deno.test("summarizeCycles() does not take a pulse after the last full half for a cut-off", () => {
  // Five full cycles, then a 2-minute 5-mA pulse at the very end: above the rest threshold
  // (1e-3 × 1 A), but 5 mA × 120 s ≈ 1.7e-4 Ah is below 0.1 % of a 1-Ah half, so it is dropped
  // as noise. Current flows at the last row, yet no half of cycle 5 was interrupted.
  const segs: Segment[] = [
    ...galvanostatic(5, { dischargeS: dis }),
    { current_A: 5e-3, duration_s: 120, voltage: 3.7, step: 6, cycle: 5 },
  ];
  for (const method of ["current_sign", "cycle_index", "step"] as const) {
    const t = summarizeCycles(synthesize(segs), { method });
    deepEqual(t.cycles.map((c) => c.complete), [true, true, true, true, true], method);
  }
});

Deno.test("defaultCurrentThreshold: 1e-3 × the lower 99th-percentile order statistic of the finite |current|", () => {
  // |current| takes the values 0..100 once each (signs alternate), plus NaN and ±Infinity that
  // are left out: 101 finite values, the order statistic at floor(0.99 × 100) = 99 is 99 A.
  const values = [NaN, Infinity, -Infinity];
  for (let v = 100; v >= 0; v--) values.push(v % 2 ? -v : v);
  equal(defaultCurrentThreshold(Float64Array.from(values)), 1e-3 * 99);
  equal(defaultCurrentThreshold(new Float64Array([NaN, NaN])), 0);
  equal(defaultCurrentThreshold(new Float64Array(0)), 0);
  // Above 65,536 rows every step-th row is sampled (the definition): compared with a sort.
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const big = new Float64Array(200_003).map(() => (random() - 0.5) * 10);
  const step = Math.floor(big.length / 65536);
  const sample = [];
  for (let i = 0; i < big.length; i += step) sample.push(Math.abs(big[i]));
  sample.sort((a, b) => a - b);
  equal(defaultCurrentThreshold(big), 1e-3 * sample[Math.floor(0.99 * (sample.length - 1))]);
});
