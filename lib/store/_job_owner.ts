// Copyright 2026 the battery-analysis authors. MIT license.
// Import jobs and the writer that runs them: how a job whose writer is gone is shown and
// resumed, the same in every store.

import type { ImportJob, JobOwner } from "./documents.ts";
import { ConflictError } from "./store_error.ts";
import { writerLabel } from "./_liveness.ts";

/** The line added to `interruptions` of a job whose writer stopped without finishing it. */
export function interruptedMessage(owner: JobOwner | null | undefined, job: ImportJob): string {
  return `interrupted: ${writerLabel(owner)} stopped without finishing the job ` +
    `(last change ${job.updated_at}; ${job.counts.processed} file(s) recorded)`;
}

/** Turn a running job whose writer is gone into an interrupted one (in place). */
export function markInterrupted(job: ImportJob): void {
  if (job.status !== "running") return;
  job.interruptions = [...(job.interruptions ?? []), interruptedMessage(job.owner, job)];
  job.status = "interrupted";
  job.finished_at = job.updated_at;
}

/**
 * Refuse to resume a job that is finished or that a live writer (other than `self`) is still
 * running. `job` must already show a gone writer as `interrupted` (see `markInterrupted`).
 */
export function checkResumable(job: ImportJob, self: string): void {
  if (job.status === "completed" || job.status === "failed") {
    throw new RangeError(`Cannot resume job "${job.id}": it is already ${job.status}`);
  }
  if (job.status === "running" && job.owner && job.owner.id !== self) {
    throw new ConflictError(
      `Cannot resume job "${job.id}": it is still running in ${writerLabel(job.owner)}`,
      job.id,
      writerLabel(job.owner),
    );
  }
}
