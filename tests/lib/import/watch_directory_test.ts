// Copyright 2026 the battery-analysis authors. MIT license.
// The directory watcher against real files in a temporary directory: import once stable,
// re-import when grown, catch up after a restart, queue while the store is unreachable.

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  isConnectionError,
  watchDirectory,
  type WatchDirectoryOptions,
  type WatchEvent,
  type WatchSummary,
} from "../../../lib/import/watch_directory.ts";
import { sha256Hex } from "../../../lib/import/parse_file.ts";
import { readQueue } from "../../../lib/import/_watch_queue.ts";
import { pathFilter } from "../../../lib/import/_path_filter.ts";
import { scanFiles } from "../../../lib/import/scan_files.ts";
import { MongoStore } from "../../../lib/store/mongo_store.ts";
import type { Store } from "../../../lib/store/store.ts";
import { StoreConnectionError } from "../../../lib/store/store_error.ts";
import { parseRecording } from "../../../parsers/parse_recording.ts";
import { readFixture } from "../../_util.ts";
import { STORE_CASES } from "./_stores.ts";
import { startTcpProxy } from "../_tcp_proxy.ts";

const ZN = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
const ZN_BYTES = readFixture(`arbin/${ZN}`);
const FAST = "FastCharge_000025_CH8.csv";
const FAST_BYTES = readFixture(`arbin/${FAST}`);

/** The first `lines` lines of a text file (a file cut where a writer might pause). */
function headLines(bytes: Uint8Array, lines: number): Uint8Array {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && ++n === lines) return bytes.subarray(0, i + 1);
  }
  return bytes;
}

function rows(bytes: Uint8Array, name: string): number {
  return parseRecording(bytes, { fileName: name }).series!.length;
}

/** A running watcher with its event log. */
interface Running {
  events: WatchEvent[];
  done: Promise<WatchSummary>;
  stop(): Promise<WatchSummary>;
  waitFor(what: string, predicate: (e: WatchEvent) => boolean, count?: number): Promise<void>;
}

function start(
  store: Store | (() => Promise<Store>),
  dir: string,
  options: WatchDirectoryOptions,
): Running {
  const events: WatchEvent[] = [];
  const abort = new AbortController();
  const done = watchDirectory(store, dir, {
    debounce_s: 0.05,
    stable_s: 0.3,
    rescan_s: 0.5,
    retry_s: 0.2,
    ...options,
    onEvent: (e) => events.push(e),
    signal: abort.signal,
  });
  return {
    events,
    done,
    stop: () => {
      abort.abort();
      return done;
    },
    async waitFor(what, predicate, count = 1) {
      // Only a bound for a broken watcher: waiting longer never changes what is asserted.
      const deadline = Date.now() + 120_000;
      while (events.filter(predicate).length < count) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events)}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** Wait until `condition()` holds (a watcher writes its queue file after the event). */
async function eventually(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000; // only a bound for a broken watcher
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const imported = (path: string, action: string) => (e: WatchEvent) =>
  e.type === "imported" && e.path === path && e.outcome.action === action;

/** A store whose every call fails with a connection error while `down` is set. */
function flaky(inner: Store): { store: Store; down: boolean } {
  const state = { store: null as unknown as Store, down: false };
  const wrap = <T extends object>(api: T): T =>
    new Proxy(api, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) =>
          state.down
            ? Promise.reject(
              new StoreConnectionError(
                "Cannot connect to MongoDB at mongodb://db.invalid:27017/ (simulated outage)",
              ),
            )
            : value.apply(target, args);
      },
    });
  state.store = {
    samples: wrap(inner.samples),
    tests: wrap(inner.tests),
    series: wrap(inner.series),
    spectra: wrap(inner.spectra),
    rawFiles: wrap(inner.rawFiles),
    jobs: wrap(inner.jobs),
    datasets: wrap(inner.datasets),
    describe: () => inner.describe(),
    repair: () => inner.repair(),
    close: () => inner.close(),
  };
  return state;
}

Deno.test("pathFilter() accepts exactly the files scanFiles() returns", async () => {
  // A tree with hidden names, excluded directories, include globs and depth; the expected set is
  // what scanFiles (the directory import's rules) returns for the same options.
  const dir = await Deno.makeTempDir({ prefix: "battery_filter_" });
  try {
    const files = [
      "a.csv",
      "b.txt",
      ".hidden.csv",
      "x/c.csv",
      "x/archive/d.csv",
      "x/y/e.csv",
      "archive/f.csv",
      ".git/g.csv",
      "skipme.csv",
    ];
    for (const f of files) {
      await Deno.mkdir(join(dir, f, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, f), "x");
    }
    for (
      const options of [
        {},
        { depth: 0 },
        { depth: 1, include: ["*.csv"] },
        { exclude: ["archive", "skip*"] },
        { include: ["x/*"], exclude: ["*/y/*"] },
        { hidden: true, depth: 1 },
      ]
    ) {
      const expected: string[] = [];
      for await (const f of scanFiles([dir], options)) expected.push(f.relative);
      const accept = pathFilter(options);
      deepStrictEqual(files.filter(accept).sort(), expected.sort(), JSON.stringify(options));
    }
    equal(pathFilter({})("../outside.csv"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("isConnectionError() tells outages from other errors", () => {
  ok(isConnectionError(new StoreConnectionError("down")));
  // MongoStore wraps driver errors in a StoreError whose cause is the driver's error.
  const driver = Object.assign(new Error("connect ECONNREFUSED"), {
    name: "MongoServerSelectionError",
  });
  ok(isConnectionError(new Error("MongoDB ...", { cause: driver })));
  ok(isConnectionError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })));
  ok(!isConnectionError(new TypeError("bad value")));
  ok(!isConnectionError(null));
});

for (const storeCase of STORE_CASES) {
  Deno.test(`watchDirectory() imports a file once stable and again when it grows (${storeCase.name})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "battery_watch_" });
    const work = await Deno.makeTempDir({ prefix: "battery_watch_state_" });
    const { store, cleanup } = await storeCase.open();
    const w = start(store, dir, {
      include: ["*.CSV", "*.csv"],
      exclude: ["archive"],
      depth: 1,
      queueFile: join(work, "queue.jsonl"),
    });
    try {
      await w.waitFor("start", (e) => e.type === "started");
      const path = join(dir, ZN);
      // Step 1: the instrument has written the header and the first 899 rows.
      const part1 = headLines(ZN_BYTES, 900);
      await Deno.writeFile(path, part1);
      // Files the filters exclude: too deep, in an excluded directory, not matching include.
      await Deno.mkdir(join(dir, "a", "b"), { recursive: true });
      await Deno.writeFile(join(dir, "a", "b", FAST), FAST_BYTES);
      await Deno.mkdir(join(dir, "archive"));
      await Deno.writeFile(join(dir, "archive", FAST), FAST_BYTES);
      await Deno.writeTextFile(join(dir, "notes.txt"), "not data");
      await w.waitFor("the first import", imported(path, "created"));
      const [test] = await store.tests.find({});
      // Expected rows: the parser's row count for the same bytes on their own.
      equal(test.data.series!.length, rows(part1, ZN));
      equal(test.file_hash, await sha256Hex(part1));

      // Step 2: the rest of the file arrives; the test is updated in place.
      await Deno.writeFile(path, ZN_BYTES.subarray(part1.length), { append: true });
      await w.waitFor("the re-import", imported(path, "updated"));
      const tests = await store.tests.find({});
      equal(tests.length, 1);
      equal(tests[0].id, test.id);
      equal(tests[0].data.series!.length, rows(ZN_BYTES, ZN));
      equal(tests[0].file_hash, await sha256Hex(ZN_BYTES));
      // The archive holds the full file.
      const raw = await store.rawFiles.getByHash(await sha256Hex(ZN_BYTES));
      equal(raw!.test_id, test.id);

      // A file in a new subdirectory (depth 1) is found too.
      await Deno.mkdir(join(dir, "sub"));
      const fast = join(dir, "sub", FAST);
      await Deno.writeFile(fast, FAST_BYTES);
      await w.waitFor("the subdirectory file", imported(fast, "created"));
      // Rescans re-importing known files: see the restart test (which rescans continuously).
      const summary = await w.stop();
      equal(summary.created, 2);
      equal(summary.updated, 1);
      equal(summary.failed, 0);
      equal(summary.queued, 0);
      // Excluded files never reached the store or the event log.
      const paths = w.events.flatMap((e) => ("path" in e && e.path ? [e.path] : []));
      ok(!paths.some((p) => p.includes("archive") || p.includes(join("a", "b"))), paths.join());
      ok(!paths.some((p) => p.endsWith("notes.txt")));
      equal(await store.tests.count(), 2);
      // One job per batch, each finished with its file outcomes.
      ok(summary.jobs.length >= 2 && summary.jobs.length <= 3, String(summary.jobs.length));
      let recorded = 0;
      for (const id of summary.jobs) {
        const job = await store.jobs.get(id);
        equal(job!.status, "completed");
        equal(job!.options.watcher, true);
        recorded += job!.files.length;
      }
      equal(recorded, 3);
    } finally {
      await w.stop();
      await cleanup();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  });

  Deno.test(`watchDirectory() waits while a file is still being written (${storeCase.name})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "battery_watch_" });
    const work = await Deno.makeTempDir({ prefix: "battery_watch_state_" });
    const { store, cleanup } = await storeCase.open();
    // The writer appends a chunk every 100 ms; the stability window is 1.5 s, so the first import
    // must already see the whole file (one "created", no "updated") — provided the writer really
    // never paused for 1.5 s, which a loaded machine cannot promise: the pauses are measured, and
    // a longer one only allows an import of the partial file followed by an update.
    const stable_s = 1.5;
    const w = start(store, dir, { stable_s, queueFile: join(work, "queue.jsonl") });
    try {
      await w.waitFor("start", (e) => e.type === "started");
      const path = join(dir, ZN);
      const cuts = [0, 300, 600, 900, 1200, 1500, 1755].map((n) =>
        n === 0 ? 0 : headLines(ZN_BYTES, n).length
      );
      let longestPause_ms = 0;
      let last = performance.now();
      for (let i = 1; i < cuts.length; i++) {
        await Deno.writeFile(path, ZN_BYTES.subarray(cuts[i - 1], cuts[i]), { append: true });
        const now = performance.now();
        longestPause_ms = Math.max(longestPause_ms, now - last);
        last = now;
        if (i < cuts.length - 1) await new Promise((r) => setTimeout(r, 100));
      }
      const full = await sha256Hex(ZN_BYTES);
      // The whole file is in the store at the end, whatever the pauses were.
      await w.waitFor(
        "the import of the whole file",
        (e) => e.type === "imported" && e.sha256 === full,
      );
      const summary = await w.stop();
      equal(summary.created, 1);
      if (longestPause_ms < stable_s * 1000) equal(summary.updated, 0);
      // deno-lint-ignore no-console
      else console.warn(`writer paused ${longestPause_ms.toFixed(0)} ms: partial import allowed`);
      const [test] = await store.tests.find({});
      equal(test.file_hash, full);
    } finally {
      await w.stop();
      await cleanup();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  });

  Deno.test(`watchDirectory() catches up after a restart (${storeCase.name})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "battery_watch_" });
    const work = await Deno.makeTempDir({ prefix: "battery_watch_state_" });
    const { store, cleanup } = await storeCase.open();
    const queueFile = join(work, "queue.jsonl");
    try {
      const a = join(dir, ZN);
      await Deno.writeFile(a, ZN_BYTES);
      const first = start(store, dir, { queueFile });
      await first.waitFor("the import", imported(a, "created"));
      await first.stop();
      // While no watcher runs, a new file arrives.
      const b = join(dir, FAST);
      await Deno.writeFile(b, FAST_BYTES);
      // Rescans as often as possible, and a store that takes 1 s to look a hash up (longer than
      // debounce + stability): a rescan that runs while the known file is being looked at must
      // not make it ready again (it was then reported unchanged twice, on a loaded machine).
      const tests = new Proxy(store.tests, {
        get(target, key) {
          const value = Reflect.get(target, key);
          if (key !== "getByHash") return typeof value === "function" ? value.bind(target) : value;
          return async (hash: string) => {
            await new Promise((r) => setTimeout(r, 1000));
            return await target.getByHash(hash);
          };
        },
      });
      const slow: Store = {
        ...store,
        tests,
        describe: () => store.describe(),
        close: () => store.close(),
      };
      const second = start(slow, dir, { queueFile, rescan_s: 0.01 });
      await second.waitFor("the catch-up import", imported(b, "created"));
      await second.waitFor("the known file", (e) => e.type === "unchanged" && e.path === a);
      const summary = await second.stop();
      equal(summary.created, 1);
      equal(summary.unchanged, 1);
      equal(await store.tests.count(), 2);
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  });

  Deno.test(`watchDirectory() queues files while the store is unreachable and drains later (${storeCase.name})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "battery_watch_" });
    const work = await Deno.makeTempDir({ prefix: "battery_watch_state_" });
    const { store: inner, cleanup } = await storeCase.open();
    const queueFile = join(work, "queue.jsonl");
    const flakyStore = flaky(inner);
    try {
      // 1. Down from the start: the file goes to the queue file, which survives the stop.
      flakyStore.down = true;
      const a = join(dir, ZN);
      await Deno.writeFile(a, ZN_BYTES);
      const first = start(flakyStore.store, dir, { queueFile, retry_s: 60 });
      await first.waitFor("the queue", (e) => e.type === "queued" && e.path === a);
      const down = await first.stop();
      equal(down.queued, 1);
      equal(down.created, 0);
      const queued = await readQueue(queueFile);
      deepStrictEqual(queued.map((e) => [e.path, e.size]), [[a, ZN_BYTES.length]]);

      // 2. A new watcher with the store back: the queue drains and the file is imported.
      flakyStore.down = false;
      const second = start(flakyStore.store, dir, { queueFile });
      await second.waitFor("the drained import", imported(a, "created"));
      // Its batch is finished before the outage, so that no store call is in flight when it
      // starts (a batch finish cut by the outage is the lost-reply test below).
      await second.waitFor("the batch", (e) => e.type === "batch_finished");
      // 3. An outage while running: a new file is queued, then imported once the store is back.
      flakyStore.down = true;
      const b = join(dir, FAST);
      await Deno.writeFile(b, FAST_BYTES);
      await second.waitFor("the queue", (e) => e.type === "queued" && e.path === b);
      await second.waitFor("the outage", (e) => e.type === "store_down");
      // The queue file is written after the event, asynchronously.
      await eventually("the queue file", async () => (await readQueue(queueFile)).length === 1);
      deepStrictEqual((await readQueue(queueFile)).map((e) => e.path), [b]);
      flakyStore.down = false;
      await second.waitFor("the reconnection", (e) => e.type === "store_up");
      await second.waitFor("the drained import", imported(b, "created"));
      const summary = await second.stop();
      equal(summary.created, 2);
      equal(summary.queued, 0);
      deepStrictEqual(await readQueue(queueFile), []);
      equal(await inner.tests.count(), 2);
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  });
}

const MONGO_URI = Deno.env.get("MONGO_URI");
Deno.test({
  name: "watchDirectory() queues while MongoDB is really unreachable and imports when it returns",
  ignore: !MONGO_URI,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // A TCP relay in front of FerretDB is cut mid-way: the driver's own network and
    // server-selection errors must reach the watcher as StoreConnectionError, which queues.
    const dir = await Deno.makeTempDir({ prefix: "battery_watch_" });
    const work = await Deno.makeTempDir({ prefix: "battery_watch_state_" });
    const target = new URL(MONGO_URI!);
    const proxy = startTcpProxy({ hostname: target.hostname, port: Number(target.port) });
    const store = await MongoStore.connect({
      uri: `mongodb://127.0.0.1:${proxy.port}/`,
      dbName: `bt_watch_outage_${Date.now().toString(36)}`,
      serverSelectionTimeoutMS: 500,
    });
    const queueFile = join(work, "queue.jsonl");
    try {
      const running = start(store, dir, { queueFile });
      const a = join(dir, ZN);
      await Deno.writeFile(a, ZN_BYTES);
      await running.waitFor("the first import", imported(a, "created"));
      await proxy.cut();
      const b = join(dir, FAST);
      await Deno.writeFile(b, FAST_BYTES);
      await running.waitFor("the queue", (e) => e.type === "queued" && e.path === b);
      await running.waitFor("the outage", (e) => e.type === "store_down");
      const down = running.events.find((e) => e.type === "store_down");
      ok(down?.type === "store_down" && /^Cannot reach MongoDB /.test(down.error), down?.error);
      equal(running.events.filter((e) => e.type === "error").length, 0);
      proxy.restore();
      await running.waitFor("the reconnection", (e) => e.type === "store_up");
      await running.waitFor("the drained import", imported(b, "created"));
      const summary = await running.stop();
      equal(summary.created, 2);
      equal(summary.failed, 0);
      equal(summary.queued, 0);
      equal(await store.tests.count(), 2);
    } finally {
      await store.dropDatabase().catch(() => {});
      await store.close();
      await proxy.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test("watchDirectory() starts a new job when a batch's finish was applied but its reply lost", async () => {
  // jobs.finish() stores the finish, then fails like a connection cut before the answer: the
  // watcher must notice after reconnecting that the job is no longer running and import the
  // next file under a new job (it used to record into the finished job and lose the file).
  const dir = await Deno.makeTempDir({ prefix: "battery_watch_" });
  const work = await Deno.makeTempDir({ prefix: "battery_watch_state_" });
  const { store: inner, cleanup } = await STORE_CASES[0].open();
  let loseReply = true;
  const jobs = new Proxy(inner.jobs, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (key !== "finish") return typeof value === "function" ? value.bind(target) : value;
      return async (...args: Parameters<typeof inner.jobs.finish>) => {
        const job = await target.finish(...args);
        if (!loseReply) return job;
        loseReply = false;
        throw new StoreConnectionError("Cannot reach MongoDB (simulated: reply lost)");
      };
    },
  });
  const store: Store = {
    ...inner,
    jobs,
    describe: () => inner.describe(),
    close: () => inner.close(),
  };
  try {
    const running = start(store, dir, { queueFile: join(work, "queue.jsonl") });
    const a = join(dir, ZN);
    await Deno.writeFile(a, ZN_BYTES);
    await running.waitFor("the first import", imported(a, "created"));
    await running.waitFor("the lost reply", (e) => e.type === "store_down");
    await running.waitFor("the reconnection", (e) => e.type === "store_up");
    const b = join(dir, FAST);
    await Deno.writeFile(b, FAST_BYTES);
    await running.waitFor("the second import", imported(b, "created"));
    const summary = await running.stop();
    equal(summary.created, 2);
    equal(running.events.filter((e) => e.type === "error").length, 0);
    equal(summary.jobs.length, 2);
    const stored = await Promise.all(summary.jobs.map((id) => inner.jobs.get(id)));
    deepStrictEqual(stored.map((j) => [j?.status, j?.counts.created]), [
      ["completed", 1],
      ["completed", 1],
    ]);
  } finally {
    await cleanup();
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(work, { recursive: true });
  }
});
