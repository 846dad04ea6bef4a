// Copyright 2026 the battery-analysis authors. MIT license.
// Cycle building on real cycler files. Expected values come from the raw CSV columns by
// independent Python scripts (tests/analysis/scripts/*.py, csv module only, no project code).
import { deepEqual, equal } from "node:assert/strict";
import { parseRecording } from "../../parsers/mod.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { halfCycles } from "../../analysis/half_cycles.ts";
import { analyzeFade } from "../../analysis/fade.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { assertClose, readFixture } from "../_util.ts";

function load(path: string): CyclingSeries {
  const rec = parseRecording(readFixture(path), { fileName: path.split("/").pop()! });
  if (!rec.series) throw new Error(`${path} has no series`);
  return rec.series;
}

// From tests/analysis/scripts/zn_expected.py: per file, the number of plating/stripping cycles
// (a cycle starts at each run of Step Index 2), [start row, end row, charge Ah, discharge Ah,
// time-weighted mean discharge V] of the first three cycles and of the last, and the sums.
const ZN: Record<string, {
  n: number;
  first: [number, number, number, number, number | null][];
  last: [number, number, number, number, number | null];
  sumCharge: number;
  sumDischarge: number;
}> = {
  "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV": {
    n: 36,
    first: [[123, 1040, 0.00115, 0.00113, -0.1814630426064342], [
      1040,
      1195,
      0.00119,
      0.00113,
      -0.22778614719763107,
    ], [1195, 1255, 0.00119, 0.00113, -0.2507750433872016]],
    last: [3979, 4040, 0.0011800000000000005, 0.00020000000000000573, -0.23814148019402623],
    sumCharge: 0.04278,
    sumDischarge: 0.03978,
  },
  "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV": {
    n: 36,
    first: [[122, 169, 0.00115, 0.00113, -0.12302466000432206], [
      169,
      216,
      0.00116,
      0.00113,
      -0.10235779925225132,
    ], [216, 264, 0.00115, 0.00113, -0.10032017196601238]],
    last: [1719, 1754, 0.0011499999999999982, 0.00025999999999999635, -0.05101941457939475],
    sumCharge: 0.04213,
    sumDischarge: 0.03985,
  },
  "BL_Zn_SymCell_072023_06_Channel_55_Wb_1.CSV": {
    n: 43,
    first: [[123, 293, 0.00114, 0.00113, -0.02134437838785289], [
      293,
      342,
      0.00118,
      0.00113,
      -0.02823688072222221,
    ], [342, 372, 0.00114, 0.00113, -0.020364400523312984]],
    last: [1832, 1858, 0.0011800000000000005, 0.00032000000000000084, -0.06524788511623418],
    sumCharge: 0.0504,
    sumDischarge: 0.04782,
  },
  "BL_Zn_SymCell_7_8_23_sanded_t6_1mAh_Channel_51_Wb_1.CSV": {
    n: 36,
    first: [[123, 689, 0.00109, 0.00113, -0.27506455574509303], [
      689,
      885,
      0.0012,
      0.00113,
      -0.2712031581615505,
    ], [885, 1786, 0.00119, 0.00113, -0.3633888217883935]],
    last: [4664, 4729, 0.0012000000000000066, 0.0001999999999999988, -0.21861270846249545],
    sumCharge: 0.04275,
    sumDischarge: 0.03979,
  },
  "BL_Zn_SymCell_7_8_23_unsanded_t6_1mAh_Channel_52_Wb_1.CSV": {
    n: 36,
    first: [[123, 444, 0.00119, 0.00113, -0.06405321123106955], [
      444,
      604,
      0.0012000000000000001,
      0.00113,
      -0.2156011325448126,
    ], [604, 790, 0.0011899999999999997, 0.00113, -0.06005634952777779]],
    last: [2615, 2659, 0.0011600000000000013, 0.00020000000000000573, -0.15002593547367063],
    sumCharge: 0.04269,
    sumDischarge: 0.03978,
  },
};

for (const [file, want] of Object.entries(ZN)) {
  Deno.test(`summarizeCycles() finds the plating/stripping cycles of ${file}`, () => {
    // Cycle Index stays 1 for the whole test and the counters accumulate over it: "auto" must
    // fall back to the current sign and count the increments within each cycle.
    const series = load(`arbin/${file}`);
    const table = summarizeCycles(series);
    equal(table.method, "current_sign");
    equal(table.length, want.n);
    const check = (k: number, w: [number, number, number, number, number | null]) => {
      const c = table.cycles[k];
      equal(c.start_row, w[0], `cycle ${k + 1} start`);
      equal(c.end_row, w[1], `cycle ${k + 1} end`);
      assertClose(c.charge_capacity_Ah, w[2], { abs: 1e-12, message: `cycle ${k + 1} charge` });
      assertClose(c.discharge_capacity_Ah, w[3], { abs: 1e-12, message: `cycle ${k + 1} dis` });
      assertClose(c.mean_discharge_voltage_V!, w[4]!, { abs: 1e-12 });
      equal(c.first_half, "charge");
      equal(c.instrument_cycle, 1);
      // The file's Internal Resistance column is all 0 (not measured): no value.
      equal(c.internal_resistance_ohm, null);
    };
    want.first.forEach((w, k) => check(k, w));
    check(want.n - 1, want.last);
    const sumC = table.cycles.reduce((s, c) => s + c.charge_capacity_Ah, 0);
    const sumD = table.cycles.reduce((s, c) => s + c.discharge_capacity_Ah, 0);
    assertClose(sumC, want.sumCharge, { abs: 1e-10 });
    assertClose(sumD, want.sumDischarge, { abs: 1e-10 });
    // The step method agrees on these files (one direction per step).
    const bySteps = summarizeCycles(series, { method: "step" });
    deepEqual(bySteps.cycles.map((c) => c.start_row), table.cycles.map((c) => c.start_row));
    // Half cycles: each charge half starts on a Step 2 row, each discharge half on Step 3.
    const halves = halfCycles(series);
    for (const h of halves) {
      equal(series.step_index[h.start_row], h.direction === "charge" ? 2 : 3);
    }
    equal(halves.filter((h) => h.direction === "charge").length, want.n);
  });
}

Deno.test("summarizeCycles() uses the meaningful cycle index of the BEEP Arbin example", () => {
  // From tests/analysis/scripts/arbin_example_expected.py: counters reset at each cycle index
  // and the file starts inside cycle 1, so capacity = last − first value within each index.
  const series = load("arbin/arbin_example.csv");
  const table = summarizeCycles(series);
  equal(table.method, "cycle_index");
  equal(table.length, 2);
  const want = [
    {
      rows: 860,
      qc: 0.19189850000000008,
      qd: 1.0723602999746,
      ec: 0.6667334999999999,
      ed: 3.2542309999384997,
      ir: 0.017097674,
      vmax: 3.6002955,
      vmin: 1.9995637,
    },
    {
      rows: 1282,
      qc: 1.0725317,
      qd: 1.0729095,
      ec: 3.7558255,
      ed: 3.2606606,
      ir: 0.016726129,
      vmax: 3.6003604,
      vmin: 1.9996171,
    },
  ];
  table.cycles.forEach((c, k) => {
    const w = want[k];
    equal(c.instrument_cycle, k + 1);
    equal(c.end_row - c.start_row, w.rows);
    assertClose(c.charge_capacity_Ah, w.qc, { abs: 1e-12 });
    assertClose(c.discharge_capacity_Ah, w.qd, { abs: 1e-12 });
    assertClose(c.charge_energy_Wh!, w.ec, { abs: 1e-12 });
    assertClose(c.discharge_energy_Wh!, w.ed, { abs: 1e-12 });
    assertClose(c.internal_resistance_ohm!, w.ir, { rel: 1e-12 });
    assertClose(c.max_voltage_V!, w.vmax, { rel: 1e-12 });
    assertClose(c.min_voltage_V!, w.vmin, { rel: 1e-12 });
  });
  // Cycle 2 is a full cycle: CE = 1.0729095 / 1.0725317.
  assertClose(table.cycles[1].coulombic_efficiency!, 1.0729095 / 1.0725317, { rel: 1e-12 });
});

Deno.test("summarizeCycles() gives no cycles for the all-rest BEEP FastCharge excerpt", () => {
  // Every Current value in FastCharge_000025_CH8.csv is 0.0 (248 rows at rest).
  equal(summarizeCycles(load("arbin/FastCharge_000025_CH8.csv")).length, 0);
});

Deno.test("analyzeFade() on a real Zn symmetric cell leaves out the truncated last cycle", () => {
  // Stripping capacity relative to cycle 1 (1.13 mAh in the raw file). The last cycle is cut
  // short by the end of the file (0.26 mAh, retention 0.2301; summarizeCycles marks it
  // complete: false), so analyzeFade leaves it out: 35 points, all at 1.13 or 1.14 mAh, and no
  // end of life (issue 11: the README example used to report 35.26 from that cycle).
  const table = summarizeCycles(load("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV"));
  const fade = analyzeFade(table.cycles);
  assertClose(fade.retention.reference_value, 0.00113, { abs: 1e-12 });
  equal(fade.retention.points.length, 35);
  deepEqual(fade.retention.skipped_cycles, [36]);
  equal(fade.cycle_life, null);
  equal(fade.knee, null); // a flat line has no knee
  // Counted explicitly, the cut-off cycle gives the old crossing
  // 35 + (1.0 − 0.8)/(1.0 − 0.2301) = 35.2598 (Python, raw CSV) and is an anomaly.
  const kept = analyzeFade(table.cycles.map((c) => ({ ...c, role: "counted" })));
  equal(kept.retention.points.length, 36);
  assertClose(kept.cycle_life!, 35.259770114942526, { rel: 1e-9 });
  equal(kept.anomalies.retention.anomalies.some((a) => a.cycle === 36), true);
});

Deno.test("summarizeCycles() pairs discharge-first cycles of the navani graphite half cell", () => {
  // From tests/analysis/scripts/navani_xlsx_expected.py (openpyxl on the raw sheet): the test
  // starts on discharge (Step 2) with Cycle_Index 1 throughout; cycle 2 is cut short by the end
  // of the file during its charge.
  const series = load("arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx");
  const table = summarizeCycles(series);
  equal(table.method, "current_sign");
  deepEqual(table.cycles.map((c) => [c.first_half, c.start_row, c.end_row]), [
    ["discharge", 10, 3190],
    ["discharge", 3190, 4526],
  ]);
  assertClose(table.cycles[0].discharge_capacity_Ah, 0.00579804088920355, { abs: 1e-15 });
  assertClose(table.cycles[0].charge_capacity_Ah, 0.00569810951128602, { abs: 1e-15 });
  assertClose(table.cycles[1].discharge_capacity_Ah, 0.005256856791675049, { abs: 1e-15 });
  assertClose(table.cycles[1].charge_capacity_Ah, 4.59328293800354e-06, { abs: 1e-15 });
});

Deno.test("summarizeCycles() marks the Zn file's last cycle, cut off mid-discharge, incomplete", () => {
  // The file's last rows (tests/fixtures/arbin/…_Channel_54_Wb_1.CSV) still carry −0.00113 A
  // in step 3 (discharge): cycle 36 (0.00026 Ah of discharge against 0.00113 Ah in the other
  // cycles) is cut off by the end of the file. Cycles 1–35 are followed by more data.
  const name = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
  const series = load(`arbin/${name}`);
  equal(series.current_A[series.length - 1], -0.00113);
  for (const method of ["auto", "step", "current_sign"] as const) {
    const cycles = summarizeCycles(series, { method }).cycles;
    equal(cycles.length, ZN[name].n, method);
    deepEqual(
      cycles.flatMap((c) => (c.complete ? [] : [c.cycle])),
      [36],
      method,
    );
  }
  // By cycle index (1 on every row) the single cycle is the whole test, cut off likewise.
  deepEqual(summarizeCycles(series, { method: "cycle_index" }).cycles.map((c) => c.complete), [
    false,
  ]);
});
