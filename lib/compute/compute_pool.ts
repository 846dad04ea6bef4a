// Copyright 2026 the battery-analysis authors. MIT license.

import type { ComputeProgress, ComputeRequest, ComputeResponse } from "./serve_compute_tasks.ts";

/** Options of {@link ComputePool}. */
export interface ComputePoolOptions {
  /**
   * Module each worker loads; it must call `serveComputeTasks` with the tasks it offers.
   */
  workerUrl: string | URL;
  /** Most worker threads at once (started when first needed). @default {2} */
  workers?: number;
  /**
   * Most workers that heavy tasks may hold at once, so that light ones (a page section) always
   * find a worker even while long fits run. @default {max(1, workers - 1)}
   */
  heavyWorkers?: number;
  /** Time limit of a task unless it gives its own, in milliseconds. @default {120000} */
  timeoutMs?: number;
}

/** Options of {@link ComputePool.run}. */
export interface ComputeRunOptions {
  /**
   * Identity of the computation: callers asking for the same key while it runs share it (one
   * computation, one result for all).
   */
  key?: string;
  /** A long computation (a fit, a model run) rather than a quick page section. @default {true} */
  heavy?: boolean;
  /** Time limit in milliseconds: past it the worker is stopped. @default {the pool's} */
  timeoutMs?: number;
  /**
   * The caller gives up when this aborts (a closed browser tab); once every caller of a
   * computation has given up, it is removed from the queue or its worker is stopped.
   */
  signal?: AbortSignal;
  /** Buffers of `input` to move to the worker instead of copying them. */
  transfer?: Transferable[];
  /**
   * Called with each progress report of the task (what it passes to `context.progress`), from
   * when this caller joins until the result.
   */
  onProgress?: (progress: unknown) => void;
}

/** A computation stopped at its time limit. */
export class ComputeTimeoutError extends Error {
  /** @param task Task name. @param ms The limit. */
  constructor(readonly task: string, readonly ms: number) {
    super(`Computation "${task}" stopped after its time limit of ${ms / 1000} s`);
    this.name = "ComputeTimeoutError";
  }
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  onProgress?: (progress: unknown) => void;
}

interface Job {
  id: number;
  task: string;
  input: unknown;
  transfer: Transferable[];
  key: string | null;
  heavy: boolean;
  timeoutMs: number;
  waiters: Set<Waiter>;
  slot: Slot | null;
  timer: ReturnType<typeof setTimeout> | null;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

function errorFrom(response: Extract<ComputeResponse, { ok: false }>): Error {
  const make = response.name === "RangeError"
    ? RangeError
    : response.name === "TypeError"
    ? TypeError
    : Error;
  const error = new make(response.message);
  if (make === Error && response.name) error.name = response.name;
  return error;
}

/**
 * Run computations in Web Workers with a time limit and cancellation, so that a long fit never
 * delays anything else the process serves. Callers asking for the same `key` at once share one
 * computation. Heavy tasks never hold every worker: a light task (a page section) always finds
 * one. A worker past its time limit, or whose every caller gave up, is stopped and replaced.
 *
 * @example Usage
 * ```ts ignore
 * const pool = new ComputePool({ workerUrl: new URL("./my_tasks.ts", import.meta.url) });
 * const fit = await pool.run("fit", { spectrum }, { key: "fit:test-1", timeoutMs: 60_000 });
 * pool.close();
 * ```
 */
export class ComputePool {
  readonly #url: string | URL;
  readonly #workers: number;
  readonly #heavyWorkers: number;
  readonly #timeoutMs: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #byKey = new Map<string, Job>();
  #nextId = 1;
  #closed = false;

  /** @param options Worker module, worker count, time limit. */
  constructor(options: ComputePoolOptions) {
    const workers = options.workers ?? 2;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(`ComputePool: workers must be an integer ≥ 1, got ${workers}`);
    }
    const heavy = options.heavyWorkers ?? Math.max(1, workers - 1);
    if (!Number.isInteger(heavy) || heavy < 1 || heavy > workers) {
      throw new RangeError(`ComputePool: heavyWorkers must be from 1 to ${workers}, got ${heavy}`);
    }
    const timeout = options.timeoutMs ?? 120_000;
    if (!(timeout > 0)) {
      throw new RangeError(`ComputePool: timeoutMs must be positive, got ${timeout}`);
    }
    this.#url = options.workerUrl;
    this.#workers = workers;
    this.#heavyWorkers = heavy;
    this.#timeoutMs = timeout;
  }

  /** Tasks running, tasks waiting, and workers started. */
  get stats(): { running: number; queued: number; workers: number } {
    return {
      running: this.#slots.filter((s) => s.job).length,
      queued: this.#queue.length,
      workers: this.#slots.length,
    };
  }

  /**
   * Run a task of the worker module on `input` (copied by structured clone, or moved with
   * `transfer`).
   *
   * @param task The task's name.
   * @param input Its input.
   * @param options Key, weight, time limit, cancellation.
   * @returns The task's result.
   * @throws {ComputeTimeoutError} Past the time limit.
   * @throws {DOMException} `AbortError` when `signal` aborts.
   * @throws {Error} What the task threw (RangeError and TypeError keep their type).
   */
  run<T>(task: string, input: unknown, options: ComputeRunOptions = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("Cannot compute: the pool is closed"));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const key = options.key ?? null;
    let job = key !== null ? this.#byKey.get(key) : undefined;
    if (!job) {
      job = {
        id: this.#nextId++,
        task,
        input,
        transfer: options.transfer ?? [],
        key,
        heavy: options.heavy ?? true,
        timeoutMs: options.timeoutMs ?? this.#timeoutMs,
        waiters: new Set(),
        slot: null,
        timer: null,
      };
      if (key !== null) this.#byKey.set(key, job);
      this.#queue.push(job);
    }
    const shared = job;
    const promise = new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress,
      };
      if (options.signal) {
        const signal = options.signal;
        waiter.signal = signal;
        waiter.onAbort = () => this.#leave(shared, waiter, signal.reason);
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      shared.waiters.add(waiter);
    });
    this.#pump();
    return promise;
  }

  /** Stop every worker; waiting and running computations are rejected. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const jobs = [...this.#queue, ...this.#slots.flatMap((s) => (s.job ? [s.job] : []))];
    for (const slot of this.#slots) slot.worker.terminate();
    this.#slots.length = 0;
    this.#queue.length = 0;
    for (const job of jobs) {
      this.#settle(job, null, new Error("Computation cancelled: pool closed"));
    }
  }

  #spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.#url, { type: "module" }), job: null };
    slot.worker.onmessage = (event: MessageEvent<ComputeResponse | ComputeProgress>) => {
      const job = slot.job;
      if (!job || event.data.id !== job.id) return;
      if ("progress" in event.data) {
        const value = event.data.progress;
        for (const w of job.waiters) w.onProgress?.(value);
        return;
      }
      slot.job = null;
      const r = event.data as ComputeResponse;
      this.#settle(job, r.ok ? { value: r.result } : null, r.ok ? null : errorFrom(r));
      this.#pump();
    };
    slot.worker.onerror = (event) => {
      event.preventDefault();
      const job = slot.job;
      this.#drop(slot);
      if (job) this.#settle(job, null, new Error(`Computation worker crashed: ${event.message}`));
      this.#pump();
    };
    this.#slots.push(slot);
    return slot;
  }

  /** Remove a worker (stopped, crashed): a new one starts when needed. */
  #drop(slot: Slot): void {
    slot.worker.terminate();
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    slot.job = null;
  }

  #pump(): void {
    if (this.#closed) return;
    let heavyRunning = this.#slots.filter((s) => s.job?.heavy).length;
    for (let i = 0; i < this.#queue.length;) {
      const job = this.#queue[i];
      if (job.heavy && heavyRunning >= this.#heavyWorkers) {
        i++;
        continue;
      }
      let slot = this.#slots.find((s) => !s.job);
      if (!slot) {
        if (this.#slots.length >= this.#workers) return;
        slot = this.#spawn();
      }
      this.#queue.splice(i, 1);
      if (job.heavy) heavyRunning++;
      this.#start(slot, job);
    }
  }

  #start(slot: Slot, job: Job): void {
    slot.job = job;
    job.slot = slot;
    job.timer = setTimeout(() => {
      if (slot.job !== job) return;
      this.#drop(slot);
      this.#settle(job, null, new ComputeTimeoutError(job.task, job.timeoutMs));
      this.#pump();
    }, job.timeoutMs);
    const request: ComputeRequest = { id: job.id, task: job.task, input: job.input };
    slot.worker.postMessage(request, job.transfer);
    job.input = null; // the worker has it; do not keep it alive here
  }

  /** A caller gives up; the last one to leave stops the computation. */
  #leave(job: Job, waiter: Waiter, reason: unknown): void {
    if (!job.waiters.delete(waiter)) return;
    waiter.reject(reason);
    if (job.waiters.size > 0) return;
    if (job.key !== null && this.#byKey.get(job.key) === job) this.#byKey.delete(job.key);
    if (job.timer !== null) clearTimeout(job.timer);
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    else if (job.slot && job.slot.job === job) this.#drop(job.slot);
    this.#pump();
  }

  #settle(job: Job, result: { value: unknown } | null, error: unknown): void {
    if (job.timer !== null) clearTimeout(job.timer);
    job.timer = null;
    if (job.key !== null && this.#byKey.get(job.key) === job) this.#byKey.delete(job.key);
    for (const w of job.waiters) {
      if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
      if (result) w.resolve(result.value);
      else w.reject(error);
    }
    job.waiters.clear();
  }
}
