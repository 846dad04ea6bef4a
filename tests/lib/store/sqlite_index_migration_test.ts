// Copyright 2026 the battery-analysis authors. MIT license.
// Schema version 3 indexes the stored analysis and the free-text fields of tests in a table
// (version 5 adds the last data point, the fade analysis and the random order). A database
// written at version 2 is migrated: the table is filled from the stored documents, and queries
// give what they give on a database written at the latest version.
import { deepEqual, equal } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SQLITE_SCHEMA_VERSION, SqliteStore } from "../../../lib/store/sqlite_store.ts";
import type { TestFilter } from "../../../lib/store/store.ts";
import { analyzeTest } from "../../../analysis/analyze_test.ts";
import { hashOf, makeCycle } from "./_fixtures.ts";

Deno.test("SqliteStore: a version-2 database gets the test index from its documents", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_index_" });
  const path = `${dir}/b.db`;
  const queries: TestFilter[] = [
    { sort: { key: "capacity_retention", order: "desc" } },
    { summary: [{ field: "fade_per_100_cycles", op: ">", value: 0 }] },
    { text: "nmc run-2.csv" },
    { tester_any_case: "ARBIN", sort: { key: "name" } },
    { protocol: "cc_cycling" },
    { sort: { key: "flag_count", order: "desc" } },
    // Version 5: the last data point, the fade analysis and the random order.
    { sort: { key: "last_data_time", order: "desc" } },
    { last_data_from: "2024-01-02T00:00:00.000Z" },
    { has_fade: true },
    { sort: { key: "random" } },
  ];
  const run = async (store: SqliteStore) => {
    const out = [];
    for (const q of queries) {
      out.push((await store.tests.find({ ...q, without_cycles: true })).map((t) => t.name));
    }
    return out;
  };
  let store = await SqliteStore.open({ path });
  let before;
  try {
    const cell = await store.samples.create({ name: "M1", chemistry: "NMC622" });
    for (const [k, r] of [0.97, 0.85, 0.9, 0.6].entries()) {
      const cycles = [
        makeCycle(1, [0, 10], { charge: 1.01, discharge: 1 }),
        makeCycle(2, [10, 20], { charge: (1 + r) / 2 / 0.99, discharge: (1 + r) / 2 }),
        makeCycle(3, [20, 30], { charge: r / 0.99, discharge: r }),
      ];
      await store.tests.create({
        sample_id: cell.id,
        tester: k % 2 ? "Arbin" : "Maccor",
        name: `run-${k}`,
        file_hash: hashOf(`m${k}`),
        start_time: `2024-01-0${k + 1}T00:00:00.000Z`,
        parts: [{
          file_name: `run-${k}.csv`,
          file_hash: hashOf(`m${k}`),
          start_row: 0,
          end_row: 30,
        }],
        cycles,
        analysis: analyzeTest({ cycles }).toJSON(),
      });
    }
    before = await run(store);
  } finally {
    await store.close();
  }
  // Back to version 2: the index table removed, and the analysis whole in each document again
  // (version 4 keeps its bulky parts in analysis_detail).
  const db = new DatabaseSync(path);
  db.exec("DROP TABLE test_index");
  for (const row of db.prepare("SELECT id, doc, analysis_detail FROM tests").all()) {
    const doc = JSON.parse(row.doc as string);
    delete doc._end_time_s;
    if (doc.analysis) Object.assign(doc.analysis, JSON.parse(row.analysis_detail as string));
    db.prepare("UPDATE tests SET doc = ? WHERE id = ?").run(JSON.stringify(doc), row.id as string);
  }
  db.exec("ALTER TABLE tests DROP COLUMN analysis_detail");
  db.exec("DELETE FROM schema_version WHERE version >= 3");
  db.close();
  store = await SqliteStore.open({ path });
  try {
    equal(store.schemaVersion(), SQLITE_SCHEMA_VERSION);
    deepEqual(await run(store), before);
    // The expected orders, from the retentions written: 0.97, 0.85, 0.9, 0.6.
    deepEqual(before[0], ["run-0", "run-2", "run-1", "run-3"]);
    deepEqual(before[2], ["run-2"]);
    deepEqual(before[3], ["run-1", "run-3"]);
    // Each ends 29 s after its start (makeCycle: the last cycle ends at row 30 − 1).
    deepEqual(before[6], ["run-3", "run-2", "run-1", "run-0"]);
    deepEqual(before[7], ["run-1", "run-2", "run-3"]);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
