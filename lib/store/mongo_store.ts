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
 * The collections live in `_mongo_samples.ts`, `_mongo_tests.ts`, `_mongo_raw_files.ts`,
 * `_mongo_jobs.ts` and `_mongo_datasets.ts`, the recovery in `_mongo_recovery.ts`, over the
 * database and writer of `_mongo_db.ts`; series and spectra are read by the shared
 * `_chunked_data.ts`.
 *
 * @module
 */

import type {
  DatasetApi,
  JobApi,
  RawFileApi,
  RecoveryReport,
  SampleApi,
  SeriesApi,
  SpectraApi,
  Store,
  StoreDescription,
  TestApi,
} from "./store.ts";
import { type ChunkReader, seriesApi, spectraApi } from "./_chunked_data.ts";
import { MongoDb, type MongoStoreOptions } from "./_mongo_db.ts";
import { mongoDatasets } from "./_mongo_datasets.ts";
import { MongoJobs } from "./_mongo_jobs.ts";
import { MongoRawFiles } from "./_mongo_raw_files.ts";
import { MongoRecovery } from "./_mongo_recovery.ts";
import { MongoSamples } from "./_mongo_samples.ts";
import { MongoTests } from "./_mongo_tests.ts";

export type { MongoStoreOptions } from "./_mongo_db.ts";

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
  readonly #db: MongoDb;
  readonly #recovery: MongoRecovery;

  /**
   * Connect, check the server answers (failing fast), and create the indexes.
   *
   * @param options Connection string, database and chunk size.
   * @returns The open store.
   */
  static async connect(options: MongoStoreOptions): Promise<MongoStore> {
    const store = new MongoStore(await MongoDb.connect(options));
    try {
      if (!store.#db.readOnly) {
        await store.#db.op(() => store.#db.createIndexes());
        await store.recover();
      }
      return store;
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  }

  private constructor(db: MongoDb) {
    this.#db = db;
    const samples = new MongoSamples(db);
    const tests = new MongoTests(db, samples);
    const jobs = new MongoJobs(db);
    this.#recovery = new MongoRecovery(db, { tests, jobs });
    this.samples = samples.api();
    this.tests = tests.api();
    const reader: ChunkReader = {
      test: (id, withCycles) => db.op(() => tests.byId(id, withCycles)),
      chunks: (id, query) => db.op(() => tests.chunks(id, query)),
      update: this.tests.update,
    };
    this.series = seriesApi(reader);
    this.spectra = spectraApi(reader);
    this.rawFiles = new MongoRawFiles(db).api();
    this.jobs = jobs.api();
    this.datasets = mongoDatasets(db);
  }

  describe(): StoreDescription {
    return this.#db.describe();
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  /** Drop the whole database (used by tests to clean up). */
  dropDatabase(): Promise<void> {
    return this.#db.dropDatabase();
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
    return this.#recovery.recover();
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
    return this.#recovery.repair();
  }
}
