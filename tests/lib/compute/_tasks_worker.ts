// Copyright 2026 the battery-analysis authors. MIT license.
// Tasks of the compute-pool tests.
import { isWorkerContext } from "../../../lib/compute/is_worker_context.ts";
import { serveComputeTasks } from "../../../lib/compute/serve_compute_tasks.ts";

let calls = 0;

if (isWorkerContext()) {
  serveComputeTasks({
    /** Sum of a typed array, and the array back (moved, not copied). */
    sum: (input: { values: Float64Array }) => ({
      sum: input.values.reduce((s, x) => s + x, 0),
      values: input.values,
    }),
    /** How many times this worker ran `count`. */
    count: () => ++calls,
    /** Never returns: only a time limit or a cancellation ends it. */
    spin: () => {
      while (true) calls++;
    },
    /** Reports 1/n, 2/n, … 1 as progress, then returns n. */
    steps: (n: number, { progress }) => {
      for (let i = 1; i <= n; i++) progress({ done: i, of: n });
      return n;
    },
    /** Throws a RangeError. */
    fail: (input: { message: string }) => {
      throw new RangeError(input.message);
    },
  });
}
