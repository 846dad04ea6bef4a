// Copyright 2026 the battery-analysis authors. MIT license.

import { transferables } from "./transferables.ts";

/** A computation, as the pool sends it to a worker. */
export interface ComputeRequest {
  /** Request id. */
  id: number;
  /** Task name. */
  task: string;
  /** Task input. */
  input: unknown;
}

/** A worker's answer. */
export type ComputeResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; name: string; message: string };

/** A report of how far a computation has got (sent any number of times before its answer). */
export interface ComputeProgress {
  /** Request id. */
  id: number;
  /** What the task reported (structured-cloneable). */
  progress: unknown;
}

/** What a task receives besides its input. */
export interface ComputeTaskContext {
  /**
   * Report progress: the pool hands the value to the callers' `onProgress` (a task that
   * reports often should keep the rate reasonable, a few per second).
   */
  progress(value: unknown): void;
}

/** Tasks a worker offers: name → function of the input (may be async). */
export type ComputeTasks = Record<string, (input: never, context: ComputeTaskContext) => unknown>;

let serving = false;

/**
 * Answer the computations a `ComputePool` sends to this worker with the given tasks, one at a
 * time. Typed arrays in a result are moved back, not copied. A task that throws answers with
 * its error's name and message. A task may report progress through its second argument.
 *
 * @param tasks The tasks.
 *
 * @example A worker module
 * ```ts ignore
 * import { isWorkerContext } from "./is_worker_context.ts";
 * import { serveComputeTasks } from "./serve_compute_tasks.ts";
 *
 * if (isWorkerContext()) {
 *   serveComputeTasks({
 *     double: (x: number) => 2 * x,
 *     count: (n: number, { progress }) => {
 *       for (let i = 1; i <= n; i++) progress(i / n);
 *       return n;
 *     },
 *   });
 * }
 * ```
 */
export function serveComputeTasks(tasks: ComputeTasks): void {
  if (serving) throw new Error("serveComputeTasks: this worker already serves tasks");
  serving = true;
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<ComputeRequest>) => void) | null;
    postMessage(message: unknown, transfer: Transferable[]): void;
  };
  const answer = async ({ id, task, input }: ComputeRequest): Promise<void> => {
    let response: ComputeResponse;
    try {
      const run = Object.hasOwn(tasks, task) ? tasks[task] : undefined;
      if (!run) throw new Error(`No computation task "${task}" in this worker`);
      const context: ComputeTaskContext = {
        progress: (value) =>
          scope.postMessage({ id, progress: value } satisfies ComputeProgress, []),
      };
      response = { id, ok: true, result: await run(input as never, context) };
    } catch (error) {
      response = {
        id,
        ok: false,
        name: error instanceof Error ? error.name : "Error",
        message: error instanceof Error ? error.message : String(error),
      };
    }
    scope.postMessage(response, response.ok ? transferables(response.result) : []);
  };
  let queue: Promise<void> = Promise.resolve();
  scope.onmessage = (event) => {
    queue = queue.then(() => answer(event.data));
  };
}
