// Copyright 2026 the battery-analysis authors. MIT license.
import { equal, match, ok } from "node:assert/strict";
import { main } from "../../cli/fit_eis.ts";
import { fixturePath } from "../_util.ts";
import { runMain } from "./_run_main.ts";

const capture = (args: string[]) => runMain(main, args);

Deno.test("fit_eis prints the fit of Circuit1_EIS_1.z as JSON", async () => {
  const r = await capture([
    fixturePath("eis/Circuit1_EIS_1.z"),
    "--circuit",
    "R0-p(R1,C1)",
    "--json",
  ]);
  equal(r.code, 0);
  const json = JSON.parse(r.out);
  equal(json.format, "zplot_z");
  const params = json.spectra[0].fit.parameters;
  // Known answer: R0 ≈ 29.1 Ω, R1 ≈ 46.7 Ω, C1 ≈ 1.04e-5 F.
  ok(Math.abs(params[0].value / 29.1 - 1) < 0.01);
  ok(Math.abs(params[1].value / 46.7 - 1) < 0.01);
});

Deno.test("fit_eis prints a table with lin-KK and DRT, and rejects bad input", async () => {
  const r = await capture([
    fixturePath("eis/2ZARC0.csv"),
    "--circuit",
    "R0-p(R1,CPE1)-p(R2,CPE2)",
    "--kk",
    "--drt",
  ]);
  equal(r.code, 0);
  match(r.out, /parameter\s+value/);
  match(r.out, /lin-KK (pass|FAIL): M = \d+/);
  match(r.out, /DRT: R∞/);
  const bad = await capture([fixturePath("eis/2ZARC0.csv"), "--circuit", "R0-p(R1"]);
  equal(bad.code, 2);
  match(bad.err, /at position 7, unbalanced parenthesis/);
  equal((await capture([fixturePath("eis/2ZARC0.csv"), "--weight", "x"])).code, 2);
  equal((await capture(["--help"])).code, 0);
});
