// Copyright 2026 the battery-analysis authors. MIT license.
// Every fixture imported by the real import pipeline into a SQLite file, once per `deno test`
// run: the dashboard's route and browser tests and the CLI consistency test each get a copy of
// the same file (what they change stays in their copy) instead of importing every fixture again.

import { join } from "node:path";
import { importDirectory, type ImportSummary } from "../lib/import/import_directory.ts";
import { SqliteStore } from "../lib/store/sqlite_store.ts";
import { sharedOnce } from "./_shared_once.ts";
import { fixturePath } from "./_util.ts";

/**
 * Write to `path` a SQLite store holding every file under `tests/fixtures/`, imported with
 * `importDirectory(store, [fixturePath("")], { workers: 0 })` into a new store, and return that
 * import's summary. The import runs once per test run; each call copies its result.
 */
export async function copyFixtureStore(path: string): Promise<ImportSummary> {
  const dir = await sharedOnce("fixture_store", async (dir) => {
    const store = await SqliteStore.open({ path: join(dir, "battery.db") });
    try {
      const summary = await importDirectory(store, [fixturePath("")], { workers: 0 });
      await Deno.writeTextFile(join(dir, "summary.json"), JSON.stringify(summary));
    } finally {
      await store.close();
    }
  });
  for (const suffix of ["", "-wal"]) {
    try {
      await Deno.copyFile(join(dir, `battery.db${suffix}`), `${path}${suffix}`);
    } catch (e) {
      // A cleanly closed store has folded its write-ahead log into the file.
      if (!(suffix && e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return JSON.parse(await Deno.readTextFile(join(dir, "summary.json")));
}
