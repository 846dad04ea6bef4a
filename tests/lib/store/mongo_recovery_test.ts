// Copyright 2026 the battery-analysis authors. MIT license.
// MongoDB recovery of issue 12 (item 1) as unit tests against FerretDB (MONGO_URI; CI starts
// it with .ci/ferretdb.sh): a hash claim of a writer that is gone is taken over at once (its
// lease has not expired: the process is checked), one of a live writer is not; the indexes come
// back after a dropDatabase under an open store. No assertion depends on timing: claim waits
// are 0 (a claim believed live fails at once), and the index check waits for the outcome.

import { equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { importDirectory } from "../../../lib/import/import_directory.ts";
import { sha256Hex } from "../../../lib/import/parse_file.ts";
import { newWriter } from "../../../lib/store/_liveness.ts";
import { MongoStore } from "../../../lib/store/mongo_store.ts";
import { fixturePath, readFixture } from "../../_util.ts";

const MONGO_URI = Deno.env.get("MONGO_URI");
const FIXTURE = "arbin/FastCharge_000025_CH8.csv";
let counter = 0;
const dbName = () => `bt_recovery_${Date.now().toString(36)}_${counter++}`;

/** A folder holding one copy of the fixture. */
async function folder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "battery_recovery_" });
  await Deno.copyFile(fixturePath(FIXTURE), join(dir, "cell_Channel_8_Wb_1.csv"));
  return dir;
}

/** The pid of a process that has exited (and so is gone). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test({
  name:
    "MongoStore: a claim of a writer whose process is gone is taken over at once; a live one is not",
  ignore: !MONGO_URI,
  async fn() {
    const name = dbName();
    const dir = await folder();
    const hash = await sha256Hex(readFixture(FIXTURE));
    // A lease of an hour and no waiting: only the process check can let the claim go.
    const store = await MongoStore.connect({
      uri: MONGO_URI!,
      dbName: name,
      leaseMs: 3_600_000,
      claimWaitMs: 0,
    });
    const client = new MongoClient(MONGO_URI!);
    try {
      const db = client.db(name);
      const plant = async (pid: number, proc_start: string | null) => {
        const w = { ...newWriter(), pid, proc_start };
        const { id, ...identity } = w;
        await db.collection("writers").replaceOne(
          { _id: id as unknown as never },
          { ...identity, lease_ms: 3_600_000, closed: false, heartbeat_at: new Date() },
          { upsert: true },
        );
        await db.collection("test_hashes").deleteMany({});
        await db.collection("test_hashes").insertOne({
          _id: hash as unknown as never,
          test_id: "t-never-committed",
          owner: id,
          host: w.host,
          pid,
          claimed_at: new Date().toISOString(),
        });
        return w;
      };
      // A live writer: this very process under another registration (fresh heartbeat).
      const live = await plant(Deno.pid, newWriter().proc_start);
      const first = await importDirectory(store, [dir], { workers: 0, archive: false });
      equal(first.created, 0);
      equal(first.failed, 1);
      match(first.outcomes[0].error!, new RegExp(`being stored by ${live.host} pid ${Deno.pid}`));

      // A writer on this machine whose process has exited, heartbeat fresh, lease an hour.
      const dead = await plant(await deadPid(), "12345");
      const second = await importDirectory(store, [dir], { workers: 0, archive: false });
      equal(second.created, 1, JSON.stringify(second.outcomes));
      const claim = await db.collection("test_hashes").findOne({ _id: hash as unknown as never });
      equal(claim?.test_id, second.outcomes[0].test_id);
      ok(claim?.owner !== dead.id);
      // One taker, recorded in claim_takeovers.
      const takeovers = await db.collection("claim_takeovers").find({}).toArray();
      equal(takeovers.length, 1);
      equal(takeovers[0].by, claim?.owner);
      match(String(takeovers[0]._id), new RegExp(`^${hash}:${dead.id}:`));
    } finally {
      await store.dropDatabase().catch(() => {});
      await store.close();
      await client.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "MongoStore: the unique indexes come back after dropDatabase under an open store",
  ignore: !MONGO_URI,
  async fn() {
    const name = dbName();
    const dir = await folder();
    // A short lease: the registration is renewed (and found gone) every 100 ms.
    const store = await MongoStore.connect({ uri: MONGO_URI!, dbName: name, leaseMs: 300 });
    const client = new MongoClient(MONGO_URI!);
    try {
      const first = await importDirectory(store, [dir], { workers: 0, archive: false });
      equal(first.created, 1); // registers the writer
      await client.db(name).dropDatabase();
      const indexes = async () =>
        (await client.db(name).collection("test_results").listIndexes().toArray().catch(() => []))
          .map((i) => i.name as string);
      // Wait for the outcome (not for a time): the renewal finds its registration gone,
      // re-creates the indexes and registers again.
      for (let k = 0; k < 600 && !(await indexes()).includes("file_hash_1"); k++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      ok((await indexes()).includes("file_hash_1"), "file_hash_1 index re-created");
      const unique = (await client.db(name).collection("test_results").listIndexes().toArray())
        .find((i) => i.name === "file_hash_1");
      equal(unique?.unique, true);
      // Imports go on into the recreated database, each file once.
      const again = await importDirectory(store, [dir], { workers: 0, archive: false });
      equal(again.created, 1);
      equal(await store.tests.count(), 1);
    } finally {
      await store.dropDatabase().catch(() => {});
      await store.close();
      await client.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
