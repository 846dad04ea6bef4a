// Copyright 2026 the battery-analysis authors. MIT license.
// Build something once per `deno test` run and share it between the run's test files. Each test
// file runs in its own worker of one `deno test` process, so module state is not shared between
// files but the file system is: the first file to ask builds into a folder named after the
// process, under an exclusive file lock; the others wait for the lock and find it built. Folders
// of runs that have ended are removed by the next build.

import { join } from "node:path";

const ROOT = join(
  Deno.env.get("TMPDIR") ?? Deno.env.get("TMP") ?? Deno.env.get("TEMP") ?? "/tmp",
  "battery_tests_shared",
);

/**
 * This process, as `<pid>-<start time>`: a process id alone may be reused by a later run, which
 * must not find this run's (possibly outdated) builds. Null where the start time cannot be read
 * (no `/proc`): then nothing is shared.
 */
function processKey(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which is in parentheses and may hold spaces); the start
    // time is field 22, the 20th after the name.
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    return start ? `${pid}-${start}` : null;
  } catch {
    return null;
  }
}

/** Remove the folders of runs whose process has ended (or whose id now names another process). */
function removeEnded(self: string): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(ROOT)];
  } catch {
    return;
  }
  for (const e of entries) {
    const name = e.name.replace(/\.lock$/, "");
    if (name === self || !/^\d+-\d+$/.test(name)) continue;
    if (processKey(Number(name.split("-")[0])) === name) continue;
    try {
      Deno.removeSync(join(ROOT, e.name), { recursive: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}

/**
 * The folder holding what `build` wrote, built once per `deno test` run for each `key`: the
 * first caller of the run builds (a failed build is retried by the next caller), later callers
 * get the same folder. Callers must treat it as read-only (copy what they change). Without
 * `/proc` (not Linux) every call builds into a fresh temporary folder of its own.
 */
export async function sharedOnce(
  key: string,
  build: (dir: string) => Promise<void>,
): Promise<string> {
  const self = processKey(Deno.pid);
  if (self === null) {
    const dir = await Deno.makeTempDir({ prefix: `battery_${key}_` });
    await build(dir);
    return dir;
  }
  const runDir = join(ROOT, self);
  await Deno.mkdir(runDir, { recursive: true });
  const dir = join(runDir, key);
  const done = join(runDir, `${key}.done`);
  // flock(2) locks belong to the open file, so two workers of this process exclude each other.
  using lock = await Deno.open(join(runDir, `${key}.lock`), { create: true, write: true });
  await lock.lock(true);
  try {
    if (await exists(done)) return dir;
    removeEnded(self);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.mkdir(dir);
    await build(dir);
    await Deno.writeTextFile(done, "");
    return dir;
  } finally {
    await lock.unlock();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
