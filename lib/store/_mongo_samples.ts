// Copyright 2026 the battery-analysis authors. MIT license.
// Samples in MongoDB (`samples`): unique names, links checked, and metrics aggregated from the
// per-test contributions each sample keeps (`_contrib`, guarded by a revision counter).

import type { Document, Filter } from "npm:mongodb@6.22.0";
import { type Sample, SAMPLE_LINKS, type SampleFields, type SampleInput } from "./documents.ts";
import type { SampleApi, SampleFilter, Upserted } from "./store.ts";
import { NotFoundError } from "./store_error.ts";
import { laterIso, nowIso } from "./_ids.ts";
import {
  aggregateMetrics,
  checkName,
  checkPage,
  checkSampleFields,
  checkSampleInput,
  checkSampleLinks,
  type Contribution,
} from "./_normalize.ts";
import { checkDeletable, makeNote, nameTakenError, newSample } from "./_shared.ts";
import { encodeDocument } from "./_mongo_encoding.ts";
import { type Doc, fromDoc, isDuplicateKey, toDoc } from "./_mongo_documents.ts";
import type { MongoDb } from "./_mongo_db.ts";

/** The samples of a MongoDB store. */
export class MongoSamples {
  readonly #db: MongoDb;

  /** Samples of this database. */
  constructor(db: MongoDb) {
    this.#db = db;
  }

  /** The sample with this id, or `null`. */
  async byId(id: string): Promise<Sample | null> {
    return fromDoc<Sample>(await this.#db.c.samples.findOne({ _id: id }));
  }

  /** Whether a sample with this id exists. */
  exists = async (id: string): Promise<boolean> =>
    (await this.#db.c.samples.countDocuments({ _id: id }, { limit: 1 })) > 0;

  #filter(filter: SampleFilter): Filter<Doc> {
    const q: Filter<Doc> = {};
    for (const f of ["name", "chemistry", "cell_code", "parent_id"] as const) {
      if (filter[f] !== undefined) q[f] = filter[f];
    }
    if (filter.tags?.length) q.$and = filter.tags.map((t) => ({ tags: t }));
    return q;
  }

  /** The `samples` API of the store. */
  api(): SampleApi {
    const c = this.#db.c;
    const newSampleDoc = (name: string, fields: Partial<SampleFields>): Doc =>
      toDoc<Sample>(newSample(name, fields), { _contrib: {}, _rev: 0 });
    const upsert = async (input: SampleInput): Promise<Upserted<Sample>> => {
      const { name, fields } = checkSampleInput(input);
      const { tags, ...set } = fields;
      for (let attempt = 0;; attempt++) {
        const existing = await c.samples.findOne({ name }, { projection: { _id: 1 } });
        await checkSampleLinks(
          fields,
          existing?._id ?? null,
          `Sample "${name}"`,
          this.exists,
        );
        const fresh = newSampleDoc(name, {});
        const now = fresh.updated_at as string;
        const hasChanges = Object.keys(set).length > 0 || (tags?.length ?? 0) > 0;
        const onInsert: Record<string, unknown> = { ...fresh };
        for (const key of [...Object.keys(set), "updated_at"]) delete onInsert[key];
        if (tags?.length) delete onInsert.tags;
        const update: Document = { $setOnInsert: hasChanges ? onInsert : fresh };
        if (hasChanges) update.$set = { ...encodeDocument(set), updated_at: now };
        if (tags?.length) update.$addToSet = { tags: { $each: tags } };
        try {
          const doc = await c.samples.findOneAndUpdate({ name }, update, {
            upsert: true,
            returnDocument: "after",
          });
          return { doc: fromDoc<Sample>(doc)!, created: doc?._id === fresh._id };
        } catch (error) {
          // Two writers inserted the same new name at once: the loser retries as an update.
          if (isDuplicateKey(error) && attempt < 3) continue;
          throw error;
        }
      }
    };
    return {
      create: (input) =>
        this.#db.op(async () => {
          const { name, fields } = checkSampleInput(input);
          await checkSampleLinks(fields, null, `Sample "${name}"`, this.exists);
          const doc = newSampleDoc(name, fields);
          try {
            await c.samples.insertOne(doc);
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
            const existing = await c.samples.findOne({ name });
            throw nameTakenError(name, existing?._id ?? null);
          }
          return fromDoc<Sample>(doc)!;
        }),
      upsert: (input: SampleInput) =>
        this.#db.op(() => this.#db.lock.run("samples", () => upsert(input))),
      get: (id) => this.#db.op(() => this.byId(id)),
      getByName: (name) =>
        this.#db.op(async () => fromDoc<Sample>(await c.samples.findOne({ name }))),
      find: (filter = {}) =>
        this.#db.op(async () => {
          const { limit, skip } = checkPage(filter);
          const cursor = c.samples.find(this.#filter(filter)).sort({ name: 1 }).skip(skip);
          if (limit !== null) cursor.limit(limit);
          if (limit === 0) return [];
          return (await cursor.toArray()).map((d) => fromDoc<Sample>(d)!);
        }),
      count: (filter = {}) => this.#db.op(() => c.samples.countDocuments(this.#filter(filter))),
      update: (id, patch) =>
        this.#db.op(() =>
          this.#db.lock.run("samples", async () => {
            const { name, ...rest } = patch;
            const fields = checkSampleFields(rest, `Sample "${id}"`);
            const newName = name === undefined ? undefined : checkName(name);
            const old = await this.byId(id);
            if (!old) throw new NotFoundError("sample", id);
            await checkSampleLinks(fields, id, `Sample "${old.name}"`, this.exists);
            const set: Record<string, unknown> = {
              ...encodeDocument(fields),
              updated_at: laterIso(old.updated_at),
            };
            if (newName !== undefined && newName !== old.name) {
              const other = await c.samples.findOne({ name: newName }, { projection: { _id: 1 } });
              if (other) throw nameTakenError(newName, other._id);
              set.name = newName;
            }
            try {
              await c.samples.updateOne({ _id: id }, { $set: set });
            } catch (error) {
              if (!isDuplicateKey(error)) throw error;
              const other = await c.samples.findOne({ name: newName });
              throw nameTakenError(newName!, other?._id ?? null);
            }
            return (await this.byId(id))!;
          })
        ),
      addNote: (id, note) =>
        this.#db.op(() =>
          this.#db.lock.run("samples", async () => {
            const entry = makeNote(note);
            const r = await c.samples.updateOne({ _id: id }, {
              $push: { notes: entry } as Document,
              $set: { updated_at: nowIso() },
            });
            if (r.matchedCount === 0) throw new NotFoundError("sample", id);
            return entry;
          })
        ),
      delete: (id) =>
        this.#db.op(async () => {
          const sample = await this.byId(id);
          if (!sample) throw new NotFoundError("sample", id);
          checkDeletable(sample, { tests: await c.tests.countDocuments({ sample_id: id }) });
          const linked = await c.samples.findOne({ $or: SAMPLE_LINKS.map((l) => ({ [l]: id })) });
          checkDeletable(sample, { linkedFrom: linked?.name as string | undefined });
          await c.samples.deleteOne({ _id: id });
        }),
    };
  }

  /**
   * Set or remove one test's contribution and recompute the sample's metrics from the stored
   * contributions (never from the tests). A revision counter makes concurrent writers retry
   * instead of overwriting each other's aggregates.
   */
  async contribute(
    sampleId: string,
    testId: string,
    contribution: Contribution | null,
  ): Promise<void> {
    await this.#db.lock.run("samples", () => this.#contributeNow(sampleId, testId, contribution));
  }

  async #contributeNow(
    sampleId: string,
    testId: string,
    contribution: Contribution | null,
  ): Promise<void> {
    const key = `_contrib.${testId}`;
    const update = contribution
      ? { $set: { [key]: contribution }, $inc: { _rev: 1 } }
      : { $unset: { [key]: "" }, $inc: { _rev: 1 } };
    let doc = await this.#db.c.samples.findOneAndUpdate({ _id: sampleId }, update, {
      returnDocument: "after",
    });
    while (doc) {
      const metrics = aggregateMetrics(
        Object.values((doc._contrib ?? {}) as Record<string, Contribution>),
      );
      const r = await this.#db.c.samples.updateOne(
        { _id: sampleId, _rev: doc._rev },
        { $set: { metrics, updated_at: laterIso(doc.updated_at as string) } },
      );
      if (r.matchedCount === 1) return;
      doc = await this.#db.c.samples.findOne({ _id: sampleId });
    }
  }
}
