// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Import instrument files from directories into the store, as an import job.
 *
 * ```sh
 * deno run -A cli/import_directory.ts DIR... [--include GLOB]... [--exclude GLOB]... [--depth N]
 *   [--workers N] [--dry-run] [--no-archive] [--tag TAG]...
 * deno run -A cli/import_directory.ts --status [JOB_ID]
 * deno run -A cli/import_directory.ts --resume JOB_ID
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { importDirectory, type ImportProgress } from "../lib/import/import_directory.ts";
import { isWorkerContext } from "../lib/import/parse_worker.ts";
import { formatProgress } from "../lib/import/progress_bar.ts";
import type { ImportJob } from "../lib/store/documents.ts";
import type { Store } from "../lib/store/store.ts";
import { mergeSettings } from "../lib/config/merge_settings.ts";
import {
  fail,
  readConfig,
  stderrIsTerminal,
  STORE_FLAGS,
  STORE_FLAGS_HELP,
  storeFrom,
} from "./_shared.ts";

const HELP = `Import instrument files into the battery-analysis store.

Usage:
  import_directory DIR... [options]     import files under DIR (or single files)
  import_directory --status [JOB_ID]    list recent import jobs, or show one
  import_directory --resume JOB_ID      finish an interrupted job

Every run is an import job with a per-file outcome (created, updated, skipped, failed).
Files already imported (same SHA-256) are skipped; a changed file updates its test; numbered
parts of one test (_Wb_1, _Wb_2, .001, .002) are joined. The exit code is 1 when any file
failed, 2 on usage or store errors.

Options:
  --include GLOB   keep only files whose relative path or name matches (repeatable;
                   "*" matches across "/"; default from config "include")
  --exclude GLOB   drop files/directories that match (repeatable; config "exclude")
  --depth N        directory levels below DIR to descend (0 = DIR only; default: all)
  --workers N      parsing worker threads (default: config "workers", else CPU count)
  --dry-run        parse and report what would happen; write nothing
  --no-archive     do not store the original files in the database
  --tag TAG        add TAG to every sample, test and raw file touched (repeatable)
  --cycle-method M auto | cycle_index | step | current_sign (default auto)
  --status         list recent jobs (or show JOB_ID given as argument)
  --resume JOB_ID  continue an interrupted job without redoing finished files
${STORE_FLAGS_HELP}

Output: a progress bar on a terminal; JSON lines (one per file, then a summary) when
standard output is not a terminal or with --json.`;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...STORE_FLAGS,
        include: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        depth: { type: "string" },
        workers: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        "no-archive": { type: "boolean", default: false },
        tag: { type: "string", multiple: true },
        "cycle-method": { type: "string" },
        status: { type: "boolean", default: false },
        resume: { type: "string" },
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
  let store: Store | undefined;
  try {
    const config = readConfig(v.config);
    const int = (name: string, text: string | undefined, min: number): number | undefined => {
      if (text === undefined) return undefined;
      const n = Number(text);
      if (!Number.isInteger(n) || n < min) {
        throw new RangeError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
      }
      return n;
    };
    const settings = mergeSettings({
      include: v.include,
      exclude: v.exclude,
      depth: int("depth", v.depth, 0),
      workers: int("workers", v.workers, 0),
    }, {
      config: config.values,
      defaults: {
        include: [] as string[],
        exclude: [] as string[],
        depth: Infinity,
        workers: navigator.hardwareConcurrency ?? 1,
      },
    });
    const method = v["cycle-method"];
    if (method !== undefined && !["auto", "cycle_index", "step", "current_sign"].includes(method)) {
      throw new RangeError(`--cycle-method must be auto, cycle_index, step or current_sign`);
    }
    if (!v.status && !v.resume && positionals.length === 0) {
      throw new TypeError("give at least one directory or file (see --help)");
    }
    store = await storeFrom(v.db, config);
    if (v.status) return await showStatus(store, positionals[0], v.json);

    const json = v.json || !Deno.stdout.isTerminal();
    const bar = !json && stderrIsTerminal();
    const started = performance.now();
    const encoder = new TextEncoder();
    if (!json) console.error(`Store: ${store.describe().text}`);
    const onProgress = (p: ImportProgress): void => {
      if (json) {
        console.log(JSON.stringify({ type: "file", path: p.path, ...p.outcome }));
      } else if (bar) {
        const line = formatProgress({
          done: p.files_done,
          total: p.files_total,
          bytes: p.bytes_done,
          bytesTotal: p.bytes_total,
          elapsed_s: (performance.now() - started) / 1000,
        });
        Deno.stderr.writeSync(encoder.encode(`\r${line}\x1b[K`));
      }
    };
    const abort = new AbortController();
    const onSignal = (): void => abort.abort();
    Deno.addSignalListener("SIGINT", onSignal);
    let summary;
    try {
      summary = await importDirectory(store, positionals, {
        include: settings.include,
        exclude: settings.exclude,
        depth: settings.depth,
        workers: settings.workers,
        workerUrl: import.meta.url,
        dryRun: v["dry-run"],
        archive: !v["no-archive"],
        tags: v.tag,
        resumeJobId: v.resume,
        cycleMethod: method as "auto" | undefined,
        onProgress,
        signal: abort.signal,
      });
    } finally {
      Deno.removeSignalListener("SIGINT", onSignal);
    }
    if (bar) Deno.stderr.writeSync(encoder.encode("\n"));
    const { outcomes, ...rest } = summary;
    if (json) {
      console.log(JSON.stringify({ type: "summary", ...rest }));
    } else {
      for (const o of outcomes) {
        if (o.action === "failed") console.log(`FAILED  ${o.path}\n        ${o.error}`);
      }
      console.log(
        `${
          summary.job_id ? `Job ${summary.job_id}: ${summary.status}. ` : "Dry run: "
        }created=${summary.created} updated=${summary.updated} skipped=${summary.skipped} failed=${summary.failed}` +
          `${summary.resumed_skipped ? ` (resumed; ${summary.resumed_skipped} done before)` : ""}` +
          ` in ${summary.duration_s.toFixed(1)} s (${
            (summary.bytes / 1e6 / summary.duration_s).toFixed(1)
          } MB/s)`,
      );
      if (summary.datasets_updated.length) {
        console.log(`Cell datasets updated: ${summary.datasets_updated.join(", ")}`);
      }
    }
    return summary.failed > 0 ? 1 : 0;
  } catch (error) {
    return fail(error);
  } finally {
    await store?.close();
  }
}

async function showStatus(store: Store, jobId: string | undefined, json: boolean): Promise<number> {
  if (jobId) {
    const job = await store.jobs.get(jobId);
    if (!job) throw new RangeError(`no import job "${jobId}"`);
    if (json) console.log(JSON.stringify(job));
    else {
      console.log(statusLine(job));
      for (const f of job.files) {
        console.log(`  ${f.action.padEnd(8)} ${f.path}${f.error ? `\n           ${f.error}` : ""}`);
      }
    }
    return 0;
  }
  const jobs = await store.jobs.list({ limit: 20 });
  if (json) console.log(JSON.stringify(jobs));
  else if (jobs.length === 0) console.log("No import jobs found");
  else for (const job of jobs) console.log(statusLine(job));
  return 0;
}

function statusLine(job: ImportJob): string {
  const c = job.counts;
  return `${job.id} | ${job.status} | start: ${job.started_at} | end: ${
    job.finished_at ?? "N/A"
  } | ` +
    `processed: ${c.processed}/${c.total ?? "?"} | created=${c.created} updated=${c.updated} ` +
    `skipped=${c.skipped} failed=${c.failed}`;
}

if (import.meta.main && !isWorkerContext()) Deno.exit(await main(Deno.args));
