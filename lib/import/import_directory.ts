// Copyright 2026 the battery-analysis authors. MIT license.

import type { FileOutcome, ImportJob } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import {
  ConflictError,
  StoreConnectionError,
  StoreError,
  StoreLostError,
} from "../store/store_error.ts";
import { resolve } from "node:path";
import { updateCellDataset } from "../cell_dataset.ts";
import type { FileNameRule } from "../../parsers/file_name.ts";
import type { CycleMethod } from "../../analysis/cycles.ts";
import type { ColumnMapping } from "../../parsers/column_mapping.ts";
import { ParsePool } from "./parse_pool.ts";
import { type ImportOutcome, importParsed } from "./import_parsed.ts";
import { scanFiles, type ScannedFile, type ScanOptions, type SkippedEntry } from "./scan_files.ts";
import type { SampleSheet } from "../../parsers/sample_sheet.ts";
import type { SampleInfo } from "../model/sample_info.ts";

/** Progress of an import, reported after every file. */
export interface ImportProgress {
  /** Files finished. */
  files_done: number;
  /** Files to look at. */
  files_total: number;
  /** Bytes of the finished files. */
  bytes_done: number;
  /** Bytes of all files. */
  bytes_total: number;
  /** The file just finished. */
  path: string;
  /** Its outcome. */
  outcome: ImportOutcome;
}

/** Options of {@link importDirectory}. */
export interface ImportDirectoryOptions extends ScanOptions {
  /** Parsing worker threads (0 = parse in this thread). @default {number of CPUs} */
  workers?: number;
  /** Module each worker loads (must import `lib/import/parse_worker.ts`). */
  workerUrl?: string | URL;
  /** Parse and report what would happen; write nothing. @default {false} */
  dryRun?: boolean;
  /** Archive original files in the store. @default {true} */
  archive?: boolean;
  /** Tags added to every sample, test and raw file touched. */
  tags?: string[];
  /** Finish this interrupted job: files it already recorded are not looked at again. */
  resumeJobId?: string;
  /**
   * When a changed file replaces its part of a test, keep the archived earlier version
   * (unlinked) instead of deleting it. @default {false}
   */
  keepHistory?: boolean;
  /** File name rule for sample, channel and cell code. */
  fileNameRule?: FileNameRule;
  /** How cycles are delimited. @default {"auto"} */
  cycleMethod?: CycleMethod;
  /** A user-defined column mapping for files no instrument reader knows. @default {none} */
  mapping?: ColumnMapping;
  /** Put every file in this sample (instead of the sheet's or the file name rule's). */
  sample?: string;
  /** Sample properties set on the sample of every file (over the sheet's). */
  sampleInfo?: SampleInfo;
  /** Sample sheet mapping files and sample names to sample names and properties. */
  sheet?: SampleSheet;
  /** Rebuild the cell datasets of touched cell codes at the end. @default {true} */
  refreshDatasets?: boolean;
  /** Called after every file. */
  onProgress?: (progress: ImportProgress) => void;
  /**
   * Called once the job is recorded (started or resumed), with it, before any file is read: a
   * caller that runs the import in the background can point people at the job.
   */
  onJob?: (job: ImportJob) => void;
  /** Stop looking at new files when aborted; the job is marked `interrupted`. */
  signal?: AbortSignal;
}

/** Summary of an import. */
export interface ImportSummary {
  /** The import job (`null` in a dry run). */
  job_id: string | null;
  /** Final job status (`"dry_run"` for a dry run). */
  status: ImportJob["status"] | "dry_run";
  /** Files looked at in this run. */
  files: number;
  /** Bytes of those files. */
  bytes: number;
  /** Files that created a test. */
  created: number;
  /** Files that updated a test. */
  updated: number;
  /** Files skipped (already imported, not a data file). */
  skipped: number;
  /** Files that failed. */
  failed: number;
  /** Files the resumed job had already recorded. */
  resumed_skipped: number;
  /** Cell codes whose dataset got a new version. */
  datasets_updated: string[];
  /** Wall-clock seconds. */
  duration_s: number;
  /** Per-file outcomes of this run. */
  outcomes: (ImportOutcome & { path: string })[];
}

/**
 * Import directories (or files) into a store: scan with depth and glob filters, parse in
 * parallel workers, store each file (create, join multi-file tests, update changed files, skip
 * known hashes), archive the originals, record every outcome in an import job, and refresh the
 * cell datasets. A bad file is recorded as failed and the run goes on. Each file is committed
 * on its own, so a killed run loses nothing already stored and `resumeJobId` finishes it.
 *
 * @param store The store.
 * @param roots Directories or files (may be empty when resuming: the job's roots are used).
 * @param options Scan filters, workers, dry run, archive, tags, resume, progress.
 * @returns What happened.
 *
 * @example
 * ```ts
 * import { importDirectory } from "./import_directory.ts";
 * import { openStore } from "../store/open_store.ts";
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(
 *   join(dir, "cell.bdf.csv"),
 *   "Test Time / s,Voltage / V,Current / A\n0,3.7,0\n60,3.7,1\n",
 * );
 * const store = await openStore({ memory: true });
 * const summary = await importDirectory(store, [dir], { workers: 0, archive: false });
 * equal(summary.created, 1);
 * equal(summary.failed, 0);
 * // Again: the file's SHA-256 is known, so it is skipped.
 * equal((await importDirectory(store, [dir], { workers: 0, archive: false })).skipped, 1);
 * await store.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function importDirectory(
  store: Store,
  roots: readonly string[],
  options: ImportDirectoryOptions = {},
): Promise<ImportSummary> {
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  let job: ImportJob | null = null;
  let done = new Set<string>();
  // Absolute, so that a job resumed from another directory looks at the same files.
  let scanRoots = roots.map((r) => resolve(r));
  if (options.resumeJobId) {
    const found = await store.jobs.get(options.resumeJobId);
    if (!found) throw new RangeError(`Cannot resume: no import job "${options.resumeJobId}"`);
    if (found.status !== "running" && found.status !== "interrupted") {
      throw new RangeError(`Cannot resume job "${found.id}": it is already ${found.status}`);
    }
    job = dryRun ? found : await store.jobs.resume(found.id);
    done = new Set(found.files.map((f) => f.path));
    if (scanRoots.length === 0) scanRoots = found.roots;
  }
  if (scanRoots.length === 0) throw new RangeError("Cannot import: no directory or file given");

  const files: ScannedFile[] = [];
  const passedOver: SkippedEntry[] = [];
  let resumedSkipped = 0;
  const scan = {
    ...options,
    onSkip: (entry: SkippedEntry) => {
      options.onSkip?.(entry);
      if (done.has(entry.path)) resumedSkipped++;
      else passedOver.push(entry);
    },
  };
  for await (const f of scanFiles(scanRoots, scan)) {
    if (done.has(f.path)) resumedSkipped++;
    else files.push(f);
  }
  const bytesTotal = files.reduce((s, f) => s + f.size, 0);
  if (!dryRun && !job) {
    job = await store.jobs.start({
      roots: scanRoots,
      total: files.length + passedOver.length,
      options: {
        depth: options.depth ?? null,
        include: options.include ?? [],
        exclude: options.exclude ?? [],
        archive: options.archive ?? true,
        tags: options.tags ?? [],
        cycle_method: options.cycleMethod ?? "auto",
        ...(options.sample !== undefined ? { sample: options.sample } : {}),
        ...(options.sampleInfo ? { sample_info: options.sampleInfo } : {}),
        ...(options.sheet ? { sample_sheet: options.sheet.file } : {}),
      },
    });
  }
  if (job) options.onJob?.(job);
  const summary: ImportSummary = {
    job_id: job?.id ?? null,
    status: "dry_run",
    files: 0,
    bytes: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    resumed_skipped: resumedSkipped,
    datasets_updated: [],
    duration_s: 0,
    outcomes: [],
  };
  const workers = Math.min(
    options.workers ?? navigator.hardwareConcurrency ?? 1,
    Math.max(files.length, 0),
  );
  const parse = {
    fileNameRule: options.fileNameRule,
    cycleMethod: options.cycleMethod,
    mapping: options.mapping,
    // The archive's compression runs in the parse workers.
    pack: (options.archive ?? true) && !dryRun,
  };
  const pool = new ParsePool({ workers, workerUrl: options.workerUrl, parse });
  const cellCodes = new Set<string>();
  let interrupted = false;
  // Entries the scan passed over (unreadable folders, bad names, FIFOs, devices) are recorded
  // first, each with its reason.
  for (const entry of passedOver) {
    const outcome: ImportOutcome = {
      action: "skipped",
      test_id: null,
      sample: null,
      cell_code: null,
      error: entry.reason,
    };
    if (job) {
      await store.jobs.record(job.id, {
        path: entry.path,
        sha256: null,
        action: "skipped",
        test_id: null,
        error: entry.reason,
      });
    }
    summary.skipped++;
    summary.outcomes.push({ path: entry.path, ...outcome });
  }
  try {
    // Keep a window of parses in flight; store results strictly in scan order, so that the
    // parts of a multi-file test are joined deterministically.
    const window = Math.max(1, workers) * 2;
    const inFlight: Promise<Awaited<ReturnType<ParsePool["parse"]>> | Error>[] = [];
    let next = 0;
    const launch = (): void => {
      while (next < files.length && inFlight.length < window && !options.signal?.aborted) {
        inFlight.push(pool.parse(files[next++].path).catch((e: unknown) => e as Error));
      }
    };
    launch();
    for (let i = 0; i < files.length; i++) {
      if (inFlight.length === 0) {
        interrupted = true;
        break;
      }
      const file = files[i];
      const parsed = await inFlight.shift()!;
      launch();
      let outcome: ImportOutcome;
      if (parsed instanceof Error) {
        outcome = {
          action: "failed",
          test_id: null,
          sample: null,
          cell_code: null,
          error: `cannot read: ${parsed.message}`,
        };
      } else {
        try {
          outcome = await importParsed(store, parsed, {
            archive: options.archive,
            jobId: job?.id ?? null,
            tags: options.tags,
            dryRun,
            parse,
            sample: options.sample,
            sampleInfo: options.sampleInfo,
            sheet: options.sheet,
            keepHistory: options.keepHistory,
          });
        } catch (error) {
          // The store refused this file (disk full, a conflict that did not resolve, a
          // damaged database page): the file's outcome; the run goes on. An outage or a lost
          // database ends the run (below).
          if (!(error instanceof StoreError) || isFatal(error)) throw error;
          outcome = {
            action: "failed",
            test_id: null,
            sample: null,
            cell_code: null,
            error: error.message,
          };
        }
      }
      if (job) {
        const record: Omit<FileOutcome, "at"> = {
          path: file.path,
          sha256: parsed instanceof Error ? null : parsed.sha256 || null,
          action: outcome.action,
          test_id: outcome.test_id,
          error: outcome.error,
        };
        await store.jobs.record(job.id, record);
      }
      if (outcome.cell_code && (outcome.action === "created" || outcome.action === "updated")) {
        cellCodes.add(outcome.cell_code);
      }
      summary[outcome.action]++;
      summary.files++;
      summary.bytes += file.size;
      summary.outcomes.push({ path: file.path, ...outcome });
      options.onProgress?.({
        files_done: summary.files,
        files_total: files.length,
        bytes_done: summary.bytes,
        bytes_total: bytesTotal,
        path: file.path,
        outcome,
      });
    }
  } catch (error) {
    // The store became unreachable or was lost: say so in the job when it can still be
    // written (it is shown as interrupted otherwise once this process is gone), then fail.
    if (job && isFatal(error)) {
      await store.jobs.addError(job.id, (error as Error).message).catch(() => {});
      await store.jobs.finish(job.id, { status: "interrupted" }).catch(() => {});
    }
    throw error;
  } finally {
    pool.close();
  }
  if (!dryRun && options.refreshDatasets !== false && !interrupted) {
    for (const code of [...cellCodes].sort()) {
      // Other importers refresh the same cell at the same time: each attempt rebuilds from
      // the latest version; a version written meanwhile is a conflict, and the next attempt
      // builds on it.
      for (let attempt = 1;; attempt++) {
        try {
          const update = await updateCellDataset(store, code);
          if (update.changed) summary.datasets_updated.push(code);
          break;
        } catch (error) {
          if (!(error instanceof ConflictError) || attempt >= 5) throw error;
        }
      }
    }
  }
  if (job) {
    const finished = await store.jobs.finish(
      job.id,
      interrupted ? { status: "interrupted" } : {},
    );
    summary.status = finished.status;
  }
  summary.duration_s = (performance.now() - started) / 1000;
  return summary;
}

/** Errors after which no further file can be stored: an outage, a lost database. */
function isFatal(error: unknown): boolean {
  return error instanceof StoreConnectionError || error instanceof StoreLostError;
}
