// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The shared-lab store: MongoDB through the official driver. Only features FerretDB 1.24 also
 * has are used (CRUD, unique indexes, GridFS, simple aggregation); there are no multi-document
 * transactions, so a test and its data are written in commit-point order instead: chunks under
 * a new version id first, then the test document (the commit point), then superseded chunks are
 * removed. Readers always go through the test document, so they never see half a test.
 *
 * @module
 */

import {
  Binary,
  type Collection,
  type Db,
  type Document,
  type Filter,
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
import { SAMPLE_LINKS } from "./documents.ts";
import type {
  DatasetApi,
  JobApi,
  Page,
  RawFileApi,
  RawFileFilter,
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
import { redactText, redactUri, uriSecrets } from "./_redact.ts";
import { rechunk, sha256Hex, sha256Stream } from "./_sha256.ts";
import { decodeKeys, encodeKeys } from "./_keys.ts";
import { KeyedLock } from "./_keyed_lock.ts";

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
}

/** A document as stored: string `_id` plus fields. */
interface Doc extends Document {
  _id: string;
}

/** A claim of a file hash by a test, stale after this long when the test never appeared. */
const STALE_CLAIM_MS = 10 * 60 * 1000;
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
  return decodeKeys(out) as T;
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
  return { _id: id, ...encodeKeys(rest), ...extra };
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
  };
  readonly #bucket: GridFSBucket;
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
      await client.connect();
      await client.db(dbName).command({ ping: 1 });
      const store = new MongoStore(client, { ...options, source }, secrets);
      await store.#createIndexes();
      return store;
    } catch (cause) {
      await client?.close().catch(() => {});
      const reason = redactText((cause as Error)?.message ?? String(cause), secrets);
      throw new StoreConnectionError(`Cannot connect to ${where}: ${reason}`);
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
    this.#closed = true;
    await this.#client.close();
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
        if (hasChanges) update.$set = { ...encodeKeys(set), updated_at: now };
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
              ...encodeKeys(fields),
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

  /** Claim file hashes for a test; on a conflict release what was claimed and throw. */
  async #claimHashes(hashes: string[], testId: string): Promise<void> {
    const claimed: string[] = [];
    const release = () => this.#c.hashes.deleteMany({ _id: { $in: claimed }, test_id: testId });
    for (const hash of hashes) {
      const now = nowIso();
      try {
        await this.#c.hashes.insertOne({ _id: hash, test_id: testId, claimed_at: now });
        claimed.push(hash);
        continue;
      } catch (error) {
        if (!isDuplicateKey(error)) {
          await release();
          throw error;
        }
      }
      const owner = await this.#c.hashes.findOne({ _id: hash });
      if (owner?.test_id === testId) continue;
      const alive = owner
        ? await this.#c.tests.countDocuments({ _id: owner.test_id as string }, { limit: 1 })
        : 0;
      if (owner && !alive && Date.now() - Date.parse(owner.claimed_at as string) > STALE_CLAIM_MS) {
        // Left behind by a writer that died between claiming and committing.
        const r = await this.#c.hashes.updateOne(
          { _id: hash, test_id: owner.test_id as string },
          { $set: { test_id: testId, claimed_at: now } },
        );
        if (r.matchedCount === 1) {
          claimed.push(hash);
          continue;
        }
      }
      await release();
      if (alive) throw hashTakenError(hash, owner!.test_id as string);
      throw new ConflictError(
        `File hash ${hash} is being stored by another writer`,
        (owner?.test_id as string) ?? null,
      );
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

  #testDoc(test: TestResult): Doc {
    return toDoc(test, { _start: test.start_time ?? NO_START });
  }

  #testFilter(filter: TestFilter): Filter<Doc> {
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
      await this.#claimHashes(hashes, id);
      try {
        await this.#insertChunks(id, encoded.chunks, encoded.version);
        await c.tests.insertOne(this.#testDoc(test)); // commit point
      } catch (error) {
        await c.chunks.deleteMany({ test_id: id, version: encoded.version });
        await c.hashes.deleteMany({ _id: { $in: hashes }, test_id: id });
        if (isDuplicateKey(error)) {
          const other = await c.tests.findOne({ file_hash: fields.file_hash });
          throw hashTakenError(fields.file_hash, other?._id ?? null);
        }
        throw error;
      }
      await this.#contribute(fields.sample_id, id, contributionOf(test));
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
      const superseded = supersededVersions(old, next);
      if (superseded.length) {
        await c.chunks.deleteMany({ test_id: id, version: { $in: superseded } });
      }
      if (removed.length) await c.hashes.deleteMany({ _id: { $in: removed }, test_id: id });
      if (next.sample_id !== old.sample_id) await this.#contribute(old.sample_id, id, null);
      await this.#contribute(next.sample_id, id, contributionOf(next));
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
          const { limit, skip } = checkPage(filter);
          if (limit === 0) return [];
          const withCycles = !filter.without_cycles;
          const cursor = c.tests.find(this.#testFilter(filter), withCycles ? {} : LIGHT_TEST)
            .sort({ _start: 1, created_at: 1, _id: 1 }).skip(skip);
          if (limit !== null) cursor.limit(limit);
          return (await cursor.toArray()).map((d) =>
            lightened(currentTest(fromDoc<TestResult>(d)!), withCycles)
          );
        }),
      count: (filter = {}) => this.#op(() => c.tests.countDocuments(this.#testFilter(filter))),
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
            await c.tests.deleteOne({ _id: id }); // commit point
            await c.chunks.deleteMany({ test_id: id });
            await c.hashes.deleteMany({ test_id: id });
            await c.raw.updateMany({ test_id: id }, { $set: { test_id: null } });
            await this.#contribute(test.sample_id, id, null);
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
      bytes: Uint8Array | ReadableStream<Uint8Array>,
      raw: RawFileInput,
    ): Promise<Upserted<RawDataFile>> => {
      const { fields, sha256: given } = completeRawFileInput(raw);
      if (!(bytes instanceof Uint8Array) && !(bytes instanceof ReadableStream)) {
        throw new TypeError("rawFiles.put: bytes must be a Uint8Array or a ReadableStream");
      }
      let known: string | null = null;
      if (bytes instanceof Uint8Array) {
        known = given ?? sha256Hex(bytes);
        const existing = await c.raw.findOne({ sha256: known });
        if (existing) return { doc: fromDoc<RawDataFile>(existing)!, created: false };
      }
      const id = newId();
      // Bytes first, then the description (the commit point); a duplicate removes the bytes.
      const { sha256, size } = await upload(id, {
        fileName: fields.file_name,
        pieces: bytes instanceof Uint8Array
          ? [bytes.subarray(0)]
          : rechunk(bytes as ReadableStream<Uint8Array>, GRIDFS_CHUNK_BYTES),
        sha256: known,
      });
      if (given !== null && sha256 !== given) {
        await removeBytes(id);
        throw new RangeError(
          `Raw file "${fields.file_name}": sha256 ${given} does not match the bytes (${sha256})`,
        );
      }
      const file: RawDataFile = { id, ...fields, sha256, size_bytes: size, uploaded_at: nowIso() };
      try {
        await c.raw.insertOne(toDoc(file));
      } catch (error) {
        await removeBytes(id);
        if (!isDuplicateKey(error)) throw error;
        const existing = await c.raw.findOne({ sha256 });
        return { doc: fromDoc<RawDataFile>(existing)!, created: false };
      }
      return { doc: file, created: true };
    };
    const open = async (id: string): Promise<ReadableStream<Uint8Array>> => {
      const file = await c.raw.findOne({ _id: id });
      if (!file) throw new NotFoundError("raw file", id);
      const download = this.#bucket.openDownloadStream(ObjectId.createFromHexString(id));
      const translate = (error: unknown) => this.#translate(error);
      async function* pieces(): AsyncGenerator<Uint8Array> {
        try {
          for await (const piece of download) {
            yield new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
          }
        } catch (error) {
          throw translate(error);
        }
      }
      return ReadableStream.from(pieces());
    };
    return {
      put: (bytes, input) => this.#op(() => put(bytes, input)),
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
          const r = await c.raw.findOneAndUpdate({ _id: id }, { $set: encodeKeys(fields) }, {
            returnDocument: "after",
          });
          if (!r) throw new NotFoundError("raw file", id);
          return fromDoc<RawDataFile>(r)!;
        }),
      delete: (id) =>
        this.#op(async () => {
          const r = await c.raw.deleteOne({ _id: id });
          if (r.deletedCount === 0) throw new NotFoundError("raw file", id);
          await removeBytes(id);
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
    const get = async (id: string): Promise<ImportJob | null> => {
      const job = fromDoc<ImportJob>(await c.jobs.findOne({ _id: id }));
      if (job) job.files = await files(id);
      return job;
    };
    return {
      start: (input) =>
        this.#op(async () => {
          const job = newJob(input);
          const { files: _, ...doc } = job;
          await c.jobs.insertOne(toDoc(doc));
          return job;
        }),
      record: (id, outcome) =>
        this.#op(() =>
          this.#lock.run(`job:${id}`, async () => {
            const entry = checkOutcome(outcome);
            const update: Document = {
              $inc: { "counts.processed": 1, [`counts.${entry.action}`]: 1 },
              $set: { updated_at: nowIso() },
            };
            if (entry.action === "failed") {
              update.$push = { errors: `${entry.path}: ${entry.error ?? "failed"}` };
            }
            const job = await c.jobs.findOneAndUpdate({ _id: id, status: "running" }, update, {
              returnDocument: "after",
            });
            if (!job) {
              const existing = fromDoc<ImportJob>(await c.jobs.findOne({ _id: id }));
              if (!existing) throw new NotFoundError("import job", id);
              applyOutcome(existing, entry); // throws: not running
              return;
            }
            const n = (job.counts as ImportJob["counts"]).processed;
            await c.jobFiles.insertOne({ job_id: id, n, ...entry });
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
            finishJob(job, options.status);
            const r = await c.jobs.updateOne({ _id: id, status: "running" }, {
              $set: {
                status: job.status,
                finished_at: job.finished_at,
                updated_at: job.updated_at,
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
          return (await cursor.toArray()).map((d) => ({ ...fromDoc<ImportJob>(d)!, files: [] }));
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
