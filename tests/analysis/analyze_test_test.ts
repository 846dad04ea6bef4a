// Copyright 2026 the battery-analysis authors. MIT license.
// analyzeTest() on the real files of issue 11 and on synthetic series with known answers.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { parseRecording } from "../../parsers/mod.ts";
import { analyzeTest, FLAG_CODES, type TestAnalysis } from "../../analysis/analyze_test.ts";
import { analyzeFade } from "../../analysis/fade.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import type { Recording } from "../../lib/model/file_meta.ts";
import { assertClose, readFixture } from "../_util.ts";
import { galvanostatic, type Segment, synthesize } from "./_synthetic.ts";

function load(path: string): Recording {
  return parseRecording(readFixture(path), { fileName: path.split("/").pop()! });
}

function analyzeFile(path: string): TestAnalysis {
  const rec = load(path);
  return analyzeTest({
    series: rec.series,
    spectra: rec.spectra,
    label: path,
    warnings: rec.meta.warnings,
  });
}

const ZN = [
  "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV",
  "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV",
  "BL_Zn_SymCell_072023_06_Channel_55_Wb_1.CSV",
  "BL_Zn_SymCell_7_8_23_sanded_t6_1mAh_Channel_51_Wb_1.CSV",
  "BL_Zn_SymCell_7_8_23_unsanded_t6_1mAh_Channel_52_Wb_1.CSV",
];

Deno.test("analyzeTest() on the Zn symmetric cell of the README: no end of life, one answer", () => {
  // Issue 11: analyzeFade(table.cycles) gave end of life 35.26 from the last cycle, which the
  // end of the file cuts off (0.26 mAh of the 1.13 mAh stripped in every other cycle; raw CSV).
  const a = analyzeFile("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
  equal(a.protocol.kind, "symmetric_plating");
  equal(a.cycles.length, 36);
  equal(a.cycles[35].role, "cut_off");
  deepEqual(a.excluded.map((e) => e.cycle), [36]);
  equal(a.summary.counted_cycle_count, 35);
  equal(a.summary.reference_cycle, 1);
  // Cycle 1 and cycle 35 both strip 0.00113 Ah (raw CSV): retention 1, fade exactly 0 (not
  // the 2.286e-13 of floating-point noise).
  assertClose(a.summary.initial_capacity_Ah!, 0.00113, { abs: 1e-12 });
  assertClose(a.summary.capacity_retention!, 1, { abs: 1e-9 });
  equal(a.summary.fade_per_100_cycles, 0);
  // No fade model, end of life or knee on a capacity the protocol fixes.
  equal(a.fade, null);
  ok(a.fade_note!.startsWith("symmetric cell"));
  equal(a.summary.eol_cycle_observed, null);
  equal(a.summary.eol_cycle_predicted, null);
  equal(a.summary.knee_cycle, null);
  equal(a.summary.mean_energy_efficiency, null);
  ok(a.summary.flag_codes.includes("last_cycle_cut_off"));
  // The lower-level function now agrees: the cut-off cycle is left out there too.
  const fade = analyzeFade(
    summarizeCycles(
      load(
        "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV",
      ).series!,
    ).cycles,
  );
  equal(fade.cycle_life, null);
  equal(fade.retention.points.length, 35);
});

Deno.test("analyzeTest() gives no energy efficiency for the Zn symmetric cells (was 120–400 %)", () => {
  // Their per-cycle "energy efficiency" ranges from 4 % to 500 % (raw CSV energies): the voltage
  // changes sign between plating and stripping, so it is not an efficiency.
  for (const name of ZN) {
    const a = analyzeFile(`arbin/${name}`);
    equal(a.protocol.kind, "symmetric_plating", name);
    equal(a.summary.mean_energy_efficiency, null, name);
    equal(a.efficiency!.ee_max, null, name);
    ok(a.data.efficiency_note, name);
    equal(a.summary.flag_codes.includes("energy_efficiency_above_100"), false, name);
    // Every file ends during a plating half (raw CSV): the last cycle is cut off.
    equal(a.cycles[a.cycles.length - 1].role, "cut_off", name);
    // Stripping 1.13 or 1.14 mAh in every counted cycle: retention within 1 ± 0.01.
    ok(Math.abs(a.summary.capacity_retention! - 1) <= 0.01, name);
  }
});

Deno.test("analyzeTest() on new_nda_file.nda: no retention from a partial and a cut-off cycle", () => {
  // Issue 11: search_tests showed 10,733 % retention = 7.009 µAh (the discharge the end of the
  // file cuts off) / 0.0653 µAh (a 5 s discharge step at the start of the file). Rows from
  // the raw file: 5 s at −50 µA, rest, 50 s at +50 µA, rest, 450 s at −50 µA, rest to the end.
  const a = analyzeFile("neware/new_nda_file.nda");
  deepEqual(a.cycles.map((c) => c.role), ["partial_first", "cut_off"]);
  equal(a.summary.capacity_retention, null);
  equal(a.summary.counted_cycle_count, 0);
  equal(a.retention, null);
  ok(a.summary.flag_codes.includes("no_counted_cycles"));
  ok(a.summary.flag_codes.includes("partial_first_cycle"));
  ok(a.summary.flag_codes.includes("parser_warning"));
});

Deno.test("analyzeTest() leaves out a first cycle the recording starts in the middle of", () => {
  // Synthetic: the file starts 12 minutes into a 1 A discharge (0.2 Ah left of 0.95 Ah), then
  // 5 full cycles of 1 Ah charge / 0.95 Ah discharge. With cycle 1 as reference the retention
  // would be 0.95 / 0.2 = 475 %; the default reference is cycle 2 (first full cycle).
  const segments: Segment[] = [
    { current_A: -1, duration_s: 720, voltage: 3.5, step: 4, cycle: 1 },
    { current_A: 0, duration_s: 600, voltage: 3.7, step: 5, cycle: 1 },
  ];
  for (let k = 0; k < 5; k++) {
    segments.push(
      { current_A: 1, duration_s: 3600, voltage: 4.0, step: 2, cycle: k + 2 },
      { current_A: 0, duration_s: 600, voltage: 3.7, step: 3, cycle: k + 2 },
      { current_A: -1, duration_s: 3420, voltage: 3.5, step: 4, cycle: k + 2 },
      { current_A: 0, duration_s: 600, voltage: 3.7, step: 5, cycle: k + 2 },
    );
  }
  const series = synthesize(segments);
  // The recording starts during the discharge: current flows at the first row.
  series.current_A[0] = -1;
  const a = analyzeTest({ series });
  equal(a.cycles[0].role, "partial_first");
  ok(a.cycles[0].role_reason!.includes("starts during"), a.cycles[0].role_reason!);
  equal(a.summary.reference_cycle, 2);
  assertClose(a.summary.capacity_retention!, 1, { abs: 1e-12 });
  ok(a.summary.flag_codes.includes("partial_first_cycle"));
});

Deno.test("analyzeTest() JSON is plain: no NaN, no Infinity, no typed arrays", () => {
  const a = analyzeFile("arbin/BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV");
  const text = JSON.stringify(a);
  ok(!/NaN|Infinity/.test(text));
  deepEqual(JSON.parse(text), a.toJSON());
  equal(a.toJSON().analysis_version, a.summary.analysis_version);
  // Every flag raised is a documented code with the documented severity.
  for (const f of a.flags) equal(f.severity, FLAG_CODES[f.code].severity);
});

Deno.test("analyzeTest() options: reference, selection, formation, errors", () => {
  // Discharge capacity (3420 − 10k)/3600 Ah in cycle k (3420 − 10k seconds at 1 A, 10 s rows).
  const series = synthesize(galvanostatic(12, { dischargeS: (k) => 3420 - 10 * k }), {
    dt_s: 10,
  });
  const a = analyzeTest({ series }, { referenceCycle: 3, cycles: { to: 10 }, formationCycles: 1 });
  equal(a.cycles[0].role, "formation");
  equal(a.cycles[10].role, "excluded_by_selection");
  equal(a.reference!.chosen_by, "option");
  assertClose(a.summary.capacity_retention!, (3420 - 100) / (3420 - 30), { rel: 1e-9 });
  throws(() => analyzeTest({ series }, { referenceCycle: 99 }), RangeError);
  throws(() => analyzeTest({ series }, { threshold: 1.5 }), RangeError);
  throws(() => analyzeTest({ series }, { formationCycles: -1 }), RangeError);
});

Deno.test("analyzeTest() finds the check-up cycles of a real Neware test (nw4-120-1-6-53)", () => {
  // tests/analysis/scripts/nw4_checkups.py on BTSDA's table of the same test: main discharge
  // current 1940 µA; instrument cycles 15, 30, …, 150 discharge at 390 µA (check-ups). The file
  // ends during cycle 150. Cycle 1 (the first charge from 1.65 V) has CE 19 %, far below the
  // ~78 % of the cycles that follow: formation. Discharge of the first main cycle (2): 0.232165
  // mAh (BTSDA).
  const a = analyzeFile("neware/nw4-120-1-6-53.ndax");
  equal(a.protocol.kind, "cc_cycling");
  assertClose(a.data.current_levels[0].current_A, 1.94e-3, { rel: 0.01 });
  const byInstrument = new Map(a.cycles.map((c) => [c.instrument_cycle, c.role]));
  for (let k = 15; k < 150; k += 15) equal(byInstrument.get(k), "checkup", `cycle ${k}`);
  equal(byInstrument.get(150), "cut_off");
  equal(byInstrument.get(1), "formation");
  equal(a.cycles.filter((c) => c.role === "checkup").length, 9);
  equal(a.summary.reference_cycle, 2);
  assertClose(a.summary.initial_capacity_Ah!, 0.232165e-3, { rel: 1e-4 });
  // No check-up enters the retention curve.
  const checkups = new Set(a.cycles.filter((c) => c.role === "checkup").map((c) => c.cycle));
  equal(a.retention!.points.some((p) => checkups.has(p.cycle)), false);
});

Deno.test("analyzeTest() on batmo_bdf.csv: formation, end check-ups, energy efficiency flagged", () => {
  // tests/analysis/scripts/batmo_levels.py on the raw CSV: cycle 1 at 6.06 mA, cycles 2–5 and
  // 106–109 at 60.55 mA, cycles 6–105 at 121.1 mA (the main protocol). The file has no energy
  // columns; the parser integrates I·V, and discharge energy exceeds charge energy in every
  // cycle but the first (EE up to 118 %): flagged, never shown as plain fact.
  const a = analyzeFile("other/batmo_bdf.csv");
  const roles = a.cycles.map((c) => c.role);
  deepEqual(roles.slice(0, 5), Array(5).fill("formation"));
  deepEqual(roles.slice(105), Array(4).fill("checkup"));
  ok(roles.slice(6, 105).every((r) => r === "counted"));
  ok(a.summary.flag_codes.includes("energy_efficiency_above_100"));
  ok(a.summary.flag_codes.includes("parser_warning"));
  // Every main cycle passes the same charge (the file repeats one cycle): no fade to model.
  equal(a.fade, null);
  equal(a.summary.fade_per_100_cycles, 0);
});

Deno.test("TestAnalysis renders in Jupyter and as text with its flags", () => {
  const a = analyzeFile("neware/nw4-120-1-6-53.ndax");
  const bundle = a[Symbol.for("Jupyter.display") as never] as () => Record<string, unknown>;
  const b = bundle.call(a);
  ok(String(b["text/html"]).includes("ce_out_of_range"));
  ok(b["application/vnd.vegalite.v5+json"], "retention plot with the fade analysis");
  const text = a.toString();
  ok(text.includes("checkup"), "left-out cycles listed with their role");
  ok(text.includes("[warning] ce_out_of_range"));
});
