// Copyright 2026 the battery-analysis authors. MIT license.
// Tests in SQLite: the `tests` table (queried columns, the document, its cycle tables and the
// bulky parts of its analysis in their own columns), file-hash claims (`test_hashes`), series and
// spectrum chunks (`data_chunks`) and the narrow `test_index` lists filter, sort and page in.
// A test, its claims, chunks, index row and its sample's metrics are written in one transaction.

import type { SQLInputValue } from "node:sqlite";
import {
  SUMMARY_NUMBER_FIELDS,
  type SummaryNumberField,
  type TestFields,
  type TestInput,
  type TestListing,
  type TestResult,
} from "./documents.ts";
import type { TestApi, TestData, TestFilter, TestSortKey } from "./store.ts";
import { NotFoundError, StoreError } from "./store_error.ts";
import { laterIso } from "./_ids.ts";
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
  needsActivityColumns,
  searchWords,
  TEST_EQUALITY_FILTERS,
} from "./_test_query.ts";
import { indexRow, INSERT_INDEX_ROW } from "./_sqlite_test_index.ts";
import { sqliteTestNumbers, sqliteTestStats } from "./_sqlite_test_stats.ts";
import type { ChunkQuery } from "./_chunked_data.ts";
import { type Row, type SqliteDb, type Where, where } from "./_sqlite_db.ts";
import type { SqliteSamples } from "./_sqlite_samples.ts";

/** The tests of a SQLite store. */
export class SqliteTests {
  readonly #db: SqliteDb;
  readonly #samples: SqliteSamples;

  /** Tests of this database, whose writes update these samples' metrics. */
  constructor(db: SqliteDb, samples: SqliteSamples) {
    this.#db = db;
    this.#samples = samples;
  }

  /** The columns a test is read from (the layout of the schema version in use). */
  #columns(withCycles: boolean): string {
    const detail = this.#db.detailColumn ? ", analysis_detail" : "";
    return `doc${detail}${withCycles ? ", cycles, analysis_cycles" : ""}`;
  }

  /** The test with this id (without its cycle tables unless `withCycles`), or `null`. */
  byId(id: string, withCycles = true): TestResult | null {
    const row = this.#db.get(`SELECT ${this.#columns(withCycles)} FROM tests WHERE id = ?`, [id]);
    return row ? rowToTest(row, withCycles) : null;
  }

  #write(test: TestResult, insert: boolean): void {
    const { cycles, ...doc } = test;
    const analysisCycles = test.analysis ? JSON.stringify(test.analysis.cycles) : null;
    let detail: string | null = null;
    if (doc.analysis) {
      const { cycles: _c, current_levels, retention, fade, dqdv, pulse, ...head } = doc.analysis;
      detail = JSON.stringify({ current_levels, retention, fade, dqdv, pulse });
      doc.analysis = { ...head, cycles: [] } as unknown as TestResult["analysis"];
    }
    const params = [
      test.sample_id,
      test.file_hash,
      test.name,
      test.base_name,
      test.cell_code,
      test.tester,
      test.test_type,
      test.start_time,
      test.created_at,
      JSON.stringify({ ...doc, _end_time_s: lastCycleEnd(cycles) }),
      JSON.stringify(cycles),
      analysisCycles,
      detail,
      test.id,
    ];
    if (insert) {
      this.#db.run(
        "INSERT INTO tests (sample_id, file_hash, name, base_name, cell_code, tester, test_type, start_time, created_at, doc, cycles, analysis_cycles, analysis_detail, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        params,
      );
    } else {
      this.#db.run(
        "UPDATE tests SET sample_id=?, file_hash=?, name=?, base_name=?, cell_code=?, tester=?, test_type=?, start_time=?, created_at=?, doc=?, cycles=?, analysis_cycles=?, analysis_detail=? WHERE id=?",
        params,
      );
    }
    if (this.#db.indexed()) {
      this.#db.run(INSERT_INDEX_ROW, indexRow(test, lastCycleEnd(cycles)));
    }
  }

  #claimHashes(hashes: string[], testId: string): void {
    for (const hash of hashes) {
      const owner = this.#db.get("SELECT test_id FROM test_hashes WHERE hash = ?", [hash]);
      if (owner && owner.test_id !== testId) {
        throw hashTakenError(hash, owner.test_id as string);
      }
    }
    this.#db.run("DELETE FROM test_hashes WHERE test_id = ?", [testId]);
    for (const hash of hashes) {
      this.#db.run("INSERT INTO test_hashes (hash, test_id) VALUES (?, ?)", [hash, testId]);
    }
  }

  #insertChunks(testId: string, chunks: Chunk[], version: string): void {
    for (const c of chunks) {
      this.#db.run(
        "INSERT INTO data_chunks (test_id, version, kind, seq, chunk, col, row_start, row_count, bytes) VALUES (?,?,?,?,?,?,?,?,?)",
        [testId, version, c.kind, c.seq, c.chunk, c.column, c.row_start, c.row_count, c.bytes],
      );
    }
  }

  /** Refuse what needs `test_index` on a file older than version 3 (opened read-only). */
  #requireIndex(what: string): void {
    if (this.#db.indexed()) return;
    throw new StoreError(
      `${this.#db.describe().text} has schema version ${this.#db.schemaVersion()}: to ${what} ` +
        "it needs version 3 (open it once for writing to migrate)",
    );
  }

  /** WHERE over `test_index` (alias `i`) for a test filter. */
  #indexWhere(filter: TestFilter): Where {
    checkTestQuery(filter);
    if (needsActivityColumns(filter) && !this.#db.activityIndexed()) {
      throw new StoreError(
        `${this.#db.describe().text} has schema version ${this.#db.schemaVersion()}: filters ` +
          "on the last data point or the fade analysis and the random order need version 5 " +
          "(open it once for writing to migrate)",
      );
    }
    const clauses: string[] = [];
    const params: SQLInputValue[] = [];
    const add = (clause: string, ...values: SQLInputValue[]) => {
      clauses.push(clause);
      params.push(...values);
    };
    for (const f of TEST_EQUALITY_FILTERS) {
      if (filter[f] !== undefined) add(`i.${f} = ?`, filter[f] as SQLInputValue);
    }
    if (filter.sample_ids !== undefined) {
      add(
        `i.sample_id IN (${filter.sample_ids.map(() => "?").join(",") || "NULL"})`,
        ...filter.sample_ids,
      );
    }
    if (filter.started_from !== undefined) add("i.start_time >= ?", filter.started_from);
    if (filter.started_before !== undefined) add("i.start_time < ?", filter.started_before);
    for (const tag of filter.tags ?? []) add("instr(i.tags, ?) > 0", `\n${tag}\n`);
    if (filter.any_tags?.length) {
      add(
        `(${filter.any_tags.map(() => "instr(i.tags, ?) > 0").join(" OR ")})`,
        ...filter.any_tags.map((t) => `\n${t}\n`),
      );
    }
    for (const tag of filter.exclude_tags ?? []) add("instr(i.tags, ?) = 0", `\n${tag}\n`);
    if (filter.tester_any_case !== undefined) {
      add("i.tester_lc = ?", filter.tester_any_case.toLowerCase());
    }
    if (filter.protocol !== undefined) add("i.protocol = ?", filter.protocol);
    for (const code of filter.flags ?? []) add("instr(i.flag_codes, ?) > 0", `,${code},`);
    for (const c of filter.summary ?? []) {
      add(`i.m_${c.field} ${c.op} ?`, c.value); // field and operator checked against fixed lists
    }
    if (filter.has_fade !== undefined) add("i.has_fade = ?", filter.has_fade ? 1 : 0);
    if (filter.last_data_from !== undefined) {
      add("i.last_data_ms >= ?", Date.parse(filter.last_data_from));
    }
    if (filter.last_data_before !== undefined) {
      add("i.last_data_ms < ?", Date.parse(filter.last_data_before));
    }
    if (filter.last_data_known !== undefined) {
      add(`i.last_data_ms IS ${filter.last_data_known ? "NOT " : ""}NULL`);
    }
    for (const word of searchWords(filter.text)) {
      add(
        "(instr(i.search_text, ?) > 0 OR i.sample_id IN (SELECT id FROM samples WHERE " +
          "instr(lower(name), ?) > 0 OR instr(lower(coalesce(chemistry, '')), ?) > 0))",
        word,
        word,
        word,
      );
    }
    return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
  }

  /**
   * WHERE over `tests` for a test filter: through `test_index` when the schema has it (every
   * filter), else on the columns of `tests` (an older database opened read-only: the filters on
   * the analysis, free text and sort keys are refused).
   */
  #testWhere(filter: TestFilter): Where {
    if (this.#db.indexed()) {
      const { where, params } = this.#indexWhere(filter);
      return where
        ? { where: `WHERE id IN (SELECT i.test_id FROM test_index i ${where})`, params }
        : { where: "", params };
    }
    const extra: [string, SQLInputValue[]][] = [];
    if (filter.sample_ids !== undefined) {
      extra.push([
        `sample_id IN (${filter.sample_ids.map(() => "?").join(",") || "NULL"})`,
        filter.sample_ids,
      ]);
    }
    if (filter.started_from !== undefined) extra.push(["start_time >= ?", [filter.started_from]]);
    if (filter.started_before !== undefined) {
      extra.push(["start_time < ?", [filter.started_before]]);
    }
    checkTestQuery(filter);
    const needsIndex = needsActivityColumns(filter) || filter.tester_any_case !== undefined ||
      filter.protocol !== undefined ||
      !!filter.any_tags?.length || !!filter.exclude_tags?.length ||
      !!filter.flags?.length || !!filter.summary?.length || searchWords(filter.text).length > 0 ||
      (filter.sort !== undefined && filter.sort.key !== "start_time");
    if (needsIndex) {
      throw new StoreError(
        `${this.#db.describe().text} has schema version ${this.#db.schemaVersion()}: filters on the ` +
          "analysis, free text and sort keys need version 3 (open it once for writing to migrate)",
      );
    }
    return where(
      filter,
      TEST_EQUALITY_FILTERS,
      extra,
    );
  }

  /** The stored chunks of a test's series or spectra (see `ChunkReader`). */
  chunks(testId: string, query: ChunkQuery): Chunk[] {
    const versions = query.versions.map(() => "?").join(",") || "NULL";
    const range = query.range ? " AND chunk BETWEEN ? AND ?" : "";
    const seq = query.seq !== undefined ? " AND seq = ?" : "";
    return this.#db.all(
      `SELECT seq, col AS column, row_start, row_count, bytes FROM data_chunks WHERE test_id = ? AND kind = ? AND version IN (${versions})${seq}${range}`,
      [
        testId,
        query.kind,
        ...query.versions,
        ...(query.seq !== undefined ? [query.seq] : []),
        ...(query.range ?? []),
      ],
    ) as unknown as Chunk[];
  }

  /** The `tests` API of the store. */
  api(): TestApi {
    const create = (input: TestInput, data?: TestData): TestResult => {
      const fields = completeTestInput(input, data?.series?.length ?? null);
      const encoded = encodeTestData(data, this.#db.chunkRows);
      const test = newTest(fields, encoded);
      const id = test.id;
      return this.#db.tx(() => {
        if (!this.#samples.exists(fields.sample_id)) {
          throw unknownSampleError(fields.name, fields.sample_id);
        }
        this.#claimHashes(testHashes(fields), id);
        this.#insertChunks(id, encoded.chunks, encoded.version);
        this.#write(test, true);
        this.#samples.contribute(fields.sample_id, id, contributionOf(test));
        return test;
      });
    };
    const update = (id: string, patch: Partial<TestFields>, data?: TestData): TestResult => {
      const fields = checkTestFields(patch ?? {}, `Test "${id}"`);
      const encoded = encodeTestData(data, this.#db.chunkRows);
      return this.#db.tx(() => {
        const old = this.byId(id);
        if (!old) throw new NotFoundError("test", id);
        if (fields.sample_id !== undefined && !this.#samples.exists(fields.sample_id)) {
          throw unknownSampleError(old.name, fields.sample_id);
        }
        const next = nextTest(old, { fields, encoded });
        if (fields.file_hash !== undefined || fields.parts !== undefined) {
          this.#claimHashes(testHashes(next), id);
        }
        this.#insertChunks(id, encoded.chunks, encoded.version);
        for (const v of supersededVersions(old, next)) {
          this.#db.run("DELETE FROM data_chunks WHERE test_id = ? AND version = ?", [id, v]);
        }
        this.#write(next, false);
        if (next.sample_id !== old.sample_id) this.#samples.contribute(old.sample_id, id, null);
        this.#samples.contribute(next.sample_id, id, contributionOf(next));
        return next;
      });
    };
    return {
      create: (input, data) => this.#db.async(() => create(input, data)),
      update: (id, patch, data) => this.#db.async(() => update(id, patch, data)),
      get: (id) => this.#db.async(() => this.byId(id)),
      getByHash: (sha256) =>
        this.#db.async(() => {
          const row = this.#db.get("SELECT test_id FROM test_hashes WHERE hash = ?", [
            String(sha256).toLowerCase(),
          ]);
          return row ? this.byId(row.test_id as string) : null;
        }),
      find: (filter = {}) =>
        this.#db.async(() => {
          const { limit, skip } = checkPage(filter);
          const withCycles = !filter.without_cycles;
          const detail = this.#db.detailColumn ? ", t.analysis_detail" : "";
          const columns = withCycles
            ? `t.doc${detail}, t.cycles, t.analysis_cycles`
            : `t.doc${detail}`;
          if (!this.#db.indexed()) {
            const { where, params } = this.#testWhere(filter);
            return this.#db.all(
              `SELECT ${columns} FROM tests t ${where} ORDER BY start_time IS NULL, start_time, created_at, id LIMIT ? OFFSET ?`,
              [...params, limit ?? -1, skip],
            ).map((r) => rowToTest(r, withCycles));
          }
          // Filter, sort and page in the narrow index; read the documents of the page only.
          const { where, params } = this.#indexWhere(filter);
          return this.#db.all(
            `WITH page AS (SELECT test_id, row_number() OVER () AS k FROM (SELECT i.test_id FROM test_index i ${where} ${
              testOrder(filter)
            } LIMIT ? OFFSET ?)) SELECT ${columns} FROM page JOIN tests t ON t.id = page.test_id ORDER BY page.k`,
            [...params, limit ?? -1, skip],
          ).map((r) => rowToTest(r, withCycles));
        }),
      list: (filter = {}) =>
        this.#db.async(() => {
          const { limit, skip } = checkPage(filter);
          const page = [limit ?? -1, skip];
          const end = "json_extract(t.cycles, '$[#-1].end_time_s') AS end_time_s";
          const older = (r: Row) =>
            listingOf(rowToTest(r, false), (r.end_time_s as number | null) ?? null);
          if (!this.#db.indexed()) {
            // A database this program may not migrate (opened read-only): the older layouts.
            const { where, params } = this.#testWhere(filter);
            return this.#db.all(
              `SELECT t.doc, ${end} FROM tests t ${where} ORDER BY start_time IS NULL, start_time, created_at, id LIMIT ? OFFSET ?`,
              [...params, ...page],
            ).map(older);
          }
          const { where, params } = this.#indexWhere(filter);
          const pageOf =
            `WITH page AS (SELECT test_id, row_number() OVER () AS k FROM (SELECT i.test_id FROM test_index i ${where} ${
              testOrder(filter)
            } LIMIT ? OFFSET ?))`;
          if (!this.#db.detailColumn) {
            return this.#db.all(
              `${pageOf} SELECT t.doc, ${end} FROM page JOIN tests t ON t.id = page.test_id ORDER BY page.k`,
              [...params, ...page],
            ).map(older);
          }
          // Only the head of each document: the analysis's bulky parts are in analysis_detail.
          return this.#db.all(
            `${pageOf} SELECT t.doc FROM page JOIN tests t ON t.id = page.test_id ORDER BY page.k`,
            [...params, ...page],
          ).map((r) => {
            const raw = JSON.parse(r.doc as string);
            const endTime = raw._end_time_s ?? null;
            delete raw._end_time_s;
            const doc = currentTest(raw) as unknown as TestListing;
            delete (doc as { cycles?: unknown }).cycles;
            if (doc.analysis) delete (doc.analysis as { cycles?: unknown }).cycles;
            doc.end_time_s = endTime;
            return doc;
          });
        }),
      count: (filter = {}) =>
        this.#db.async(() => {
          if (!this.#db.indexed()) {
            const { where, params } = this.#testWhere(filter);
            return this.#db.get(`SELECT count(*) AS n FROM tests ${where}`, params)!.n as number;
          }
          const { where, params } = this.#indexWhere(filter);
          return this.#db.get(`SELECT count(*) AS n FROM test_index i ${where}`, params)!
            .n as number;
        }),
      stats: (filter = {}, options = {}) =>
        this.#db.async(() => {
          const checked = checkStatsOptions(options);
          this.#requireIndex("summarize tests");
          return sqliteTestStats(this.#db, this.#indexWhere(filter), checked);
        }),
      numbers: (filter, fields) =>
        this.#db.async(() => {
          const { limit, skip } = checkPage(filter ?? {});
          const checked = checkNumberFields(fields ?? []);
          this.#requireIndex("read the numbers of tests");
          return sqliteTestNumbers(
            this.#db,
            this.#indexWhere(filter ?? {}),
            testOrder(filter ?? {}),
            { limit, skip },
            checked,
          );
        }),
      cellCodes: () =>
        this.#db.async(() =>
          this.#db.all(
            "SELECT DISTINCT cell_code FROM tests WHERE cell_code IS NOT NULL AND cell_code != '' ORDER BY cell_code",
          ).map((r) => r.cell_code as string)
        ),
      addNote: (id, note) =>
        this.#db.async(() => {
          const entry = makeNote(note);
          return this.#db.tx(() => {
            const test = this.byId(id);
            if (!test) throw new NotFoundError("test", id);
            test.notes.push(entry);
            test.updated_at = laterIso(test.updated_at);
            this.#write(test, false);
            return entry;
          });
        }),
      setTimestamps: (id, times) =>
        this.#db.async(() => {
          const { created_at, updated_at } = checkTimes(times);
          this.#db.tx(() => {
            const test = this.byId(id);
            if (!test) throw new NotFoundError("test", id);
            this.#write({ ...test, created_at, updated_at }, false);
          });
        }),
      delete: (id) =>
        this.#db.async(() =>
          this.#db.tx(() => {
            const test = this.byId(id, false);
            if (!test) throw new NotFoundError("test", id);
            this.#db.run("DELETE FROM data_chunks WHERE test_id = ?", [id]);
            this.#db.run("DELETE FROM test_hashes WHERE test_id = ?", [id]);
            this.#db.run("DELETE FROM tests WHERE id = ?", [id]);
            if (this.#db.indexed()) this.#db.run("DELETE FROM test_index WHERE test_id = ?", [id]);
            this.#db.run(
              "UPDATE raw_files SET test_id = NULL, doc = json_set(doc, '$.test_id', json('null')) WHERE test_id = ?",
              [id],
            );
            this.#samples.contribute(test.sample_id, id, null);
          })
        ),
    };
  }
}

function rowToTest(row: Row, withCycles: boolean): TestResult {
  const raw = JSON.parse(row.doc as string);
  delete raw._end_time_s;
  const doc = currentTest(raw);
  doc.cycles = withCycles ? JSON.parse(row.cycles as string) : [];
  if (doc.analysis && typeof row.analysis_detail === "string") {
    Object.assign(doc.analysis, JSON.parse(row.analysis_detail));
  }
  if (doc.analysis && withCycles && typeof row.analysis_cycles === "string") {
    doc.analysis.cycles = JSON.parse(row.analysis_cycles);
  }
  return doc;
}

/** SQL of each sort key over `test_index` (alias `i`; the sample's fields by subquery). */
const SORT_SQL: Record<TestSortKey, string> = {
  start_time: "i.start_time",
  name: "i.name_lc",
  sample: "(SELECT lower(s.name) FROM samples s WHERE s.id = i.sample_id)",
  chemistry: "(SELECT lower(s.chemistry) FROM samples s WHERE s.id = i.sample_id)",
  tester: "i.tester_lc",
  test_type: "i.test_type",
  cell_code: "nullif(i.cell_code, '')",
  protocol: "i.protocol",
  flag_count: "i.flag_count",
  last_data_time: "i.last_data_ms",
  random: "i.random_key",
  ...Object.fromEntries(SUMMARY_NUMBER_FIELDS.map((f) => [f, `i.m_${f}`])) as Record<
    SummaryNumberField,
    string
  >,
};

/** ORDER BY of a test filter: by its sort key (missing values last), else by start time. */
function testOrder(filter: TestFilter): string {
  if (!filter.sort) return "ORDER BY i.start_time IS NULL, i.start_time, i.created_at, i.test_id";
  const expr = SORT_SQL[filter.sort.key];
  const dir = filter.sort.order === "desc" ? "DESC" : "ASC";
  return `ORDER BY ${expr} IS NULL, ${expr} ${dir}, i.start_time IS NULL, i.start_time, i.test_id`;
}
