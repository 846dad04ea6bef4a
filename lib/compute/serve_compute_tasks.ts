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

/** Tasks a worker offers: name → function of the input (may be async). */
export type ComputeTasks = Record<string, (input: never) => unknown>;

let serving = false;

/**
 * Answer the computations a `ComputePool` sends to this worker with the given tasks, one at a
 * time. Typed arrays in a result are moved back, not copied. A task that throws answers with
 * its error's name and message.
 *
 * @param tasks The tasks.
 *
 * @example A worker module
 * ```ts ignore
 * import { isWorkerContext } from "./is_worker_context.ts";
 * import { serveComputeTasks } from "./serve_compute_tasks.ts";
 *
 * if (isWorkerContext()) serveComputeTasks({ double: (x: number) => 2 * x });
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
      response = { id, ok: true, result: await run(input as never) };
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
