// Copyright 2026 the battery-analysis authors. MIT license.
// A fresh SQLite store with every fixture imported by the real import pipeline.

import { importDirectory, type ImportSummary } from "../../../lib/import/import_directory.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { fixturePath } from "../../_util.ts";
import { copyFixtureStore } from "../../_fixture_store_file.ts";

/** A store with the fixtures imported, its temporary folder and the import summary. */
export interface FixtureStore {
  /** The store. */
  store: SqliteStore;
  /** Summary of the import job. */
  summary: ImportSummary;
  /** Close the store and delete its folder. */
  dispose(): Promise<void>;
}

/**
 * Import `tests/fixtures/<subdirs>` (all when none given) into a new SQLite file. All of them are
 * imported once per test run and copied (`copyFixtureStore`): the same store, made the same way.
 */
export async function fixtureStore(subdirs: string[] = []): Promise<FixtureStore> {
  const dir = await Deno.makeTempDir({ prefix: "dashboard_test_" });
  const path = `${dir}/battery.db`;
  let summary: ImportSummary;
  let store: SqliteStore;
  if (subdirs.length) {
    store = await SqliteStore.open({ path });
    summary = await importDirectory(store, subdirs.map((s) => fixturePath(s)), { workers: 0 });
  } else {
    summary = await copyFixtureStore(path);
    store = await SqliteStore.open({ path });
  }
  return {
    store,
    summary,
    dispose: async () => {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Values of `attribute` on elements matching `<tag ... id="id"`, read from the page text. */
export function attribute(page: string, id: string, name: string): string | null {
  const m = new RegExp(`id="${id}"[^>]*\\s${name}="([^"]*)"`).exec(page) ??
    new RegExp(`\\s${name}="([^"]*)"[^>]*id="${id}"`).exec(page);
  return m ? m[1] : null;
}

/** The URL of the section a page loads later (`data-fragment` of the element with this id). */
export function fragmentUrl(page: string, id: string): string {
  const url = attribute(page, id, "data-fragment");
  if (url === null) throw new Error(`No section "${id}" loaded later on the page`);
  return url.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
