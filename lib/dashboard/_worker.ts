// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The dashboard's compute worker: loaded by `ComputePool` as a Web Worker, it answers the
 * dashboard's tasks (`_tasks.ts`). `deno task bundle` bundles it as `dist/dashboard_worker.js`.
 *
 * @module
 */

import { isWorkerContext } from "../compute/is_worker_context.ts";
import { serveComputeTasks } from "../compute/serve_compute_tasks.ts";
import { DASHBOARD_TASKS } from "./_tasks.ts";

if (isWorkerContext()) serveComputeTasks(DASHBOARD_TASKS);
