// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The embedded store: one SQLite file (or `:memory:`) through `node:sqlite`, in WAL mode, every
 * multi-row write in one transaction. Documents are JSON with their queried fields copied into
 * indexed columns; series, spectra and raw bytes are BLOB chunks. The collections live in
 * `_sqlite_samples.ts`, `_sqlite_tests.ts`, `_sqlite_raw_files.ts`, `_sqlite_jobs.ts` and
 * `_sqlite_datasets.ts` over the database of `_sqlite_db.ts`; series and spectra are read by the
 * shared `_chunked_data.ts`.
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
import { SqliteDb, type SqliteStoreOptions } from "./_sqlite_db.ts";
import { sqliteDatasets } from "./_sqlite_datasets.ts";
import { SqliteJobs } from "./_sqlite_jobs.ts";
import { SqliteRawFiles } from "./_sqlite_raw_files.ts";
import { SqliteSamples } from "./_sqlite_samples.ts";
import { SqliteTests } from "./_sqlite_tests.ts";

export { SQLITE_SCHEMA_VERSION, type SqliteStoreOptions } from "./_sqlite_db.ts";

/**
 * A {@link Store} in one SQLite database.
 *
 * @example Usage
 * ```ts
 * import { SqliteStore } from "./sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const { doc: cell, created } = await store.samples.upsert({ name: "CN1", chemistry: "NMC" });
 * equal(created, true);
 * equal((await store.samples.getByName("CN1"))?.id, cell.id);
 * equal(store.describe().kind, "memory");
 * await store.close();
 * ```
 */
export class SqliteStore implements Store {
  readonly samples: SampleApi;
  readonly tests: TestApi;
  readonly series: SeriesApi;
  readonly spectra: SpectraApi;
  readonly rawFiles: RawFileApi;
  readonly jobs: JobApi;
  readonly datasets: DatasetApi;
  readonly #db: SqliteDb;
  readonly #tests: SqliteTests;
  readonly #jobs: SqliteJobs;

  /**
   * Open (creating when needed) a SQLite store and bring its schema up to date.
   *
   * @param options Path and chunk size.
   * @returns The open store.
   */
  static open(options: SqliteStoreOptions): Promise<SqliteStore> {
    try {
      return Promise.resolve(new SqliteStore(options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private constructor(options: SqliteStoreOptions) {
    let jobs: SqliteJobs | null = null;
    const db = new SqliteDb(options, (opened) => {
      // On open, running jobs whose writer is gone become interrupted.
      jobs = new SqliteJobs(opened);
      jobs.recover();
    });
    this.#db = db;
    this.#jobs = jobs ?? new SqliteJobs(db);
    const samples = new SqliteSamples(db);
    const tests = new SqliteTests(db, samples);
    this.#tests = tests;
    this.samples = samples.api();
    this.tests = tests.api();
    const reader: ChunkReader = {
      test: (id, withCycles) => db.async(() => tests.byId(id, withCycles)),
      chunks: (id, query) => db.async(() => tests.chunks(id, query)),
      update: this.tests.update,
    };
    this.series = seriesApi(reader);
    this.spectra = spectraApi(reader);
    this.rawFiles = new SqliteRawFiles(db).api();
    this.jobs = this.#jobs.api();
    this.datasets = sqliteDatasets(db);
  }

  describe(): StoreDescription {
    return this.#db.describe();
  }

  close(): Promise<void> {
    this.#jobs.stop();
    this.#db.close();
    return Promise.resolve();
  }

  /** Schema version recorded in the database (for tests and `migrate`). */
  schemaVersion(): number {
    return this.#db.schemaVersion();
  }

  /**
   * Look through the whole store for what crashed writers or earlier versions left behind:
   * raw-file pieces without a description, chunks of no test or of a superseded version, hash
   * claims without a test, jobs left running (with a writer that is gone, or without a writer
   * and unchanged for an hour). SQLite writes each test in one transaction, so normally there
   * is nothing but jobs to fix.
   *
   * @returns What was cleaned up.
   */
  repair(): Promise<RecoveryReport> {
    return this.#db.async(() => {
      const report: RecoveryReport = {
        pending_writes: 0,
        jobs_interrupted: this.#jobs.recover(),
        claims_released: 0,
        chunks_removed: 0,
        raw_files_removed: 0,
      };
      this.#db.tx(() => {
        report.raw_files_removed = this.#db.run(
          "DELETE FROM raw_chunks WHERE file_id NOT IN (SELECT id FROM raw_files)",
        );
        report.claims_released = this.#db.run(
          "DELETE FROM test_hashes WHERE test_id NOT IN (SELECT id FROM tests)",
        );
        const chunks = this.#db.all("SELECT DISTINCT test_id, version FROM data_chunks");
        for (const { test_id, version } of chunks) {
          const test = this.#tests.byId(test_id as string, false);
          const used = test
            ? [test.data.series?.version, ...test.data.spectra.map((x) => x.version)]
            : [];
          if (used.includes(version as string)) continue;
          report.chunks_removed += this.#db.run(
            "DELETE FROM data_chunks WHERE test_id = ? AND version = ?",
            [test_id, version],
          );
        }
        report.jobs_interrupted += this.#jobs.interruptAbandoned();
      });
      return report;
    });
  }
}
