// Copyright 2026 the battery-analysis authors. MIT license.
// Formats added for issue 13 (item 9). Expected values: pandas 2.3 on the raw files
// (`pd.read_csv(path, skiprows=6, index_col=False)` for Landt; `pd.read_csv(path)` for
// BatteryData; Python's csv module on the unquoted lines for Novonix), as quoted next to each.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { parseBatteryDataCsv } from "../../parsers/battery_data_csv.ts";
import { parseArbinCsv } from "../../parsers/arbin_csv.ts";
import { parseIviumTxt } from "../../parsers/ivium_txt.ts";
import { parseLandtCsv } from "../../parsers/landt_csv.ts";
import { novonixCsv } from "../../parsers/novonix_csv.ts";
import { assertClose, readFixture } from "../_util.ts";

const LANDT = "landt/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv";

Deno.test("parseLandtCsv() reads battery-data-format's Landt export", () => {
  const bytes = readFixture(LANDT);
  equal(detectFormat(bytes, LANDT).parser.id, "landt_csv");
  const rec = parseLandtCsv(bytes, { fileName: LANDT });
  const s = rec.series!;
  equal(s.length, 25162); // pandas: 25162 rows
  equal(s.time_s[s.length - 1], 262657.764);
  equal(s.voltage_V[s.length - 1], 0.1086);
  equal(s.start_time, "2024-04-30T14:33:19");
  equal(s.cycle_index[s.length - 1], 2);
  // Per cycle, the counters restart at each step: pandas sum over steps of each step's largest
  // value gives cycle 1: 0.0032 Ah charge, 0.0063 Ah discharge; cycle 2: 0, 0.0013.
  const cycles = summarizeCycles(s, { method: "cycle_index" }).cycles;
  equal(cycles.length, 2);
  assertClose(cycles[0].charge_capacity_Ah, 0.0032, { abs: 1e-12 });
  assertClose(cycles[0].discharge_capacity_Ah, 0.0063, { abs: 1e-12 });
  assertClose(cycles[1].discharge_capacity_Ah, 0.0013, { abs: 1e-12 });
});

Deno.test("parseBatteryDataCsv() reads the cycling rows and the impedance sweep of p492-13-raw.csv", () => {
  const name = "other/p492-13-raw.csv";
  const bytes = readFixture(name);
  equal(detectFormat(bytes, name).parser.id, "battery_data_csv");
  const rec = parseBatteryDataCsv(bytes, { fileName: name });
  const s = rec.series!;
  // pandas: 2021 rows, 78 with a finite Frequency_Hz; last other row Time_s 305712.498, V 3.32410163.
  equal(s.length, 1943);
  equal(s.time_s[s.length - 1], 305712.498);
  equal(s.voltage_V[s.length - 1], 3.32410163);
  equal(rec.spectra!.length, 1);
  const z = rec.spectra![0];
  equal(z.length, 78);
  equal(z.cycle, 7);
  equal(z.frequency_Hz[0], 500000);
  equal(z.z_imag_ohm[0], 0.4307); // inductive at 500 kHz: Im(Z) kept positive
  equal(z.frequency_Hz[77], 0.01);
  equal(z.z_real_ohm[77], 1.2952);
  equal(z.z_imag_ohm[77], -0.73228);
  // Datenum_d 737792.442372685 on the first row (Time_s 0): pandas 2020-01-02 10:37:00.99998.
  equal(s.start_time, "2020-01-02T10:37:01");
  ok(!("frequency_Hz" in s.extras));
});

Deno.test("novonixCsv reads an export whose lines are wrapped in double quotes", () => {
  const name = "other/test_Nova_Form-CH01-01_short.csv";
  const bytes = readFixture(name);
  equal(detectFormat(bytes, name).parser.id, "novonix_csv");
  const rec = novonixCsv.parse(bytes, { fileName: name });
  const s = rec.series!;
  // csv module on the unquoted data lines: 3942 rows; last row Run Time 17.4345750 h,
  // Potential 3.42744146 V, Current 0.0120000763 A; first Date and Time 2022-04-11 10:58:07 AM.
  equal(s.length, 3942);
  assertClose(s.time_s[s.length - 1], 17.434575 * 3600, { rel: 1e-12 });
  equal(s.voltage_V[s.length - 1], 3.42744146);
  equal(s.current_A[s.length - 1], 0.0120000763);
  equal(rec.meta.start_time, "2022-04-11T10:58:07");
  match(rec.meta.warnings.join("\n"), /wrapped in double quotes/);
});

Deno.test("parseIviumTxt() reads both Ivium layouts of a real run: same time, current and voltage", () => {
  // synthetic/ivium/*.txt hold the time, current and voltage of the Arbin fixture
  // BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV (make_variants.py): ixdat's layout (date
  // line, `time/s I/A E/V`, spaces, an untitled column) and `time /s`, `I /mA`, `E /V` with tabs.
  const arbin = parseArbinCsv(
    readFixture("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV"),
    { fileName: "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV" },
  ).series!;
  for (const name of ["zn_symcell_ixdat_layout.txt", "zn_symcell_spaced_units.txt"]) {
    const path = `synthetic/ivium/${name}`;
    const bytes = readFixture(path);
    equal(detectFormat(bytes, path).parser.id, "ivium_txt");
    const s = parseIviumTxt(bytes, { fileName: name }).series!;
    equal(s.length, 1754);
    for (let k = 0; k < s.length; k++) {
      equal(s.time_s[k], arbin.time_s[k]);
      assertClose(s.current_A[k], arbin.current_A[k], { abs: 1e-12 });
      equal(s.voltage_V[k], arbin.voltage_V[k]);
    }
    // Counters integrated from the current: the 36 plating/stripping cycles of the Arbin file,
    // each within 1 % of the Arbin counters (1.13 mAh per discharge).
    const cycles = summarizeCycles(s).cycles;
    equal(cycles.length, 36);
    assertClose(cycles[0].discharge_capacity_Ah, 0.00113, { rel: 0.01 });
  }
  const dated = parseIviumTxt(readFixture("synthetic/ivium/zn_symcell_ixdat_layout.txt"), {
    fileName: "x.txt",
  });
  equal(dated.series!.start_time, "2023-07-21T10:02:15");
  deepEqual([...dated.series!.extras.unlabeled_1.slice(0, 3)], [...arbin.voltage_V.slice(0, 3)]);
});
