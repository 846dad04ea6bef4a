// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Computations off the main thread: a pool of Web Workers with time limits, cancellation and
 * shared in-flight results (`ComputePool`), and the worker side (`serveComputeTasks`).
 *
 * @module
 */
export * from "./compute_pool.ts";
export * from "./serve_compute_tasks.ts";
export * from "./is_worker_context.ts";
export * from "./transferables.ts";
