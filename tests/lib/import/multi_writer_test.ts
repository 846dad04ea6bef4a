// Copyright 2026 the battery-analysis authors. MIT license.
// The CI-sized part of the fault-injection suite (bench/fault_injection.ts runs many trials):
// concurrent importer processes into one SQLite file and into one FerretDB database, with
// random SIGKILLs of importers and of the server, and a disk that fills up. After each trial:
// every file stored exactly once and complete, raw bytes identical, no orphans, jobs truthful.

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  checkStore,
  FerretServer,
  makeFiles,
  openTarget,
  orphans,
  prng,
  runTrial,
  startImporter,
  type Target,
} from "./_faults.ts";

const FERRET = FerretServer.binary();

Deno.test("fault injection: 3 importers with SIGKILLs into one SQLite file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_mw_sqlite_" });
  try {
    await Deno.mkdir(join(dir, "data"));
    const files = await makeFiles(join(dir, "data"), 9);
    const target: Target = { kind: "sqlite", path: join(dir, "battery.db") };
    // Seeded: a failure can be replayed with bench/fault_injection.ts --seed.
    const result = await runTrial(target, files, { importers: 3, kills: 2, random: prng(12) });
    deepStrictEqual(result.failed_runs, []);
    deepStrictEqual(await checkStore(target, files), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "fault injection: 3 importers, importer and server SIGKILLs, into one FerretDB database",
  ignore: FERRET === null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "battery_mw_mongo_" });
    const server = await FerretServer.start(join(dir, "server"));
    try {
      await Deno.mkdir(join(dir, "data"));
      const files = await makeFiles(join(dir, "data"), 9);
      const target: Target = { kind: "mongodb", uri: server.uri, dbName: "multi_writer" };
      const result = await runTrial(target, files, {
        importers: 3,
        kills: 2,
        serverKills: 1,
        server,
        random: prng(5),
      });
      deepStrictEqual(result.failed_runs, []);
      equal(result.server_kills, 1);
      deepStrictEqual(await checkStore(target, files), []);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Mount a tmpfs of `size` at `dir`; `false` when this machine does not allow it. */
async function mountTmpfs(dir: string, size: string): Promise<boolean> {
  const r = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  return r?.code === 0;
}

async function umount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
}

/** Whether this machine lets the test mount a tmpfs (root; CI runs as root). */
async function canMount(): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "battery_mount_probe_" });
  const ok = await mountTmpfs(dir, "64k");
  if (ok) await umount(dir);
  await Deno.remove(dir);
  return ok;
}

Deno.test({
  name: "fault injection: a full disk fails files with SQLITE_FULL, stores nothing half",
  // A small tmpfs is the full disk; mounting needs root (documented in docs/reliability.md).
  ignore: !(await canMount()),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "battery_mw_full_" });
    const disk = join(dir, "disk");
    await Deno.mkdir(disk);
    if (!(await mountTmpfs(disk, "5m"))) throw new Error("tmpfs mount failed");
    try {
      await Deno.mkdir(join(dir, "data"));
      // The schema takes about 2.5 MB (64 KiB pages); 15 files (10 of 211 KB with their series
      // and archives) do not fit into the rest of 5 MB.
      const files = await makeFiles(join(dir, "data"), 15);
      const target: Target = { kind: "sqlite", path: join(disk, "battery.db") };
      // 512 KB of the disk held back, freed after the import: the disk has room again when the
      // store is opened to check it (an open runs recovery, which writes).
      const filler = join(disk, "filler");
      await Deno.writeFile(filler, new Uint8Array(512 * 1024));
      const run = await startImporter(target, files.map((f) => f.path)).done;
      await Deno.remove(filler);
      equal(run.code, 1, run.problems.join("\n"));
      ok(
        run.problems.some((p) => /SQLITE_FULL/.test(p)),
        `the cause is named: ${run.problems.join("\n").slice(0, 1000)}`,
      );
      deepStrictEqual(await orphans(target), []);
      // What was stored is complete, and the job tells what happened to every file.
      const store = await openTarget(target);
      try {
        const [job] = await store.jobs.list();
        ok(job.status === "failed" || job.status === "interrupted", job.status);
        const full = (await store.jobs.get(job.id))!;
        for (const test of await store.tests.find({ without_cycles: true })) {
          const file = files.find((f) => f.sha256 === test.file_hash)!;
          if (file.rows) equal((await store.series.read(test.id))!.length, file.rows);
        }
        ok(full.files.every((f) => f.action !== "failed" || /SQLITE_FULL|disk/.test(f.error!)));
      } finally {
        await store.close();
      }
    } finally {
      await umount(disk);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
