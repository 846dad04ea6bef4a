// Copyright 2026 the battery-analysis authors. MIT license.

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { JUPYTER_DISPLAY } from "../../../analysis/_display.ts";
import { summarizeCycles } from "../../../analysis/cycles.ts";
import { profileStep, projectCycleLife, simulate } from "../../../analysis/models/mod.ts";
import { assertClose } from "../../_util.ts";

const CYCLE = [
  "(Discharge at 1C until 2.5 V, Rest for 10 minutes, Charge at 1C until 4.2 V, " +
  "Hold at 4.2 V until C/20, Rest for 10 minutes) × 3",
];

Deno.test("simulate() gives a CyclingSeries the cycle analysis reads like a test", () => {
  const sim = simulate({ model: "spm", parameters: "Chen2020", experiment: CYCLE });
  const s = sim.series;
  equal(sim.cycles.length, 3);
  equal(sim.steps.length, 15);
  ok(sim.summary.completed);
  // Current positive on charge; counters never decrease.
  for (let r = 1; r < s.length; r++) {
    ok(s.time_s[r] >= s.time_s[r - 1]);
    ok(s.charge_capacity_Ah[r] >= s.charge_capacity_Ah[r - 1] - 1e-12);
    ok(s.discharge_capacity_Ah[r] >= s.discharge_capacity_Ah[r - 1] - 1e-12);
  }
  const discharging = s.step_index.findIndex((k) => k === 1);
  ok(s.current_A[discharging] < 0);
  const table = summarizeCycles(s);
  equal(table.cycles.length, 3);
  for (let c = 0; c < 3; c++) {
    assertClose(table.cycles[c].discharge_capacity_Ah, sim.cycles[c].discharge_capacity_Ah, {
      rel: 1e-9,
    });
    assertClose(table.cycles[c].charge_capacity_Ah, sim.cycles[c].charge_capacity_Ah, {
      rel: 1e-9,
    });
  }
  // Without SEI, cycles after the first (which starts from the ESOH 100 % state rather than
  // from the end of a CV hold) repeat each other, and charge in equals charge out.
  assertClose(sim.cycles[2].discharge_capacity_Ah, sim.cycles[1].discharge_capacity_Ah, {
    rel: 1e-4,
  });
  assertClose(sim.cycles[1].charge_capacity_Ah, sim.cycles[1].discharge_capacity_Ah, {
    rel: 1e-3,
  });
  // Energy counters: mean discharge voltage between the cut-offs.
  const meanV = sim.summary.discharge_energy_Wh / sim.summary.discharge_capacity_Ah;
  ok(meanV > 3.3 && meanV < 3.8, `mean discharge voltage ${meanV}`);
});

Deno.test("simulate() holds power, resistance and a measured current profile", () => {
  const sim = simulate({
    model: "spme",
    parameters: "Chen2020",
    period_s: 5,
    experiment: [
      "Discharge at 10 W for 10 minutes",
      "Discharge at 2 Ohm for 5 minutes",
      profileStep([0, 60, 120, 180], [-5, -5, 2, 2], "Run drive cycle"),
    ],
  });
  const s = sim.series;
  for (let r = 0; r < s.length; r++) {
    const V = s.voltage_V[r], I = s.current_A[r];
    // Output rows between solver steps come from the interpolating polynomial: the algebraic
    // constraint holds there to the solver's tolerance (rtol 1e-4).
    if (s.step_index[r] === 1) assertClose(-I * V, 10, { rel: 1e-4 });
    if (s.step_index[r] === 2) assertClose(V, -I * 2, { rel: 1e-4 });
    if (s.step_index[r] === 3) {
      const u = s.time_s[r] - sim.steps[2].start_time_s;
      const want = u <= 60 ? -5 : u >= 120 ? 2 : -5 + 7 * (u - 60) / 60;
      assertClose(I, want, { abs: 1e-9 });
    }
  }
  deepEqual(sim.steps.map((x) => x.termination), ["time", "time", "end of profile"]);
});

Deno.test("simulate() stops at a cut-off before a step's own end and says so", () => {
  const sim = simulate({
    model: "spm",
    parameters: "Chen2020",
    experiment: ["Discharge at 1C for 2 hours", "Rest for 1 hour"],
  });
  equal(sim.summary.completed, false);
  equal(sim.steps.length, 1);
  equal(sim.steps[0].termination, "lower voltage cut-off");
  ok(/lower voltage cut-off/.test(sim.summary.stopped_reason!));
  assertClose(sim.summary.final_voltage_V, 2.5, { abs: 1e-6 });
});

Deno.test("simulate() ends a step whose limit holds at its start without running it", () => {
  const sim = simulate({
    model: "spm",
    parameters: "Chen2020",
    experiment: ["Charge at 1C until 4.1 V", "Rest for 1 minute"],
  });
  equal(sim.steps[0].termination, "limit met at start");
  equal(sim.steps[0].end_time_s, 0);
  equal(sim.summary.final_time_s, 60);
});

Deno.test("simulate() starts from a voltage, resamples to N points and displays", () => {
  const sim = simulate({
    model: "spm",
    parameters: "Marquis2019",
    initialSoc: "3.9 V",
    points: 50,
    experiment: ["Discharge at 1C until 3.105 V"],
  });
  assertClose(sim.initial_state.ocv_V, 3.9, { abs: 1e-9 });
  equal(sim.series.length, 50);
  assertClose(sim.series.time_s[49], sim.summary.final_time_s, { rel: 1e-12 });
  const bundle = sim[JUPYTER_DISPLAY]();
  ok(bundle["text/plain"].startsWith("SPM of Marquis2019"));
  ok(bundle["application/vnd.vegalite.v5+json"]);
  const json = sim.toJSON();
  for (
    const key of ["model", "parameters", "steps", "summary", "time_s", "voltage_V", "current_A"]
  ) {
    ok(key in json, key);
  }
  equal((json.time_s as number[]).length, 50);
  throws(() => simulate({ model: "p2d" as "dfn" }), /Unknown model "p2d"/);
  throws(() => simulate({ mesh: { x_n: 1 } }), /mesh.x_n/);
});

Deno.test("simulate() with SEI: capacity fades, lithium is conserved, the output says the values are examples", () => {
  const sim = simulate({
    model: "spm",
    parameters: "Chen2020",
    sei: true,
    states: true,
    experiment: [
      "(Discharge at 1C until 2.5 V, Charge at 1C until 4.2 V, Hold at 4.2 V until C/20) × 3",
    ],
  });
  ok(sim.notes.some((n) => /do not claim to be representative/.test(n)));
  const st = sim.states!;
  const total0 = st.lithium_particles_mol[0] + st.lithium_lost_mol[0];
  for (let r = 0; r < st.lithium_lost_mol.length; r++) {
    assertClose(st.lithium_particles_mol[r] + st.lithium_lost_mol[r], total0, { rel: 1e-7 });
  }
  ok(sim.summary.lithium_lost_mol! > 0);
  ok(sim.cycles[2].discharge_capacity_Ah < sim.cycles[0].discharge_capacity_Ah);
  ok(sim.cycles[2].sei_thickness_m! > 5e-9);
});

Deno.test("projectCycleLife() takes an SEI run to a retention threshold and carries the notes", () => {
  const sim = simulate({
    model: "spm",
    parameters: "Chen2020",
    sei: true,
    period_s: 3600,
    experiment: ["(Discharge at 1C until 2.5 V, Charge at 1C until 4.2 V) × 12"],
  });
  const life = projectCycleLife(sim, { threshold: 0.999 });
  equal(life.reference_cycle, 2);
  assertClose(life.reference_capacity_Ah, sim.cycles[1].discharge_capacity_Ah, { rel: 1e-12 });
  assertClose(
    life.final_retention,
    sim.cycles[11].discharge_capacity_Ah / sim.cycles[1].discharge_capacity_Ah,
    { rel: 1e-12 },
  );
  ok(life.final_retention < 1);
  ok(life.projected_cycle === null || life.projected_cycle > 2);
  ok(/do not claim to be representative/.test(life.notes[0]));
  throws(() => projectCycleLife(simulate({ model: "spm" })), /at least 3 cycles/);
});

Deno.test("simulate() returns runs with more rows than a function call takes arguments", () => {
  // 70 days of rest reported every 30 s: 201 601 rows (Math.min(...rows) overflows the stack
  // from about 120 000; a 500-cycle SEI run at the default period has 150 000).
  const sim = simulate({ model: "spm", experiment: ["Rest for 70 days"], period_s: 30 });
  equal(sim.series.length, 70 * 86400 / 30 + 1);
  // At rest from 100 % SOC the voltage stays at the OCV at 100 % SOC, 4.2 V for Chen2020.
  ok(
    Math.abs(sim.summary.min_voltage_V - 4.2) < 1e-6 &&
      Math.abs(sim.summary.max_voltage_V - 4.2) < 1e-6,
  );
});
