// Copyright 2026 the battery-analysis authors. MIT license.
// Document logic shared by the store adapters (notes, data versions, row ranges, job counters,
// dataset version checks), so that every store behaves the same.

import type {
  CellDataset,
  FileOutcome,
  ImportJob,
  JobStatus,
  Note,
  SeriesInfo,
  TestResult,
} from "./documents.ts";
import type { SeriesReadOptions } from "./store.ts";
import { ConflictError } from "./store_error.ts";
import { laterIso, newId, nowIso } from "./_ids.ts";
import { checkRows } from "./_columnar.ts";

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
