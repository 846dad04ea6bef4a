// Copyright 2026 the battery-analysis authors. MIT license.

import { type ParsedFile, parseFile, type ParseFileOptions } from "./parse_file.ts";
import type { ParseRequest, ParseResponse } from "./parse_worker.ts";

/** Options of {@link ParsePool}. */
export interface ParsePoolOptions {
  /** Number of worker threads; 0 parses in the calling thread. */
  workers: number;
  /**
   * Module loaded by each worker; it must import `lib/import/parse_worker.ts`.
   * @default {lib/import/parse_worker.ts}
   */
  workerUrl?: string | URL;
  /** Parse options for every file. */
  parse?: ParseFileOptions;
}

interface Pending {
  resolve(result: ParsedFile): void;
  reject(error: Error): void;
}

/**
 * Parse files in parallel Web Workers (or in this thread with `workers: 0`). Results come back
 * with their buffers transferred, not copied.
 *
 * @example Usage
 * ```ts ignore
 * const pool = new ParsePool({ workers: 2 });
 * const parsed = await pool.parse("data/cell_Channel_1_Wb_1.CSV");
 * pool.close();
 * ```
 */
export class ParsePool {
  readonly #options: ParsePoolOptions;
  readonly #workers: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #queue: { request: ParseRequest; pending: Pending }[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  /** @param options Worker count, worker module and parse options. */
  constructor(options: ParsePoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 0) {
      throw new RangeError(
        `Cannot start parsing: workers must be 0 or more, got ${options.workers}`,
      );
    }
    this.#options = options;
    const url = options.workerUrl ?? new URL("./parse_worker.ts", import.meta.url);
    for (let i = 0; i < options.workers; i++) {
      const worker = new Worker(url, { type: "module" });
      worker.onmessage = (event: MessageEvent<ParseResponse>) => this.#done(worker, event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.#crash(worker, event.message);
      };
      this.#workers.push(worker);
      this.#idle.push(worker);
    }
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  /** Parse one file. */
  parse(path: string): Promise<ParsedFile> {
    if (this.#closed) return Promise.reject(new Error("Cannot parse: the pool is closed"));
    if (this.#workers.length === 0) return parseFile(path, this.#options.parse);
    return new Promise((resolve, reject) => {
      const request = { id: this.#nextId++, path, options: this.#options.parse ?? {} };
      this.#queue.push({ request, pending: { resolve, reject } });
      this.#pump();
    });
  }

  /** Stop the workers; pending parses are rejected. */
  close(): void {
    this.#closed = true;
    for (const w of this.#workers) w.terminate();
    for (const p of this.#pending.values()) p.reject(new Error("Parse cancelled: pool closed"));
    for (const q of this.#queue) q.pending.reject(new Error("Parse cancelled: pool closed"));
    this.#pending.clear();
    this.#queue.length = 0;
  }

  #pump(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!;
      const { request, pending } = this.#queue.shift()!;
      this.#pending.set(request.id, pending);
      (worker as Worker & { current?: number }).current = request.id;
      worker.postMessage(request);
    }
  }

  #done(worker: Worker, response: ParseResponse): void {
    const pending = this.#pending.get(response.id);
    this.#pending.delete(response.id);
    this.#idle.push(worker);
    if (pending) {
      if (response.ok) pending.resolve(response.result);
      else pending.reject(new Error(response.message));
    }
    this.#pump();
  }

  #crash(worker: Worker, message: string): void {
    const id = (worker as Worker & { current?: number }).current;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (id !== undefined) this.#pending.delete(id);
    pending?.reject(new Error(`Parsing worker crashed: ${message}`));
    this.#idle.push(worker);
    this.#pump();
  }
}
