// Copyright 2026 the battery-analysis authors. MIT license.
// The compute pool: results, errors, time limits, cancellation, shared keys, and light tasks
// that always find a worker while heavy ones never end. No test depends on how fast the machine
// is: a task that never returns is ended by its limit or its cancellation, whenever that comes.

import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ComputePool, ComputeTimeoutError } from "../../../lib/compute/compute_pool.ts";

const WORKER = new URL("./_tasks_worker.ts", import.meta.url);

Deno.test("a task's result comes back; typed arrays are moved both ways", async () => {
  const pool = new ComputePool({ workerUrl: WORKER, workers: 1 });
  try {
    const values = Float64Array.from([1, 2, 3.5]);
    const result = await pool.run<{ sum: number; values: Float64Array }>("sum", { values }, {
      transfer: [values.buffer],
      heavy: false,
    });
    equal(result.sum, 6.5);
    deepEqual([...result.values], [1, 2, 3.5]);
    equal(values.length, 0, "the input buffer was moved to the worker");
  } finally {
    pool.close();
  }
});

Deno.test("a task's RangeError keeps its type and message; an unknown task is an error", async () => {
  const pool = new ComputePool({ workerUrl: WORKER, workers: 1 });
  try {
    await rejects(pool.run("fail", { message: "bad circuit" }), (e: Error) => {
      ok(e instanceof RangeError);
      equal(e.message, "bad circuit");
      return true;
    });
    await rejects(pool.run("nope", {}), /No computation task "nope"/);
    // The worker still serves after a failure.
    equal(await pool.run("count", {}), 1);
  } finally {
    pool.close();
  }
});

Deno.test("a task past its time limit is stopped and its worker replaced", async () => {
  const pool = new ComputePool({ workerUrl: WORKER, workers: 1, timeoutMs: 300 });
  try {
    await rejects(pool.run("spin", {}), (e: Error) => {
      ok(e instanceof ComputeTimeoutError);
      return true;
    });
    // A fresh worker (its counter starts again) answers the next task.
    equal(await pool.run("count", {}, { timeoutMs: 60_000 }), 1);
  } finally {
    pool.close();
  }
});

Deno.test("a task's progress reports reach the caller, in order, before its result", async () => {
  const pool = new ComputePool({ workerUrl: WORKER, workers: 1 });
  try {
    const seen: unknown[] = [];
    const result = await pool.run("steps", 4, { onProgress: (p) => seen.push(p) });
    equal(result, 4);
    // The task reports {done: i, of: 4} for i = 1..4 (tests/lib/compute/_tasks_worker.ts).
    deepEqual(seen, [1, 2, 3, 4].map((done) => ({ done, of: 4 })));
  } finally {
    pool.close();
  }
});

Deno.test("callers of one key share one computation", async () => {
  const pool = new ComputePool({ workerUrl: WORKER, workers: 2 });
  try {
    const [a, b] = await Promise.all([
      pool.run("count", {}, { key: "k" }),
      pool.run("count", {}, { key: "k" }),
    ]);
    equal(a, 1);
    equal(b, 1);
    equal(pool.stats.workers, 1, "only one worker was needed");
  } finally {
    pool.close();
  }
});

Deno.test("light tasks find a worker while heavy ones spin; cancelling stops a heavy task", async () => {
  const pool = new ComputePool({ workerUrl: WORKER, workers: 2 });
  try {
    const first = new AbortController(), second = new AbortController();
    const heavy1 = pool.run("spin", {}, { signal: first.signal, key: "h1" });
    const heavy2 = pool.run("spin", {}, { signal: second.signal, key: "h2" });
    heavy1.catch(() => {});
    heavy2.catch(() => {});
    // One worker spins on the first heavy task; the second heavy task waits (heavy tasks may
    // hold only one of the two workers); the light task runs on the other worker meanwhile.
    equal(await pool.run("count", {}, { heavy: false }), 1);
    deepEqual(pool.stats, { running: 1, queued: 1, workers: 2 });
    // Leaving the running one stops its worker; the waiting one starts on the idle worker.
    first.abort(new DOMException("tab closed", "AbortError"));
    await rejects(heavy1, /tab closed/);
    deepEqual(pool.stats, { running: 1, queued: 0, workers: 1 });
    second.abort(new DOMException("tab closed", "AbortError"));
    await rejects(heavy2, /tab closed/);
    deepEqual(pool.stats, { running: 0, queued: 0, workers: 0 });
  } finally {
    pool.close();
  }
});

Deno.test("one caller leaving does not stop a computation another caller still waits for", async () => {
  const pool = new ComputePool({ workerUrl: WORKER, workers: 1, timeoutMs: 500 });
  try {
    const leaver = new AbortController();
    const a = pool.run("spin", {}, { key: "s", signal: leaver.signal });
    const b = pool.run("spin", {}, { key: "s" });
    leaver.abort(new DOMException("gone", "AbortError"));
    await rejects(a, /gone/);
    // The other caller still gets the outcome: here the time limit.
    await rejects(b, (e: Error) => e instanceof ComputeTimeoutError);
  } finally {
    pool.close();
  }
});
