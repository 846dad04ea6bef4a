// Copyright 2026 the battery-analysis authors. MIT license.
// runModelStudy: the same numbers as simulate / compareSimulation / fitParameters called
// directly, its checks (named steps and parameters, a step limit before expanding an
// experiment), and progress reports.

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  checkFitOptions,
  checkModelStudy,
  CHEN2020,
  compareSimulation,
  type ModelStudyProgress,
  parseExperiment,
  runModelStudy,
  simulate,
} from "../../../analysis/models/mod.ts";

const STEPS = ["Discharge at 1C until 3.2 V", "Rest for 10 minutes"];

Deno.test("a study without a test is simulate() with the same options", () => {
  const options = {
    model: "spm" as const,
    parameters: "Marquis2019",
    experiment: STEPS,
    thermal: "lumped" as const,
    points: 40,
  };
  const study = runModelStudy(options);
  const direct = simulate(options);
  const a = study.toJSON(), b = direct.toJSON();
  for (const key of ["time_s", "voltage_V", "current_A", "temperature_K", "steps", "cycles"]) {
    deepEqual(a[key], b[key], key);
  }
  equal(study.comparison, null);
  equal(study.fit, null);
  equal(study.cycleLife, null);
});

Deno.test("a study against a test follows its current and compares as compareSimulation does", () => {
  // The "measured" test: Chen2020's SPM discharged at 1C, 60 s rows, clock starting at 1000 s
  // (a stored test's clock need not start at zero).
  const sim = simulate({ model: "spm", experiment: STEPS, period_s: 60 });
  const series = { ...sim.series, time_s: sim.series.time_s.map((t) => t + 1000) };
  const study = runModelStudy({ model: "spm", test: { label: "measured", series } });
  // Reported at the test's own times (from zero), so the comparison needs no resampling.
  const out = new Set(Array.from(study.simulation.series.time_s, (t) => t.toFixed(6)));
  for (const t of sim.series.time_s) ok(out.has(t.toFixed(6)), `row at ${t} s`);
  // Following the same current with the same model gives the same voltage, to the tolerance of
  // the solver (the profile's corners restart it).
  ok(study.comparison!.rmse_V < 1e-3, String(study.comparison!.rmse_V));
  const fromZero = { ...series, time_s: series.time_s.map((t) => t - 1000) };
  const again = compareSimulation(fromZero, study.simulation);
  equal(study.comparison!.rmse_V, again.rmse_V);
  equal((study.toJSON().comparison as { test: string }).test, "measured");
});

Deno.test("progress: fit simulations counted, then the simulation's steps to 1", () => {
  const measured = simulate({ model: "spm", period_s: 120 }).series;
  const seen: ModelStudyProgress[] = [];
  const study = runModelStudy({
    model: "spm",
    test: { label: "m", series: measured },
    fit: [{ path: "cell.contact_resistance_ohm", initial: 0.01 }],
    experiment: ["Discharge at 1C until 2.5 V"],
    onProgress: (p) => seen.push(p),
  });
  const fits = seen.filter((p) => p.phase === "fit");
  equal(fits.length, study.fit!.simulations);
  deepEqual(fits.map((p) => p.phase === "fit" && p.simulations), fits.map((_, i) => i + 1));
  const last = seen[seen.length - 1];
  ok(last.phase === "simulate" && last.fraction === 1 && last.step.step === 1);
});

Deno.test("checks name the bad step, parameter or option, before anything runs", () => {
  throws(
    () => checkModelStudy({ experiment: ["Rest for 1 hour", "Discharge at 1 parsec for 1 hour"] }),
    (e: Error) => e instanceof SyntaxError && /"Discharge at 1 parsec for 1 hour"/.test(e.message),
  );
  throws(() => checkModelStudy({ initialSoc: 1.5 }), RangeError);
  throws(() => checkModelStudy({ initialSoc: "5.5 V" }), RangeError);
  throws(() => checkModelStudy({ fit: ["initial_soc"] }), /needs a measured test/);
  throws(() => checkModelStudy({ parameters: "Nope2000" }), /Unknown parameter set "Nope2000"/);
  const { sei: _, ...noSei } = structuredClone(CHEN2020);
  throws(() => checkModelStudy({ parameters: noSei, sei: true }), /has no SEI parameters/);
  // A path to a section or a name of the set is not a parameter to fit.
  throws(() => checkFitOptions({ fit: ["negative"] }), /"negative" is not a number or a material/);
  throws(() => checkFitOptions({ fit: ["name"] }), /"name" is not a number or a material/);
  throws(() => checkFitOptions({ fit: ["negative.nope_m"] }), /No parameter "negative.nope_m"/);
  // An expression is fitted as a factor: accepted.
  checkFitOptions({ fit: ["negative.exchange_current_density_A_m2"] });
});

Deno.test("an experiment longer than maxSteps is refused before it is expanded", () => {
  // 10^12 steps would not fit in memory: the count is checked first.
  throws(
    () => parseExperiment(["(Rest for 1 s, Rest for 2 s) x 500000000000"]),
    /has 1000000000000 steps, more than the limit of 1000000/,
  );
  throws(
    () => parseExperiment(["Rest for 1 s"], { cycles: 11, maxSteps: 10 }),
    /has 11 steps \(11 cycles of the list\), more than the limit of 10/,
  );
  equal(parseExperiment(["Rest for 1 s"], { cycles: 10, maxSteps: 10 }).steps.length, 10);
});
