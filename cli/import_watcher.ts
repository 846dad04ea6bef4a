// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Watch a directory and import instrument files as they appear and grow.
 *
 * ```sh
 * deno run -A cli/import_watcher.ts DIR [--debounce SECONDS] [--stable SECONDS] [--rescan SECONDS]
 *   [--depth N] [--include GLOB]... [--exclude GLOB]... [--tag TAG]... [--queue FILE]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { isWorkerContext } from "../lib/import/parse_worker.ts";
import {
  defaultQueueFile,
  watchDirectory,
  type WatchEvent,
  type WatchSummary,
} from "../lib/import/watch_directory.ts";
import { mergeSettings } from "../lib/config/merge_settings.ts";
import {
  CYCLE_METHODS,
  fail,
  numberFlag,
  readConfig,
  stopSignal,
  STORE_FLAGS,
  STORE_FLAGS_HELP,
  storeFrom,
} from "./_shared.ts";

const HELP = `Watch a directory and import instrument files as they appear and grow.

Usage:
  import_watcher DIR [options]

A file is imported once it has had no file-system event for --debounce seconds and its size
and modification time have not changed for --stable seconds; a file that grows later is
imported again and updates its test. Files already stored (same SHA-256) are passed over, so a
restarted watcher only catches up on what changed while it was stopped. A full rescan every
--rescan seconds finds files whose events were missed (network shares).

When the database cannot be reached, ready files are written to a local queue file and
imported, in order, once it answers again (checked every --retry seconds); the queue survives
restarts. Each burst of activity is one import job (see import_directory --status), after which
the touched cell datasets are refreshed. Ctrl-C or SIGTERM stops cleanly: the file being stored
is finished and the job closed.

Options:
  --debounce S     seconds after a file's last event before it is looked at
                   (default: config "debounce", else 1)
  --stable S       seconds its size and mtime must stay unchanged (default 2)
  --rescan S       seconds between full rescans (default 60)
  --retry S        seconds between attempts to reach an unreachable database (default 5)
  --depth N        directory levels below DIR to watch (0 = DIR only; config "depth";
                   default: all)
  --include GLOB   only files whose relative path or name matches (repeatable; config)
  --exclude GLOB   ignore matching files and directories (repeatable; config)
  --tag TAG        add TAG to every sample, test and raw file touched (repeatable)
  --queue FILE     local queue file (default ~/.battery_analysis/watch_queue-<id>.jsonl,
                   one per watched directory)
  --no-archive     do not store the original files in the database
  --workers N      parsing threads (default 1; 0 parses in the main thread)
  --cycle-method M auto | cycle_index | step | current_sign (default auto)
  --verbose        also report files passed over as already imported
${STORE_FLAGS_HELP}

Output: one line per event; with --json one JSON object per line ({"type": "imported", ...}).
Exit code: 0 after a clean stop, 2 on usage or configuration errors.`;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...STORE_FLAGS,
        debounce: { type: "string" },
        stable: { type: "string" },
        rescan: { type: "string" },
        retry: { type: "string" },
        depth: { type: "string" },
        include: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        tag: { type: "string", multiple: true },
        queue: { type: "string" },
        "no-archive": { type: "boolean", default: false },
        workers: { type: "string" },
        "cycle-method": { type: "string" },
        verbose: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return fail(error);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  let stop: { signal: AbortSignal; dispose(): void } | undefined;
  try {
    if (positionals.length !== 1) {
      throw new TypeError("give exactly one directory to watch (see --help)");
    }
    const config = readConfig(v.config);
    for (const w of config.warnings) console.error(`warning: ${w}`);
    const settings = mergeSettings({
      debounce: numberFlag("debounce", v.debounce, { min: 0 }),
      depth: numberFlag("depth", v.depth, { min: 0, integer: true }),
      include: v.include,
      exclude: v.exclude,
    }, {
      config: config.values,
      defaults: { debounce: 1, depth: Infinity, include: [] as string[], exclude: [] as string[] },
    });
    const method = v["cycle-method"];
    if (method !== undefined && !(CYCLE_METHODS as readonly string[]).includes(method)) {
      throw new RangeError(`--cycle-method must be one of ${CYCLE_METHODS.join(", ")}`);
    }
    const root = positionals[0];
    const queueFile = v.queue ?? await defaultQueueFile(root);
    const json = v.json;
    let description = "";
    const print = printer(json, v.verbose);
    stop = stopSignal();
    const summary = await watchDirectory(
      async () => {
        const store = await storeFrom(v.db, config);
        description = store.describe().text;
        if (!json) console.error(`Store: ${description}`);
        return store;
      },
      root,
      {
        debounce_s: settings.debounce,
        stable_s: numberFlag("stable", v.stable, { min: 0 }),
        rescan_s: numberFlag("rescan", v.rescan, { min: 0.01 }),
        retry_s: numberFlag("retry", v.retry, { min: 0.01 }),
        depth: settings.depth,
        include: settings.include,
        exclude: settings.exclude,
        tags: v.tag,
        queueFile,
        archive: !v["no-archive"],
        workers: numberFlag("workers", v.workers, { min: 0, integer: true }) ?? 1,
        workerUrl: import.meta.url,
        cycleMethod: method as "auto" | undefined,
        onEvent: print,
        signal: stop.signal,
      },
    );
    if (!json) console.log(summaryLine(summary));
    return 0;
  } catch (error) {
    return fail(error);
  } finally {
    stop?.dispose();
  }
}

function printer(json: boolean, verbose: boolean): (e: WatchEvent) => void {
  return (e) => {
    if (json) {
      console.log(JSON.stringify({ ...e, at: new Date().toISOString() }));
      return;
    }
    const t = new Date().toISOString().slice(0, 19).replace("T", " ");
    switch (e.type) {
      case "started":
        console.log(
          `${t} watching ${e.root} (queue ${e.queue_file}${
            e.queued ? `, ${e.queued} file(s) waiting` : ""
          })`,
        );
        break;
      case "imported": {
        const o = e.outcome;
        const detail = o.action === "failed" || o.action === "skipped"
          ? `: ${o.error}`
          : ` → test ${o.test_id}${o.cell_code ? ` (${o.cell_code})` : ""}`;
        console.log(`${t} ${o.action.padEnd(8)} ${e.path}${detail}`);
        break;
      }
      case "unchanged":
        if (verbose) console.log(`${t} known    ${e.path} (test ${e.test_id})`);
        break;
      case "queued":
        console.log(`${t} queued   ${e.path} (${e.reason})`);
        break;
      case "vanished":
        console.log(`${t} vanished ${e.path} (removed before it could be imported)`);
        break;
      case "store_down":
        console.log(`${t} database unreachable, queueing files: ${e.error}`);
        break;
      case "store_up":
        console.log(`${t} database reachable again; ${e.queued} queued file(s) to import`);
        break;
      case "batch_finished": {
        const c = e.job.counts;
        console.log(
          `${t} job ${e.job.id} ${e.job.status}: created=${c.created} updated=${c.updated} ` +
            `skipped=${c.skipped} failed=${c.failed}` +
            (e.datasets_updated.length
              ? `; datasets updated: ${e.datasets_updated.join(", ")}`
              : ""),
        );
        break;
      }
      case "error":
        console.error(`${t} error${e.path ? ` (${e.path})` : ""}: ${e.error}`);
        break;
      case "stopped":
        break;
    }
  };
}

function summaryLine(s: WatchSummary): string {
  return `Stopped: created=${s.created} updated=${s.updated} skipped=${s.skipped} ` +
    `failed=${s.failed} known=${s.unchanged} in ${s.jobs.length} job(s)` +
    (s.queued ? `; ${s.queued} file(s) still queued for the database` : "");
}

if (import.meta.main && !isWorkerContext()) Deno.exit(await main(Deno.args));
