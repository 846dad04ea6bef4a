// Copyright 2026 the battery-analysis authors. MIT license.
// The watcher's local queue: files waiting for an unreachable store, one JSON object per line,
// always replaced atomically (written to a temporary file in the same directory, then renamed).

import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** One file waiting to be imported. */
export interface QueueEntry {
  /** Watched root the file belongs to (absolute). */
  root: string;
  /** Absolute path of the file. */
  path: string;
  /** Size when queued, bytes. */
  size: number;
  /** Modification time when queued, ms since the epoch. */
  mtime_ms: number;
  /** When it was queued (ISO 8601). */
  queued_at: string;
  /** Why it was queued. */
  reason: string;
}

/** Read a queue file (`[]` when it does not exist). A malformed line is an error naming it. */
export async function readQueue(file: string): Promise<QueueEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw new Error(`Cannot read the watch queue "${file}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  const entries: QueueEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let entry: QueueEntry;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      throw new SyntaxError(
        `Cannot read the watch queue "${file}": line ${i + 1} is not JSON (${
          (error as Error).message
        })`,
      );
    }
    if (typeof entry?.path !== "string" || typeof entry.root !== "string") {
      throw new SyntaxError(
        `Cannot read the watch queue "${file}": line ${i + 1} has no "root" and "path"`,
      );
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * Replace the entries of `root` in the queue file with `entries`, keeping other roots' entries.
 * Atomic: readers see the old or the new file, never a partial one.
 */
export async function writeQueue(
  file: string,
  update: { root: string; entries: QueueEntry[] },
): Promise<void> {
  const others = (await readQueue(file)).filter((e) => e.root !== update.root);
  const all = [...others, ...update.entries];
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeFile(tmp, all.map((e) => JSON.stringify(e) + "\n").join(""));
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new Error(`Cannot write the watch queue "${file}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}
