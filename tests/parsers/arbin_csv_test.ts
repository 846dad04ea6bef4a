// Copyright 2026 the battery-analysis authors. MIT license.
//
// Expected values were computed independently from the raw files with Python's csv module
// (`csv.DictReader` on each fixture, encoding utf-8-sig: row count, first/last value of each
// column, max of Cycle Index) and `datetime.fromtimestamp(..., timezone.utc)` for Unix times.

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { parseArbinCsv } from "../../parsers/arbin_csv.ts";
import { parseArbinMetadataCsv } from "../../parsers/arbin_metadata_csv.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { parseRecording } from "../../parsers/parse_recording.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { assertClose, readFixture } from "../_util.ts";

interface Expected {
  file: string;
  rows: number;
  start: string;
  sample: string;
  channel: number;
  // first, last
  time: [number, number];
  voltage: [number, number];
  current: [number, number];
  qc: [number, number];
  qd: [number, number];
  ec: [number, number];
  ed: [number, number];
  dvdt: [number, number];
}

const ZN: Expected[] = [
  {
    file: "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV",
    rows: 4040,
    start: "2023-07-21T10:02:35.631",
    sample: "BL_Zn_SymCell_072023_03_1mAh",
    channel: 53,
    time: [30.002, 259889.9],
    voltage: [-0.00076, -0.24502],
    current: [0, -0.00113],
    qc: [0, 0.04278],
    qd: [0, 0.03978],
    ec: [0, 0.00798],
    ed: [0, 0.00859],
    dvdt: [-0.00002, -0.00015],
  },
  {
    file: "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV",
    rows: 1754,
    start: "2023-07-21T10:02:45.362",
    sample: "BL_Zn_SymCell_072023_04_1mAh",
    channel: 54,
    time: [30.001, 260117.8],
    voltage: [-0.01446, -0.0598],
    current: [0, -0.00113],
    qc: [0, 0.04213],
    qd: [0, 0.03985],
    ec: [0, 0.00184],
    ed: [0, 0.00243],
    dvdt: [0.00003, -0.00096],
  },
  {
    file: "BL_Zn_SymCell_072023_06_Channel_55_Wb_1.CSV",
    rows: 1858,
    start: "2023-07-20T19:55:35.131",
    sample: "BL_Zn_SymCell_072023_06",
    channel: 55,
    time: [30, 310710.4],
    voltage: [0.00111, -0.0737],
    current: [0, -0.00113],
    qc: [0, 0.0504],
    qd: [0, 0.04782],
    ec: [0, 0.00209],
    ed: [0, 0.00159],
    dvdt: [0.00002, -0.00002],
  },
  {
    file: "BL_Zn_SymCell_7_8_23_sanded_t6_1mAh_Channel_51_Wb_1.CSV",
    rows: 4729,
    start: "2023-07-21T10:02:08.918",
    sample: "BL_Zn_SymCell_7_8_23_sanded_t6_1mAh",
    channel: 51,
    time: [30.001, 259916.6],
    voltage: [-0.00106, -0.22918],
    current: [0, -0.00113],
    qc: [0, 0.04275],
    qd: [0, 0.03979],
    ec: [0, 0.00942],
    ed: [0, 0.01152],
    dvdt: [-0.00002, -0.00005],
  },
  {
    file: "BL_Zn_SymCell_7_8_23_unsanded_t6_1mAh_Channel_52_Wb_1.CSV",
    rows: 2659,
    start: "2023-07-21T10:02:21.800",
    sample: "BL_Zn_SymCell_7_8_23_unsanded_t6_1mAh",
    channel: 52,
    time: [30.001, 259903.7],
    voltage: [-0.00045, -0.14703],
    current: [0, -0.00113],
    qc: [0, 0.04269],
    qd: [0, 0.03978],
    ec: [0, 0.00502],
    ed: [0, 0.00565],
    dvdt: [0.00004, 0],
  },
];

function firstLast(a: ArrayLike<number>): [number, number] {
  return [a[0], a[a.length - 1]];
}

function checkPair(actual: ArrayLike<number>, expected: [number, number], name: string): void {
  const [first, last] = firstLast(actual);
  assertClose(first, expected[0], { abs: 1e-12, message: `${name} first` });
  assertClose(last, expected[1], { abs: 1e-12, message: `${name} last` });
}

function checkSeries(s: CyclingSeries, e: Expected): void {
  equal(s.length, e.rows);
  checkPair(s.time_s, e.time, "time_s");
  checkPair(s.voltage_V, e.voltage, "voltage_V");
  checkPair(s.current_A, e.current, "current_A");
  checkPair(s.charge_capacity_Ah, e.qc, "charge_capacity_Ah");
  checkPair(s.discharge_capacity_Ah, e.qd, "discharge_capacity_Ah");
  checkPair(s.charge_energy_Wh, e.ec, "charge_energy_Wh");
  checkPair(s.discharge_energy_Wh, e.ed, "discharge_energy_Wh");
  checkPair(s.extras.dv_dt_V_per_s, e.dvdt, "dv_dt_V_per_s");
}

for (const e of ZN) {
  Deno.test(`parseArbinCsv() reads ${e.file}`, () => {
    const { meta, series } = parseArbinCsv(readFixture(`arbin/${e.file}`), { fileName: e.file });
    checkSeries(series!, e);
    equal(meta.format, "arbin_csv");
    equal(meta.instrument, "Arbin");
    equal(meta.sample, e.sample);
    equal(meta.channel, e.channel);
    equal(meta.part, 1);
    equal(meta.start_time, e.start);
    equal(series!.start_time, e.start);
    deepEqual(meta.warnings, []);
    // Cycle Index is 1 for the whole test (Python: max Cycle Index = 1) and the capacity
    // counters are cumulative: the parser keeps them as the instrument wrote them.
    ok(series!.cycle_index.every((c) => c === 1));
    equal(series!.step_index[0], 1);
    equal(series!.step_index[series!.length - 1], 3);
    equal(Math.max(...series!.charge_capacity_Ah), e.qc[1]);
    deepEqual(Object.keys(series!.extras).sort(), [
      "acr_ohm",
      "dv_dt_V_per_s",
      "internal_resistance_ohm",
      "step_time_s",
    ]);
    deepEqual(series!.columns.current_A, {
      original_name: "Current (A)",
      original_unit: "A",
      scale: 1,
    });
    equal(series!.columns.internal_resistance_ohm.original_name, "Internal Resistance (Ohm)");
    equal(series!.columns.cycle_index.original_name, "Cycle Index");
  });
}

Deno.test("parseArbinCsv() reads the BEEP export FastCharge_000025_CH8.csv", () => {
  const file = "FastCharge_000025_CH8.csv";
  const { meta, series } = parseArbinCsv(readFixture(`arbin/${file}`), { fileName: file });
  const s = series!;
  equal(s.length, 248);
  checkPair(s.time_s, [10.0024, 1800.0104], "time");
  checkPair(s.voltage_V, [3.3011441, 3.3009677], "voltage");
  checkPair(s.current_A, [0, 0], "current");
  checkPair(s.temperature_C!, [30.109268, 28.995434], "temperature");
  checkPair(s.extras.dv_dt_V_per_s, [-1.1444092e-05, -2.5749207e-05], "dV/dt");
  checkPair(s.extras.data_point, [0, 247], "data point");
  // Step_Index / Cycle_Index are written as "0.0".
  ok(s.step_index.every((x) => x === 0));
  ok(s.cycle_index.every((x) => x === 0));
  // DateTime is Unix seconds: 1494645243.4715 → 2017-05-13 03:14:03.4715 UTC, to the ms.
  equal(meta.start_time, "2017-05-13T03:14:03.472Z");
  equal(meta.sample, "FastCharge_000025");
  equal(meta.channel, 8);
  deepEqual(s.columns.voltage_V, { original_name: "Voltage", original_unit: "", scale: 1 });
  equal(s.columns.temperature_C.original_name, "Temperature");
});

Deno.test("the BEEP metadata sidecar is recognized, readable and attachable", () => {
  const name = "FastCharge_000025_CH8_Metadata.csv";
  const bytes = readFixture(`arbin/${name}`);
  equal(detectFormat(bytes, name).parser.id, "arbin_metadata_csv");
  const alone = parseRecording(bytes, { fileName: name });
  equal(alone.series, undefined);
  equal(alone.meta.file_name, name);
  equal(alone.meta.sample, "FastCharge_000025");
  match(alone.meta.warnings[0], /without data.*"FastCharge_000025_CH8\.csv"/);

  const md = parseArbinMetadataCsv(bytes, name);
  equal(md.test_id, "153");
  equal(md.device, "60369369");
  equal(md.channel_index, 7);
  equal(md.item_id, "EL150800453116");
  equal(md.schedule, "2017-05-12_TESTS\\20170512-4_4C-80PER_4_4C.SDU");
  equal(md.fields.databases, "ArbinResult_6,ArbinResult_7,"); // quoted field with commas
  equal(md.start_time, "2017-05-13T03:13:34.000Z"); // 1494645214 s, Python datetime (UTC)

  const data = "FastCharge_000025_CH8.csv";
  const { meta } = parseArbinCsv(readFixture(`arbin/${data}`), { fileName: data, metadata: md });
  equal(meta.device, "60369369");
  equal(meta.start_time, "2017-05-13T03:13:34.000Z");
  equal(meta.header.schedule_version, "Schedule Version 7.00.08");
  throws(
    () => parseArbinMetadataCsv(readFixture(`arbin/${data}`), data),
    /not an Arbin metadata file/,
  );
});

Deno.test("parseArbinCsv() reads battery-data-toolkit's arbin_example.csv", () => {
  const file = "arbin_example.csv";
  const { meta, series } = parseArbinCsv(readFixture(`arbin/${file}`), { fileName: file });
  const s = series!;
  equal(s.length, 2142);
  checkPair(s.time_s, [0, 6308.4823], "time");
  checkPair(s.voltage_V, [3.2796359, 2.4080653], "voltage");
  checkPair(s.current_A, [-9.63e-05, 0], "current");
  checkPair(s.charge_capacity_Ah, [0.8800053, 1.0725317], "Qc");
  checkPair(s.discharge_capacity_Ah, [2.54e-11, 1.0729095], "Qd");
  checkPair(s.charge_energy_Wh, [3.0910666, 3.7558255], "Ec");
  checkPair(s.discharge_energy_Wh, [6.15e-11, 3.2606606], "Ed");
  checkPair(s.extras.internal_resistance_ohm, [0.017097674, 0.016726129], "IR");
  checkPair(s.temperature_C!, [29.18314, 29.30785], "T");
  deepEqual(firstLast(s.cycle_index), [1, 2]);
  deepEqual(firstLast(s.step_index), [10, 13]);
  equal(meta.start_time, "2017-07-02T14:39:13.000Z"); // 1499006353 s UTC (Python datetime)
  deepEqual(meta.warnings, []);
});

Deno.test("parseArbinCsv() reads PyProBE's sample_data_arbin.csv (tab before the date)", () => {
  const file = "sample_data_arbin.csv";
  const { meta, series } = parseArbinCsv(readFixture(`arbin/${file}`), { fileName: file });
  const s = series!;
  equal(s.length, 13);
  checkPair(s.time_s, [30.0005, 301.214], "time");
  checkPair(s.voltage_V, [3.534595, 3.599601], "voltage");
  checkPair(s.current_A, [0, 2.650138], "current");
  checkPair(s.charge_capacity_Ah, [0, 0.000400839], "Qc");
  checkPair(s.discharge_capacity_Ah, [0, 2.04379e-05], "Qd");
  checkPair(s.charge_energy_Wh, [0, 0.001441009], "Ec");
  checkPair(s.discharge_energy_Wh, [0, 7.21224e-05], "Ed");
  checkPair(s.temperature_C!, [24.66422, 24.68785], "Aux_Temperature_1");
  equal(s.columns.temperature_C.original_name, "Aux_Temperature_1 (C)");
  equal(s.columns.temperature_C.original_unit, "C");
  // Empty ACR / dV/dt fields are NaN, never 0.
  ok(s.extras.acr_ohm.every(Number.isNaN));
  ok(Number.isNaN(s.extras.dv_dt_V_per_s[12]));
  equal(s.extras.dv_dt_V_per_s[0], 1.98217e-05);
  ok("power_W" in s.extras && "capacity_Ah" in s.extras && "aux_dt_dt_1_C_per_s" in s.extras);
  equal(s.extras.specific_capacity_mAh_per_g.length, 13);
  equal(meta.start_time, "2024-09-20T08:32:34.558");
  deepEqual(firstLast(s.step_index), [1, 3]);
});

Deno.test("parseArbinCsv() converts mA, mAh and mWh to SI and keeps the original units", () => {
  // Known answer: 1100 mA = 1.1 A; 3.06 mAh = 0.00306 Ah; 10.5 mWh = 0.0105 Wh; 2 min = 120 s.
  const text = "Date_Time,Test Time (min),Cycle Index,Step Index,Voltage (mV),Current (mA)," +
    "Charge Capacity (mAh),Discharge Capacity (mAh),Charge Energy (mWh),Discharge Energy (mWh)\n" +
    "5/1/2024 1:02:03 PM,2,1,1,3600,1100,3.06,0,10.5,0\n";
  const s = parseArbinCsv(new TextEncoder().encode(text), { fileName: "u.csv" }).series!;
  equal(s.time_s[0], 120);
  equal(s.voltage_V[0], 3.6);
  equal(s.current_A[0], 1.1);
  assertClose(s.charge_capacity_Ah[0], 0.00306, { rel: 1e-15 });
  assertClose(s.charge_energy_Wh[0], 0.0105, { rel: 1e-15 });
  deepEqual(s.columns.current_A, {
    original_name: "Current (mA)",
    original_unit: "mA",
    scale: 1e-3,
  });
  equal(s.start_time, "2024-05-01T13:02:03");
  throws(
    () =>
      parseArbinCsv(
        new TextEncoder().encode(text.replace("Voltage (mV)", "Voltage (kV)")),
        { fileName: "u.csv" },
      ),
    /column "Voltage \(kV\)" has unit "kV", which cannot be converted/,
  );
});

Deno.test("Arbin CSV detection uses the header, not the extension", () => {
  const bytes = readFixture("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
  const detection = detectFormat(bytes, "renamed.txt");
  equal(detection.parser.id, "arbin_csv");
  ok(detection.confidence >= 0.9);
  for (const f of ["FastCharge_000025_CH8.csv", "arbin_example.csv", "sample_data_arbin.csv"]) {
    equal(detectFormat(readFixture(`arbin/${f}`), f).parser.id, "arbin_csv", f);
  }
  // A Battery Archive CSV has Arbin-like names but no Step_Index: not claimed as Arbin.
  const other = "CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv";
  const candidates = detectFormat(readFixture(`other/${other}`), other).candidates;
  ok(!candidates.some((c) => c.parser.id === "arbin_csv"));
});

const ZN54 = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";

function zn54Lines(): string[] {
  return new TextDecoder().decode(readFixture(`arbin/${ZN54}`)).split("\n");
}

Deno.test("parseArbinCsv() leaves out a truncated last line with a warning", () => {
  const bytes = readFixture(`arbin/${ZN54}`);
  // Cut the file 30 bytes into its last line (line 1755): 1753 complete rows remain.
  let lastStart = 0; // byte offset just after the 1754th line end (BOM included)
  for (let lf = 0; lf < 1754; lf++) lastStart = bytes.indexOf(10, lastStart) + 1;
  const { meta, series } = parseArbinCsv(bytes.subarray(0, lastStart + 30), { fileName: ZN54 });
  equal(series!.length, 1753);
  equal(meta.warnings.length, 1);
  // 30 bytes = the 23-byte date, its comma and 6 digits of the test time: 2 fields.
  ok(
    meta.warnings[0].startsWith(
      `truncated_last_line: line 1755 (byte ${lastStart}) is cut short (no line end; 2 of the ` +
        "14 fields of the lines before)",
    ),
    meta.warnings[0],
  );
});

Deno.test("parseArbinCsv() names the line of a row with a missing field", () => {
  const lines = zn54Lines();
  const fields = lines[99].split(",");
  fields.splice(5, 1); // drop the voltage of line 100
  lines[99] = fields.join(",");
  throws(
    () => parseArbinCsv(new TextEncoder().encode(lines.join("\n")), { fileName: ZN54 }),
    (e: unknown) => {
      ok(e instanceof ParseError);
      equal(e.message, `Cannot parse "${ZN54}": line 100 has 13 fields, expected 14`);
      equal(e.line, 100);
      ok(e.offset! > 0);
      return true;
    },
  );
});

Deno.test("parseArbinCsv() names line and column of a value that is not a number", () => {
  const lines = zn54Lines();
  // Line 500 reads "...,1,2,..." (Cycle Index 1, Step Index 2); make the step index "x2".
  lines[499] = lines[499].replace(/,1,(\d),/, ",1,x$1,");
  throws(
    () => parseArbinCsv(new TextEncoder().encode(lines.join("\n")), { fileName: ZN54 }),
    { message: `Cannot parse "${ZN54}": line 500, column "Step Index": "x2" is not a number` },
  );
});

Deno.test("parseArbinCsv() rejects a file without the Arbin header", () => {
  throws(
    () => parseArbinCsv(new TextEncoder().encode("a,b\n1,2\n"), { fileName: "n.csv" }),
    { message: 'Cannot parse "n.csv": no header line found in the first 2 lines' },
  );
});

Deno.test("parseArbinCsv() reads a file whose Step_Index and Cycle_Index are empty on every row", async () => {
  // synthetic/arbin/arbin_example_empty_counters.csv is arbin_example.csv with those two fields
  // emptied (tests/parsers/scripts/make_variants.py); everything else must read as the original.
  const { summarizeCycles } = await import("../../analysis/cycles.ts");
  const name = "synthetic/arbin/arbin_example_empty_counters.csv";
  const rec = parseArbinCsv(readFixture(name), { fileName: name });
  const original = parseArbinCsv(readFixture("arbin/arbin_example.csv"), {
    fileName: "arbin_example.csv",
  }).series!;
  const series = rec.series!;
  equal(series.length, 2142);
  deepEqual([...series.voltage_V], [...original.voltage_V]);
  deepEqual([...series.charge_capacity_Ah], [...original.charge_capacity_Ah]);
  ok(series.cycle_index.every((c) => c === 0));
  equal(rec.meta.warnings.length, 2);
  match(rec.meta.warnings[1], /"Cycle_Index" is empty on every row.*current sign/);
  // Cycles from the current sign equal the original file's cycles by current sign.
  const a = summarizeCycles(series), b = summarizeCycles(original, { method: "current_sign" });
  equal(a.method, "current_sign");
  deepEqual(
    a.cycles.map((c) => [c.start_row, c.charge_capacity_Ah, c.discharge_capacity_Ah]),
    b.cycles.map((c) => [c.start_row, c.charge_capacity_Ah, c.discharge_capacity_Ah]),
  );
});

Deno.test("parseArbinCsv() refuses a Cycle_Index that is empty on some rows only", () => {
  const text = "Data_Point,Test_Time,Step_Index,Cycle_Index,Current,Voltage\n" +
    "1,0,1,,0.1,3.5\n2,1,1,1,0.1,3.6\n3,2,1,,0.1,3.7\n";
  throws(
    () => parseArbinCsv(new TextEncoder().encode(text), { fileName: "holes.csv" }),
    (e: unknown) =>
      e instanceof ParseError && e.line === 2 &&
      /"Cycle_Index" is empty on 2 of 3 rows but holds 1 in data row 2/.test(e.message),
  );
});
