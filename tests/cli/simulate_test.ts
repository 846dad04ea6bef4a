// Copyright 2026 the battery-analysis authors. MIT license.

import { equal, match, ok } from "node:assert/strict";
import { main } from "../../cli/simulate.ts";
import { CHEN2020 } from "../../analysis/models/mod.ts";
import { runMain } from "./_run_main.ts";

const capture = (args: string[]) => runMain(main, args);

Deno.test("simulate --json prints the documented fields", async () => {
  const r = await capture([
    "--model",
    "spm",
    "--parameters",
    "Marquis2019",
    "--experiment",
    "Discharge at 1C until 3.105 V",
    "--experiment",
    "Rest for 10 minutes",
    "--thermal",
    "lumped",
    "--points",
    "25",
    "--json",
  ]);
  equal(r.code, 0, r.err);
  const json = JSON.parse(r.out);
  equal(json.model, "spm");
  equal(json.parameters, "Marquis2019");
  equal(json.steps.length, 2);
  for (
    const key of ["time_s", "voltage_V", "current_A", "discharge_capacity_Ah", "temperature_K"]
  ) {
    equal(json[key].length, 25, key);
  }
  // PyBaMM's SPM discharges Marquis2019 at 1C to 3.105 V after 0.8551 Ah (fixture
  // Marquis2019_spm_1C_discharge.csv; lumped thermal changes it by under 0.1 %).
  ok(
    Math.abs(json.summary.discharge_capacity_Ah - 0.8551) < 0.002,
    json.summary.discharge_capacity_Ah,
  );
  ok(json.summary.final_time_s > 0 && json.current_A[0] < 0);
});

Deno.test("simulate --csv round-trips through --compare and --fit recovers a diffusivity", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A "measured" file: Chen2020 with D_n doubled, written by the tool itself (BDF CSV).
    const set = structuredClone(CHEN2020);
    set.negative.diffusivity_m2_s = 6.6e-14;
    await Deno.writeTextFile(`${dir}/cell.json`, JSON.stringify(set));
    const made = await capture([
      "--model",
      "spm",
      "--parameters",
      `${dir}/cell.json`,
      "--experiment",
      "Discharge at 2C until 2.5 V",
      "--experiment",
      "Rest for 10 minutes",
      "--period",
      "10",
      "--csv",
    ]);
    equal(made.code, 0, made.err);
    await Deno.writeTextFile(`${dir}/measured.csv`, made.out);
    const compared = await capture(["--model", "spm", "--compare", `${dir}/measured.csv`]);
    equal(compared.code, 0, compared.err);
    match(compared.out, /Against measured\.csv:\nSimulation vs test on the time axis/);
    const fitted = await capture([
      "--model",
      "spm",
      "--compare",
      `${dir}/measured.csv`,
      "--fit",
      "negative.diffusivity_m2_s",
      "--json",
    ]);
    equal(fitted.code, 0, fitted.err);
    const fit = JSON.parse(fitted.out).fit;
    // The CSV keeps 10 significant digits: the fit finds 6.6e-14 to better than 0.1 %.
    ok(Math.abs(fit.parameters[0].value / 6.6e-14 - 1) < 1e-3, String(fit.parameters[0].value));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("simulate exit codes: 1 when a cut-off stops the run, 2 on usage errors", async () => {
  const early = await capture(["--model", "spm", "--experiment", "Discharge at 1C for 2 hours"]);
  equal(early.code, 1);
  match(early.err, /lower voltage cut-off/);
  equal((await capture(["--model", "p2d"])).code, 2);
  equal((await capture(["--fit", "negative.diffusivity_m2_s"])).code, 2);
  equal((await capture(["--soc", "120%"])).code, 2);
  const bad = await capture(["--model", "spm", "--experiment", "Discharge at 1 parsec for 1 hour"]);
  equal(bad.code, 2);
  match(bad.err, /not a value like/);
});
