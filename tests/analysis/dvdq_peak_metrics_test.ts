// Copyright 2026 the battery-analysis authors. MIT license.
// dV/dQ peak metrics on synthetic cycles whose voltage has steps at known capacities: a step of
// height h and width w at Q = a, V = … − h / (1 + exp(−(Q − a)/w)), puts a dV/dQ peak at Q = a
// exactly (its derivative is symmetric about a, and so stays after symmetric smoothing).
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { dvdqPeakMetrics } from "../../analysis/dvdq_peak_metrics.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";
import { importDirectory } from "../../lib/import/import_directory.ts";
import { SqliteStore } from "../../lib/store/sqlite_store.ts";
import { assertClose, fixturePath } from "../_util.ts";

interface Feature {
  /** Position in the half cycle (capacity passed since its start), Ah. */
  at: number;
  /** Voltage step, V. */
  height: number;
}

/**
 * One cycle: a rest, a charge of `capacity` Ah at +1 A, a rest, a discharge of `capacity` Ah at
 * −1 A (1 row per 0.5 mAh), the discharge's voltage falling with the given features; the charge
 * mirrors it.
 */
function cycle(capacity: number, features: Feature[]): CyclingSeries {
  const per = Math.round(capacity / 0.0005);
  const rows: { t: number; i: number; v: number; qc: number; qd: number }[] = [];
  const vOf = (q: number) =>
    4.1 - 0.3 * q - features.reduce((s, f) => s + f.height / (1 + Math.exp(-(q - f.at) / 0.01)), 0);
  let t = 0;
  for (let k = 0; k < 20; k++) rows.push({ t: t++, i: 0, v: vOf(capacity), qc: 0, qd: 0 });
  for (let k = 0; k <= per; k++) {
    const q = (k / per) * capacity;
    rows.push({ t: t++, i: 1, v: vOf(capacity - q) + 0.02, qc: q, qd: 0 });
  }
  for (let k = 0; k < 20; k++) rows.push({ t: t++, i: 0, v: vOf(0), qc: capacity, qd: 0 });
  for (let k = 0; k <= per; k++) {
    const q = (k / per) * capacity;
    rows.push({ t: t++, i: -1, v: vOf(q) - 0.02, qc: capacity, qd: q });
  }
  const n = rows.length;
  const col = (f: (r: typeof rows[number]) => number) => Float64Array.from(rows, f);
  return {
    length: n,
    time_s: col((r) => r.t),
    current_A: col((r) => r.i),
    voltage_V: col((r) => r.v),
    charge_capacity_Ah: col((r) => r.qc),
    discharge_capacity_Ah: col((r) => r.qd),
    charge_energy_Wh: new Float64Array(n).fill(NaN),
    discharge_energy_Wh: new Float64Array(n).fill(NaN),
    step_index: Int32Array.from(rows, (r) => (r.i > 0 ? 2 : r.i < 0 ? 4 : 1)),
    cycle_index: new Int32Array(n).fill(1),
    extras: {},
    start_time: null,
    columns: {},
  };
}

Deno.test("dvdqPeakMetrics: loss of active material shrinks the separation of the two peaks", () => {
  // Features at 0.30 and 0.70 Ah of a 1 Ah discharge; at the last cycle the capacity between
  // them shrank by 0.1 Ah (B at 0.60 Ah), so the separation goes from 0.40 to 0.30 Ah: retention
  // 0.75. A third, smaller step (0.05 V against 0.2 V) is not one of the two followed.
  const first = cycle(1, [{ at: 0.3, height: 0.2 }, { at: 0.7, height: 0.2 }, {
    at: 0.82,
    height: 0.05,
  }]);
  const last = cycle(0.9, [{ at: 0.3, height: 0.2 }, { at: 0.6, height: 0.2 }, {
    at: 0.75,
    height: 0.05,
  }]);
  const m = dvdqPeakMetrics({
    first: { series: first, cycle: 2 },
    last: { series: last, cycle: 150 },
    direction: "discharge",
  });
  equal(m.direction, "discharge");
  equal(m.first.cycle, 2);
  equal(m.last!.cycle, 150);
  // Peaks are searched between 10 % and 90 % of the half's capacity: the three steps.
  equal(m.first.peak_count, 3);
  equal(m.last!.peak_count, 3);
  // Capacity passed over the discharge: the generated 1 Ah and 0.9 Ah.
  assertClose(m.first.capacity_Ah, 1, { abs: 1e-9 });
  assertClose(m.last!.capacity_Ah, 0.9, { abs: 1e-9 });
  // Positions within 2 grid steps (the grid is capacity / 1000 rounded to 1-2-5: 1 mAh).
  assertClose(m.first.peak_a_Ah!, 0.3, { abs: 0.002 });
  assertClose(m.first.peak_b_Ah!, 0.7, { abs: 0.002 });
  assertClose(m.last!.peak_a_Ah!, 0.3, { abs: 0.002 });
  assertClose(m.last!.peak_b_Ah!, 0.6, { abs: 0.002 });
  assertClose(m.first.separation_Ah!, 0.4, { abs: 0.003 });
  assertClose(m.last!.separation_Ah!, 0.3, { abs: 0.003 });
  assertClose(m.separation_retention!, 0.75, { abs: 0.01 });
  assertClose(m.peak_a_shift_Ah!, 0, { abs: 0.002 });
  equal(m.note, null);
});

Deno.test("dvdqPeakMetrics: loss of lithium inventory shifts both peaks and keeps their distance", () => {
  // Both features 0.1 Ah earlier in the discharge: shift −0.1 Ah, separation retention 1.
  const m = dvdqPeakMetrics({
    first: { series: cycle(1, [{ at: 0.35, height: 0.2 }, { at: 0.75, height: 0.15 }]), cycle: 1 },
    last: { series: cycle(0.9, [{ at: 0.25, height: 0.2 }, { at: 0.65, height: 0.15 }]), cycle: 9 },
    direction: "discharge",
  });
  assertClose(m.peak_a_shift_Ah!, -0.1, { abs: 0.003 });
  assertClose(m.separation_retention!, 1, { abs: 0.01 });
});

Deno.test("dvdqPeakMetrics: the charge half, one cycle, and too few peaks say why", () => {
  // The charge mirrors the discharge: features at capacity − position.
  const one = dvdqPeakMetrics({
    first: { series: cycle(1, [{ at: 0.3, height: 0.2 }, { at: 0.7, height: 0.2 }]), cycle: 1 },
    last: null,
    direction: "charge",
  });
  assertClose(one.first.peak_a_Ah!, 0.3, { abs: 0.002 });
  assertClose(one.first.peak_b_Ah!, 0.7, { abs: 0.002 });
  equal(one.last, null);
  equal(one.separation_retention, null);
  equal(one.note, "one full cycle (1): nothing to compare it with");
  // One feature only: no separation, and the note says so.
  const single = dvdqPeakMetrics({
    first: { series: cycle(1, [{ at: 0.5, height: 0.2 }]), cycle: 1 },
    last: { series: cycle(1, [{ at: 0.45, height: 0.2 }]), cycle: 2 },
    direction: "discharge",
  });
  equal(single.first.peak_b_Ah, null);
  equal(single.first.separation_Ah, null);
  assertClose(single.peak_a_shift_Ah!, -0.05, { abs: 0.002 });
  equal(
    single.note,
    "the discharge of cycle 1 has one dV/dQ peak; the discharge of cycle 2 has one dV/dQ peak",
  );
  // The later cycle lost a feature: it has no B.
  const lost = dvdqPeakMetrics({
    first: { series: cycle(1, [{ at: 0.3, height: 0.2 }, { at: 0.7, height: 0.2 }]), cycle: 1 },
    last: { series: cycle(1, [{ at: 0.32, height: 0.2 }]), cycle: 50 },
    direction: "discharge",
  });
  assertClose(lost.last!.peak_a_Ah!, 0.32, { abs: 0.002 });
  equal(lost.last!.peak_b_Ah, null);
  equal(lost.separation_retention, null);
  equal(lost.note, "the discharge of cycle 50 has one dV/dQ peak");
  // A plain linear discharge has no peak at all.
  const flat = dvdqPeakMetrics({
    first: { series: cycle(1, []), cycle: 1 },
    last: null,
    direction: "discharge",
  });
  equal(flat.first.peak_count, 0);
  ok(flat.note!.startsWith("the discharge of cycle 1 has no dV/dQ peak"));
});

Deno.test("dvdqPeakMetrics: a cycle without the half is a RangeError", () => {
  const charge = cycle(1, [{ at: 0.5, height: 0.2 }]);
  // Its first 1000 rows: the rest and most of the charge.
  const only = Object.fromEntries(
    Object.entries(charge).map((
      [k, v],
    ) => [k, ArrayBuffer.isView(v) ? (v as Float64Array).slice(0, 1000) : v]),
  ) as unknown as CyclingSeries;
  only.length = 1000;
  throws(
    () =>
      dvdqPeakMetrics({ first: { series: only, cycle: 3 }, last: null, direction: "discharge" }),
    /cycle 3 has no discharge/,
  );
  throws(
    () =>
      dvdqPeakMetrics({
        first: { series: charge, cycle: 1 },
        last: null,
        direction: "sideways" as never,
      }),
    RangeError,
  );
});

Deno.test("dvdqPeakMetrics on the LG M50T fixture agrees with SciPy within 30 mAh", async () => {
  // The file imported by the real pipeline into a store; the cycles of its stored analysis's
  // dQ/dV report (the first and last full counted cycles, 2 and 7) read from the store as the
  // dashboard reads them.
  const dir = await Deno.makeTempDir({ prefix: "dvdq_m50t_" });
  const name = "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax";
  await Deno.copyFile(fixturePath(`neware/${name}`), `${dir}/${name}`);
  const store = await SqliteStore.open({ path: ":memory:" });
  try {
    await importDirectory(store, [dir], { workers: 0, archive: false });
    const [test] = await store.tests.find({});
    deepEqual(test.analysis!.dqdv!.cycles, [2, 7]);
    const rows = async (cycle: number) => ({
      series: (await store.series.read(test.id, { cycle }))!,
      cycle,
    });
    const m = dvdqPeakMetrics({
      first: await rows(2),
      last: await rows(7),
      direction: "discharge",
    });
    // tests/analysis/scripts/m50t_dvdq_expected.py (fastnda's reading of the file, numpy
    // interpolation and gradient, SciPy Gaussian and find_peaks): capacities 4.72047 and
    // 4.71903 Ah, peaks at 1.138 and 2.316 Ah (cycle 2), 1.134 and 2.318 Ah (cycle 7). The
    // second peak is broad: the two smoothings place its top 20–25 mAh apart (0.5 % of the
    // capacity).
    assertClose(m.first.capacity_Ah, 4.72047, { abs: 1e-4 });
    assertClose(m.last!.capacity_Ah, 4.71903, { abs: 1e-4 });
    assertClose(m.first.peak_a_Ah!, 1.138, { abs: 0.03 });
    assertClose(m.first.peak_b_Ah!, 2.316, { abs: 0.03 });
    assertClose(m.last!.peak_a_Ah!, 1.134, { abs: 0.03 });
    assertClose(m.last!.peak_b_Ah!, 2.318, { abs: 0.03 });
    // Separation retention: SciPy 1.184 / 1.178 = 1.005; five cycles apart, no measurable loss.
    assertClose(m.separation_retention!, 1.005, { abs: 0.01 });
    equal(m.note, null);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
