// Copyright 2026 the battery-analysis authors. MIT license.
// The row of a test in SQLite's narrow `test_index` table (schema version 3; version 5 adds the
// last data point, the fade analysis and the random order), written with every test write and
// computed again from the documents by the migrations that add columns.

import type { SQLInputValue } from "node:sqlite";
import { SUMMARY_NUMBER_FIELDS, type TestResult } from "./documents.ts";
import { TEST_CONDITION_FIELDS } from "./store.ts";
import { currentTest } from "./_shared.ts";
import { hasFade, lastDataMs, randomKey, testSearchText } from "./_test_query.ts";

/** The columns of `test_index`. */
export const INDEX_COLUMNS = "test_id,sample_id,start_time,created_at,name,base_name,cell_code," +
  "tester,test_type,tags,name_lc,tester_lc,protocol,flag_codes,flag_count,search_text," +
  "last_data_ms,has_fade,random_key," + SUMMARY_NUMBER_FIELDS.map((f) => `m_${f}`).join(",") +
  "," + TEST_CONDITION_FIELDS.map((f) => `t_${f}`).join(",");

/** A finite number, else `null`. */
const finite = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) ? v : null;

/** The statement writing one `test_index` row. */
export const INSERT_INDEX_ROW = `INSERT OR REPLACE INTO test_index (${INDEX_COLUMNS}) VALUES (${
  INDEX_COLUMNS.split(",").map(() => "?").join(",")
})`;

/** The `test_index` row of a test whose last cycle ends `endTimeS` after its start. */
export function indexRow(test: TestResult, endTimeS: number | null): SQLInputValue[] {
  const s = test.analysis?.summary ?? null;
  return [
    test.id,
    test.sample_id,
    test.start_time,
    test.created_at,
    test.name,
    test.base_name,
    test.cell_code,
    test.tester,
    test.test_type,
    `\n${test.tags.map((t) => `${t}\n`).join("")}`,
    test.name.toLowerCase(),
    test.tester.toLowerCase(),
    s?.protocol ?? null,
    s ? `,${s.flag_codes.join(",")},` : null,
    s ? s.flag_codes.length : null,
    testSearchText(test),
    lastDataMs(test.start_time, endTimeS),
    hasFade(test) ? 1 : 0,
    randomKey(test.id),
    ...SUMMARY_NUMBER_FIELDS.map((f) => finite(s?.[f])),
    ...TEST_CONDITION_FIELDS.map((f) => finite(test[f])),
  ];
}

/** What {@link reindexTests} runs on: the database's statement helpers. */
export interface IndexWriter {
  /** Each row of a query, one at a time. */
  iterate(sql: string): Iterable<Record<string, SQLInputValue>>;
  /** Run a statement. */
  run(sql: string, params?: SQLInputValue[]): void;
}

/**
 * Compute every `test_index` row again from its test's document (the head kept in `doc` from
 * schema version 4: summary, tags, fade note and `_end_time_s`), inside a migration.
 */
export function reindexTests(db: IndexWriter): void {
  for (const row of db.iterate("SELECT doc FROM tests")) {
    const raw = JSON.parse(row.doc as string);
    const end = typeof raw._end_time_s === "number" ? raw._end_time_s : null;
    delete raw._end_time_s;
    db.run(INSERT_INDEX_ROW, indexRow(currentTest(raw), end));
  }
}
