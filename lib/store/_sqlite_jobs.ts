// Copyright 2026 the battery-analysis authors. MIT license.
// Import jobs in SQLite: `jobs` (the document without its outcomes) and `job_files` (one row per
// file outcome). Each job records its writer and a heartbeat this store renews; a running job
// whose writer is gone is shown, and stored, as interrupted.

import type { SQLInputValue } from "node:sqlite";
import type { FileOutcome, ImportJob, JobOwner, JobStatus } from "./documents.ts";
import type { JobApi, Page } from "./store.ts";
import { NotFoundError } from "./store_error.ts";
import { laterIso, nowIso } from "./_ids.ts";
import { checkPage } from "./_normalize.ts";
import { applyOutcome, checkOutcome, finishJob, newJob } from "./_shared.ts";
import { newWriter, ownerGone, type WriterIdentity } from "./_liveness.ts";
import { checkResumable, markInterrupted } from "./_job_owner.ts";
import { JOB_LEASE_MS, type SqliteDb } from "./_sqlite_db.ts";

/** The import jobs of a SQLite store. */
export class SqliteJobs {
  readonly #db: SqliteDb;
  #writer: WriterIdentity | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  /** Running jobs this store started or resumed (their heartbeat is renewed). */
  readonly #ownJobs = new Set<string>();

  /** Jobs of this database. */
  constructor(db: SqliteDb) {
    this.#db = db;
  }

  #byId(id: string): ImportJob | null {
    const row = this.#db.get("SELECT doc FROM jobs WHERE id = ?", [id]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  #files(id: string): FileOutcome[] {
    return this.#db.all("SELECT doc FROM job_files WHERE job_id = ? ORDER BY n", [id])
      .map((r) => JSON.parse(r.doc as string));
  }

  #write(job: ImportJob, insert: boolean): void {
    const { files: _, ...doc } = job;
    const params = [job.status, job.started_at, JSON.stringify({ ...doc, files: [] }), job.id];
    this.#db.run(
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
  #ownerGone(job: ImportJob): boolean {
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
    if (!this.#ownerGone(job)) return job;
    if (!this.#db.readOnly) {
      const stored = this.#db.tx(() => {
        const current = this.#byId(job.id);
        if (!current || !this.#ownerGone(current)) return current;
        markInterrupted(current);
        current.updated_at = laterIso(current.updated_at);
        this.#write(current, false);
        return current;
      });
      if (stored) return { ...stored, files: job.files };
    }
    const view = { ...job, errors: [...job.errors] };
    markInterrupted(view);
    return view;
  }

  /**
   * Running jobs whose writer is gone become interrupted (on open and on repair).
   *
   * @returns How many.
   */
  recover(): number {
    let n = 0;
    for (const row of this.#db.all("SELECT doc FROM jobs WHERE status = 'running'")) {
      const job = JSON.parse(row.doc as string) as ImportJob;
      if (this.#ownerGone(job) && this.#truthful(job).status === "interrupted") n++;
    }
    return n;
  }

  /** Renew the heartbeat of this store's running jobs (skipped, not waited for, when busy). */
  #beat(): void {
    if (this.#db.closed || this.#ownJobs.size === 0) return;
    try {
      this.#db.exec("PRAGMA busy_timeout = 0");
      try {
        const now = nowIso();
        this.#db.tx(() => {
          for (const id of this.#ownJobs) {
            this.#db.run(
              "UPDATE jobs SET doc = json_set(doc, '$.heartbeat_at', ?) WHERE id = ? AND status = 'running'",
              [now, id],
            );
          }
        });
      } finally {
        this.#db.exec(`PRAGMA busy_timeout = ${this.#db.busyTimeoutMs}`);
      }
    } catch {
      // busy or unavailable: the next beat tries again
    }
  }

  #own(id: string): void {
    this.#ownJobs.add(id);
    if (this.#heartbeat === null && this.#db.path !== ":memory:") {
      this.#heartbeat = setInterval(() => this.#beat(), JOB_LEASE_MS / 4);
      Deno.unrefTimer(this.#heartbeat);
    }
  }

  /**
   * Running jobs without a writer (written by earlier versions) unchanged for an hour: marked
   * interrupted. Runs inside the caller's transaction (`SqliteStore.repair`).
   *
   * @returns How many were marked.
   */
  interruptAbandoned(): number {
    let n = 0;
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    for (const row of this.#db.all("SELECT doc FROM jobs WHERE status = 'running'")) {
      const job = JSON.parse(row.doc as string) as ImportJob;
      if (job.owner || job.updated_at >= hourAgo) continue;
      markInterrupted(job);
      job.updated_at = laterIso(job.updated_at);
      this.#write(job, false);
      n++;
    }
    return n;
  }

  /** Stop renewing heartbeats (the store closes). */
  stop(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  /** The `jobs` API of the store. */
  api(): JobApi {
    return {
      start: (input) =>
        this.#db.async(() => {
          const job: ImportJob = { ...newJob(input), owner: this.#owner() };
          job.heartbeat_at = job.started_at;
          this.#db.tx(() => this.#write(job, true));
          this.#own(job.id);
          return job;
        }),
      resume: (id) =>
        this.#db.async(() => {
          const resumed = this.#db.tx(() => {
            const stored = this.#byId(id);
            if (!stored) throw new NotFoundError("import job", id);
            if (this.#ownerGone(stored)) markInterrupted(stored);
            checkResumable(stored, this.#owner().id);
            stored.status = "running";
            stored.finished_at = null;
            stored.owner = this.#owner();
            stored.updated_at = laterIso(stored.updated_at);
            stored.heartbeat_at = stored.updated_at;
            this.#write(stored, false);
            stored.files = this.#files(id);
            return stored;
          });
          this.#own(id);
          return resumed;
        }),
      record: (id, outcome) =>
        this.#db.async(() => {
          const entry = checkOutcome(outcome);
          this.#db.tx(() => {
            const job = this.#byId(id);
            if (!job) throw new NotFoundError("import job", id);
            applyOutcome(job, entry);
            job.heartbeat_at = job.updated_at;
            this.#db.run("INSERT INTO job_files (job_id, n, doc) VALUES (?,?,?)", [
              id,
              job.counts.processed,
              JSON.stringify(entry),
            ]);
            this.#write(job, false);
          });
        }),
      addError: (id, message) =>
        this.#db.async(() =>
          this.#db.tx(() => {
            const job = this.#byId(id);
            if (!job) throw new NotFoundError("import job", id);
            job.errors.push(String(message));
            job.updated_at = laterIso(job.updated_at);
            this.#write(job, false);
          })
        ),
      finish: (id, options = {}) =>
        this.#db.async(() =>
          this.#db.tx(() => {
            const job = this.#byId(id);
            if (!job) throw new NotFoundError("import job", id);
            finishJob(job, options.status);
            this.#write(job, false);
            this.#ownJobs.delete(id);
            job.files = this.#files(id);
            return job;
          })
        ),
      get: (id) =>
        this.#db.async(() => {
          const stored = this.#byId(id);
          if (!stored) return null;
          const job = this.#truthful(stored);
          job.files = this.#files(id);
          return job;
        }),
      list: (options: Page & { status?: JobStatus } = {}) =>
        this.#db.async(() => {
          const { limit, skip } = checkPage(options);
          const where = options.status !== undefined ? "WHERE status = ?" : "";
          const params: SQLInputValue[] = options.status !== undefined ? [options.status] : [];
          const jobs = this.#db.all(
            `SELECT doc FROM jobs ${where} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`,
            [...params, limit ?? -1, skip],
          ).map((r) => this.#truthful(JSON.parse(r.doc as string)));
          return options.status === undefined
            ? jobs
            : jobs.filter((j) => j.status === options.status);
        }),
    };
  }
}
