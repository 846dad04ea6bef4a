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

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { storeJson } from "../lib/cli/store_json.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { IMPORT_OPTIONS } from "../lib/cli/import_options.ts";
import { IMPORT_SAMPLE_OPTIONS } from "../lib/cli/sample_options.ts";
import { ProgressBar } from "../lib/cli/progress_bar.ts";
import { isWorkerContext } from "../lib/compute/is_worker_context.ts";
import type { ImportProgress } from "../lib/import/import_directory.ts";
import type { ImportJob } from "../lib/store/documents.ts";
import type { Store } from "../lib/store/store.ts";

// This module is also the import's parsing worker script (`workerUrl: import.meta.url`, so that
// its one-file bundle works too): in a worker, it answers parse requests.
if (isWorkerContext()) await import("../lib/import/parse_worker.ts");

const SPEC = {
  name: "import_directory",
  summary: [
    "Import instrument files into the battery-analysis store, as an import job.",
    "Files already imported (same SHA-256) are skipped; a changed file updates its test;",
    "numbered parts of one test (_Wb_1, _Wb_2, .001, .002) are joined. Exit code 1 when",
    "any file failed, 2 on usage errors. A progress bar on a terminal; JSON lines (one per",
    "file, then a summary) when standard output is not a terminal or with --json.",
    "",
    "Samples: a file goes to the sample --sample names, else the one its row of the sample",
    "sheet names, else the one its file name gives (the configuration's file_name_patterns,",
    "then the built-in rule). The property flags and the sheet's rows set sample properties;",
    "what the file name states (a rule's named groups, the cell code) fills only empty ones.",
    "Quantities take their unit: --nominal-capacity 1.5mAh --active-mass 12mg --area 1.13cm2.",
  ].join("\n"),
  usage:
    "DIR... [options]\n  import_directory --status [JOB_ID]\n  import_directory --resume JOB_ID",
  store: true,
  options: {
    ...IMPORT_OPTIONS,
    ...IMPORT_SAMPLE_OPTIONS,
    workers: {
      type: "integer",
      value: "N",
      config: "workers",
      min: 0,
      description: "parsing worker threads (default: CPU count)",
    },
    "dry-run": {
      type: "boolean",
      description: "parse and report what would happen; write nothing",
    },
    status: { type: "boolean", description: "list recent jobs, or show the JOB_ID given" },
    resume: { type: "string", value: "JOB_ID", description: "finish an interrupted job" },
  },
  examples: [
    'import_directory data --include "*.csv" --exclude "*/archive/*"',
    "import_directory data --sample-sheet samples.xlsx",
    "import_directory cell7/ --sample Zn7 --chemistry Zn|Zn --area 1.13cm2 --nominal-capacity 1mAh",
    "import_directory --status",
    "import_directory --resume 6b06d67b569a16e497d1d74f",
  ],
} as const satisfies CliSpec;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    if (!v.status && !v.resume && cli.positionals.length === 0) {
      throw new UsageError("give at least one directory or file");
    }
    const { importSampleSettings } = await import("../lib/cli/sample_options.ts");
    const { loadColumnMapping } = await import("../lib/summarize/load_column_mapping.ts");
    const { importDirectory } = await import("../lib/import/import_directory.ts");
    const samples = await importSampleSettings(cli);
    const mapping = v.mapping === undefined ? undefined : await loadColumnMapping(v.mapping);
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const store = await openCliStore(cli);
    try {
      if (v.status) return await showStatus(store, cli.positionals[0], cli.json);
      const json = cli.json || !Deno.stdout.isTerminal();
      const started = performance.now();
      let bar: ProgressBar | null = null;
      const onProgress = (p: ImportProgress): void => {
        if (json) {
          console.log(JSON.stringify({ type: "file", path: p.path, ...p.outcome }));
          return;
        }
        bar ??= new ProgressBar({ total: p.files_total, label: "import" });
        const seconds = (performance.now() - started) / 1000;
        const rate = p.bytes_done / 1e6 / Math.max(seconds, 1e-3);
        const eta = rate > 0 ? (p.bytes_total - p.bytes_done) / 1e6 / rate : 0;
        bar.tick(
          1,
          `${(p.bytes_done / 1e6).toFixed(1)}/${(p.bytes_total / 1e6).toFixed(1)} MB ` +
            `${rate.toFixed(1)} MB/s ETA ${Math.round(eta)}s`,
        );
      };
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      Deno.addSignalListener("SIGINT", onSignal);
      let summary;
      try {
        summary = await importDirectory(store, cli.positionals, {
          include: v.include,
          exclude: v.exclude,
          depth: v.depth,
          workers: v.workers,
          workerUrl: import.meta.url,
          dryRun: v["dry-run"],
          archive: !v["no-archive"],
          keepHistory: v["keep-history"],
          tags: v.tag,
          resumeJobId: v.resume,
          cycleMethod: v["cycle-method"],
          mapping,
          ...samples,
          onProgress,
          signal: abort.signal,
        });
      } finally {
        Deno.removeSignalListener("SIGINT", onSignal);
        (bar as ProgressBar | null)?.done();
      }
      const { outcomes, ...rest } = summary;
      if (json) {
        console.log(JSON.stringify({ type: "summary", store: store.describe(), ...rest }));
      } else {
        for (const o of outcomes) {
          if (o.action === "failed") console.log(`FAILED  ${o.path}\n        ${o.error}`);
          for (const w of o.warnings ?? []) console.log(`WARNING ${o.path}\n        ${w}`);
        }
        for (const w of samples.sheet?.warnings ?? []) {
          console.log(`WARNING ${samples.sheet!.file}: ${w}`);
        }
        const rate = summary.bytes / 1e6 / Math.max(summary.duration_s, 1e-3);
        console.log(
          `${summary.job_id ? `Job ${summary.job_id}: ${summary.status}. ` : "Dry run: "}` +
            `created=${summary.created} updated=${summary.updated} skipped=${summary.skipped} ` +
            `failed=${summary.failed}` +
            (summary.resumed_skipped ? ` (resumed; ${summary.resumed_skipped} done before)` : "") +
            ` in ${summary.duration_s.toFixed(1)} s (${rate.toFixed(1)} MB/s)`,
        );
        if (summary.datasets_updated.length) {
          console.log(`Cell datasets updated: ${summary.datasets_updated.join(", ")}`);
        }
      }
      return summary.failed > 0 ? 1 : 0;
    } finally {
      await store.close();
    }
  });
}

async function showStatus(store: Store, jobId: string | undefined, json: boolean): Promise<number> {
  if (jobId) {
    const job = await store.jobs.get(jobId);
    if (!job) throw new UsageError(`no import job "${jobId}"`);
    if (json) console.log(storeJson(store, { job }));
    else {
      console.log(statusLine(job));
      for (const line of job.interruptions ?? []) console.log(`  ${line}`);
      for (const f of job.files) {
        console.log(`  ${f.action.padEnd(8)} ${f.path}${f.error ? `\n           ${f.error}` : ""}`);
      }
    }
    return 0;
  }
  const jobs = await store.jobs.list({ limit: 20 });
  if (json) console.log(storeJson(store, { jobs }));
  else if (jobs.length === 0) console.log("No import jobs found");
  else for (const job of jobs) console.log(statusLine(job));
  return 0;
}

function statusLine(job: ImportJob): string {
  const c = job.counts;
  return `${job.id} | ${job.status} | start: ${job.started_at} | end: ${
    job.finished_at ?? "N/A"
  } | processed: ${c.processed}/${c.total ?? "?"} | created=${c.created} updated=${c.updated} ` +
    `skipped=${c.skipped} failed=${c.failed}`;
}

if (import.meta.main && !isWorkerContext()) Deno.exit(await main(Deno.args));
