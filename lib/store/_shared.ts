// Copyright 2026 the battery-analysis authors. MIT license.
// Document logic shared by the store adapters (notes, data versions, row ranges, job counters,
// dataset version checks), so that every store behaves the same.

import type {
  CellDataset,
  CellDatasetInput,
  FileOutcome,
  ImportJob,
  JobStatus,
  Note,
  Sample,
  SampleFields,
  SeriesInfo,
  SpectrumInfo,
  TestAnalysisHead,
  TestFields,
  TestListing,
  TestResult,
} from "./documents.ts";
import { ANALYSIS_DETAIL_FIELDS } from "./documents.ts";
import type { SeriesReadOptions, TestData } from "./store.ts";
import { ConflictError } from "./store_error.ts";
import { laterIso, newId, nowIso } from "./_ids.ts";
import { checkRows, type Chunk, encodeSeries, encodeSpectra } from "./_columnar.ts";
import { emptySampleFields, emptySampleMetrics } from "./_normalize.ts";

/** A new sample document with the given (checked) fields and empty metrics. */
export function newSample(name: string, fields: Partial<SampleFields>): Sample {
  const now = nowIso();
  return {
    id: newId(),
    name,
    ...emptySampleFields(),
    ...fields,
    notes: [],
    metrics: emptySampleMetrics(),
    created_at: now,
    updated_at: now,
  };
}

/** The error for a sample name that another sample (`existingId`) holds. */
export function nameTakenError(name: string, existingId: string | null): ConflictError {
  return new ConflictError(`Sample name "${name}" is already taken`, existingId);
}

/**
 * The error for a file hash that a stored test (`testId`) already holds; `holder` names the
 * writer that stored it (`lab-pc-3 pid 4242`) when known.
 */
export function hashTakenError(
  hash: string,
  testId: string | null,
  holder: string | null = null,
): ConflictError {
  return new ConflictError(
    `File hash ${hash} is already stored as test "${testId}"${holder ? ` by ${holder}` : ""}`,
    testId,
    holder,
  );
}

/**
 * Refuse to delete a sample that still has tests, or that another sample (named `linkedFrom`)
 * links to.
 */
export function checkDeletable(
  sample: Sample,
  uses: { tests?: number; linkedFrom?: string | null },
): void {
  if (uses.tests) {
    throw new ConflictError(
      `Sample "${sample.name}" has ${uses.tests} test(s); delete them first`,
      sample.id,
    );
  }
  if (uses.linkedFrom) {
    throw new ConflictError(
      `Sample "${sample.name}" is linked from sample "${uses.linkedFrom}"; unlink it first`,
      sample.id,
    );
  }
}

/** Test data encoded as chunks under a new version id; absent parts stay unchanged. */
export interface EncodedData {
  /** The new series layout, `null` to remove it, absent to keep the stored one. */
  series?: SeriesInfo | null;
  /** The new spectra layouts, absent to keep the stored ones. */
  spectra?: SpectrumInfo[];
  /** The chunks to store under `version`. */
  chunks: Chunk[];
  /** Version id of the new chunks. */
  version: string;
}

/** Encode the series and spectra given in `data` (chunks are views, not copies). */
export function encodeTestData(data: TestData | undefined, chunkRows: number): EncodedData {
  const version = newId();
  const out: EncodedData = { chunks: [], version };
  if (data?.series !== undefined) {
    if (data.series === null) out.series = null;
    else {
      const { info, chunks } = encodeSeries(data.series, { chunkRows, version });
      out.series = info;
      out.chunks.push(...chunks);
    }
  }
  if (data?.spectra !== undefined) {
    if (!Array.isArray(data.spectra)) throw new TypeError("spectra must be an array");
    const { infos, chunks } = encodeSpectra(data.spectra, { chunkRows, version });
    out.spectra = infos;
    out.chunks.push(...chunks);
  }
  return out;
}

/** A new test document from complete fields and its encoded data. */
export function newTest(fields: TestFields, encoded: EncodedData): TestResult {
  const now = nowIso();
  return {
    id: newId(),
    ...fields,
    data: { series: encoded.series ?? null, spectra: encoded.spectra ?? [] },
    notes: [],
    created_at: now,
    updated_at: now,
  };
}

/**
 * `old` with the patch and the new data applied and `updated_at` moved. New cycles without a new
 * analysis clear the stored analysis (its numbers were of the old cycles).
 */
export function nextTest(
  old: TestResult,
  patch: { fields: Partial<TestFields>; encoded: EncodedData },
): TestResult {
  const { fields, encoded } = patch;
  const next: TestResult = {
    ...old,
    ...fields,
    data: {
      series: encoded.series !== undefined ? encoded.series : old.data.series,
      spectra: encoded.spectra !== undefined ? encoded.spectra : old.data.spectra,
    },
    updated_at: laterIso(old.updated_at),
  };
  if (fields.cycles !== undefined && fields.analysis === undefined) next.analysis = null;
  return next;
}

/** Fields of test documents written before the analysis was stored with the test. */
const LEGACY_METRICS = [
  "cycle_count",
  "initial_capacity_Ah",
  "final_capacity_Ah",
  "capacity_retention",
  "mean_coulombic_efficiency",
  "mean_energy_efficiency",
  "median_internal_resistance_ohm",
] as const;

/**
 * A test document as read, in the current shape: documents written before the analysis was
 * stored get `analysis: null` (until `migrate` computes it) and `analysis_options: {}`, and lose
 * the per-test metrics older writers kept beside the fields (now `analysis.summary`).
 */
export function currentTest(doc: TestResult): TestResult {
  if (doc.analysis === undefined) doc.analysis = null;
  if (doc.analysis_options === undefined) doc.analysis_options = {};
  for (const key of LEGACY_METRICS) delete (doc as unknown as Record<string, unknown>)[key];
  return doc;
}

/** The head of an analysis: without its per-cycle, per-point and per-pulse parts. */
export function analysisHead(analysis: TestResult["analysis"]): TestAnalysisHead | null {
  if (!analysis) return null;
  const head: Record<string, unknown> = { ...analysis };
  for (const key of ANALYSIS_DETAIL_FIELDS) delete head[key];
  return head as TestAnalysisHead;
}

/** A test (read with or without cycles) as a listing, its end time given. */
export function listingOf(test: TestResult, endTime_s: number | null): TestListing {
  const { cycles: _cycles, analysis, ...rest } = test;
  return { ...rest, analysis: analysisHead(analysis), end_time_s: endTime_s };
}

/** End of a test's last cycle, seconds after its start, or `null` without cycles. */
export function lastCycleEnd(cycles: readonly { end_time_s: number }[]): number | null {
  const end = cycles.length ? cycles[cycles.length - 1].end_time_s : null;
  return typeof end === "number" && Number.isFinite(end) ? end : null;
}

/** The error for a test whose `sample_id` names no stored sample. */
export function unknownSampleError(testName: string, sampleId: string): RangeError {
  return new RangeError(
    `Test "${testName}": sample_id "${sampleId}" does not reference a stored sample`,
  );
}

/** The next version of a cell dataset after `previous` (the latest, or `null`). */
export function newDataset(content: CellDatasetInput, previous: CellDataset | null): CellDataset {
  return {
    id: newId(),
    ...content,
    version: (previous?.version ?? 0) + 1,
    previous_id: previous?.id ?? null,
    created_at: nowIso(),
  };
}

/** A checked note with its timestamp. */
export function makeNote(note: { text: string; author?: string | null }): Note {
  if (!note || typeof note.text !== "string" || note.text === "") {
    throw new TypeError("A note needs non-empty text");
  }
  if (note.author !== undefined && note.author !== null && typeof note.author !== "string") {
    throw new TypeError("A note's author must be a string or null");
  }
  return { text: note.text, author: note.author ?? null, timestamp: nowIso() };
}

/** Chunk versions of `old` that `next` no longer uses. */
export function supersededVersions(old: TestResult, next: TestResult): string[] {
  const used = new Set([
    ...(next.data.series ? [next.data.series.version] : []),
    ...next.data.spectra.map((s) => s.version),
  ]);
  return [
    ...new Set([
      ...(old.data.series ? [old.data.series.version] : []),
      ...old.data.spectra.map((s) => s.version),
    ]),
  ].filter((v) => !used.has(v));
}

/** The row range a series read asks for. */
export function seriesRows(
  test: TestResult,
  info: SeriesInfo,
  options: SeriesReadOptions,
): [number, number] {
  if (options.cycle !== undefined && options.rows !== undefined) {
    throw new TypeError("series.read: give either cycle or rows, not both");
  }
  let rows: [number, number] = [0, info.length];
  if (options.cycle !== undefined) {
    const cycle = test.cycles.find((c) => c.cycle === options.cycle);
    if (!cycle) {
      throw new RangeError(
        `Test "${test.name}" has no cycle ${options.cycle} (it has ${test.cycles.length})`,
      );
    }
    rows = [cycle.start_row, cycle.end_row];
  } else if (options.rows !== undefined) rows = options.rows;
  checkRows(rows, info.length, test.id);
  return rows;
}

/** A new running job. */
export function newJob(
  input: { roots: string[]; options?: Record<string, unknown>; total?: number },
): ImportJob {
  if (!input || !Array.isArray(input.roots) || input.roots.some((r) => typeof r !== "string")) {
    throw new TypeError("jobs.start: roots must be an array of strings");
  }
  if (input.total !== undefined && (!Number.isInteger(input.total) || input.total < 0)) {
    throw new RangeError(`jobs.start: total must be a non-negative integer, got ${input.total}`);
  }
  const now = nowIso();
  return {
    id: newId(),
    status: "running",
    roots: [...input.roots],
    options: JSON.parse(JSON.stringify(input.options ?? {})),
    counts: {
      total: input.total ?? null,
      processed: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      failed: 0,
    },
    errors: [],
    files: [],
    started_at: now,
    finished_at: null,
    updated_at: now,
  };
}

const ACTIONS = new Set(["created", "updated", "skipped", "failed"]);

/** A checked file outcome with its timestamp. */
export function checkOutcome(outcome: Omit<FileOutcome, "at"> & { at?: string }): FileOutcome {
  if (!outcome || typeof outcome.path !== "string" || !ACTIONS.has(outcome.action)) {
    throw new TypeError(
      "jobs.record: an outcome needs a path and an action (created, updated, skipped, failed)",
    );
  }
  return {
    path: outcome.path,
    sha256: outcome.sha256 ?? null,
    action: outcome.action,
    test_id: outcome.test_id ?? null,
    error: outcome.error ?? null,
    at: outcome.at ?? nowIso(),
  };
}

/** Count an outcome into a job. */
export function applyOutcome(job: ImportJob, entry: FileOutcome): void {
  if (job.status !== "running") {
    throw new ConflictError(`Import job "${job.id}" is ${job.status}, not running`, job.id);
  }
  job.counts.processed++;
  job.counts[entry.action]++;
  if (entry.action === "failed") job.errors.push(`${entry.path}: ${entry.error ?? "failed"}`);
  job.updated_at = laterIso(job.updated_at);
}

/** End a job with the given or implied status. */
export function finishJob(job: ImportJob, status?: Exclude<JobStatus, "running">): void {
  if (status !== undefined && !["completed", "failed", "interrupted"].includes(status)) {
    throw new RangeError(`jobs.finish: bad status "${status}"`);
  }
  if (job.status !== "running") {
    throw new ConflictError(`Import job "${job.id}" is already ${job.status}`, job.id);
  }
  job.status = status ?? (job.counts.failed > 0 || job.errors.length > 0 ? "failed" : "completed");
  job.finished_at = nowIso();
  job.updated_at = laterIso(job.updated_at);
}

/** Refuse a dataset version built on something other than the latest. */
export function checkExpectedPrevious(
  code: string,
  previous: CellDataset | null,
  expected: string | null | undefined,
): void {
  if (expected === undefined) return;
  if ((previous?.id ?? null) !== expected) {
    throw new ConflictError(
      `Cell dataset "${code}" changed meanwhile: latest is ${
        previous ? `version ${previous.version}` : "none"
      }, expected ${expected ?? "none"}`,
      previous?.id ?? null,
    );
  }
}

/** Checked ISO timestamps for `tests.setTimestamps`, normalized to UTC with milliseconds. */
export function checkTimes(times: { created_at: string; updated_at: string }): {
  created_at: string;
  updated_at: string;
} {
  const out: Record<string, string> = {};
  for (const key of ["created_at", "updated_at"] as const) {
    const ms = Date.parse(times?.[key]);
    if (typeof times?.[key] !== "string" || Number.isNaN(ms)) {
      throw new TypeError(`setTimestamps: ${key} must be an ISO 8601 date-time`);
    }
    out[key] = new Date(ms).toISOString();
  }
  if (out.updated_at < out.created_at) {
    throw new RangeError("setTimestamps: updated_at is before created_at");
  }
  return out as { created_at: string; updated_at: string };
}
