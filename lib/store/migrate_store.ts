// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Data migrations that work on any store (the README's "Migration notes"):
 *
 * - tests without `created_at` / `updated_at` get them: the creation time is read from the id
 *   when it is an ObjectId-style id (its first 4 bytes are the creation second, as in every id
 *   this toolkit and MongoDB make), else the migration time is used and said so;
 * - raw files get links and metadata that can be inferred from their test: `test_id` from a
 *   test whose file hash (or part hash) equals the file's SHA-256, `sample_id` from that test,
 *   `operator` and `acquisition_device` from the test's metadata keys of the same name (and
 *   `device`), and the test's tags when the file has none. Nothing is guessed beyond that.
 *
 * Running it again changes nothing (idempotent).
 *
 * @module
 */

import type { RawDataFile, RawFilePatch, TestResult } from "./documents.ts";
import type { Store } from "./store.ts";

/** One planned change. */
export interface MigrationChange {
  /** `test` or `raw_file`. */
  kind: "test" | "raw_file";
  /** Document id. */
  id: string;
  /** Test name or file name. */
  name: string;
  /** Fields and the values they get. */
  set: Record<string, unknown>;
  /** Why, where it is not obvious. */
  note: string | null;
}

/** What a migration did or would do. */
export interface MigrationReport {
  /** `true` when nothing was written. */
  dry_run: boolean;
  /** Tests looked at. */
  tests_checked: number;
  /** Raw files looked at. */
  raw_files_checked: number;
  /** The changes. */
  changes: MigrationChange[];
}

const PAGE = 500;

function validIso(value: unknown): value is string {
  return typeof value === "string" && !Number.isNaN(Date.parse(value));
}

/** Creation time encoded in a 24-hex ObjectId-style id, or `null`. */
export function timeFromId(id: string): string | null {
  if (!/^[0-9a-f]{24}$/i.test(id)) return null;
  const seconds = parseInt(id.slice(0, 8), 16);
  // Ids before 2000 or in the future are not timestamps.
  if (seconds < 946684800 || seconds * 1000 > Date.now() + 86400000) return null;
  return new Date(seconds * 1000).toISOString();
}

function planTest(test: TestResult, now: string): MigrationChange | null {
  const hasCreated = validIso(test.created_at);
  const hasUpdated = validIso(test.updated_at);
  if (hasCreated && hasUpdated) return null;
  let note: string | null = null;
  let created = hasCreated ? test.created_at : timeFromId(test.id);
  if (created === null) {
    created = hasUpdated ? test.updated_at : now;
    note = hasUpdated
      ? "no creation time known; set to its update time"
      : "no creation time known; set to the migration time";
  } else if (!hasCreated) note = "creation time read from the id";
  const updated = hasUpdated ? test.updated_at : created;
  const set: Record<string, unknown> = {};
  if (!hasCreated) set.created_at = created;
  if (!hasUpdated) set.updated_at = updated;
  return { kind: "test", id: test.id, name: test.name, set, note };
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

async function planRawFile(store: Store, file: RawDataFile): Promise<MigrationChange | null> {
  let test: TestResult | null = null;
  const set: RawFilePatch = {};
  const notes: string[] = [];
  if (file.test_id) test = await store.tests.get(file.test_id);
  else {
    test = await store.tests.getByHash(file.sha256);
    if (test) {
      set.test_id = test.id;
      notes.push("test found by the file's SHA-256");
    }
  }
  if (test) {
    if (!file.sample_id) set.sample_id = test.sample_id;
    const operator = text(test.metadata?.operator);
    if (!file.operator && operator) set.operator = operator;
    const device = text(test.metadata?.acquisition_device) ?? text(test.metadata?.device);
    if (!file.acquisition_device && device) set.acquisition_device = device;
    if ((file.tags ?? []).length === 0 && test.tags.length > 0) set.tags = [...test.tags];
    if (!file.source_path && test.source_path && test.file_hash === file.sha256) {
      set.source_path = test.source_path;
    }
  }
  if (Object.keys(set).length === 0) return null;
  return {
    kind: "raw_file",
    id: file.id,
    name: file.file_name,
    set,
    note: notes.length ? notes.join("; ") : null,
  };
}

/**
 * Plan (and unless `dryRun`, apply) the migrations on a store.
 *
 * @param store Any store.
 * @param options `dryRun`: only report.
 * @returns What changed or would change.
 *
 * @example Usage
 * ```ts
 * import { migrateStore } from "./migrate_store.ts";
 * import { SqliteStore } from "./sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const report = await migrateStore(store, { dryRun: true });
 * equal(report.changes.length, 0);
 * await store.close();
 * ```
 */
export async function migrateStore(
  store: Store,
  options: { dryRun?: boolean } = {},
): Promise<MigrationReport> {
  const dryRun = options.dryRun ?? false;
  const now = new Date().toISOString();
  const changes: MigrationChange[] = [];
  let testsChecked = 0;
  for (let skip = 0;; skip += PAGE) {
    const page = await store.tests.find({ without_cycles: true, limit: PAGE, skip });
    testsChecked += page.length;
    for (const test of page) {
      const change = planTest(test, now);
      if (change) changes.push(change);
    }
    if (page.length < PAGE) break;
  }
  let rawChecked = 0;
  for (let skip = 0;; skip += PAGE) {
    const page = await store.rawFiles.find({ limit: PAGE, skip });
    rawChecked += page.length;
    for (const file of page) {
      const change = await planRawFile(store, file);
      if (change) changes.push(change);
    }
    if (page.length < PAGE) break;
  }
  if (!dryRun) {
    for (const change of changes) {
      if (change.kind === "test") {
        const test = (await store.tests.get(change.id))!;
        const created = (change.set.created_at as string | undefined) ?? test.created_at;
        const updated = (change.set.updated_at as string | undefined) ?? test.updated_at;
        await store.tests.setTimestamps(change.id, {
          created_at: created,
          updated_at: updated < created ? created : updated,
        });
      } else {
        await store.rawFiles.update(change.id, change.set as RawFilePatch);
      }
    }
  }
  return {
    dry_run: dryRun,
    tests_checked: testsChecked,
    raw_files_checked: rawChecked,
    changes,
  };
}
