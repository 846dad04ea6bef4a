// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The embedded store: one SQLite file (or `:memory:`) through `node:sqlite`, in WAL mode, every
 * multi-row write in one transaction. Documents are JSON with their queried fields copied into
 * indexed columns; series, spectra and raw bytes are BLOB chunks.
 *
 * @module
 */

import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CyclingSeries } from "../model/cycling_series.ts";
import type { Spectrum } from "../model/spectrum.ts";
import {
  type CellDataset,
  type CellDatasetInput,
  type FileOutcome,
  type ImportJob,
  type JobOwner,
  type JobStatus,
  type RawDataFile,
  type RawFileInput,
  type RawFilePatch,
  type Sample,
  SAMPLE_LINKS,
  type SampleFields,
  type SampleInput,
  type TestFields,
  type TestInput,
  type TestListing,
  type TestResult,
} from "./documents.ts";
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
  TestSortKey,
  Upserted,
} from "./store.ts";
import { SUMMARY_NUMBER_FIELDS, type SummaryNumberField } from "./documents.ts";
import {
  isConnectionFailure,
  NotFoundError,
  StoreConnectionError,
  StoreError,
  StoreLostError,
} from "./store_error.ts";
import { newWriter, ownerGone, type WriterIdentity } from "./_liveness.ts";
import { checkResumable, markInterrupted } from "./_job_owner.ts";
import { laterIso, newId, nowIso } from "./_ids.ts";
import {
  type Chunk,
  chunkSpan,
  decodeSeries,
  decodeSpectrum,
  DEFAULT_CHUNK_ROWS,
} from "./_columnar.ts";
import {
  aggregateMetrics,
  checkDatasetInput,
  checkName,
  checkPage,
  checkRawFilePatch,
  checkSampleFields,
  checkSampleInput,
  checkTestFields,
  completeRawFileInput,
  completeTestInput,
  type Contribution,
  contributionOf,
  type RawFileFields,
  testHashes,
  unionTags,
} from "./_normalize.ts";
import { spoolStream } from "./_spool.ts";
import {
  checkStatsOptions,
  checkTestQuery,
  hasFade,
  lastDataMs,
  needsActivityColumns,
  randomKey,
  searchWords,
  testSearchText,
} from "./_test_query.ts";
import { sqliteTestNumbers, sqliteTestStats } from "./_sqlite_test_stats.ts";
import {
  decodePiece,
  isPackedRaw,
  packRaw,
  RAW_PIECE_BYTES,
  RawPacker,
  RawVerifier,
} from "./raw_codec.ts";
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

/** Bytes of a streamed raw file kept in memory before the rest is spooled to a temporary file. */
const SPOOL_MEMORY_BYTES = 32 << 20;

/**
 * Schema migrations, applied in order; a database records the highest applied version. With
 * `reindex`, every `test_index` row is computed again from its test's document afterwards, in
 * the same transaction.
 */
const MIGRATIONS: { version: number; sql: string; reindex?: boolean }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE samples (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, chemistry TEXT, cell_code TEXT,
  parent_id TEXT, anode_id TEXT, cathode_id TEXT, separator_id TEXT, electrolyte_id TEXT,
  doc TEXT NOT NULL);
CREATE INDEX samples_cell_code ON samples(cell_code);
CREATE INDEX samples_chemistry ON samples(chemistry);
CREATE INDEX samples_parent ON samples(parent_id);
CREATE TABLE sample_contributions (
  sample_id TEXT NOT NULL, test_id TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (sample_id, test_id));
CREATE TABLE tests (
  id TEXT PRIMARY KEY, sample_id TEXT NOT NULL, file_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL, base_name TEXT NOT NULL, cell_code TEXT, tester TEXT NOT NULL,
  test_type TEXT NOT NULL, start_time TEXT, created_at TEXT NOT NULL,
  doc TEXT NOT NULL, cycles TEXT NOT NULL);
CREATE INDEX tests_sample ON tests(sample_id);
CREATE INDEX tests_cell_code ON tests(cell_code);
CREATE INDEX tests_base_name ON tests(base_name);
CREATE INDEX tests_name ON tests(name);
CREATE INDEX tests_start ON tests(start_time);
CREATE TABLE test_hashes (hash TEXT PRIMARY KEY, test_id TEXT NOT NULL);
CREATE INDEX test_hashes_test ON test_hashes(test_id);
CREATE TABLE data_chunks (
  test_id TEXT NOT NULL, version TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL,
  chunk INTEGER NOT NULL, col TEXT NOT NULL, row_start INTEGER NOT NULL,
  row_count INTEGER NOT NULL, bytes BLOB NOT NULL);
CREATE UNIQUE INDEX data_chunks_key ON data_chunks(test_id, version, kind, seq, chunk, col);
CREATE TABLE raw_files (
  id TEXT PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, test_id TEXT, sample_id TEXT,
  import_job_id TEXT, operator TEXT, uploaded_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX raw_files_test ON raw_files(test_id);
CREATE INDEX raw_files_sample ON raw_files(sample_id);
CREATE INDEX raw_files_job ON raw_files(import_job_id);
CREATE TABLE raw_chunks (file_id TEXT NOT NULL, n INTEGER NOT NULL, bytes BLOB NOT NULL,
  PRIMARY KEY (file_id, n));
CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, started_at TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX jobs_started ON jobs(started_at);
CREATE TABLE job_files (job_id TEXT NOT NULL, n INTEGER NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (job_id, n));
CREATE TABLE datasets (id TEXT PRIMARY KEY, cell_code TEXT NOT NULL, version INTEGER NOT NULL,
  doc TEXT NOT NULL, UNIQUE (cell_code, version));
`,
  },
  {
    // The per-cycle table of a test's analysis, kept beside `cycles` so that listings
    // (`without_cycles`) read neither.
    version: 2,
    sql: `ALTER TABLE tests ADD COLUMN analysis_cycles TEXT;`,
  },
  {
    // A narrow table beside `tests` with what lists filter and sort on: the test's fields, the
    // stored analysis's protocol, flags and headline numbers, and the texts free-text search
    // looks in. Lists filter, sort and page there and read only their page's documents.
    version: 3,
    sql: `CREATE TABLE test_index (
  test_id TEXT PRIMARY KEY, sample_id TEXT NOT NULL, start_time TEXT, created_at TEXT NOT NULL,
  name TEXT NOT NULL, base_name TEXT NOT NULL, cell_code TEXT, tester TEXT NOT NULL,
  test_type TEXT NOT NULL, tags TEXT NOT NULL, name_lc TEXT NOT NULL, tester_lc TEXT NOT NULL,
  protocol TEXT, flag_codes TEXT, flag_count INTEGER, search_text TEXT NOT NULL,
  m_cycle_count REAL, m_counted_cycle_count REAL, m_reference_cycle REAL, m_initial_capacity_Ah REAL, m_final_capacity_Ah REAL, m_capacity_retention REAL, m_fade_per_100_cycles REAL, m_mean_coulombic_efficiency REAL, m_mean_energy_efficiency REAL, m_eol_cycle_observed REAL, m_eol_cycle_predicted REAL, m_knee_cycle REAL, m_median_internal_resistance_ohm REAL);
INSERT INTO test_index (test_id, sample_id, start_time, created_at, name, base_name, cell_code,
  tester, test_type, tags, name_lc, tester_lc, protocol, flag_codes, flag_count, search_text,
  m_cycle_count, m_counted_cycle_count, m_reference_cycle, m_initial_capacity_Ah, m_final_capacity_Ah, m_capacity_retention, m_fade_per_100_cycles, m_mean_coulombic_efficiency, m_mean_energy_efficiency, m_eol_cycle_observed, m_eol_cycle_predicted, m_knee_cycle, m_median_internal_resistance_ohm)
SELECT id, sample_id, start_time, created_at, name, base_name, cell_code, tester, test_type,
  char(10) || coalesce((SELECT group_concat(value, char(10)) || char(10) FROM json_each(doc, '$.tags')), ''),
  lower(name), lower(tester),
  json_extract(doc, '$.analysis.summary.protocol'),
  CASE WHEN json_type(doc, '$.analysis.summary.flag_codes') = 'array' THEN
    ',' || coalesce((SELECT group_concat(value, ',') FROM json_each(doc, '$.analysis.summary.flag_codes')), '') || ',' END,
  json_array_length(doc, '$.analysis.summary.flag_codes'),
  lower(name || char(10) || id || char(10) || coalesce(cell_code, '') || char(10) || tester ||
    coalesce((SELECT char(10) || group_concat(value, char(10)) FROM json_each(doc, '$.tags')), '') ||
    coalesce((SELECT char(10) || group_concat(json_extract(value, '$.file_name'), char(10)) FROM json_each(doc, '$.parts')), '') ||
    char(10) || coalesce(json_extract(doc, '$.source_path'), '')),
  json_extract(doc, '$.analysis.summary.cycle_count'),
  json_extract(doc, '$.analysis.summary.counted_cycle_count'),
  json_extract(doc, '$.analysis.summary.reference_cycle'),
  json_extract(doc, '$.analysis.summary.initial_capacity_Ah'),
  json_extract(doc, '$.analysis.summary.final_capacity_Ah'),
  json_extract(doc, '$.analysis.summary.capacity_retention'),
  json_extract(doc, '$.analysis.summary.fade_per_100_cycles'),
  json_extract(doc, '$.analysis.summary.mean_coulombic_efficiency'),
  json_extract(doc, '$.analysis.summary.mean_energy_efficiency'),
  json_extract(doc, '$.analysis.summary.eol_cycle_observed'),
  json_extract(doc, '$.analysis.summary.eol_cycle_predicted'),
  json_extract(doc, '$.analysis.summary.knee_cycle'),
  json_extract(doc, '$.analysis.summary.median_internal_resistance_ohm')
FROM tests;
CREATE INDEX test_index_start ON test_index(start_time, created_at);
CREATE INDEX test_index_sample ON test_index(sample_id);
CREATE INDEX test_index_fade ON test_index(m_fade_per_100_cycles);
CREATE INDEX test_index_retention ON test_index(m_capacity_retention);`,
  },
  {
    // The bulky parts of a test's analysis (retention curve, fade models and anomalies, dQ/dV,
    // pulses, current levels) beside `doc`, and the end time of the last cycle inside it
    // (`_end_time_s`), so that lists (`tests.list`) read only `doc`, the first of the large
    // columns of a row.
    version: 4,
    sql: `ALTER TABLE tests ADD COLUMN analysis_detail TEXT;
UPDATE tests SET
  analysis_detail = CASE WHEN json_type(doc, '$.analysis') = 'object' THEN json_object(
    'current_levels', json(coalesce(json_extract(doc, '$.analysis.current_levels'), '[]')),
    'retention', json(json_extract(doc, '$.analysis.retention')),
    'fade', json(json_extract(doc, '$.analysis.fade')),
    'dqdv', json(json_extract(doc, '$.analysis.dqdv')),
    'pulse', json(json_extract(doc, '$.analysis.pulse'))) END,
  doc = json_set(CASE WHEN json_type(doc, '$.analysis') = 'object' THEN json_remove(doc,
    '$.analysis.current_levels', '$.analysis.retention', '$.analysis.fade', '$.analysis.dqdv',
    '$.analysis.pulse') ELSE doc END, '$._end_time_s', json_extract(cycles, '$[#-1].end_time_s'));`,
  },
  {
    // When each test's data ends (the overview's running and finished tests), whether its
    // analysis has a fade analysis (the fade ranking), and its place in the `random` order (a
    // reproducible sample): computed from each document again by `indexRow`, as writes do.
    version: 5,
    sql: `ALTER TABLE test_index ADD COLUMN last_data_ms REAL;
ALTER TABLE test_index ADD COLUMN has_fade INTEGER;
ALTER TABLE test_index ADD COLUMN random_key REAL;
CREATE INDEX test_index_last_data ON test_index(last_data_ms);
CREATE INDEX test_index_random ON test_index(random_key);`,
    reindex: true,
  },
];

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Database file, or `":memory:"` for a store that lives only until `close()`. */
  path: string;
  /** Rows per stored series chunk. @default {100000} */
  chunkRows?: number;
  /** What selected this store, for `describe()`. @default {"option"} */
  source?: string;
  /**
   * How long to wait for another writer's lock before an operation fails with a
   * `StoreConnectionError`. @default {10000}
   */
  busyTimeoutMs?: number;
  /**
   * Open an existing database for reading only (never created, migrated or written). On
   * read-only media, where SQLite cannot create its shared-memory file, the file is opened as
   * immutable. @default {false}
   */
  readOnly?: boolean;
}

/** Lease of a SQLite job's heartbeat when its writer runs on another machine, ms. */
const JOB_LEASE_MS = 60_000;
/** SQLite primary result codes reported with their meaning. */
const SQLITE_CODES: Record<number, string> = {
  10: "SQLITE_IOERR: disk I/O error",
  13: "SQLITE_FULL: the disk is full",
  8: "SQLITE_READONLY: the database is read-only",
  11: "SQLITE_CORRUPT: the database file is damaged",
  26: "SQLITE_NOTADB: not a database file",
};

type Row = Record<string, SQLInputValue>;

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
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #chunkRows: number;
  readonly #source: string;
  readonly #statements = new Map<string, StatementSync>();
  readonly #busyTimeoutMs: number;
  readonly #readOnly: boolean;
  /** The schema keeps the analysis's bulky parts in `tests.analysis_detail` (version 4). */
  #detailColumn = false;
  /** Schema version, read when a query first needs the indexed columns (version 3). */
  #indexedVersion: number | undefined;
  /** Device and inode of the file opened, to notice it being deleted or replaced. */
  readonly #identity: { dev: number; ino: number } | null = null;
  #immutable = false;
  #lost: StoreLostError | null = null;
  #writer: WriterIdentity | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  /** Running jobs this store started or resumed (their heartbeat is renewed). */
  readonly #ownJobs = new Set<string>();
  #closed = false;

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
    const path = options.path;
    if (typeof path !== "string" || path === "") {
      throw new TypeError('SqliteStore: path must be a file path or ":memory:"');
    }
    const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new RangeError(`SqliteStore: chunkRows must be a positive integer, got ${chunkRows}`);
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new RangeError(
        `SqliteStore: busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`,
      );
    }
    this.#path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#chunkRows = chunkRows;
    this.#source = options.source ?? "option";
    this.#readOnly = options.readOnly ?? false;
    try {
      if (this.#readOnly) {
        if (path === ":memory:") throw new TypeError("an in-memory store cannot be read-only");
        this.#db = this.#openReadOnly(path);
      } else {
        if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
        this.#db = new DatabaseSync(path);
      }
      if (path !== ":memory:") {
        const info = statSync(path);
        this.#identity = { dev: info.dev, ino: info.ino };
      }
    } catch (cause) {
      if (cause instanceof StoreError || cause instanceof TypeError) throw cause;
      throw new StoreConnectionError(
        `Cannot open SQLite database "${path}": ${describeSqliteError(cause)}`,
        { cause },
      );
    }
    try {
      this.#db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      if (this.#readOnly) this.#checkReadable();
      else {
        // Large pages for a store of BLOBs (series chunks, raw files): about 3 times faster
        // writes than 4 KiB pages (bench/import_throughput.ts). Applies to new databases only.
        this.#db.exec("PRAGMA page_size = 65536");
        if (path !== ":memory:") this.#db.exec("PRAGMA journal_mode = WAL");
        // In WAL mode NORMAL is durable against application crashes and never corrupts the
        // database; a power loss may roll back the last transactions.
        this.#db.exec("PRAGMA synchronous = NORMAL");
        this.#migrate();
        this.#collectOrphans();
        this.#recoverJobs();
      }
      this.#detailColumn = this.schemaVersion() >= 4;
    } catch (cause) {
      this.#db.close();
      if (cause instanceof StoreError) throw cause;
      throw new StoreConnectionError(
        `Cannot open SQLite database "${path}": ${describeSqliteError(cause)}`,
        { cause },
      );
    }
    this.samples = this.#sampleApi();
    this.tests = this.#testApi();
    this.series = this.#seriesApi();
    this.spectra = this.#spectraApi();
    this.rawFiles = this.#rawFileApi();
    this.jobs = this.#jobApi();
    this.datasets = this.#datasetApi();
  }

  describe(): StoreDescription {
    const memory = this.#path === ":memory:";
    const mode = this.#immutable ? ", read-only media" : this.#readOnly ? ", read-only" : "";
    return {
      kind: memory ? "memory" : "sqlite",
      location: this.#path,
      database: null,
      persistent: !memory,
      source: this.#source,
      text: memory
        ? `in-memory SQLite store (${this.#source}; data is lost when the program ends)`
        : `SQLite file ${this.#path} (${this.#source}${mode})`,
    };
  }

  close(): Promise<void> {
    if (!this.#closed) {
      if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
      this.#heartbeat = null;
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    }
    return Promise.resolve();
  }

  /**
   * Open for reading. A database on read-only media (or whose directory this process cannot
   * write) cannot get its WAL shared-memory file; it is then opened as immutable, which is only
   * correct when nothing writes it, so a left-over write-ahead log is refused.
   */
  #openReadOnly(path: string): DatabaseSync {
    if (!existsSync(path)) {
      throw new StoreConnectionError(`Cannot open SQLite database "${path}": no such file`);
    }
    let plain: DatabaseSync | null = null;
    try {
      plain = new DatabaseSync(path, { readOnly: true });
      plain.prepare("SELECT count(*) FROM sqlite_master").get();
      return plain;
    } catch (error) {
      // Close the failed handle: it holds the file (read-only media could not be unmounted).
      try {
        plain?.close();
      } catch { /* not open */ }
      if (((error as { errcode?: number }).errcode ?? 0) % 256 !== 14) throw error;
    }
    const wal = `${path}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw new StoreConnectionError(
        `Cannot open SQLite database "${path}" read-only: it sits on read-only media with ` +
          `unmerged changes in "${wal}"; copy both files to writable storage and open it there`,
      );
    }
    const db = new DatabaseSync(`${pathToFileURL(resolve(path)).href}?immutable=1`, {
      readOnly: true,
    });
    this.#immutable = true;
    return db;
  }

  /** A read-only opening needs a battery-analysis database this program can read. */
  #checkReadable(): void {
    const table = this.#db.prepare(
      "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    ).get();
    if (!table) {
      throw new StoreConnectionError(
        `SQLite database "${this.#path}" is not a battery-analysis store (no schema version)`,
      );
    }
    const version = this.schemaVersion();
    if (version < 1 || version > SQLITE_SCHEMA_VERSION) {
      throw new StoreConnectionError(
        `SQLite database "${this.#path}" has schema version ${version}; this program reads ` +
          `version ${SQLITE_SCHEMA_VERSION}`,
      );
    }
  }

  /**
   * Stop using a database whose file was deleted or replaced since it was opened: writes would
   * go into a file nobody can open again ("created" into nothing). Checked before every
   * operation (one `stat`).
   */
  #checkFile(): void {
    if (this.#lost) throw this.#lost;
    if (!this.#identity) return;
    let info: { dev: number; ino: number } | null = null;
    try {
      info = statSync(this.#path);
    } catch {
      info = null;
    }
    if (info && info.dev === this.#identity.dev && info.ino === this.#identity.ino) return;
    this.#lost = new StoreLostError(
      `SQLite database "${this.#path}" was ${
        info ? "replaced by another file" : "deleted"
      } while open; stopping (nothing more is written to it)`,
    );
    throw this.#lost;
  }

  /** Schema version recorded in the database (for tests and `migrate`). */
  schemaVersion(): number {
    return (this.#get("SELECT max(version) AS v FROM schema_version")?.v as number) ?? 0;
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Bring the schema up to date. Several processes may open a new database at once: each
   * migration runs in a write transaction that reads the version again first, so exactly one
   * applies it and the others see it applied.
   */
  #migrate(): void {
    const tooNew = (current: number) =>
      new StoreConnectionError(
        `SQLite database "${this.#path}" has schema version ${current}, newer than the ${SQLITE_SCHEMA_VERSION} this program supports; upgrade battery-analysis`,
      );
    for (const m of MIGRATIONS) {
      this.#tx(() => {
        this.#db.exec(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        );
        const current = this.schemaVersion();
        if (current > SQLITE_SCHEMA_VERSION) throw tooNew(current);
        if (m.version <= current) return;
        this.#db.exec(m.sql);
        if (m.reindex) this.#reindexTests();
        this.#run("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", [
          m.version,
          nowIso(),
        ]);
      });
    }
  }

  /**
   * Remove raw-file pieces that have no description row. Writers store pieces and description
   * in one transaction, so there are none unless an earlier version of this program died in the
   * middle of a streamed upload (it wrote pieces first).
   */
  #collectOrphans(): void {
    const orphans = "FROM raw_chunks WHERE file_id NOT IN (SELECT id FROM raw_files)";
    if (this.#get(`SELECT 1 AS x ${orphans} LIMIT 1`)) {
      this.#tx(() => this.#run(`DELETE ${orphans}`));
    }
  }

  /** Compute every `test_index` row again from its test's document (in a migration). */
  #reindexTests(): void {
    const insert = `INSERT OR REPLACE INTO test_index (${INDEX_COLUMNS}) VALUES (${
      INDEX_COLUMNS.split(",").map(() => "?").join(",")
    })`;
    for (const row of this.#db.prepare("SELECT doc FROM tests").iterate()) {
      const raw = JSON.parse((row as Row).doc as string);
      const end = raw._end_time_s ?? null;
      delete raw._end_time_s;
      const test = currentTest(raw);
      this.#run(insert, indexRow(test, end));
    }
  }

  #stmt(sql: string): StatementSync {
    if (this.#closed) throw new StoreError(`The store ${this.#path} is closed`);
    if (this.#lost) throw this.#lost;
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  #get(sql: string, params: SQLInputValue[] = []): Row | undefined {
    return this.#stmt(sql).get(...params) as Row | undefined;
  }

  #all(sql: string, params: SQLInputValue[] = []): Row[] {
    return this.#stmt(sql).all(...params) as Row[];
  }

  #run(sql: string, params: SQLInputValue[] = []): number {
    return Number(this.#stmt(sql).run(...params).changes);
  }

  #tx<T>(fn: () => T): T {
    if (this.#closed) throw new StoreError(`The store ${this.#path} is closed`);
    if (this.#readOnly) throw new StoreError(`${this.describe().text} is open read-only`);
    this.#checkFile();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      // SQLite rolls back by itself after some errors (SQLITE_FULL, I/O errors): a second
      // ROLLBACK would fail with "no transaction is active" and hide the cause.
      if (this.#db.isTransaction) {
        try {
          this.#db.exec("ROLLBACK");
        } catch {
          // the connection is unusable; the original error says why
        }
      }
      throw error;
    }
  }

  #async<T>(fn: () => T): Promise<T> {
    try {
      this.#checkFile();
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(this.#unavailable(error));
    }
  }

  /**
   * A `StoreConnectionError` for a busy, locked or unreadable file; a `StoreError` naming the
   * cause for a full disk, a read-only or damaged file; other errors unchanged.
   */
  #unavailable(error: unknown): unknown {
    if (error instanceof StoreError) return error;
    if (isConnectionFailure(error)) {
      return new StoreConnectionError(
        `SQLite database "${this.#path}" is unavailable: ${describeSqliteError(error)}`,
        { cause: error },
      );
    }
    const code = sqliteCode(error);
    if (code !== null && SQLITE_CODES[code]) {
      return new StoreError(
        `SQLite database "${this.#path}": ${describeSqliteError(error)}; nothing of this ` +
          `write was stored`,
        { cause: error },
      );
    }
    return error;
  }

  // ---------------------------------------------------------------- samples

  #sampleById(id: string): Sample | null {
    const row = this.#get("SELECT doc FROM samples WHERE id = ?", [id]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  #sampleExists(id: string): boolean {
    return this.#get("SELECT 1 AS x FROM samples WHERE id = ?", [id]) !== undefined;
  }

  #writeSample(sample: Sample, insert: boolean): void {
    const params = [
      sample.name,
      sample.chemistry,
      sample.cell_code,
      ...SAMPLE_LINKS.map((l) => sample[l]),
      JSON.stringify(sample),
      sample.id,
    ];
    if (insert) {
      this.#run(
        "INSERT INTO samples (name, chemistry, cell_code, parent_id, anode_id, cathode_id, separator_id, electrolyte_id, doc, id) VALUES (?,?,?,?,?,?,?,?,?,?)",
        params,
      );
    } else {
      this.#run(
        "UPDATE samples SET name=?, chemistry=?, cell_code=?, parent_id=?, anode_id=?, cathode_id=?, separator_id=?, electrolyte_id=?, doc=? WHERE id=?",
        params,
      );
    }
  }

  #checkLinksSync(fields: Partial<SampleFields>, selfId: string | null, what: string): void {
    for (const link of SAMPLE_LINKS) {
      const target = fields[link];
      if (target === undefined || target === null) continue;
      if (target === selfId) {
        throw new RangeError(`${what}: ${link} cannot reference the sample itself`);
      }
      if (!this.#sampleExists(target)) {
        throw new RangeError(`${what}: ${link} "${target}" does not reference a stored sample`);
      }
    }
  }

  #insertSample(name: string, fields: Partial<SampleFields>): Sample {
    const sample = newSample(name, fields);
    this.#checkLinksSync(sample, sample.id, `Sample "${name}"`);
    this.#writeSample(sample, true);
    return sample;
  }

  #patchSample(sample: Sample, fields: Partial<SampleFields>, addTags: boolean): Sample {
    const next: Sample = {
      ...sample,
      ...fields,
      tags: fields.tags
        ? (addTags ? unionTags(sample.tags, fields.tags) : fields.tags)
        : sample.tags,
      updated_at: laterIso(sample.updated_at),
    };
    this.#checkLinksSync(fields, sample.id, `Sample "${sample.name}"`);
    this.#writeSample(next, false);
    return next;
  }

  #sampleWhere(filter: SampleFilter): Where {
    return where(filter, ["name", "chemistry", "cell_code", "parent_id"]);
  }

  #sampleApi(): SampleApi {
    return {
      create: (input) =>
        this.#async(() => {
          const { name, fields } = checkSampleInput(input);
          return this.#tx(() => {
            const existing = this.#get("SELECT id FROM samples WHERE name = ?", [name]);
            if (existing) throw nameTakenError(name, existing.id as string);
            return this.#insertSample(name, fields);
          });
        }),
      upsert: (input: SampleInput) =>
        this.#async((): Upserted<Sample> => {
          const { name, fields } = checkSampleInput(input);
          return this.#tx(() => {
            const row = this.#get("SELECT doc FROM samples WHERE name = ?", [name]);
            if (!row) return { doc: this.#insertSample(name, fields), created: true };
            const sample = JSON.parse(row.doc as string) as Sample;
            if (Object.keys(fields).length === 0) return { doc: sample, created: false };
            return { doc: this.#patchSample(sample, fields, true), created: false };
          });
        }),
      get: (id) => this.#async(() => this.#sampleById(id)),
      getByName: (name) =>
        this.#async(() => {
          const row = this.#get("SELECT doc FROM samples WHERE name = ?", [name]);
          return row ? JSON.parse(row.doc as string) : null;
        }),
      find: (filter = {}) =>
        this.#async(() => {
          const { limit, skip } = checkPage(filter);
          const { where, params } = this.#sampleWhere(filter);
          return this.#all(
            `SELECT doc FROM samples ${where} ORDER BY name LIMIT ? OFFSET ?`,
            [...params, limit ?? -1, skip],
          ).map((r) => JSON.parse(r.doc as string));
        }),
      count: (filter = {}) =>
        this.#async(() => {
          const { where, params } = this.#sampleWhere(filter);
          return this.#get(`SELECT count(*) AS n FROM samples ${where}`, params)!.n as number;
        }),
      update: (id, patch) =>
        this.#async(() => {
          const { name, ...rest } = patch;
          const fields = checkSampleFields(rest, `Sample "${id}"`);
          const newName = name === undefined ? undefined : checkName(name);
          return this.#tx(() => {
            const sample = this.#sampleById(id);
            if (!sample) throw new NotFoundError("sample", id);
            if (newName !== undefined && newName !== sample.name) {
              const other = this.#get("SELECT id FROM samples WHERE name = ?", [newName]);
              if (other) throw nameTakenError(newName, other.id as string);
              sample.name = newName;
            }
            return this.#patchSample(sample, fields, false);
          });
        }),
      addNote: (id, note) =>
        this.#async(() => {
          const entry = makeNote(note);
          return this.#tx(() => {
            const sample = this.#sampleById(id);
            if (!sample) throw new NotFoundError("sample", id);
            sample.notes.push(entry);
            sample.updated_at = laterIso(sample.updated_at);
            this.#writeSample(sample, false);
            return entry;
          });
        }),
      delete: (id) =>
        this.#async(() =>
          this.#tx(() => {
            const sample = this.#sampleById(id);
            if (!sample) throw new NotFoundError("sample", id);
            const tests = this.#get("SELECT count(*) AS n FROM tests WHERE sample_id = ?", [id])!
              .n as number;
            checkDeletable(sample, { tests });
            const linked = this.#get(
              `SELECT name FROM samples WHERE ${
                SAMPLE_LINKS.map((l) => `${l} = ?`).join(" OR ")
              } LIMIT 1`,
              SAMPLE_LINKS.map(() => id),
            );
            checkDeletable(sample, { linkedFrom: linked?.name as string | undefined });
            this.#run("DELETE FROM samples WHERE id = ?", [id]);
          })
        ),
    };
  }

  /** Set or remove one test's contribution to a sample and recompute the sample's metrics. */
  #contribute(sampleId: string, testId: string, contribution: Contribution | null): void {
    if (contribution) {
      this.#run(
        "INSERT INTO sample_contributions (sample_id, test_id, doc) VALUES (?,?,?) ON CONFLICT (sample_id, test_id) DO UPDATE SET doc = excluded.doc",
        [sampleId, testId, JSON.stringify(contribution)],
      );
    } else {
      this.#run("DELETE FROM sample_contributions WHERE sample_id = ? AND test_id = ?", [
        sampleId,
        testId,
      ]);
    }
    const all = this.#all("SELECT doc FROM sample_contributions WHERE sample_id = ?", [sampleId])
      .map((r) => JSON.parse(r.doc as string) as Contribution);
    const sample = this.#sampleById(sampleId);
    if (!sample) return;
    sample.metrics = aggregateMetrics(all);
    sample.updated_at = laterIso(sample.updated_at);
    this.#writeSample(sample, false);
  }

  // ---------------------------------------------------------------- tests

  /** The columns a test is read from (the layout of the schema version in use). */
  #testColumns(withCycles: boolean): string {
    const detail = this.#detailColumn ? ", analysis_detail" : "";
    return `doc${detail}${withCycles ? ", cycles, analysis_cycles" : ""}`;
  }

  #testById(id: string, withCycles = true): TestResult | null {
    const row = this.#get(`SELECT ${this.#testColumns(withCycles)} FROM tests WHERE id = ?`, [id]);
    return row ? rowToTest(row, withCycles) : null;
  }

  #writeTest(test: TestResult, insert: boolean): void {
    const { cycles, ...doc } = test;
    const analysisCycles = test.analysis ? JSON.stringify(test.analysis.cycles) : null;
    let detail: string | null = null;
    if (doc.analysis) {
      const { cycles: _c, current_levels, retention, fade, dqdv, pulse, ...head } = doc.analysis;
      detail = JSON.stringify({ current_levels, retention, fade, dqdv, pulse });
      doc.analysis = { ...head, cycles: [] } as unknown as TestResult["analysis"];
    }
    const params = [
      test.sample_id,
      test.file_hash,
      test.name,
      test.base_name,
      test.cell_code,
      test.tester,
      test.test_type,
      test.start_time,
      test.created_at,
      JSON.stringify({ ...doc, _end_time_s: lastCycleEnd(cycles) }),
      JSON.stringify(cycles),
      analysisCycles,
      detail,
      test.id,
    ];
    if (insert) {
      this.#run(
        "INSERT INTO tests (sample_id, file_hash, name, base_name, cell_code, tester, test_type, start_time, created_at, doc, cycles, analysis_cycles, analysis_detail, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        params,
      );
    } else {
      this.#run(
        "UPDATE tests SET sample_id=?, file_hash=?, name=?, base_name=?, cell_code=?, tester=?, test_type=?, start_time=?, created_at=?, doc=?, cycles=?, analysis_cycles=?, analysis_detail=? WHERE id=?",
        params,
      );
    }
    if (this.#indexed()) {
      this.#run(
        `INSERT OR REPLACE INTO test_index (${INDEX_COLUMNS}) VALUES (${
          INDEX_COLUMNS.split(",").map(() => "?").join(",")
        })`,
        indexRow(test, lastCycleEnd(cycles)),
      );
    }
  }

  #claimHashes(hashes: string[], testId: string): void {
    for (const hash of hashes) {
      const owner = this.#get("SELECT test_id FROM test_hashes WHERE hash = ?", [hash]);
      if (owner && owner.test_id !== testId) {
        throw hashTakenError(hash, owner.test_id as string);
      }
    }
    this.#run("DELETE FROM test_hashes WHERE test_id = ?", [testId]);
    for (const hash of hashes) {
      this.#run("INSERT INTO test_hashes (hash, test_id) VALUES (?, ?)", [hash, testId]);
    }
  }

  #insertChunks(testId: string, chunks: Chunk[], version: string): void {
    for (const c of chunks) {
      this.#run(
        "INSERT INTO data_chunks (test_id, version, kind, seq, chunk, col, row_start, row_count, bytes) VALUES (?,?,?,?,?,?,?,?,?)",
        [testId, version, c.kind, c.seq, c.chunk, c.column, c.row_start, c.row_count, c.bytes],
      );
    }
  }

  /** Whether the schema has the `test_index` table (version 3; not in an older read-only file). */
  #indexed(): boolean {
    return (this.#indexedVersion ??= this.schemaVersion()) >= 3;
  }

  /** The statement helpers, for the query modules (`_sqlite_test_stats.ts`). */
  readonly #runner = { all: (sql: string, params?: SQLInputValue[]) => this.#all(sql, params) };

  /** Refuse what needs `test_index` on a file older than version 3 (opened read-only). */
  #requireIndex(what: string): void {
    if (this.#indexed()) return;
    throw new StoreError(
      `${this.describe().text} has schema version ${this.schemaVersion()}: to ${what} it needs ` +
        "version 3 (open it once for writing to migrate)",
    );
  }

  /** A filter needing the index columns of version 5 on an older file (opened read-only). */
  #checkActivityColumns(filter: TestFilter): void {
    if ((this.#indexedVersion ??= this.schemaVersion()) >= 5 || !needsActivityColumns(filter)) {
      return;
    }
    throw new StoreError(
      `${this.describe().text} has schema version ${this.schemaVersion()}: filters on the last ` +
        "data point or the fade analysis and the random order need version 5 (open it once " +
        "for writing to migrate)",
    );
  }

  /** WHERE over `test_index` (alias `i`) for a test filter. */
  #indexWhere(filter: TestFilter): Where {
    checkTestQuery(filter);
    this.#checkActivityColumns(filter);
    const clauses: string[] = [];
    const params: SQLInputValue[] = [];
    const add = (clause: string, ...values: SQLInputValue[]) => {
      clauses.push(clause);
      params.push(...values);
    };
    for (
      const f of ["sample_id", "cell_code", "base_name", "name", "tester", "test_type"] as const
    ) {
      if (filter[f] !== undefined) add(`i.${f} = ?`, filter[f] as SQLInputValue);
    }
    if (filter.sample_ids !== undefined) {
      add(
        `i.sample_id IN (${filter.sample_ids.map(() => "?").join(",") || "NULL"})`,
        ...filter.sample_ids,
      );
    }
    if (filter.started_from !== undefined) add("i.start_time >= ?", filter.started_from);
    if (filter.started_before !== undefined) add("i.start_time < ?", filter.started_before);
    for (const tag of filter.tags ?? []) add("instr(i.tags, ?) > 0", `\n${tag}\n`);
    if (filter.any_tags?.length) {
      add(
        `(${filter.any_tags.map(() => "instr(i.tags, ?) > 0").join(" OR ")})`,
        ...filter.any_tags.map((t) => `\n${t}\n`),
      );
    }
    for (const tag of filter.exclude_tags ?? []) add("instr(i.tags, ?) = 0", `\n${tag}\n`);
    if (filter.tester_any_case !== undefined) {
      add("i.tester_lc = ?", filter.tester_any_case.toLowerCase());
    }
    if (filter.protocol !== undefined) add("i.protocol = ?", filter.protocol);
    for (const code of filter.flags ?? []) add("instr(i.flag_codes, ?) > 0", `,${code},`);
    for (const c of filter.summary ?? []) {
      add(`i.m_${c.field} ${c.op} ?`, c.value); // field and operator checked against fixed lists
    }
    if (filter.has_fade !== undefined) add("i.has_fade = ?", filter.has_fade ? 1 : 0);
    if (filter.last_data_from !== undefined) {
      add("i.last_data_ms >= ?", Date.parse(filter.last_data_from));
    }
    if (filter.last_data_before !== undefined) {
      add("i.last_data_ms < ?", Date.parse(filter.last_data_before));
    }
    if (filter.last_data_known !== undefined) {
      add(`i.last_data_ms IS ${filter.last_data_known ? "NOT " : ""}NULL`);
    }
    for (const word of searchWords(filter.text)) {
      add(
        "(instr(i.search_text, ?) > 0 OR i.sample_id IN (SELECT id FROM samples WHERE " +
          "instr(lower(name), ?) > 0 OR instr(lower(coalesce(chemistry, '')), ?) > 0))",
        word,
        word,
        word,
      );
    }
    return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
  }

  /**
   * WHERE over `tests` for a test filter: through `test_index` when the schema has it (every
   * filter), else on the columns of `tests` (an older database opened read-only: the filters on
   * the analysis, free text and sort keys are refused).
   */
  #testWhere(filter: TestFilter): Where {
    if (this.#indexed()) {
      const { where, params } = this.#indexWhere(filter);
      return where
        ? { where: `WHERE id IN (SELECT i.test_id FROM test_index i ${where})`, params }
        : { where: "", params };
    }
    const extra: [string, SQLInputValue[]][] = [];
    if (filter.sample_ids !== undefined) {
      extra.push([
        `sample_id IN (${filter.sample_ids.map(() => "?").join(",") || "NULL"})`,
        filter.sample_ids,
      ]);
    }
    if (filter.started_from !== undefined) extra.push(["start_time >= ?", [filter.started_from]]);
    if (filter.started_before !== undefined) {
      extra.push(["start_time < ?", [filter.started_before]]);
    }
    checkTestQuery(filter);
    const needsIndex = needsActivityColumns(filter) || filter.tester_any_case !== undefined ||
      filter.protocol !== undefined ||
      !!filter.any_tags?.length || !!filter.exclude_tags?.length ||
      !!filter.flags?.length || !!filter.summary?.length || searchWords(filter.text).length > 0 ||
      (filter.sort !== undefined && filter.sort.key !== "start_time");
    if (needsIndex) {
      throw new StoreError(
        `${this.describe().text} has schema version ${this.schemaVersion()}: filters on the ` +
          "analysis, free text and sort keys need version 3 (open it once for writing to migrate)",
      );
    }
    return where(
      filter,
      ["sample_id", "cell_code", "base_name", "name", "tester", "test_type"],
      extra,
    );
  }

  #testApi(): TestApi {
    const create = (input: TestInput, data?: TestData): TestResult => {
      const fields = completeTestInput(input, data?.series?.length ?? null);
      const encoded = encodeTestData(data, this.#chunkRows);
      const test = newTest(fields, encoded);
      const id = test.id;
      return this.#tx(() => {
        if (!this.#sampleExists(fields.sample_id)) {
          throw unknownSampleError(fields.name, fields.sample_id);
        }
        this.#claimHashes(testHashes(fields), id);
        this.#insertChunks(id, encoded.chunks, encoded.version);
        this.#writeTest(test, true);
        this.#contribute(fields.sample_id, id, contributionOf(test));
        return test;
      });
    };
    const update = (id: string, patch: Partial<TestFields>, data?: TestData): TestResult => {
      const fields = checkTestFields(patch ?? {}, `Test "${id}"`);
      const encoded = encodeTestData(data, this.#chunkRows);
      return this.#tx(() => {
        const old = this.#testById(id);
        if (!old) throw new NotFoundError("test", id);
        if (fields.sample_id !== undefined && !this.#sampleExists(fields.sample_id)) {
          throw unknownSampleError(old.name, fields.sample_id);
        }
        const next = nextTest(old, { fields, encoded });
        if (fields.file_hash !== undefined || fields.parts !== undefined) {
          this.#claimHashes(testHashes(next), id);
        }
        this.#insertChunks(id, encoded.chunks, encoded.version);
        for (const v of supersededVersions(old, next)) {
          this.#run("DELETE FROM data_chunks WHERE test_id = ? AND version = ?", [id, v]);
        }
        this.#writeTest(next, false);
        if (next.sample_id !== old.sample_id) this.#contribute(old.sample_id, id, null);
        this.#contribute(next.sample_id, id, contributionOf(next));
        return next;
      });
    };
    return {
      create: (input, data) => this.#async(() => create(input, data)),
      update: (id, patch, data) => this.#async(() => update(id, patch, data)),
      get: (id) => this.#async(() => this.#testById(id)),
      getByHash: (sha256) =>
        this.#async(() => {
          const row = this.#get("SELECT test_id FROM test_hashes WHERE hash = ?", [
            String(sha256).toLowerCase(),
          ]);
          return row ? this.#testById(row.test_id as string) : null;
        }),
      find: (filter = {}) =>
        this.#async(() => {
          const { limit, skip } = checkPage(filter);
          const withCycles = !filter.without_cycles;
          const detail = this.#detailColumn ? ", t.analysis_detail" : "";
          const columns = withCycles
            ? `t.doc${detail}, t.cycles, t.analysis_cycles`
            : `t.doc${detail}`;
          if (!this.#indexed()) {
            const { where, params } = this.#testWhere(filter);
            return this.#all(
              `SELECT ${columns} FROM tests t ${where} ORDER BY start_time IS NULL, start_time, created_at, id LIMIT ? OFFSET ?`,
              [...params, limit ?? -1, skip],
            ).map((r) => rowToTest(r, withCycles));
          }
          // Filter, sort and page in the narrow index; read the documents of the page only.
          const { where, params } = this.#indexWhere(filter);
          return this.#all(
            `WITH page AS (SELECT test_id, row_number() OVER () AS k FROM (SELECT i.test_id FROM test_index i ${where} ${
              testOrder(filter)
            } LIMIT ? OFFSET ?)) SELECT ${columns} FROM page JOIN tests t ON t.id = page.test_id ORDER BY page.k`,
            [...params, limit ?? -1, skip],
          ).map((r) => rowToTest(r, withCycles));
        }),
      list: (filter = {}) =>
        this.#async(() => {
          const { limit, skip } = checkPage(filter);
          const page = [limit ?? -1, skip];
          const end = "json_extract(t.cycles, '$[#-1].end_time_s') AS end_time_s";
          const older = (r: Row) =>
            listingOf(rowToTest(r, false), (r.end_time_s as number | null) ?? null);
          if (!this.#indexed()) {
            // A database this program may not migrate (opened read-only): the older layouts.
            const { where, params } = this.#testWhere(filter);
            return this.#all(
              `SELECT t.doc, ${end} FROM tests t ${where} ORDER BY start_time IS NULL, start_time, created_at, id LIMIT ? OFFSET ?`,
              [...params, ...page],
            ).map(older);
          }
          const { where, params } = this.#indexWhere(filter);
          const pageOf =
            `WITH page AS (SELECT test_id, row_number() OVER () AS k FROM (SELECT i.test_id FROM test_index i ${where} ${
              testOrder(filter)
            } LIMIT ? OFFSET ?))`;
          if (!this.#detailColumn) {
            return this.#all(
              `${pageOf} SELECT t.doc, ${end} FROM page JOIN tests t ON t.id = page.test_id ORDER BY page.k`,
              [...params, ...page],
            ).map(older);
          }
          // Only the head of each document: the analysis's bulky parts are in analysis_detail.
          return this.#all(
            `${pageOf} SELECT t.doc FROM page JOIN tests t ON t.id = page.test_id ORDER BY page.k`,
            [...params, ...page],
          ).map((r) => {
            const raw = JSON.parse(r.doc as string);
            const endTime = raw._end_time_s ?? null;
            delete raw._end_time_s;
            const doc = currentTest(raw) as unknown as TestListing;
            delete (doc as { cycles?: unknown }).cycles;
            if (doc.analysis) delete (doc.analysis as { cycles?: unknown }).cycles;
            doc.end_time_s = endTime;
            return doc;
          });
        }),
      count: (filter = {}) =>
        this.#async(() => {
          if (!this.#indexed()) {
            const { where, params } = this.#testWhere(filter);
            return this.#get(`SELECT count(*) AS n FROM tests ${where}`, params)!.n as number;
          }
          const { where, params } = this.#indexWhere(filter);
          return this.#get(`SELECT count(*) AS n FROM test_index i ${where}`, params)!.n as number;
        }),
      stats: (filter = {}, options = {}) =>
        this.#async(() => {
          const checked = checkStatsOptions(options);
          this.#requireIndex("summarize tests");
          return sqliteTestStats(this.#runner, this.#indexWhere(filter), checked);
        }),
      numbers: (filter, fields) =>
        this.#async(() => {
          const { limit, skip } = checkPage(filter ?? {});
          const checked = checkStatsOptions({ metrics: [...(fields ?? [])] }).metrics;
          this.#requireIndex("read the numbers of tests");
          return sqliteTestNumbers(
            this.#runner,
            this.#indexWhere(filter ?? {}),
            testOrder(filter ?? {}),
            { limit, skip },
            checked,
          );
        }),
      cellCodes: () =>
        this.#async(() =>
          this.#all(
            "SELECT DISTINCT cell_code FROM tests WHERE cell_code IS NOT NULL AND cell_code != '' ORDER BY cell_code",
          ).map((r) => r.cell_code as string)
        ),
      addNote: (id, note) =>
        this.#async(() => {
          const entry = makeNote(note);
          return this.#tx(() => {
            const test = this.#testById(id);
            if (!test) throw new NotFoundError("test", id);
            test.notes.push(entry);
            test.updated_at = laterIso(test.updated_at);
            this.#writeTest(test, false);
            return entry;
          });
        }),
      setTimestamps: (id, times) =>
        this.#async(() => {
          const { created_at, updated_at } = checkTimes(times);
          this.#tx(() => {
            const test = this.#testById(id);
            if (!test) throw new NotFoundError("test", id);
            this.#writeTest({ ...test, created_at, updated_at }, false);
          });
        }),
      delete: (id) =>
        this.#async(() =>
          this.#tx(() => {
            const test = this.#testById(id, false);
            if (!test) throw new NotFoundError("test", id);
            this.#run("DELETE FROM data_chunks WHERE test_id = ?", [id]);
            this.#run("DELETE FROM test_hashes WHERE test_id = ?", [id]);
            this.#run("DELETE FROM tests WHERE id = ?", [id]);
            if (this.#indexed()) this.#run("DELETE FROM test_index WHERE test_id = ?", [id]);
            this.#run(
              "UPDATE raw_files SET test_id = NULL, doc = json_set(doc, '$.test_id', json('null')) WHERE test_id = ?",
              [id],
            );
            this.#contribute(test.sample_id, id, null);
          })
        ),
    };
  }

  // ---------------------------------------------------------------- series & spectra

  #seriesApi(): SeriesApi {
    return {
      write: async (testId: string, series: CyclingSeries) => {
        await this.tests.update(testId, {}, { series });
      },
      read: (testId: string, options: SeriesReadOptions = {}) =>
        this.#async(() => {
          const test = this.#testById(testId, options.cycle !== undefined);
          if (!test) throw new NotFoundError("test", testId);
          const info = test.data.series;
          if (!info) return null;
          const rows = seriesRows(test, info, options);
          const [first, last] = chunkSpan(rows[0], rows[1], info.chunk_rows);
          const chunks = this.#all(
            "SELECT col AS column, row_start, row_count, bytes FROM data_chunks WHERE test_id = ? AND version = ? AND kind = 'series' AND seq = 0 AND chunk BETWEEN ? AND ?",
            [testId, info.version, first, last],
          ) as unknown as Chunk[];
          return decodeSeries(info, chunks, rows);
        }),
    };
  }

  #spectraApi(): SpectraApi {
    return {
      write: async (testId: string, spectra: Spectrum[]) => {
        await this.tests.update(testId, {}, { spectra });
      },
      read: (testId: string) =>
        this.#async(() => {
          const test = this.#testById(testId, false);
          if (!test) throw new NotFoundError("test", testId);
          return test.data.spectra.map((info, seq) =>
            decodeSpectrum(
              info,
              this.#all(
                "SELECT col AS column, row_start, row_count, bytes FROM data_chunks WHERE test_id = ? AND version = ? AND kind = 'spectrum' AND seq = ?",
                [testId, info.version, seq],
              ) as unknown as Chunk[],
            )
          );
        }),
    };
  }

  // ---------------------------------------------------------------- raw files

  #rawById(id: string): RawDataFile | null {
    const row = this.#get("SELECT doc FROM raw_files WHERE id = ?", [id]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  #rawByHash(sha256: string): RawDataFile | null {
    const row = this.#get("SELECT doc FROM raw_files WHERE sha256 = ?", [sha256]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  #writeRaw(file: RawDataFile, insert: boolean): void {
    const params = [
      file.sha256,
      file.test_id,
      file.sample_id,
      file.import_job_id,
      file.operator,
      file.uploaded_at,
      JSON.stringify(file),
      file.id,
    ];
    this.#run(
      insert
        ? "INSERT INTO raw_files (sha256, test_id, sample_id, import_job_id, operator, uploaded_at, doc, id) VALUES (?,?,?,?,?,?,?,?)"
        : "UPDATE raw_files SET sha256=?, test_id=?, sample_id=?, import_job_id=?, operator=?, uploaded_at=?, doc=? WHERE id=?",
      params,
    );
  }

  #rawFileApi(): RawFileApi {
    const INSERT_PIECE = "INSERT INTO raw_chunks (file_id, n, bytes) VALUES (?,?,?)";
    /** Pieces and description in one transaction; bytes already stored write nothing. */
    const save = (packed: PackedRawFile, fields: RawFileFields): Upserted<RawDataFile> =>
      this.#tx(() => {
        const existing = this.#rawByHash(packed.sha256);
        if (existing) return { doc: existing, created: false };
        const id = newId();
        let n = 0;
        for (const piece of packed.pieces) this.#run(INSERT_PIECE, [id, n++, piece]);
        if (n === 0) this.#run(INSERT_PIECE, [id, 0, new Uint8Array(0)]);
        const file: RawDataFile = {
          id,
          ...fields,
          sha256: packed.sha256,
          size_bytes: packed.size,
          uploaded_at: nowIso(),
        };
        if (packed.encoding) file.encoding = packed.encoding;
        this.#writeRaw(file, true);
        return { doc: file, created: true };
      });
    const checkGiven = (given: string | null, sha256: string, name: string): void => {
      if (given !== null && given !== sha256) {
        throw new RangeError(
          `Raw file "${name}": sha256 ${given} does not match the bytes (${sha256})`,
        );
      }
    };
    const put = async (
      bytes: Uint8Array | ReadableStream<Uint8Array> | PackedRawFile,
      raw: RawFileInput,
    ): Promise<Upserted<RawDataFile>> => {
      const { fields, sha256: given } = completeRawFileInput(raw);
      if (bytes instanceof Uint8Array || isPackedRaw(bytes)) {
        if (bytes instanceof Uint8Array) {
          // Known bytes are not compressed again.
          const existing = given === null ? null : this.#rawByHash(given);
          if (existing) return { doc: existing, created: false };
        }
        const packed = bytes instanceof Uint8Array ? packRaw(bytes) : bytes;
        checkGiven(given, packed.sha256, fields.file_name);
        return save(packed, fields);
      }
      if (!(bytes instanceof ReadableStream)) {
        throw new TypeError(
          "rawFiles.put: bytes must be a Uint8Array, a ReadableStream or a packed raw file",
        );
      }
      // The stream is collected first (in memory, beyond SPOOL_MEMORY_BYTES in a temporary
      // file) and then written with its description in one transaction: a stream that fails,
      // a store closed meanwhile or a process that dies midway leaves no piece behind.
      const spool = await spoolStream(bytes, {
        pieceBytes: RAW_PIECE_BYTES,
        memoryBytes: SPOOL_MEMORY_BYTES,
      });
      try {
        checkGiven(given, spool.sha256, fields.file_name);
        const packer = new RawPacker();
        for (const piece of spool.pieces()) packer.push(piece);
        return save(packer.finish(), fields);
      } finally {
        await spool.dispose();
      }
    };
    const open = (id: string): ReadableStream<Uint8Array> => {
      const file = this.#rawById(id);
      if (!file) throw new NotFoundError("raw file", id);
      const encoding = file.encoding ?? null;
      const verify = new RawVerifier(file);
      let n = 0;
      return new ReadableStream<Uint8Array>({
        pull: (controller) => {
          let row: Row | undefined;
          try {
            row = this.#get("SELECT bytes FROM raw_chunks WHERE file_id = ? AND n = ?", [id, n++]);
          } catch (error) {
            throw this.#unavailable(error);
          }
          const piece = row ? decodePiece(row.bytes as Uint8Array, encoding) : null;
          if (piece && piece.length > 0) {
            verify.update(piece);
            controller.enqueue(piece);
          } else {
            verify.finish(); // a damaged archive errors the stream instead of ending it
            controller.close();
          }
        },
      });
    };
    return {
      put: (bytes, input) =>
        put(bytes, input).catch((error) => Promise.reject(this.#unavailable(error))),
      get: (id) => this.#async(() => this.#rawById(id)),
      getByHash: (sha256) => this.#async(() => this.#rawByHash(String(sha256).toLowerCase())),
      find: (filter: RawFileFilter = {}) =>
        this.#async(() => {
          const { limit, skip } = checkPage(filter);
          const w = where(filter, ["test_id", "sample_id", "import_job_id", "operator"]);
          return this.#all(
            `SELECT doc FROM raw_files ${w.where} ORDER BY uploaded_at DESC, id DESC LIMIT ? OFFSET ?`,
            [...w.params, limit ?? -1, skip],
          ).map((r) => JSON.parse(r.doc as string));
        }),
      open: (id) => this.#async(() => open(id)),
      read: (id) =>
        this.#async(() => {
          const file = this.#rawById(id);
          if (!file) throw new NotFoundError("raw file", id);
          const out = new Uint8Array(file.size_bytes);
          const verify = new RawVerifier(file);
          let at = 0;
          for (
            const row of this.#all("SELECT bytes FROM raw_chunks WHERE file_id = ? ORDER BY n", [
              id,
            ])
          ) {
            const piece = decodePiece(row.bytes as Uint8Array, file.encoding ?? null);
            verify.update(piece);
            out.set(piece, at);
            at += piece.length;
          }
          verify.finish();
          return out;
        }),
      update: (id, patch: RawFilePatch) =>
        this.#async(() => {
          const fields = checkRawFilePatch(patch ?? {}, `Raw file "${id}"`);
          return this.#tx(() => {
            const file = this.#rawById(id);
            if (!file) throw new NotFoundError("raw file", id);
            const next = { ...file, ...fields };
            this.#writeRaw(next, false);
            return next;
          });
        }),
      delete: (id) =>
        this.#async(() =>
          this.#tx(() => {
            if (!this.#rawById(id)) throw new NotFoundError("raw file", id);
            this.#run("DELETE FROM raw_chunks WHERE file_id = ?", [id]);
            this.#run("DELETE FROM raw_files WHERE id = ?", [id]);
          })
        ),
    };
  }

  // ---------------------------------------------------------------- jobs

  #jobById(id: string): ImportJob | null {
    const row = this.#get("SELECT doc FROM jobs WHERE id = ?", [id]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  #jobFiles(id: string): FileOutcome[] {
    return this.#all("SELECT doc FROM job_files WHERE job_id = ? ORDER BY n", [id])
      .map((r) => JSON.parse(r.doc as string));
  }

  #writeJob(job: ImportJob, insert: boolean): void {
    const { files: _, ...doc } = job;
    const params = [job.status, job.started_at, JSON.stringify({ ...doc, files: [] }), job.id];
    this.#run(
      insert
        ? "INSERT INTO jobs (status, started_at, doc, id) VALUES (?,?,?,?)"
        : "UPDATE jobs SET status=?, started_at=?, doc=? WHERE id=?",
      params,
    );
  }

  /** This store's writer identity (made on first use). */
  #owner(): JobOwner {
    this.#writer ??= newWriter();
    return { ...this.#writer };
  }

  /** Whether the writer of a running job is gone (see `_liveness.ts`). */
  #jobOwnerGone(job: ImportJob): boolean {
    if (job.status !== "running" || !job.owner) return false;
    if (this.#writer && job.owner.id === this.#writer.id) return false;
    const beat = Date.parse(job.heartbeat_at ?? job.updated_at);
    return ownerGone({
      owner: job.owner,
      heartbeatAgeMs: Number.isFinite(beat) ? Date.now() - beat : null,
      leaseMs: JOB_LEASE_MS,
    });
  }

  /** A job as it truly is: running with its writer gone is interrupted (stored so if writable). */
  #truthful(job: ImportJob): ImportJob {
    if (!this.#jobOwnerGone(job)) return job;
    if (!this.#readOnly) {
      const stored = this.#tx(() => {
        const current = this.#jobById(job.id);
        if (!current || !this.#jobOwnerGone(current)) return current;
        markInterrupted(current);
        current.updated_at = laterIso(current.updated_at);
        this.#writeJob(current, false);
        return current;
      });
      if (stored) return { ...stored, files: job.files };
    }
    const view = { ...job, errors: [...job.errors] };
    markInterrupted(view);
    return view;
  }

  /** On open: running jobs whose writer is gone become interrupted. */
  #recoverJobs(): number {
    let n = 0;
    for (const row of this.#all("SELECT doc FROM jobs WHERE status = 'running'")) {
      const job = JSON.parse(row.doc as string) as ImportJob;
      if (this.#jobOwnerGone(job) && this.#truthful(job).status === "interrupted") n++;
    }
    return n;
  }

  /** Renew the heartbeat of this store's running jobs (skipped, not waited for, when busy). */
  #beat(): void {
    if (this.#closed || this.#ownJobs.size === 0) return;
    try {
      this.#db.exec("PRAGMA busy_timeout = 0");
      try {
        const now = nowIso();
        this.#tx(() => {
          for (const id of this.#ownJobs) {
            this.#run(
              "UPDATE jobs SET doc = json_set(doc, '$.heartbeat_at', ?) WHERE id = ? AND status = 'running'",
              [now, id],
            );
          }
        });
      } finally {
        this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
      }
    } catch {
      // busy or unavailable: the next beat tries again
    }
  }

  #own(id: string): void {
    this.#ownJobs.add(id);
    if (this.#heartbeat === null && this.#path !== ":memory:") {
      this.#heartbeat = setInterval(() => this.#beat(), JOB_LEASE_MS / 4);
      Deno.unrefTimer(this.#heartbeat);
    }
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
    return this.#async(() => {
      const report: RecoveryReport = {
        pending_writes: 0,
        jobs_interrupted: this.#recoverJobs(),
        claims_released: 0,
        chunks_removed: 0,
        raw_files_removed: 0,
      };
      this.#tx(() => {
        report.raw_files_removed = this.#run(
          "DELETE FROM raw_chunks WHERE file_id NOT IN (SELECT id FROM raw_files)",
        );
        report.claims_released = this.#run(
          "DELETE FROM test_hashes WHERE test_id NOT IN (SELECT id FROM tests)",
        );
        const chunks = this.#all("SELECT DISTINCT test_id, version FROM data_chunks");
        for (const { test_id, version } of chunks) {
          const test = this.#testById(test_id as string, false);
          const used = test
            ? [test.data.series?.version, ...test.data.spectra.map((x) => x.version)]
            : [];
          if (used.includes(version as string)) continue;
          report.chunks_removed += this.#run(
            "DELETE FROM data_chunks WHERE test_id = ? AND version = ?",
            [test_id, version],
          );
        }
        const hourAgo = new Date(Date.now() - 3600_000).toISOString();
        for (const row of this.#all("SELECT doc FROM jobs WHERE status = 'running'")) {
          const job = JSON.parse(row.doc as string) as ImportJob;
          if (job.owner || job.updated_at >= hourAgo) continue;
          markInterrupted(job);
          job.updated_at = laterIso(job.updated_at);
          this.#writeJob(job, false);
          report.jobs_interrupted++;
        }
      });
      return report;
    });
  }

  #jobApi(): JobApi {
    return {
      start: (input) =>
        this.#async(() => {
          const job: ImportJob = { ...newJob(input), owner: this.#owner() };
          job.heartbeat_at = job.started_at;
          this.#tx(() => this.#writeJob(job, true));
          this.#own(job.id);
          return job;
        }),
      resume: (id) =>
        this.#async(() => {
          const resumed = this.#tx(() => {
            const stored = this.#jobById(id);
            if (!stored) throw new NotFoundError("import job", id);
            if (this.#jobOwnerGone(stored)) markInterrupted(stored);
            checkResumable(stored, this.#owner().id);
            stored.status = "running";
            stored.finished_at = null;
            stored.owner = this.#owner();
            stored.updated_at = laterIso(stored.updated_at);
            stored.heartbeat_at = stored.updated_at;
            this.#writeJob(stored, false);
            stored.files = this.#jobFiles(id);
            return stored;
          });
          this.#own(id);
          return resumed;
        }),
      record: (id, outcome) =>
        this.#async(() => {
          const entry = checkOutcome(outcome);
          this.#tx(() => {
            const job = this.#jobById(id);
            if (!job) throw new NotFoundError("import job", id);
            applyOutcome(job, entry);
            job.heartbeat_at = job.updated_at;
            this.#run("INSERT INTO job_files (job_id, n, doc) VALUES (?,?,?)", [
              id,
              job.counts.processed,
              JSON.stringify(entry),
            ]);
            this.#writeJob(job, false);
          });
        }),
      addError: (id, message) =>
        this.#async(() =>
          this.#tx(() => {
            const job = this.#jobById(id);
            if (!job) throw new NotFoundError("import job", id);
            job.errors.push(String(message));
            job.updated_at = laterIso(job.updated_at);
            this.#writeJob(job, false);
          })
        ),
      finish: (id, options = {}) =>
        this.#async(() =>
          this.#tx(() => {
            const job = this.#jobById(id);
            if (!job) throw new NotFoundError("import job", id);
            finishJob(job, options.status);
            this.#writeJob(job, false);
            this.#ownJobs.delete(id);
            job.files = this.#jobFiles(id);
            return job;
          })
        ),
      get: (id) =>
        this.#async(() => {
          const stored = this.#jobById(id);
          if (!stored) return null;
          const job = this.#truthful(stored);
          job.files = this.#jobFiles(id);
          return job;
        }),
      list: (options: Page & { status?: JobStatus } = {}) =>
        this.#async(() => {
          const { limit, skip } = checkPage(options);
          const where = options.status !== undefined ? "WHERE status = ?" : "";
          const params: SQLInputValue[] = options.status !== undefined ? [options.status] : [];
          const jobs = this.#all(
            `SELECT doc FROM jobs ${where} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`,
            [...params, limit ?? -1, skip],
          ).map((r) => this.#truthful(JSON.parse(r.doc as string)));
          return options.status === undefined
            ? jobs
            : jobs.filter((j) => j.status === options.status);
        }),
    };
  }

  // ---------------------------------------------------------------- datasets

  #datasetApi(): DatasetApi {
    const latest = (code: string): CellDataset | null => {
      const row = this.#get(
        "SELECT doc FROM datasets WHERE cell_code = ? ORDER BY version DESC LIMIT 1",
        [code],
      );
      return row ? JSON.parse(row.doc as string) : null;
    };
    return {
      put: (input: CellDatasetInput, options = {}) =>
        this.#async(() => {
          const content = checkDatasetInput(input);
          return this.#tx(() => {
            const previous = latest(content.cell_code);
            checkExpectedPrevious(content.cell_code, previous, options.expected_previous_id);
            const dataset = newDataset(content, previous);
            this.#run("INSERT INTO datasets (id, cell_code, version, doc) VALUES (?,?,?,?)", [
              dataset.id,
              dataset.cell_code,
              dataset.version,
              JSON.stringify(dataset),
            ]);
            return dataset;
          });
        }),
      latest: (code) => this.#async(() => latest(code)),
      get: (id) =>
        this.#async(() => {
          const row = this.#get("SELECT doc FROM datasets WHERE id = ?", [id]);
          return row ? JSON.parse(row.doc as string) : null;
        }),
      versions: (code) =>
        this.#async(() =>
          this.#all("SELECT doc FROM datasets WHERE cell_code = ? ORDER BY version DESC", [code])
            .map((r) => JSON.parse(r.doc as string))
        ),
      count: () =>
        this.#async(() =>
          this.#get("SELECT count(DISTINCT cell_code) AS n FROM datasets")!.n as number
        ),
    };
  }
}

// ------------------------------------------------------------------ helpers

/** A `WHERE` clause and its parameters. */
interface Where {
  where: string;
  params: SQLInputValue[];
}

/**
 * The `WHERE` clause of a listing: equality on each named column the filter sets, the given
 * extra clauses, and every tag of `filter.tags` present in the document's `tags`.
 */
function where<F extends { tags?: string[] }>(
  filter: F,
  columns: readonly (keyof F & string)[],
  extra: [string, SQLInputValue[]][] = [],
): Where {
  const clauses: string[] = [];
  const params: SQLInputValue[] = [];
  for (const column of columns) {
    if (filter[column] !== undefined) {
      clauses.push(`${column} = ?`);
      params.push(filter[column] as SQLInputValue);
    }
  }
  for (const [clause, values] of extra) {
    clauses.push(clause);
    params.push(...values);
  }
  for (const tag of filter.tags ?? []) {
    clauses.push("EXISTS (SELECT 1 FROM json_each(doc, '$.tags') WHERE value = ?)");
    params.push(tag);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** The primary SQLite result code of an error (`errcode` & 0xff), or `null`. */
function sqliteCode(error: unknown): number | null {
  const code = (error as { errcode?: unknown })?.errcode;
  if (typeof code === "number") return code & 0xff;
  const message = (error as Error)?.message ?? "";
  if (/database or disk is full/.test(message)) return 13;
  if (/disk I\/O error/.test(message)) return 10;
  return null;
}

/** An error's message with the SQLite result code it stands for (`SQLITE_FULL: …`). */
function describeSqliteError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const code = sqliteCode(error);
  const known = code !== null ? SQLITE_CODES[code] : undefined;
  return known && !message.includes(known.split(":")[0]) ? `${known} (${message})` : message;
}

function rowToTest(row: Row, withCycles: boolean): TestResult {
  const raw = JSON.parse(row.doc as string);
  delete raw._end_time_s;
  const doc = currentTest(raw);
  doc.cycles = withCycles ? JSON.parse(row.cycles as string) : [];
  if (doc.analysis && typeof row.analysis_detail === "string") {
    Object.assign(doc.analysis, JSON.parse(row.analysis_detail));
  }
  if (doc.analysis && withCycles && typeof row.analysis_cycles === "string") {
    doc.analysis.cycles = JSON.parse(row.analysis_cycles);
  }
  return doc;
}

/** The columns of `test_index` (schema version 3). */
const INDEX_COLUMNS = "test_id,sample_id,start_time,created_at,name,base_name,cell_code,tester," +
  "test_type,tags,name_lc,tester_lc,protocol,flag_codes,flag_count,search_text," +
  "last_data_ms,has_fade,random_key," + SUMMARY_NUMBER_FIELDS.map((f) => `m_${f}`).join(",");

/** The `test_index` row of a test whose last cycle ends `endTimeS` after its start. */
function indexRow(test: TestResult, endTimeS: number | null): SQLInputValue[] {
  const s = test.analysis?.summary ?? null;
  return [
    test.id,
    test.sample_id,
    test.start_time,
    test.created_at,
    test.name,
    test.base_name,
    test.cell_code,
    test.tester,
    test.test_type,
    `\n${test.tags.map((t) => `${t}\n`).join("")}`,
    test.name.toLowerCase(),
    test.tester.toLowerCase(),
    s?.protocol ?? null,
    s ? `,${s.flag_codes.join(",")},` : null,
    s ? s.flag_codes.length : null,
    testSearchText(test),
    lastDataMs(test.start_time, endTimeS),
    hasFade(test) ? 1 : 0,
    randomKey(test.id),
    ...SUMMARY_NUMBER_FIELDS.map((f) => {
      const v = s?.[f];
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    }),
  ];
}

/** SQL of each sort key over `test_index` (alias `i`; the sample's fields by subquery). */
const SORT_SQL: Record<TestSortKey, string> = {
  start_time: "i.start_time",
  name: "i.name_lc",
  sample: "(SELECT lower(s.name) FROM samples s WHERE s.id = i.sample_id)",
  chemistry: "(SELECT lower(s.chemistry) FROM samples s WHERE s.id = i.sample_id)",
  tester: "i.tester_lc",
  test_type: "i.test_type",
  cell_code: "nullif(i.cell_code, '')",
  protocol: "i.protocol",
  flag_count: "i.flag_count",
  last_data_time: "i.last_data_ms",
  random: "i.random_key",
  ...Object.fromEntries(SUMMARY_NUMBER_FIELDS.map((f) => [f, `i.m_${f}`])) as Record<
    SummaryNumberField,
    string
  >,
};

/** ORDER BY of a test filter: by its sort key (missing values last), else by start time. */
function testOrder(filter: TestFilter): string {
  if (!filter.sort) return "ORDER BY i.start_time IS NULL, i.start_time, i.created_at, i.test_id";
  const expr = SORT_SQL[filter.sort.key];
  const dir = filter.sort.order === "desc" ? "DESC" : "ASC";
  return `ORDER BY ${expr} IS NULL, ${expr} ${dir}, i.start_time IS NULL, i.start_time, i.test_id`;
}
