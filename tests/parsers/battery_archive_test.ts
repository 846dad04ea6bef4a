// Copyright 2026 the battery-analysis authors. MIT license.
// Expected numbers read from the raw CSVs with Python's csv module.

import { equal, throws } from "node:assert/strict";
import { batteryArchiveCsv } from "../../parsers/battery_archive_csv.ts";
import { parseBatteryArchiveCycles } from "../../parsers/battery_archive_cycles.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";

const TS = "CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv";
const CYC = "CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_cycle_data.csv";

Deno.test("batteryArchiveCsv reads the time series; counter matches integrated current", () => {
  const bytes = readFixture(`other/${TS}`);
  equal(detectFormat(bytes, TS).parser.id, "battery_archive_csv");
  const { meta, series: s } = batteryArchiveCsv.parse(bytes, { fileName: TS });
  equal(s!.length, 15);
  assertClose(s!.time_s[0], 30.009);
  assertClose(s!.time_s[14], 450.16);
  assertClose(s!.charge_capacity_Ah[14], 0.059);
  assertClose(s!.charge_energy_Wh[14], 0.236);
  equal(s!.cycle_index[0], 1);
  equal(meta.start_time, "2010-09-02T14:35:40");
  // Python trapezoid of Current (A) over Test_Time (s): 0.05905 Ah; the file rounds to 1 mAh.
  let q = 0;
  for (let k = 1; k < s!.length; k++) {
    q += (s!.current_A[k] + s!.current_A[k - 1]) / 2 * (s!.time_s[k] - s!.time_s[k - 1]) / 3600;
  }
  assertClose(q, s!.charge_capacity_Ah[14], { abs: 0.001 });
  equal(Number.isNaN(s!.temperature_C![0]), true); // empty column in the file
});

Deno.test("parseBatteryArchiveCycles turns the per-cycle table into CycleSummary rows", () => {
  const cycles = parseBatteryArchiveCycles(readFixture(`other/${CYC}`), { fileName: CYC });
  equal(cycles.length, 9);
  equal(cycles[0].cycle, 1);
  equal(cycles[0].instrument_cycle, 1);
  assertClose(cycles[0].charge_capacity_Ah, 0.604);
  assertClose(cycles[0].discharge_capacity_Ah, 1.292);
  assertClose(cycles[0].coulombic_efficiency!, 1.292 / 0.604);
  assertClose(cycles[0].energy_efficiency!, 4.758 / 2.5);
  assertClose(cycles[0].end_time_s, 12923.434);
  equal(Number.isNaN(cycles[0].start_time_s), true);
  assertClose(cycles[1].start_time_s, 12923.434);
  assertClose(cycles[1].duration_s, 29533.288 - 12923.434);
  assertClose(cycles[8].max_voltage_V!, 4.2);
  equal(cycles[8].mean_voltage_V, null);
});

Deno.test("batteryArchiveCsv refuses a per-cycle table with a pointer to the cycle reader", () => {
  throws(
    () => batteryArchiveCsv.parse(readFixture(`other/${CYC}`), { fileName: CYC }),
    (e: unknown) => e instanceof ParseError && /parseBatteryArchiveCycles/.test(e.message),
  );
});
