// Copyright 2026 the battery-analysis authors. MIT license.
// analyzeTest() on real files it had not been tuned on, as a battery scientist reads them: the
// protocol, the flags and the headline numbers must say what the data support. Known answers
// from peer readers: tests/analysis/scripts/qa_expected.py (its output: qa_expected.txt).
import { equal, match, ok } from "node:assert/strict";
import { parseRecording } from "../../parsers/mod.ts";
import { analyzeTest, FLAG_CODES, type TestAnalysis } from "../../analysis/analyze_test.ts";
import type { CycleSummary } from "../../lib/model/cycle_summary.ts";
import { assertClose, readFixture } from "../_util.ts";
import { type Segment, synthesize } from "./_synthetic.ts";
import { tCritical } from "../../analysis/_trend.ts";

function analyzeFile(path: string): TestAnalysis {
  const rec = parseRecording(readFixture(path), { fileName: path.split("/").pop()! });
  return analyzeTest({
    series: rec.series,
    spectra: rec.spectra,
    label: path,
    warnings: rec.meta.warnings,
  });
}

/** A cycle summary with the given capacities and voltages (the rest neutral). */
function cycle(k: number, fields: Partial<CycleSummary>): CycleSummary {
  return {
    cycle: k,
    instrument_cycle: k,
    first_half: "charge",
    start_row: 0,
    end_row: 0,
    start_time_s: 0,
    end_time_s: 0,
    duration_s: 0,
    charge_capacity_Ah: 1e-3,
    discharge_capacity_Ah: 1e-3,
    coulombic_efficiency: 1,
    charge_energy_Wh: null,
    discharge_energy_Wh: null,
    energy_efficiency: null,
    mean_voltage_V: null,
    min_voltage_V: null,
    max_voltage_V: null,
    mean_charge_voltage_V: null,
    mean_discharge_voltage_V: null,
    mean_charge_current_A: 1e-3,
    mean_discharge_current_A: -1e-3,
    internal_resistance_ohm: null,
    complete: true,
    ...fields,
  };
}

Deno.test("analyzeTest(): a cell at −0.09 V is not a symmetric cell (new_nda_file.nda)", () => {
  // NewareNDA's new_nda_file.ftr: the voltage runs from −0.1010 to −0.0849 V and rests at
  // −0.097 to −0.089 V; ±50.5 µA. Two identical electrodes have no rest voltage and their
  // overpotential follows the current's sign; this voltage never changes sign.
  const a = analyzeFile("neware/new_nda_file.nda");
  ok(a.protocol.kind !== "symmetric_plating", a.protocol.reason);
  equal(a.protocol.kind, "cc_cycling");
  equal(a.protocol.reason.startsWith("1 cycle with a charge and a discharge"), true);
  // The Zn symmetric cells keep their protocol (their mean voltage changes sign).
  const zn = analyzeFile("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
  equal(zn.protocol.kind, "symmetric_plating");
});

Deno.test("analyzeTest(): the ±0.3 V symmetric-cell rule needs a voltage of both signs", () => {
  // Stored cycles without mean voltages: only the voltage range tells. Known answers by the
  // documented rule: within ±0.3 V and both signs (each at least a tenth of the largest |V|).
  const symmetric = Array.from(
    { length: 6 },
    (_, k) => cycle(k + 1, { min_voltage_V: -0.05, max_voltage_V: 0.04 }),
  );
  equal(analyzeTest({ cycles: symmetric }).protocol.kind, "symmetric_plating");
  const oneSign = Array.from(
    { length: 6 },
    (_, k) => cycle(k + 1, { min_voltage_V: -0.101, max_voltage_V: -0.085 }),
  );
  equal(analyzeTest({ cycles: oneSign }).protocol.kind, "cc_cycling");
  // A noise excursion across zero (1 mV of 100 mV) does not make a symmetric cell either.
  const noise = Array.from(
    { length: 6 },
    (_, k) => cycle(k + 1, { min_voltage_V: -0.1, max_voltage_V: 0.001 }),
  );
  equal(analyzeTest({ cycles: noise }).protocol.kind, "cc_cycling");
});

Deno.test("analyzeTest(): a synthetic symmetric cell and the same cell with a −0.09 V offset", () => {
  // ±1 mA for 1 h each way, 8 cycles; the voltage is offset + 6 mV × sign(current) (+ offset
  // at rest). Offset 0: plating/stripping of a symmetric cell; offset −0.09 V: a cell of two
  // different electrodes polarized by ±6 mV, which is not one.
  const run = (offset: number) => {
    const segments: Segment[] = [];
    for (let k = 1; k <= 8; k++) {
      segments.push(
        { current_A: 1e-3, duration_s: 3600, voltage: offset + 0.006, step: 1, cycle: k },
        { current_A: 0, duration_s: 600, voltage: offset, step: 2, cycle: k },
        { current_A: -1e-3, duration_s: 3600, voltage: offset - 0.006, step: 3, cycle: k },
        { current_A: 0, duration_s: 600, voltage: offset, step: 4, cycle: k },
      );
    }
    return analyzeTest({ series: synthesize(segments) });
  };
  equal(run(0).protocol.kind, "symmetric_plating");
  equal(run(-0.09).protocol.kind, "cc_cycling");
});

Deno.test("analyzeTest(): a file without any current value says so (MB-0.mpr)", () => {
  // BioLogic MB-0.mpr: 2 rows, no current recorded (NaN on both): open circuit by how EC-Lab
  // writes rest steps, but not "no current flows" as a measured fact.
  const a = analyzeFile("biologic/MB-0.mpr");
  equal(a.protocol.kind, "ocv_rest");
  match(a.protocol.reason, /no current is recorded/);
});

Deno.test("analyzeTest(): no 'best fade model' on a retention that does not fall", () => {
  // cellpy's 20160805_test001_45_cc_01.res, cycles 4–17 at 0.30 mA (mdbtools capacities,
  // qa_expected.py): straight-line slope +6.71e-4 ± 9.72e-4 per cycle — no significant fade —
  // while the endpoint fade is 26.62 % per 100 cycles (retention 0.965393 at cycle 17).
  const a = analyzeFile("arbin/20160805_test001_45_cc_01.res");
  equal(a.summary.reference_cycle, 4);
  assertClose(a.summary.capacity_retention!, 0.965393, { abs: 1e-6 });
  assertClose(a.summary.fade_per_100_cycles!, 0.266209, { abs: 1e-6 });
  // The models were fitted and stay in the detail, but none is "the" fade model.
  ok(a.fade?.models.best, "fits kept in the detail");
  equal(a.summary.best_fade_model, null);
  match(a.toString(), /best fade model +— \(the retention does not fall significantly/);
  // The fade figure is doubtful, so the flag is a warning (not info).
  const f = a.flags.find((x) => x.code === "fade_not_significant")!;
  equal(f.severity, "warning");
  equal(FLAG_CODES.fade_not_significant.severity, "warning");
  match(f.message, /straight-line fade -6\.7 % ± 9\.7 % per 100 cycles/);
  // A test that does fade keeps its best model (synthetic: 0.1 % per cycle, exact).
  const fading = Array.from(
    { length: 30 },
    (_, k) => cycle(k + 1, { discharge_capacity_Ah: 1e-3 * (1 - 0.001 * k) }),
  );
  equal(analyzeTest({ cycles: fading }).summary.best_fade_model !== null, true);
});

Deno.test("analyzeTest(): energy efficiency above 100 % from swapped halves is named (batmo_bdf)", () => {
  // qa_expected.py (pandas on the raw CSV): 108 of the 109 cycles pass the same charge each way
  // (ratio 0.9–1.1) and in all 108 the mean voltage while the current is negative (discharge by
  // the file's sign) is the higher, by a median 345 mV: no cell discharges above its charge
  // voltage, so the current's sign is reversed (the parser says the file contradicts itself).
  const a = analyzeFile("other/batmo_bdf.csv");
  const f = a.flags.find((x) => x.code === "energy_efficiency_above_100")!;
  ok(f);
  match(f.message, /In 108 of 108 cycles that pass about the same charge each way/);
  match(f.message, /charge and discharge look swapped \(current sign reversed\)/);
  // A cell whose EE exceeds 100 % in one formation-like cycle gets no such diagnosis
  // (SINTEF Landt Li/graphite: one counted cycle, CE 196.9 %).
  const landt = analyzeFile("landt/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv");
  const g = landt.flags.find((x) => x.code === "energy_efficiency_above_100")!;
  ok(g);
  equal(/swapped/.test(g.message), false);
});

Deno.test("analyzeTest(): an energy counter passing through 0 V is integrated with its sign", () => {
  // BioLogic BCD file 0928_01_…_BCD_C01.mpt: the cell voltage is negative at the start of the
  // charge, so the charge energy counter runs from 0 down to −8.268e-6 Wh, comes back and crosses
  // zero between series rows 238 and 239 (−4.549e-8 → +1.535e-8 Wh), then rises to
  // 6.264465003349074e-5 Wh at the last row (raw file): EC-Lab's own integral of Ewe·I over the
  // charge, which is the charge energy. Neither the crossing nor the approach to it is a reset.
  const a = analyzeFile(
    "biologic/0928_01_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_EIS-Remade_from_091923-01_BCD_C01.mpt",
  );
  equal(a.summary.flag_codes.includes("counter_reset_repaired"), false);
  equal(a.cycles.length, 1);
  assertClose(a.cycles[0].charge_energy_Wh!, 6.264465003349074e-5, { rel: 1e-12 });
});

Deno.test("tCritical() equals scipy's Student t quantiles", () => {
  // qa_expected.py: scipy.stats.t.ppf(0.975, df).
  const scipy: [number, number][] = [
    [1, 12.706205],
    [2, 4.302653],
    [3, 3.182446],
    [4, 2.776445],
    [10, 2.228139],
    [30, 2.042272],
    [100, 1.983972],
    [1000, 1.962339],
  ];
  for (const [df, t] of scipy) assertClose(tCritical(df, 0.95), t, { abs: 2e-6 });
});

Deno.test("analyzeTest(): three cycles falling by 6.9 standard errors do not fade significantly", () => {
  // Retention 1, 0.99, 0.984 at cycles 1–3 (exact data): least-squares slope −0.008 per cycle,
  // residuals (2, −4, 2)/3000, so RSS = 2.667e-6 and the slope's standard error
  // √(RSS / 1 / 2) = 0.001155 — 6.9 standard errors below zero, but a line through 3 points has
  // 1 degree of freedom: its 95 % interval is ±12.7 standard errors (t, scipy), so it may not
  // fall at all. No end of life predicted, no best model.
  const cycles = [1, 0.99, 0.984].map((r, k) => cycle(k + 1, { discharge_capacity_Ah: 1e-3 * r }));
  const a = analyzeTest({ cycles });
  equal(a.summary.eol_cycle_predicted, null);
  equal(a.summary.best_fade_model, null);
  ok(a.summary.flag_codes.includes("fade_not_significant"));
  // Ten cycles on the same line (0.008 per cycle, the same scatter pattern repeated) do fade.
  const ten = Array.from({ length: 10 }, (_, k) =>
    cycle(k + 1, {
      discharge_capacity_Ah: 1e-3 * (1 - 0.008 * k + [2, -4, 2][k % 3] / 3000),
    }));
  const b = analyzeTest({ cycles: ten });
  equal(b.summary.flag_codes.includes("fade_not_significant"), false);
  ok(b.summary.best_fade_model !== null);
});

Deno.test("analyzeTest(): counters that disagree with the current are flagged (Landt)", () => {
  // qa_expected.py (pandas, raw CSV): the Landt file's counters pass 3.2 mAh of charge and
  // 7.6 mAh of discharge; its current column (0.1 mA resolution: −0.0002 A for a current that
  // must be about 0.18 mA) integrates to 3.5634 and 8.6287 mAh.
  const landt = analyzeFile("landt/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv");
  const f = landt.flags.find((x) => x.code === "counter_current_mismatch")!;
  ok(f, "Landt flagged");
  equal(f.severity, "warning");
  match(f.message, /charge 3\.2 mAh counted, 3\.5634 mAh from the current \(−10\.2 %\)/);
  match(f.message, /discharge 7\.6 mAh counted, 8\.6287 mAh from the current \(−11\.9 %\)/);
  // Sound files agree to about 1 % and are not flagged (the largest: 1.12 % on the charge of
  // BL_Zn_SymCell_072023_06, whose counters step by 0.01 mAh).
  for (
    const path of [
      "arbin/BL_Zn_SymCell_072023_06_Channel_55_Wb_1.CSV",
      "arbin/20160805_test001_45_cc_01.res",
      "neware/nw4-120-1-6-53.ndax",
      "neware/nw_regular_export_ife_example.csv",
      "other/batmo_bdf.csv",
    ]
  ) {
    equal(analyzeFile(path).summary.flag_codes.includes("counter_current_mismatch"), false, path);
  }
});

Deno.test("analyzeTest(): the Novonix CV hold is charge, and its counters agree with the current", () => {
  // BEEP's formation file: Step Type 8 (the CV phase of a CC-CV charge, 1.5 V, positive current)
  // was once filed as discharge (0.66925 mAh of "discharge" with no negative current) and
  // flagged. Its Capacity (Ah) is the net charge passed: 0 → 0.0294679161 Ah at the last row,
  // never falling (pandas on the [Data] section); the trapezoid of its current gives
  // 0.0294707 Ah (0.01 % more).
  const nova = analyzeFile("other/test_Nova_Form-CH01-01_short.csv");
  equal(nova.summary.flag_codes.includes("counter_current_mismatch"), false);
  equal(nova.cycles.length, 1);
  assertClose(nova.cycles[0].charge_capacity_Ah, 0.0294679161, { rel: 1e-12 });
  equal(nova.cycles[0].discharge_capacity_Ah, 0);
});

Deno.test("analyzeTest(): a current column rounded to 0.2 mA for 0.176 mA is caught", () => {
  // Synthetic: 5 cycles of 10 h at ±0.176 mA (exact counters: 1.76 mAh each way per cycle),
  // the current column rounded to 0.1 mA as a Landt export writes it (±0.2 mA): the integral of
  // the column is 0.2/0.176 = 1.136 × the counters, −12.0 % relative to it.
  const segments: Segment[] = [];
  for (let k = 1; k <= 5; k++) {
    segments.push(
      { current_A: 1.76e-4, duration_s: 36000, voltage: 4, step: 1, cycle: k },
      { current_A: 0, duration_s: 600, voltage: 3.7, step: 2, cycle: k },
      { current_A: -1.76e-4, duration_s: 36000, voltage: 3.5, step: 3, cycle: k },
      { current_A: 0, duration_s: 600, voltage: 3.7, step: 4, cycle: k },
    );
  }
  const series = synthesize(segments, { dt_s: 300 });
  const exact = analyzeTest({ series });
  equal(exact.summary.flag_codes.includes("counter_current_mismatch"), false);
  for (let r = 0; r < series.length; r++) {
    series.current_A[r] = Math.round(series.current_A[r] * 1e4) / 1e4;
  }
  const rounded = analyzeTest({ series });
  const f = rounded.flags.find((x) => x.code === "counter_current_mismatch")!;
  ok(f);
  match(f.message, /charge 8\.8 mAh counted, 10(\.0+)? mAh from the current \(−12\.0 %\)/);
});

Deno.test("analyzeTest(): a first cycle whose counter does not start at zero says so", () => {
  // battery-data-toolkit's arbin_example.csv, first data row (raw CSV): Step_Index 10 of
  // Cycle_Index 1, Charge_Capacity 0.8800053 Ah — the recording starts after 880 mAh of the
  // cycle's charge had passed; the charge it holds is 1.0719038 − 0.8800053 = 191.9 mAh.
  const a = analyzeFile("arbin/arbin_example.csv");
  equal(a.cycles[0].role, "partial_first");
  match(
    a.cycles[0].role_reason!,
    /opening charge passed 191\.9 mAh.*the recording starts during that half cycle \(the instrument's charge counter already reads 880 mAh at the first row\)/,
  );
  // A file whose counters start at zero keeps the at-rest wording (nw_regular_export: a
  // 22.6 mAh top-up charge of a cell resting at 4.32 V, counters 0 at the first row).
  const nw = analyzeFile("neware/nw_regular_export_ife_example.csv");
  match(nw.cycles[0].role_reason!, /the recording starts at rest/);
});
