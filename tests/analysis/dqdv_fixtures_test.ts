// Copyright 2026 the battery-analysis authors. MIT license.
// dQ/dV on real instrument files read by the project's parsers.
import { equal, ok, throws } from "node:assert/strict";
import { parseRecording } from "../../parsers/mod.ts";
import { dqdv, dqdvByCycle, halfCycles, voltageCapacity } from "../../analysis/mod.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { assertClose, readFixture } from "../_util.ts";
import { JUPYTER_DISPLAY } from "../../analysis/_display.ts";

function load(relative: string): CyclingSeries {
  const recording = parseRecording(readFixture(relative), {
    fileName: relative.split("/").pop()!,
  });
  return recording.series!;
}

// navani's graphite half cell (Arbin xlsx, 50 µA). Expected values from the raw sheet
// `Channel_11_1` with openpyxl: capacity = Σ counter increments (a drop = reset) over the rows of
// each half cycle; a 10 mV histogram of ΔQ by voltage (3-bin moving average) has its local
// maxima above 20 % of the largest at 0.065, 0.105, 0.185 V (first lithiation, discharge) and
// 0.105, 0.145, 0.225 V (delithiation, charge): the graphite staging peaks.
const GRAPHITE = [
  { cycle: 1, direction: "discharge", capacity: 0.00579803316, peaks: [0.065, 0.105, 0.185] },
  { cycle: 1, direction: "charge", capacity: 0.00569810759, peaks: [0.105, 0.145, 0.225] },
];

Deno.test("dqdv() on navani's graphite xlsx: capacities and the three staging peaks", () => {
  const series = load("arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx");
  const set = dqdvByCycle(series, { cycles: [1] });
  equal(set.failures.length, 0);
  equal(set.curves.length, 2);
  set.curves.forEach((curve, k) => {
    const want = GRAPHITE[k];
    equal(curve.direction, want.direction);
    assertClose(curve.capacity_Ah, want.capacity, { rel: 1e-6 });
    assertClose(curve.area_Ah + curve.terminal_capacity_Ah, curve.capacity_Ah, { rel: 1e-9 });
    equal(curve.peaks.length, 3, curve.peaks.map((p) => p.position_V).join(", "));
    // Within 1.2 histogram bins (the histogram locates a peak to ±5 mV at best).
    curve.peaks.forEach((p, i) => assertClose(p.position_V, want.peaks[i], { abs: 0.012 }));
  });
});

Deno.test("dqdv() on cellpy's Arbin .res half cell: area equals coulomb counting", () => {
  // Independent of the capacity counters: ∫ |I| dt (trapezoids) over each half cycle's rows from
  // the parsed current and time columns must agree with the curve's area plus terminal capacity
  // to 0.5 %.
  const series = load("arbin/20160805_test001_45_cc_01.res");
  const set = dqdvByCycle(series, { cycles: [1, 2, 3] });
  equal(set.curves.length, 6);
  equal(set.failures.length, 0);
  for (const curve of set.curves) {
    const { start_row, end_row } = curve.rows;
    let coulombs = 0;
    for (let k = start_row + 1; k < end_row; k++) {
      const dt = series.time_s[k] - series.time_s[k - 1];
      coulombs += (Math.abs(series.current_A[k]) + Math.abs(series.current_A[k - 1])) / 2 * dt;
    }
    assertClose(curve.area_Ah + curve.terminal_capacity_Ah, coulombs / 3600, {
      rel: 0.005,
      message: `cycle ${curve.cycle} ${curve.direction}`,
    });
    ok(curve.peaks.length >= 1);
  }
  // Peaks are tracked across the three cycles (the 0.25 V lithiation and 0.27 V delithiation
  // peaks appear from cycle 2 on).
  ok(set.tracks.some((t) => t.points.length >= 2));
});

Deno.test("dqdv() on BEEP's FastCharge_000025_CH8.csv: a pure rest has no half cycle", () => {
  // The file holds 248 rows of rest (current 0, capacities 0): nothing to differentiate.
  const series = load("arbin/FastCharge_000025_CH8.csv");
  equal(halfCycles(series).length, 0);
  equal(dqdvByCycle(series).curves.length, 0);
  throws(() => dqdv({ series, start_row: 0, end_row: series.length }), /no charge passed/);
});

Deno.test("dqdv() on a BioLogic potentiostatic hold (navani 00_test_04_MB_C01.mpr) explains why not", () => {
  // 1501 rows at Ewe = −1.6501 V: galvani reads (Q-Qo) from 0 to −1.79530125e-5 mAh, so the
  // discharge capacity passed is 1.79530125e-8 Ah, and the voltage never leaves its level.
  const series = load("biologic/00_test_04_MB_C01.mpr");
  const curve = voltageCapacity({ series, start_row: 0, end_row: series.length });
  equal(curve.direction, "discharge");
  assertClose(curve.capacity_Ah[curve.capacity_Ah.length - 1], 1.79530125e-8, { rel: 1e-6 });
  throws(
    () => dqdv({ series, start_row: 0, end_row: series.length }),
    /stays within 0\.001 V \(terminal_tolerance_V\)/,
  );
});

Deno.test("dqdvByCycle() reports a half cycle too short to analyse instead of failing (MB-1.mpr)", () => {
  // battery-data-format's MB-1.mpr: 11 rows of rest at 4.3947 V, then 2 rows of a 0.513 mA
  // step (galvani: control/V/mA = 0.513 on the last two rows): one charge row above the rest
  // threshold, so no curve.
  const series = load("biologic/MB-1.mpr");
  const set = dqdvByCycle(series);
  equal(set.curves.length, 0);
  equal(set.failures.length, 1);
  equal(set.failures[0].direction, "charge");
  ok(/need at least 2/.test(set.failures[0].reason));
  const bundle = set[JUPYTER_DISPLAY]();
  ok(bundle["text/plain"].includes("1 failed"));
});

Deno.test("DqdvSet displays its peak tracks (cellpy .res, cycles 2–4)", () => {
  const series = load("arbin/20160805_test001_45_cc_01.res");
  const set = dqdvByCycle(series, { cycles: [2, 3, 4], halves: "discharge" });
  equal(set.curves.length, 3);
  const bundle = set[JUPYTER_DISPLAY]();
  // One HTML table row per track.
  equal(bundle["text/html"]!.split("<tr>").length - 2, set.tracks.length);
  const layers = bundle["application/vnd.vegalite.v5+json"]!.layer as unknown[];
  equal(layers.length, 2);
});
