// Copyright 2026 the battery-analysis authors. MIT license.
// Editing a stored test and a sample: the analysis follows, every change is in the history, and
// an edit the cycles cannot satisfy changes nothing.

import { deepStrictEqual as deepEqual, equal, rejects } from "node:assert/strict";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { editSample, editTest, historyOf } from "../../../lib/edit/mod.ts";
import { analyzeStoredTest } from "../../../lib/analyze/analyze_stored_test.ts";
import { hashOf, makeCycle } from "../store/_fixtures.ts";

/** 20 cycles; discharge capacity 1 − 0.01·(k − 1) Ah: cycle 3 holds 0.98 Ah, cycle 20 0.81 Ah. */
async function testStore() {
  const store = await SqliteStore.open({ path: ":memory:" });
  const sample = await store.samples.create({ name: "cell A" });
  const cycles = Array.from(
    { length: 20 },
    (_, i) => makeCycle(i + 1, [i * 10, i * 10 + 10], { charge: 1.0, discharge: 1 - 0.01 * i }),
  );
  const test = await store.tests.create({
    sample_id: sample.id,
    tester: "Arbin",
    name: "t",
    file_hash: hashOf("t"),
    cycles,
    tags: ["old"],
    analysis_options: { formationCycles: 0 },
  });
  await analyzeStoredTest(store, test.id, { save: true });
  return { store, id: test.id };
}

Deno.test("editTest: reference cycle and threshold are stored and the analysis follows", async () => {
  const { store, id } = await testStore();
  const r = await editTest(store, { test: id, referenceCycle: 3, threshold: 0.85, by: "ana" });
  equal(r.reanalyzed, true);
  const s = r.test.analysis!.summary;
  equal(s.reference_cycle, 3);
  equal(s.initial_capacity_Ah, 0.98); // cycle 3
  // Retention at cycle 20: 0.81 / 0.98.
  equal(s.capacity_retention, 0.81 / 0.98);
  equal(r.test.analysis!.options.threshold, 0.85);
  deepEqual(r.test.analysis_options, { formationCycles: 0, referenceCycle: 3, threshold: 0.85 });
  deepEqual(
    historyOf(r.test).map((e) => [e.field, e.from, e.to, e.by]),
    [["analysis.referenceCycle", null, 3, "ana"], ["analysis.threshold", null, 0.85, "ana"]],
  );
  // Back to the default reference cycle.
  const back = await editTest(store, { test: id, referenceCycle: null });
  equal(back.test.analysis!.summary.reference_cycle, 1);
  deepEqual(back.test.analysis_options, { formationCycles: 0, threshold: 0.85 });
  await store.close();
});

Deno.test("editTest: a reference cycle the test does not have changes nothing", async () => {
  const { store, id } = await testStore();
  const before = (await store.tests.get(id))!;
  await rejects(editTest(store, { test: id, referenceCycle: 99, tags: ["new"] }), RangeError);
  const after = (await store.tests.get(id))!;
  deepEqual(after.analysis_options, before.analysis_options);
  deepEqual(after.tags, ["old"]);
  deepEqual(after.analysis!.summary, before.analysis!.summary);
  deepEqual(historyOf(after), []);
  await rejects(editTest(store, { test: id, threshold: 1.5 }), /between 0 and 1/);
  await rejects(editTest(store, { test: "nope", tags: [] }), /no such test/);
  await store.close();
});

Deno.test("editTest moves a test to another sample; editSample records in both histories", async () => {
  const { store, id } = await testStore();
  const moved = await editTest(store, { test: id, sample: "cell B", tags: ["b", "b", ""] });
  equal(moved.createdSample, true);
  const b = (await store.samples.getByName("cell B"))!;
  equal(moved.test.sample_id, b.id);
  deepEqual(moved.test.tags, ["b"]);
  equal((await store.samples.getByName("cell A"))!.metrics.test_count, 0);
  equal(b.metrics.test_count, 1);
  const edited = await editSample(store, {
    sample: "cell B",
    info: { nominal_capacity_Ah: 1.0, area_cm2: 1.13 },
    note: "coin cell, 1.2 cm disc",
    by: "ana",
  });
  deepEqual(edited.changes.map((c) => c.field), ["nominal_capacity_Ah", "area_cm2"]);
  deepEqual(historyOf(edited.sample).map((c) => c.to), [1.0, 1.13]);
  equal(edited.sample.notes.at(-1)!.text, "coin cell, 1.2 cm disc");
  const test = (await store.tests.get(id))!;
  deepEqual(
    historyOf(test).map((e) => e.field),
    ["tags", "sample", "sample.nominal_capacity_Ah", "sample.area_cm2"],
  );
  // The analysis read the new nominal capacity.
  equal(edited.tests_analyzed.includes(id), true);
  await store.close();
});
