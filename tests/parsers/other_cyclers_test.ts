// Copyright 2026 the battery-analysis authors. MIT license.
// Tests of the Novonix, Basytec and PEC readers. Expected numbers were read from the raw files
// with a short Python script (split on the delimiter, no parsing library); capacities are checked
// against a trapezoidal integral of the file's current over its time column, computed here.

import { equal, match } from "node:assert/strict";
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
  // Step Type 7 (CCCV charge): Capacity goes to the charge counter.
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
