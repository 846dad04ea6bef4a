// Copyright 2026 the battery-analysis authors. MIT license.
// The MongoDB database under `MongoStore`: the connection (failing fast, errors translated and
// redacted), the collections and their indexes, and this writer — its registration and lease in
// `writers`, its intents in `pending_writes`, and which other writers are gone. The collections
// (`_mongo_samples.ts`, ...) and the recovery (`_mongo_recovery.ts`) work through it.

import {
  type Collection,
  type Db,
  type Document,
  GridFSBucket,
  MongoClient,
} from "npm:mongodb@6.22.0";
import type { TestResult } from "./documents.ts";
import type { StoreDescription } from "./store.ts";
import { isConnectionFailure, StoreConnectionError, StoreError } from "./store_error.ts";
import { DEFAULT_CHUNK_ROWS } from "./_columnar.ts";
import { currentTest } from "./_shared.ts";
import { redactText, redactUri, uriSecrets } from "./redact.ts";
import { KeyedLock } from "./_keyed_lock.ts";
import { newWriter, ownerGone, type WriterIdentity } from "./_liveness.ts";
import { type Doc, fromDoc, indexFields } from "./_mongo_documents.ts";

/** Options of `MongoStore.connect`. */
export interface MongoStoreOptions {
  /** Connection string (`mongodb://` or `mongodb+srv://`). */
  uri: string;
  /** Database name. */
  dbName: string;
  /** Rows per stored series chunk. @default {100000} */
  chunkRows?: number;
  /** What selected this store, for `describe()` and errors. @default {"option"} */
  source?: string;
  /** How long to look for a server before failing. @default {3000} */
  serverSelectionTimeoutMS?: number;
  /**
   * Lease of this writer's claims, ms: another machine takes them over when this writer has not
   * renewed its registration for this long (renewed every third of it). @default {15000}
   */
  leaseMs?: number;
  /**
   * How long to wait for another live writer that is storing the same file before giving up
   * with a `ConflictError`, ms. @default {600000}
   */
  claimWaitMs?: number;
  /** Open for reading only: no index creation, no recovery, no registration. @default {false} */
  readOnly?: boolean;
}

/** Default lease of a writer's registration, ms. */
const DEFAULT_LEASE_MS = 15_000;
/** Default wait for a live writer storing the same file, ms. */
const DEFAULT_CLAIM_WAIT_MS = 10 * 60_000;
/** Bytes per GridFS chunk. */
const GRIDFS_CHUNK_BYTES = 255 * 1024;

/** A MongoDB database opened for a store, and this process's writer in it. */
export class MongoDb {
  /** The collections. */
  readonly c: {
    samples: Collection<Doc>;
    tests: Collection<Doc>;
    hashes: Collection<Doc>;
    chunks: Collection<Doc>;
    raw: Collection<Doc>;
    jobs: Collection<Doc>;
    jobFiles: Collection<Document>;
    datasets: Collection<Doc>;
    writers: Collection<Doc>;
    pending: Collection<Doc>;
    takeovers: Collection<Doc>;
    gridFiles: Collection<Document>;
    gridChunks: Collection<Document>;
  };
  /** GridFS bucket `raw_bytes` of the raw files' pieces. */
  readonly bucket: GridFSBucket;
  /** This writer (one open store). */
  readonly writer: WriterIdentity = newWriter();
  /** Lease of this writer's claims, ms. */
  readonly leaseMs: number;
  /** How long to wait for another live writer storing the same file, ms. */
  readonly claimWaitMs: number;
  /** Opened for reading only. */
  readonly readOnly: boolean;
  /** Rows per stored series chunk. */
  readonly chunkRows: number;
  /**
   * Serializes read-modify-write updates within this process: FerretDB 1.24 does not apply
   * concurrent updates of one document atomically (20 concurrent `$inc` of one field gave 2).
   */
  readonly lock: KeyedLock = new KeyedLock();
  readonly #client: MongoClient;
  readonly #database: Db;
  readonly #uri: string;
  readonly #dbName: string;
  readonly #source: string;
  readonly #secrets: string[];
  /** Registration of this writer in `writers` (done before its first claim or intent). */
  #registered: Promise<void> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #beating: Promise<void> | null = null;
  #closed = false;

  /**
   * Connect and check the server answers (failing fast).
   *
   * @param options Connection string, database and chunk size.
   * @returns The open database.
   */
  static async connect(options: MongoStoreOptions): Promise<MongoDb> {
    const { uri, dbName } = options;
    if (typeof uri !== "string" || !/^mongodb(\+srv)?:\/\//.test(uri)) {
      throw new TypeError(
        `MongoStore: uri must start with mongodb:// or mongodb+srv://, got "${
          redactUri(String(uri))
        }"`,
      );
    }
    if (typeof dbName !== "string" || !/^[^/\\. "$*<>:|?]{1,63}$/.test(dbName)) {
      throw new TypeError(`MongoStore: "${dbName}" is not a valid database name`);
    }
    const source = options.source ?? "option";
    const secrets = uriSecrets(uri);
    const where = `MongoDB at ${redactUri(uri)} (database "${dbName}", from ${source})`;
    let client: MongoClient | null = null;
    try {
      client = new MongoClient(uri, {
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 3000,
        connectTimeoutMS: options.serverSelectionTimeoutMS ?? 3000,
        appName: "battery-analysis",
      });
      // The driver reports some failures as events as well as by rejecting the operation;
      // with no listener an `error` event would be thrown as an uncaught exception.
      client.on("error", () => {});
      await client.connect();
      await client.db(dbName).command({ ping: 1 });
    } catch (cause) {
      await client?.close().catch(() => {});
      const reason = redactText((cause as Error)?.message ?? String(cause), secrets);
      throw new StoreConnectionError(`Cannot connect to ${where}: ${reason}`);
    }
    try {
      return new MongoDb(client, { ...options, source }, secrets);
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
  }

  private constructor(client: MongoClient, options: MongoStoreOptions, secrets: string[]) {
    const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new RangeError(`MongoStore: chunkRows must be a positive integer, got ${chunkRows}`);
    }
    this.#client = client;
    this.#uri = options.uri;
    this.#dbName = options.dbName;
    this.#source = options.source ?? "option";
    this.chunkRows = chunkRows;
    this.#secrets = secrets;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.claimWaitMs = options.claimWaitMs ?? DEFAULT_CLAIM_WAIT_MS;
    this.readOnly = options.readOnly ?? false;
    for (const [name, value] of [["leaseMs", this.leaseMs], ["claimWaitMs", this.claimWaitMs]]) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`MongoStore: ${name} must be a number of milliseconds ≥ 0`);
      }
    }
    this.#database = client.db(options.dbName);
    this.c = {
      samples: this.#database.collection<Doc>("samples"),
      tests: this.#database.collection<Doc>("test_results"),
      hashes: this.#database.collection<Doc>("test_hashes"),
      chunks: this.#database.collection<Doc>("data_chunks"),
      raw: this.#database.collection<Doc>("raw_data_files"),
      jobs: this.#database.collection<Doc>("import_jobs"),
      jobFiles: this.#database.collection("import_job_files"),
      datasets: this.#database.collection<Doc>("cell_datasets"),
      writers: this.#database.collection<Doc>("writers"),
      pending: this.#database.collection<Doc>("pending_writes"),
      takeovers: this.#database.collection<Doc>("claim_takeovers"),
      gridFiles: this.#database.collection("raw_bytes.files"),
      gridChunks: this.#database.collection("raw_bytes.chunks"),
    };
    this.bucket = new GridFSBucket(this.#database, {
      bucketName: "raw_bytes",
      chunkSizeBytes: GRIDFS_CHUNK_BYTES,
    });
  }

  /** Create the indexes (and the index fields of tests written before they existed). */
  async createIndexes(): Promise<void> {
    const c = this.c;
    await c.samples.createIndex({ name: 1 }, { unique: true });
    await c.samples.createIndex({ cell_code: 1 });
    await c.samples.createIndex({ chemistry: 1 });
    await c.samples.createIndex({ parent_id: 1 });
    await c.samples.createIndex({ tags: 1 });
    await c.tests.createIndex({ file_hash: 1 }, { unique: true });
    await c.tests.createIndex({ sample_id: 1 });
    await c.tests.createIndex({ cell_code: 1 });
    await c.tests.createIndex({ base_name: 1 });
    await c.tests.createIndex({ name: 1 });
    await c.tests.createIndex({ _start: 1, created_at: 1 });
    await c.tests.createIndex({ tags: 1 });
    await c.tests.createIndex({ _protocol: 1 });
    await c.tests.createIndex({ _tester_lc: 1 });
    for (
      const f of ["fade_per_100_cycles", "capacity_retention", "cycle_count", "last_data_time"]
    ) {
      await c.tests.createIndex({ [`_kn.${f}`]: 1, [`_k.${f}`]: 1 });
    }
    await c.tests.createIndex({ "_k.random": 1 });
    // Tests written before the index fields (or the latest of them) existed get them now (once).
    const stale = { $or: [{ _search: { $exists: false } }, { "_k.random": { $exists: false } }] };
    for await (const d of c.tests.find(stale)) {
      const test = currentTest(fromDoc<TestResult>(d)!);
      await c.tests.updateOne({ _id: d._id }, { $set: indexFields(test) });
    }
    await c.hashes.createIndex({ test_id: 1 });
    await c.chunks.createIndex(
      { test_id: 1, version: 1, kind: 1, seq: 1, chunk: 1, column: 1 },
      { unique: true },
    );
    await c.raw.createIndex({ sha256: 1 }, { unique: true });
    await c.raw.createIndex({ test_id: 1 });
    await c.raw.createIndex({ sample_id: 1 });
    await c.raw.createIndex({ import_job_id: 1 });
    await c.raw.createIndex({ uploaded_at: -1 });
    await c.jobs.createIndex({ started_at: -1 });
    await c.jobFiles.createIndex({ job_id: 1, n: 1 }, { unique: true });
    await c.datasets.createIndex({ cell_code: 1, version: 1 }, { unique: true });
    await c.pending.createIndex({ owner: 1 });
    await c.gridChunks.createIndex({ files_id: 1, n: 1 }, { unique: true });
    await c.gridFiles.createIndex({ filename: 1, uploadDate: 1 });
  }

  /** What `Store.describe()` says. */
  describe(): StoreDescription {
    const location = redactUri(this.#uri);
    return {
      kind: "mongodb",
      location,
      database: this.#dbName,
      persistent: true,
      source: this.#source,
      text: `MongoDB ${location} database "${this.#dbName}" (${this.#source})`,
    };
  }

  /** Sign off this writer and close the connection; further operations fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    await this.#beating?.catch(() => {});
    if (this.#registered) {
      // Signing off lets other writers take over anything left behind at once.
      await this.#registered.catch(() => {});
      await this.c.writers.updateOne({ _id: this.writer.id }, { $set: { closed: true } })
        .catch(() => {});
    }
    this.#closed = true;
    await this.#client.close().catch(() => {});
  }

  /** Drop the whole database (used by tests to clean up). */
  async dropDatabase(): Promise<void> {
    await this.op(() => this.#database.dropDatabase());
  }

  /** Run a driver operation: refuse after close, translate driver errors. */
  async op<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new StoreError(`The store ${redactUri(this.#uri)} "${this.#dbName}" is closed`);
    }
    try {
      return await fn();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /**
   * A driver error as a store error with a redacted message: a `StoreConnectionError` when the
   * server cannot be reached (network, server selection, pool cleared), else a `StoreError`.
   * Errors that are not the driver's (store errors, bad arguments) pass unchanged.
   */
  translate(error: unknown): unknown {
    if (error instanceof StoreError || !(error instanceof Error)) return error;
    const where = `MongoDB ${redactUri(this.#uri)} database "${this.#dbName}"`;
    const reason = redactText(error.message, this.#secrets);
    if (isConnectionFailure(error)) {
      return new StoreConnectionError(`Cannot reach ${where}: ${reason}`, { cause: error });
    }
    if (error.name.startsWith("Mongo")) {
      return new StoreError(`${where}: ${reason}`, { cause: error });
    }
    return error;
  }

  // ---------------------------------------------------------------- writers and recovery

  /** Register this writer (once) and start renewing its lease. */
  register(): Promise<void> {
    if (this.readOnly) {
      return Promise.reject(new StoreError(`${this.describe().text} is open read-only`));
    }
    this.#registered ??= (async () => {
      await this.#upsertWriter();
      this.#heartbeat = setInterval(() => this.#beat(), Math.max(this.leaseMs / 3, 10));
      Deno.unrefTimer(this.#heartbeat);
    })().catch((error) => {
      this.#registered = null;
      throw error;
    });
    return this.#registered;
  }

  async #upsertWriter(): Promise<void> {
    const { id, ...identity } = this.writer;
    await this.c.writers.updateOne(
      { _id: id },
      {
        $set: { ...identity, lease_ms: this.leaseMs, closed: false },
        $currentDate: { heartbeat_at: true },
      },
      { upsert: true },
    );
  }

  /**
   * Renew the lease. When the registration has vanished (the database was dropped, or another
   * writer judged this one gone), register again and verify the indexes, so that a long-running
   * watcher never writes into a database without its unique indexes.
   */
  #beat(): void {
    if (this.#beating || this.#closed) return;
    this.#beating = (async () => {
      const r = await this.c.writers.updateOne(
        { _id: this.writer.id },
        { $currentDate: { heartbeat_at: true } },
      );
      if (r.matchedCount === 0 && !this.#closed) {
        await this.createIndexes();
        await this.#upsertWriter();
      }
    })().catch(() => {
      // An outage: the next operation reports it; the lease simply is not renewed meanwhile.
    }).finally(() => {
      this.#beating = null;
    });
  }

  /** Which of these writers are gone (see `_liveness.ts`). */
  async goneWriters(ids: string[]): Promise<Set<string>> {
    const gone = new Set<string>();
    const unique = [...new Set(ids)].filter((id) => id !== this.writer.id);
    if (unique.length === 0) return gone;
    const hello = await this.#database.command({ hello: 1 });
    const serverNow = hello.localTime instanceof Date ? hello.localTime.getTime() : Date.now();
    const docs = new Map(
      (await this.c.writers.find({ _id: { $in: unique } }).toArray()).map((d) => [d._id, d]),
    );
    for (const id of unique) {
      const doc = docs.get(id);
      const beat = doc?.heartbeat_at instanceof Date ? doc.heartbeat_at.getTime() : null;
      if (
        ownerGone({
          owner: doc ? (doc as unknown as WriterIdentity) : null,
          closed: doc?.closed === true,
          heartbeatAgeMs: beat === null ? null : serverNow - beat,
          leaseMs: typeof doc?.lease_ms === "number" ? doc.lease_ms : this.leaseMs,
        })
      ) gone.add(id);
    }
    return gone;
  }

  /** Record an intent to write pieces that are not reachable until a commit point. */
  async intend(id: string, fields: Record<string, unknown>): Promise<void> {
    await this.register();
    await this.c.pending.insertOne({ _id: id, owner: this.writer.id, at: new Date(), ...fields });
  }

  /** Forget an intent (its write committed or was undone). Failures leave it to recovery. */
  async done(id: string): Promise<void> {
    await this.c.pending.deleteOne({ _id: id, owner: this.writer.id }).catch(() => {});
  }
}
