// Copyright 2026 the battery-analysis authors. MIT license.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { newareCsv } from "../../parsers/neware_csv.ts";
import { newareNdax } from "../../parsers/neware_ndax.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";
import { readParquet } from "./_parquet.ts";

/** Per-cycle sums made with pandas by tests/parsers/scripts/neware_csv_reference.py. */
const REF = JSON.parse(
  new TextDecoder().decode(readFixture("../parsers/neware_csv_reference.json")),
);

const FILES = ["interp-test.csv", "neware_uio.csv", "nw_regular_export_ife_example.csv"];

Deno.test("detectFormat() picks newareCsv for both BTSDA CSV layouts", () => {
  for (const name of FILES) {
    const bytes = readFixture(`neware/${name}`);
    equal(detectFormat(bytes, name).parser.id, "neware_csv", name);
  }
});

Deno.test("interp-test.csv (BTSDA CSV) equals BTSDA's table and the .ndax of the same test", async () => {
  // interp-test.csv, interp-test.parquet and interp-test.ndax are three exports of one test.
  const rec = newareCsv.parse(readFixture("neware/interp-test.csv"), {
    fileName: "interp-test.csv",
  });
  const s = rec.series!;
  const ref = await readParquet(readFixture("neware/interp-test.parquet"));
  equal(s.length, ref.rows);
  const ndax = newareNdax.parse(readFixture("neware/interp-test.ndax"), {
    fileName: "interp-test.ndax",
  }).series!;
  for (let k = 0; k < s.length; k++) {
    equal(s.cycle_index[k], ref.columns["Cycle Index"][k]);
    equal(s.step_index[k], ref.columns["Step Count"][k]);
    assertClose(s.time_s[k], ref.columns["Total Time"][k] as number, { abs: 1e-9 });
    assertClose(s.voltage_V[k] * 1000, ref.columns["Voltage(mV)"][k] as number, { abs: 1e-4 });
    assertClose(s.current_A[k] * 1e6, ref.columns["Current(uA)"][k] as number, { abs: 1e-6 });
    assertClose(s.time_s[k], ndax.time_s[k], { abs: 1e-9 });
    assertClose(s.voltage_V[k], ndax.voltage_V[k], { abs: 5e-5 }); // CSV: 0.1 mV
  }
  // "Current(µA)" with µ in Windows-1252 (byte B5).
  equal(s.columns.current_A.original_unit, "µA");
  equal(s.columns.current_A.scale, 1e-6);
  equal(s.start_time, "2025-06-17T09:26:39.383");
  equal(rec.meta.header.step_types, "4=Rest");
});

Deno.test("neware_uio.csv (record layout) gives the per-cycle sums of its step counters", () => {
  const ref = REF["neware_uio.csv"];
  const s = newareCsv.parse(readFixture("neware/neware_uio.csv"), {
    fileName: "neware_uio.csv",
  }).series!;
  equal(s.length, ref.rows);
  equal(s.step_index[s.length - 1], ref.steps);
  equal(s.time_s[s.length - 1], ref.last_time_s); // "144:02:18": hours past 24
  const table = summarizeCycles(s, { method: "cycle_index" });
  equal(table.cycles.length, ref.cycles.length);
  table.cycles.forEach((c, k) => {
    const r = ref.cycles[k];
    equal(c.instrument_cycle, r.cycle);
    assertClose(c.charge_capacity_Ah!, r.charge_Ah, { abs: 1e-12 });
    assertClose(c.discharge_capacity_Ah!, r.discharge_Ah, { abs: 1e-12 });
    assertClose(c.charge_energy_Wh!, r.charge_Wh, { abs: 1e-12 });
    assertClose(c.discharge_energy_Wh!, r.discharge_Wh, { abs: 1e-12 });
  });
});

Deno.test("nw_regular_export_ife_example.csv (nested layout) agrees with its own cycle lines", () => {
  const ref = REF["nw_regular_export_ife_example.csv"];
  const rec = newareCsv.parse(readFixture("neware/nw_regular_export_ife_example.csv"), {
    fileName: "nw_regular_export_ife_example.csv",
  });
  const s = rec.series!;
  equal(rec.meta.format_version, "BTSDA CSV (cycle/step/record)");
  equal(s.length, ref.rows);
  equal(s.step_index[s.length - 1], ref.steps); // "Step Number" of the step lines
  equal(s.time_s[s.length - 1], ref.last_time_s);
  // T1(?) is the first auxiliary temperature (the file lost the ° sign).
  equal(s.temperature_C![0], 26.61);
  const table = summarizeCycles(s, { method: "cycle_index" });
  equal(table.cycles.length, ref.cycle_lines.length);
  table.cycles.forEach((c, k) => {
    const line = ref.cycle_lines[k], rows = ref.from_records[k];
    equal(c.instrument_cycle, line.cycle);
    // The record lines, summed step by step (pandas)...
    assertClose(c.charge_capacity_Ah!, rows.charge_Ah, { abs: 1e-12 });
    assertClose(c.discharge_capacity_Ah!, rows.discharge_Ah, { abs: 1e-12 });
    assertClose(c.discharge_energy_Wh!, rows.discharge_Wh, { abs: 1e-12 });
    // ...and BTSDA's cycle line, printed to 5 decimals.
    assertClose(c.charge_capacity_Ah!, line.charge_Ah, { abs: 5e-6 });
    assertClose(c.discharge_capacity_Ah!, line.discharge_Ah, { abs: 5e-6 });
    assertClose(c.discharge_energy_Wh!, line.discharge_Wh, { abs: 5e-6 });
  });
});

Deno.test("newareCsv.parse() names the line of a bad field and drops a cut-short last line", () => {
  const text = new TextDecoder("windows-1252").decode(readFixture("neware/neware_uio.csv"));
  const lines = text.split("\n");
  const bad = [...lines];
  bad[5] = bad[5].replace(",2.91", ",2.9x1");
  const enc = (t: string) => new TextEncoder().encode(t);
  let error: unknown;
  try {
    newareCsv.parse(enc(bad.join("\n")), { fileName: "bad.csv" });
  } catch (e) {
    error = e;
  }
  ok(error instanceof ParseError);
  match((error as Error).message, /^Cannot parse "bad\.csv": line 6: "2\.9x1/);
  const cut = lines.slice(0, 100).join("\n") + "\n" + lines[100].slice(0, 30);
  const rec = newareCsv.parse(enc(cut), { fileName: "cut.csv" });
  equal(rec.series!.length, 99);
  ok(
    rec.meta.warnings.some((w) =>
      /^truncated_last_line: line 101 \(byte \d+\) is cut short/.test(w)
    ),
  );
  const wrong = [...lines];
  wrong[50] += ",1";
  try {
    newareCsv.parse(enc(wrong.join("\n")), { fileName: "wrong.csv" });
    ok(false);
  } catch (e) {
    match((e as Error).message, /line 51 has 27 fields, expected 26/);
  }
  deepEqual(
    newareCsv.detect(enc("Cycle,Voltage\n1,2\n"), "x.csv").confidence,
    0,
  );
});
