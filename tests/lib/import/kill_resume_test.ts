// Copyright 2026 the battery-analysis authors. MIT license.
// Kill an import with SIGKILL in the middle, resume the job, and prove that nothing is lost,
// duplicated or half-written.

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { readFixture } from "../../_util.ts";

const CLI = fileURLToPath(new URL("../../../cli/import_directory.ts", import.meta.url));
const FILES = 24;

Deno.test("import_directory: a killed import resumes without loss or duplicates", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_kill_" });
  const data = join(dir, "data");
  await Deno.mkdir(data);
  // Distinct files (one changed digit each, so distinct SHA-256) of one real Arbin export.
  const base = readFixture("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
  const firstRow = base.indexOf(10) + 1;
  for (let i = 0; i < FILES; i++) {
    const copy = base.slice();
    copy[firstRow + 1] = 0x30 + (i % 10); // month digit of the first Date_Time: still valid
    copy[firstRow + 3] = 0x30 + Math.floor(i / 10); // day digit
    await Deno.writeFile(
      join(data, `kill_cell_${String(i).padStart(2, "0")}_Channel_${i}_Wb_1.CSV`),
      copy,
    );
  }
  const db = join(dir, "battery.db");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--db", db, "--create", "--workers", "1", "--json", data],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // Kill it after it reported its fifth file.
  let reported = 0;
  let buffered = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (reported < 5) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    reported = buffered.split("\n").filter((l) => l.includes('"type":"file"')).length;
  }
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  ok(reported >= 5 && reported < FILES, `killed after ${reported} files`);

  // After the kill: the job is shown as interrupted (its writer's process is gone), with what
  // it completed, and every stored test is complete (its series reads back with exactly the
  // rows its parts say).
  let store = await SqliteStore.open({ path: db });
  const [job] = await store.jobs.list();
  equal(job.status, "interrupted");
  ok(job.counts.processed >= reported, `${job.counts.processed} recorded, ${reported} reported`);
  ok(job.interruptions?.[0]?.startsWith("interrupted: "), JSON.stringify(job.interruptions));
  const before = await store.tests.find({ without_cycles: true });
  ok(before.length >= reported, `${before.length} tests after ${reported} reported files`);
  for (const test of before) {
    const series = await store.series.read(test.id);
    equal(series!.length, test.parts[0].end_row);
  }
  await store.close();

  // Resume.
  const resumed = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--db", db, "--resume", job.id, "--json", "--workers", "1"],
    stdout: "null",
    stderr: "piped",
  }).output();
  equal(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
  store = await SqliteStore.open({ path: db });
  try {
    const finished = await store.jobs.get(job.id);
    equal(finished!.status, "completed");
    // Every file recorded exactly once in the job, one test and one archived raw file per file.
    const paths = finished!.files.map((f) => f.path).sort();
    equal(paths.length, FILES);
    equal(new Set(paths).size, FILES);
    const tests = await store.tests.find({ without_cycles: true });
    equal(tests.length, FILES);
    equal(new Set(tests.map((t) => t.file_hash)).size, FILES);
    equal((await store.rawFiles.find()).length, FILES);
    const actions = finished!.files.map((f) => f.action);
    ok(actions.every((a) => a === "created" || a === "skipped"), actions.join(","));
    // Tests created before the kill are unchanged by the resume.
    deepStrictEqual(
      before.map((t) => t.id).sort(),
      tests.filter((t) => before.some((b) => b.id === t.id)).map((t) => t.id).sort(),
    );
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
