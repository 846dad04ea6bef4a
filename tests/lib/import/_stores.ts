// Copyright 2026 the battery-analysis authors. MIT license.
// Fresh stores for end-to-end tests: SQLite always, MongoDB (FerretDB in CI) when MONGO_URI is set.

import { MongoStore } from "../../../lib/store/mongo_store.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import type { Store } from "../../../lib/store/store.ts";

/** A store under test and how to dispose of it. */
export interface StoreCase {
  /** Label for test names. */
  name: string;
  /** Open a fresh, empty store. */
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

const MONGO_URI = Deno.env.get("MONGO_URI");
let counter = 0;

/** The stores to run end-to-end tests against. */
export const STORE_CASES: StoreCase[] = [
  {
    name: "sqlite",
    async open() {
      const dir = await Deno.makeTempDir({ prefix: "battery_import_" });
      const store = await SqliteStore.open({ path: `${dir}/battery.db`, chunkRows: 5000 });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await Deno.remove(dir, { recursive: true });
        },
      };
    },
  },
  ...(MONGO_URI
    ? [{
      name: "mongodb",
      async open() {
        const dbName = `bt_import_${Date.now().toString(36)}_${counter++}`;
        const store = await MongoStore.connect({ uri: MONGO_URI, dbName, chunkRows: 5000 });
        return {
          store,
          cleanup: async () => {
            await store.dropDatabase();
            await store.close();
          },
        };
      },
    }]
    : []),
];
