// Copyright 2026 the battery-analysis authors. MIT license.
// Import jobs in MongoDB: `import_jobs` (the job with its writer) and `import_job_files` (one
// document per file outcome, written before the counters, so the outcomes are the truth when a
// writer died in between). A running job whose writer is gone is shown, and stored, as
// interrupted.

import type { Document, Filter } from "npm:mongodb@6.22.0";
import type { ImportJob, JobOwner, JobStatus } from "./documents.ts";
import type { JobApi, Page } from "./store.ts";
import { ConflictError, NotFoundError } from "./store_error.ts";
import { laterIso, nowIso } from "./_ids.ts";
import { checkPage } from "./_normalize.ts";
import { applyOutcome, checkOutcome, finishJob, newJob } from "./_shared.ts";
import { checkResumable, interruptedMessage, markInterrupted } from "./_job_owner.ts";
import { type Doc, fromDoc, toDoc } from "./_mongo_documents.ts";
import type { MongoDb } from "./_mongo_db.ts";

/** The import jobs of a MongoDB store. */
export class MongoJobs {
  readonly #db: MongoDb;

  /** Jobs of this database. */
  constructor(db: MongoDb) {
    this.#db = db;
  }

  /**
   * Counters and failure lines of a job from its recorded outcomes (in place): the outcomes are
   * written first, so they are the truth when a writer died between the two writes.
   */
  async #recount(job: ImportJob): Promise<void> {
    const files = await this.#db.c.jobFiles.find({ job_id: job.id }).toArray();
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
  async interrupt(id: string, owner: JobOwner | null): Promise<boolean> {
    const job = fromDoc<ImportJob>(await this.#db.c.jobs.findOne({ _id: id }));
    if (!job || job.status !== "running") return false;
    await this.#recount(job);
    const r = await this.#db.c.jobs.updateOne({ _id: id, status: "running" }, {
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

  /** The `jobs` API of the store. */
  api(): JobApi {
    const c = this.#db.c;
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
      const gone = await this.#db.goneWriters(owners);
      for (const job of jobs) {
        if (job.status !== "running" || !job.owner || !gone.has(job.owner.id)) continue;
        if (!this.#db.readOnly) await this.interrupt(job.id, job.owner);
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
    const owner = (): JobOwner => ({ ...this.#db.writer });
    return {
      start: (input) =>
        this.#db.op(async () => {
          await this.#db.register();
          const job = { ...newJob(input), owner: owner() };
          const { files: _, ...doc } = job;
          await c.jobs.insertOne(toDoc(doc));
          return job;
        }),
      resume: (id) =>
        this.#db.op(() =>
          this.#db.lock.run(`job:${id}`, async () => {
            await this.#db.register();
            const job = await get(id);
            if (!job) throw new NotFoundError("import job", id);
            checkResumable(job, this.#db.writer.id);
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
        this.#db.op(() =>
          this.#db.lock.run(`job:${id}`, async () => {
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
        this.#db.op(() =>
          this.#db.lock.run(`job:${id}`, async () => {
            const r = await c.jobs.updateOne({ _id: id }, {
              $push: { errors: String(message) } as Document,
              $set: { updated_at: nowIso() },
            });
            if (r.matchedCount === 0) throw new NotFoundError("import job", id);
          })
        ),
      finish: (id, options = {}) =>
        this.#db.op(() =>
          this.#db.lock.run(`job:${id}`, async () => {
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
      get: (id) => this.#db.op(() => get(id)),
      list: (options: Page & { status?: JobStatus } = {}) =>
        this.#db.op(async () => {
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
}
