// Copyright 2026 the battery-analysis authors. MIT license.
// Child of sqlite_reliability_test.ts: open (and so create) the SQLite store at Deno.args[0],
// store one sample named Deno.args[1], close. Exit code 0 on success; the error on stderr.

import { SqliteStore } from "../../../lib/store/sqlite_store.ts";

const [path, name] = Deno.args;
const store = await SqliteStore.open({ path });
await store.samples.upsert({ name });
await store.close();
