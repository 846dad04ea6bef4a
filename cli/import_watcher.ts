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

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { IMPORT_OPTIONS } from "../lib/cli/import_options.ts";
import { IMPORT_SAMPLE_OPTIONS } from "../lib/cli/sample_options.ts";
import { stopSignal } from "../lib/cli/stop_signal.ts";
import { isWorkerContext } from "../lib/compute/is_worker_context.ts";
import type { WatchEvent, WatchSummary } from "../lib/import/watch_directory.ts";

// This module is also the import's parsing worker script (`workerUrl: import.meta.url`): in a
// worker, it answers parse requests.
if (isWorkerContext()) await import("../lib/import/parse_worker.ts");

const SPEC = {
  name: "import_watcher",
  summary: [
    "Watch a directory and import instrument files as they appear and grow.",
    "",
    "A file is imported once it has had no file-system event for --debounce seconds and its",
    "size and modification time have not changed for --stable seconds; a file that grows",
    "later is imported again and updates its test. Files already stored (same SHA-256) are",
    "passed over, so a restarted watcher only catches up on what changed while it was",
    "stopped. A full rescan every --rescan seconds finds files whose events were missed",
    "(network shares).",
    "",
    "When the database cannot be reached, ready files go to a local queue file and are",
    "imported, in order, once it answers again (tried every --retry seconds); the queue",
    "survives restarts. Each burst of activity is one import job (import_directory --status),",
    "after which the touched cell datasets are refreshed. Ctrl-C or SIGTERM stops cleanly:",
    "the file being stored is finished and the job closed.",
    "",
    "Output: one line per event; with --json one JSON object per line. Exit code 0 after a",
    "clean stop, 2 on usage errors, 1 on other errors.",
  ].join("\n"),
  usage: "DIR [options]",
  store: true,
  options: {
    debounce: {
      type: "number",
      value: "S",
      min: 0,
      config: "debounce",
      default: 1,
      description: "seconds after a file's last event before it is looked at",
    },
    stable: {
      type: "number",
      value: "S",
      min: 0,
      default: 2,
      description: "seconds its size and modification time must stay unchanged",
    },
    rescan: {
      type: "number",
      value: "S",
      positive: true,
      default: 60,
      description: "seconds between full rescans",
    },
    retry: {
      type: "number",
      value: "S",
      positive: true,
      default: 5,
      description: "seconds between attempts to reach an unreachable database",
    },
    queue: {
      type: "string",
      value: "FILE",
      description: "local queue file (default ~/.battery_analysis/watch_queue-<id>.jsonl, " +
        "one per watched directory)",
    },
    workers: {
      type: "integer",
      value: "N",
      default: 1,
      min: 0,
      description: "parsing threads (0 = parse in the main thread)",
    },
    verbose: { type: "boolean", description: "also report files passed over as known" },
    ...IMPORT_OPTIONS,
    ...IMPORT_SAMPLE_OPTIONS,
  },
  examples: [
    'import_watcher /data/arbin --include "*.csv" --tag line-3',
    "import_watcher /mnt/share/cycler --rescan 30 --stable 10 --db mongodb://db:27017/lab",
  ],
} as const satisfies CliSpec;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    if (cli.positionals.length !== 1) throw new UsageError("give exactly one directory to watch");
    const root = cli.positionals[0];
    const info = await Deno.stat(root).catch(() => null);
    if (!info?.isDirectory) throw new UsageError(`"${root}" is not a directory`);
    const { importSampleSettings } = await import("../lib/cli/sample_options.ts");
    const { loadColumnMapping } = await import("../lib/summarize/load_column_mapping.ts");
    const { defaultQueueFile, watchDirectory } = await import("../lib/import/watch_directory.ts");
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const queueFile = v.queue ?? await defaultQueueFile(root);
    const samples = await importSampleSettings(cli);
    const mapping = v.mapping === undefined ? undefined : await loadColumnMapping(v.mapping);
    const stop = stopSignal();
    try {
      const summary = await watchDirectory(
        async () => {
          const store = await openCliStore(cli);
          if (cli.json) {
            const at = new Date().toISOString();
            console.log(JSON.stringify({ type: "store", store: store.describe(), at }));
          }
          return store;
        },
        root,
        {
          debounce_s: v.debounce,
          stable_s: v.stable,
          rescan_s: v.rescan,
          retry_s: v.retry,
          depth: v.depth,
          include: v.include,
          exclude: v.exclude,
          tags: v.tag,
          queueFile,
          archive: !v["no-archive"],
          keepHistory: v["keep-history"],
          workers: v.workers,
          workerUrl: import.meta.url,
          cycleMethod: v["cycle-method"],
          mapping,
          ...samples,
          onEvent: printer(cli.json, v.verbose),
          signal: stop.signal,
        },
      );
      if (!cli.json) console.log(summaryLine(summary));
      return 0;
    } finally {
      stop.dispose();
    }
  });
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
