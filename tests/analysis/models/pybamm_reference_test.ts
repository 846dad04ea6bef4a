// Copyright 2026 the battery-analysis authors. MIT license.
// The models against PyBaMM 26.10 (tests/analysis/models/pybamm/, made by
// tests/analysis/models/scripts/pybamm_reference.py with PyBaMM's default mesh and solver).

import { ok } from "node:assert/strict";
import { profileStep, simulate } from "../../../analysis/models/mod.ts";
import { readReference, voltageErrors } from "./_reference.ts";

const SETS = [
  { name: "Chen2020", low: 2.5, high: 4.2 },
  { name: "Marquis2019", low: 3.105, high: 4.1 },
] as const;
const MODELS = ["spm", "spme", "dfn"] as const;
// The acceptance bounds: terminal voltage RMSE ≤ 1 mV (SPM, SPMe), ≤ 2 mV (DFN).
const BOUND_V = { spm: 1e-3, spme: 1e-3, dfn: 2e-3 };

for (const set of SETS) {
  for (const model of MODELS) {
    Deno.test(`simulate() ${model} ${set.name}: CC discharges at 0.5C, 1C, 2C match PyBaMM`, () => {
      for (const rate of ["0.5", "1", "2"]) {
        const ref = readReference(`${set.name}_${model}_${rate}C_discharge.csv`);
        const sim = simulate({
          model,
          parameters: set.name,
          experiment: [`Discharge at ${rate}C until ${set.low} V`],
          period_s: 10,
        });
        const err = voltageErrors(sim.series, ref);
        ok(err.compared >= ref.time_s.length - 2, `${rate}C: compared ${err.compared} rows`);
        ok(err.rmse <= BOUND_V[model], `${rate}C: RMSE ${(err.rmse * 1e3).toFixed(3)} mV`);
        // Capacity at the cut-off within 0.1 % (PyBaMM's "Discharge capacity [A.h]" at its event).
        const refCapacity = ref.discharge_capacity_Ah[ref.discharge_capacity_Ah.length - 1];
        const rel = Math.abs(sim.summary.discharge_capacity_Ah - refCapacity) / refCapacity;
        ok(
          rel <= 1e-3,
          `${rate}C: capacity ${sim.summary.discharge_capacity_Ah} vs ${refCapacity}`,
        );
        ok(sim.steps[0].termination === "voltage limit");
      }
    });

    Deno.test(`simulate() ${model} ${set.name}: a CCCV experiment matches PyBaMM step by step`, () => {
      const ref = readReference(`${set.name}_${model}_cccv.csv`);
      const sim = simulate({
        model,
        parameters: set.name,
        period_s: 10,
        experiment: [
          `Discharge at 1C until ${set.low} V`,
          "Rest for 20 minutes",
          `Charge at 0.5C until ${set.high} V`,
          `Hold at ${set.high} V until C/20`,
          "Rest for 20 minutes",
        ],
      });
      ok(sim.summary.completed);
      const err = voltageErrors(sim.series, ref);
      ok(err.rmse <= BOUND_V[model], `RMSE ${(err.rmse * 1e3).toFixed(3)} mV`);
      // Net charge at the end (PyBaMM's signed "Discharge capacity [A.h]") within 0.1 % of the
      // charge passed, and the end of every step within 0.1 % of the run time.
      const n = ref.time_s.length;
      const net = sim.summary.discharge_capacity_Ah - sim.summary.charge_capacity_Ah;
      ok(
        Math.abs(net - ref.discharge_capacity_Ah[n - 1]) <=
          1e-3 * sim.summary.discharge_capacity_Ah,
        `net ${net} vs ${ref.discharge_capacity_Ah[n - 1]}`,
      );
      for (let k = 0; k < 5; k++) {
        let end = 0;
        for (let r = 0; r < n; r++) if (ref.step[r] === k) end = ref.time_s[r];
        ok(
          Math.abs(sim.steps[k].end_time_s - end) <= 1e-3 * ref.time_s[n - 1],
          `step ${k + 1} ends at ${sim.steps[k].end_time_s} vs ${end}`,
        );
      }
    });

    Deno.test(`simulate() ${model} ${set.name}: lumped thermal 2C discharge matches PyBaMM`, () => {
      const ref = readReference(`${set.name}_${model}_2C_lumped.csv`);
      const sim = simulate({
        model,
        parameters: set.name,
        thermal: "lumped",
        period_s: 10,
        experiment: [`Discharge at 2C until ${set.low} V`],
      });
      const v = voltageErrors(sim.series, ref);
      ok(v.rmse <= BOUND_V[model], `RMSE ${(v.rmse * 1e3).toFixed(3)} mV`);
      const T = voltageErrors(sim.series, ref, "temperature_K");
      ok(T.max <= 0.2, `temperature differs by up to ${T.max.toFixed(3)} K`);
      const refCapacity = ref.discharge_capacity_Ah[ref.discharge_capacity_Ah.length - 1];
      ok(Math.abs(sim.summary.discharge_capacity_Ah - refCapacity) <= 1e-3 * refCapacity);
    });
  }
}

for (const model of MODELS) {
  Deno.test(`simulate() ${model} Chen2020 with SEI: three CC-CV cycles fade as in PyBaMM`, () => {
    const ref = readReference(`Chen2020_${model}_sei_3cycles.csv`);
    const sim = simulate({
      model,
      parameters: "Chen2020",
      sei: true,
      states: true,
      period_s: 20,
      experiment: [
        "(Discharge at 1C until 2.5 V, Charge at 1C until 4.2 V, Hold at 4.2 V until C/20) × 3",
      ],
    });
    ok(sim.summary.completed);
    const err = voltageErrors(sim.series, ref);
    ok(err.rmse <= BOUND_V[model], `RMSE ${(err.rmse * 1e3).toFixed(3)} mV`);
    // Discharge capacity of every cycle within 0.1 % (PyBaMM: steps 0, 3, 6).
    for (let c = 0; c < 3; c++) {
      let first = NaN, last = NaN;
      for (let r = 0; r < ref.step.length; r++) {
        if (ref.step[r] !== 3 * c) continue;
        if (Number.isNaN(first)) first = ref.discharge_capacity_Ah[r];
        last = ref.discharge_capacity_Ah[r];
      }
      const want = last - first;
      const got = sim.cycles[c].discharge_capacity_Ah;
      ok(Math.abs(got - want) <= 1e-3 * want, `cycle ${c + 1}: ${got} vs ${want}`);
    }
    // Lithium lost to SEI at the end within 1 % (PyBaMM's "Loss of lithium to negative SEI").
    const lost = ref.loss_of_lithium_mol[ref.loss_of_lithium_mol.length - 1];
    const ours = sim.summary.lithium_lost_mol!;
    ok(Math.abs(ours - lost) <= 0.01 * lost, `lithium lost ${ours} vs ${lost}`);
  });
}

for (const model of MODELS) {
  Deno.test(`simulate() ${model} Chen2020 follows a measured current profile as PyBaMM does`, () => {
    const ref = readReference(`Chen2020_${model}_pulses.csv`);
    // The reference's current (PyBaMM's sign: positive on discharge) as a profile step.
    const sim = simulate({
      model,
      parameters: "Chen2020",
      initialSoc: 0.5,
      times_s: Array.from(ref.time_s),
      experiment: [profileStep(ref.time_s, ref.current_A.map((i) => -i), "Run pulses")],
    });
    ok(sim.summary.completed);
    const err = voltageErrors(sim.series, ref);
    ok(err.rmse <= BOUND_V[model], `RMSE ${(err.rmse * 1e3).toFixed(3)} mV`);
    // Charge passed = ∫ I dt of the piecewise-linear profile (trapezoid rule, exact here):
    // 0.4034722 A h. PyBaMM's own counter ends 0.4032 (SPM) to 0.4035 (DFN) A h.
    let exact = 0;
    for (let r = 1; r < ref.time_s.length; r++) {
      exact += (ref.time_s[r] - ref.time_s[r - 1]) * (ref.current_A[r] + ref.current_A[r - 1]) / 2;
    }
    exact /= 3600;
    const net = sim.summary.discharge_capacity_Ah - sim.summary.charge_capacity_Ah;
    ok(Math.abs(net - exact) <= 1e-4 * exact, `net ${net} vs ${exact}`);
  });
}
