// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { detectFormat, ParseError, parseRecording } from "../../parsers/mod.ts";
import { assertClose, readFixture } from "../_util.ts";

function read(name: string) {
  const bytes = readFixture(`eis/${name}`);
  return {
    detected: detectFormat(bytes, name).parser.id,
    rec: parseRecording(bytes, { fileName: name }),
  };
}

// Expected counts and first/last points: read independently with impedance.py 1.7.1's
// preprocessing.readFile(file, instrument) (see the report), and for the pyDRTtools files
// and LIB_data.txt from the raw lines (first and last data line of the file).
const CASES: [string, string, number, [number, number, number], [number, number, number]][] = [
  ["exampleDataGamry.DTA", "gamry_dta", 72, [200015.6, 825.8584, -1367.239], [
    0.0158898,
    17007.49,
    -6635.557,
  ]],
  ["exampleDataGamryABORT.DTA", "gamry_dta", 72, [200015.6, 825.8584, -1367.239], [
    0.0158898,
    17007.49,
    -6635.557,
  ]],
  ["exampleDataZPlot.z", "zplot_z", 21, [300000, 147.77, -11.335], [3000, 613.68, -137.13]],
  ["Circuit1_EIS_1.z", "zplot_z", 48, [50000, 29.036, 0.63662], [1, 75.803, -0.16244]],
  // impedance.py 1.7.1 readZPlot (tests/analysis/eis/scripts/impedance_py_reference.py): 31
  // points, (300000, 642.62 − 85.821j) … (300, 1305.3 − 195.01j).
  ["exampleDataZPlot_noComments.z", "zplot_z", 31, [300000, 642.62, -85.821], [
    300,
    1305.3,
    -195.01,
  ]],
  ["exampleDataAutolab.txt", "autolab_txt", 41, [10000, 0.013785863964281, 0.007191946305823], [
    0.1,
    0.0345697771923854,
    -0.00390292888845954,
  ]],
  ["exampleDataCHInstruments.txt", "chi_txt", 73, [99610, 98.91, -2.748], [0.1, 5685, -15860]],
  ["exampleDataParstat.txt", "parstat_txt", 31, [10000, -0.00049816280376104, 0.0175143479976367], [
    10,
    0.0270946491457229,
    -0.00399791080333837,
  ]],
  ["exampleDataPowersuite.txt", "powersuite_txt", 30, [0.1, 423929.46, -49014.063], [
    2000000,
    -470.54113,
    -1397.7358,
  ]],
  ["exampleDataVersaStudio.par", "versastudio_par", 61, [100000, 55.31571, 4.575431], [
    0.02154435,
    1516.313,
    -122.8279,
  ]],
  ["1ZARC.csv", "drttools_csv", 81, [0.01, 59.20397431908595, 0.5913301898954791], [
    1e6,
    10.317831664834927,
    31.16422514427696,
  ]],
  ["2ZARC0.csv", "drttools_csv", 81, [0.01, 69.8119846505212, -0.5837650584118066], [
    1e6,
    9.925223150840122,
    0.283452075967652,
  ]],
  ["2ZARC1.csv", "drttools_csv", 81, [0.01, 79.28907432249632, -0.5056631470733485], [
    1e6,
    9.924715457140957,
    -0.36035853626545145,
  ]],
  ["LIB_data.txt", "eis_csv", 107, [999.040405, 0.112362966, 0.00318273902], [
    0.00500083202,
    0.151735559,
    -0.0137396762,
  ]],
  ["exampleData.csv", "eis_csv", 66, [0.0031623, 0.0494998977640506, -0.020438698544418925], [
    10000,
    0.015771482660485933,
    0.010157474564938236,
  ]],
];

for (const [file, id, count, first, last] of CASES) {
  Deno.test(`EIS reader ${id} reads ${file}: point count, first and last points`, () => {
    const { detected, rec } = read(file);
    equal(detected, id);
    equal(rec.meta.format, id);
    equal(rec.spectra!.length, 1);
    const s = rec.spectra![0];
    equal(s.length, count);
    for (const [k, [f, re, im]] of [[0, first], [count - 1, last]] as const) {
      assertClose(s.frequency_Hz[k], f, { rel: 1e-12 });
      assertClose(s.z_real_ohm[k], re, { rel: 1e-12 });
      assertClose(s.z_imag_ohm[k], im, { rel: 1e-12 });
    }
    ok(s.columns.frequency_Hz && s.columns.z_real_ohm && s.columns.z_imag_ohm);
  });
}

Deno.test("gamryDta reads the header and flags an aborted experiment", () => {
  const full = read("exampleDataGamry.DTA").rec;
  // DATE 4/23/2018, TIME 16:43:15, PSTAT REF3000-34128, AREA 1 in the header lines.
  equal(full.meta.start_time, "2018-04-23T16:43:15");
  equal(full.meta.device, "REF3000-34128");
  equal(full.meta.electrode_area_cm2, 1);
  deepEqual(full.meta.warnings, []);
  // Time column of the first ZCURVE row is 1 s.
  equal(full.spectra![0].extras.time_s[0], 1);
  const aborted = read("exampleDataGamryABORT.DTA").rec;
  deepEqual(aborted.meta.warnings, ["experiment aborted: 72 points measured before the abort"]);
  equal(aborted.meta.start_time, "2020-03-18T16:54:44");
});

Deno.test("zplotZ warns when the header's Data Points disagrees with the rows", () => {
  // exampleDataZPlot.z says "Data Points: 56" but holds 21 rows (lines 124–144).
  deepEqual(read("exampleDataZPlot.z").rec.meta.warnings, [
    "row_count_mismatch: the header states 56 data points, the file holds 21 (rows lost: " +
    "truncated or damaged file?)",
  ]);
  deepEqual(read("Circuit1_EIS_1.z").rec.meta.warnings, []);
  // The ZPlotW layout declares its point count on the line before the column line: "79" (line
  // 9), but 31 rows follow (lines 11–41).
  const noComments = read("exampleDataZPlot_noComments.z").rec;
  deepEqual(noComments.meta.warnings, [
    "row_count_mismatch: the header states 79 data points, the file holds 31 (rows lost: " +
    "truncated or damaged file?)",
  ]);
  equal(noComments.meta.start_time, "2019-12-17T16:24:35"); // "Date: 12-17-2019    Time: 16:24:35"
  equal(noComments.meta.format_version, "ZPlotW 3.2c");
  // Time(Sec) of the first row.
  equal(noComments.spectra![0].extras.time_s[0], 2.58);
});

Deno.test("parstatTxt counts the DC rows with zero frequency in a warning", () => {
  // 812 data lines, 31 with a non-zero frequency (awk on column 4).
  deepEqual(read("exampleDataParstat.txt").rec.meta.warnings, [
    "781 rows with Frequency (Hz) = 0 (DC readings) are not spectrum points",
  ]);
});

Deno.test("versastudioPar and chiTxt read dates and instrument", () => {
  const v = read("exampleDataVersaStudio.par").rec;
  equal(v.meta.start_time, "2018-07-19T09:40:30"); // DateAcquired/TimeAcquired
  equal(v.meta.device, "VersaSTAT4 16334007");
  const c = read("exampleDataCHInstruments.txt").rec;
  equal(c.meta.start_time, "2020-02-20T15:55:08");
  equal(c.meta.device, "CHI660E");
});

Deno.test("eisCsv reads -Im columns and headers, and says when it flips the sign", () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  // Header naming -Im: negated, no warning.
  const a = parseRecording(enc("freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n100,1,0.5\n10,2,1.5\n1,3,0.2\n"), {
    fileName: "a.csv",
  });
  deepEqual(Array.from(a.spectra![0].z_imag_ohm), [-0.5, -1.5, -0.2]);
  equal(a.spectra![0].columns.z_imag_ohm.scale, -1);
  deepEqual(a.meta.warnings, []);
  // No header and mostly positive imaginary parts: read as -Im Z with a warning.
  const b = parseRecording(enc("100\t1\t0.5\n10\t2\t1.5\n1\t3\t-0.2\n"), { fileName: "b.txt" });
  deepEqual(Array.from(b.spectra![0].z_imag_ohm), [-0.5, -1.5, 0.2]);
  match(b.meta.warnings[0], /mostly positive \(2 of 3\)/);
  // Semicolon-separated with a header.
  const c = parseRecording(enc("Frequency (Hz);Zre (Ohm);Zim (Ohm)\n5;1;-1\n4;2;-2\n"), {
    fileName: "c.csv",
  });
  equal(c.spectra![0].z_real_ohm[1], 2);
  equal(c.spectra![0].columns.frequency_Hz.original_unit, "Hz");
});

Deno.test("EIS readers reject broken files with the line number", () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  throws(
    () =>
      parseRecording(enc("100,1,-1\n10,x,-2\n1,3,-1\n"), {
        fileName: "bad.csv",
        format: "eis_csv",
      }),
    (e: unknown) => e instanceof ParseError && /line 2: real part "x"/.test(e.message),
  );
  throws(
    () =>
      parseRecording(
        enc("EXPLAIN\nTAG\tEISPOT\nZCURVE\tTABLE\n\tPt\tTime\tFreq\tZreal\n\t#\ts\tHz\tohm\n"),
        {
          fileName: "x.DTA",
        },
      ),
    /no "Zimag" column/,
  );
  throws(
    () => parseRecording(enc(",Freq,Real,Imag\n0,1,2\n"), { fileName: "d.csv" }),
    /line 2 has 3 fields, expected 4/,
  );
});
