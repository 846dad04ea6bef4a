// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Page sections computed off the main thread: fits, DRT and large series run in a
 * {@link ComputePool} (workers started on first use), with a time limit, stopped when the
 * browser gives up, and their HTML cached by key (test, its version, the options), so one slow
 * request never delays another and a reload does not compute again.
 */

import { ComputePool, ComputeTimeoutError } from "../compute/compute_pool.ts";
import { markup } from "./_html.ts";
import { SECURITY_HEADERS } from "./_security.ts";

/** Options of {@link DashboardCompute}. */
export interface DashboardComputeOptions {
  /** Worker threads. @default {2} */
  workers: number;
  /** Time limit of a computation, ms. @default {120000} */
  timeoutMs: number;
  /** Worker module (must serve the dashboard's tasks). @default {the dashboard's own} */
  workerUrl?: string | URL;
  /** Characters of computed HTML kept in the cache. @default {64 MB} */
  cacheChars?: number;
}

/** What {@link DashboardCompute.section} computes. */
export interface SectionRequest {
  /** Cache key: everything the result depends on. */
  key: string;
  /** Task of `_tasks.ts`. */
  task: string;
  /** Its input. */
  input: unknown;
  /** A long computation (fit) rather than a quick one (curves). @default {true} */
  heavy?: boolean;
  /** The request's signal: when the browser gives up, so does the computation. */
  signal?: AbortSignal;
  /** Buffers in `input` to move to the worker. */
  transfer?: Transferable[];
}

/** What {@link DashboardCompute.fragment} computes, and how to explain a failure. */
export interface FragmentRequest extends SectionRequest {
  /** What is computed, for messages ("the circuit fit"). */
  what: string;
  /** What the user can do when it takes too long. */
  hint: string;
}

/**
 * The dashboard's worker module: `_worker.ts` beside this file in the source tree, or
 * `dashboard_worker.js` beside a bundle (`deno task bundle` writes it next to
 * `dist/dashboard.js`).
 */
export function defaultWorkerUrl(): URL {
  const source = new URL("./_worker.ts", import.meta.url);
  if (source.protocol !== "file:") return source;
  try {
    Deno.statSync(source);
    return source;
  } catch {
    return new URL("./dashboard_worker.js", import.meta.url);
  }
}

/** Computed sections of the dashboard's pages. */
export class DashboardCompute {
  readonly #options: DashboardComputeOptions;
  #pool: ComputePool | null = null;
  readonly #cache = new Map<string, string>();
  #cacheChars = 0;

  /** @param options Workers, time limit, worker module. */
  constructor(options: DashboardComputeOptions) {
    this.#options = options;
  }

  /** The pool (started on first use). */
  get pool(): ComputePool {
    this.#pool ??= new ComputePool({
      workerUrl: this.#options.workerUrl ?? defaultWorkerUrl(),
      workers: this.#options.workers,
      timeoutMs: this.#options.timeoutMs,
    });
    return this.#pool;
  }

  /** The cached HTML of a key, if any. */
  cached(key: string): string | undefined {
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      // Most recently used last.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
    }
    return hit;
  }

  /** A section's HTML: from the cache, else computed in a worker and cached. */
  async section(request: SectionRequest): Promise<string> {
    const hit = this.cached(request.key);
    if (hit !== undefined) return hit;
    const html = await this.pool.run<string>(request.task, request.input, {
      key: request.key,
      heavy: request.heavy ?? true,
      signal: request.signal,
      transfer: request.transfer,
    });
    this.#remember(request.key, html);
    return html;
  }

  /**
   * A section as an HTML fragment response (what `app.js` loads into a page): 200 with the
   * section, 503 with an explanation when it ran past the time limit.
   */
  async fragment(request: FragmentRequest): Promise<Response> {
    try {
      return fragmentResponse(await this.section(request), 200);
    } catch (err) {
      return computeFailure(err, request);
    }
  }

  /** Stop the workers. */
  close(): void {
    this.#pool?.close();
    this.#pool = null;
  }

  #remember(key: string, html: string): void {
    const limit = this.#options.cacheChars ?? 64_000_000;
    if (html.length > limit) return;
    this.#cache.set(key, html);
    this.#cacheChars += html.length;
    for (const [k, v] of this.#cache) {
      if (this.#cacheChars <= limit) break;
      this.#cache.delete(k);
      this.#cacheChars -= v.length;
    }
  }
}

/**
 * The fragment answering a computation that did not finish: 503 with an explanation past the
 * time limit, 499 (empty) when the browser gave up; any other error is thrown again.
 */
export function computeFailure(
  err: unknown,
  request: { what: string; hint: string; signal?: AbortSignal },
): Response {
  if (err instanceof ComputeTimeoutError) {
    return fragmentResponse(
      markup`<p class="error" id="compute-timeout">Stopped computing ${request.what} after ${
        seconds(err.ms)
      } s (the time limit): ${request.hint}.</p>`.value,
      503,
    );
  }
  if (request.signal?.aborted) return fragmentResponse("", 499);
  throw err;
}

/** Milliseconds as seconds for people: `0.2`, `45`. */
function seconds(ms: number): string {
  return ms < 10_000 ? String(Number((ms / 1000).toFixed(1))) : String(Math.round(ms / 1000));
}

/** An HTML fragment (no page shell). */
export function fragmentResponse(html: string, status = 200): Response {
  return new Response(html, {
    status,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
