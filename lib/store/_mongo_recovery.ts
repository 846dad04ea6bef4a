// Copyright 2026 the battery-analysis authors. MIT license.
// Recovery in MongoDB: on every open, the pending writes of writers that are gone are completed
// or undone (chunks of tests that never committed, superseded chunks, GridFS pieces without a
// description, half-done deletes) and their running jobs marked interrupted; `repair` also sweeps
// the whole database for what earlier versions, which recorded no intents, could leave.

import { ObjectId } from "npm:mongodb@6.22.0";
import type { JobOwner } from "./documents.ts";
import type { RecoveryReport } from "./store.ts";
import { testHashes } from "./_normalize.ts";
import type { Doc } from "./_mongo_documents.ts";
import type { MongoDb } from "./_mongo_db.ts";
import type { MongoJobs } from "./_mongo_jobs.ts";
import type { MongoTests } from "./_mongo_tests.ts";

/** Recovery and repair of a MongoDB store. */
export class MongoRecovery {
  readonly #db: MongoDb;
  readonly #tests: MongoTests;
  readonly #jobs: MongoJobs;

  /** Recovery of this database's tests, raw files and jobs. */
  constructor(db: MongoDb, parts: { tests: MongoTests; jobs: MongoJobs }) {
    this.#db = db;
    this.#tests = parts.tests;
    this.#jobs = parts.jobs;
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
    return this.#db.op(async () => {
      const report: RecoveryReport = {
        pending_writes: 0,
        jobs_interrupted: 0,
        claims_released: 0,
        chunks_removed: 0,
        raw_files_removed: 0,
      };
      const intents = await this.#db.c.pending.find({}).toArray();
      const running = await this.#db.c.jobs.find({
        status: "running",
        "owner.id": { $exists: true },
      })
        .project({ owner: 1 }).toArray();
      const gone = await this.#db.goneWriters([
        ...intents.map((i) => i.owner as string),
        ...running.map((j) => (j.owner as { id: string }).id),
      ]);
      const live = intents.filter((i) => !gone.has(i.owner as string));
      for (const intent of intents) {
        if (!gone.has(intent.owner as string)) continue;
        await this.#undo(intent, live, report);
        await this.#db.c.pending.deleteOne({ _id: intent._id, owner: intent.owner });
        report.pending_writes++;
      }
      for (const job of running) {
        if (!gone.has((job.owner as { id: string }).id)) continue;
        if (await this.#jobs.interrupt(job._id, job.owner as JobOwner)) report.jobs_interrupted++;
      }
      // Registrations of writers that are gone and have nothing left behind.
      const stale = await this.#db.c.writers.find({ _id: { $ne: this.#db.writer.id } })
        .project({ _id: 1 }).toArray();
      const staleGone = await this.#db.goneWriters(stale.map((w) => w._id));
      const stillReferenced = new Set(
        (await this.#db.c.pending.find({}).project({ owner: 1 }).toArray()).map((i) => i.owner),
      );
      const removable = [...staleGone].filter((id) => !stillReferenced.has(id));
      if (removable.length) await this.#db.c.writers.deleteMany({ _id: { $in: removable } });
      return report;
    });
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
    return this.#db.op(async () => {
      const report = await this.recover();
      const c = this.#db.c;
      const live = await c.pending.find({}).toArray(); // what is left is of live writers
      const liveTests = new Set(live.filter((i) => i.kind === "test").map((i) => i.test_id));
      const liveVersions = new Set(live.map((i) => `${i.test_id}:${i.version}`));
      const liveRaw = new Set(live.filter((i) => i.kind === "raw").map((i) => i.raw_id));
      const current = new Map<string, Set<string> | null>();
      const versionsOf = async (testId: string): Promise<Set<string> | null> => {
        if (!current.has(testId)) {
          const test = await this.#tests.byId(testId, false);
          current.set(
            testId,
            test
              ? new Set([
                ...(test.data.series ? [test.data.series.version] : []),
                ...test.data.spectra.map((s) => s.version),
              ])
              : null,
          );
        }
        return current.get(testId)!;
      };
      const seen = new Set<string>();
      for await (const chunk of c.chunks.find({}).project({ test_id: 1, version: 1 })) {
        const key = `${chunk.test_id}:${chunk.version}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (liveTests.has(chunk.test_id) || liveVersions.has(key)) continue;
        const versions = await versionsOf(chunk.test_id);
        if (versions && versions.has(chunk.version)) continue;
        report.chunks_removed += (await c.chunks.deleteMany({
          test_id: chunk.test_id,
          version: chunk.version,
        })).deletedCount;
      }
      const claims = await c.hashes.find({}).toArray();
      const owners = await this.#db.goneWriters(
        claims.filter((h) => typeof h.owner === "string").map((h) => h.owner as string),
      );
      for (const claim of claims) {
        if (liveTests.has(claim.test_id) || (await versionsOf(claim.test_id as string))) continue;
        const gone = typeof claim.owner === "string"
          ? owners.has(claim.owner)
          : Date.now() - Date.parse(claim.claimed_at as string) > 4 * this.#db.leaseMs;
        if (!gone) continue;
        report.claims_released += (await c.hashes.deleteMany({
          _id: claim._id,
          test_id: claim.test_id,
        })).deletedCount;
      }
      const described = new Set(
        (await c.raw.find({}).project({ _id: 1 }).toArray()).map((d) => d._id as string),
      );
      const files = new Set<string>();
      for await (const file of c.gridFiles.find({}).project({ _id: 1 })) {
        const id = (file._id as ObjectId).toHexString();
        files.add(id);
        if (described.has(id) || liveRaw.has(id)) continue;
        await c.gridFiles.deleteOne({ _id: file._id });
        await c.gridChunks.deleteMany({ files_id: file._id });
        report.raw_files_removed++;
      }
      const pieceOwners = new Set<string>();
      for await (const piece of c.gridChunks.find({}).project({ files_id: 1 })) {
        pieceOwners.add((piece.files_id as ObjectId).toHexString());
      }
      for (const id of pieceOwners) {
        if (files.has(id) || liveRaw.has(id)) continue;
        await c.gridChunks.deleteMany({ files_id: ObjectId.createFromHexString(id) });
        report.raw_files_removed++;
      }
      const hourAgo = new Date(Date.now() - 3600_000).toISOString();
      for (
        const doc of await c.jobs.find({ status: "running", updated_at: { $lt: hourAgo } })
          .toArray()
      ) {
        if (doc.owner) continue; // jobs with a writer were handled by recover()
        if (await this.#jobs.interrupt(doc._id, null)) report.jobs_interrupted++;
      }
      await c.takeovers.deleteMany({ at: { $lt: hourAgo } });
      return report;
    });
  }

  /** Undo or complete one pending write of a writer that is gone. */
  async #undo(intent: Doc, live: Doc[], report: RecoveryReport): Promise<void> {
    const c = this.#db.c;
    if (intent.kind === "test") {
      const testId = intent.test_id as string;
      const test = await this.#tests.byId(testId, false);
      if (!test) {
        report.chunks_removed += (await c.chunks.deleteMany({ test_id: testId })).deletedCount;
        report.claims_released +=
          (await c.hashes.deleteMany({ test_id: testId, owner: intent.owner })).deletedCount;
        if (intent.op === "delete") {
          await c.hashes.deleteMany({ test_id: testId });
          await c.raw.updateMany({ test_id: testId }, { $set: { test_id: null } });
        }
        return;
      }
      const keep = new Set([
        ...(test.data.series ? [test.data.series.version] : []),
        ...test.data.spectra.map((s) => s.version),
        ...live.filter((i) => i.test_id === testId && i.version).map((i) => i.version as string),
      ]);
      report.chunks_removed += (await c.chunks.deleteMany({
        test_id: testId,
        version: { $nin: [...keep] },
      })).deletedCount;
      const hashes = testHashes(test);
      report.claims_released += (await c.hashes.deleteMany({
        test_id: testId,
        owner: intent.owner,
        _id: { $nin: hashes },
      })).deletedCount;
    } else if (intent.kind === "raw") {
      const rawId = intent.raw_id as string;
      if (!(await c.raw.findOne({ _id: rawId }, { projection: { _id: 1 } }))) {
        const oid = ObjectId.createFromHexString(rawId);
        await c.gridFiles.deleteOne({ _id: oid });
        await c.gridChunks.deleteMany({ files_id: oid });
        report.raw_files_removed++;
      }
    }
  }
}
