// Copyright 2026 the battery-analysis authors. MIT license.
// Expected numbers read from the raw file with a short Python script.

import { equal, match } from "node:assert/strict";
import { maccorEis } from "../../parsers/maccor_eis.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { assertClose, readFixture } from "../_util.ts";

const NAME = "maccor_test_file_4267-66-6519.EDA0001.041";

Deno.test("maccorEis reads the BEEP FRA export into one spectrum", () => {
  const bytes = readFixture(`maccor/${NAME}`);
  equal(detectFormat(bytes, NAME).parser.id, "maccor_eis");
  const r = maccorEis.parse(bytes, { fileName: NAME });
  equal(r.spectra!.length, 1);
  const s = r.spectra![0];
  equal(s.length, 60);
  assertClose(s.frequency_Hz[0], 999999);
  assertClose(s.z_real_ohm[0], 0.773446);
  assertClose(s.z_imag_ohm[0], -0.849201);
  assertClose(s.frequency_Hz[59], 1.25892);
  assertClose(s.z_real_ohm[59], 22.095573);
  assertClose(s.extras.voltage_V[0], 3.909893);
  assertClose(s.extras.time_s[59], 347.1);
  equal(r.meta.start_time, "2016-11-02T15:58:00");
  match(r.meta.warnings[0], /ohm assumed/);
});

Deno.test("maccorEis imaginary sign agrees with the file's own phase and modulus", () => {
  // Independent check of the sign convention: atan2(Z'', Z') equals the Phase_Angle column and
  // |Z| equals Z-Mag (Python: max phase difference 2.4e-5 degrees).
  const s = maccorEis.parse(readFixture(`maccor/${NAME}`), { fileName: NAME }).spectra![0];
  for (let k = 0; k < s.length; k++) {
    const phase = Math.atan2(s.z_imag_ohm[k], s.z_real_ohm[k]) * 180 / Math.PI;
    assertClose(phase, s.extras.phase_deg[k], { abs: 1e-4 });
    assertClose(Math.hypot(s.z_real_ohm[k], s.z_imag_ohm[k]), s.extras.z_mod_ohm[k], { rel: 1e-5 });
  }
});
