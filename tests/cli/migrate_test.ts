// Copyright 2026 the battery-analysis authors. MIT license.
// cli/migrate.ts on SQLite and (when MONGO_URI is set) MongoDB: documents written without
// timestamps or raw-file links get them, --dry-run writes nothing, a second run changes nothing.

import { deepStrictEqual as deepEqual, equal, match, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MongoClient } from "mongodb";
import { main } from "../../cli/migrate.ts";
import { SqliteStore } from "../../lib/store/sqlite_store.ts";
import { MongoStore } from "../../lib/store/mongo_store.ts";
import type { Store } from "../../lib/store/store.ts";
import { timeFromId } from "../../lib/store/migrate_store.ts";
import { ANALYSIS_VERSION } from "../../analysis/analyze_test.ts";
import { createHash } from "node:crypto";
import { runMain } from "./_run_main.ts";

const capture = (args: string[]) => runMain(main, args);

const BYTES = new TextEncoder().encode("Test Time (s),Voltage (V)\n0,3.1\n");
const HASH = createHash("sha256").update(BYTES).digest("hex");

/** A test, an unlinked raw file with the test's bytes, and a linked raw file without sample. */
async function seed(
  store: Store,
): Promise<{ testId: string; sampleId: string; raw1: string; raw2: string }> {
  const sample = await store.samples.create({ name: "CN77" });
  const test = await store.tests.create({
    sample_id: sample.id,
    tester: "BioLogic",
    name: "CN77_eis",
    file_hash: HASH,
    source_path: "/data/CN77_eis.mpt",
    tags: ["eis"],
    metadata: { operator: "ben", device: "VSP-300" },
  });
  const raw1 = (await store.rawFiles.put(BYTES, { file_name: "CN77_eis.mpt" })).doc.id;
  const raw2 = (await store.rawFiles.put(new Uint8Array([1, 2, 3]), {
    file_name: "notes.txt",
    test_id: test.id,
    tags: ["notes"],
  })).doc.id;
  return { testId: test.id, sampleId: sample.id, raw1, raw2 };
}

async function checkMigration(
  db: string[],
  open: () => Promise<Store>,
  stripTimestamps: (testId: string) => Promise<void>,
): Promise<void> {
  let store = await open();
  const { testId, sampleId, raw1, raw2 } = await seed(store);
  await store.close();
  await stripTimestamps(testId);

  const dry = await capture([...db, "--dry-run", "--json"]);
  equal(dry.code, 0);
  const plan = JSON.parse(dry.out);
  equal(plan.dry_run, true);
  // The creation second is the first 4 bytes of the id (ObjectId layout).
  const created = timeFromId(testId)!;
  deepEqual(
    plan.changes.map((c: { kind: string; id: string; set: unknown }) => [c.kind, c.id, c.set]),
    [
      ["test", testId, { created_at: created, updated_at: created }],
      ["raw_file", raw2, { sample_id: sampleId, operator: "ben", acquisition_device: "VSP-300" }],
      [
        "raw_file",
        raw1,
        {
          test_id: testId,
          sample_id: sampleId,
          operator: "ben",
          acquisition_device: "VSP-300",
          tags: ["eis"],
          source_path: "/data/CN77_eis.mpt",
        },
      ],
    ],
  );
  // The test was stored without an analysis (as before the analysis was stored with tests).
  deepEqual(
    plan.analyses.tests.map((t: { id: string; from_version: number | null; status: string }) => [
      t.id,
      t.from_version,
      t.status,
    ]),
    [[testId, null, "would_analyze"]],
  );
  store = await open();
  equal((await store.rawFiles.get(raw1))?.test_id, null); // dry run wrote nothing
  equal((await store.tests.get(testId))?.analysis, null);
  await store.close();

  const applied = await capture(db);
  equal(applied.code, 0);
  match(applied.out, /Updated 1 of 1 tests and 2 of 2 raw files; analysed 1 test again\./);
  match(
    applied.out,
    new RegExp(`test ${testId} "CN77_eis": analysis none → version ${ANALYSIS_VERSION}`),
  );
  store = await open();
  const test = (await store.tests.get(testId))!;
  equal(test.analysis?.analysis_version, ANALYSIS_VERSION);
  equal(test.analysis?.summary.cycle_count, 0); // a test stored without cycles or data
  equal(test.created_at, created);
  // Backfilled to the creation time, then moved on by the analysis written after it.
  ok(test.updated_at > created, test.updated_at);
  const file = (await store.rawFiles.get(raw1))!;
  equal(file.test_id, testId);
  equal(file.operator, "ben");
  deepEqual((await store.rawFiles.get(raw2))!.tags, ["notes"]); // existing tags kept
  await store.close();

  const again = await capture([...db, "--json"]);
  deepEqual(JSON.parse(again.out).changes, []);
  deepEqual(JSON.parse(again.out).analyses.tests, []);
}

Deno.test("migrate backfills timestamps and raw-file links on SQLite, idempotently", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/b.db`;
  try {
    await checkMigration(
      ["--db", path],
      () => SqliteStore.open({ path }),
      (testId) => {
        const db = new DatabaseSync(path);
        db.prepare(
          "UPDATE tests SET doc = json_remove(doc, '$.created_at', '$.updated_at'), created_at = '' WHERE id = ?",
        ).run(testId);
        db.close();
        return Promise.resolve();
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const MONGO_URI = Deno.env.get("MONGO_URI");
Deno.test({
  name: "migrate backfills timestamps and raw-file links on MongoDB, idempotently",
  ignore: !MONGO_URI,
  fn: async () => {
    const dbName = `bt_migrate_${Date.now().toString(36)}`;
    try {
      await checkMigration(
        ["--db", MONGO_URI!, "--db-name", dbName],
        () => MongoStore.connect({ uri: MONGO_URI!, dbName }),
        async (testId) => {
          const client = new MongoClient(MONGO_URI!);
          try {
            await client.db(dbName).collection<{ _id: string }>("test_results").updateOne(
              { _id: testId },
              { $unset: { created_at: "", updated_at: "" } },
            );
          } finally {
            await client.close();
          }
        },
      );
    } finally {
      const store = await MongoStore.connect({ uri: MONGO_URI!, dbName });
      await store.dropDatabase();
      await store.close();
    }
  },
});
