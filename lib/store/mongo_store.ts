// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The shared-lab store: MongoDB through the official driver. Only features FerretDB 1.24 also
 * has are used (CRUD, unique indexes, GridFS, simple aggregation); FerretDB has no multi-document
 * transactions and does not apply concurrent updates of one document atomically (only inserts
 * against a unique index are), so everything that several writers may race on is decided by an
 * insert:
 *
 * - a test and its data are written in commit-point order: chunks under a new version id first,
 *   then the test document (the commit point), then superseded chunks are removed. Readers always
 *   go through the test document, so they never see half a test;
 * - every writer (one open store) registers itself in `writers` with its host, process and a
 *   lease it renews (`heartbeat_at`, server time). File hashes are claimed in `test_hashes`
 *   (`_id` = hash) with the claiming writer; a claim whose writer is gone (see `_liveness.ts`:
 *   at once on the same machine, after the lease elsewhere) is taken over by one writer, decided
 *   by an insert into `claim_takeovers`; a claim whose writer is alive is waited for;
 * - before writing chunks or GridFS pieces a writer records the intent in `pending_writes`; on
 *   every open, intents of writers that are gone are rolled back or completed (orphan chunks and
 *   GridFS pieces removed), and their running import jobs are marked interrupted;
 * - indexes are created on open and verified again whenever the writer's own registration
 *   vanished (a `dropDatabase` under a running watcher).
 *
 * @module
 */

import {
  Binary,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type FindOptions,
  GridFSBucket,
  MongoClient,
  ObjectId,
} from "npm:mongodb@6.22.0";
import type { CyclingSeries } from "../model/cycling_series.ts";
import type { Spectrum } from "../model/spectrum.ts";
import type {
  CellDataset,
  CellDatasetInput,
  ImportJob,
  JobOwner,
  JobStatus,
  RawDataFile,
  RawFileInput,
  RawFilePatch,
  Sample,
  SampleFields,
  SampleInput,
  TestFields,
  TestInput,
  TestResult,
} from "./documents.ts";
import { ANALYSIS_DETAIL_FIELDS, SAMPLE_LINKS } from "./documents.ts";
import type {
  DatasetApi,
  JobApi,
  PackedRawFile,
  Page,
  RawFileApi,
  RawFileFilter,
  RecoveryReport,
  SampleApi,
  SampleFilter,
  SeriesApi,
  SeriesReadOptions,
  SpectraApi,
  Store,
  StoreDescription,
  TestApi,
  TestData,
  TestFilter,
  Upserted,
} from "./store.ts";
import {
  ConflictError,
  isConnectionFailure,
  NotFoundError,
  StoreConnectionError,
  StoreError,
} from "./store_error.ts";
import { laterIso, newId, nowIso } from "./_ids.ts";
import {
  type Chunk,
  chunkSpan,
  decodeSeries,
  decodeSpectrum,
  DEFAULT_CHUNK_ROWS,
  MissingChunkError,
} from "./_columnar.ts";
import {
  aggregateMetrics,
  checkDatasetInput,
  checkName,
  checkPage,
  checkRawFilePatch,
  checkSampleFields,
  checkSampleInput,
  checkSampleLinks,
  checkTestFields,
  completeRawFileInput,
  completeTestInput,
  type Contribution,
  contributionOf,
  testHashes,
} from "./_normalize.ts";
import {
  applyOutcome,
  checkDeletable,
  checkExpectedPrevious,
  checkOutcome,
  checkTimes,
  currentTest,
  encodeTestData,
  finishJob,
  hashTakenError,
  lastCycleEnd,
  listingOf,
  makeNote,
  nameTakenError,
  newDataset,
  newJob,
  newSample,
  newTest,
  nextTest,
  seriesRows,
  supersededVersions,
  unknownSampleError,
} from "./_shared.ts";
import { redactText, redactUri, uriSecrets } from "./redact.ts";
import { rechunk, sha256Stream } from "./_sha256.ts";
import {
  checkStatsOptions,
  checkTestQuery,
  hasFade,
  lastDataMs,
  randomKey,
  searchWords,
  testSearchText,
} from "./_test_query.ts";
import { mongoTestStats, type SampleFacets, statsProjection } from "./_mongo_test_stats.ts";
import { SUMMARY_NUMBER_FIELDS } from "./documents.ts";
import {
  compressPiece,
  decodePiece,
  framePiece,
  isPackedRaw,
  packRaw,
  RAW_PIECE_BYTES,
  RawVerifier,
  unframePieces,
} from "./raw_codec.ts";
import { decodeDocument, encodeDocument } from "./_mongo_encoding.ts";
import { KeyedLock } from "./_keyed_lock.ts";
import { newWriter, ownerGone, type WriterIdentity, writerLabel } from "./_liveness.ts";
import { checkResumable, interruptedMessage, markInterrupted } from "./_job_owner.ts";

/** Options of {@link MongoStore.connect}. */
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

/** A document as stored: string `_id` plus fields. */
interface Doc extends Document {
  _id: string;
}

/** Default lease of a writer's registration, ms. */
const DEFAULT_LEASE_MS = 15_000;
/** Default wait for a live writer storing the same file, ms. */
const DEFAULT_CLAIM_WAIT_MS = 10 * 60_000;
/** Bytes per GridFS chunk. */
const GRIDFS_CHUNK_BYTES = 255 * 1024;
/** Sort key for tests without a start time: after every ISO date. */
const NO_START = "~";

/**
 * A unique-index violation. MongoDB says code 11000; FerretDB 1.24 says so for inserts but
 * answers an update that breaks a unique index with code 1 and "UNIQUE constraint failed".
 */
function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: number; message?: string };
  return e?.code === 11000 || /UNIQUE constraint failed|E11000/.test(e?.message ?? "");
}

/** A stored document without its `_id` and private (`_`-prefixed) fields, with `id`. */
/** Projection of a listing without cycles: neither the cycles nor the analysis's cycle table. */
const LIGHT_TEST = { projection: { cycles: 0, "analysis.cycles": 0 } };

/**
 * Projection of `tests.list`: no cycles (writers keep the end of the last one in `_end_time_s`)
 * and the analysis without its bulky parts.
 */
const LISTED_TEST = {
  projection: {
    cycles: 0,
    ...Object.fromEntries(ANALYSIS_DETAIL_FIELDS.map((f) => [`analysis.${f}`, 0])),
  },
};

/** A test read with {@link LIGHT_TEST}: its cycle tables empty, as the type says. */
function lightened(test: TestResult, withCycles: boolean): TestResult {
  if (!withCycles) {
    test.cycles = [];
    if (test.analysis) test.analysis.cycles = [];
  }
  return test;
}

function fromDoc<T>(doc: Doc | null): T | null {
  if (!doc) return null;
  const out: Record<string, unknown> = { id: doc._id };
  for (const [key, value] of Object.entries(doc)) {
    if (!key.startsWith("_")) out[key] = value;
  }
  return decodeDocument(out) as T;
}

/** Id of a stored chunk: deterministic, so readers fetch chunks by `_id`. */
function chunkId(
  testId: string,
  version: string,
  c: Pick<Chunk, "kind" | "seq" | "chunk" | "column">,
): string {
  return `${testId}:${version}:${c.kind}:${c.seq}:${c.chunk}:${c.column}`;
}

/** A public document as stored: `id` becomes `_id`. */
function toDoc<T extends { id: string }>(value: T, extra: Record<string, unknown> = {}): Doc {
  const { id, ...rest } = value;
  return { _id: id, ...encodeDocument(rest), ...extra };
}

/**
 * A {@link Store} in a MongoDB database (or FerretDB).
 *
 * @example Usage
 * ```ts ignore
 * import { MongoStore } from "./mongo_store.ts";
 *
 * const store = await MongoStore.connect({ uri: "mongodb://127.0.0.1:27017/", dbName: "lab" });
 * console.log(store.describe().text);
 * await store.close();
 * ```
 */
export class MongoStore implements Store {
  readonly samples: SampleApi;
  readonly tests: TestApi;
  readonly series: SeriesApi;
  readonly spectra: SpectraApi;
  readonly rawFiles: RawFileApi;
  readonly jobs: JobApi;
  readonly datasets: DatasetApi;
  readonly #client: MongoClient;
  readonly #db: Db;
  readonly #uri: string;
  readonly #dbName: string;
  readonly #source: string;
  readonly #chunkRows: number;
  readonly #secrets: string[];
  readonly #c: {
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
  readonly #bucket: GridFSBucket;
  /** This writer (one open store). */
  readonly #writer: WriterIdentity = newWriter();
  readonly #leaseMs: number;
  readonly #claimWaitMs: number;
  readonly #readOnly: boolean;
  /** Registration of this writer in `writers` (done before its first claim or intent). */
  #registered: Promise<void> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #beating: Promise<void> | null = null;
  /**
   * Serializes read-modify-write updates within this process: FerretDB 1.24 does not apply
   * concurrent updates of one document atomically (20 concurrent `$inc` of one field gave 2).
   */
  readonly #lock = new KeyedLock();
  #closed = false;

  /**
   * Connect, check the server answers (failing fast), and create the indexes.
   *
   * @param options Connection string, database and chunk size.
   * @returns The open store.
   */
  static async connect(options: MongoStoreOptions): Promise<MongoStore> {
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
    let store: MongoStore;
    try {
      store = new MongoStore(client, { ...options, source }, secrets);
    } catch (error) {
      await client.close().catch(() => {});
      throw error;
    }
    try {
      if (!store.#readOnly) {
        await store.#op(() => store.#createIndexes());
        await store.recover();
      }
      return store;
    } catch (error) {
      await store.close().catch(() => {});
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
    this.#chunkRows = chunkRows;
    this.#secrets = secrets;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#claimWaitMs = options.claimWaitMs ?? DEFAULT_CLAIM_WAIT_MS;
    this.#readOnly = options.readOnly ?? false;
    for (const [name, value] of [["leaseMs", this.#leaseMs], ["claimWaitMs", this.#claimWaitMs]]) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`MongoStore: ${name} must be a number of milliseconds ≥ 0`);
      }
    }
    this.#db = client.db(options.dbName);
    this.#c = {
      samples: this.#db.collection<Doc>("samples"),
      tests: this.#db.collection<Doc>("test_results"),
      hashes: this.#db.collection<Doc>("test_hashes"),
      chunks: this.#db.collection<Doc>("data_chunks"),
      raw: this.#db.collection<Doc>("raw_data_files"),
      jobs: this.#db.collection<Doc>("import_jobs"),
      jobFiles: this.#db.collection("import_job_files"),
      datasets: this.#db.collection<Doc>("cell_datasets"),
      writers: this.#db.collection<Doc>("writers"),
      pending: this.#db.collection<Doc>("pending_writes"),
      takeovers: this.#db.collection<Doc>("claim_takeovers"),
      gridFiles: this.#db.collection("raw_bytes.files"),
      gridChunks: this.#db.collection("raw_bytes.chunks"),
    };
    this.#bucket = new GridFSBucket(this.#db, {
      bucketName: "raw_bytes",
      chunkSizeBytes: GRIDFS_CHUNK_BYTES,
    });
    this.samples = this.#sampleApi();
    this.tests = this.#testApi();
    this.series = this.#seriesApi();
    this.spectra = this.#spectraApi();
    this.rawFiles = this.#rawFileApi();
    this.jobs = this.#jobApi();
    this.datasets = this.#datasetApi();
  }

  async #createIndexes(): Promise<void> {
    const c = this.#c;
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
    // Tests written before the index fields existed get them now (once).
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

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    await this.#beating?.catch(() => {});
    if (this.#registered) {
      // Signing off lets other writers take over anything left behind at once.
      await this.#registered.catch(() => {});
      await this.#c.writers.updateOne({ _id: this.#writer.id }, { $set: { closed: true } })
        .catch(() => {});
    }
    this.#closed = true;
    await this.#client.close().catch(() => {});
  }

  /** Drop the whole database (used by tests to clean up). */
  async dropDatabase(): Promise<void> {
    await this.#op(() => this.#db.dropDatabase());
  }

  /** Run a driver operation: refuse after close, translate driver errors. */
  async #op<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new StoreError(`The store ${redactUri(this.#uri)} "${this.#dbName}" is closed`);
    }
    try {
      return await fn();
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /**
   * A driver error as a store error with a redacted message: a `StoreConnectionError` when the
   * server cannot be reached (network, server selection, pool cleared), else a `StoreError`.
   * Errors that are not the driver's (store errors, bad arguments) pass unchanged.
   */
  #translate(error: unknown): unknown {
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
  #register(): Promise<void> {
    if (this.#readOnly) {
      return Promise.reject(new StoreError(`${this.describe().text} is open read-only`));
    }
    this.#registered ??= (async () => {
      await this.#upsertWriter();
      this.#heartbeat = setInterval(() => this.#beat(), Math.max(this.#leaseMs / 3, 10));
      Deno.unrefTimer(this.#heartbeat);
    })().catch((error) => {
      this.#registered = null;
      throw error;
    });
    return this.#registered;
  }

  async #upsertWriter(): Promise<void> {
    const { id, ...identity } = this.#writer;
    await this.#c.writers.updateOne(
      { _id: id },
      {
        $set: { ...identity, lease_ms: this.#leaseMs, closed: false },
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
      const r = await this.#c.writers.updateOne(
        { _id: this.#writer.id },
        { $currentDate: { heartbeat_at: true } },
      );
      if (r.matchedCount === 0 && !this.#closed) {
        await this.#createIndexes();
        await this.#upsertWriter();
      }
    })().catch(() => {
      // An outage: the next operation reports it; the lease simply is not renewed meanwhile.
    }).finally(() => {
      this.#beating = null;
    });
  }

  /** Make sure indexes exist (for a caller that saw a sign of a dropped database). */
  async #verifyIndexes(): Promise<void> {
    const names = new Set(
      (await this.#c.tests.listIndexes().toArray().catch(() => [])).map((i) => i.name),
    );
    if (!names.has("file_hash_1")) await this.#createIndexes();
  }

  /** Which of these writers are gone (see `_liveness.ts`). */
  async #goneWriters(ids: string[]): Promise<Set<string>> {
    const gone = new Set<string>();
    const unique = [...new Set(ids)].filter((id) => id !== this.#writer.id);
    if (unique.length === 0) return gone;
    const hello = await this.#db.command({ hello: 1 });
    const serverNow = hello.localTime instanceof Date ? hello.localTime.getTime() : Date.now();
    const docs = new Map(
      (await this.#c.writers.find({ _id: { $in: unique } }).toArray()).map((d) => [d._id, d]),
    );
    for (const id of unique) {
      const doc = docs.get(id);
      const beat = doc?.heartbeat_at instanceof Date ? doc.heartbeat_at.getTime() : null;
      if (
        ownerGone({
          owner: doc ? (doc as unknown as WriterIdentity) : null,
          closed: doc?.closed === true,
          heartbeatAgeMs: beat === null ? null : serverNow - beat,
          leaseMs: typeof doc?.lease_ms === "number" ? doc.lease_ms : this.#leaseMs,
        })
      ) gone.add(id);
    }
    return gone;
  }

  /** Record an intent to write pieces that are not reachable until a commit point. */
  async #intend(id: string, fields: Record<string, unknown>): Promise<void> {
    await this.#register();
    await this.#c.pending.insertOne({ _id: id, owner: this.#writer.id, at: new Date(), ...fields });
  }

  /** Forget an intent (its write committed or was undone). Failures leave it to recovery. */
  async #done(id: string): Promise<void> {
    await this.#c.pending.deleteOne({ _id: id, owner: this.#writer.id }).catch(() => {});
  }

  /**
   * Finish or undo what writers that are gone left behind: their pending writes (chunks of a
   * test that never committed or superseded ones never removed, GridFS pieces without a
   * description, a half-done delete) and their running import jobs (marked `interrupted`).
   * Runs on every open; safe to run at any time and from several writers at once.
   *
   * @returns What was cleaned up.
   */
  recover(): Promise<RecoveryReport> {
    return this.#op(async () => {
      const report: RecoveryReport = {
        pending_writes: 0,
        jobs_interrupted: 0,
        claims_released: 0,
        chunks_removed: 0,
        raw_files_removed: 0,
      };
      const intents = await this.#c.pending.find({}).toArray();
      const running = await this.#c.jobs.find({ status: "running", "owner.id": { $exists: true } })
        .project({ owner: 1 }).toArray();
      const gone = await this.#goneWriters([
        ...intents.map((i) => i.owner as string),
        ...running.map((j) => (j.owner as { id: string }).id),
      ]);
      const live = intents.filter((i) => !gone.has(i.owner as string));
      for (const intent of intents) {
        if (!gone.has(intent.owner as string)) continue;
        await this.#undo(intent, live, report);
        await this.#c.pending.deleteOne({ _id: intent._id, owner: intent.owner });
        report.pending_writes++;
      }
      for (const job of running) {
        if (!gone.has((job.owner as { id: string }).id)) continue;
        if (await this.#interruptJob(job._id, job.owner as JobOwner)) report.jobs_interrupted++;
      }
      // Registrations of writers that are gone and have nothing left behind.
      const stale = await this.#c.writers.find({ _id: { $ne: this.#writer.id } })
        .project({ _id: 1 }).toArray();
      const staleGone = await this.#goneWriters(stale.map((w) => w._id));
      const stillReferenced = new Set(
        (await this.#c.pending.find({}).project({ owner: 1 }).toArray()).map((i) => i.owner),
      );
      const removable = [...staleGone].filter((id) => !stillReferenced.has(id));
      if (removable.length) await this.#c.writers.deleteMany({ _id: { $in: removable } });
      return report;
    });
  }

  /**
   * Look through the whole database for what writers that are gone left behind — also what
   * earlier versions of this program could leave, which recorded no pending writes: chunks of no
   * test or of a superseded version, hash claims without a test, GridFS files without a
   * description and GridFS pieces without a file, running jobs without a writer that have not
   * changed for an hour — and remove it or mark it interrupted. Writes in progress (pending
   * writes of live writers) are left alone.
   *
   * @returns What was cleaned up.
   */
  repair(): Promise<RecoveryReport> {
    return this.#op(async () => {
      const report = await this.recover();
      const c = this.#c;
      const live = await c.pending.find({}).toArray(); // what is left is of live writers
      const liveTests = new Set(live.filter((i) => i.kind === "test").map((i) => i.test_id));
      const liveVersions = new Set(live.map((i) => `${i.test_id}:${i.version}`));
      const liveRaw = new Set(live.filter((i) => i.kind === "raw").map((i) => i.raw_id));
      const current = new Map<string, Set<string> | null>();
      const versionsOf = async (testId: string): Promise<Set<string> | null> => {
        if (!current.has(testId)) {
          const test = await this.#testById(testId, false);
          current.set(
            testId,
            test
              ? new Set([
                ...(test.data.series ? [test.data.series.version] : []),
                ...test.data.spectra.map((s) => s.version),
              ])
              : null,
          );
        }
        return current.get(testId)!;
      };
      const seen = new Set<string>();
      for await (const chunk of c.chunks.find({}).project({ test_id: 1, version: 1 })) {
        const key = `${chunk.test_id}:${chunk.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (liveTests.has(chunk.test_id) || liveVersions.has(key)) continue;
        const versions = await versionsOf(chunk.test_id);
        if (versions && versions.has(chunk.version)) continue;
        report.chunks_removed += (await c.chunks.deleteMany({
          test_id: chunk.test_id,
          version: chunk.version,
        })).deletedCount;
      }
      const claims = await c.hashes.find({}).toArray();
      const owners = await this.#goneWriters(
        claims.filter((h) => typeof h.owner === "string").map((h) => h.owner as string),
      );
      for (const claim of claims) {
        if (liveTests.has(claim.test_id) || (await versionsOf(claim.test_id as string))) continue;
        const gone = typeof claim.owner === "string"
          ? owners.has(claim.owner)
          : Date.now() - Date.parse(claim.claimed_at as string) > 4 * this.#leaseMs;
        if (!gone) continue;
        report.claims_released += (await c.hashes.deleteMany({
          _id: claim._id,
          test_id: claim.test_id,
        })).deletedCount;
      }
      const described = new Set(
        (await c.raw.find({}).project({ _id: 1 }).toArray()).map((d) => d._id as string),
      );
      const files = new Set<string>();
      for await (const file of c.gridFiles.find({}).project({ _id: 1 })) {
        const id = (file._id as ObjectId).toHexString();
        files.add(id);
        if (described.has(id) || liveRaw.has(id)) continue;
        await c.gridFiles.deleteOne({ _id: file._id });
        await c.gridChunks.deleteMany({ files_id: file._id });
        report.raw_files_removed++;
      }
      const pieceOwners = new Set<string>();
      for await (const piece of c.gridChunks.find({}).project({ files_id: 1 })) {
        pieceOwners.add((piece.files_id as ObjectId).toHexString());
      }
      for (const id of pieceOwners) {
        if (files.has(id) || liveRaw.has(id)) continue;
        await c.gridChunks.deleteMany({ files_id: ObjectId.createFromHexString(id) });
        report.raw_files_removed++;
      }
      const hourAgo = new Date(Date.now() - 3600_000).toISOString();
      for (
        const doc of await c.jobs.find({ status: "running", updated_at: { $lt: hourAgo } })
          .toArray()
      ) {
        if (doc.owner) continue; // jobs with a writer were handled by recover()
        if (await this.#interruptJob(doc._id, null)) report.jobs_interrupted++;
      }
      await c.takeovers.deleteMany({ at: { $lt: hourAgo } });
      return report;
    });
  }

  /** Undo or complete one pending write of a writer that is gone. */
  async #undo(intent: Doc, live: Doc[], report: RecoveryReport): Promise<void> {
    const c = this.#c;
    if (intent.kind === "test") {
      const testId = intent.test_id as string;
      const test = await this.#testById(testId, false);
      if (!test) {
        report.chunks_removed += (await c.chunks.deleteMany({ test_id: testId })).deletedCount;
        report.claims_released +=
          (await c.hashes.deleteMany({ test_id: testId, owner: intent.owner })).deletedCount;
        if (intent.op === "delete") {
          await c.hashes.deleteMany({ test_id: testId });
          await c.raw.updateMany({ test_id: testId }, { $set: { test_id: null } });
        }
        return;
      }
      const keep = new Set([
        ...(test.data.series ? [test.data.series.version] : []),
        ...test.data.spectra.map((s) => s.version),
        ...live.filter((i) => i.test_id === testId && i.version).map((i) => i.version as string),
      ]);
      report.chunks_removed += (await c.chunks.deleteMany({
        test_id: testId,
        version: { $nin: [...keep] },
      })).deletedCount;
      const hashes = testHashes(test);
      report.claims_released += (await c.hashes.deleteMany({
        test_id: testId,
        owner: intent.owner,
        _id: { $nin: hashes },
      })).deletedCount;
    } else if (intent.kind === "raw") {
      const rawId = intent.raw_id as string;
      if (!(await c.raw.findOne({ _id: rawId }, { projection: { _id: 1 } }))) {
        const oid = ObjectId.createFromHexString(rawId);
        await c.gridFiles.deleteOne({ _id: oid });
        await c.gridChunks.deleteMany({ files_id: oid });
        report.raw_files_removed++;
      }
    }
  }

  /**
   * Counters and failure lines of a job from its recorded outcomes (in place): the outcomes are
   * written first, so they are the truth when a writer died between the two writes.
   */
  async #recount(job: ImportJob): Promise<void> {
    const files = await this.#c.jobFiles.find({ job_id: job.id }).toArray();
    const counts = { ...job.counts, processed: files.length };
    for (const action of ["created", "updated", "skipped", "failed"] as const) {
      counts[action] = files.filter((f) => f.action === action).length;
    }
    job.counts = counts;
    for (const f of files) {
      if (f.action !== "failed") continue;
      const line = `${f.path}: ${f.error ?? "failed"}`;
      if (!job.errors.includes(line)) job.errors = [...job.errors, line];
    }
  }

  /** Mark a running job of a writer that is gone `interrupted`. */
  async #interruptJob(id: string, owner: JobOwner | null): Promise<boolean> {
    const job = fromDoc<ImportJob>(await this.#c.jobs.findOne({ _id: id }));
    if (!job || job.status !== "running") return false;
    await this.#recount(job);
    const r = await this.#c.jobs.updateOne({ _id: id, status: "running" }, {
      $set: {
        status: "interrupted",
        finished_at: job.updated_at,
        updated_at: laterIso(job.updated_at),
        counts: job.counts,
        errors: job.errors,
      },
      $push: { interruptions: interruptedMessage(owner, job) } as Document,
    });
    return r.matchedCount === 1;
  }

  // ---------------------------------------------------------------- samples

  async #sampleById(id: string): Promise<Sample | null> {
    return fromDoc<Sample>(await this.#c.samples.findOne({ _id: id }));
  }

  #sampleExists = async (id: string): Promise<boolean> =>
    (await this.#c.samples.countDocuments({ _id: id }, { limit: 1 })) > 0;

  #sampleFilter(filter: SampleFilter): Filter<Doc> {
    const q: Filter<Doc> = {};
    for (const f of ["name", "chemistry", "cell_code", "parent_id"] as const) {
      if (filter[f] !== undefined) q[f] = filter[f];
    }
    if (filter.tags?.length) q.$and = filter.tags.map((t) => ({ tags: t }));
    return q;
  }

  #sampleApi(): SampleApi {
    const c = this.#c;
    const newSampleDoc = (name: string, fields: Partial<SampleFields>): Doc =>
      toDoc<Sample>(newSample(name, fields), { _contrib: {}, _rev: 0 });
    const upsert = async (input: SampleInput): Promise<Upserted<Sample>> => {
      const { name, fields } = checkSampleInput(input);
      const { tags, ...set } = fields;
      for (let attempt = 0;; attempt++) {
        const existing = await c.samples.findOne({ name }, { projection: { _id: 1 } });
        await checkSampleLinks(
          fields,
          existing?._id ?? null,
          `Sample "${name}"`,
          this.#sampleExists,
        );
        const fresh = newSampleDoc(name, {});
        const now = fresh.updated_at as string;
        const hasChanges = Object.keys(set).length > 0 || (tags?.length ?? 0) > 0;
        const onInsert: Record<string, unknown> = { ...fresh };
        for (const key of [...Object.keys(set), "updated_at"]) delete onInsert[key];
        if (tags?.length) delete onInsert.tags;
        const update: Document = { $setOnInsert: hasChanges ? onInsert : fresh };
        if (hasChanges) update.$set = { ...encodeDocument(set), updated_at: now };
        if (tags?.length) update.$addToSet = { tags: { $each: tags } };
        try {
          const doc = await c.samples.findOneAndUpdate({ name }, update, {
            upsert: true,
            returnDocument: "after",
          });
          return { doc: fromDoc<Sample>(doc)!, created: doc?._id === fresh._id };
        } catch (error) {
          // Two writers inserted the same new name at once: the loser retries as an update.
          if (isDuplicateKey(error) && attempt < 3) continue;
          throw error;
        }
      }
    };
    return {
      create: (input) =>
        this.#op(async () => {
          const { name, fields } = checkSampleInput(input);
          await checkSampleLinks(fields, null, `Sample "${name}"`, this.#sampleExists);
          const doc = newSampleDoc(name, fields);
          try {
            await c.samples.insertOne(doc);
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
            const existing = await c.samples.findOne({ name });
            throw nameTakenError(name, existing?._id ?? null);
          }
          return fromDoc<Sample>(doc)!;
        }),
      upsert: (input: SampleInput) =>
        this.#op(() => this.#lock.run("samples", () => upsert(input))),
      get: (id) => this.#op(() => this.#sampleById(id)),
      getByName: (name) => this.#op(async () => fromDoc<Sample>(await c.samples.findOne({ name }))),
      find: (filter = {}) =>
        this.#op(async () => {
          const { limit, skip } = checkPage(filter);
          const cursor = c.samples.find(this.#sampleFilter(filter)).sort({ name: 1 }).skip(skip);
          if (limit !== null) cursor.limit(limit);
          if (limit === 0) return [];
          return (await cursor.toArray()).map((d) => fromDoc<Sample>(d)!);
        }),
      count: (filter = {}) => this.#op(() => c.samples.countDocuments(this.#sampleFilter(filter))),
      update: (id, patch) =>
        this.#op(() =>
          this.#lock.run("samples", async () => {
            const { name, ...rest } = patch;
            const fields = checkSampleFields(rest, `Sample "${id}"`);
            const newName = name === undefined ? undefined : checkName(name);
            const old = await this.#sampleById(id);
            if (!old) throw new NotFoundError("sample", id);
            await checkSampleLinks(fields, id, `Sample "${old.name}"`, this.#sampleExists);
            const set: Record<string, unknown> = {
              ...encodeDocument(fields),
              updated_at: laterIso(old.updated_at),
            };
            if (newName !== undefined && newName !== old.name) {
              const other = await c.samples.findOne({ name: newName }, { projection: { _id: 1 } });
              if (other) throw nameTakenError(newName, other._id);
              set.name = newName;
            }
            try {
              await c.samples.updateOne({ _id: id }, { $set: set });
            } catch (error) {
              if (!isDuplicateKey(error)) throw error;
              const other = await c.samples.findOne({ name: newName });
              throw nameTakenError(newName!, other?._id ?? null);
            }
            return (await this.#sampleById(id))!;
          })
        ),
      addNote: (id, note) =>
        this.#op(() =>
          this.#lock.run("samples", async () => {
            const entry = makeNote(note);
            const r = await c.samples.updateOne({ _id: id }, {
              $push: { notes: entry } as Document,
              $set: { updated_at: nowIso() },
            });
            if (r.matchedCount === 0) throw new NotFoundError("sample", id);
            return entry;
          })
        ),
      delete: (id) =>
        this.#op(async () => {
          const sample = await this.#sampleById(id);
          if (!sample) throw new NotFoundError("sample", id);
          checkDeletable(sample, { tests: await c.tests.countDocuments({ sample_id: id }) });
          const linked = await c.samples.findOne({ $or: SAMPLE_LINKS.map((l) => ({ [l]: id })) });
          checkDeletable(sample, { linkedFrom: linked?.name as string | undefined });
          await c.samples.deleteOne({ _id: id });
        }),
    };
  }

  /**
   * Set or remove one test's contribution and recompute the sample's metrics from the stored
   * contributions (never from the tests). A revision counter makes concurrent writers retry
   * instead of overwriting each other's aggregates.
   */
  async #contribute(
    sampleId: string,
    testId: string,
    contribution: Contribution | null,
  ): Promise<void> {
    await this.#lock.run("samples", () => this.#contributeNow(sampleId, testId, contribution));
  }

  async #contributeNow(
    sampleId: string,
    testId: string,
    contribution: Contribution | null,
  ): Promise<void> {
    const key = `_contrib.${testId}`;
    const update = contribution
      ? { $set: { [key]: contribution }, $inc: { _rev: 1 } }
      : { $unset: { [key]: "" }, $inc: { _rev: 1 } };
    let doc = await this.#c.samples.findOneAndUpdate({ _id: sampleId }, update, {
      returnDocument: "after",
    });
    while (doc) {
      const metrics = aggregateMetrics(
        Object.values((doc._contrib ?? {}) as Record<string, Contribution>),
      );
      const r = await this.#c.samples.updateOne(
        { _id: sampleId, _rev: doc._rev },
        { $set: { metrics, updated_at: laterIso(doc.updated_at as string) } },
      );
      if (r.matchedCount === 1) return;
      doc = await this.#c.samples.findOne({ _id: sampleId });
    }
  }

  // ---------------------------------------------------------------- tests

  async #testById(id: string, withCycles = true): Promise<TestResult | null> {
    const doc = await this.#c.tests.findOne({ _id: id }, withCycles ? {} : LIGHT_TEST);
    const test = fromDoc<TestResult>(doc);
    return test ? lightened(currentTest(test), withCycles) : null;
  }

  /**
   * Claim file hashes for a test. A hash stored by another test is a `ConflictError` naming that
   * test and the writer that stored it; a hash claimed by a writer that is gone is taken over
   * (one writer wins, by an insert into `claim_takeovers`); a hash claimed by a live writer is
   * waited for (it commits, gives up or dies) for up to `claimWaitMs`. On any failure what this
   * call claimed is released.
   */
  async #claimHashes(hashes: string[], testId: string): Promise<void> {
    const claimed: string[] = [];
    const release = () =>
      this.#c.hashes.deleteMany({ _id: { $in: claimed }, test_id: testId }).catch(() => {});
    const me = this.#writer;
    const started = Date.now();
    try {
      for (const hash of hashes) {
        for (let attempt = 0;; attempt++) {
          const claim = {
            _id: hash,
            test_id: testId,
            owner: me.id,
            host: me.host,
            pid: me.pid,
            claimed_at: nowIso(),
          };
          try {
            await this.#c.hashes.insertOne(claim);
            claimed.push(hash);
            break;
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
          }
          const owner = await this.#c.hashes.findOne({ _id: hash });
          if (!owner) continue; // released meanwhile: claim again
          if (owner.test_id === testId) break;
          const holder = owner.owner === undefined
            ? null
            : writerLabel(owner as unknown as WriterIdentity);
          if (await this.#c.tests.countDocuments({ _id: owner.test_id as string }, { limit: 1 })) {
            throw hashTakenError(hash, owner.test_id as string, holder);
          }
          // Not committed: its writer is still storing it, or died doing so.
          const ownerId = (owner.owner as string | undefined) ?? null;
          const gone = ownerId === null
            ? Date.now() - Date.parse(owner.claimed_at as string) > this.#leaseMs * 4
            : (await this.#goneWriters([ownerId])).has(ownerId);
          if (gone) {
            const ticket = `${hash}:${ownerId}:${owner.claimed_at}`;
            const won = await this.#c.takeovers.insertOne({ _id: ticket, by: me.id, at: nowIso() })
              .then(() => true, (error) => {
                if (isDuplicateKey(error)) return false;
                throw error;
              });
            if (won) {
              await this.#c.hashes.replaceOne({ _id: hash, test_id: owner.test_id }, claim);
              claimed.push(hash);
              break;
            }
            continue;
          }
          if (Date.now() - started > this.#claimWaitMs) {
            throw new ConflictError(
              `File hash ${hash} is being stored by ${holder ?? "another writer"}`,
              owner.test_id as string,
            );
          }
          await delay(Math.min(50 * 2 ** Math.min(attempt, 5), 1000));
        }
      }
    } catch (error) {
      await release();
      throw error;
    }
  }

  async #insertChunks(testId: string, chunks: Chunk[], version: string): Promise<void> {
    const batch = 8;
    for (let i = 0; i < chunks.length; i += batch) {
      await this.#c.chunks.insertMany(
        chunks.slice(i, i + batch).map((c) => ({
          _id: chunkId(testId, version, c),
          test_id: testId,
          version,
          kind: c.kind,
          seq: c.seq,
          chunk: c.chunk,
          column: c.column,
          row_start: c.row_start,
          row_count: c.row_count,
          bytes: new Binary(c.bytes),
        })),
        { ordered: true },
      );
    }
  }

  /** The test documents a filter selects, sorted and paged, read with `projection`. */
  async #findTests(filter: TestFilter, projection: FindOptions): Promise<Doc[]> {
    const c = this.#c;
    const { limit, skip } = checkPage(filter);
    if (limit === 0) return [];
    const query = await this.#testFilter(filter);
    const key = filter.sort?.key;
    if (key === "sample" || key === "chemistry") {
      // The sample's fields are not in the test: sorted here, after the filter.
      const docs = await c.tests.find(query, projection).toArray();
      const samples = new Map(
        (await c.samples.find({ _id: { $in: [...new Set(docs.map((d) => d.sample_id))] } })
          .toArray()).map((d) => [d._id, d]),
      );
      const value = (d: Doc): string | null => {
        const v = samples.get(d.sample_id)?.[key === "sample" ? "name" : "chemistry"];
        return typeof v === "string" ? v.toLowerCase() : null;
      };
      const sign = filter.sort!.order === "desc" ? -1 : 1;
      const keyed = docs.map((d) => ({ d, v: value(d) }));
      keyed.sort((a, b) => {
        if (a.v !== b.v) {
          if (a.v === null || b.v === null) return a.v === null ? 1 : -1;
          return (a.v < b.v ? -1 : 1) * sign;
        }
        if (a.d._start !== b.d._start) return a.d._start < b.d._start ? -1 : 1;
        return a.d._id < b.d._id ? -1 : a.d._id > b.d._id ? 1 : 0;
      });
      return keyed.slice(skip, limit === null ? undefined : skip + limit).map(({ d }) => d);
    }
    const order = filter.sort?.order === "desc" ? -1 : 1;
    const sort = key
      ? { [`_kn.${key}`]: 1, [`_k.${key}`]: order, _start: 1, _id: 1 }
      : { _start: 1, created_at: 1, _id: 1 };
    const cursor = c.tests.find(query, projection).sort(sort as Record<string, 1 | -1>).skip(skip);
    if (limit !== null) cursor.limit(limit);
    return await cursor.toArray();
  }

  #testDoc(test: TestResult): Doc {
    return toDoc(test, {
      _start: test.start_time ?? NO_START,
      _end_time_s: lastCycleEnd(test.cycles),
      ...indexFields(test),
    });
  }

  async #testFilter(filter: TestFilter): Promise<Filter<Doc>> {
    const q: Filter<Doc> = {};
    for (
      const f of ["sample_id", "cell_code", "base_name", "name", "tester", "test_type"] as const
    ) {
      if (filter[f] !== undefined) q[f] = filter[f];
    }
    if (filter.sample_ids !== undefined) q.sample_id = { $in: filter.sample_ids };
    if (filter.sample_id !== undefined && filter.sample_ids !== undefined) {
      q.$and = [{ sample_id: filter.sample_id }, { sample_id: { $in: filter.sample_ids } }];
      delete q.sample_id;
    }
    const range: Record<string, string> = {};
    if (filter.started_from !== undefined) range.$gte = filter.started_from;
    if (filter.started_before !== undefined) range.$lt = filter.started_before;
    if (Object.keys(range).length) q.start_time = { ...range, $type: "string" } as never;
    if (filter.tags?.length) {
      q.$and = [...((q.$and as Filter<Doc>[]) ?? []), ...filter.tags.map((t) => ({ tags: t }))];
    }
    if (filter.any_tags?.length) {
      q.$and = [...((q.$and as Filter<Doc>[]) ?? []), { tags: { $in: filter.any_tags } }];
    }
    if (filter.exclude_tags?.length) {
      q.$and = [...((q.$and as Filter<Doc>[]) ?? []), { tags: { $nin: filter.exclude_tags } }];
    }
    // The stored analysis, free text: the index fields written with every test (indexFields).
    checkTestQuery(filter);
    const and: Filter<Doc>[] = [];
    if (filter.tester_any_case !== undefined) {
      and.push({ _tester_lc: filter.tester_any_case.toLowerCase() });
    }
    if (filter.protocol !== undefined) and.push({ _protocol: filter.protocol });
    if (filter.has_fade !== undefined) {
      and.push({ _has_fade: filter.has_fade ? true : { $ne: true } });
    }
    const last: Record<string, unknown> = {};
    if (filter.last_data_from !== undefined) last.$gte = Date.parse(filter.last_data_from);
    if (filter.last_data_before !== undefined) last.$lt = Date.parse(filter.last_data_before);
    if (Object.keys(last).length) {
      and.push({ "_k.last_data_time": { ...last, $type: "number" } });
    }
    if (filter.last_data_known !== undefined) {
      and.push({ "_kn.last_data_time": filter.last_data_known ? 0 : 1 });
    }
    if (filter.flags?.length) and.push({ _flags: { $all: filter.flags } });
    const OPS = { "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "=": "$eq" } as const;
    for (const c of filter.summary ?? []) {
      and.push({ [`_k.${c.field}`]: { [OPS[c.op]]: c.value, $type: "number" } });
    }
    const words = searchWords(filter.text);
    if (words.length) {
      const samples = await this.#c.samples.find({}, { projection: { name: 1, chemistry: 1 } })
        .toArray();
      for (const word of words) {
        const ids = samples.filter((d) =>
          String(d.name ?? "").toLowerCase().includes(word) ||
          String(d.chemistry ?? "").toLowerCase().includes(word)
        ).map((d) => d._id);
        and.push({
          $or: [{ _search: { $regex: escapeRegex(word) } }, { sample_id: { $in: ids } }],
        });
      }
    }
    if (and.length) q.$and = [...((q.$and as Filter<Doc>[]) ?? []), ...and];
    return q;
  }

  #testApi(): TestApi {
    const c = this.#c;
    const create = async (input: TestInput, data?: TestData): Promise<TestResult> => {
      const fields = completeTestInput(input, data?.series?.length ?? null);
      if (!(await this.#sampleExists(fields.sample_id))) {
        throw unknownSampleError(fields.name, fields.sample_id);
      }
      const encoded = encodeTestData(data, this.#chunkRows);
      const test = newTest(fields, encoded);
      const id = test.id;
      const hashes = testHashes(fields);
      const intent = `test:${encoded.version}`;
      await this.#intend(intent, {
        kind: "test",
        op: "create",
        test_id: id,
        version: encoded.version,
      });
      try {
        await this.#claimHashes(hashes, id);
        try {
          await this.#insertChunks(id, encoded.chunks, encoded.version);
          await c.tests.insertOne(this.#testDoc(test)); // commit point
        } catch (error) {
          // Undo; when the server is gone meanwhile, the intent stays for recovery.
          await c.chunks.deleteMany({ test_id: id, version: encoded.version });
          await c.hashes.deleteMany({ _id: { $in: hashes }, test_id: id });
          if (isDuplicateKey(error)) {
            const other = await c.tests.findOne({ file_hash: fields.file_hash });
            const claim = await c.hashes.findOne({ _id: fields.file_hash });
            throw hashTakenError(
              fields.file_hash,
              other?._id ?? null,
              claim?.owner ? writerLabel(claim as unknown as WriterIdentity) : null,
            );
          }
          throw error;
        }
      } catch (error) {
        if (!isConnectionFailure(error)) await this.#done(intent);
        throw error;
      }
      await this.#contribute(fields.sample_id, id, contributionOf(test));
      await this.#done(intent);
      return test;
    };
    const update = async (
      id: string,
      patch: Partial<TestFields>,
      data?: TestData,
    ): Promise<TestResult> => {
      const fields = checkTestFields(patch ?? {}, `Test "${id}"`);
      const old = await this.#testById(id);
      if (!old) throw new NotFoundError("test", id);
      if (fields.sample_id !== undefined && !(await this.#sampleExists(fields.sample_id))) {
        throw unknownSampleError(old.name, fields.sample_id);
      }
      const encoded = encodeTestData(data, this.#chunkRows);
      const next = nextTest(old, { fields, encoded });
      const oldHashes = testHashes(old);
      const newHashes = testHashes(next);
      const added = newHashes.filter((h) => !oldHashes.includes(h));
      const removed = oldHashes.filter((h) => !newHashes.includes(h));
      const intent = `test:${encoded.version}`;
      await this.#intend(intent, {
        kind: "test",
        op: "update",
        test_id: id,
        version: encoded.version,
      });
      try {
        await this.#claimHashes(added, id);
        try {
          await this.#insertChunks(id, encoded.chunks, encoded.version);
          // Commit point; `updated_at` guards against a concurrent update of the same test.
          const r = await c.tests.replaceOne(
            { _id: id, updated_at: old.updated_at },
            this.#testDoc(next),
          );
          if (r.matchedCount === 0) {
            throw new ConflictError(`Test "${old.name}" was changed by another writer; retry`, id);
          }
        } catch (error) {
          await c.chunks.deleteMany({ test_id: id, version: encoded.version });
          if (added.length) await c.hashes.deleteMany({ _id: { $in: added }, test_id: id });
          throw error;
        }
      } catch (error) {
        if (!isConnectionFailure(error)) await this.#done(intent);
        throw error;
      }
      const superseded = supersededVersions(old, next);
      if (superseded.length) {
        await c.chunks.deleteMany({ test_id: id, version: { $in: superseded } });
      }
      if (removed.length) await c.hashes.deleteMany({ _id: { $in: removed }, test_id: id });
      if (next.sample_id !== old.sample_id) await this.#contribute(old.sample_id, id, null);
      await this.#contribute(next.sample_id, id, contributionOf(next));
      await this.#done(intent);
      return next;
    };
    return {
      create: (input, data) => this.#op(() => create(input, data)),
      update: (id, patch, data) =>
        this.#op(() => this.#lock.run(`test:${id}`, () => update(id, patch, data))),
      get: (id) => this.#op(() => this.#testById(id)),
      getByHash: (sha256) =>
        this.#op(async () => {
          const claim = await c.hashes.findOne({ _id: String(sha256).toLowerCase() });
          return claim ? await this.#testById(claim.test_id as string) : null;
        }),
      find: (filter = {}) =>
        this.#op(async () => {
          const withCycles = !filter.without_cycles;
          return (await this.#findTests(filter, withCycles ? {} : LIGHT_TEST)).map((d) =>
            lightened(currentTest(fromDoc<TestResult>(d)!), withCycles)
          );
        }),
      list: (filter = {}) =>
        this.#op(async () => {
          const docs = await this.#findTests(filter, LISTED_TEST);
          // Tests written before `_end_time_s` existed: their cycles tell.
          const older = docs.filter((d) => d._end_time_s === undefined).map((d) => d._id);
          const ends = new Map<unknown, number | null>();
          if (older.length) {
            const found = c.tests.find({ _id: { $in: older } }, { projection: { cycles: 1 } });
            for (const d of await found.toArray()) {
              ends.set(d._id, lastCycleEnd((d.cycles as { end_time_s: number }[]) ?? []));
            }
          }
          return docs.map((d) => {
            const test = currentTest(fromDoc<TestResult>(d)!);
            const end = d._end_time_s === undefined ? ends.get(d._id) ?? null : d._end_time_s;
            return listingOf(test, end as number | null);
          });
        }),
      count: (filter = {}) =>
        this.#op(async () => c.tests.countDocuments(await this.#testFilter(filter))),
      stats: (filter = {}, options = {}) =>
        this.#op(async () => {
          const checked = checkStatsOptions(options);
          const docs = c.tests.find(await this.#testFilter(filter), {
            projection: statsProjection(checked),
          });
          return await mongoTestStats(docs, checked, async (ids) => {
            const found = await c.samples.find({ _id: { $in: ids } }, {
              projection: { chemistry: 1, form_factor: 1 },
            }).toArray();
            return new Map(found.map((d): [string, SampleFacets] => [d._id as string, {
              chemistry: typeof d.chemistry === "string" ? d.chemistry : null,
              form_factor: typeof d.form_factor === "string" ? d.form_factor : null,
            }]));
          });
        }),
      numbers: (filter, fields) =>
        this.#op(async () => {
          const checked = checkStatsOptions({ metrics: [...(fields ?? [])] }).metrics;
          const projection: Document = { _id: 1, sample_id: 1, _start: 1 };
          for (const f of checked) projection[`_k.${f}`] = 1;
          if (filter?.sort) projection[`_k.${filter.sort.key}`] = 1;
          return (await this.#findTests(filter ?? {}, { projection })).map((d) => ({
            id: d._id as string,
            sample_id: d.sample_id as string,
            values: Object.fromEntries(checked.map((f) => {
              const v = (d._k as Document | undefined)?.[f];
              return [f, typeof v === "number" && Number.isFinite(v) ? v : null];
            })),
          }));
        }),
      cellCodes: () =>
        this.#op(async () =>
          (await c.tests.distinct("cell_code"))
            .filter((v): v is string => typeof v === "string" && v !== "")
            .sort()
        ),
      addNote: (id, note) =>
        this.#op(() =>
          this.#lock.run(`test:${id}`, async () => {
            const entry = makeNote(note);
            const old = await c.tests.findOne({ _id: id }, { projection: { updated_at: 1 } });
            if (!old) throw new NotFoundError("test", id);
            await c.tests.updateOne({ _id: id }, {
              $push: { notes: entry } as Document,
              $set: { updated_at: laterIso(old.updated_at as string) },
            });
            return entry;
          })
        ),
      setTimestamps: (id, times) =>
        this.#op(() =>
          this.#lock.run(`test:${id}`, async () => {
            const { created_at, updated_at } = checkTimes(times);
            const r = await c.tests.updateOne({ _id: id }, { $set: { created_at, updated_at } });
            if (r.matchedCount === 0) throw new NotFoundError("test", id);
          })
        ),
      delete: (id) =>
        this.#op(() =>
          this.#lock.run(`test:${id}`, async () => {
            const test = await this.#testById(id, false);
            if (!test) throw new NotFoundError("test", id);
            const intent = `delete:${id}:${newId()}`;
            await this.#intend(intent, { kind: "test", op: "delete", test_id: id });
            await c.tests.deleteOne({ _id: id }); // commit point
            await c.chunks.deleteMany({ test_id: id });
            await c.hashes.deleteMany({ test_id: id });
            await c.raw.updateMany({ test_id: id }, { $set: { test_id: null } });
            await this.#contribute(test.sample_id, id, null);
            await this.#done(intent);
          })
        ),
    };
  }

  // ---------------------------------------------------------------- series & spectra

  /**
   * Chunks matching a query, in one round trip (MongoDB answers from the compound index).
   * FerretDB 1.24's SQLite backend scans the collection for any filter (even `_id`), which
   * makes MongoDB reads there slow for large series; measured in `bench/store_bench.ts`.
   */
  async #chunkDocs(query: Filter<Doc>): Promise<Chunk[]> {
    const docs = await this.#c.chunks.find(query).toArray();
    return docs.map((d) => ({
      kind: d.kind,
      seq: d.seq,
      chunk: d.chunk,
      column: d.column,
      row_start: d.row_start,
      row_count: d.row_count,
      bytes: (d.bytes as Binary).value(),
    }));
  }

  #seriesApi(): SeriesApi {
    return {
      write: async (testId: string, series: CyclingSeries) => {
        await this.tests.update(testId, {}, { series });
      },
      read: (testId: string, options: SeriesReadOptions = {}) =>
        this.#op(async () => {
          // A concurrent update may remove the chunks between reading the test and its chunks;
          // then the test document already points at the new version: read again.
          for (let attempt = 0;; attempt++) {
            const test = await this.#testById(testId, options.cycle !== undefined);
            if (!test) throw new NotFoundError("test", testId);
            const info = test.data.series;
            if (!info) return null;
            const rows = seriesRows(test, info, options);
            const [first, last] = chunkSpan(rows[0], rows[1], info.chunk_rows);
            const chunks = await this.#chunkDocs({
              test_id: testId,
              version: info.version,
              kind: "series",
              seq: 0,
              chunk: { $gte: first, $lte: last },
            });
            try {
              return decodeSeries(info, chunks, rows);
            } catch (error) {
              if (error instanceof MissingChunkError && attempt < 3) continue;
              throw error;
            }
          }
        }),
    };
  }

  #spectraApi(): SpectraApi {
    return {
      write: async (testId: string, spectra: Spectrum[]) => {
        await this.tests.update(testId, {}, { spectra });
      },
      read: (testId: string) =>
        this.#op(async () => {
          for (let attempt = 0;; attempt++) {
            const test = await this.#testById(testId, false);
            if (!test) throw new NotFoundError("test", testId);
            const infos = test.data.spectra;
            if (infos.length === 0) return [];
            const chunks = await this.#chunkDocs({
              test_id: testId,
              kind: "spectrum",
              version: { $in: [...new Set(infos.map((i) => i.version))] },
            });
            try {
              return infos.map((info, seq) =>
                decodeSpectrum(info, chunks.filter((c) => c.seq === seq))
              );
            } catch (error) {
              if (error instanceof MissingChunkError && attempt < 3) continue;
              throw error;
            }
          }
        }),
    };
  }

  // ---------------------------------------------------------------- raw files

  #rawFileApi(): RawFileApi {
    const c = this.#c;
    /** Upload bytes to GridFS; hashes them unless `sha256` (of exactly these bytes) is given. */
    const upload = async (
      id: string,
      bytes: {
        fileName: string;
        pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
        sha256: string | null;
      },
    ): Promise<{ sha256: string; size: number }> => {
      const { fileName, pieces } = bytes;
      const hash = bytes.sha256 === null ? sha256Stream() : null;
      let size = 0;
      const stream = this.#bucket.openUploadStreamWithId(
        ObjectId.createFromHexString(id),
        fileName,
      );
      const finished = new Promise<void>((resolve, reject) => {
        stream.once("finish", () => resolve());
        stream.once("error", reject);
      });
      // Observed here too: when writing fails first, nobody awaits `finished` (an unobserved
      // rejection would end the process).
      finished.catch(() => {});
      stream.on("error", () => {});
      try {
        for await (const piece of pieces) {
          hash?.update(piece);
          size += piece.length;
          if (!stream.write(piece)) {
            await new Promise<void>((resolve, reject) => {
              const onDrain = () => {
                stream.off("error", onError);
                resolve();
              };
              const onError = (error: unknown) => {
                stream.off("drain", onDrain);
                reject(error);
              };
              stream.once("drain", onDrain);
              stream.once("error", onError);
            });
          }
        }
        stream.end();
        await finished;
      } catch (error) {
        await stream.abort().catch(() => {});
        throw error;
      }
      return { sha256: hash?.digest("hex") ?? bytes.sha256!, size };
    };
    const removeBytes = async (id: string): Promise<void> => {
      try {
        await this.#bucket.delete(ObjectId.createFromHexString(id));
      } catch (error) {
        if (!/not found/i.test((error as Error).message)) throw error;
      }
    };
    const put = async (
      input: Uint8Array | ReadableStream<Uint8Array> | PackedRawFile,
      raw: RawFileInput,
    ): Promise<Upserted<RawDataFile>> => {
      const { fields, sha256: given } = completeRawFileInput(raw);
      if (
        !(input instanceof Uint8Array) && !(input instanceof ReadableStream) && !isPackedRaw(input)
      ) {
        throw new TypeError(
          "rawFiles.put: bytes must be a Uint8Array, a ReadableStream or a packed raw file",
        );
      }
      if (input instanceof Uint8Array && given !== null) {
        // Known bytes are not compressed again.
        const existing = await c.raw.findOne({ sha256: given });
        if (existing) return { doc: fromDoc<RawDataFile>(existing)!, created: false };
      }
      // Bytes in memory are packed here (hashed, compressed in pieces of 1 MiB when they
      // compress); a stream is packed as it is read, below.
      const packed = input instanceof Uint8Array
        ? packRaw(input)
        : isPackedRaw(input)
        ? input
        : null;
      let known: string | null = null;
      if (packed) {
        known = packed.sha256;
        const existing = await c.raw.findOne({ sha256: known });
        if (existing) return { doc: fromDoc<RawDataFile>(existing)!, created: false };
      }
      const bytes = input as ReadableStream<Uint8Array>;
      let streamEncoding: "zstd" | null = null;
      const id = newId();
      // Intent, bytes, then the description (the commit point); a duplicate removes the bytes.
      // A writer that dies midway leaves the intent, and recovery removes the pieces.
      const intent = `raw:${id}`;
      await this.#intend(intent, { kind: "raw", raw_id: id });
      try {
        // GridFS holds compressed pieces each with its length in front (see raw_codec.ts),
        // or the bytes as they are (files that do not compress, and older files).
        let sha256: string, size: number, encoding: "zstd" | null;
        if (packed) {
          await upload(id, {
            fileName: fields.file_name,
            pieces: packed.encoding ? packed.pieces.map(framePiece) : packed.pieces,
            sha256: known,
          });
          ({ sha256, size, encoding } = packed);
        } else {
          const verify = sha256Stream();
          let total = 0;
          const hashed = async function* (): AsyncGenerator<Uint8Array> {
            for await (const piece of rechunk(bytes, RAW_PIECE_BYTES)) {
              verify.update(piece);
              total += piece.length;
              yield piece;
            }
          };
          const source = hashed();
          const framed = async function* (): AsyncGenerator<Uint8Array> {
            let first = true;
            for await (const piece of source) {
              if (first) {
                const small = compressPiece(piece);
                streamEncoding = small.length <= 0.9 * piece.length ? "zstd" : null;
                first = false;
                yield streamEncoding ? framePiece(small) : piece;
              } else yield streamEncoding ? framePiece(compressPiece(piece)) : piece;
            }
          };
          await upload(id, { fileName: fields.file_name, pieces: framed(), sha256: "" });
          sha256 = verify.digest("hex");
          size = total;
          encoding = streamEncoding;
        }
        if (given !== null && sha256 !== given) {
          await removeBytes(id);
          throw new RangeError(
            `Raw file "${fields.file_name}": sha256 ${given} does not match the bytes (${sha256})`,
          );
        }
        const file: RawDataFile = {
          id,
          ...fields,
          sha256,
          size_bytes: size,
          uploaded_at: nowIso(),
        };
        if (encoding) file.encoding = encoding;
        try {
          await c.raw.insertOne(toDoc(file));
        } catch (error) {
          await removeBytes(id);
          if (!isDuplicateKey(error)) throw error;
          await this.#done(intent);
          const existing = await c.raw.findOne({ sha256 });
          return { doc: fromDoc<RawDataFile>(existing)!, created: false };
        }
        return { doc: file, created: true }; // the caller forgets the intent
      } catch (error) {
        if (isConnectionFailure(error)) throw error; // the intent stays for recovery
        await removeBytes(id).catch(() => {});
        await this.#done(intent);
        throw error;
      }
    };
    const putDone = async (
      bytes: Uint8Array | ReadableStream<Uint8Array> | PackedRawFile,
      raw: RawFileInput,
    ): Promise<Upserted<RawDataFile>> => {
      const result = await put(bytes, raw);
      if (result.created) await this.#done(`raw:${result.doc.id}`);
      return result;
    };
    const open = async (id: string): Promise<ReadableStream<Uint8Array>> => {
      const file = await c.raw.findOne({ _id: id });
      if (!file) throw new NotFoundError("raw file", id);
      const stored = fromDoc<RawDataFile>(file)!;
      const download = this.#bucket.openDownloadStream(ObjectId.createFromHexString(id));
      const translate = (error: unknown) => this.#translate(error);
      async function* downloaded(): AsyncGenerator<Uint8Array> {
        try {
          for await (const piece of download) {
            yield new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
          }
        } catch (error) {
          throw translate(error);
        }
      }
      // Decompressed (when stored compressed) and checked against size and SHA-256: a damaged
      // archive errors the stream instead of ending it.
      async function* pieces(): AsyncGenerator<Uint8Array> {
        const verify = new RawVerifier(stored);
        const encoding = stored.encoding ?? null;
        const source = encoding ? unframePieces(downloaded(), id) : downloaded();
        for await (const piece of source) {
          const bytes = decodePiece(piece, encoding);
          verify.update(bytes);
          if (bytes.length > 0) yield bytes;
        }
        verify.finish();
      }
      return ReadableStream.from(pieces());
    };
    return {
      put: (bytes, input) => this.#op(() => putDone(bytes, input)),
      get: (id) => this.#op(async () => fromDoc<RawDataFile>(await c.raw.findOne({ _id: id }))),
      getByHash: (sha256) =>
        this.#op(async () =>
          fromDoc<RawDataFile>(await c.raw.findOne({ sha256: String(sha256).toLowerCase() }))
        ),
      find: (filter: RawFileFilter = {}) =>
        this.#op(async () => {
          const { limit, skip } = checkPage(filter);
          if (limit === 0) return [];
          const q: Filter<Doc> = {};
          for (const f of ["test_id", "sample_id", "import_job_id", "operator"] as const) {
            if (filter[f] !== undefined) q[f] = filter[f];
          }
          if (filter.tags?.length) q.$and = filter.tags.map((t) => ({ tags: t }));
          const cursor = c.raw.find(q).sort({ uploaded_at: -1, _id: -1 }).skip(skip);
          if (limit !== null) cursor.limit(limit);
          return (await cursor.toArray()).map((d) => fromDoc<RawDataFile>(d)!);
        }),
      open: (id) => this.#op(() => open(id)),
      read: (id) =>
        this.#op(async () => {
          const stream = await open(id);
          const pieces: Uint8Array[] = [];
          let size = 0;
          for await (const piece of stream) {
            pieces.push(piece);
            size += piece.length;
          }
          const out = new Uint8Array(size);
          let at = 0;
          for (const piece of pieces) {
            out.set(piece, at);
            at += piece.length;
          }
          return out;
        }),
      update: (id, patch: RawFilePatch) =>
        this.#op(async () => {
          const fields = checkRawFilePatch(patch ?? {}, `Raw file "${id}"`);
          const r = await c.raw.findOneAndUpdate({ _id: id }, { $set: encodeDocument(fields) }, {
            returnDocument: "after",
          });
          if (!r) throw new NotFoundError("raw file", id);
          return fromDoc<RawDataFile>(r)!;
        }),
      delete: (id) =>
        this.#op(async () => {
          const intent = `raw:${id}:delete:${newId()}`;
          await this.#intend(intent, { kind: "raw", raw_id: id, op: "delete" });
          const r = await c.raw.deleteOne({ _id: id });
          if (r.deletedCount === 0) {
            await this.#done(intent);
            throw new NotFoundError("raw file", id);
          }
          await removeBytes(id);
          await this.#done(intent);
        }),
    };
  }

  // ---------------------------------------------------------------- jobs

  #jobApi(): JobApi {
    const c = this.#c;
    const files = async (id: string) =>
      (await c.jobFiles.find({ job_id: id }).sort({ n: 1 }).toArray()).map((d) => ({
        path: d.path,
        sha256: d.sha256,
        action: d.action,
        test_id: d.test_id,
        error: d.error,
        at: d.at,
      }));
    /** Running jobs whose writer is gone, seen as what they are: interrupted. */
    const truthful = async (jobs: ImportJob[]): Promise<ImportJob[]> => {
      const owners = jobs.filter((j) => j.status === "running" && j.owner).map((j) => j.owner!.id);
      if (owners.length === 0) return jobs;
      const gone = await this.#goneWriters(owners);
      for (const job of jobs) {
        if (job.status !== "running" || !job.owner || !gone.has(job.owner.id)) continue;
        if (!this.#readOnly) await this.#interruptJob(job.id, job.owner);
        markInterrupted(job);
      }
      return jobs;
    };
    const get = async (id: string): Promise<ImportJob | null> => {
      const job = fromDoc<ImportJob>(await c.jobs.findOne({ _id: id }));
      if (!job) return null;
      await truthful([job]);
      job.files = await files(id);
      return job;
    };
    const owner = (): JobOwner => ({ ...this.#writer });
    return {
      start: (input) =>
        this.#op(async () => {
          await this.#register();
          const job = { ...newJob(input), owner: owner() };
          const { files: _, ...doc } = job;
          await c.jobs.insertOne(toDoc(doc));
          return job;
        }),
      resume: (id) =>
        this.#op(() =>
          this.#lock.run(`job:${id}`, async () => {
            await this.#register();
            const job = await get(id);
            if (!job) throw new NotFoundError("import job", id);
            checkResumable(job, this.#writer.id);
            await this.#recount(job);
            const now = laterIso(job.updated_at);
            const r = await c.jobs.updateOne({ _id: id, status: job.status }, {
              $set: {
                status: "running",
                finished_at: null,
                updated_at: now,
                owner: owner(),
                counts: job.counts,
                errors: job.errors,
              },
            });
            if (r.matchedCount === 0) {
              throw new ConflictError(`Import job "${id}" was resumed by another writer`, id);
            }
            return {
              ...job,
              status: "running",
              finished_at: null,
              updated_at: now,
              owner: owner(),
            };
          })
        ),
      record: (id, outcome) =>
        this.#op(() =>
          this.#lock.run(`job:${id}`, async () => {
            const entry = checkOutcome(outcome);
            const existing = fromDoc<ImportJob>(await c.jobs.findOne({ _id: id }));
            if (!existing) throw new NotFoundError("import job", id);
            if (existing.status !== "running") applyOutcome(existing, entry); // throws
            // The outcome first, then the counters: a writer that dies in between leaves an
            // outcome the counters miss, and `recount` (on interrupt, resume and finish)
            // restores them from the outcomes.
            const n = existing.counts.processed + 1;
            await c.jobFiles.insertOne({ job_id: id, n, ...entry });
            const update: Document = {
              $inc: { "counts.processed": 1, [`counts.${entry.action}`]: 1 },
              $set: { updated_at: nowIso() },
            };
            if (entry.action === "failed") {
              update.$push = { errors: `${entry.path}: ${entry.error ?? "failed"}` };
            }
            await c.jobs.updateOne({ _id: id, status: "running" }, update);
          })
        ),
      addError: (id, message) =>
        this.#op(() =>
          this.#lock.run(`job:${id}`, async () => {
            const r = await c.jobs.updateOne({ _id: id }, {
              $push: { errors: String(message) } as Document,
              $set: { updated_at: nowIso() },
            });
            if (r.matchedCount === 0) throw new NotFoundError("import job", id);
          })
        ),
      finish: (id, options = {}) =>
        this.#op(() =>
          this.#lock.run(`job:${id}`, async () => {
            const job = fromDoc<ImportJob>(await c.jobs.findOne({ _id: id }));
            if (!job) throw new NotFoundError("import job", id);
            await this.#recount(job);
            finishJob(job, options.status);
            const r = await c.jobs.updateOne({ _id: id, status: "running" }, {
              $set: {
                status: job.status,
                finished_at: job.finished_at,
                updated_at: job.updated_at,
                counts: job.counts,
                errors: job.errors,
              },
            });
            if (r.matchedCount === 0) {
              throw new ConflictError(`Import job "${id}" was finished by another writer`, id);
            }
            return (await get(id))!;
          })
        ),
      get: (id) => this.#op(() => get(id)),
      list: (options: Page & { status?: JobStatus } = {}) =>
        this.#op(async () => {
          const { limit, skip } = checkPage(options);
          if (limit === 0) return [];
          const q: Filter<Doc> = options.status !== undefined ? { status: options.status } : {};
          const cursor = c.jobs.find(q).sort({ started_at: -1, _id: -1 }).skip(skip);
          if (limit !== null) cursor.limit(limit);
          const jobs = await truthful(
            (await cursor.toArray()).map((d) => ({ ...fromDoc<ImportJob>(d)!, files: [] })),
          );
          return options.status === undefined
            ? jobs
            : jobs.filter((j) => j.status === options.status);
        }),
    };
  }

  // ---------------------------------------------------------------- datasets

  #datasetApi(): DatasetApi {
    const c = this.#c;
    const latest = async (code: string): Promise<CellDataset | null> =>
      fromDoc<CellDataset>(
        await c.datasets.findOne({ cell_code: code }, { sort: { version: -1 } }),
      );
    return {
      put: (input: CellDatasetInput, options = {}) =>
        this.#op(async () => {
          const content = checkDatasetInput(input);
          const previous = await latest(content.cell_code);
          checkExpectedPrevious(content.cell_code, previous, options.expected_previous_id);
          const dataset = newDataset(content, previous);
          try {
            await c.datasets.insertOne(toDoc(dataset));
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
            throw new ConflictError(
              `Cell dataset "${content.cell_code}" version ${dataset.version} was written by another writer`,
            );
          }
          return dataset;
        }),
      latest: (code) => this.#op(() => latest(code)),
      get: (id) =>
        this.#op(async () => fromDoc<CellDataset>(await c.datasets.findOne({ _id: id }))),
      versions: (code) =>
        this.#op(async () =>
          (await c.datasets.find({ cell_code: code }).sort({ version: -1 }).toArray())
            .map((d) => fromDoc<CellDataset>(d)!)
        ),
      count: () => this.#op(async () => (await c.datasets.distinct("cell_code")).length),
    };
  }
}

/** Resolve after `ms` milliseconds. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Fields kept beside a test's document for queries (stripped on read, like every `_` field):
 * lower-case tester and free-text search text, the analysis's protocol and flags, and per sort
 * key its value (`_k`) and whether it is missing (`_kn`, 1 = missing: sorted last).
 */
function indexFields(test: TestResult): Record<string, unknown> {
  const s = test.analysis?.summary ?? null;
  const k: Record<string, string | number | null> = {
    start_time: test.start_time,
    name: test.name.toLowerCase(),
    tester: test.tester.toLowerCase(),
    test_type: test.test_type,
    cell_code: test.cell_code || null,
    protocol: s?.protocol ?? null,
    flag_count: s ? s.flag_codes.length : null,
    last_data_time: lastDataMs(test.start_time, lastCycleEnd(test.cycles)),
    random: randomKey(test.id),
  };
  for (const f of SUMMARY_NUMBER_FIELDS) {
    const v = s?.[f];
    k[f] = typeof v === "number" && Number.isFinite(v) ? v : null;
  }
  return {
    _tester_lc: test.tester.toLowerCase(),
    _search: testSearchText(test),
    _protocol: s?.protocol ?? null,
    _flags: s ? [...s.flag_codes] : [],
    _has_fade: hasFade(test),
    _k: k,
    _kn: Object.fromEntries(Object.entries(k).map(([key, v]) => [key, v === null ? 1 : 0])),
  };
}

/** `text` as a regular expression matching itself. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
