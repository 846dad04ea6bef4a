// Copyright 2026 the battery-analysis authors. MIT license.
//
// cellpy's deliberately broken "custom" CSVs (tests/fixtures/bad/). Expected values were read
// independently with a short Python script: split each file on "\n", data rows after the
// header on line 20, fields split on ";" (good_small: 60 rows, first 0;120.00;...;1.14, last
// 59;3600.96;...;1.54; nan_inf: voltage "" / "inf" / "-inf" on lines 24, 28, 32;
// missing_cycle: 40 rows, index jumps 19 → 40, cycle 1 → 3; truncated: 59 full rows, line 80
// has 5 fields and no line end).

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { detectFormat } from "../../parsers/detect_format.ts";
import { genericCsv, parseGenericCsv } from "../../parsers/generic_csv.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { parseRecording } from "../../parsers/parse_recording.ts";
import { readFixture } from "../_util.ts";

function read(name: string) {
  return parseRecording(readFixture(`bad/${name}`), { fileName: name });
}

Deno.test("parseGenericCsv() reads cellpy's custom_good_small.csv with its preamble", () => {
  const { meta, series } = read("custom_good_small.csv");
  const s = series!;
  equal(meta.format, "generic_csv");
  equal(s.length, 60);
  deepEqual([s.time_s[0], s.time_s[59]], [120, 3600.96]);
  deepEqual([s.voltage_V[0], s.voltage_V[59]], [1.14, 1.54]);
  deepEqual([s.current_A[0], s.current_A[59]], [0, 0]);
  deepEqual([s.extras.step_time_s[0], s.extras.step_time_s[59]], [120, 0.86]);
  deepEqual([s.step_index[0], s.step_index[59]], [1, 2]);
  ok(s.cycle_index.every((c) => c === 1));
  deepEqual([s.extras.index[0], s.extras.index[59]], [0, 59]);
  equal(s.extras.date_stamp[0], 43374.42);
  equal(meta.header.operator, "Jan Petter Maehlen");
  equal(meta.header.mass, "0.0012");
  equal(s.columns.voltage_V.original_name, "voltage");
  // No units in the header: stated, and energies integrated (and marked derived).
  match(meta.warnings[0], /^no units in the header for "test_time", "current", "voltage"/);
  equal(s.columns.charge_energy_Wh.derived, true);
  ok(meta.warnings.some((w) => /charge_energy_Wh not in the file/.test(w)));
});

Deno.test("custom_missing_column.csv (no voltage column) is a ParseError naming the header line", () => {
  throws(() => read("custom_missing_column.csv"), (e: unknown) => {
    ok(e instanceof ParseError);
    equal(e.line, 20);
    match(e.message, /^Cannot parse "custom_missing_column\.csv": line 20: no voltage column/);
    match(e.message, /columns: index, test_time, step_time, date_stamp, step, cycle, current/);
    return true;
  });
});

Deno.test("custom_missing_cycle.csv is read as written, with the gap reported", () => {
  const { meta, series } = read("custom_missing_cycle.csv");
  const s = series!;
  equal(s.length, 40);
  equal(s.cycle_index[19], 1);
  equal(s.cycle_index[20], 3); // never renumbered
  equal(s.extras.index[20], 40);
  ok(
    meta.warnings.includes(
      'row_count_mismatch: "index" jumps from 19 to 40 at data row 21: 20 row(s) missing',
    ),
  );
  ok(meta.warnings.includes("cycle index jumps from 1 to 3 at data row 21: kept as written"));
});

Deno.test("custom_nan_inf.csv: empty, inf and -inf voltages become NaN with warnings", () => {
  const { meta, series } = read("custom_nan_inf.csv");
  const s = series!;
  equal(s.length, 60);
  // data rows 4, 8, 12 (file lines 24, 28, 32)
  ok(Number.isNaN(s.voltage_V[3]) && Number.isNaN(s.voltage_V[7]) && Number.isNaN(s.voltage_V[11]));
  equal(s.voltage_V[2], 1.14);
  equal(s.voltage_V.filter(Number.isNaN).length, 3);
  ok(meta.warnings.includes(
    'column "voltage": 2 value(s) like "inf" (first on line 28) are not finite: stored as NaN',
  ));
  ok(meta.warnings.includes(
    "voltage_V: 3 value(s) empty or not finite, stored as NaN (first in data row 4)",
  ));
});

Deno.test("custom_truncated.csv: the cut last line is left out with a warning", () => {
  const bytes = readFixture("bad/custom_truncated.csv");
  const { meta, series } = read("custom_truncated.csv");
  equal(series!.length, 59);
  equal(series!.voltage_V[58], 1.53);
  const lastLine = bytes.lastIndexOf(10) + 1;
  ok(meta.warnings.includes(
    `truncated_last_line: line 80 (byte ${lastLine}) is cut short (no line end; 5 of the 10 ` +
      "fields of the lines before): the file looks truncated; the line was left out",
  ));
});

Deno.test("the generic reader ranks below instrument parsers and names bad rows", () => {
  const arbin = "sample_data_arbin.csv";
  const detection = detectFormat(readFixture(`arbin/${arbin}`), arbin);
  equal(detection.parser.id, "arbin_csv");
  const generic = detection.candidates.find((c) => c.parser.id === "generic_csv");
  ok(generic && generic.confidence < detection.confidence);
  equal(detectFormat(readFixture("bad/custom_good_small.csv"), "x.csv").parser.id, "generic_csv");
  // An impedance export (time, potential, current, frequency, Zre, Zim) is not claimed.
  const eis = "exampleDataParstat.txt";
  equal(genericCsv.detect(readFixture(`eis/${eis}`), eis).confidence, 0);
  throws(
    () =>
      parseGenericCsv(new TextEncoder().encode("time;voltage;current\n1;2;3\n4;5\n6;7;8\n"), {
        fileName: "g.csv",
      }),
    { message: 'Cannot parse "g.csv": line 3 has 2 fields, expected 3' },
  );
  throws(
    () =>
      parseGenericCsv(new TextEncoder().encode("time,voltage (kV),current\n1,2,3\n"), {
        fileName: "g.csv",
      }),
    /line 1: column "voltage \(kV\)" has unit "kV", which cannot be converted to V/,
  );
});

Deno.test("the generic reader takes units in column names (time_s, current_mA), as the toolkit's exports write them", () => {
  // Synthetic: 2 mA for 1 h is 2 mAh = 0.002 Ah; the unit of each column is in its name.
  const text = "time_s,voltage_V,current_mA,charge_capacity_mAh,step_index,cycle_index,power_W\n" +
    "0,3.5,2,0,1,1,0.007\n3600,3.6,2,2,1,1,0.0072\n";
  const { series, meta } = parseGenericCsv(new TextEncoder().encode(text), { fileName: "x.csv" });
  equal(series!.time_s[1], 3600);
  equal(series!.current_A[0], 0.002);
  equal(series!.charge_capacity_Ah[1], 0.002);
  deepEqual(Array.from(series!.step_index), [1, 1]);
  // Every unit was in the header: no "no units in the header" warning.
  ok(!meta.warnings.some((w) => w.startsWith("no units")), meta.warnings.join("; "));
  // A name that is not a known column keeps its whole name: an extra.
  equal(series!.extras.power_w[1], 0.0072);
  // An unknown unit after a known name is not a unit: the column is an extra.
  const odd = parseGenericCsv(
    new TextEncoder().encode("time_s,voltage_V,current_A,cycle_index,voltage_parrots\n0,1,2,1,3\n"),
    { fileName: "y.csv" },
  );
  equal(odd.series!.voltage_V[0], 1);
  equal(odd.series!.extras.voltage_parrots[0], 3);
});
