// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The store boundary: one interface, implemented by `SqliteStore` (embedded, default) and
 * `MongoStore`. Everything above it is store-agnostic; the contract suite in
 * `tests/lib/store/` runs the same cases against each implementation. A new store implements
 * this interface over the shared document layer and runs the suite from its own test file
 * (`storeContract(label, factory)`): see "Adding a store" in `docs/storage.md`.
 *
 * @module
 */

import type { CyclingSeries } from "../model/cycling_series.ts";
import type { Spectrum } from "../model/spectrum.ts";
import type {
  CellDataset,
  CellDatasetInput,
  FileOutcome,
  ImportJob,
  JobStatus,
  Note,
  RawDataFile,
  RawFileInput,
  RawFilePatch,
  Sample,
  SampleFields,
  SampleInput,
  SummaryNumberField,
  TestFields,
  TestInput,
  TestListing,
  TestResult,
  TestType,
} from "./documents.ts";
import { SUMMARY_NUMBER_FIELDS } from "./documents.ts";
import type { ProtocolKind } from "../../analysis/analyze_test.ts";

/** Paging of a listing. */
export interface Page {
  /** Maximum number of results. @default {unlimited} */
  limit?: number;
  /** Results to skip. @default {0} */
  skip?: number;
}

/** Filter of `samples.find` (all given conditions must hold). */
export interface SampleFilter extends Page {
  /** Exact name. */
  name?: string;
  /** Exact chemistry. */
  chemistry?: string;
  /** Exact cell code. */
  cell_code?: string;
  /** Samples having every one of these tags. */
  tags?: string[];
  /** Children of this sample. */
  parent_id?: string;
}

/** Filter of `tests.find` (all given conditions must hold). Results are sorted by start time. */
export interface TestFilter extends Page {
  /** Tests of this sample. */
  sample_id?: string;
  /** Tests of any of these samples. */
  sample_ids?: string[];
  /** Exact cell code. */
  cell_code?: string;
  /** Exact base name. */
  base_name?: string;
  /** Exact name. */
  name?: string;
  /** Instrument maker. */
  tester?: string;
  /** Kind of test. */
  test_type?: TestType;
  /** Tests having every one of these tags. */
  tags?: string[];
  /** Tests having at least one of these tags. */
  any_tags?: string[];
  /** Tests having none of these tags. */
  exclude_tags?: string[];
  /** Start time at or after this instant (ISO 8601). */
  started_from?: string;
  /** Start time strictly before this instant (ISO 8601). */
  started_before?: string;
  /** Omit the per-cycle summaries (lighter listings). @default {false} */
  without_cycles?: boolean;
  /** Instrument maker, any case (`"arbin"` matches `"Arbin"`). */
  tester_any_case?: string;
  /** Protocol of the stored analysis (`analysis.summary.protocol`). */
  protocol?: ProtocolKind;
  /** Flag codes of the stored analysis: tests raising every one of them. */
  flags?: string[];
  /**
   * Conditions on the stored analysis's headline numbers (`analysis.summary`), all of which must
   * hold; a test without the number (or without an analysis) fails them.
   */
  summary?: SummaryCondition[];
  /**
   * Free text: every word (any case) occurs in the test's name, id, cell code, tester, tags,
   * file names or source path, or in its sample's name or chemistry.
   */
  text?: string;
  /**
   * Tests whose stored analysis has a fade analysis (`true`: its `fade_note` is null), or has
   * none (`false`: a `fade_note` says why, or the test has no analysis).
   */
  has_fade?: boolean;
  /**
   * Last data point (start time + end of the last cycle) at or after this instant (ISO 8601);
   * tests without an absolute start time never match.
   */
  last_data_from?: string;
  /** Last data point strictly before this instant (ISO 8601). */
  last_data_before?: string;
  /** Tests whose last data point is known (`true`) or not (`false`: no absolute start time). */
  last_data_known?: boolean;
  /**
   * Order of `find` (paging with `limit` and `skip` follows it): by a {@link TEST_SORT_KEYS}
   * key, tests without the value last in either direction, ties by start time then id.
   * @default {start time, tests without one last, then creation}
   */
  sort?: { key: TestSortKey; order?: "asc" | "desc" };
}

/** A comparison of one number of `analysis.summary` with a value. */
export interface SummaryCondition {
  /** The field (`capacity_retention`: fractions as stored). */
  field: SummaryNumberField;
  /** The comparison. */
  op: "<" | "<=" | ">" | ">=" | "=";
  /** The value, in the field's unit. */
  value: number;
}

/**
 * Keys `tests.find` can sort by: test fields, the sample's, the analysis's summary, the time of
 * the last data point (`last_data_time`), and `random`: a fixed pseudo-random order (a hash of the
 * test's id, the same in every store), whose first N tests are a reproducible uniform sample.
 */
export const TEST_SORT_KEYS = [
  "start_time",
  "name",
  "sample",
  "chemistry",
  "tester",
  "test_type",
  "cell_code",
  "protocol",
  "flag_count",
  "last_data_time",
  "random",
  ...SUMMARY_NUMBER_FIELDS,
] as const;

/** A sort key of `tests.find`. */
export type TestSortKey = typeof TEST_SORT_KEYS[number];

/** What `tests.stats` can count tests by. */
export const TEST_GROUP_KEYS = [
  "protocol",
  "flag",
  "tester",
  "test_type",
  "tag",
  "chemistry",
  "form_factor",
] as const;

/**
 * A property `tests.stats` counts tests by: the analysis's protocol, its flag codes (a test
 * counts once per flag), the tester, the kind of test, tags (once per tag), and its sample's
 * chemistry and form factor.
 */
export type TestGroupKey = typeof TEST_GROUP_KEYS[number];

/** Options of `tests.stats`. */
export interface TestStatsOptions {
  /** Count the tests per value of each of these. @default {[]} */
  by?: TestGroupKey[];
  /**
   * Summarize these headline numbers (`analysis.summary`) over the tests that have one: overall
   * (n, mean, min, max) and per value of each counted property (n, mean). @default {[]}
   */
  metrics?: SummaryNumberField[];
}

/** One number over a group of tests: how many have it and their mean. */
export interface GroupMetric {
  /** Tests with a (finite) value. */
  n: number;
  /** Their mean, or `null` when none has one. */
  mean: number | null;
}

/** One number over all matching tests. */
export interface MetricSummary extends GroupMetric {
  /** Smallest value, or `null`. */
  min: number | null;
  /** Largest value, or `null`. */
  max: number | null;
}

/** The tests sharing one value of a counted property. */
export interface TestGroup {
  /** The value (`null`: tests without one, e.g. no analysis, a sample without chemistry). */
  value: string | null;
  /** Tests with this value. */
  count: number;
  /** The requested numbers over these tests. */
  metrics: Partial<Record<SummaryNumberField, GroupMetric>>;
}

/** What `tests.stats` computes over the tests matching a filter. */
export interface TestStats {
  /** Tests matching. */
  count: number;
  /** The requested numbers over all of them. */
  metrics: Partial<Record<SummaryNumberField, MetricSummary>>;
  /**
   * For each requested property, its values, most tests first (ties by value, `null` last).
   * Tags and flags only list values that some test carries.
   */
  groups: Partial<Record<TestGroupKey, TestGroup[]>>;
}

/**
 * Numbers of a test's own conditions (as the file or the import gave them) that `tests.numbers`
 * reads beside the headline numbers.
 */
export const TEST_CONDITION_FIELDS = [
  "temperature_C",
  "charge_rate_C",
  "discharge_rate_C",
  "upper_cutoff_voltage_V",
  "lower_cutoff_voltage_V",
] as const;

/** A numeric condition field of a test. */
export type TestConditionField = typeof TEST_CONDITION_FIELDS[number];

/** A number `tests.numbers` reads: a headline number of the analysis or a test condition. */
export type TestNumberField = SummaryNumberField | TestConditionField;

/** A test's chosen numbers (`tests.numbers`). */
export interface TestNumbers {
  /** The test. */
  id: string;
  /** Its sample. */
  sample_id: string;
  /** The numbers asked for (`null`: the test has none). */
  values: Partial<Record<TestNumberField, number | null>>;
}

/** Time series and spectra saved together with a test. */
export interface TestData {
  /** The time series; `null` removes a stored one; absent keeps it. */
  series?: CyclingSeries | null;
  /** The spectra; `[]` removes stored ones; absent keeps them. */
  spectra?: Spectrum[];
}

/** Result of an upsert. */
export interface Upserted<T> {
  /** The stored document after the operation. */
  doc: T;
  /** `true` when it was created. */
  created: boolean;
}

/** Samples: unique by name, links validated, aggregates maintained incrementally. */
export interface SampleApi {
  /** Create a sample; a taken name is a `ConflictError`. */
  create(input: SampleInput): Promise<Sample>;
  /**
   * Create the sample `input.name` or, when it exists, set the given fields (tags are added,
   * not replaced). Safe when several writers upsert the same name at once.
   */
  upsert(input: SampleInput): Promise<Upserted<Sample>>;
  /** The sample with this id, or `null`. */
  get(id: string): Promise<Sample | null>;
  /** The sample with this name, or `null`. */
  getByName(name: string): Promise<Sample | null>;
  /** Samples matching the filter, by name. */
  find(filter?: SampleFilter): Promise<Sample[]>;
  /** Number of samples matching the filter. */
  count(filter?: SampleFilter): Promise<number>;
  /** Set fields (`name` renames; a taken name is a `ConflictError`). */
  update(id: string, patch: Partial<SampleFields> & { name?: string }): Promise<Sample>;
  /** Append a note. */
  addNote(id: string, note: { text: string; author?: string | null }): Promise<Note>;
  /** Delete a sample that has no tests and that no other sample links to. */
  delete(id: string): Promise<void>;
}

/** Tests: unique by file hash; a test and its series/spectra are written atomically. */
export interface TestApi {
  /**
   * Create a test with its data in one atomic operation. A file hash already stored (as a test's
   * `file_hash` or any part's) is a `ConflictError` naming the existing test.
   */
  create(input: TestInput, data?: TestData): Promise<TestResult>;
  /**
   * Change fields and optionally replace the series/spectra, atomically: readers see either the
   * old test with the old data or the new test with the new data.
   */
  update(id: string, patch: Partial<TestFields>, data?: TestData): Promise<TestResult>;
  /** The test with this id, or `null`. */
  get(id: string): Promise<TestResult | null>;
  /** The test whose `file_hash` or one of whose parts has this SHA-256, or `null`. */
  getByHash(sha256: string): Promise<TestResult | null>;
  /** Tests matching the filter, sorted by start time (tests without one last), then creation. */
  find(filter?: TestFilter): Promise<TestResult[]>;
  /**
   * Tests matching the filter as lists show them, in `find` order: no per-cycle tables, the
   * analysis without its bulky parts (`TestAnalysisHead`), and when each one's data ends. Much
   * lighter than `find` for a store of many tests (`without_cycles` is implied).
   */
  list(filter?: TestFilter): Promise<TestListing[]>;
  /** Number of tests matching the filter. */
  count(filter?: TestFilter): Promise<number>;
  /**
   * Counts and summaries over the tests matching the filter, computed by the database over its
   * index (no test document is read): tests per protocol, flag, tester, kind, tag, chemistry or
   * form factor, and the mean, smallest and largest of headline numbers. `limit`, `skip` and
   * `sort` of the filter are ignored.
   */
  stats(filter?: TestFilter, options?: TestStatsOptions): Promise<TestStats>;
  /**
   * Chosen headline numbers of every matching test, in `find` order, read from the index (no
   * test document is read): narrow rows for statistics over many tests (similar tests,
   * outliers).
   */
  numbers(filter: TestFilter, fields: readonly TestNumberField[]): Promise<TestNumbers[]>;
  /** Distinct non-empty cell codes of all tests, sorted. */
  cellCodes(): Promise<string[]>;
  /** Append a note. */
  addNote(id: string, note: { text: string; author?: string | null }): Promise<Note>;
  /**
   * Set the creation and update times: for migrating documents that older writers stored
   * without them (see `cli/migrate.ts`).
   */
  setTimestamps(id: string, times: { created_at: string; updated_at: string }): Promise<void>;
  /** Delete a test with its series and spectra (raw files keep their bytes, unlinked). */
  delete(id: string): Promise<void>;
}

/** Options of `series.read`. */
export interface SeriesReadOptions {
  /** Read only this cycle (1-based, from the test's `cycles`). */
  cycle?: number;
  /** Read only rows `[start, end)`. */
  rows?: [number, number];
}

/** Time series stored as columnar chunks. */
export interface SeriesApi {
  /** Replace a test's series (atomic; same as `tests.update(id, {}, { series })`). */
  write(testId: string, series: CyclingSeries): Promise<void>;
  /** Read a test's series, or a row range / cycle of it, loading only the chunks needed. */
  read(testId: string, options?: SeriesReadOptions): Promise<CyclingSeries | null>;
}

/** Impedance spectra stored as columnar chunks. */
export interface SpectraApi {
  /** Replace a test's spectra (atomic; same as `tests.update(id, {}, { spectra })`). */
  write(testId: string, spectra: Spectrum[]): Promise<void>;
  /** Read a test's spectra (`[]` when none). */
  read(testId: string): Promise<Spectrum[]>;
}

/** Filter of `rawFiles.find`. */
export interface RawFileFilter extends Page {
  /** Files of this test. */
  test_id?: string;
  /** Files of this sample. */
  sample_id?: string;
  /** Files of this import job. */
  import_job_id?: string;
  /** Files by this operator. */
  operator?: string;
  /** Files having every one of these tags. */
  tags?: string[];
}

/** Original instrument files, deduplicated by SHA-256. */
export interface RawFileApi {
  /**
   * Store bytes (a buffer, a stream, or a file already packed by `lib/import`'s workers). The
   * bytes are kept compressed when they compress; every read decompresses and checks them.
   * Bytes already stored return the existing file (`created: false`, its description unchanged).
   */
  put(
    bytes: Uint8Array | ReadableStream<Uint8Array> | PackedRawFile,
    input: RawFileInput,
  ): Promise<Upserted<RawDataFile>>;
  /** The description of a stored file, or `null`. */
  get(id: string): Promise<RawDataFile | null>;
  /** The file with this SHA-256, or `null`. */
  getByHash(sha256: string): Promise<RawDataFile | null>;
  /** Files matching the filter, newest first. */
  find(filter?: RawFileFilter): Promise<RawDataFile[]>;
  /** Stream a file's bytes (a `NotFoundError` when it does not exist). */
  open(id: string): Promise<ReadableStream<Uint8Array>>;
  /** A file's bytes in one buffer. */
  read(id: string): Promise<Uint8Array>;
  /** Change links, tags or metadata. */
  update(id: string, patch: RawFilePatch): Promise<RawDataFile>;
  /** Delete a file and its bytes. */
  delete(id: string): Promise<void>;
}

/**
 * A raw file already hashed and cut (and compressed) into pieces, e.g. by an import worker:
 * `rawFiles.put` stores it as given.
 */
export interface PackedRawFile {
  /** Marks the object (the other forms of bytes are a Uint8Array or a ReadableStream). */
  kind: "packed";
  /** How every piece is encoded. */
  encoding: "zstd" | null;
  /** Size of the file, bytes. */
  size: number;
  /** SHA-256 of the file (hex, lower case). */
  sha256: string;
  /** The pieces in order: each encodes 1 MiB of the file (the last fewer). */
  pieces: Uint8Array[];
}

/** Import jobs with per-file outcomes. */
export interface JobApi {
  /** Start a job (status `running`), owned by this writer. */
  start(input: { roots: string[]; options?: Record<string, unknown>; total?: number }): Promise<
    ImportJob
  >;
  /**
   * Take over an interrupted job (or a running one whose writer is gone) to finish it: it is
   * `running` again, owned by this writer. A job a live writer still runs is a `ConflictError`;
   * a finished one a `RangeError`.
   */
  resume(id: string): Promise<ImportJob>;
  /** Record one file's outcome and update the counters atomically. */
  record(id: string, outcome: Omit<FileOutcome, "at"> & { at?: string }): Promise<void>;
  /** Add a job-level error message. */
  addError(id: string, message: string): Promise<void>;
  /**
   * End a job. Without a status it is `failed` when any file failed or an error was added,
   * else `completed`.
   */
  finish(id: string, options?: { status?: Exclude<JobStatus, "running"> }): Promise<ImportJob>;
  /**
   * A job with all its file outcomes, or `null`. A running job whose writer is gone (killed,
   * crashed, machine lost) comes back `interrupted` and is stored so.
   */
  get(id: string): Promise<ImportJob | null>;
  /** Recent jobs, newest first, without file outcomes (interrupted ones shown as such). */
  list(options?: Page & { status?: JobStatus }): Promise<ImportJob[]>;
}

/** Versioned cell datasets (built by `updateCellDataset`; the store only persists). */
export interface DatasetApi {
  /**
   * Write a new version for `input.cell_code`: version = latest + 1, `previous_id` = latest id.
   * `expected_previous_id` (the latest id the caller built on, or `null` for none) makes a
   * concurrent writer's version a `ConflictError` instead of a silent overwrite.
   */
  put(
    input: CellDatasetInput,
    options?: { expected_previous_id?: string | null },
  ): Promise<CellDataset>;
  /** The latest version for a cell code, or `null`. */
  latest(cellCode: string): Promise<CellDataset | null>;
  /** A version by id, or `null`. */
  get(id: string): Promise<CellDataset | null>;
  /** All versions of a cell code, newest first. */
  versions(cellCode: string): Promise<CellDataset[]>;
  /** Number of distinct cell codes that have a dataset. */
  count(): Promise<number>;
}

/** What a store says about itself (credentials redacted). */
export interface StoreDescription {
  /** `sqlite` (file), `memory` (in-memory SQLite, lost on close) or `mongodb`. */
  kind: "sqlite" | "memory" | "mongodb";
  /** File path, `:memory:` or the redacted connection string. */
  location: string;
  /** MongoDB database name, else `null`. */
  database: string | null;
  /** `false` when data is lost on close. */
  persistent: boolean;
  /** What selected this store (`"--db flag"`, `"MONGO_URI"`, `"default"`, ...). */
  source: string;
  /** One line for humans: `SQLite file /home/u/.battery_analysis/battery.db (default)`. */
  text: string;
}

/** What a recovery or repair found and fixed. */
export interface RecoveryReport {
  /** Unfinished writes of writers that are gone, completed or undone. */
  pending_writes: number;
  /** Running jobs of writers that are gone, marked `interrupted`. */
  jobs_interrupted: number;
  /** File-hash claims without a stored test released. */
  claims_released: number;
  /** Orphaned series/spectrum chunks removed. */
  chunks_removed: number;
  /** Raw-file bytes without a description removed. */
  raw_files_removed: number;
}

/** A persistence backend. */
export interface Store {
  /** Samples. */
  readonly samples: SampleApi;
  /** Tests. */
  readonly tests: TestApi;
  /** Time series. */
  readonly series: SeriesApi;
  /** Spectra. */
  readonly spectra: SpectraApi;
  /** Raw files. */
  readonly rawFiles: RawFileApi;
  /** Import jobs. */
  readonly jobs: JobApi;
  /** Cell datasets. */
  readonly datasets: DatasetApi;
  /** Which store this is, redacted. */
  describe(): StoreDescription;
  /**
   * Look through the whole store for what crashed writers left behind (orphaned chunks and raw
   * bytes, claims without a test, jobs left running) and clean it up (`migrate --repair`).
   * Stores also run a cheaper recovery of the writes they know were pending on every open.
   */
  repair(): Promise<RecoveryReport>;
  /** Release connections and files. Further calls fail. */
  close(): Promise<void>;
}
