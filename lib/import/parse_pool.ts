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

/** A worker and the ids of the requests sent to it, oldest (the one being parsed) first. */
interface Slot {
  worker: Worker;
  sent: ParseRequest[];
}

/**
 * Requests each worker holds at once. A worker answers them one at a time, in order; with a
 * second one waiting it starts the next file as soon as it posts a result, even while the main
 * thread is busy (storing the previous file) and cannot hand out new work.
 */
const DEPTH = 2;

/**
 * Parse files in parallel Web Workers (or in this thread with `workers: 0`). Results come back
 * with their buffers transferred, not copied. A worker that crashes fails the file it was
 * parsing, is replaced, and the files waiting for it go to the other workers.
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
  readonly #url: string | URL;
  readonly #slots: Slot[] = [];
  readonly #queue: ParseRequest[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  /**
   * Start the workers.
   *
   * @param options Worker count, worker module and parse options.
   */
  constructor(options: ParsePoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 0) {
      throw new RangeError(
        `Cannot start parsing: workers must be 0 or more, got ${options.workers}`,
      );
    }
    this.#options = options;
    this.#url = options.workerUrl ?? new URL("./parse_worker.ts", import.meta.url);
    for (let i = 0; i < options.workers; i++) this.#slots.push(this.#spawn());
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#slots.length;
  }

  /** Parse one file. */
  parse(path: string): Promise<ParsedFile> {
    if (this.#closed) return Promise.reject(new Error("Cannot parse: the pool is closed"));
    if (this.#slots.length === 0) return parseFile(path, this.#options.parse);
    return new Promise((resolve, reject) => {
      const request = { id: this.#nextId++, path, options: this.#options.parse ?? {} };
      this.#pending.set(request.id, { resolve, reject });
      this.#queue.push(request);
      this.#pump();
    });
  }

  /** Stop the workers; pending parses are rejected. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) slot.worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error("Parse cancelled: pool closed"));
    this.#pending.clear();
    this.#queue.length = 0;
  }

  #spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.#url, { type: "module" }), sent: [] };
    slot.worker.onmessage = (event: MessageEvent<ParseResponse>) => this.#done(slot, event.data);
    slot.worker.onerror = (event) => {
      event.preventDefault();
      this.#crash(slot, event.message);
    };
    return slot;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot: Slot | null = null;
      for (const s of this.#slots) {
        if (s.sent.length < DEPTH && (!slot || s.sent.length < slot.sent.length)) slot = s;
      }
      if (!slot) return;
      const request = this.#queue.shift()!;
      slot.sent.push(request);
      slot.worker.postMessage(request);
    }
  }

  #done(slot: Slot, response: ParseResponse): void {
    slot.sent = slot.sent.filter((r) => r.id !== response.id);
    const pending = this.#pending.get(response.id);
    this.#pending.delete(response.id);
    if (pending) {
      if (response.ok) pending.resolve(response.result);
      else pending.reject(new Error(response.message));
    }
    this.#pump();
  }

  #crash(slot: Slot, message: string): void {
    const [current, ...waiting] = slot.sent;
    slot.worker.terminate();
    if (this.#closed) return;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots[index] = this.#spawn();
    if (current) {
      this.#pending.get(current.id)?.reject(new Error(`Parsing worker crashed: ${message}`));
      this.#pending.delete(current.id);
    }
    this.#queue.unshift(...waiting);
    this.#pump();
  }
}
