// Copyright 2026 the battery-analysis authors. MIT license.
// Runs the store contract against the SQLite file store, the in-memory store and, when
// MONGO_URI is set (CI starts FerretDB), MongoDB in a fresh database per case that is dropped
// afterwards.

import { MongoStore } from "../../../lib/store/mongo_store.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { storeContract } from "./_contract.ts";

storeContract("sqlite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_store_" });
  const store = await SqliteStore.open({ path: `${dir}/nested/battery.db`, chunkRows: 1000 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});

storeContract("memory", async () => {
  const store = await SqliteStore.open({ path: ":memory:", chunkRows: 1000 });
  return { store, cleanup: () => store.close() };
});

const MONGO_URI = Deno.env.get("MONGO_URI");
if (MONGO_URI) {
  const run = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  let n = 0;
  storeContract("mongodb", async () => {
    const store = await MongoStore.connect({
      uri: MONGO_URI,
      dbName: `bt_${run}_${n++}`,
      chunkRows: 1000,
    });
    return {
      store,
      cleanup: async () => {
        // A case may have closed the store itself; reopen briefly to drop its database.
        const dropper = await MongoStore.connect({
          uri: MONGO_URI,
          dbName: store.describe().database!,
        });
        await dropper.dropDatabase();
        await dropper.close();
        await store.close();
      },
    };
  });
}
