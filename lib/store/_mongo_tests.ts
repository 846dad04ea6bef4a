// Copyright 2026 the battery-analysis authors. MIT license.
// Tests in MongoDB: documents in `test_results` (with the index fields lists query), file-hash
// claims in `test_hashes` (`_id` = hash, decided by insert) and series and spectrum chunks in
// `data_chunks`. A test and its data are written in commit-point order: intent, claims, chunks
// under a new version, the test document (the commit point), then superseded chunks removed.

import { Binary, type Document, type Filter, type FindOptions } from "npm:mongodb@6.22.0";
import {
  SUMMARY_NUMBER_FIELDS,
  type TestFields,
  type TestInput,
  type TestResult,
} from "./documents.ts";
import type { TestApi, TestData, TestFilter } from "./store.ts";
import { ConflictError, isConnectionFailure, NotFoundError } from "./store_error.ts";
import { laterIso, newId, nowIso } from "./_ids.ts";
import type { Chunk } from "./_columnar.ts";
import {
  checkPage,
  checkTestFields,
  completeTestInput,
  contributionOf,
  testHashes,
} from "./_normalize.ts";
import {
  checkTimes,
  currentTest,
  encodeTestData,
  hashTakenError,
  lastCycleEnd,
  listingOf,
  makeNote,
  newTest,
  nextTest,
  supersededVersions,
  unknownSampleError,
} from "./_shared.ts";
import {
  checkNumberFields,
  checkStatsOptions,
  checkTestQuery,
  searchWords,
  TEST_EQUALITY_FILTERS,
} from "./_test_query.ts";
import { mongoTestStats, type SampleFacets, statsProjection } from "./_mongo_test_stats.ts";
import { type WriterIdentity, writerLabel } from "./_liveness.ts";
import type { ChunkQuery } from "./_chunked_data.ts";
import {
  chunkId,
  delay,
  type Doc,
  escapeRegex,
  fromDoc,
  indexFields,
  isDuplicateKey,
  LIGHT_TEST,
  lightened,
  LISTED_TEST,
  NO_START,
  toDoc,
} from "./_mongo_documents.ts";
import type { MongoDb } from "./_mongo_db.ts";
import type { MongoSamples } from "./_mongo_samples.ts";

/** The tests of a MongoDB store. */
export class MongoTests {
  readonly #db: MongoDb;
  readonly #samples: MongoSamples;

  /** Tests of this database, whose writes update these samples' metrics. */
  constructor(db: MongoDb, samples: MongoSamples) {
    this.#db = db;
    this.#samples = samples;
  }

  /** The test with this id (without its cycle tables unless `withCycles`), or `null`. */
  async byId(id: string, withCycles = true): Promise<TestResult | null> {
    const doc = await this.#db.c.tests.findOne({ _id: id }, withCycles ? {} : LIGHT_TEST);
    const test = fromDoc<TestResult>(doc);
    return test ? lightened(currentTest(test), withCycles) : null;
  }

  /**
   * Claim file hashes for a test. A hash stored by another test is a `ConflictError` naming that
   * test and the writer that stored it; a hash claimed by a writer that is gone is taken over
   * (one writer wins, by an insert into `claim_takeovers`); a hash claimed by a live writer is
   * waited for (it commits, gives up or dies) for up to `claimWaitMs`. On any failure what this
   * call claimed is released.
   */
  async #claimHashes(hashes: string[], testId: string): Promise<void> {
    const claimed: string[] = [];
    const release = () =>
      this.#db.c.hashes.deleteMany({ _id: { $in: claimed }, test_id: testId }).catch(() => {});
    const me = this.#db.writer;
    const started = Date.now();
    try {
      for (const hash of hashes) {
        for (let attempt = 0;; attempt++) {
          const claim = {
            _id: hash,
            test_id: testId,
            owner: me.id,
            host: me.host,
            pid: me.pid,
            claimed_at: nowIso(),
          };
          try {
            await this.#db.c.hashes.insertOne(claim);
            claimed.push(hash);
            break;
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
          }
          const owner = await this.#db.c.hashes.findOne({ _id: hash });
          if (!owner) continue; // released meanwhile: claim again
          if (owner.test_id === testId) break;
          const holder = owner.owner === undefined
            ? null
            : writerLabel(owner as unknown as WriterIdentity);
          if (
            await this.#db.c.tests.countDocuments({ _id: owner.test_id as string }, { limit: 1 })
          ) {
            throw hashTakenError(hash, owner.test_id as string, holder);
          }
          // Not committed: its writer is still storing it, or died doing so.
          const ownerId = (owner.owner as string | undefined) ?? null;
          const gone = ownerId === null
            ? Date.now() - Date.parse(owner.claimed_at as string) > this.#db.leaseMs * 4
            : (await this.#db.goneWriters([ownerId])).has(ownerId);
          if (gone) {
            const ticket = `${hash}:${ownerId}:${owner.claimed_at}`;
            const won = await this.#db.c.takeovers.insertOne({
              _id: ticket,
              by: me.id,
              at: nowIso(),
            })
              .then(() => true, (error) => {
                if (isDuplicateKey(error)) return false;
                throw error;
              });
            if (won) {
              await this.#db.c.hashes.replaceOne({ _id: hash, test_id: owner.test_id }, claim);
              claimed.push(hash);
              break;
            }
            continue;
          }
          if (Date.now() - started > this.#db.claimWaitMs) {
            throw new ConflictError(
              `File hash ${hash} is being stored by ${holder ?? "another writer"}`,
              owner.test_id as string,
            );
          }
          await delay(Math.min(50 * 2 ** Math.min(attempt, 5), 1000));
        }
      }
    } catch (error) {
      await release();
      throw error;
    }
  }

  async #insertChunks(testId: string, chunks: Chunk[], version: string): Promise<void> {
    const batch = 8;
    for (let i = 0; i < chunks.length; i += batch) {
      await this.#db.c.chunks.insertMany(
        chunks.slice(i, i + batch).map((c) => ({
          _id: chunkId(testId, version, c),
          test_id: testId,
          version,
          kind: c.kind,
          seq: c.seq,
          chunk: c.chunk,
          column: c.column,
          row_start: c.row_start,
          row_count: c.row_count,
          bytes: new Binary(c.bytes),
        })),
        { ordered: true },
      );
    }
  }

  /** The test documents a filter selects, sorted and paged, read with `projection`. */
  async #findTests(filter: TestFilter, projection: FindOptions): Promise<Doc[]> {
    const c = this.#db.c;
    const { limit, skip } = checkPage(filter);
    if (limit === 0) return [];
    const query = await this.#filter(filter);
    const key = filter.sort?.key;
    if (key === "sample" || key === "chemistry") {
      // The sample's fields are not in the test: sorted here, after the filter.
      const docs = await c.tests.find(query, projection).toArray();
      const samples = new Map(
        (await c.samples.find({ _id: { $in: [...new Set(docs.map((d) => d.sample_id))] } })
          .toArray()).map((d) => [d._id, d]),
      );
      const value = (d: Doc): string | null => {
        const v = samples.get(d.sample_id)?.[key === "sample" ? "name" : "chemistry"];
        return typeof v === "string" ? v.toLowerCase() : null;
      };
      const sign = filter.sort!.order === "desc" ? -1 : 1;
      const keyed = docs.map((d) => ({ d, v: value(d) }));
      keyed.sort((a, b) => {
        if (a.v !== b.v) {
          if (a.v === null || b.v === null) return a.v === null ? 1 : -1;
          return (a.v < b.v ? -1 : 1) * sign;
        }
        if (a.d._start !== b.d._start) return a.d._start < b.d._start ? -1 : 1;
        return a.d._id < b.d._id ? -1 : a.d._id > b.d._id ? 1 : 0;
      });
      return keyed.slice(skip, limit === null ? undefined : skip + limit).map(({ d }) => d);
    }
    const order = filter.sort?.order === "desc" ? -1 : 1;
    const sort = key
      ? { [`_kn.${key}`]: 1, [`_k.${key}`]: order, _start: 1, _id: 1 }
      : { _start: 1, created_at: 1, _id: 1 };
    const cursor = c.tests.find(query, projection).sort(sort as Record<string, 1 | -1>).skip(skip);
    if (limit !== null) cursor.limit(limit);
    return await cursor.toArray();
  }

  #doc(test: TestResult): Doc {
    return toDoc(test, {
      _start: test.start_time ?? NO_START,
      _end_time_s: lastCycleEnd(test.cycles),
      ...indexFields(test),
    });
  }

  async #filter(filter: TestFilter): Promise<Filter<Doc>> {
    const q: Filter<Doc> = {};
    for (const f of TEST_EQUALITY_FILTERS) {
      if (filter[f] !== undefined) q[f] = filter[f];
    }
    if (filter.sample_ids !== undefined) q.sample_id = { $in: filter.sample_ids };
    if (filter.sample_id !== undefined && filter.sample_ids !== undefined) {
      q.$and = [{ sample_id: filter.sample_id }, { sample_id: { $in: filter.sample_ids } }];
      delete q.sample_id;
    }
    const range: Record<string, string> = {};
    if (filter.started_from !== undefined) range.$gte = filter.started_from;
    if (filter.started_before !== undefined) range.$lt = filter.started_before;
    if (Object.keys(range).length) q.start_time = { ...range, $type: "string" } as never;
    if (filter.tags?.length) {
      q.$and = [...((q.$and as Filter<Doc>[]) ?? []), ...filter.tags.map((t) => ({ tags: t }))];
    }
    if (filter.any_tags?.length) {
      q.$and = [...((q.$and as Filter<Doc>[]) ?? []), { tags: { $in: filter.any_tags } }];
    }
    if (filter.exclude_tags?.length) {
      q.$and = [...((q.$and as Filter<Doc>[]) ?? []), { tags: { $nin: filter.exclude_tags } }];
    }
    // The stored analysis, free text: the index fields written with every test (indexFields).
    checkTestQuery(filter);
    const and: Filter<Doc>[] = [];
    if (filter.tester_any_case !== undefined) {
      and.push({ _tester_lc: filter.tester_any_case.toLowerCase() });
    }
    if (filter.protocol !== undefined) and.push({ _protocol: filter.protocol });
    if (filter.has_fade !== undefined) {
      and.push({ _has_fade: filter.has_fade ? true : { $ne: true } });
    }
    const last: Record<string, unknown> = {};
    if (filter.last_data_from !== undefined) last.$gte = Date.parse(filter.last_data_from);
    if (filter.last_data_before !== undefined) last.$lt = Date.parse(filter.last_data_before);
    if (Object.keys(last).length) {
      and.push({ "_k.last_data_time": { ...last, $type: "number" } });
    }
    if (filter.last_data_known !== undefined) {
      and.push({ "_kn.last_data_time": filter.last_data_known ? 0 : 1 });
    }
    if (filter.flags?.length) and.push({ _flags: { $all: filter.flags } });
    const OPS = { "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "=": "$eq" } as const;
    for (const c of filter.summary ?? []) {
      and.push({ [`_k.${c.field}`]: { [OPS[c.op]]: c.value, $type: "number" } });
    }
    const words = searchWords(filter.text);
    if (words.length) {
      const samples = await this.#db.c.samples.find({}, { projection: { name: 1, chemistry: 1 } })
        .toArray();
      for (const word of words) {
        const ids = samples.filter((d) =>
          String(d.name ?? "").toLowerCase().includes(word) ||
          String(d.chemistry ?? "").toLowerCase().includes(word)
        ).map((d) => d._id);
        and.push({
          $or: [{ _search: { $regex: escapeRegex(word) } }, { sample_id: { $in: ids } }],
        });
      }
    }
    if (and.length) q.$and = [...((q.$and as Filter<Doc>[]) ?? []), ...and];
    return q;
  }

  /**
   * Chunks matching a query, in one round trip (MongoDB answers from the compound index).
   * FerretDB 1.24's SQLite backend scans the collection for any filter (even `_id`), which
   * makes MongoDB reads there slow for large series; measured in `bench/store_bench.ts`.
   */
  async chunks(testId: string, query: ChunkQuery): Promise<Chunk[]> {
    const q: Filter<Doc> = {
      test_id: testId,
      kind: query.kind,
      version: query.versions.length === 1 ? query.versions[0] : { $in: query.versions },
    };
    if (query.seq !== undefined) q.seq = query.seq;
    if (query.range) q.chunk = { $gte: query.range[0], $lte: query.range[1] };
    const docs = await this.#db.c.chunks.find(q).toArray();
    return docs.map((d) => ({
      kind: d.kind,
      seq: d.seq,
      chunk: d.chunk,
      column: d.column,
      row_start: d.row_start,
      row_count: d.row_count,
      bytes: (d.bytes as Binary).value(),
    }));
  }

  /** The `tests` API of the store. */
  api(): TestApi {
    const c = this.#db.c;
    const create = async (input: TestInput, data?: TestData): Promise<TestResult> => {
      const fields = completeTestInput(input, data?.series?.length ?? null);
      if (!(await this.#samples.exists(fields.sample_id))) {
        throw unknownSampleError(fields.name, fields.sample_id);
      }
      const encoded = encodeTestData(data, this.#db.chunkRows);
      const test = newTest(fields, encoded);
      const id = test.id;
      const hashes = testHashes(fields);
      const intent = `test:${encoded.version}`;
      await this.#db.intend(intent, {
        kind: "test",
        op: "create",
        test_id: id,
        version: encoded.version,
      });
      try {
        await this.#claimHashes(hashes, id);
        try {
          await this.#insertChunks(id, encoded.chunks, encoded.version);
          await c.tests.insertOne(this.#doc(test)); // commit point
        } catch (error) {
          // Undo; when the server is gone meanwhile, the intent stays for recovery.
          await c.chunks.deleteMany({ test_id: id, version: encoded.version });
          await c.hashes.deleteMany({ _id: { $in: hashes }, test_id: id });
          if (isDuplicateKey(error)) {
            const other = await c.tests.findOne({ file_hash: fields.file_hash });
            const claim = await c.hashes.findOne({ _id: fields.file_hash });
            throw hashTakenError(
              fields.file_hash,
              other?._id ?? null,
              claim?.owner ? writerLabel(claim as unknown as WriterIdentity) : null,
            );
          }
          throw error;
        }
      } catch (error) {
        if (!isConnectionFailure(error)) await this.#db.done(intent);
        throw error;
      }
      await this.#samples.contribute(fields.sample_id, id, contributionOf(test));
      await this.#db.done(intent);
      return test;
    };
    const update = async (
      id: string,
      patch: Partial<TestFields>,
      data?: TestData,
    ): Promise<TestResult> => {
      const fields = checkTestFields(patch ?? {}, `Test "${id}"`);
      const old = await this.byId(id);
      if (!old) throw new NotFoundError("test", id);
      if (fields.sample_id !== undefined && !(await this.#samples.exists(fields.sample_id))) {
        throw unknownSampleError(old.name, fields.sample_id);
      }
      const encoded = encodeTestData(data, this.#db.chunkRows);
      const next = nextTest(old, { fields, encoded });
      const oldHashes = testHashes(old);
      const newHashes = testHashes(next);
      const added = newHashes.filter((h) => !oldHashes.includes(h));
      const removed = oldHashes.filter((h) => !newHashes.includes(h));
      const intent = `test:${encoded.version}`;
      await this.#db.intend(intent, {
        kind: "test",
        op: "update",
        test_id: id,
        version: encoded.version,
      });
      try {
        await this.#claimHashes(added, id);
        try {
          await this.#insertChunks(id, encoded.chunks, encoded.version);
          // Commit point; `updated_at` guards against a concurrent update of the same test.
          const r = await c.tests.replaceOne(
            { _id: id, updated_at: old.updated_at },
            this.#doc(next),
          );
          if (r.matchedCount === 0) {
            throw new ConflictError(`Test "${old.name}" was changed by another writer; retry`, id);
          }
        } catch (error) {
          await c.chunks.deleteMany({ test_id: id, version: encoded.version });
          if (added.length) await c.hashes.deleteMany({ _id: { $in: added }, test_id: id });
          throw error;
        }
      } catch (error) {
        if (!isConnectionFailure(error)) await this.#db.done(intent);
        throw error;
      }
      const superseded = supersededVersions(old, next);
      if (superseded.length) {
        await c.chunks.deleteMany({ test_id: id, version: { $in: superseded } });
      }
      if (removed.length) await c.hashes.deleteMany({ _id: { $in: removed }, test_id: id });
      if (next.sample_id !== old.sample_id) await this.#samples.contribute(old.sample_id, id, null);
      await this.#samples.contribute(next.sample_id, id, contributionOf(next));
      await this.#db.done(intent);
      return next;
    };
    return {
      create: (input, data) => this.#db.op(() => create(input, data)),
      update: (id, patch, data) =>
        this.#db.op(() => this.#db.lock.run(`test:${id}`, () => update(id, patch, data))),
      get: (id) => this.#db.op(() => this.byId(id)),
      getByHash: (sha256) =>
        this.#db.op(async () => {
          const claim = await c.hashes.findOne({ _id: String(sha256).toLowerCase() });
          return claim ? await this.byId(claim.test_id as string) : null;
        }),
      find: (filter = {}) =>
        this.#db.op(async () => {
          const withCycles = !filter.without_cycles;
          return (await this.#findTests(filter, withCycles ? {} : LIGHT_TEST)).map((d) =>
            lightened(currentTest(fromDoc<TestResult>(d)!), withCycles)
          );
        }),
      list: (filter = {}) =>
        this.#db.op(async () => {
          const docs = await this.#findTests(filter, LISTED_TEST);
          // Tests written before `_end_time_s` existed: their cycles tell.
          const older = docs.filter((d) => d._end_time_s === undefined).map((d) => d._id);
          const ends = new Map<unknown, number | null>();
          if (older.length) {
            const found = c.tests.find({ _id: { $in: older } }, { projection: { cycles: 1 } });
            for (const d of await found.toArray()) {
              ends.set(d._id, lastCycleEnd((d.cycles as { end_time_s: number }[]) ?? []));
            }
          }
          return docs.map((d) => {
            const test = currentTest(fromDoc<TestResult>(d)!);
            const end = d._end_time_s === undefined ? ends.get(d._id) ?? null : d._end_time_s;
            return listingOf(test, end as number | null);
          });
        }),
      count: (filter = {}) =>
        this.#db.op(async () => c.tests.countDocuments(await this.#filter(filter))),
      stats: (filter = {}, options = {}) =>
        this.#db.op(async () => {
          const checked = checkStatsOptions(options);
          const docs = c.tests.find(await this.#filter(filter), {
            projection: statsProjection(checked),
          });
          return await mongoTestStats(docs, checked, async (ids) => {
            const found = await c.samples.find({ _id: { $in: ids } }, {
              projection: { chemistry: 1, form_factor: 1 },
            }).toArray();
            return new Map(found.map((d): [string, SampleFacets] => [d._id as string, {
              chemistry: typeof d.chemistry === "string" ? d.chemistry : null,
              form_factor: typeof d.form_factor === "string" ? d.form_factor : null,
            }]));
          });
        }),
      numbers: (filter, fields) =>
        this.#db.op(async () => {
          const checked = checkNumberFields(fields ?? []);
          // Headline numbers from the index fields, a test's conditions from the document.
          const summary = new Set<string>(SUMMARY_NUMBER_FIELDS);
          const path = (f: string) => summary.has(f) ? `_k.${f}` : f;
          const projection: Document = { _id: 1, sample_id: 1, _start: 1 };
          for (const f of checked) projection[path(f)] = 1;
          return (await this.#findTests(filter ?? {}, { projection })).map((d) => ({
            id: d._id as string,
            sample_id: d.sample_id as string,
            values: Object.fromEntries(checked.map((f) => {
              const v = summary.has(f) ? (d._k as Document | undefined)?.[f] : d[f];
              return [f, typeof v === "number" && Number.isFinite(v) ? v : null];
            })),
          }));
        }),
      cellCodes: () =>
        this.#db.op(async () =>
          (await c.tests.distinct("cell_code"))
            .filter((v): v is string => typeof v === "string" && v !== "")
            .sort()
        ),
      addNote: (id, note) =>
        this.#db.op(() =>
          this.#db.lock.run(`test:${id}`, async () => {
            const entry = makeNote(note);
            const old = await c.tests.findOne({ _id: id }, { projection: { updated_at: 1 } });
            if (!old) throw new NotFoundError("test", id);
            await c.tests.updateOne({ _id: id }, {
              $push: { notes: entry } as Document,
              $set: { updated_at: laterIso(old.updated_at as string) },
            });
            return entry;
          })
        ),
      setTimestamps: (id, times) =>
        this.#db.op(() =>
          this.#db.lock.run(`test:${id}`, async () => {
            const { created_at, updated_at } = checkTimes(times);
            const r = await c.tests.updateOne({ _id: id }, { $set: { created_at, updated_at } });
            if (r.matchedCount === 0) throw new NotFoundError("test", id);
          })
        ),
      delete: (id) =>
        this.#db.op(() =>
          this.#db.lock.run(`test:${id}`, async () => {
            const test = await this.byId(id, false);
            if (!test) throw new NotFoundError("test", id);
            const intent = `delete:${id}:${newId()}`;
            await this.#db.intend(intent, { kind: "test", op: "delete", test_id: id });
            await c.tests.deleteOne({ _id: id }); // commit point
            await c.chunks.deleteMany({ test_id: id });
            await c.hashes.deleteMany({ test_id: id });
            await c.raw.updateMany({ test_id: id }, { $set: { test_id: null } });
            await this.#samples.contribute(test.sample_id, id, null);
            await this.#db.done(intent);
          })
        ),
    };
  }
}
