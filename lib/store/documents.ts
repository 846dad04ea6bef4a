// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The documents a {@link Store} keeps. Every id is a string, every timestamp an ISO 8601 UTC
 * string (`2024-01-15T10:00:00.000Z`), every quantity has its unit in its name. The same shapes
 * come out of every store.
 *
 * @module
 */

import type { ColumnSource } from "../model/cycling_series.ts";
import type { CycleSummary } from "../model/cycle_summary.ts";
import type {
  AnalyzeTestOptions,
  CycleRole,
  TestAnalysisData,
  TestSummary,
} from "../../analysis/analyze_test.ts";

/** One entry of a notes log. */
export interface Note {
  /** The note. */
  text: string;
  /** Who wrote it, or `null`. */
  author: string | null;
  /** When it was written (ISO 8601 UTC). */
  timestamp: string;
}

/** The component and hierarchy links of a sample, each the id of another sample. */
export const SAMPLE_LINKS = [
  "parent_id",
  "anode_id",
  "cathode_id",
  "separator_id",
  "electrolyte_id",
] as const;

/** Name of one sample link field. */
export type SampleLink = typeof SAMPLE_LINKS[number];

/**
 * Aggregates over a sample's tests: means of the values of the tests' `analysis.summary` (median
 * for resistance); tests without an analysis count in `test_count` only.
 */
export interface SampleMetrics {
  /** Number of tests of this sample. */
  test_count: number;
  /** Mean of the tests' reference-cycle capacities (`summary.initial_capacity_Ah`), Ah. */
  avg_initial_capacity_Ah: number | null;
  /** Mean of the tests' last counted cycle capacities (`summary.final_capacity_Ah`), Ah. */
  avg_final_capacity_Ah: number | null;
  /** Mean of the tests' capacity retentions (fraction). */
  avg_capacity_retention: number | null;
  /** Mean of the tests' mean coulombic efficiencies (fraction). */
  avg_coulombic_efficiency: number | null;
  /** Mean of the tests' mean energy efficiencies (fraction). */
  avg_energy_efficiency: number | null;
  /** Median of the tests' median internal resistances, Ω. */
  median_internal_resistance_ohm: number | null;
}

/** The editable fields of a sample (everything but identity, notes, metrics and timestamps). */
export interface SampleFields {
  /** Chemistry, free text (`"NMC811/Graphite"`). */
  chemistry: string | null;
  /** Maker. */
  manufacturer: string | null;
  /** `"18650"`, `"pouch"`, `"2032"`, ... */
  form_factor: string | null;
  /** Nominal capacity, Ah. */
  nominal_capacity_Ah: number | null;
  /** Electrode area, cm². */
  area_cm2: number | null;
  /** Thickness, cm. */
  thickness_cm: number | null;
  /** Mass of the whole sample or cell, g. */
  mass_g: number | null;
  /** Mass of active material, g (what specific capacity divides by). */
  active_mass_g: number | null;
  /** Cell code such as `CN123`. */
  cell_code: string | null;
  /** Parent sample (batch → cell). */
  parent_id: string | null;
  /** Anode component sample. */
  anode_id: string | null;
  /** Cathode component sample. */
  cathode_id: string | null;
  /** Separator component sample. */
  separator_id: string | null;
  /** Electrolyte component sample. */
  electrolyte_id: string | null;
  /** Free description. */
  description: string | null;
  /** Latest cell dataset of this sample. */
  default_dataset_id: string | null;
  /** Tags (a set; order of first appearance kept). */
  tags: string[];
  /** Further JSON-compatible attributes. */
  metadata: Record<string, unknown>;
}

/** What a caller gives to create or update a sample: a name and any fields. */
export interface SampleInput extends Partial<SampleFields> {
  /** Unique name (the natural key). */
  name: string;
}

/** A stored sample. */
export interface Sample extends SampleFields {
  /** Id. */
  id: string;
  /** Unique name. */
  name: string;
  /** Notes log, oldest first. */
  notes: Note[];
  /** Aggregates over the sample's tests, updated whenever a test is saved or deleted. */
  metrics: SampleMetrics;
  /** Creation time. */
  created_at: string;
  /** Last change. */
  updated_at: string;
}

/** Kinds of test. */
export const TEST_TYPES = ["Cycling", "EIS", "CV", "GITT", "HPPC", "Other"] as const;

/** One kind of test. */
export type TestType = typeof TEST_TYPES[number];

/** One file of a (possibly multi-file) test. */
export interface TestPart {
  /** SHA-256 (hex) of the file's bytes. */
  file_hash: string;
  /** Base name of the file. */
  file_name: string;
  /** First row of this part in the combined series. */
  start_row: number;
  /** One past the last row of this part. */
  end_row: number;
}

/**
 * Per-test options of the analysis a user set (reference cycle, end-of-life threshold, metric,
 * cycle selection, formation cycles, ...): the options of `analyzeTest`, as plain JSON. `{}` means
 * the defaults.
 */
export type TestAnalysisOptions = AnalyzeTestOptions;

/** The fields of a test a caller provides. */
export interface TestFields {
  /** The sample tested. */
  sample_id: string;
  /** Instrument maker (`"Arbin"`, `"BioLogic"`, ...). */
  tester: string;
  /** Kind of test. */
  test_type: TestType;
  /** Test name (usually the first file's stem). */
  name: string;
  /** Name shared by the sequential files of the test (`X_Channel_3` for `X_Channel_3_Wb_2`). */
  base_name: string;
  /** The files joined into this test, in order. */
  parts: TestPart[];
  /** SHA-256 of the first file: the test's identity (unique). */
  file_hash: string;
  /** Cell code. */
  cell_code: string | null;
  /** Absolute start time from the file (ISO 8601), else `null`. */
  start_time: string | null;
  /** Test temperature, °C. */
  temperature_C: number | null;
  /** Upper cut-off voltage, V. */
  upper_cutoff_voltage_V: number | null;
  /** Lower cut-off voltage, V. */
  lower_cutoff_voltage_V: number | null;
  /** Charge C-rate. */
  charge_rate_C: number | null;
  /** Discharge C-rate. */
  discharge_rate_C: number | null;
  /** Per-cycle summaries. */
  cycles: CycleSummary[];
  /** Registry id of the file format (`"arbin_csv"`). */
  format: string | null;
  /** Instrument channel. */
  channel: number | null;
  /** Path of the first file when imported. */
  source_path: string | null;
  /** Tags (a set). */
  tags: string[];
  /** Further JSON-compatible attributes. */
  metadata: Record<string, unknown>;
  /**
   * The one analysis of the test (`analyzeTest(...).toJSON()`): cycle roles, retention, fade,
   * end of life, flags and the headline numbers in `analysis.summary` that every surface shows;
   * `null` until computed. The import pipeline stores it with the test; `migrate` computes it
   * again when `analysis.analysis_version` is not the current `ANALYSIS_VERSION`. An update that
   * changes `cycles` without giving an analysis clears it (stale numbers are never kept).
   * Listings with `without_cycles` leave `analysis.cycles` empty, like `cycles`.
   */
  analysis: TestAnalysisData | null;
  /** The options a user set for this test's analysis (`{}`: the defaults). */
  analysis_options: TestAnalysisOptions;
}

/** What a caller gives to create a test: the required fields and any others. */
export type TestInput =
  & Pick<TestFields, "sample_id" | "tester" | "name" | "file_hash">
  & Partial<TestFields>;

/** How one stored column is laid out. */
export interface ColumnLayout {
  /** Column name (`"voltage_V"`, an extra's name). */
  name: string;
  /** Element type, stored little-endian. */
  dtype: "f64" | "i32";
}

/** What is stored of a test's time series. */
export interface SeriesInfo {
  /** Version id of the stored chunks (new on every write). */
  version: string;
  /** Number of rows. */
  length: number;
  /** Rows per stored chunk. */
  chunk_rows: number;
  /** Absolute time of the first row. */
  start_time: string | null;
  /** Columns in storage order: the required ones, `temperature_C` when present, then extras. */
  layout: ColumnLayout[];
  /** Names of the extra columns, in order. */
  extras: string[];
  /** Column provenance exactly as given. */
  columns: Record<string, ColumnSource>;
}

/** What is stored of one spectrum. */
export interface SpectrumInfo {
  /** Version id of the stored chunks (new on every write). */
  version: string;
  /** Number of points. */
  length: number;
  /** Position in its file. */
  sequence: number;
  /** Cycle number, or `null` when the spectrum had none. */
  cycle: number | null;
  /** Names of the extra columns, in order. */
  extras: string[];
  /** Column provenance exactly as given. */
  columns: Record<string, ColumnSource>;
}

/** The stored data of a test: the shape and current chunk versions of its series and spectra. */
export interface StoredData {
  /** Time series, or `null`. */
  series: SeriesInfo | null;
  /** Spectra, in order. */
  spectra: SpectrumInfo[];
}

/** A stored test. */
export interface TestResult extends TestFields {
  /** Id. */
  id: string;
  /** Shape of the stored time series and spectra. */
  data: StoredData;
  /** Notes log. */
  notes: Note[];
  /** Creation time. */
  created_at: string;
  /** Last change. */
  updated_at: string;
}

/** The parts of a test's analysis that lists leave out (per cycle, per point, per pulse). */
export const ANALYSIS_DETAIL_FIELDS = [
  "cycles",
  "current_levels",
  "retention",
  "fade",
  "dqdv",
  "pulse",
] as const;

/**
 * A test's analysis as lists show it: its headline numbers (`summary`), flags, options,
 * protocol, reference, end of life and notes — without the per-cycle table, the retention
 * curve, the fade models and anomalies, dQ/dV and pulse analyses.
 */
export type TestAnalysisHead = Omit<TestAnalysisData, typeof ANALYSIS_DETAIL_FIELDS[number]>;

/**
 * A test as lists show it (`tests.list`): every field but the per-cycle summaries, the analysis
 * reduced to its head, and when its last cycle ends.
 */
export interface TestListing extends Omit<TestResult, "cycles" | "analysis"> {
  /** The head of the stored analysis, or `null`. */
  analysis: TestAnalysisHead | null;
  /**
   * End of its last cycle in seconds after the start (with `start_time`, the time of its last
   * data point), or `null` without cycles.
   */
  end_time_s: number | null;
}

/**
 * The numbers of a test's `analysis.summary` that stores index (filters and sort keys of
 * `tests.find`): every numeric field of `TestSummary`.
 */
export const SUMMARY_NUMBER_FIELDS = [
  "cycle_count",
  "counted_cycle_count",
  "reference_cycle",
  "initial_capacity_Ah",
  "final_capacity_Ah",
  "capacity_retention",
  "fade_per_100_cycles",
  "mean_coulombic_efficiency",
  "mean_energy_efficiency",
  "eol_cycle_observed",
  "eol_cycle_predicted",
  "knee_cycle",
  "median_internal_resistance_ohm",
] as const satisfies readonly (keyof TestSummary)[];

/** A numeric field of `analysis.summary`. */
export type SummaryNumberField = typeof SUMMARY_NUMBER_FIELDS[number];

/** Description of raw bytes to store. */
export interface RawFileInput {
  /** Base name of the file. */
  file_name: string;
  /** Path the file was read from. */
  source_path?: string | null;
  /** Sample the file belongs to. */
  sample_id?: string | null;
  /** Test made from the file. */
  test_id?: string | null;
  /** Import job that stored it. */
  import_job_id?: string | null;
  /** Who ran the measurement. */
  operator?: string | null;
  /** Instrument device or serial. */
  acquisition_device?: string | null;
  /** MIME type, when known. */
  content_type?: string | null;
  /** Tags. */
  tags?: string[];
  /** Further attributes. */
  metadata?: Record<string, unknown>;
  /**
   * SHA-256 of the bytes (64 hex digits) when the caller has already computed it over exactly
   * these bytes (the import pipeline hashes every file once while parsing). The store then does
   * not hash a buffer again; a stream is still hashed and must match. Optional; checked for form.
   */
  sha256?: string;
}

/** A stored raw file (its bytes are read with `rawFiles.open` / `rawFiles.read`). */
export interface RawDataFile extends Required<RawFileInput> {
  /** Id. */
  id: string;
  /** SHA-256 of the bytes (hex): unique. */
  sha256: string;
  /** Number of bytes. */
  size_bytes: number;
  /** When it was stored. */
  uploaded_at: string;
  /**
   * How the archived bytes are kept: `"zstd"` = compressed in pieces of 1 MiB (decompressed and
   * checked against `size_bytes` and `sha256` on every read); absent = as they are (files that
   * do not compress, and every file stored before compression).
   */
  encoding?: "zstd";
}

/** Fields of a raw file that can be changed after storing. */
export type RawFilePatch = Partial<Omit<RawFileInput, "file_name" | "sha256">>;

/** Status of an import job. */
export type JobStatus = "running" | "completed" | "failed" | "interrupted";

/** What happened to one file in an import. */
export type FileAction = "created" | "updated" | "skipped" | "failed";

/** The outcome of one file in an import job. */
export interface FileOutcome {
  /** Path of the file. */
  path: string;
  /** SHA-256 of its bytes, when read. */
  sha256: string | null;
  /** What happened. */
  action: FileAction;
  /** Test created or updated. */
  test_id: string | null;
  /** Why it failed or was skipped. */
  error: string | null;
  /** When it was recorded. */
  at: string;
}

/** Counters of an import job. */
export interface JobCounts {
  /** Files the job expects to look at, when known. */
  total: number | null;
  /** Files recorded so far. */
  processed: number;
  /** Files that created a test. */
  created: number;
  /** Files that updated a test. */
  updated: number;
  /** Files skipped. */
  skipped: number;
  /** Files that failed. */
  failed: number;
}

/** The writer (one process with an open store) that runs an import job. */
export interface JobOwner {
  /** Unique writer id (`host:pid:random`). */
  id: string;
  /** Host name. */
  host: string;
  /** Process id. */
  pid: number;
  /** Linux boot id, or `null`. */
  boot_id: string | null;
  /** Linux pid namespace, or `null`. */
  pid_ns: string | null;
  /** Process start time (clock ticks since boot), or `null`. */
  proc_start: string | null;
}

/** An import job. */
export interface ImportJob {
  /** Id. */
  id: string;
  /** Status. */
  status: JobStatus;
  /** Directories or files imported. */
  roots: string[];
  /** Options the job ran with (JSON-compatible). */
  options: Record<string, unknown>;
  /** Counters. */
  counts: JobCounts;
  /** Error messages (`path: message` for failed files, and job-level errors). */
  errors: string[];
  /** Per-file outcomes in the order recorded (`[]` in `jobs.list`). */
  files: FileOutcome[];
  /** Start. */
  started_at: string;
  /** End, or `null` while running. */
  finished_at: string | null;
  /** Last change. */
  updated_at: string;
  /**
   * The writer running it (absent on jobs stored by earlier versions). A running job whose
   * writer is gone is shown, and stored on the next write, as `interrupted`.
   */
  owner?: JobOwner | null;
  /** Last sign of life of its writer (SQLite stores), ISO 8601. */
  heartbeat_at?: string | null;
  /**
   * One line per time the job was found abandoned by its writer (`interrupted: lab-pc-3 pid
   * 4242 stopped without finishing the job (…; 12 file(s) recorded)`), oldest first.
   */
  interruptions?: string[];
}

/** A cycle of a cell dataset: a test's cycle renumbered within the cell. */
export interface CombinedCycle extends CycleSummary {
  /** The test the cycle comes from. */
  test_id: string;
  /** The cycle's number within that test. */
  test_cycle: number;
  /**
   * Its role in its test's analysis (`"counted"`, `"formation"`, `"cut_off"`, ...), or `null`
   * when the test has no analysis.
   */
  role?: CycleRole | null;
  /** Why it has that role, or `null`. */
  role_reason?: string | null;
}

/** The content of a cell dataset version, as built by `updateCellDataset`. */
export interface CellDatasetInput {
  /** Cell code. */
  cell_code: string;
  /** Sample of the cell. */
  sample_id: string | null;
  /** Tests combined, ordered by start time. */
  test_ids: string[];
  /** All cycles, renumbered 1..N. */
  cycles: CombinedCycle[];
  /** SHA-256 of the content: a new version is only written when it changes. */
  content_hash: string;
}

/** One stored version of a cell dataset. */
export interface CellDataset extends CellDatasetInput {
  /** Id. */
  id: string;
  /** Version, 1-based. */
  version: number;
  /** Id of the version this one superseded. */
  previous_id: string | null;
  /** When this version was written. */
  created_at: string;
}
