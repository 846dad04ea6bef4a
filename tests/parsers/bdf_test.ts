// Copyright 2026 the battery-analysis authors. MIT license.

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { bdfCsv } from "../../parsers/bdf_csv.ts";
import { toBdfCsv } from "../../parsers/to_bdf.ts";
import { maccorText } from "../../parsers/maccor_text.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { assertClose, readFixture } from "../_util.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Synthetic series with known values: cumulative counters (BDF's convention), awkward floats. */
function synthetic(): CyclingSeries {
  const n = 50;
  const f = (g: (k: number) => number) => Float64Array.from({ length: n }, (_, k) => g(k));
  const current = f((k) => (k < 25 ? 0.1 + k / 3 : -(0.2 + k / 7)));
  let qc = 0, qd = 0;
  const charge = f((k) => (qc += k < 25 ? 0.001 * k + 1e-17 : 0));
  const discharge = f((k) => (qd += k >= 25 ? 0.0007 * k : 0));
  return {
    length: n,
    time_s: f((k) => k * 1.1),
    voltage_V: f((k) => 3 + Math.sin(k) / 3),
    current_A: current,
    charge_capacity_Ah: charge,
    discharge_capacity_Ah: discharge,
    charge_energy_Wh: f((k) => charge[k] * 3.7),
    discharge_energy_Wh: f((k) => discharge[k] * 3.6),
    step_index: Int32Array.from({ length: n }, (_, k) => (k < 10 ? 1 : k < 25 ? 2 : 1)),
    cycle_index: Int32Array.from({ length: n }, (_, k) => (k < 40 ? 1 : 2)),
    temperature_C: f((k) => (k === 7 ? NaN : 25 + k / 100)),
    extras: { step_time_s: f((k) => k * 0.5), internal_resistance_ohm: f(() => 0.0123) },
    start_time: "2024-03-01T10:00:00Z",
    columns: {},
  };
}

Deno.test("toBdfCsv then bdfCsv gives the same series back (round trip)", () => {
  const a = synthetic();
  const text = toBdfCsv(a);
  equal(detectFormat(enc(text), "x.bdf.csv").parser.id, "bdf_csv");
  const b = bdfCsv.parse(enc(text), { fileName: "x.bdf.csv" }).series!;
  equal(b.length, a.length);
  for (
    const k of [
      "time_s",
      "voltage_V",
      "current_A",
      "charge_capacity_Ah",
      "discharge_capacity_Ah",
      "charge_energy_Wh",
      "discharge_energy_Wh",
    ] as const
  ) {
    deepEqual([...b[k]], [...a[k]], k);
  }
  deepEqual([...b.step_index], [...a.step_index]);
  deepEqual([...b.cycle_index], [...a.cycle_index]);
  deepEqual([...b.temperature_C!], [...a.temperature_C!]); // NaN survives as an empty field
  deepEqual([...b.extras.step_time_s], [...a.extras.step_time_s]);
  deepEqual([...b.extras.internal_resistance_ohm], [...a.extras.internal_resistance_ohm]);
  equal(b.start_time, a.start_time);
  // And once more: the second export is byte-identical.
  equal(toBdfCsv(b), text);
});

Deno.test("toBdfCsv writes BDF labels, machine names, and Step Count that never repeats", () => {
  const a = synthetic();
  const header = toBdfCsv(a).split("\n")[0].split(",");
  deepEqual(header.slice(0, 7), [
    "Test Time / s",
    "Voltage / V",
    "Current / A",
    "Unix Time / s",
    "Cycle Count / 1",
    "Step Count / 1",
    "Step ID",
  ]);
  const rows = toBdfCsv(a, { header: "name" }).trim().split("\n");
  equal(rows[0].split(",")[0], "test_time_second");
  // Step IDs 1,1..,2,..,1: Step Count 1 → 2 → 3 (BDF: never repeats).
  const stepCount = rows.slice(1).map((r) => Number(r.split(",")[5]));
  deepEqual([stepCount[0], stepCount[10], stepCount[25], stepCount[49]], [1, 2, 3, 3]);
  // Unix time: 2024-03-01T10:00:00Z = 1709287200 s (date -u -d ... +%s).
  equal(rows[1].split(",")[3], "1709287200");
});

Deno.test("toBdfCsv turns per-step Maccor counters into running totals (BDF counters never reset)", () => {
  const bytes = readFixture("maccor/maccor_two.txt");
  const s = maccorText.parse(bytes, { fileName: "maccor_two.txt" }).series!;
  const back = bdfCsv.parse(enc(toBdfCsv(s)), { fileName: "x.bdf" }).series!;
  deepEqual([...back.time_s], [...s.time_s]);
  deepEqual([...back.voltage_V], [...s.voltage_V]);
  // Synthetic resetting counter: [0, 1, 2, 0, 1] → [0, 1, 2, 2, 3].
  const r = synthetic();
  r.charge_capacity_Ah = Float64Array.of(...[0, 1, 2, 0, 1], ...new Array(45).fill(1));
  const b = bdfCsv.parse(enc(toBdfCsv(r)), { fileName: "y.bdf" }).series!;
  deepEqual([...b.charge_capacity_Ah.slice(0, 5)], [0, 1, 2, 2, 3]);
});

Deno.test("toBdfCsv writes no Unix time for a zone-less start unless told the offset", () => {
  const a = synthetic();
  a.start_time = "2024-03-01T10:00:00";
  equal(toBdfCsv(a).split("\n")[0].includes("Unix Time / s"), false);
  const text = toBdfCsv(a, { utcOffsetMinutes: 60 }); // 10:00 at UTC+1 is 09:00Z
  equal(text.split("\n")[1].split(",")[3], String(1709287200 - 3600));
  throws(() => toBdfCsv(a, { utcOffsetMinutes: NaN }), RangeError);
});

Deno.test("bdfCsv accepts other units of a quantity and refuses missing required columns", () => {
  const text = "Test Time / h,Voltage / mV,Current / mA,Charging Capacity / mAh,Extra Thing\n" +
    "0.5,3700,-250,12,7\n";
  const r = bdfCsv.parse(enc(text), { fileName: "u.bdf.csv" });
  const s = r.series!;
  equal(s.time_s[0], 1800);
  assertClose(s.voltage_V[0], 3.7);
  assertClose(s.current_A[0], -0.25);
  assertClose(s.charge_capacity_Ah[0], 0.012);
  match(r.meta.warnings.join(";"), /columns not read: Extra Thing/);
  throws(
    () => bdfCsv.parse(enc("Test Time / s,Voltage / V\n1,2\n"), { fileName: "v.bdf" }),
    (e: unknown) => e instanceof ParseError && /current_ampere/.test(e.message),
  );
});

Deno.test("bdfCsv integrates missing capacity and energy counters, so cycles can be built", () => {
  // Synthetic BDF file without capacity or energy columns: two cycles of +1 A for 3600 s at
  // 3.7 V, then −1 A for 1800 s at 3.5 V; each current switch is written as two rows at the same
  // time, so the trapezoid rule is exact. Known answer: per cycle 1 Ah and 3.7 Wh in, 0.5 Ah and
  // 1.75 Wh out; over the file 2 Ah and 7.4 Wh in, 1 Ah and 3.5 Wh out.
  const rows = ["Test Time / s,Voltage / V,Current / A,Cycle Count / 1"];
  for (const [cycle, t0] of [[1, 0], [2, 5400]]) {
    for (let t = 0; t <= 3600; t += 900) rows.push(`${t0 + t},3.7,1,${cycle}`);
    for (let t = 3600; t <= 5400; t += 900) rows.push(`${t0 + t},3.5,-1,${cycle}`);
  }
  const rec = bdfCsv.parse(enc(rows.join("\n") + "\n"), { fileName: "steps.bdf.csv" });
  const s = rec.series!;
  const last = s.length - 1;
  assertClose(s.charge_capacity_Ah[last], 2, { abs: 1e-12 });
  assertClose(s.discharge_capacity_Ah[last], 1, { abs: 1e-12 });
  assertClose(s.charge_energy_Wh[last], 7.4, { abs: 1e-12 });
  assertClose(s.discharge_energy_Wh[last], 3.5, { abs: 1e-12 });
  equal(s.columns.charge_capacity_Ah.derived, true);
  equal(s.columns.discharge_energy_Wh.derived, true);
  match(rec.meta.warnings.join("\n"), /charge_capacity_Ah not in the file: integral/);
  const table = summarizeCycles(s);
  equal(table.cycles.length, 2);
  for (const c of table.cycles) {
    assertClose(c.charge_capacity_Ah, 1, { abs: 1e-12 });
    assertClose(c.discharge_capacity_Ah, 0.5, { abs: 1e-12 });
    assertClose(c.charge_energy_Wh!, 3.7, { abs: 1e-12 });
    assertClose(c.discharge_energy_Wh!, 1.75, { abs: 1e-12 });
  }
});

Deno.test("bdfCsv follows BDF's sign rule for BatMo's self-contradicting export and warns", () => {
  // other/batmo_bdf.csv (cellpy testdata): current is positive on steps its "Step Type / 1" calls
  // discharge, and its "Discharge Capacity / Ah" grows then. Expected per-cycle capacities: pandas,
  // trapezoid integral of positive / negative current over the intervals ending in each
  // "Cycle Count / 1" group (cycle 1: 0.2771580379815865 / 0.15941885447199214 Ah; cycle 2:
  // 0.14764493612103746 / 0.15579416960823683; cycle 109: 0.1503697572250941 both).
  const rec = bdfCsv.parse(readFixture("other/batmo_bdf.csv"), { fileName: "batmo_bdf.csv" });
  const s = rec.series!;
  equal(s.length, 21206);
  ok(s.current_A[0] > 0); // kept as written
  match(
    rec.meta.warnings.join("\n"),
    /contradicts itself.*15879 of 15879 rows.*"Step Type \/ 1" names the other direction on 16098 rows/,
  );
  ok(s.extras.file_discharge_capacity_Ah[1] > 0);
  equal(s.columns.charge_capacity_Ah.derived, true);
  const cycles = summarizeCycles(s).cycles;
  equal(cycles.length, 109);
  for (
    const [k, qc, qd] of [[0, 0.2771580379815865, 0.15941885447199214], [
      1,
      0.14764493612103746,
      0.15579416960823683,
    ], [108, 0.1503697572250941, 0.1503697572250941]]
  ) {
    assertClose(cycles[k].charge_capacity_Ah, qc, { rel: 1e-9 });
    assertClose(cycles[k].discharge_capacity_Ah, qd, { rel: 1e-9 });
  }
});
