// Copyright 2026 the battery-analysis authors. MIT license.
import { equal, ok } from "node:assert/strict";
import { linKK, parseCircuit } from "../../../analysis/eis/mod.ts";
import { parseRecording } from "../../../parsers/mod.ts";
import { assertClose, readFixture } from "../../_util.ts";

const spectrum = (p: string) =>
  parseRecording(readFixture(p), { fileName: p.split("/").pop()! }).spectra![0];

// Reference: impedance.py 1.7.1 validation.linKK(f, Z, c=0.85, max_M=50, fit_type=...) on the
// same points (script in the report): M, μ, resids_real[0], resids_imag[3], max |residual|.
const REFERENCE: [string, "real" | "complex", number, number, number, number, number][] = [
  ["eis/exampleData.csv", "real", 22, 0.830643, 2.96825e-4, -1.34759e-1, 0.2280],
  ["eis/exampleData.csv", "complex", 14, 0.818656, -1.00499e-1, -5.92341e-3, 0.1005],
  ["eis/Circuit1_EIS_1.z", "complex", 4, 0.673939, -6.69460e-2, -2.93465e-2, 0.2556],
  ["eis/exampleDataGamry.DTA", "complex", 21, 0.849031, -1.79106e-3, -8.17184e-4, 0.1119],
  ["eis/LIB_data.txt", "real", 21, 0.845274, -1.52373e-4, -2.32189e-4, 0.0321],
  ["eis/LIB_data.txt", "complex", 15, 0.814798, 3.00798e-6, -3.02631e-4, 0.0112],
  ["eis/2ZARC0.csv", "complex", 24, 0.755215, -3.16586e-3, -7.41344e-3, 0.1013],
];

for (const [path, type, M, mu, r0, i3, max] of REFERENCE) {
  Deno.test(`linKK() matches impedance.py on ${path} (${type})`, () => {
    const kk = linKK(spectrum(path), { fitType: type });
    equal(kk.M, M);
    assertClose(kk.mu, mu, { abs: 2e-6 });
    assertClose(kk.residual_real[0], r0, { rel: 1e-4, abs: 1e-9 });
    assertClose(kk.residual_imag[3], i3, { rel: 1e-4, abs: 1e-9 });
    assertClose(kk.max_residual, max, { abs: 1e-4 });
  });
}

Deno.test("linKK() passes KK-consistent data and fails drifting data", () => {
  const f = Array.from({ length: 60 }, (_, i) => 10 ** (4 - i / 10));
  const z = parseCircuit("R0-p(R1,CPE1)-p(R2,C2)").impedance([2, 10, 1e-4, 0.85, 20, 0.05], f);
  // On exact data the μ criterion (c = 0.85) stops at M = 8 with 8 % residuals, as impedance.py
  // does (negative R_k appear from basis mismatch, not from noise); with M = 20 the exact
  // spectrum is reproduced within 0.14 %.
  equal(linKK(z).M, 8);
  const good = linKK(z, { M: 20 });
  equal(good.pass, true);
  ok(good.max_residual < 0.002);
  // A drift of the real part growing with measurement time (low frequencies last) breaks
  // causality: the residuals exceed 1 % at the same M.
  const drift = { ...z, z_real_ohm: z.z_real_ohm.map((v, i) => v + 0.05 * i * i / 60) };
  const bad = linKK(drift, { M: 20 });
  equal(bad.pass, false);
  ok(bad.max_residual > 0.01);
});

Deno.test("linKK() with a series capacitance validates blocking-electrode data", () => {
  // R0 + CPE-like blocking spectrum has no low-frequency intercept.
  const f = Array.from({ length: 50 }, (_, i) => 10 ** (5 - i / 8));
  const z = parseCircuit("R0-p(R1,C1)-C2").impedance([5, 50, 1e-6, 1e-3], f);
  const kk = linKK(z, { addCapacitance: true, M: 20 });
  ok(kk.max_residual < 0.01);
  assertClose(kk.capacitance_F, 1e-3, { rel: 0.05 });
});
