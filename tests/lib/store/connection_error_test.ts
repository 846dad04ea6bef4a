// Copyright 2026 the battery-analysis authors. MIT license.
// Outages surface as StoreConnectionError (credentials redacted), never as a generic StoreError
// with the driver's error hidden in `cause`: a MongoDB server that goes away mid-way (a TCP relay
// in front of FerretDB is cut, then restored) and a SQLite file locked by another writer.

import { equal, match, ok, rejects } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MongoStore } from "../../../lib/store/mongo_store.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import {
  isConnectionFailure,
  StoreConnectionError,
  StoreError,
} from "../../../lib/store/store_error.ts";
import { startTcpProxy } from "../_tcp_proxy.ts";

Deno.test("isConnectionFailure() tells outages from bad requests", () => {
  ok(isConnectionFailure(new StoreConnectionError("down")));
  const driver = Object.assign(new Error("connection closed"), { name: "MongoNetworkError" });
  ok(isConnectionFailure(new Error("outer", { cause: driver })));
  ok(isConnectionFailure(Object.assign(new Error("x"), { code: "ECONNRESET" })));
  // node:sqlite: prepared statements carry errcode (5 = SQLITE_BUSY); exec() errors only text.
  ok(isConnectionFailure(Object.assign(new Error("database is locked"), { errcode: 5 })));
  ok(
    isConnectionFailure(
      Object.assign(new Error("database is locked"), { code: "ERR_SQLITE_ERROR" }),
    ),
  );
  ok(
    !isConnectionFailure(
      Object.assign(new Error("UNIQUE constraint failed"), { code: "ERR_SQLITE_ERROR" }),
    ),
  );
  ok(!isConnectionFailure(new StoreError("The store is closed")));
  ok(!isConnectionFailure(new TypeError("bad value")));
  ok(!isConnectionFailure(undefined));
});

Deno.test("SqliteStore: a file locked by another writer is a StoreConnectionError, then works", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_busy_" });
  const path = `${dir}/battery.db`;
  const store = await SqliteStore.open({ path, busyTimeoutMs: 50 });
  const other = new DatabaseSync(path);
  try {
    await store.samples.create({ name: "before" });
    other.exec("BEGIN IMMEDIATE"); // another process holding the write lock
    await rejects(store.samples.create({ name: "during" }), (error) => {
      ok(error instanceof StoreConnectionError, String(error));
      match(error.message, /SQLite database ".*battery\.db" is unavailable: database is locked/);
      return true;
    });
    other.exec("ROLLBACK");
    await store.samples.create({ name: "after" });
    equal(await store.samples.count(), 2);
    await rejects(
      SqliteStore.open({ path, busyTimeoutMs: -1 }),
      /busyTimeoutMs must be a non-negative integer/,
    );
  } finally {
    other.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const MONGO_URI = Deno.env.get("MONGO_URI");

Deno.test({
  name: "MongoStore: a server that goes away mid-way is a StoreConnectionError, then recovers",
  ignore: !MONGO_URI,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const target = new URL(MONGO_URI!);
    const proxy = startTcpProxy({ hostname: target.hostname, port: Number(target.port) });
    const uri = `mongodb://127.0.0.1:${proxy.port}/`;
    const dbName = `bt_outage_${Date.now().toString(36)}`;
    const store = await MongoStore.connect({ uri, dbName, serverSelectionTimeoutMS: 500 });
    try {
      await store.samples.create({ name: "before" });
      await proxy.cut();
      // Several calls: the first may fail on the cut socket, later ones in server selection.
      for (let i = 0; i < 3; i++) {
        await rejects(store.samples.count(), (error) => {
          ok(error instanceof StoreConnectionError, `${error}`);
          match(error.message, new RegExp(`^Cannot reach MongoDB ${uri} database "${dbName}": `));
          return true;
        });
      }
      proxy.restore();
      // The driver reconnects by itself once the server answers again.
      let count = -1;
      for (let attempt = 0; attempt < 40 && count < 0; attempt++) {
        count = await store.samples.count().catch(async (error) => {
          ok(error instanceof StoreConnectionError, `${error}`);
          await new Promise((r) => setTimeout(r, 100));
          return -1;
        });
      }
      equal(count, 1);
    } finally {
      await store.dropDatabase().catch(() => {});
      await store.close();
      await proxy.close();
    }
  },
});

Deno.test("MongoStore: an unreachable server with credentials in the URI shows ***", async () => {
  // Port 1 refuses connections; the password must not appear in the message or the stack.
  const uri = "mongodb://alice:s3cr%40t@127.0.0.1:1/lab?authSource=admin";
  await rejects(
    MongoStore.connect({ uri, dbName: "lab", serverSelectionTimeoutMS: 300 }),
    (error) => {
      ok(error instanceof StoreConnectionError);
      match(error.message, /mongodb:\/\/\*\*\*@127\.0\.0\.1:1\/lab\?authSource=admin/);
      for (const secret of ["s3cr", "alice"]) {
        ok(!error.message.includes(secret), error.message);
        ok(!String(error.stack).includes(secret), error.stack);
      }
      return true;
    },
  );
});
