// Copyright 2026 the battery-analysis authors. MIT license.
// Expected numbers were read from the raw files with a short Python script (csv split on tabs,
// no parsing library) unless a comment says otherwise.

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { maccorText } from "../../parsers/maccor_text.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";

const parse = (name: string) => maccorText.parse(readFixture(`maccor/${name}`), { fileName: name });

Deno.test("maccorText reads the BEEP .052 export: rows, first/last values, signed current", () => {
  const { meta, series: s } = parse("PredictionDiagnostics_000151_test.052");
  equal(
    detectFormat(readFixture("maccor/PredictionDiagnostics_000151_test.052"), "x.052").parser.id,
    "maccor_text",
  );
  equal(s!.length, 333);
  assertClose(s!.time_s[0], 769267.24);
  assertClose(s!.voltage_V[0], 3.86823835);
  assertClose(s!.current_A[0], -4.8400091554); // state D: negative
  assertClose(s!.discharge_capacity_Ah[0], 0.0191579754);
  equal(s!.charge_capacity_Ah[0], 0);
  assertClose(s!.time_s[332], 769270.57);
  assertClose(s!.discharge_capacity_Ah[332], 0.0236349063);
  assertClose(s!.extras.step_time_s[332], 17.58);
  equal(s!.step_index[0], 44);
  equal(s!.cycle_index[0], 37);
  equal(meta.start_time, "2019-10-21T23:59:59");
  equal(meta.header["Procedure"], "PredictionDiagnostics_000151.000");
  deepEqual(meta.warnings, []);
});

Deno.test("maccorText discharge counter agrees with integrated current", () => {
  // Independent check: trapezoidal ∫|I| dt over the rows (Python: 0.0044769315 Ah) equals the
  // growth of the Amp-hr counter over the same rows.
  const s = parse("PredictionDiagnostics_000151_test.052").series!;
  let q = 0;
  for (let k = 1; k < s.length; k++) {
    q += (Math.abs(s.current_A[k]) + Math.abs(s.current_A[k - 1])) / 2 *
      (s.time_s[k] - s.time_s[k - 1]) / 3600;
  }
  assertClose(q, s.discharge_capacity_Ah[s.length - 1] - s.discharge_capacity_Ah[0], { rel: 1e-5 });
});

Deno.test("maccorText reports the pause in the paused export and keeps test time", () => {
  const { meta, series: s } = parse("PredictionDiagnostics_000151_paused.052");
  equal(s!.length, 332);
  // BEEP's test_determine_paused expects a 7201 s pause (DPt Time 10:59:59 → 13:00:00).
  match(meta.warnings[0], /paused 1 time\(s\).*7201 s between lines 46 and 47/);
  match(meta.warnings[1], /1 record number\(s\) missing: after record 249834/);
  assertClose(s!.time_s[44] - s!.time_s[43], 0.02, { abs: 1e-6 }); // test clock: no pause
  assertClose(s!.extras.wall_clock_s[44] - s!.extras.wall_clock_s[43], 7201);
});

Deno.test("maccorText reads cellpy's MIMS export: decimal comma, minutes inferred, cut last line", () => {
  const { meta, series: s } = parse("maccor_two.txt");
  equal(s!.length, 213); // 214 data lines, the last one cut short
  assertClose(s!.voltage_V[0], 0.1377);
  assertClose(s!.voltage_V[212], 0.149);
  // TestTime 212 (no unit) at DPT Time 14:55:46, 212 min after 11:23:46 → minutes.
  assertClose(s!.time_s[212], 212 * 60);
  equal(meta.channel, 81);
  equal(meta.device, "Maccor #4");
  match(meta.warnings.join("\n"), /line 229 is cut short/);
  match(meta.warnings.join("\n"), /min inferred from the DPt Time clock/);
});

Deno.test("maccorText reads Test (Min) and the d hh:mm:ss form", () => {
  const ex = parse("maccor_example.001").series!;
  equal(ex.length, 8);
  assertClose(ex.time_s[7], 1.1667 * 60);
  const eis = parse("maccor_test_file_4267-66-6519.041");
  equal(eis.series!.length, 74);
  equal(eis.series!.time_s[73], 10); // "0d 00:00:10.0000"
  match(eis.meta.warnings.join("\n"), /FRA \(impedance\) rows/);
});

Deno.test("maccorText makes current positive on charge from the State column", () => {
  const text =
    "Today's Date 01/01/2020  Date of Test:\t01/01/2020\t Filename:\tx.001 Procedure: p\tComment/Barcode: c\r\n" +
    "Rec#\tCyc#\tStep\tTest (Sec)\tStep (Sec)\tAmp-hr\tWatt-hr\tAmps\tVolts\tState\tES\tDPt Time\r\n" +
    "1\t0\t1\t0\t0\t0\t0\t1.5\t3.7\tC\t0\t01/01/2020 00:00:00\r\n" +
    "2\t0\t1\t3600\t3600\t1.5\t5.6\t1.5\t4.1\tC\t0\t01/01/2020 01:00:00\r\n" +
    "3\t0\t2\t3601\t1\t0.0004\t0.001\t1.5\t4.0\tD\t0\t01/01/2020 01:00:01\r\n";
  const s = maccorText.parse(new TextEncoder().encode(text), { fileName: "x.001" }).series!;
  deepEqual([...s.current_A], [1.5, 1.5, -1.5]);
  deepEqual([...s.charge_capacity_Ah], [0, 1.5, 0]);
  deepEqual([...s.discharge_capacity_Ah], [0, 0, 0.0004]);
});

Deno.test("maccorText refuses a broken middle line with the line number", () => {
  const bytes = readFixture("maccor/maccor_example.001");
  const text = new TextDecoder().decode(bytes).replace("0.3333\t0.3333", "0.33x3\t0.3333");
  throws(
    () => maccorText.parse(new TextEncoder().encode(text), { fileName: "bad.001" }),
    (e: unknown) => e instanceof ParseError && e.line === 5 && /line 5/.test(e.message),
  );
  ok(maccorText.detect(new TextEncoder().encode("hello"), "x.001").confidence === 0);
});

Deno.test("maccorText reads a MIMS export with a two-line Today's Date header, milli-units and d hh:mm:ss.ss times", () => {
  // synthetic/maccor/PredictionDiagnostics_000151_todays_date.txt is the .052 fixture rewritten
  // in that layout (tests/parsers/scripts/make_variants.py): every value must read back as the
  // original's, within the rounding of the rewrite (times to 0.01 s, mA to 1e-6, mAh to 1e-7).
  // cellpy 1.0.3 (maccor_txt, model "three") reads it as 333 rows starting at 769267.24 s.
  const name = "synthetic/maccor/PredictionDiagnostics_000151_todays_date.txt";
  const bytes = readFixture(name);
  equal(detectFormat(bytes, name).parser.id, "maccor_text");
  const rec = maccorText.parse(bytes, { fileName: name });
  const orig = maccorText.parse(readFixture("maccor/PredictionDiagnostics_000151_test.052"), {
    fileName: "PredictionDiagnostics_000151_test.052",
  }).series!;
  const s = rec.series!;
  equal(s.length, 333);
  equal(s.time_s[0], 769267.24);
  for (let k = 0; k < s.length; k++) {
    assertClose(s.time_s[k], orig.time_s[k], { abs: 0.0051 });
    assertClose(s.voltage_V[k], orig.voltage_V[k], { abs: 1e-12 });
    assertClose(s.current_A[k], orig.current_A[k], { abs: 1e-9 });
    assertClose(s.discharge_capacity_Ah[k], orig.discharge_capacity_Ah[k], { abs: 1e-10 });
    equal(s.cycle_index[k], orig.cycle_index[k]);
  }
  equal(s.columns.current_A.original_unit, "mA");
  equal(rec.meta.header["Date of Test"], "10 October 2019, 2:31:07 PM");
  equal(rec.meta.channel, 1);
  equal(s.start_time, orig.start_time);
});
