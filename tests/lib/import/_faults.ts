// Copyright 2026 the battery-analysis authors. MIT license.
// Fault-injection harness shared by tests/lib/import/multi_writer_test.ts (CI-sized) and
// bench/fault_injection.ts (many trials): N importer processes (cli/import_directory.ts) into one
// store, random SIGKILLs of importers and of the MongoDB server (FerretDB), and the checks made
// after every trial: every file stored exactly once and complete, raw bytes identical, no
// orphans, jobs truthful.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { MongoClient, type ObjectId } from "mongodb";
import { parseRecording } from "../../../parsers/parse_recording.ts";
import { MongoStore } from "../../../lib/store/mongo_store.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import type { Store } from "../../../lib/store/store.ts";
import { readFixture } from "../../_util.ts";

const CLI = fileURLToPath(new URL("../../../cli/import_directory.ts", import.meta.url));

/** A data file of a trial and what it must be stored as. */
export interface TrialFile {
  path: string;
  sha256: string;
  /** Rows of its series, or 0. */
  rows: number;
  /** Number of spectra. */
  spectra: number;
}

/** A small deterministic PRNG (mulberry32), so that a failing trial can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Write `count` distinct data files into `dir`: copies of a real Arbin CSV export (every third
 * one a real impedance CSV) each with one changed digit, so that each has its own SHA-256 and
 * still parses. Returns them with the rows and spectra their parse gives.
 */
export async function makeFiles(dir: string, count: number): Promise<TrialFile[]> {
  const arbin = readFixture("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
  const eis = readFixture("eis/exampleData.csv");
  const out: TrialFile[] = [];
  for (let i = 0; i < count; i++) {
    const isEis = i % 3 === 2;
    const bytes = (isEis ? eis : arbin).slice();
    let name: string;
    if (isEis) {
      // The last digit of the first frequency: a different but valid number.
      const at = bytes.indexOf(0x2c) - 1;
      bytes[at] = 0x30 + (i % 10);
      // Distinct beyond ten files: a second digit further on.
      const at2 = bytes.indexOf(0x2c, at + 2) - 1;
      bytes[at2] = 0x30 + (Math.floor(i / 10) % 10);
      name = `fault_eis_${String(i).padStart(3, "0")}.csv`;
    } else {
      const firstRow = bytes.indexOf(10) + 1;
      bytes[firstRow + 1] = 0x30 + (i % 10); // month digit of the first Date_Time
      bytes[firstRow + 3] = 0x30 + (Math.floor(i / 10) % 3); // day digit
      name = `fault_cell_${String(i).padStart(3, "0")}_Channel_${i}_Wb_1.CSV`;
    }
    const path = join(dir, name);
    await Deno.writeFile(path, bytes);
    const rec = parseRecording(bytes, { fileName: path });
    out.push({
      path,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      rows: rec.series?.length ?? 0,
      spectra: rec.spectra?.length ?? 0,
    });
  }
  return out;
}

/** Where importers write. */
export type Target =
  | { kind: "sqlite"; path: string }
  | { kind: "mongodb"; uri: string; dbName: string };

function storeArgs(target: Target): string[] {
  return target.kind === "sqlite"
    ? ["--db", target.path, "--create"]
    : ["--db", target.uri, "--db-name", target.dbName];
}

/** One importer run. */
export interface ImporterRun {
  /** Exit code, or `null` when it was killed. */
  code: number | null;
  /** Files it reported. */
  reported: number;
  /** Its JSON lines of failed files, and its standard error. */
  problems: string[];
}

/** A running importer process. */
export interface Importer {
  /** Kill it with SIGKILL (no clean-up at all). */
  kill(): void;
  /** Files reported so far. */
  reported(): number;
  /** Its end. */
  done: Promise<ImporterRun>;
}

/** Start `cli/import_directory.ts` on these files (in this order). */
export function startImporter(target: Target, files: string[]): Importer {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...storeArgs(target), "--workers", "0", "--json", ...files],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let reported = 0;
  let killed = false;
  const problems: string[] = [];
  const readOut = (async () => {
    let buffered = "";
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += text;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.includes('"type":"file"')) {
          reported++;
          if (line.includes('"action":"failed"')) problems.push(line);
        }
      }
    }
  })();
  const readErr = (async () => {
    const text = await new Response(child.stderr).text();
    if (text.trim()) problems.push(text.trim());
  })();
  const done = (async (): Promise<ImporterRun> => {
    const status = await child.status;
    await readOut.catch(() => {});
    await readErr.catch(() => {});
    return { code: killed ? null : status.code, reported, problems };
  })();
  return {
    kill: () => {
      killed = true;
      try {
        child.kill("SIGKILL");
      } catch {
        // already ended
      }
    },
    reported: () => reported,
    done,
  };
}

/** A FerretDB server this harness controls (to kill and restart it). */
export class FerretServer {
  #process: Deno.ChildProcess | null = null;
  readonly dir: string;
  readonly port: number;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  /** The FerretDB binary `.ci/ferretdb.sh` builds, or `null` when it is not there. */
  static binary(): string | null {
    const home = Deno.env.get("HOME") ?? "";
    const path = Deno.env.get("FERRETDB_BIN") ??
      join(home, ".cache/battery-analysis/ferretdb-v1.24.2/ferretdb");
    try {
      return Deno.statSync(path).isFile ? path : null;
    } catch {
      return null;
    }
  }

  /** Start a server with its data in `dir` on a free port. */
  static async start(dir: string): Promise<FerretServer> {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const server = new FerretServer(dir, port);
    await server.restart();
    return server;
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /** (Re)start the process on the same port and data; resolves once it accepts connections. */
  async restart(): Promise<void> {
    await Deno.mkdir(join(this.dir, "data"), { recursive: true });
    this.#process = new Deno.Command(FerretServer.binary()!, {
      args: [
        "--handler=sqlite",
        `--sqlite-url=file:${this.dir}/data/`,
        `--listen-addr=127.0.0.1:${this.port}`,
        `--state-dir=${this.dir}`,
        "--telemetry=disable",
        "--debug-addr=127.0.0.1:0",
        "--log-level=error",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 300; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port: this.port })).close();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`FerretDB did not start on port ${this.port}`);
  }

  /** SIGKILL the server. */
  async kill(): Promise<void> {
    const p = this.#process;
    this.#process = null;
    if (!p) return;
    try {
      p.kill("SIGKILL");
    } catch {
      // ended already
    }
    await p.status;
  }

  /** Stop it for good. */
  async stop(): Promise<void> {
    const p = this.#process;
    this.#process = null;
    if (!p) return;
    try {
      p.kill("SIGTERM");
    } catch {
      // ended already
    }
    await p.status;
  }
}

/** Open the store of a target (running recovery, as every open does). */
export function openTarget(target: Target): Promise<Store> {
  return target.kind === "sqlite"
    ? SqliteStore.open({ path: target.path })
    : MongoStore.connect({ uri: target.uri, dbName: target.dbName });
}

/** Problems found by {@link checkStore}; empty when every guarantee holds. */
export async function checkStore(target: Target, files: TrialFile[]): Promise<string[]> {
  const problems: string[] = [];
  const store = await openTarget(target);
  try {
    // Every file stored exactly once, complete, with identical raw bytes.
    const testIds = new Set<string>();
    for (const f of files) {
      const test = await store.tests.getByHash(f.sha256);
      if (!test) {
        problems.push(`${f.path}: not stored`);
        continue;
      }
      if (testIds.has(test.id)) problems.push(`${f.path}: shares test ${test.id}`);
      testIds.add(test.id);
      if (f.rows > 0) {
        const series = await store.series.read(test.id);
        if (series?.length !== f.rows) {
          problems.push(`${f.path}: ${series?.length ?? 0} rows stored, ${f.rows} in the file`);
        }
      }
      if (f.spectra > 0) {
        const spectra = await store.spectra.read(test.id);
        if (spectra.length !== f.spectra) {
          problems.push(`${f.path}: ${spectra.length} spectra stored, ${f.spectra} in the file`);
        }
      }
      const raw = await store.rawFiles.getByHash(f.sha256);
      if (!raw) problems.push(`${f.path}: raw file not archived`);
      else {
        const bytes = await store.rawFiles.read(raw.id);
        const sha = createHash("sha256").update(bytes).digest("hex");
        if (sha !== f.sha256) problems.push(`${f.path}: archived bytes differ`);
        if (raw.test_id !== test.id) problems.push(`${f.path}: raw file not linked to its test`);
      }
    }
    const tests = await store.tests.count();
    if (tests !== files.length) problems.push(`${tests} tests for ${files.length} files`);
    const raws = (await store.rawFiles.find()).length;
    if (raws !== files.length) problems.push(`${raws} raw files for ${files.length} files`);
    // Jobs truthful: nothing left running once every importer is gone; counters match.
    for (const job of await store.jobs.list()) {
      if (job.status === "running") problems.push(`job ${job.id} still running`);
      const full = (await store.jobs.get(job.id))!;
      if (full.files.length !== full.counts.processed) {
        problems.push(
          `job ${job.id}: ${full.files.length} outcomes, counts say ${full.counts.processed}`,
        );
      }
      const failed = full.files.filter((o) => o.action === "failed");
      if (failed.length !== full.counts.failed) problems.push(`job ${job.id}: failed count`);
    }
  } finally {
    await store.close();
  }
  problems.push(...await orphans(target));
  return problems;
}

/** Pieces no stored document reaches (the store's internals, looked at directly). */
export async function orphans(target: Target): Promise<string[]> {
  const problems: string[] = [];
  if (target.kind === "sqlite") {
    const db = new DatabaseSync(target.path, { readOnly: true });
    try {
      const one = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
      const integrity = db.prepare("PRAGMA integrity_check").get() as Record<string, unknown>;
      if (Object.values(integrity)[0] !== "ok") {
        problems.push(`integrity: ${JSON.stringify(integrity)}`);
      }
      const rawOrphans = one(
        "SELECT count(*) AS n FROM raw_chunks WHERE file_id NOT IN (SELECT id FROM raw_files)",
      );
      if (rawOrphans) problems.push(`${rawOrphans} raw pieces without a file`);
      const claims = one(
        "SELECT count(*) AS n FROM test_hashes WHERE test_id NOT IN (SELECT id FROM tests)",
      );
      if (claims) problems.push(`${claims} hash claims without a test`);
      const chunkRows = db.prepare("SELECT DISTINCT test_id, version FROM data_chunks").all();
      for (const row of chunkRows as { test_id: string; version: string }[]) {
        const doc = db.prepare("SELECT doc FROM tests WHERE id = ?").get(row.test_id) as
          | { doc: string }
          | undefined;
        const data = doc ? JSON.parse(doc.doc).data : null;
        const used = data
          ? [data.series?.version, ...data.spectra.map((s: { version: string }) => s.version)]
          : [];
        if (!used.includes(row.version)) {
          problems.push(`chunks of test ${row.test_id} version ${row.version} are orphans`);
        }
      }
    } finally {
      db.close();
    }
    return problems;
  }
  const client = new MongoClient(target.uri);
  await client.connect();
  try {
    const db = client.db(target.dbName);
    const tests = new Map(
      (await db.collection("test_results").find({}).project({ data: 1 }).toArray()).map((t) => [
        String(t._id),
        [t.data.series?.version, ...t.data.spectra.map((s: { version: string }) => s.version)],
      ]),
    );
    const seen = new Set<string>();
    for (
      const c of await db.collection("data_chunks").find({}).project({ test_id: 1, version: 1 })
        .toArray()
    ) {
      const key = `${c.test_id}:${c.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!tests.get(c.test_id)?.includes(c.version)) problems.push(`orphan chunks ${key}`);
    }
    for (const h of await db.collection("test_hashes").find({}).toArray()) {
      if (!tests.has(h.test_id)) problems.push(`claim ${h._id} without test ${h.test_id}`);
    }
    const described = new Set(
      (await db.collection("raw_data_files").find({}).project({ _id: 1 }).toArray()).map((d) =>
        String(d._id)
      ),
    );
    const files = new Set<string>();
    for (const f of await db.collection("raw_bytes.files").find({}).project({ _id: 1 }).toArray()) {
      const id = (f._id as ObjectId).toHexString();
      files.add(id);
      if (!described.has(id)) problems.push(`GridFS file ${id} without a description`);
    }
    for (const id of described) if (!files.has(id)) problems.push(`raw file ${id} without bytes`);
    const pieceFiles = await db.collection("raw_bytes.chunks").distinct("files_id");
    for (const fid of pieceFiles) {
      const id = (fid as ObjectId).toHexString();
      if (!files.has(id)) problems.push(`GridFS pieces of ${id} without a file`);
    }
    const pending = await db.collection("pending_writes").countDocuments();
    if (pending) problems.push(`${pending} pending writes left`);
    const indexes = (await db.collection("test_results").listIndexes().toArray()).map((i) =>
      i.name
    );
    if (!indexes.includes("file_hash_1")) problems.push("unique index on file_hash missing");
  } finally {
    await client.close();
  }
  return problems;
}

/** Options of {@link runTrial}. */
export interface TrialOptions {
  /** Concurrent importers. */
  importers: number;
  /** Importer SIGKILLs during the trial. */
  kills: number;
  /** Server SIGKILLs (MongoDB targets with a `server`). */
  serverKills?: number;
  /** The server to kill. */
  server?: FerretServer;
  /** Random source. */
  random: () => number;
}

/** What a trial did. */
export interface TrialResult {
  importer_runs: number;
  importer_kills: number;
  server_kills: number;
  /** Runs that ended with a non-zero exit code (other than by a kill), with their output. */
  failed_runs: string[];
}

/**
 * Run importers on `files` until each has finished once without being killed, killing
 * importers (and the server) at random moments meanwhile. Each importer gets the files in its
 * own random order, so that they meet on the same files.
 */
export async function runTrial(
  target: Target,
  files: TrialFile[],
  options: TrialOptions,
): Promise<TrialResult> {
  const { random } = options;
  const result: TrialResult = {
    importer_runs: 0,
    importer_kills: 0,
    server_kills: 0,
    failed_runs: [],
  };
  const shuffled = (): string[] => {
    const order = files.map((f) => f.path);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
  let killsLeft = options.kills;
  let serverKillsLeft = options.server ? options.serverKills ?? 0 : 0;
  const slot = async (): Promise<void> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const importer = startImporter(target, shuffled());
      result.importer_runs++;
      // Kill after a random number of reported files (0 = while opening or on the first file).
      const killAfter = killsLeft > 0 && random() < 0.6 ? Math.floor(random() * files.length) : -1;
      if (killAfter >= 0) killsLeft--;
      const watcher = (async () => {
        while (killAfter >= 0) {
          if (importer.reported() >= killAfter) {
            importer.kill();
            result.importer_kills++;
            return;
          }
          const settled = await Promise.race([
            importer.done.then(() => true),
            new Promise<false>((r) => setTimeout(() => r(false), 20)),
          ]);
          if (settled) return;
        }
      })();
      const run = await importer.done;
      await watcher;
      if (run.code === 0) return;
      if (run.code !== null) {
        const outage = run.problems.some((p) => /Cannot (reach|connect)|unavailable/.test(p));
        if (!outage) result.failed_runs.push(run.problems.join("\n").slice(0, 2000));
      }
    }
    result.failed_runs.push("an importer slot did not finish in 20 runs");
  };
  const serverKiller = (async () => {
    while (serverKillsLeft > 0 && options.server) {
      await new Promise((r) => setTimeout(r, 300 + random() * 1500));
      serverKillsLeft--;
      await options.server.kill();
      result.server_kills++;
      await new Promise((r) => setTimeout(r, 100 + random() * 400));
      await options.server.restart();
    }
  })();
  await Promise.all(Array.from({ length: options.importers }, () => slot()));
  serverKillsLeft = 0;
  await serverKiller;
  return result;
}
