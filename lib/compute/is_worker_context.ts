// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * `true` inside a Web Worker.
 *
 * @returns Whether this code runs in a worker thread.
 *
 * @example
 * ```ts
 * import { isWorkerContext } from "./is_worker_context.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(isWorkerContext(), false); // the main thread
 * ```
 */
export function isWorkerContext(): boolean {
  // deno-lint-ignore no-explicit-any
  const scope = (globalThis as any).WorkerGlobalScope;
  return typeof scope === "function" && globalThis instanceof scope;
}
