// Copyright 2026 the battery-analysis authors. MIT license.
// refreshAnalyses (what `migrate` runs): a stored analysis of another version is computed again
// from the stored series — its cycles included, since how counters are integrated into per-cycle
// capacities and energies is part of the analysis — and the result equals a fresh import's.

import { deepStrictEqual as deepEqual, equal } from "node:assert/strict";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { refreshAnalyses } from "../../../lib/analyze/refresh_analyses.ts";
import { analyzeStoredTest } from "../../../lib/analyze/analyze_stored_test.ts";
import { ANALYSIS_VERSION, analyzeTest } from "../../../analysis/analyze_test.ts";
import { summarizeCycles } from "../../../analysis/cycles.ts";
import { synthesize } from "../../analysis/_synthetic.ts";
import { hashOf } from "../store/_fixtures.ts";
import { assertClose } from "../../_util.ts";

/**
 * One cycle of a symmetric cell: charge at 1 A for 1 h (100 rows), discharge at −1 A for 1 h.
 * The instrument's charge energy counter follows the voltage through 0 V: E(τ) = −τ + 1.5 τ² Wh
 * (V from −1 V to +2 V over the hour at 1 A), down to −1/6 Wh and up to +0.5 Wh at the end of
 * the charge, where it stays. Known answer: the cycle's charge energy is 0.5 Wh, the counter's
 * last value (version 8 integrates it with its sign; version 7 repaired the crossing as a reset).
 */
function symmetricCell() {
  const series = synthesize([
    { current_A: 1, duration_s: 3600, voltage: (t) => -1 + 3 * t, step: 1, cycle: 1 },
    { current_A: -1, duration_s: 3600, voltage: (t) => 2 - 3 * t, step: 2, cycle: 1 },
  ], { dt_s: 36 });
  for (let k = 0; k < series.length; k++) {
    const tau = Math.min(k, 100) / 100;
    series.charge_energy_Wh[k] = -tau + 1.5 * tau * tau;
  }
  return series;
}

Deno.test("refreshAnalyses builds the cycles of a stale analysis again from the stored series", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  try {
    const series = symmetricCell();
    const fresh = summarizeCycles(series, { method: "cycle_index" });
    equal(fresh.cycles.length, 1);
    assertClose(fresh.cycles[0].charge_energy_Wh!, 0.5, { abs: 1e-12 });
    // Stored as an earlier version left it: cycles with another charge energy (as the reset
    // repair of version 7 counted it), and an analysis of version 7 made from them.
    const old = fresh.cycles.map((c) => ({ ...c, charge_energy_Wh: 0.51 }));
    const oldAnalysis = {
      ...analyzeTest({ series, cycles: old, cycleMethod: "cycle_index" }).toJSON(),
      analysis_version: ANALYSIS_VERSION - 1,
    };
    const sample = await store.samples.create({ name: "Zn|Zn" });
    const test = await store.tests.create({
      sample_id: sample.id,
      tester: "BioLogic",
      name: "sym",
      file_hash: hashOf("sym"),
      cycles: old,
      metadata: { cycle_method: "cycle_index" },
      analysis: oldAnalysis,
    }, { series });

    const report = await refreshAnalyses(store);
    deepEqual(report.tests.map((t) => [t.from_version, t.status]), [
      [ANALYSIS_VERSION - 1, "analyzed"],
    ]);
    const stored = (await store.tests.get(test.id))!;
    equal(stored.analysis!.analysis_version, ANALYSIS_VERSION);
    // The stored cycles and the analysis's cycles are those of a fresh import (0.5 Wh).
    deepEqual(stored.cycles, [...fresh.cycles]);
    assertClose(stored.analysis!.cycles[0].charge_energy_Wh!, 0.5, { abs: 1e-12 });
    equal(stored.metadata.cycle_method, "cycle_index");
    const imported = analyzeTest({ series, cycles: fresh.cycles, cycleMethod: "cycle_index" });
    deepEqual(stored.analysis!.summary, imported.toJSON().summary);
    // Nothing stale any more; a current analysis is read from the stored cycles as they are.
    equal((await refreshAnalyses(store)).tests.length, 0);
    await store.tests.update(test.id, {
      cycles: old,
      analysis: { ...stored.analysis!, cycles: [] },
    });
    const current = await analyzeStoredTest(store, test.id);
    equal(current.cycles[0].charge_energy_Wh, 0.51);
  } finally {
    await store.close();
  }
});
