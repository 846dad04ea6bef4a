// Copyright 2026 the battery-analysis authors. MIT license.
// Samples in SQLite: the `samples` table (queried columns beside the JSON document) and the
// per-test contributions their metrics are aggregated from (`sample_contributions`).

import { type Sample, SAMPLE_LINKS, type SampleFields, type SampleInput } from "./documents.ts";
import type { SampleApi, SampleFilter, Upserted } from "./store.ts";
import { NotFoundError } from "./store_error.ts";
import { laterIso } from "./_ids.ts";
import {
  aggregateMetrics,
  checkName,
  checkPage,
  checkSampleFields,
  checkSampleInput,
  type Contribution,
  unionTags,
} from "./_normalize.ts";
import { checkDeletable, makeNote, nameTakenError, newSample } from "./_shared.ts";
import { type SqliteDb, type Where, where } from "./_sqlite_db.ts";

/** The samples of a SQLite store. */
export class SqliteSamples {
  readonly #db: SqliteDb;

  /** Samples of this database. */
  constructor(db: SqliteDb) {
    this.#db = db;
  }

  /** The sample with this id, or `null`. */
  byId(id: string): Sample | null {
    const row = this.#db.get("SELECT doc FROM samples WHERE id = ?", [id]);
    return row ? JSON.parse(row.doc as string) : null;
  }

  /** Whether a sample with this id exists. */
  exists(id: string): boolean {
    return this.#db.get("SELECT 1 AS x FROM samples WHERE id = ?", [id]) !== undefined;
  }

  /** Insert or replace a sample's row. */
  write(sample: Sample, insert: boolean): void {
    const params = [
      sample.name,
      sample.chemistry,
      sample.cell_code,
      ...SAMPLE_LINKS.map((l) => sample[l]),
      JSON.stringify(sample),
      sample.id,
    ];
    if (insert) {
      this.#db.run(
        "INSERT INTO samples (name, chemistry, cell_code, parent_id, anode_id, cathode_id, separator_id, electrolyte_id, doc, id) VALUES (?,?,?,?,?,?,?,?,?,?)",
        params,
      );
    } else {
      this.#db.run(
        "UPDATE samples SET name=?, chemistry=?, cell_code=?, parent_id=?, anode_id=?, cathode_id=?, separator_id=?, electrolyte_id=?, doc=? WHERE id=?",
        params,
      );
    }
  }

  #checkLinks(fields: Partial<SampleFields>, selfId: string | null, what: string): void {
    for (const link of SAMPLE_LINKS) {
      const target = fields[link];
      if (target === undefined || target === null) continue;
      if (target === selfId) {
        throw new RangeError(`${what}: ${link} cannot reference the sample itself`);
      }
      if (!this.exists(target)) {
        throw new RangeError(`${what}: ${link} "${target}" does not reference a stored sample`);
      }
    }
  }

  #insert(name: string, fields: Partial<SampleFields>): Sample {
    const sample = newSample(name, fields);
    this.#checkLinks(sample, sample.id, `Sample "${name}"`);
    this.write(sample, true);
    return sample;
  }

  #patch(sample: Sample, fields: Partial<SampleFields>, addTags: boolean): Sample {
    const next: Sample = {
      ...sample,
      ...fields,
      tags: fields.tags
        ? (addTags ? unionTags(sample.tags, fields.tags) : fields.tags)
        : sample.tags,
      updated_at: laterIso(sample.updated_at),
    };
    this.#checkLinks(fields, sample.id, `Sample "${sample.name}"`);
    this.write(next, false);
    return next;
  }

  #where(filter: SampleFilter): Where {
    return where(filter, ["name", "chemistry", "cell_code", "parent_id"]);
  }

  /** The `samples` API of the store. */
  api(): SampleApi {
    return {
      create: (input) =>
        this.#db.async(() => {
          const { name, fields } = checkSampleInput(input);
          return this.#db.tx(() => {
            const existing = this.#db.get("SELECT id FROM samples WHERE name = ?", [name]);
            if (existing) throw nameTakenError(name, existing.id as string);
            return this.#insert(name, fields);
          });
        }),
      upsert: (input: SampleInput) =>
        this.#db.async((): Upserted<Sample> => {
          const { name, fields } = checkSampleInput(input);
          return this.#db.tx(() => {
            const row = this.#db.get("SELECT doc FROM samples WHERE name = ?", [name]);
            if (!row) return { doc: this.#insert(name, fields), created: true };
            const sample = JSON.parse(row.doc as string) as Sample;
            if (Object.keys(fields).length === 0) return { doc: sample, created: false };
            return { doc: this.#patch(sample, fields, true), created: false };
          });
        }),
      get: (id) => this.#db.async(() => this.byId(id)),
      getByName: (name) =>
        this.#db.async(() => {
          const row = this.#db.get("SELECT doc FROM samples WHERE name = ?", [name]);
          return row ? JSON.parse(row.doc as string) : null;
        }),
      find: (filter = {}) =>
        this.#db.async(() => {
          const { limit, skip } = checkPage(filter);
          const { where, params } = this.#where(filter);
          return this.#db.all(
            `SELECT doc FROM samples ${where} ORDER BY name LIMIT ? OFFSET ?`,
            [...params, limit ?? -1, skip],
          ).map((r) => JSON.parse(r.doc as string));
        }),
      count: (filter = {}) =>
        this.#db.async(() => {
          const { where, params } = this.#where(filter);
          return this.#db.get(`SELECT count(*) AS n FROM samples ${where}`, params)!.n as number;
        }),
      update: (id, patch) =>
        this.#db.async(() => {
          const { name, ...rest } = patch;
          const fields = checkSampleFields(rest, `Sample "${id}"`);
          const newName = name === undefined ? undefined : checkName(name);
          return this.#db.tx(() => {
            const sample = this.byId(id);
            if (!sample) throw new NotFoundError("sample", id);
            if (newName !== undefined && newName !== sample.name) {
              const other = this.#db.get("SELECT id FROM samples WHERE name = ?", [newName]);
              if (other) throw nameTakenError(newName, other.id as string);
              sample.name = newName;
            }
            return this.#patch(sample, fields, false);
          });
        }),
      addNote: (id, note) =>
        this.#db.async(() => {
          const entry = makeNote(note);
          return this.#db.tx(() => {
            const sample = this.byId(id);
            if (!sample) throw new NotFoundError("sample", id);
            sample.notes.push(entry);
            sample.updated_at = laterIso(sample.updated_at);
            this.write(sample, false);
            return entry;
          });
        }),
      delete: (id) =>
        this.#db.async(() =>
          this.#db.tx(() => {
            const sample = this.byId(id);
            if (!sample) throw new NotFoundError("sample", id);
            const tests = this.#db.get("SELECT count(*) AS n FROM tests WHERE sample_id = ?", [id])!
              .n as number;
            checkDeletable(sample, { tests });
            const linked = this.#db.get(
              `SELECT name FROM samples WHERE ${
                SAMPLE_LINKS.map((l) => `${l} = ?`).join(" OR ")
              } LIMIT 1`,
              SAMPLE_LINKS.map(() => id),
            );
            checkDeletable(sample, { linkedFrom: linked?.name as string | undefined });
            this.#db.run("DELETE FROM samples WHERE id = ?", [id]);
          })
        ),
    };
  }

  /** Set or remove one test's contribution to a sample and recompute the sample's metrics. */
  contribute(sampleId: string, testId: string, contribution: Contribution | null): void {
    if (contribution) {
      this.#db.run(
        "INSERT INTO sample_contributions (sample_id, test_id, doc) VALUES (?,?,?) ON CONFLICT (sample_id, test_id) DO UPDATE SET doc = excluded.doc",
        [sampleId, testId, JSON.stringify(contribution)],
      );
    } else {
      this.#db.run("DELETE FROM sample_contributions WHERE sample_id = ? AND test_id = ?", [
        sampleId,
        testId,
      ]);
    }
    const all = this.#db.all("SELECT doc FROM sample_contributions WHERE sample_id = ?", [sampleId])
      .map((r) => JSON.parse(r.doc as string) as Contribution);
    const sample = this.byId(sampleId);
    if (!sample) return;
    sample.metrics = aggregateMetrics(all);
    sample.updated_at = laterIso(sample.updated_at);
    this.write(sample, false);
  }
}
