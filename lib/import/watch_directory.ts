// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Watch a directory and import instrument files as they appear and grow.
 *
 * How a file gets imported:
 * 1. It is noticed by a file-system event (`Deno.watchFs`), by the scan at start, or by the
 *    periodic rescan (network shares often deliver no events).
 * 2. Debounce: `debounce_s` after its last event it is looked at.
 * 3. Stability: its size and modification time must stay the same for `stable_s`; a file still
 *    being written waits. A file that grows later is noticed again, imported again (it has a new
 *    SHA-256) and updates its test through {@link importParsed}.
 * 4. Files already stored (same SHA-256) are passed over without parsing; the others are parsed
 *    and stored one at a time, in the order they became ready.
 *
 * State lives in the store: what was imported is known by hash, so a restarted watcher's first
 * scan catches up on whatever changed while it was down and skips the rest. When the store is
 * unreachable, ready files go to a local queue file (JSON lines, replaced atomically); the
 * watcher retries every `retry_s` and drains the queue, in order, when the store answers again.
 *
 * Import jobs: one job per batch. A batch starts when a file needs storing and ends when no
 * ready file is left; then the touched cell datasets are refreshed and the job finished. So
 * `import_directory --status` shows one job per burst of activity, each with its per-file
 * outcomes, and a watcher that is killed leaves at most one job `running`.
 *
 * @module
 */

import { homedir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import type { FileOutcome, ImportJob } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { isConnectionFailure, StoreConnectionError, StoreLostError } from "../store/store_error.ts";
import { redactText } from "../store/redact.ts";
import { updateCellDataset } from "../cell_dataset.ts";
import type { FileNameRule } from "../../parsers/file_name.ts";
import type { SampleSheet } from "../../parsers/sample_sheet.ts";
import type { SampleInfo } from "../model/sample_info.ts";
import type { CycleMethod } from "../../analysis/cycles.ts";
import type { ColumnMapping } from "../../parsers/column_mapping.ts";
import { sha256Hex } from "./parse_file.ts";
import { ParsePool } from "./parse_pool.ts";
import { type ImportOutcome, importParsed } from "./import_parsed.ts";
import { scanFiles, type ScanOptions } from "./scan_files.ts";
import { pathFilter } from "./_path_filter.ts";
import { type QueueEntry, readQueue, writeQueue } from "./_watch_queue.ts";

/** Something the watcher did, reported through `onEvent`. */
export type WatchEvent =
  | { type: "started"; root: string; queue_file: string; queued: number }
  | {
    type: "imported";
    path: string;
    sha256: string;
    job_id: string;
    outcome: ImportOutcome;
  }
  | { type: "unchanged"; path: string; sha256: string; test_id: string }
  | { type: "queued"; path: string; reason: string }
  | { type: "vanished"; path: string }
  | { type: "store_down"; error: string }
  | { type: "store_up"; queued: number }
  | { type: "batch_finished"; job: ImportJob; datasets_updated: string[] }
  | { type: "error"; path: string | null; error: string }
  | { type: "stopped"; summary: WatchSummary };

/** Options of {@link watchDirectory}. */
export interface WatchDirectoryOptions extends ScanOptions {
  /** Seconds after a file's last event before it is looked at. @default {1} */
  debounce_s?: number;
  /** Seconds a file's size and modification time must stay unchanged. @default {2} */
  stable_s?: number;
  /** Seconds between full rescans (network shares miss events). @default {60} */
  rescan_s?: number;
  /** Seconds between attempts to reach an unreachable store. @default {5} */
  retry_s?: number;
  /** Tags added to every sample, test and raw file touched. */
  tags?: string[];
  /** Archive the original files in the store. @default {true} */
  archive?: boolean;
  /**
   * The local queue file (JSON lines).
   * @default {~/.battery_analysis/watch_queue-<hash of the root>.jsonl}
   */
  queueFile?: string;
  /** Parsing worker threads (0 = parse in this thread). @default {0} */
  workers?: number;
  /** Module each worker loads (see `ParsePool`). */
  workerUrl?: string | URL;
  /** File name rule for sample, channel and cell code. */
  fileNameRule?: FileNameRule;
  /** How cycles are delimited. @default {"auto"} */
  cycleMethod?: CycleMethod;
  /** A user-defined column mapping for files no instrument reader knows. @default {none} */
  mapping?: ColumnMapping;
  /** Put every file in this sample (instead of the sheet's or the file name rule's). */
  sample?: string;
  /** Sample sheet mapping files and sample names to sample names and properties. */
  sheet?: SampleSheet;
  /** Sample properties set on the sample of every file (over the sheet's). */
  sampleInfo?: SampleInfo;
  /** Refresh the cell datasets touched by a batch when it ends. @default {true} */
  refreshDatasets?: boolean;
  /**
   * When a grown file is imported again, keep the archived earlier (partial) version, unlinked
   * from the test, instead of deleting it. @default {false}
   */
  keepHistory?: boolean;
  /** Called for everything the watcher does (must not throw). */
  onEvent?: (event: WatchEvent) => void;
  /** Stop watching when aborted; the current file is finished first. */
  signal?: AbortSignal;
}

/** What a watcher did until it stopped. */
export interface WatchSummary {
  /** Files that created a test. */
  created: number;
  /** Files that updated a test (grown, changed, or a further part). */
  updated: number;
  /** Files skipped (not a data file, no measurement data). */
  skipped: number;
  /** Files that failed to parse or store. */
  failed: number;
  /** Ready files passed over because their SHA-256 was already stored. */
  unchanged: number;
  /** Files left in the local queue at the end (waiting for the store). */
  queued: number;
  /** Import jobs written, in order. */
  jobs: string[];
  /** Cell codes whose dataset got a new version. */
  datasets_updated: string[];
}

/**
 * Whether a file name is a temporary name that a writer renames into place when it is done
 * (`x.csv.part`, `x.tmp`, `x.crdownload`, `~$x.xlsx`, `x.csv~`). The watcher never imports such
 * a file, so a file written under a temporary name and renamed is stored under its final name.
 *
 * @example Usage
 * ```ts
 * import { isTemporaryName } from "./watch_directory.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(isTemporaryName("cell_Channel_1_Wb_1.CSV.part"), true);
 * equal(isTemporaryName("cell_Channel_1_Wb_1.CSV"), false);
 * ```
 */
export function isTemporaryName(name: string): boolean {
  const base = name.slice(name.lastIndexOf("/") + 1).toLowerCase();
  return /\.(part|partial|tmp|temp|crdownload|download|filepart|swp)$/.test(base) ||
    base.endsWith("~") || base.startsWith("~$") || /^\.~lock\./.test(base);
}

/** A store, or a function that opens one (called again until it succeeds; closed at the end). */
export type StoreSource = Store | (() => Promise<Store>);

/**
 * Whether an error means the store cannot be reached (as opposed to a bad file or a bug). Stores
 * raise a {@link StoreConnectionError} for every outage, which is what the watcher acts on; this
 * is `isConnectionFailure` from `lib/store/store_error.ts`, which also recognizes driver and
 * socket errors that did not come through a store (for example from a custom `StoreSource`).
 *
 * @example Usage
 * ```ts
 * import { isConnectionError } from "./watch_directory.ts";
 * import { StoreConnectionError } from "../store/store_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(isConnectionError(new StoreConnectionError("Cannot connect")), true);
 * equal(isConnectionError(new RangeError("bad cycle")), false);
 * ```
 */
export const isConnectionError: (error: unknown) => boolean = isConnectionFailure;

/**
 * The default queue file of a watched root: `~/.battery_analysis/watch_queue-<12 hex>.jsonl`,
 * one per root so that several watchers never share a file.
 *
 * @example Usage
 * ```ts
 * import { defaultQueueFile } from "./watch_directory.ts";
 * import { match } from "node:assert/strict";
 *
 * match(await defaultQueueFile("/data/lab"), /watch_queue-[0-9a-f]{12}\.jsonl$/);
 * ```
 */
export async function defaultQueueFile(root: string): Promise<string> {
  const hash = await sha256Hex(new TextEncoder().encode(resolve(root)));
  return join(homedir(), ".battery_analysis", `watch_queue-${hash.slice(0, 12)}.jsonl`);
}

interface Pending {
  timer: ReturnType<typeof setTimeout> | null;
  observed: { size: number; mtime_ms: number } | null;
  since: number;
}

interface FileState {
  size: number;
  mtime_ms: number;
}

/**
 * Watch `root` and import files as they become stable, until `options.signal` is aborted. See
 * the module documentation for the rules.
 *
 * @param source The store, or a function opening it (retried while it fails).
 * @param root The directory to watch.
 * @param options Timing, filters, tags, queue file, events and the stop signal.
 * @returns What was done.
 *
 * @example Usage
 * ```ts ignore
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGINT", () => stop.abort());
 * const summary = await watchDirectory(store, "/data/arbin", {
 *   include: ["*.csv"],
 *   onEvent: (e) => console.log(e.type),
 *   signal: stop.signal,
 * });
 * ```
 */
export async function watchDirectory(
  source: StoreSource,
  root: string,
  options: WatchDirectoryOptions = {},
): Promise<WatchSummary> {
  const watcher = new DirectoryWatcher(source, root, options);
  return await watcher.run();
}

class DirectoryWatcher {
  readonly #source: StoreSource;
  readonly #root: string;
  readonly #o: WatchDirectoryOptions;
  readonly #accept: (relative: string) => boolean;
  readonly #ms: { debounce: number; stable: number; rescan: number; retry: number };
  #store: Store | null = null;
  #up = false;
  #downReported = false;
  #stopping = false;
  #queueFile = "";
  /** Files waiting for debounce / stability. */
  readonly #pending = new Map<string, Pending>();
  /** Files ready to import, in order. */
  readonly #ready = new Set<string>();
  /** Persistent queue entries by path (mirrors the queue file). */
  readonly #queue = new Map<string, QueueEntry>();
  /** Last state of each file that was handled. */
  readonly #seen = new Map<string, FileState>();
  /**
   * The file being imported now: a rescan or a stability check must not make it ready again
   * before its state is in `#seen` (it would be imported twice, or reported unchanged twice).
   */
  #inFlight: string | null = null;
  #pool: ParsePool | null = null;
  #fsWatcher: Deno.FsWatcher | null = null;
  #rescanTimer: ReturnType<typeof setInterval> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #draining: Promise<void> | null = null;
  #scanning: Promise<void> | null = null;
  #watching: Promise<void> | null = null;
  #queueWrite: Promise<void> = Promise.resolve();
  #queueDirty = false;
  #queueWriting = false;
  #job: ImportJob | null = null;
  #fatal: StoreLostError | null = null;
  #stop: (() => void) | null = null;
  readonly #cellCodes = new Set<string>();
  readonly #summary: WatchSummary = {
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
    unchanged: 0,
    queued: 0,
    jobs: [],
    datasets_updated: [],
  };

  constructor(source: StoreSource, root: string, options: WatchDirectoryOptions) {
    const seconds = (name: string, value: number | undefined, fallback: number, min: number) => {
      const v = value ?? fallback;
      if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
        throw new RangeError(`Cannot watch: ${name} must be a number ≥ ${min} seconds, got ${v}`);
      }
      return v * 1000;
    };
    this.#ms = {
      debounce: seconds("debounce_s", options.debounce_s, 1, 0),
      stable: seconds("stable_s", options.stable_s, 2, 0),
      rescan: seconds("rescan_s", options.rescan_s, 60, 0.01),
      retry: seconds("retry_s", options.retry_s, 5, 0.01),
    };
    this.#source = source;
    this.#root = resolve(root);
    const reported = new Set<string>();
    this.#o = {
      ...options,
      // Entries that cannot be imported are reported once each.
      onSkip: (entry) => {
        options.onSkip?.(entry);
        if (reported.has(entry.path)) return;
        reported.add(entry.path);
        this.#emit({ type: "error", path: entry.path, error: entry.reason });
      },
    };
    const accept = pathFilter(options);
    this.#accept = (rel) => accept(rel) && !isTemporaryName(rel);
  }

  /** A store that can no longer be written (its file deleted or replaced): stop with it. */
  #fail(error: StoreLostError): void {
    this.#fatal ??= error;
    this.#emit({ type: "error", path: null, error: error.message });
    this.#stop?.();
  }

  #emit(event: WatchEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch {
      // A listener's failure must not stop the watcher.
    }
  }

  async run(): Promise<WatchSummary> {
    const info = await Deno.stat(this.#root).catch((error: Error) => {
      throw new Error(`Cannot watch "${this.#root}": ${error.message}`, { cause: error });
    });
    if (!info.isDirectory) throw new TypeError(`Cannot watch "${this.#root}": not a directory`);
    this.#queueFile = this.#o.queueFile ?? await defaultQueueFile(this.#root);
    for (const entry of await readQueue(this.#queueFile)) {
      if (entry.root === this.#root) this.#queue.set(entry.path, entry);
    }
    const workers = this.#o.workers ?? 0;
    this.#pool = new ParsePool({
      workers,
      workerUrl: this.#o.workerUrl,
      parse: {
        fileNameRule: this.#o.fileNameRule,
        cycleMethod: this.#o.cycleMethod,
        mapping: this.#o.mapping,
        pack: this.#o.archive ?? true,
      },
    });
    let stopped!: () => void;
    const done = new Promise<void>((r) => (stopped = r));
    this.#stop = stopped;
    const onAbort = (): void => stopped();
    if (this.#o.signal?.aborted) stopped();
    this.#o.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#connect();
      this.#emit({
        type: "started",
        root: this.#root,
        queue_file: this.#queueFile,
        queued: this.#queue.size,
      });
      // Queued files from an earlier run go through the stability check like any other file.
      for (const path of this.#queue.keys()) this.#schedule(path);
      this.#startFsWatcher();
      this.#rescan();
      this.#rescanTimer = setInterval(() => {
        if (!this.#fsWatcher) this.#startFsWatcher();
        this.#rescan();
      }, this.#ms.rescan);
      await done;
    } finally {
      this.#o.signal?.removeEventListener("abort", onAbort);
      await this.#shutdown();
    }
    this.#summary.queued = this.#queue.size;
    this.#emit({ type: "stopped", summary: { ...this.#summary } });
    if (this.#fatal) throw this.#fatal;
    return this.#summary;
  }

  async #shutdown(): Promise<void> {
    this.#stopping = true;
    if (this.#rescanTimer !== null) clearInterval(this.#rescanTimer);
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    for (const p of this.#pending.values()) if (p.timer !== null) clearTimeout(p.timer);
    this.#pending.clear();
    try {
      this.#fsWatcher?.close();
    } catch {
      // already closed
    }
    await this.#watching;
    await this.#scanning;
    await this.#draining;
    if (!this.#up) await this.#spill();
    if (this.#up && this.#job && !this.#fatal) {
      await this.#finishBatch(this.#ready.size > 0 ? "interrupted" : undefined).catch(
        (error) => this.#emit({ type: "error", path: null, error: (error as Error).message }),
      );
    }
    await this.#queueWrite;
    this.#pool?.close();
    if (typeof this.#source === "function" && this.#store) {
      await this.#store.close().catch(() => {});
    }
  }

  // ------------------------------------------------------------------ store availability

  /**
   * Open (or probe) the store; when it cannot be reached schedule a retry. Other errors are
   * thrown. Returns whether the store is up.
   */
  async #connect(): Promise<boolean> {
    try {
      this.#store ??= await this.#open();
      if (!this.#up) await this.#store.jobs.list({ limit: 1 });
      this.#up = true;
      this.#downReported = false;
      return true;
    } catch (error) {
      if (!(error instanceof StoreConnectionError)) throw error;
      this.#markDown(error);
      return false;
    }
  }

  /**
   * The store from the source. Stores and `openStore` raise `StoreConnectionError` when the
   * store cannot be reached; a custom opener's bare driver or socket error is treated the same.
   */
  async #open(): Promise<Store> {
    if (typeof this.#source !== "function") return this.#source;
    try {
      return await this.#source();
    } catch (error) {
      if (error instanceof StoreConnectionError || !isConnectionFailure(error)) throw error;
      const message = redactText((error as Error)?.message ?? String(error));
      throw new StoreConnectionError(`Cannot open the store: ${message}`, { cause: error });
    }
  }

  #markDown(error: unknown): void {
    this.#up = false;
    if (!this.#downReported) {
      this.#downReported = true;
      this.#emit({ type: "store_down", error: (error as Error)?.message ?? String(error) });
    }
    if (this.#retryTimer === null && !this.#stopping) {
      this.#retryTimer = setTimeout(() => this.#retry(), this.#ms.retry);
    }
  }

  async #retry(): Promise<void> {
    this.#retryTimer = null;
    if (this.#stopping) return;
    let up: boolean;
    try {
      up = await this.#connect() && await this.#reconcileJob();
    } catch (error) {
      this.#emit({ type: "error", path: null, error: (error as Error).message });
      this.#markDown(error);
      return;
    }
    if (up && !this.#stopping) {
      this.#emit({ type: "store_up", queued: this.#queue.size });
      for (const path of this.#queue.keys()) this.#ready.add(path);
      this.#kick();
    }
  }

  /**
   * After an outage: the batch's job may have been finished by a call whose reply was lost
   * (the server applied it, the connection broke before the answer). Then it is not running
   * any more and the next file starts a new job. Returns whether the store is still up.
   */
  async #reconcileJob(): Promise<boolean> {
    if (!this.#job) return true;
    try {
      const stored = await this.#store!.jobs.get(this.#job.id);
      if (stored?.status === "running") return true;
      this.#job = null;
      if (stored) this.#emit({ type: "batch_finished", job: stored, datasets_updated: [] });
      return true;
    } catch (error) {
      if (!(error instanceof StoreConnectionError)) throw error;
      this.#markDown(error);
      return false;
    }
  }

  // ------------------------------------------------------------------ noticing files

  #relative(path: string): string {
    const rel = relative(this.#root, path);
    return sep === "/" ? rel : rel.split(sep).join("/");
  }

  #startFsWatcher(): void {
    if (this.#stopping) return;
    let fsWatcher: Deno.FsWatcher;
    try {
      fsWatcher = Deno.watchFs(this.#root, { recursive: true });
    } catch (error) {
      this.#emit({ type: "error", path: this.#root, error: (error as Error).message });
      return;
    }
    this.#fsWatcher = fsWatcher;
    this.#watching = (async () => {
      try {
        for await (const event of fsWatcher) {
          if (event.kind === "access" || event.kind === "remove") continue;
          for (const path of event.paths) this.#onFsPath(path);
        }
      } catch (error) {
        if (!this.#stopping) {
          this.#emit({ type: "error", path: this.#root, error: (error as Error).message });
        }
      } finally {
        if (this.#fsWatcher === fsWatcher) this.#fsWatcher = null;
      }
    })();
  }

  #onFsPath(path: string): void {
    if (this.#stopping) return;
    const rel = this.#relative(path);
    if (this.#accept(rel)) {
      this.#schedule(path);
      return;
    }
    // A directory created or moved in may bring files without events of their own.
    Deno.stat(path).then((info) => {
      if (info.isDirectory && !rel.startsWith("..")) this.#rescan();
    }, () => {});
  }

  #rescan(): void {
    if (this.#scanning || this.#stopping) return;
    this.#scanning = (async () => {
      try {
        const present = new Set<string>();
        for await (const f of scanFiles([this.#root], this.#o)) {
          if (this.#stopping) return;
          present.add(f.path);
          const seen = this.#seen.get(f.path);
          if (seen && seen.size === f.size && seen.mtime_ms === f.mtime_ms) continue;
          if (this.#pending.has(f.path) || this.#ready.has(f.path)) continue;
          if (this.#inFlight === f.path) continue; // its state is recorded when it is done
          if (isTemporaryName(f.relative)) continue;
          this.#schedule(f.path);
        }
        for (const path of this.#seen.keys()) if (!present.has(path)) this.#seen.delete(path);
      } catch (error) {
        this.#emit({ type: "error", path: this.#root, error: (error as Error).message });
      } finally {
        this.#scanning = null;
      }
    })();
  }

  // ------------------------------------------------------------------ debounce and stability

  #schedule(path: string): void {
    if (this.#stopping) return;
    const entry = this.#pending.get(path) ?? { timer: null, observed: null, since: 0 };
    if (entry.timer !== null) clearTimeout(entry.timer);
    entry.observed = null; // every event restarts the stability window
    entry.timer = setTimeout(() => this.#check(path), this.#ms.debounce);
    this.#pending.set(path, entry);
  }

  async #check(path: string): Promise<void> {
    const entry = this.#pending.get(path);
    if (!entry || this.#stopping) return;
    entry.timer = null;
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch {
      this.#pending.delete(path);
      this.#vanished(path);
      return;
    }
    if (this.#stopping || this.#pending.get(path) !== entry || entry.timer !== null) return;
    if (!info.isFile) {
      this.#pending.delete(path);
      return;
    }
    const now = performance.now();
    const state = { size: info.size, mtime_ms: info.mtime?.getTime() ?? 0 };
    if (
      entry.observed === null || entry.observed.size !== state.size ||
      entry.observed.mtime_ms !== state.mtime_ms
    ) {
      entry.observed = state;
      entry.since = now;
      if (this.#ms.stable > 0) {
        entry.timer = setTimeout(() => this.#check(path), this.#ms.stable);
        return;
      }
    } else if (now - entry.since < this.#ms.stable) {
      entry.timer = setTimeout(() => this.#check(path), this.#ms.stable - (now - entry.since));
      return;
    }
    if (this.#inFlight === path) {
      // Being imported: look again once it is done (and its state recorded).
      entry.timer = setTimeout(() => this.#check(path), Math.max(this.#ms.stable, 10));
      return;
    }
    this.#pending.delete(path);
    const seen = this.#seen.get(path);
    if (
      seen && seen.size === state.size && seen.mtime_ms === state.mtime_ms &&
      !this.#queue.has(path)
    ) return;
    this.#ready.add(path);
    this.#kick();
  }

  #vanished(path: string): void {
    this.#seen.delete(path);
    if (this.#queue.delete(path)) {
      this.#emit({ type: "vanished", path });
      this.#saveQueue();
    }
  }

  // ------------------------------------------------------------------ importing

  #kick(): void {
    if (this.#draining || this.#stopping) return;
    // `finally` runs after this assignment even when #drain() has nothing to await (a drain
    // with nothing ready); clearing the flag inside #drain would then run before the
    // assignment and leave the watcher believing a drain is running forever.
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      // Files that became ready while the batch was being finished.
      if (this.#ready.size > 0 && this.#up && !this.#stopping) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#ready.size > 0 && !this.#stopping && this.#up) {
        const path = this.#ready.values().next().value!;
        this.#ready.delete(path);
        this.#inFlight = path;
        try {
          await this.#process(path);
        } finally {
          this.#inFlight = null;
        }
      }
      if (!this.#up) await this.#spill();
      else if (this.#ready.size === 0 && this.#job && !this.#stopping) {
        await this.#finishBatch();
      }
    } catch (error) {
      if (error instanceof StoreLostError) this.#fail(error);
      else if (error instanceof StoreConnectionError) {
        this.#markDown(error);
        await this.#spill();
      } else this.#emit({ type: "error", path: null, error: (error as Error).message });
    }
  }

  /** Move ready files to the local queue (the store is unreachable). */
  async #spill(): Promise<void> {
    for (const path of [...this.#ready]) {
      if (this.#up) break; // reconnected meanwhile: the drain loop takes over
      this.#ready.delete(path);
      if (this.#queue.has(path)) continue;
      const info = await Deno.stat(path).catch(() => null);
      if (!info) {
        this.#vanished(path);
        continue;
      }
      const state = { size: info.size, mtime_ms: info.mtime?.getTime() ?? 0 };
      this.#enqueue(path, state, "the store is unreachable");
    }
  }

  async #process(path: string): Promise<void> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch {
      this.#vanished(path);
      return;
    }
    const state = { size: info.size, mtime_ms: info.mtime?.getTime() ?? 0 };
    const store = this.#store!;
    let sha256: string | null = null;
    try {
      const bytes = await Deno.readFile(path);
      sha256 = await sha256Hex(bytes);
      const known = await store.tests.getByHash(sha256);
      if (known) {
        this.#seen.set(path, state);
        this.#summary.unchanged++;
        this.#emit({ type: "unchanged", path, sha256, test_id: known.id });
        this.#dequeue(path);
        return;
      }
      const job = await this.#ensureJob();
      const parsed = await this.#pool!.parse(path);
      sha256 = parsed.sha256;
      const outcome = await importParsed(store, parsed, {
        archive: this.#o.archive,
        jobId: job.id,
        keepHistory: this.#o.keepHistory,
        tags: this.#o.tags,
        parse: {
          fileNameRule: this.#o.fileNameRule,
          cycleMethod: this.#o.cycleMethod,
          mapping: this.#o.mapping,
        },
        sample: this.#o.sample,
        sheet: this.#o.sheet,
        sampleInfo: this.#o.sampleInfo,
      });
      await this.#record(job, path, sha256, outcome);
    } catch (error) {
      if (error instanceof StoreLostError) {
        this.#ready.add(path);
        this.#fail(error);
        return;
      }
      if (error instanceof StoreConnectionError) {
        this.#enqueue(path, state, error.message);
        this.#markDown(error);
        return;
      }
      // A file that cannot be read, or a store refusal that is not about connectivity.
      const outcome: ImportOutcome = {
        action: "failed",
        test_id: null,
        sample: null,
        cell_code: null,
        error: (error as Error)?.message ?? String(error),
      };
      try {
        const job = await this.#ensureJob();
        await this.#record(job, path, sha256 ?? "", outcome);
      } catch (inner) {
        if (inner instanceof StoreLostError) {
          this.#fail(inner);
          return;
        }
        if (inner instanceof StoreConnectionError) {
          this.#enqueue(path, state, inner.message);
          this.#markDown(inner);
          return;
        }
        this.#emit({ type: "error", path, error: outcome.error! });
      }
    }
    this.#seen.set(path, state);
  }

  async #record(
    job: ImportJob,
    path: string,
    sha256: string,
    outcome: ImportOutcome,
  ): Promise<void> {
    const record: Omit<FileOutcome, "at"> = {
      path,
      sha256: sha256 || null,
      action: outcome.action,
      test_id: outcome.test_id,
      error: outcome.error,
    };
    await this.#store!.jobs.record(job.id, record);
    this.#summary[outcome.action]++;
    if (outcome.cell_code && (outcome.action === "created" || outcome.action === "updated")) {
      this.#cellCodes.add(outcome.cell_code);
    }
    this.#dequeue(path);
    this.#emit({ type: "imported", path, sha256, job_id: job.id, outcome });
  }

  async #ensureJob(): Promise<ImportJob> {
    if (this.#job) return this.#job;
    this.#job = await this.#store!.jobs.start({
      roots: [this.#root],
      options: {
        watcher: true,
        debounce_s: this.#ms.debounce / 1000,
        stable_s: this.#ms.stable / 1000,
        rescan_s: this.#ms.rescan / 1000,
        depth: Number.isFinite(this.#o.depth ?? Infinity) ? this.#o.depth : null,
        include: this.#o.include ?? [],
        exclude: this.#o.exclude ?? [],
        archive: this.#o.archive ?? true,
        tags: this.#o.tags ?? [],
        cycle_method: this.#o.cycleMethod ?? "auto",
      },
    });
    this.#summary.jobs.push(this.#job.id);
    return this.#job;
  }

  async #finishBatch(status?: "interrupted"): Promise<void> {
    const store = this.#store!;
    const updated: string[] = [];
    if (this.#o.refreshDatasets !== false) {
      for (const code of [...this.#cellCodes].sort()) {
        const result = await updateCellDataset(store, code);
        this.#cellCodes.delete(code);
        if (result.changed) {
          updated.push(code);
          if (!this.#summary.datasets_updated.includes(code)) {
            this.#summary.datasets_updated.push(code);
          }
        }
      }
    }
    const job = await store.jobs.finish(this.#job!.id, status ? { status } : {});
    this.#job = null;
    this.#emit({ type: "batch_finished", job, datasets_updated: updated });
  }

  // ------------------------------------------------------------------ the local queue

  #enqueue(path: string, state: FileState, reason: string): void {
    this.#queue.set(path, {
      root: this.#root,
      path,
      size: state.size,
      mtime_ms: state.mtime_ms,
      queued_at: new Date().toISOString(),
      reason,
    });
    this.#emit({ type: "queued", path, reason });
    this.#saveQueue();
  }

  #dequeue(path: string): void {
    if (this.#queue.delete(path)) this.#saveQueue();
  }

  /**
   * Write the queue file. Writes are serialized and coalesced (changes made while a write is
   * running are written together by the next one); each replaces the file atomically.
   */
  #saveQueue(): void {
    this.#queueDirty = true;
    if (this.#queueWriting) return;
    this.#queueWriting = true;
    this.#queueWrite = (async () => {
      while (this.#queueDirty) {
        this.#queueDirty = false;
        try {
          await writeQueue(this.#queueFile, {
            root: this.#root,
            entries: [...this.#queue.values()],
          });
        } catch (error) {
          this.#emit({ type: "error", path: this.#queueFile, error: (error as Error).message });
        }
      }
      this.#queueWriting = false;
    })();
  }
}
