// Copyright 2026 the battery-analysis authors. MIT license.

import { equal, throws } from "node:assert/strict";
import { highFrequencyIntercept } from "../../analysis/high_frequency_intercept.ts";
import { parseRecording } from "../../parsers/parse_recording.ts";
import { assertClose, readFixture } from "../_util.ts";

function spectrum(path: string) {
  return parseRecording(readFixture(path), { fileName: path }).spectra![0];
}

Deno.test("highFrequencyIntercept() reads the ohmic resistance of real spectra", () => {
  // Expected points from tests/analysis/scripts/high_frequency_intercept_expected.py, which
  // reads the files directly. For the two spectra with published circuit fits the value is
  // close to the fitted R0: Circuit1_EIS_1.z R0 ≈ 29.1 Ω, exampleData.csv R0 = 1.65e-2 Ω.
  const cases: [string, number, number][] = [
    ["eis/Circuit1_EIS_1.z", 29.089, 25059.36],
    ["eis/exampleData.csv", 0.01580888106340524, 1258.9],
    [
      "biologic/0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_25C_0x_Thin_Sample_t2_C01.mpt",
      147.06586,
      95214.82,
    ],
    [
      "biologic/0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_40C_0x_Thin_Sample_t2_C01.mpt",
      72.186592,
      95214.82,
    ],
    [
      "biologic/0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_60C_0x_Thin_Sample_t2_C01.mpt",
      20.666826,
      140908.17,
    ],
  ];
  for (const [path, resistance, frequency] of cases) {
    const r = highFrequencyIntercept(spectrum(path))!;
    assertClose(r.resistance_ohm, resistance, { rel: 1e-6, message: path });
    assertClose(r.frequency_Hz, frequency, { rel: 1e-6, message: path });
  }
  assertClose(highFrequencyIntercept(spectrum("eis/Circuit1_EIS_1.z"))!.resistance_ohm, 29.1, {
    rel: 0.01,
  });
  assertClose(highFrequencyIntercept(spectrum("eis/exampleData.csv"))!.resistance_ohm, 1.65e-2, {
    rel: 0.05,
  });
});

Deno.test("highFrequencyIntercept() skips inductive and negative-resistance points", () => {
  // Synthetic: the three highest frequencies are artefacts (Re Z < 0, or inductive); among the
  // upper five (half of ten) points the capacitive one with Re Z > 0 closest to the axis is at
  // 5e4 Hz, Re Z = 12. The 1 Hz point is closer to the axis but in the low-frequency half.
  const s = {
    frequency_Hz: [1e6, 5e5, 2e5, 1e5, 5e4, 1e4, 1e3, 1e2, 10, 1],
    z_real_ohm: [-5, 30, 20, 13, 12, 12.5, 20, 40, 60, 70],
    z_imag_ohm: [-1, 3, 0.5, -0.6, -0.1, -0.4, -8, -20, -5, -0.01],
  };
  const r = highFrequencyIntercept(s)!;
  equal(r.resistance_ohm, 12);
  equal(r.index, 4);
  // Only inductive points in the upper half: no intercept.
  equal(highFrequencyIntercept({ ...s, z_imag_ohm: s.z_imag_ohm.map(() => 1) }), null);
  throws(
    () => highFrequencyIntercept({ frequency_Hz: [], z_real_ohm: [], z_imag_ohm: [] }),
    /empty/,
  );
  throws(
    () => highFrequencyIntercept({ frequency_Hz: [1, 2], z_real_ohm: [1], z_imag_ohm: [1, 2] }),
    /2 frequencies/,
  );
});
