// Copyright 2026 the battery-analysis authors. MIT license.
//
// Expected values were read from the same files with the independent Python package
// access-parser 0.0.6 (`pip install access-parser`; AccessParser(f).parse_table(...)), which
// decodes the Jet pages itself (no mdbtools, no mdb-reader). Sums are math.fsum over the column.

import { equal, match, ok } from "node:assert/strict";
import { gunzipSync } from "fflate";
import { arbinRes } from "../../parsers/arbin_res.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";
import { parsesOrParseError, prng } from "./_neware_helpers.ts";

const CELLPY = "20160805_test001_45_cc_01.res";
const MITS7 = "mits7-0.res.gz";

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k];
  return s;
};

Deno.test("arbinRes.parse() reads Channel_Normal_Table of the MITS Pro 4.32 file", () => {
  const rec = arbinRes.parse(readFixture(`arbin/${CELLPY}`), { fileName: CELLPY });
  const s = rec.series!;
  equal(s.length, 10261);
  // Column sums (access-parser).
  assertClose(sum(s.time_s), 4818678926.797148, { rel: 1e-12 });
  assertClose(sum(s.extras.step_time_s), 107129658.47978427, { rel: 1e-12 });
  assertClose(sum(s.voltage_V), 5506.644089777023, { rel: 1e-12 });
  assertClose(sum(s.current_A), -0.11713836632183572, { rel: 1e-9 });
  assertClose(sum(s.charge_capacity_Ah), 4.888334881972134, { rel: 1e-12 });
  assertClose(sum(s.discharge_capacity_Ah), 10.324075808275564, { rel: 1e-12 });
  assertClose(sum(s.charge_energy_Wh), 1.879842851419273, { rel: 1e-12 });
  assertClose(sum(s.discharge_energy_Wh), 2.151741603711973, { rel: 1e-12 });
  assertClose(sum(s.extras.dv_dt_V_per_s), -10.775786581041757, { rel: 1e-9 });
  assertClose(sum(s.extras.internal_resistance_ohm), 291413.5905647278, { rel: 1e-12 });
  equal(sum(s.step_index), 96802);
  equal(sum(s.cycle_index), 81372);
  equal(sum(s.extras.data_point), 52649191);
  // Row 5130 (access-parser): Data_Point 5131, Test_Time 479267.1614120664 s, 0.7830348610877991 V,
  // -0.00030385368154384196 A, Step_Index 10, Cycle_Index 8, Internal_Resistance 14.234313011169434.
  const k = 5130;
  equal(s.extras.data_point[k], 5131);
  equal(s.time_s[k], 479267.1614120664);
  equal(s.voltage_V[k], 0.7830348610877991);
  equal(s.current_A[k], -0.00030385368154384196);
  equal(s.step_index[k], 10);
  equal(s.cycle_index[k], 8);
  equal(s.extras.internal_resistance_ohm[k], 14.234313011169434);
  // DateTime 42593.2253587963 days (OLE) → seconds since 1970 of the local wall clock.
  assertClose(s.extras.local_time_s[k], (42593.2253587963 - 25569) * 86400, { abs: 1e-3 });
  // Last row: cycle 18, 0.000239313155618 Ah discharged (max discharge 0.001755093529421 Ah).
  equal(s.cycle_index[s.length - 1], 18);
  equal(s.discharge_capacity_Ah[s.length - 1], 0.000239313155618);
  equal(Math.max(...s.discharge_capacity_Ah), 0.001755093529421);
});

Deno.test("arbinRes.parse() reads Global_Table: start time, channel, schedule, mass", () => {
  const rec = arbinRes.parse(readFixture(`arbin/${CELLPY}`), { fileName: CELLPY });
  const m = rec.meta;
  equal(m.format, "arbin_res");
  equal(m.format_version, "Results File 5.26"); // Version_Table
  equal(m.channel, 3); // Channel_Index
  equal(m.device, "176075"); // Serial_Number
  // Start_DateTime 42587.67804398148 days since 1899-12-30 = 2016-08-05 16:16:23 (local).
  equal(m.start_time, "2016-08-05T16:16:23");
  equal(rec.series!.start_time, m.start_time);
  equal(m.header.Schedule_File_Name, "SiNODE\\24h_rest_3cyc_C20_100cyc_c10_MR.sdu");
  equal(m.header.Test_Name, "20160805_sic006_45_cc_01-01-003");
  equal(m.header.Software_Version, "4.32 Build: 130904");
  assertClose(m.active_mass_g!, 0.0008528379839845002, { rel: 1e-7 }); // MASS (float32)
  equal(rec.series!.columns.current_A.original_name, "Current");
  equal(rec.series!.columns.dv_dt_V_per_s.original_name, "dV/dt");
});

Deno.test("arbinRes.parse() reads the gzipped MITS 7 file with its newer columns", () => {
  const rec = arbinRes.parse(readFixture(`arbin/${MITS7}`), { fileName: MITS7 });
  const s = rec.series!;
  equal(s.length, 8);
  assertClose(sum(s.time_s), 701.269392, { rel: 1e-12 });
  assertClose(sum(s.extras.step_time_s), 701.268604, { rel: 1e-12 });
  assertClose(sum(s.voltage_V), 1.0451173782348633, { rel: 1e-12 });
  assertClose(sum(s.extras.dv_dt_V_per_s), 0.00018692016647037235, { rel: 1e-9 });
  equal(s.time_s[7], 141.264096);
  equal(s.voltage_V[7], 0.13092708587646484);
  ok("acr_ohm" in s.extras && "pulse_stage_time_s" in s.extras && "tc_counter1" in s.extras);
  equal(rec.meta.format_version, "Results File 20171213");
  equal(rec.meta.channel, 1);
  equal(rec.meta.header.Comments, "Test cell fixture for res-format parser tests.");
  // Start_DateTime 46119.66541666666 → 2026-04-07 15:58:12 local.
  equal(rec.meta.start_time, "2026-04-07T15:58:12");
  // The same result from the unzipped bytes.
  const plain = arbinRes.parse(gunzipSync(readFixture(`arbin/${MITS7}`)), { fileName: "m.res" });
  equal(plain.series!.time_s[7], 141.264096);
});

Deno.test("detectFormat() picks arbinRes from the Jet signature or the .res.gz name", () => {
  equal(detectFormat(readFixture(`arbin/${CELLPY}`), CELLPY).parser.id, "arbin_res");
  equal(detectFormat(readFixture(`arbin/${MITS7}`), MITS7).parser.id, "arbin_res");
});

Deno.test("arbinRes.parse() reports truncated and corrupt databases as ParseError", () => {
  const bytes = readFixture(`arbin/${CELLPY}`);
  let error: unknown;
  try {
    arbinRes.parse(bytes.subarray(0, 4096 * 10 + 100), { fileName: CELLPY });
  } catch (e) {
    error = e;
  }
  ok(error instanceof ParseError);
  match(error.message, /truncated: the database page at byte offset 40960 has 100 bytes/);
  equal(error.offset, 40960);
  try {
    arbinRes.parse(readFixture(`arbin/${MITS7}`).subarray(0, 5000), { fileName: MITS7 });
  } catch (e) {
    error = e;
  }
  ok(error instanceof ParseError);
  match(error.message, /cannot gunzip/);
  const rand = prng(5);
  for (let t = 0; t < 25; t++) {
    const cut = 4096 * Math.floor(rand() * (bytes.length / 4096));
    parsesOrParseError(
      () => arbinRes.parse(bytes.subarray(0, cut), { fileName: CELLPY }),
      CELLPY,
      "cut",
    );
  }
  for (let t = 0; t < 25; t++) {
    const bad = bytes.slice();
    for (let j = 0; j < 40; j++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
    parsesOrParseError(() => arbinRes.parse(bad, { fileName: CELLPY }), CELLPY, `corruption ${t}`);
  }
});
