// Copyright 2026 the battery-analysis authors. MIT license.
// Mass and charge conservation, and convergence under mesh refinement.

import { ok } from "node:assert/strict";
import { CHEN2020, MARQUIS2019, simulate } from "../../../analysis/models/mod.ts";

const F = 96485.33212331001;
const CYCLE = [
  "Discharge at 1C until 2.5 V",
  "Rest for 10 minutes",
  "Charge at 1C until 4.2 V",
  "Hold at 4.2 V until C/20",
];

for (const model of ["spm", "spme", "dfn"] as const) {
  Deno.test(`simulate() ${model}: lithium in the particles is constant without SEI`, () => {
    const sim = simulate({ model, parameters: "Chen2020", experiment: CYCLE, states: true });
    const li = sim.states!.lithium_particles_mol;
    // Expected: the set's cyclable lithium (ESOH keeps it; PyBaMM: 0.283966 mol).
    for (const v of li) ok(Math.abs(v - li[0]) <= 1e-7 * li[0], `${v} vs ${li[0]}`);
    ok(Math.abs(li[0] - sim.electrode_soh.cyclable_lithium_mol) <= 1e-6 * li[0]);
  });

  Deno.test(`simulate() ${model}: charge passed equals the lithium moved between electrodes`, () => {
    const sim = simulate({
      model,
      parameters: "Marquis2019",
      experiment: [
        "Discharge at 2C until 3.105 V",
        "Rest for 10 minutes",
        "Charge at 1C for 20 minutes",
      ],
      states: true,
    });
    const set = MARQUIS2019, n = set.negative;
    const volume = n.active_material_volume_fraction * n.thickness_m *
      set.cell.electrode_height_m * set.cell.electrode_width_m;
    const s = sim.series, st = sim.states!;
    for (let r = 0; r < s.length; r += 7) {
      // ∫ I dt by the integrator's counters (net discharge, A h) against the lithium that left
      // the negative electrode, converted to A h with Faraday's constant.
      const net = s.discharge_capacity_Ah[r] - s.charge_capacity_Ah[r];
      const moved = (st.negative_mean_stoichiometry[0] - st.negative_mean_stoichiometry[r]) *
        n.maximum_concentration_mol_m3 * volume * F / 3600;
      ok(
        Math.abs(net - moved) <= 1e-6 * 0.68 + 1e-6 * Math.abs(net),
        `row ${r}: ${net} vs ${moved}`,
      );
    }
  });
}

Deno.test("simulate() spm: the voltage converges as the particle mesh is refined", () => {
  // Second-order finite volumes: successive differences shrink by about 4 when the mesh doubles;
  // require at least 2 (first order) with tight solver tolerances.
  const end = (r: number) =>
    simulate({
      model: "spm",
      parameters: CHEN2020,
      mesh: { r_n: r, r_p: r },
      experiment: ["Discharge at 2C for 20 minutes"],
      rtol: 1e-9,
      atol: 1e-9,
    }).summary.final_voltage_V;
  const v = [10, 20, 40, 80].map(end);
  const d = [v[1] - v[0], v[2] - v[1], v[3] - v[2]].map(Math.abs);
  ok(d[0] > 2 * d[1] && d[1] > 2 * d[2], `differences ${d.join(", ")}`);
});

Deno.test("simulate() dfn: the voltage converges as the x and r meshes are refined", () => {
  const end = (x: number, r: number) =>
    simulate({
      model: "dfn",
      parameters: CHEN2020,
      mesh: { x_n: x, x_s: x, x_p: x, r_n: r, r_p: r },
      experiment: ["Discharge at 2C for 20 minutes"],
      rtol: 1e-8,
      atol: 1e-8,
    }).summary.final_voltage_V;
  for (const which of ["x", "r"]) {
    const v = [5, 10, 20, 40].map((k) => (which === "x" ? end(k, 10) : end(10, k)));
    const d = [v[1] - v[0], v[2] - v[1], v[3] - v[2]].map(Math.abs);
    // Measured ratios: x about 12 and 7, r about 4.2 and 4.1 (second order).
    ok(d[0] > 2 * d[1] && d[1] > 2 * d[2], `${which}: differences ${d.join(", ")}`);
  }
});
