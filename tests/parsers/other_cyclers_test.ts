// Copyright 2026 the battery-analysis authors. MIT license.
// Tests of the Novonix, Basytec and PEC readers. Expected numbers were read from the raw files
// with a short Python script (split on the delimiter, no parsing library); capacities are checked
// against a trapezoidal integral of the file's current over its time column, computed here.

import { deepEqual, equal, match } from "node:assert/strict";
import { novonixCsv } from "../../parsers/novonix_csv.ts";
import { basytecTxt } from "../../parsers/basytec_txt.ts";
import { pecCsv } from "../../parsers/pec_csv.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { assertClose, readFixture } from "../_util.ts";

function integralAh(s: CyclingSeries): number {
  let q = 0;
  for (let k = 1; k < s.length; k++) {
    q += (s.current_A[k] + s.current_A[k - 1]) / 2 * (s.time_s[k] - s.time_s[k - 1]) / 3600;
  }
  return q;
}

Deno.test("novonixCsv reads PyProBE's sample: rows, hours to seconds, charge counter", () => {
  const bytes = readFixture("other/sample_data_novonix.csv");
  equal(detectFormat(bytes, "sample_data_novonix.csv").parser.id, "novonix_csv");
  const { meta, series: s } = novonixCsv.parse(bytes, { fileName: "sample_data_novonix.csv" });
  equal(s!.length, 207);
  assertClose(s!.time_s[206], 3.4131889 * 3600);
  assertClose(s!.voltage_V[0], 3.84318331);
  assertClose(s!.voltage_V[206], 4.12864581);
  // Capacity is the net charge passed: from 0 to 1.70652976 Ah, all of it rises under positive
  // current (Step Type 7, the CC phase of a CC-CV charge), so all of it is charge.
  assertClose(s!.charge_capacity_Ah[206], 1.70652976);
  equal(s!.discharge_capacity_Ah[206], 0);
  assertClose(s!.charge_energy_Wh[206], 6.84854718);
  // Python trapezoid of the file's current: 1.70648 Ah.
  assertClose(integralAh(s!), s!.charge_capacity_Ah[206], { rel: 1e-3 });
  assertClose(s!.temperature_C![0], 24.644);
  equal(meta.start_time, "2025-07-19T15:26:20");
  equal(meta.channel, 1);
  equal(meta.warnings.length, 0);
});

/** A Novonix export around the given data rows (header as in PyProBE's sample, UHPC 2.13). */
function novonixFile(rows: string[]): Uint8Array {
  return new TextEncoder().encode(
    [
      "[Summary]",
      "Novonix UHPC data file",
      "Novonix",
      "Channel: 01",
      "Version: 2.13.0",
      "[End Summary]",
      "[Data]",
      "Date and Time,Cycle Number,Step Type,Run Time (h),Step Time (h),Current (A),Potential (V)," +
      "Capacity (Ah),Energy (Wh),Step Number",
      ...rows,
    ].join("\n") + "\n",
  );
}

Deno.test("novonixCsv files the net counter's rises as charge and its falls as discharge", () => {
  // Synthetic, with the conventions of the real files: Capacity is the net charge passed
  // (preparenovonix's HPC example falls to −0.4328 Ah on a 1.5 A discharge and rises from there
  // on the next charge); Step Type 8 is the CV hold of a CC-CV charge (positive current, BEEP's
  // formation file); an older HPC file writes Step Type 1 on a CC discharge (row 5 here).
  // Known answers, by hand: rises 0.1 + 0.05 + 0.02 = 0.17 Ah, falls 0.30 + 0.05 = 0.35 Ah
  // (0.17 → −0.13 → −0.18), then 0.01 Ah of charge (−0.18 → −0.17).
  const bytes = novonixFile([
    "2025-01-01 00:00:00,1,0,0.0,0.0,0.0,3.6,0.0,0.0,1",
    "2025-01-01 00:06:00,1,7,0.1,0.0,1.0,3.9,0.1,0.4,2",
    "2025-01-01 00:09:00,1,8,0.15,0.05,1.0,4.2,0.15,0.6,2",
    "2025-01-01 00:10:12,1,8,0.17,0.07,1.0,4.2,0.17,0.68,2",
    "2025-01-01 00:16:12,1,0,0.27,0.0,0.0,4.1,0.17,0.68,3",
    "2025-01-01 00:28:12,1,1,0.47,0.2,-1.5,3.5,-0.13,-0.42,4",
    "2025-01-01 00:28:24,1,10,0.4733333,0.0033333,-0.5,3.0,-0.18,-0.42,5",
    "2025-01-01 00:34:24,2,7,0.5733333,0.0,0.1,3.4,-0.17,-0.38,6",
  ]);
  const { meta, series: s } = novonixCsv.parse(bytes, { fileName: "synthetic_novonix.csv" });
  const q = (k: number) => [s!.charge_capacity_Ah[k], s!.discharge_capacity_Ah[k]];
  assertClose(q(3)[0], 0.17, { abs: 1e-15 });
  equal(q(3)[1], 0);
  assertClose(q(6)[1], 0.35, { abs: 1e-15 });
  assertClose(q(7)[0], 0.18, { abs: 1e-15 });
  assertClose(q(7)[1], 0.35, { abs: 1e-15 });
  // Energy: 0.68 Wh of rises, then 1.1 Wh of falls (0.68 → −0.42; the 0.0 change on row 6 adds
  // nothing), then 0.04 Wh.
  assertClose(s!.charge_energy_Wh[7], 0.72, { abs: 1e-15 });
  assertClose(s!.discharge_energy_Wh[7], 1.1, { abs: 1e-15 });
  deepEqual([...s!.extras.step_type], [0, 7, 8, 8, 0, 1, 10, 7]);
  equal(meta.warnings.length, 0);
});

Deno.test("novonixCsv leaves out a counter change against the current and says so", () => {
  // The counter restarts at 0 during a rest (row 2: 0.2 → 0, no current): not a discharge.
  // A per-step counter that rose during a discharge (row 4: 0 → 0.05 at −1 A) is not a charge.
  const bytes = novonixFile([
    "2025-01-01 00:00:00,1,7,0.0,0.0,1.0,3.6,0.0,0.0,1",
    "2025-01-01 00:12:00,1,7,0.2,0.2,1.0,4.0,0.2,0.8,1",
    "2025-01-01 00:18:00,1,0,0.3,0.0,0.0,3.9,0.0,0.0,2",
    "2025-01-01 00:18:01,1,2,0.3002778,0.0,-1.0,3.8,0.0,0.0,3",
    "2025-01-01 00:21:01,1,2,0.3502778,0.05,-1.0,3.5,0.05,0.18,3",
  ]);
  const { meta, series: s } = novonixCsv.parse(bytes, { fileName: "restart.csv" });
  assertClose(s!.charge_capacity_Ah[4], 0.2, { abs: 1e-15 });
  equal(s!.discharge_capacity_Ah[4], 0);
  match(
    meta.warnings.join("\n"),
    /"Capacity \(Ah\)" changed against the direction of the current on 2 row\(s\), by 0\.25 Ah in all \(0\.2 Ah counted\)/,
  );
});

Deno.test("basytecTxt reads PyProBE's sample: counters, step from Line, start time", () => {
  const bytes = readFixture("other/sample_data_basytec.txt");
  equal(detectFormat(bytes, "sample_data_basytec.txt").parser.id, "basytec_txt");
  const { meta, series: s } = basytecTxt.parse(bytes, { fileName: "sample_data_basytec.txt" });
  equal(s!.length, 74);
  assertClose(s!.time_s[73], 70.2358036666668);
  assertClose(s!.voltage_V[0], 3.52575489148741);
  assertClose(s!.current_A[73], 0.449601734416934);
  assertClose(s!.charge_capacity_Ah[73], 0.001248916998009);
  assertClose(s!.charge_energy_Wh[73], 0.00441094744918941);
  // Python trapezoid: 0.0012485 Ah.
  assertClose(integralAh(s!), s!.charge_capacity_Ah[73], { rel: 1e-3 });
  equal(s!.step_index[0], 3);
  equal(s!.step_index[73], 4);
  equal(meta.start_time, "2023-06-19T17:56:53");
  equal(meta.channel, 14);
});

Deno.test("pecCsv reads cellpy's PEC sample: clock time, milli-units, real time", () => {
  const bytes = readFixture("other/Test25195.csv");
  equal(detectFormat(bytes, "Test25195.csv").parser.id, "pec_csv");
  const { meta, series: s } = pecCsv.parse(bytes, { fileName: "Test25195.csv" });
  equal(s!.length, 19);
  assertClose(s!.time_s[0], 0.002);
  assertClose(s!.time_s[18], 162.363); // 00:02:42.363
  assertClose(s!.voltage_V[0], 3.5690308);
  assertClose(s!.current_A[0], -8e-6);
  equal(s!.charge_capacity_Ah[18], 0);
  assertClose(s!.temperature_C![1], 16.75);
  equal(meta.start_time, "2026-01-06T17:51:06");
  assertClose(s!.extras.wall_clock_s[18], 162); // 17:53:48 − 17:51:06
  equal(meta.header["TestRegime Name"], "OCV generic long HP");
  match(s!.columns.time_s.original_name, /Hours in hh:mm:ss.xxx/);
});
