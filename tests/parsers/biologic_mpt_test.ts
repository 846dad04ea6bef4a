// Copyright 2026 the battery-analysis authors. MIT license.
// Expected numbers come from tests/parsers/biologic_expected.py (pandas on the raw text, reading
// the title row at line N of "Nb header lines : N"), or from the fixture text itself as quoted.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { biologicMpt } from "../../parsers/biologic_mpt.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";

const parse = (name: string) =>
  biologicMpt.parse(readFixture(`biologic/${name}`), { fileName: name });
const text = (s: string, name = "synthetic_C02.mpt") =>
  biologicMpt.parse(new TextEncoder().encode(s), { fileName: name });

/** PEIS exports: points, first/last frequency, Re(Z) and −Im(Z) of the first row (pandas). */
const PEIS: [string, number, number, number, number, number, number, string][] = [
  // name, points, f first, f last, Re first, -Im first, channel, start
  [
    "0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_25C_0x_Thin_Sample_C01.mpt",
    47,
    1000019.3,
    0.014807615,
    274.39111,
    -2216.395,
    1,
    "2023-07-20T18:05:59",
  ],
  [
    "0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_25C_0x_Thin_Sample_t2_C01.mpt",
    48,
    1000019.3,
    0.010000636,
    -565.88953,
    -70.140747,
    1,
    "2023-07-20T18:22:43",
  ],
  [
    "0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_40C_0x_Thin_Sample_t2_C01.mpt",
    48,
    1000019.3,
    0.010000636,
    -258.01761,
    -39.772221,
    1,
    "2023-07-20T18:46:40",
  ],
  [
    "0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_60C_0x_Thin_Sample_t2_C01.mpt",
    48,
    1000019.3,
    0.010000636,
    -76.761414,
    18.776356,
    1,
    "2023-07-20T19:23:25",
  ],
  [
    "0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_40C_ThinCell_C03.mpt",
    48,
    1000019.3,
    0.010000636,
    -460.25168,
    -167.5453,
    3,
    "2023-07-20T18:46:26",
  ],
  [
    "0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_60C_ThinCell_C03.mpt",
    48,
    1000019.3,
    0.010000636,
    -81.075211,
    25.905807,
    3,
    "2023-07-20T19:23:36",
  ],
  [
    "0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt",
    48,
    1000019.3,
    0.010000636,
    448.9183,
    42.784061,
    3,
    "2023-07-20T18:07:13",
  ],
  [
    "0919_01_0.5MTFSI_ZnSym_InsideGB_0hr_RT_Tranference_01_PEIS_C05.mpt",
    48,
    1000019.3,
    0.010000636,
    0.09379179,
    4.8310337,
    5,
    "2023-09-21T11:07:44",
  ],
  [
    "0919_01_0.5MTFSI_ZnSym_InsideGB_0hr_RT_Tranference_03_PEIS_C05.mpt",
    48,
    1000019.3,
    0.010000636,
    1.7915324,
    4.4440098,
    5,
    "2023-09-21T11:07:44",
  ],
  [
    "0920_02_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_BCD_Messing_Around_01_PEIS_C05.mpt",
    48,
    1000019.3,
    0.010000636,
    0.40095556,
    3.1369879,
    5,
    "2023-09-28T19:04:55",
  ],
  [
    "0928_01_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_EIS-Remade_from_091923-01_C01.mpt",
    48,
    1000019.3,
    0.010000636,
    -65.283089,
    13.39543,
    1,
    "2023-09-28T18:49:01",
  ],
  [
    "exampleDataBioLogic.mpt",
    43,
    1000.3201,
    0.01689554,
    65.470886,
    0.38998979,
    1,
    "2018-02-04T10:02:46",
  ],
];

for (const [name, points, fFirst, fLast, reFirst, negImFirst, channel, start] of PEIS) {
  Deno.test(`biologicMpt.parse() reads the PEIS export ${name.slice(0, 40)}…`, () => {
    const rec = parse(name);
    deepEqual(rec.meta.techniques, ["PEIS"]);
    equal(rec.meta.channel, channel);
    equal(rec.meta.start_time, start);
    equal(rec.series, undefined, "a pure PEIS file has no cycling series");
    equal(rec.spectra!.length, 1);
    const s = rec.spectra![0];
    equal(s.length, points);
    equal(s.cycle, 1);
    equal(s.frequency_Hz[0], fFirst);
    equal(s.frequency_Hz[points - 1], fLast);
    equal(s.z_real_ohm[0], reFirst);
    // The file stores −Im(Z); the model keeps the signed Im(Z).
    equal(s.z_imag_ohm[0], -negImFirst);
    equal(s.columns.z_imag_ohm.original_name, "-Im(Z)/Ohm");
    equal(s.columns.z_imag_ohm.scale, -1);
    equal(rec.meta.electrode_area_cm2, 0.001); // "Electrode surface area : 0.001 cm²"
    equal(rec.meta.active_mass_g, 0.001); // "Characteristic mass : 0.001 g"
    equal(rec.meta.warnings.length, 0);
  });
}

Deno.test("biologicMpt.parse() keeps the 70-line header's first data row as data (BCD)", () => {
  // "Nb header lines : 70": line 70 holds the titles, line 71 the first row (time 0,
  // Ewe -1.1294526). The original system skipped 70 lines and lost that row.
  const rec = parse("0928_01_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_EIS-Remade_from_091923-01_BCD_C01.mpt");
  const s = rec.series!;
  deepEqual(rec.meta.techniques, ["BCD"]);
  equal(rec.meta.channel, 1);
  equal(rec.meta.start_time, "2023-09-29T08:44:31");
  equal(s.start_time, "2023-09-29T08:44:31");
  equal(rec.meta.device, "VSP (SN 1724172417241724)");
  equal(rec.meta.format_version, "EC-Lab 11.16");
  equal(rec.spectra, undefined);
  equal(s.length, 1785);
  equal(s.time_s[0], 0);
  equal(s.voltage_V[0], -1.1294526);
  equal(s.time_s[1784], 17839.99973012507);
  equal(s.voltage_V[1784], 0.1202587);
  assertClose(s.current_A[1784], 0.099824831e-3, { rel: 1e-15 }); // I/mA × 1e-3
  assertClose(s.current_A[0], 9.9863030e-5, { rel: 1e-15 }); // positive = charge ("I1 sign > 0")
  // Counters are the file's own Q charge / Q discharge columns, in Ah.
  assertClose(s.charge_capacity_Ah[1784], 0.4946882361022971e-3, { rel: 1e-15 });
  equal(s.discharge_capacity_Ah[1784], 0);
  equal(s.columns.charge_capacity_Ah.original_name, "Q charge/mA.h");
  equal(s.columns.charge_capacity_Ah.derived, undefined);
  assertClose(s.charge_energy_Wh[1784], 6.264465003349074e-05, { rel: 1e-15 });
  // Independent check: pandas summing positive dq/mA.h per half cycle gives 0.4946882361022972
  // mA·h and matches the Q charge column to 1.1e-16 on every row.
  const dq = s.extras.dq_Ah;
  let sum = 0;
  for (let k = 0; k < s.length; k++) sum += Math.max(dq[k], 0);
  assertClose(sum, 0.4946882361022972e-3, { rel: 1e-12 });
  equal(s.cycle_index[1784], 0);
  // Header parameters are kept: "Is1  100.000", "unit Is1  µA" (Latin-1 µ decoded).
  equal(rec.meta.header["Is1"], "100.000");
  equal(rec.meta.header["unit Is1"], "µA");
  equal(rec.meta.header["Electrode material"], "Au/Pd");
  ok("capacitance_charge_uF" in s.extras);
  equal(s.columns.capacitance_charge_uF.original_name, "Capacitance charge/µF");
});

Deno.test("biologicMpt.parse() reads PyProBE's header-less export by its column titles", () => {
  const rec = parse("Sample_data_biologic_no_header.mpt");
  const s = rec.series!;
  equal(s.length, 13);
  equal(s.time_s[0], 281672.3801174285);
  equal(s.time_s[12], 281792.502129958);
  equal(s.voltage_V[0], 2.9344745); // Ecell/V
  equal(s.voltage_V[12], 2.9814022);
  equal(s.columns.voltage_V.original_name, "Ecell/V");
  equal(s.current_A[12], 0);
  equal(s.charge_capacity_Ah[12], 0);
  // "Temperature/\uFFFDC" in the file (its ° was lost before the fixture was saved as UTF-8).
  equal(s.temperature_C![0], 24.443432);
  equal(s.columns.temperature_C.original_name, "Temperature/\uFFFDC");
  deepEqual(rec.meta.techniques, []);
  equal(rec.meta.start_time, null);
  equal(s.start_time, null);
  match(rec.meta.warnings.join("\n"), /no header block/);
});

Deno.test("biologicMpt.parse() turns BT-Lab timestamps in time/s into seconds", () => {
  const rec = parse("Sample_data_biologic_timestamped.txt");
  const s = rec.series!;
  deepEqual(rec.meta.techniques, ["MB"]); // line 4: "Modulo Bat"
  equal(rec.meta.format_version, "BT-Lab 1.80");
  equal(rec.meta.device, "BCS-815 (SN 0433)");
  equal(rec.meta.header["Run on channel"], "A1 (SN 0335)");
  equal(rec.meta.channel, null); // "A1" is not a number and the file name has no _C<n>
  equal(rec.meta.start_time, "2024-11-20T11:38:41.707");
  equal(s.start_time, "2024-11-20T11:38:41.707");
  equal(s.length, 8);
  // 11:38:54.171 − 11:38:41.707 = 12.464 s
  assertClose(s.time_s[7], 12.464, { abs: 1e-9 });
  assertClose(s.time_s[1], 6.464, { abs: 1e-9 });
  equal(s.voltage_V[7], 4.154593);
  assertClose(s.current_A[7], 0.4499184, { rel: 1e-15 });
  assertClose(s.charge_capacity_Ah[7], 0.7501638655090331e-3, { rel: 1e-15 });
  assertClose(s.charge_energy_Wh[7], 0.003115929252590603, { rel: 1e-15 });
  equal(s.step_index[7], 1); // Ns
  equal(s.temperature_C![0], 19.379732);
  equal(rec.meta.header["Battery capacity"], "4.500 A.h");
});

Deno.test("biologicMpt.parse() reads the exampleDataBioLogic header fields", () => {
  const rec = parse("exampleDataBioLogic.mpt");
  const m = rec.meta;
  equal(m.device, "SP-150 (SN 10791079)");
  equal(m.format_version, "EC-Lab 11.18");
  equal(m.header["Run on channel"], "1 (SN 30924)");
  equal(m.header["Va (mV)"], "20.0");
  equal(m.header["unit fi"], "kHz");
  equal(m.header["File"], "EIS OCV after.mpr");
  equal(m.header["Electrode surface area"], "0.001 cm²");
  equal(m.sample, "exampleDataBioLogic");
  // Admittance columns (EC-Lab computes them as 1/Z at export) are not kept.
  deepEqual(Object.keys(rec.spectra![0].extras), [
    "time_s",
    "voltage_V",
    "current_A",
    "z_mod_ohm",
    "phase_deg",
    "cs_uF",
    "cp_uF",
    "i_range",
    "ewe_amplitude_V",
    "current_amplitude_A",
  ]);
  const s = rec.spectra![0];
  equal(s.extras.time_s[0], 0.7836904905780102);
  assertClose(s.extras.current_A[0], -4.8041187e-5, { rel: 1e-15 }); // <I>/mA × 1e-3
});

const SYNTHETIC_HEAD = [
  "EC-Lab ASCII FILE",
  "Nb header lines : 7",
  "",
  "Galvanostatic Cycling with Potential Limitation",
  "Run on channel : 2 (SN 1)",
  "Electrode surface area : 1,5 cm²",
];

Deno.test("biologicMpt.parse() reads decimal commas", () => {
  // Synthetic file in a decimal-comma locale: 0,5 h at 1,2 mA charges 0,6 mA·h.
  const rec = text([
    ...SYNTHETIC_HEAD,
    "time/s\tEwe/V\tI/mA\tQ charge/mA.h\tQ discharge/mA.h\tcycle number",
    "0,0000000E+000\t3,1000000E+000\t1,2000000E+000\t0,0\t0,0\t1,0",
    "1,8000000E+003\t3,4500000E+000\t1,2000000E+000\t6,0000000E-001\t0,0\t1,0",
  ].join("\r\n"));
  const s = rec.series!;
  equal(s.length, 2);
  equal(s.time_s[1], 1800);
  equal(s.voltage_V[1], 3.45);
  assertClose(s.current_A[1], 1.2e-3, { rel: 1e-15 });
  assertClose(s.charge_capacity_Ah[1], 0.6e-3, { rel: 1e-15 });
  equal(s.cycle_index[1], 1);
  equal(rec.meta.electrode_area_cm2, 1.5);
  equal(rec.meta.channel, 2);
  match(rec.meta.warnings.join(), /decimal commas/);
});

Deno.test("biologicMpt.parse() derives per-half-cycle counters from dq when Q columns are absent", () => {
  // dq: +1, +1 (half cycle 0: charge 2 mA·h), then −0.5, −0.5 (half cycle 1: discharge 1 mA·h).
  const rec = text([
    ...SYNTHETIC_HEAD,
    "time/s\tEwe/V\tI/mA\tdq/mA.h\thalf cycle",
    "0\t3.0\t10\t0\t0",
    "360\t3.5\t10\t1\t0",
    "720\t3.9\t10\t1\t0",
    "900\t3.7\t-10\t-0.5\t1",
    "1080\t3.5\t-10\t-0.5\t1",
  ].join("\n"));
  const s = rec.series!;
  deepEqual([...s.charge_capacity_Ah], [0, 1e-3, 2e-3, 0, 0]);
  deepEqual([...s.discharge_capacity_Ah], [0, 0, 0, 0.5e-3, 1e-3]);
  equal(s.columns.charge_capacity_Ah.derived, true);
  equal(s.columns.charge_capacity_Ah.original_name, "dq/mA.h");
  // Energy is integrated from I × E by the shared helper and marked derived:
  // 10 mA × (3.0+3.5)/2 V × 0.1 h = 3.25 mW·h over the first interval.
  assertClose(s.charge_energy_Wh[1], 3.25e-3, { rel: 1e-12 });
  equal(s.columns.charge_energy_Wh.derived, true);
});

Deno.test("biologicMpt.parse() splits spectra by cycle number and by frequency sweeps", () => {
  const head = [
    "EC-Lab ASCII FILE",
    "Nb header lines : 5",
    "",
    "Potentio Electrochemical Impedance Spectroscopy",
  ];
  const title = "freq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm\ttime/s\tcycle number";
  // Two cycles of three frequencies each.
  const byCycle = text([
    ...head,
    title,
    "1000\t10\t1\t1\t1",
    "100\t11\t2\t2\t1",
    "10\t12\t3\t3\t1",
    "1000\t20\t1\t4\t2",
    "100\t21\t2\t5\t2",
    "10\t22\t3\t6\t2",
  ].join("\n"));
  equal(byCycle.spectra!.length, 2);
  deepEqual(byCycle.spectra!.map((s) => [s.cycle, s.sequence, s.length]), [[1, 0, 3], [2, 1, 3]]);
  deepEqual([...byCycle.spectra![1].z_imag_ohm], [-1, -2, -3]);
  // Same cycle number, but the frequency jumps back up: two sweeps.
  const bySweep = text([
    ...head,
    title,
    "1000\t10\t1\t1\t1",
    "100\t11\t2\t2\t1",
    "1000\t20\t1\t4\t1",
    "100\t21\t2\t5\t1",
  ].join("\n"));
  deepEqual(bySweep.spectra!.map((s) => [...s.frequency_Hz]), [[1000, 100], [1000, 100]]);
});

Deno.test("biologicMpt.parse() lists linked techniques from the Technique blocks", () => {
  const rec = text([
    "EC-Lab ASCII FILE",
    "Nb header lines : 11",
    "",
    "Linked techniques",
    "",
    "Number of linked techniques : 2",
    "Technique : 1",
    "Open Circuit Voltage",
    "Technique : 2",
    "Potentio Electrochemical Impedance Spectroscopy",
    "time/s\tEwe/V\tfreq/Hz\tRe(Z)/Ohm\t-Im(Z)/Ohm",
    "0\t3.1\t0\t0\t0",
    "10\t3.1\t1000\t5\t-1",
  ].join("\n"));
  deepEqual(rec.meta.techniques, ["OCV", "PEIS"]);
  // The OCV row becomes the series, the impedance row the spectrum.
  equal(rec.series!.length, 1);
  equal(rec.spectra![0].length, 1);
  equal(rec.spectra![0].z_imag_ohm[0], 1);
});

Deno.test("biologicMpt.parse() rejects broken text with the line number", () => {
  // Every line ends with a line end: a short last line without one is a truncation instead
  // (left out with a warning, see damaged_input_test.ts).
  const bad = (lines: string[]) => () => text(lines.join("\n") + "\n");
  throws(
    bad([...SYNTHETIC_HEAD, "time/s\tEwe/V\tI/mA", "0\t3.1\t1", "1\t3.2"]),
    (e: unknown) =>
      e instanceof ParseError && e.line === 9 && /line 9 has 2 fields/.test(e.message),
  );
  throws(
    bad([...SYNTHETIC_HEAD, "time/s\tEwe/V\tI/mA", "0\t3.1\tabc"]),
    (e: unknown) =>
      e instanceof ParseError && e.line === 8 && /"abc" in column "I\/mA"/.test(e.message),
  );
  throws(
    bad(["EC-Lab ASCII FILE", "Nb header lines : 99", "", "x"]),
    (e: unknown) => e instanceof ParseError && e.line === 2,
  );
  throws(bad(["EC-Lab ASCII FILE", "something else"]), /line 2: expected "Nb header lines/);
  throws(() => text("hello\tworld\n1\t2"), /neither an EC-Lab header nor EC-Lab column titles/);
  throws(() => biologicMpt.parse(new Uint8Array(0), { fileName: "e.mpt" }), /empty/);
});

Deno.test("detectFormat() picks biologic_mpt for every BioLogic text fixture", () => {
  for (
    const name of [
      ...PEIS.map((p) => p[0]),
      "0928_01_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_EIS-Remade_from_091923-01_BCD_C01.mpt",
      "Sample_data_biologic_no_header.mpt",
      "Sample_data_biologic_timestamped.txt",
    ]
  ) {
    const d = detectFormat(readFixture(`biologic/${name}`), name);
    equal(d.parser.id, "biologic_mpt", name);
  }
  // The header-less file is recognized by its titles even under another extension.
  const noHeader = readFixture("biologic/Sample_data_biologic_no_header.mpt");
  equal(biologicMpt.detect(noHeader, "renamed.dat").confidence, 0.9);
  equal(biologicMpt.detect(new TextEncoder().encode("a,b,c\n1,2,3"), "x.csv").confidence, 0);
});
