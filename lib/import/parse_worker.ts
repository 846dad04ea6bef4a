// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The parsing worker: a module that, when loaded as a Web Worker, answers `{id, path, options}`
 * messages with the {@link ParsedFile}. Any module that imports this one (a CLI, or its one-file
 * bundle) can therefore be used as the worker script itself: pass its own `import.meta.url` as
 * `workerUrl`, and guard its `import.meta.main` block with `!isWorkerContext()`.
 *
 * @module
 */

import { type ParsedFile, parseFile, type ParseFileOptions } from "./parse_file.ts";
import { isWorkerContext } from "../compute/is_worker_context.ts";
import { transferables } from "../compute/transferables.ts";

export { isWorkerContext, transferables };

/** A request to the worker. */
export interface ParseRequest {
  /** Request id. */
  id: number;
  /** File to parse. */
  path: string;
  /** Parse options. */
  options: ParseFileOptions;
}

/** The worker's answer. */
export type ParseResponse =
  | { id: number; ok: true; result: ParsedFile }
  | { id: number; ok: false; message: string };

let serving = false;

/**
 * Start answering parse requests in this worker (idempotent).
 *
 * @example A worker script
 * ```ts
 * import { isWorkerContext, serveParseWorker } from "./parse_worker.ts";
 *
 * // In a module loaded with `new Worker(url, { type: "module" })`:
 * if (isWorkerContext()) serveParseWorker();
 * ```
 */
export function serveParseWorker(): void {
  if (serving) return;
  serving = true;
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<ParseRequest>) => void) | null;
    postMessage(message: unknown, transfer: Transferable[]): void;
  };
  const answer = async ({ id, path, options }: ParseRequest): Promise<void> => {
    let response: ParseResponse;
    try {
      response = { id, ok: true, result: await parseFile(path, options) };
    } catch (error) {
      response = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    scope.postMessage(response, response.ok ? transferables(response.result) : []);
  };
  // One file at a time, in the order asked (the pool sends the next request ahead of time).
  let queue: Promise<void> = Promise.resolve();
  scope.onmessage = (event) => {
    queue = queue.then(() => answer(event.data));
  };
}

if (isWorkerContext()) serveParseWorker();
