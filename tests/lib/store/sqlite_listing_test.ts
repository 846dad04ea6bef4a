// Copyright 2026 the battery-analysis authors. MIT license.
// SQLite schema 4 keeps the bulky parts of a test's analysis beside its document, so that lists
// read only the head: a database of schema 2 is migrated without losing anything, and one opened
// read-only (never migrated) still lists its tests.

import { deepStrictEqual as deepEqual, equal } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SQLITE_SCHEMA_VERSION, SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { analyzeTest } from "../../../analysis/analyze_test.ts";
import { hashOf, makeCycle } from "./_fixtures.ts";

Deno.test("a schema-2 SQLite store is migrated to the latest with its analyses whole; read-only, it lists", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/battery.db`;
  // 30 cycles fading 0.5 % each: a fade analysis with models, retention and anomalies.
  const cycles = Array.from(
    { length: 30 },
    (_, i) => makeCycle(i + 1, [i * 10, i * 10 + 10], { charge: 1.01, discharge: 1 - 0.005 * i }),
  );
  const analysis = analyzeTest({ cycles }, { formationCycles: 0 }).toJSON();
  let id: string;
  {
    const store = await SqliteStore.open({ path });
    const sample = await store.samples.create({ name: "s" });
    id = (await store.tests.create({
      sample_id: sample.id,
      tester: "Arbin",
      name: "t",
      file_hash: hashOf("t"),
      cycles,
      analysis,
    })).id;
    await store.close();
  }
  // Back to the schema-2 layout: the whole analysis (but its cycle table) inside `doc`.
  {
    const db = new DatabaseSync(path);
    const row = db.prepare("SELECT doc, analysis_detail FROM tests WHERE id = ?").get(id)!;
    const doc = JSON.parse(row.doc as string);
    Object.assign(doc.analysis, JSON.parse(row.analysis_detail as string));
    delete doc._end_time_s;
    db.prepare("UPDATE tests SET doc = ? WHERE id = ?").run(JSON.stringify(doc), id);
    db.exec("ALTER TABLE tests DROP COLUMN analysis_detail");
    db.exec("DROP TABLE test_index");
    db.exec("DELETE FROM schema_version WHERE version >= 3");
    db.close();
  }
  {
    const store = await SqliteStore.open({ path, readOnly: true });
    equal(store.schemaVersion(), 2);
    deepEqual((await store.tests.get(id))!.analysis, analysis);
    const [listed] = await store.tests.list();
    equal(listed.end_time_s, 299); // cycle 30: rows 290–299, one per second
    deepEqual(listed.analysis!.summary, analysis.summary);
    equal("fade" in listed.analysis!, false);
    await store.close();
  }
  {
    const store = await SqliteStore.open({ path });
    equal(store.schemaVersion(), SQLITE_SCHEMA_VERSION);
    deepEqual((await store.tests.get(id))!.analysis, analysis);
    deepEqual((await store.tests.find({ without_cycles: true }))[0].analysis!.fade, analysis.fade);
    const [listed] = await store.tests.list();
    equal(listed.end_time_s, 299);
    deepEqual(listed.analysis!.flags, analysis.flags);
    // Version 5's index columns come from the migrated document: a fade analysis (30 fading
    // cycles), data ending at the last cycle (no absolute start time: unknown).
    equal(analysis.fade_note, null);
    equal(await store.tests.count({ has_fade: true }), 1);
    equal(await store.tests.count({ last_data_known: false }), 1);
    await store.close();
  }
  await Deno.remove(dir, { recursive: true });
});
