// Copyright 2026 the battery-analysis authors. MIT license.
// End-to-end: the cycling fixtures (every file under tests/fixtures/ but the EIS and damaged ones)
// imported into MongoDB (FerretDB in CI) and into SQLite; every stored test — its analysis above all — reads back from MongoDB exactly as from
// SQLite (which keeps documents as JSON text). Real analyses hold nested arrays (the fade models'
// covariance matrices) that FerretDB refuses unless the adapter encodes them; before it did,
// tests with fade models could not be imported into FerretDB at all.

import { deepStrictEqual as deepEqual, equal, ok } from "node:assert/strict";
import { importDirectory } from "../../../lib/import/import_directory.ts";
import { MongoStore } from "../../../lib/store/mongo_store.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import type { Store } from "../../../lib/store/store.ts";
import type { TestResult } from "../../../lib/store/documents.ts";
import { fixturePath } from "../../_util.ts";

const MONGO_URI = Deno.env.get("MONGO_URI");

/** A stored test without what differs between two stores (ids, times, the store's own data). */
function comparable(test: TestResult): Record<string, unknown> {
  const { id: _id, sample_id: _s, created_at: _c, updated_at: _u, data: _d, ...rest } = test;
  return rest;
}

const FOLDERS = ["arbin", "biologic", "landt", "maccor", "neware", "other", "synthetic"];

async function importedTests(store: Store): Promise<Map<string, TestResult>> {
  // Parsed in this thread: the same order of files (and of joined parts) in both stores.
  const roots = FOLDERS.map((f) => fixturePath(f));
  const summary = await importDirectory(store, roots, { workers: 0, archive: false });
  ok(summary.created > 60, JSON.stringify(summary));
  return new Map((await store.tests.find()).map((t) => [t.file_hash, t]));
}

Deno.test({
  name: "every cycling fixture's test and analysis round-trips through MongoDB (mongodb)",
  ignore: !MONGO_URI,
  async fn() {
    const sqlite = await SqliteStore.open({ path: ":memory:" });
    const mongo = await MongoStore.connect({
      uri: MONGO_URI!,
      dbName: `bt_roundtrip_${Date.now().toString(36)}`,
    });
    try {
      const expected = await importedTests(sqlite);
      const got = await importedTests(mongo);
      deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
      const withCovariance: string[] = [];
      for (const [hash, want] of expected) {
        const test = got.get(hash)!;
        deepEqual(comparable(test), comparable(want), test.name);
        // Read by id too (the document, not the listing query).
        deepEqual((await mongo.tests.get(test.id))!.analysis, want.analysis, test.name);
        if (want.analysis?.fade?.models.fits.some((f) => Array.isArray(f.covariance?.[0]))) {
          withCovariance.push(test.name);
        }
      }
      // The tests whose cycles allow fade models (found by importing the fixtures) carry their
      // covariance matrices: without them this test would not cover nested arrays.
      deepEqual(withCovariance.sort(), [
        "20160805_test001_45_cc_01",
        "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation",
        "nw4-120-1-6-53",
        "nw_regular_export_ife_example",
      ]);
      equal(await mongo.tests.count(), await sqlite.tests.count());
    } finally {
      await mongo.dropDatabase();
      await mongo.close();
      await sqlite.close();
    }
  },
});
