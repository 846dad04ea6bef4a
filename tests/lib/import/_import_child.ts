// Copyright 2026 the battery-analysis authors. MIT license.
// Child of paths_test.ts: import the folder Deno.args[1] into the SQLite store Deno.args[0]
// (in this process, no workers) and print the summary as JSON.

import { importDirectory } from "../../../lib/import/import_directory.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";

const [path, folder] = Deno.args;
const store = await SqliteStore.open({ path });
const summary = await importDirectory(store, [folder], { workers: 0, archive: false });
await store.close();
Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(summary) + "\n"));
