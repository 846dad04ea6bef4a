// Copyright 2026 the battery-analysis authors. MIT license.
// Paths of issue 12 (item 5) as unit tests: a FIFO named .csv, a file name that is not valid
// UTF-8 and a folder that cannot be read are each recorded as skipped with the reason, and the
// import goes on; a FIFO never blocks a reader.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { importDirectory } from "../../../lib/import/import_directory.ts";
import { parseFile } from "../../../lib/import/parse_file.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { fixturePath } from "../../_util.ts";

const FIXTURE = "arbin/FastCharge_000025_CH8.csv";

async function sh(script: string, ...args: string[]): Promise<void> {
  const r = await new Deno.Command("sh", { args: ["-c", script, "sh", ...args] }).output();
  if (r.code !== 0) throw new Error(`sh: ${new TextDecoder().decode(r.stderr)}`);
}

Deno.test("importDirectory(): a FIFO and a non-UTF-8 name are skipped with reasons; the rest is imported", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_paths_" });
  const store = await SqliteStore.open({ path: join(dir, "battery.db") });
  try {
    const data = join(dir, "data");
    await Deno.mkdir(data);
    await Deno.copyFile(fixturePath(FIXTURE), join(data, "good.csv"));
    await sh('mkfifo "$1/pipe.csv"', data);
    // A name with byte 0xFF (not UTF-8; Deno cannot create or open it by name).
    await sh('cp "$1" "$2/$(printf "\\377")bad.csv"', fixturePath(FIXTURE), data);
    // Reading the FIFO would block forever: parseFile looks at what it is first.
    const fifo = await parseFile(join(data, "pipe.csv"));
    equal(fifo.error?.kind, "unsupported");
    match(fifo.error!.message, /FIFO/);

    const summary = await importDirectory(store, [data], { workers: 0, archive: false });
    equal(summary.created, 1, JSON.stringify(summary.outcomes));
    const skipped = summary.outcomes.filter((o) => o.action === "skipped")
      .map((o) => [o.path.slice(data.length + 1), o.error]);
    deepEqual(
      skipped.sort(),
      [
        ["pipe.csv", "a FIFO (named pipe), not a regular file"],
        ["\uFFFDbad.csv", "file name is not valid UTF-8 (it cannot be opened by name; rename it)"],
      ].sort(),
    );
    // The job records each entry and ends truthfully.
    const job = (await store.jobs.list())[0];
    equal(job.status, "completed");
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importDirectory(): a folder that cannot be read is skipped with the reason; the rest is imported", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_paths_" });
  try {
    const data = join(dir, "data"), locked = join(data, "locked");
    await Deno.mkdir(locked, { recursive: true });
    await Deno.copyFile(fixturePath(FIXTURE), join(data, "good.csv"));
    await Deno.copyFile(fixturePath("maccor/maccor_example.001"), join(locked, "x.001"));
    // Root reads every folder whatever its mode: then the importer runs in a child process
    // denied reading the folder (the same failure of readdir, reported the same way).
    const root = Deno.uid() === 0;
    if (!root) await Deno.chmod(locked, 0o000);
    const child = new URL("./_import_child.ts", import.meta.url).pathname;
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        ...(root ? [`--deny-read=${locked}`] : []),
        child,
        join(dir, "battery.db"),
        data,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!root) await Deno.chmod(locked, 0o755);
    equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const summary = JSON.parse(new TextDecoder().decode(r.stdout));
    equal(summary.created, 1, JSON.stringify(summary.outcomes));
    const skipped = summary.outcomes.filter((o: { action: string }) => o.action === "skipped");
    equal(skipped.length, 1);
    equal(skipped[0].path, locked);
    // Denied by mode: readdir fails. Denied by Deno's permissions (root): so does the look at
    // the folder itself, which the scan reports as an entry it cannot look at.
    match(
      skipped[0].error,
      root
        ? /^(directory cannot be read: |vanished or cannot be looked at)/
        : /^directory cannot be read: /,
    );
    ok(summary.outcomes.some((o: { path: string }) => o.path.endsWith("good.csv")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
