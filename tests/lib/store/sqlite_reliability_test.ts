// Copyright 2026 the battery-analysis authors. MIT license.
// SQLite edges of issue 12 (item 3) as unit tests: schema creation under concurrent first opens
// (processes), a database file deleted or replaced while open, opening on read-only media.

import { equal, match, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import {
  StoreConnectionError,
  StoreError,
  StoreLostError,
} from "../../../lib/store/store_error.ts";
import { SQLITE_SCHEMA_VERSION, SqliteStore } from "../../../lib/store/sqlite_store.ts";

Deno.test("SqliteStore.open(): 6 processes creating one new database at once all succeed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_first_open_" });
  const path = join(dir, "battery.db");
  const child = new URL("./_open_child.ts", import.meta.url).pathname;
  try {
    // Started together, so their first opens overlap (before the fix 2 of 40 such races failed
    // with "table samples already exists"); each must open, migrate or see the migration done.
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, k) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", child, path, `cell-${k}`],
          stdout: "null",
          stderr: "piped",
        }).output()),
    );
    for (const r of runs) equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const store = await SqliteStore.open({ path });
    try {
      equal(store.schemaVersion(), SQLITE_SCHEMA_VERSION);
      equal((await store.samples.find()).length, 6);
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteStore: a database file deleted or replaced while open stops every operation", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_lost_" });
  try {
    const path = join(dir, "battery.db");
    const store = await SqliteStore.open({ path });
    await store.samples.upsert({ name: "before" });
    await Deno.remove(path);
    await rejects(
      () => store.samples.upsert({ name: "after" }),
      (e: unknown) => e instanceof StoreLostError && /was deleted while open/.test(e.message),
    );
    // Still lost for reads: nothing is "created" into a file nobody can open again.
    await rejects(() => store.samples.find(), StoreLostError);
    await store.close();

    // Replaced: another database moved onto the path (a restore from backup).
    const other = join(dir, "other.db");
    const a = await SqliteStore.open({ path });
    const b = await SqliteStore.open({ path: other });
    await b.close();
    await Deno.rename(other, path);
    await rejects(
      () => a.samples.find(),
      (e: unknown) => e instanceof StoreLostError && /replaced by another file/.test(e.message),
    );
    await a.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function run(cmd: string, args: string[]): Promise<boolean> {
  const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output()
    .catch(() => null);
  return r?.code === 0;
}

Deno.test("SqliteStore readOnly: a database on read-only media is browsed; an unmerged log is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_ro_media_" });
  const work = await Deno.makeTempDir({ prefix: "battery_ro_work_" });
  // Read-only media: a tmpfs remounted read-only when this process may mount (root, as in CI);
  // otherwise a directory and files without write permission (root would ignore those).
  const mounted = await run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", dir]);
  try {
    const clean = join(dir, "clean"), dirty = join(dir, "dirty");
    await Deno.mkdir(clean);
    await Deno.mkdir(dirty);
    const store = await SqliteStore.open({ path: join(clean, "battery.db") });
    await store.samples.upsert({ name: "cell-1" });
    await store.close();
    // A copy taken while a writer had changes in its write-ahead log.
    const writer = await SqliteStore.open({ path: join(work, "battery.db") });
    await writer.samples.upsert({ name: "cell-2" });
    ok((await Deno.stat(join(work, "battery.db-wal"))).size > 0);
    await Deno.copyFile(join(work, "battery.db"), join(dirty, "battery.db"));
    await Deno.copyFile(join(work, "battery.db-wal"), join(dirty, "battery.db-wal"));
    await writer.close();
    if (mounted) ok(await run("mount", ["-o", "remount,ro", dir]), "remount read-only");
    else {
      for (const d of [clean, dirty]) {
        for await (const e of Deno.readDir(d)) await Deno.chmod(join(d, e.name), 0o444);
        await Deno.chmod(d, 0o555);
      }
    }
    const ro = await SqliteStore.open({ path: join(clean, "battery.db"), readOnly: true });
    try {
      equal((await ro.samples.find()).map((s) => s.name).join(), "cell-1");
      match(ro.describe().text, /read-only/);
      await rejects(() => ro.samples.upsert({ name: "x" }), StoreError);
    } finally {
      await ro.close();
    }
    await rejects(
      () => SqliteStore.open({ path: join(dirty, "battery.db"), readOnly: true }),
      (e: unknown) => e instanceof StoreConnectionError && /unmerged changes/.test(e.message),
    );
  } finally {
    if (mounted) await run("umount", [dir]);
    else await run("chmod", ["-R", "u+w", dir]);
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(work, { recursive: true });
  }
});
