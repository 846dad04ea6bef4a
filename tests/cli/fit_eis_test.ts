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
  match(r.out, /lin-KK (pass|FAIL): .* \(M = \d+ by BIC, μ = /);
  match(r.out, /DRT: R∞/);
  const bad = await capture([fixturePath("eis/2ZARC0.csv"), "--circuit", "R0-p(R1"]);
  equal(bad.code, 2);
  match(bad.err, /at position 7, unbalanced parenthesis/);
  equal((await capture([fixturePath("eis/2ZARC0.csv"), "--weight", "x"])).code, 2);
  equal((await capture(["--help"])).code, 0);
});

Deno.test("fit_eis exit codes: 0 usable fits, 1 errors, 2 usage, 3 a fit graded poor", async () => {
  // 3: PowerSuite's spectrum with one RC: relative misfit 46 % (graded poor), reasons printed.
  const poor = await capture([
    fixturePath("eis/exampleDataPowersuite.txt"),
    "--circuit",
    "R0-p(R1,C1)",
  ]);
  equal(poor.code, 3);
  match(poor.out, /quality poor: poor fit: relative RMS misfit/);
  // 1: an unreadable file, and a file whose only spectrum cannot be fitted (2 points).
  const missing = await capture([fixturePath("eis/no_such_file.z"), "--circuit", "R0-p(R1,C1)"]);
  equal(missing.code, 1);
  const dir = await Deno.makeTempDir();
  try {
    const tiny = `${dir}/tiny.csv`;
    await Deno.writeTextFile(tiny, "1000,10,-1\n10,12,-3\n");
    const r = await capture([tiny, "--circuit", "R0-p(R1,C1)"]);
    equal(r.code, 1);
    match(r.out, /error: Cannot fit "R0-p\(R1,C1\)": 2 points selected, at least 3 needed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // 2: usage, including a one-branch parallel group named at its position.
  const usage = await capture([fixturePath("eis/2ZARC0.csv"), "--circuit", "R0-p(R1)"]);
  equal(usage.code, 2);
  match(usage.err, /at position 3, p\(\.\.\.\) needs at least two branches/);
  // The codes are documented in --help.
  const help = await capture(["--help"]);
  match(
    help.out,
    /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 {2}every spectrum fitted, at least one graded poor/,
  );
});

Deno.test("fit_eis weights by 1/|Z| automatically on a blocking-electrode spectrum", async () => {
  // BioLogic PEIS of a blocking cell: |Z| spreads over 1,944× (1 MHz to 15 mHz).
  const r = await capture([
    fixturePath(
      "biologic/0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_25C_0x_Thin_Sample_C01.mpt",
    ),
    "--circuit",
    "R0-p(R1,CPE1)-CPE2",
    "--json",
  ]);
  const fit = JSON.parse(r.out).spectra[0].fit;
  equal(fit.weighting, "modulus");
  match(fit.weighting_reason, /^auto: \|Z\| spreads over 1\.94e\+3× \(> 100×\)/);
  // Every parameter carries its flag and whether the data determine it.
  for (const p of fit.parameters) ok(typeof p.undetermined === "boolean" && "flag" in p);
});

Deno.test("fit_eis --kk-m and --kk-threshold choose M and the verdict", async () => {
  const dummy = fixturePath("eis/Circuit1_EIS_1.z");
  // The dummy cell passes the noise-calibrated verdict (M by BIC) ...
  const auto = await capture([dummy, "--circuit", "R0-p(R1,C1)", "--kk", "--json"]);
  const kk = JSON.parse(auto.out).spectra[0].kk;
  equal(kk.pass, true);
  equal(kk.M_method, "auto");
  equal(kk.verdict_basis, "noise");
  // ... and fails impedance.py's practice (μ criterion stops at M = 4, 25.6 % > 1 %).
  const legacy = await capture([
    dummy,
    "--circuit",
    "R0-p(R1,C1)",
    "--kk-m",
    "mu",
    "--kk-threshold",
    "0.01",
  ]);
  match(legacy.out, /lin-KK FAIL: max \|residual\| 26 % > threshold 1\.0 % \(M = 4 by μ/);
  const fixed = await capture([dummy, "--circuit", "R0-p(R1,C1)", "--kk-m", "20", "--json"]);
  equal(JSON.parse(fixed.out).spectra[0].kk.M, 20);
  for (
    const bad of [["--kk-m", "0"], ["--kk-m", "x"], ["--kk-threshold", "2"], [
      "--kk-threshold",
      "-1",
    ]]
  ) {
    equal((await capture([dummy, ...bad])).code, 2, bad.join(" "));
  }
});
