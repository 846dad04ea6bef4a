// Copyright 2026 the battery-analysis authors. MIT license.

import { equal, ok, throws } from "node:assert/strict";
import { mulberry32 } from "../../../analysis/_random.ts";
import { JUPYTER_DISPLAY } from "../../../analysis/_display.ts";
import {
  CHEN2020,
  compareSimulation,
  fitParameters,
  simulate,
} from "../../../analysis/models/mod.ts";
import { assertClose } from "../../_util.ts";

/** A known cell: Chen2020 with a 10 mΩ contact resistance and D_p = 6e-15 m²/s. */
function truthSet() {
  const set = structuredClone(CHEN2020);
  set.name = "Chen2020 (modified)";
  set.cell.contact_resistance_ohm = 0.01;
  set.positive.diffusivity_m2_s = 6e-15;
  return set;
}

const EXPERIMENT = [
  "Discharge at 1C until 2.5 V",
  "Rest for 30 minutes",
  "Charge at 0.5C for 1 hour",
];

Deno.test("fitParameters() recovers known parameters from a noisy simulated measurement", () => {
  const measured = simulate({
    model: "spm",
    parameters: truthSet(),
    period_s: 10,
    experiment: EXPERIMENT,
    rtol: 1e-8,
    atol: 1e-10,
  }).series;
  // Gaussian noise, σ = 2 mV, from the project's seeded generator (Box–Muller).
  const random = mulberry32(7);
  const gauss = () => {
    let u = 0;
    while (u === 0) u = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const noisy = { ...measured, voltage_V: measured.voltage_V.map((v) => v + 0.002 * gauss()) };
  const fit = fitParameters(noisy, {
    model: "spm",
    parameters: CHEN2020,
    fit: [
      { path: "positive.diffusivity_m2_s", initial: 2e-14 },
      { path: "cell.contact_resistance_ohm", initial: 0.03 },
      "negative.diffusivity_m2_s",
    ],
  });
  const truth = [6e-15, 0.01, 3.3e-14];
  fit.parameters.forEach((p, i) => {
    // Within 3 standard errors of the truth, and the standard errors are small (< 3 %).
    ok(
      Math.abs(p.value - truth[i]) <= 3 * p.standard_error,
      `${p.path}: ${p.value} ± ${p.standard_error}`,
    );
    ok(p.standard_error < 0.03 * truth[i], `${p.path}: standard error ${p.standard_error}`);
    equal(p.at_bound, false);
  });
  // The residuals are the noise: RMSE ≈ 2 mV.
  ok(fit.rmse_V > 0.0017 && fit.rmse_V < 0.0023, `rmse ${fit.rmse_V}`);
  ok(fit.converged);
  ok(fit.toString().includes("positive.diffusivity_m2_s"));
  ok(fit[JUPYTER_DISPLAY]()["application/vnd.vegalite.v5+json"]);
  equal(fit.set.positive.diffusivity_m2_s, fit.parameters[0].value);
});

Deno.test("fitParameters() fits a factor on an expression and the initial SOC without noise", () => {
  const set = structuredClone(CHEN2020);
  set.negative.exchange_current_density_A_m2 =
    `(${CHEN2020.negative.exchange_current_density_A_m2}) * 2`;
  const measured = simulate({
    model: "spm",
    parameters: set,
    initialSoc: 0.9,
    period_s: 20,
    experiment: ["Discharge at 2C for 20 minutes", "Rest for 10 minutes"],
    rtol: 1e-8,
    atol: 1e-10,
  }).series;
  const fit = fitParameters(measured, {
    model: "spm",
    parameters: CHEN2020,
    fit: ["negative.exchange_current_density_A_m2", { path: "initial_soc", initial: 0.8 }],
    points: 80,
  });
  equal(fit.parameters[0].factor, true);
  assertClose(fit.parameters[0].value, 2, { rel: 1e-3 });
  assertClose(fit.parameters[1].value, 0.9, { abs: 1e-4 });
  assertClose(fit.initial_soc as number, 0.9, { abs: 1e-4 });
  throws(
    () => fitParameters(measured, { fit: ["negative.thickness"] }),
    /No parameter "negative.thickness"/,
  );
  throws(() => fitParameters(measured, { fit: [] }), /Nothing to fit/);
});

Deno.test("compareSimulation() reports per-cycle capacity errors and voltage errors on both axes", () => {
  const measured = simulate({
    model: "dfn",
    parameters: "Chen2020",
    experiment: ["(Discharge at 1C until 2.5 V, Charge at 1C until 4.2 V) × 2"],
    period_s: 10,
  });
  const spm = simulate({
    model: "spm",
    parameters: "Chen2020",
    experiment: ["(Discharge at 1C until 2.5 V, Charge at 1C until 4.2 V) × 2"],
    period_s: 10,
  });
  const byTime = compareSimulation(measured.series, spm);
  equal(byTime.cycles.length, 2);
  // The expected errors follow from the two simulations' own summaries.
  const c1 = byTime.cycles[0];
  assertClose(c1.measured_discharge_Ah, measured.cycles[0].discharge_capacity_Ah, { rel: 1e-9 });
  assertClose(c1.simulated_discharge_Ah, spm.cycles[0].discharge_capacity_Ah, { rel: 1e-9 });
  assertClose(
    c1.discharge_error_percent!,
    (spm.cycles[0].discharge_capacity_Ah / measured.cycles[0].discharge_capacity_Ah - 1) * 100,
    { rel: 1e-9 },
  );
  ok(byTime.max_abs_V >= byTime.rmse_V && byTime.rmse_V >= byTime.mae_V);
  // On the capacity axis the half cycles line up: the SPM lacks the electrolyte and solid
  // losses of the DFN, so the curves stay tens of mV apart (median 72 mV over charge and
  // discharge halves at 1C) except at the end of discharge,
  // where the DFN reaches its knee earlier.
  const byCapacity = compareSimulation(measured.series, spm, { axis: "capacity", points: 100 });
  equal(byCapacity.points.length, 400);
  const diffs = byCapacity.points.map((p) => Math.abs(p.simulated_V - p.measured_V))
    .sort((a, b) => a - b);
  const median = diffs[diffs.length >> 1];
  ok(median > 0.005 && median < 0.15, `median ${median}`); // measured: 72 mV
  ok(byCapacity.points.every((p) => p.half !== ""));
  const spec = byCapacity.overlaySpec();
  equal((spec.vconcat as unknown[]).length, 2);
  ok(byCapacity.toString().startsWith("Simulation vs test on the capacity axis"));
  const late = { ...spm.series, time_s: spm.series.time_s.map((t) => t + 1e6) };
  throws(() => compareSimulation(measured.series, late), /do not overlap in time/);
});
