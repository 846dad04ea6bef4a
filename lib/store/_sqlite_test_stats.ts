// Copyright 2026 the battery-analysis authors. MIT license.
// `tests.stats` and `tests.numbers` of the SQLite store: GROUP BY and narrow SELECTs over the
// `test_index` table (alias `i`), never reading a test's document. Tags and flag codes are kept
// in the index as delimited strings ("\na\nb\n", ",a,b,"): a recursive CTE splits them.

import type { SQLInputValue } from "node:sqlite";
import { SUMMARY_NUMBER_FIELDS, type SummaryNumberField } from "./documents.ts";
import type {
  GroupMetric,
  MetricSummary,
  TestGroup,
  TestGroupKey,
  TestNumberField,
  TestNumbers,
  TestStats,
  TestStatsOptions,
} from "./store.ts";
import { sortGroups } from "./_test_query.ts";

type Row = Record<string, SQLInputValue>;

/** What the queries run on: the store's statement helpers. */
export interface SqlRunner {
  /** All rows of a query. */
  all(sql: string, params?: SQLInputValue[]): Row[];
}

/** A WHERE clause over `test_index i` and its parameters. */
export interface IndexWhere {
  where: string;
  params: SQLInputValue[];
}

/** `count(i.m_f), avg(i.m_f)` (and min, max) of each metric, as SQL select items. */
function metricColumns(metrics: readonly SummaryNumberField[], extremes: boolean): string {
  return metrics.map((f, k) =>
    `, count(i.m_${f}) AS n${k}, avg(i.m_${f}) AS a${k}` +
    (extremes ? `, min(i.m_${f}) AS lo${k}, max(i.m_${f}) AS hi${k}` : "")
  ).join("");
}

function groupMetrics(row: Row, metrics: readonly SummaryNumberField[]) {
  const out: Partial<Record<SummaryNumberField, GroupMetric>> = {};
  metrics.forEach((f, k) => {
    out[f] = { n: Number(row[`n${k}`]), mean: (row[`a${k}`] as number | null) ?? null };
  });
  return out;
}

/** The value a group key reads, over `test_index i` joined with `samples s` when needed. */
const GROUP_SQL: Record<Exclude<TestGroupKey, "tag" | "flag">, string> = {
  protocol: "i.protocol",
  tester: "i.tester",
  test_type: "i.test_type",
  chemistry: "s.chemistry",
  form_factor: "json_extract(s.doc, '$.form_factor')",
};

/**
 * Values of a delimited list column, one row per (test, value): `tags` ("\na\nb\n") or
 * `flag_codes` (",a,b,").
 */
function splitCte(column: "tags" | "flag_codes", where: string): string {
  const sep = column === "tags" ? "char(10)" : "','";
  return `WITH RECURSIVE split(id, rest, v) AS (
  SELECT i.test_id, substr(i.${column}, 2), NULL FROM test_index i ${where}
  UNION ALL
  SELECT id, substr(rest, instr(rest, ${sep}) + 1), substr(rest, 1, instr(rest, ${sep}) - 1)
  FROM split WHERE rest != '' AND instr(rest, ${sep}) > 0)`;
}

/**
 * Counts and summaries over the tests a WHERE selects (see `TestApi.stats`), in a few GROUP BY
 * queries over the index.
 */
export function sqliteTestStats(
  db: SqlRunner,
  filter: IndexWhere,
  options: Required<TestStatsOptions>,
): TestStats {
  const { where, params } = filter;
  const { by, metrics } = options;
  const [overall] = db.all(
    `SELECT count(*) AS count${metricColumns(metrics, true)} FROM test_index i ${where}`,
    params,
  );
  const summaries: Partial<Record<SummaryNumberField, MetricSummary>> = {};
  metrics.forEach((f, k) => {
    summaries[f] = {
      n: Number(overall[`n${k}`]),
      mean: (overall[`a${k}`] as number | null) ?? null,
      min: (overall[`lo${k}`] as number | null) ?? null,
      max: (overall[`hi${k}`] as number | null) ?? null,
    };
  });
  const groups: Partial<Record<TestGroupKey, TestGroup[]>> = {};
  const columns = metricColumns(metrics, false);
  for (const key of by) {
    let rows: Row[];
    if (key === "tag" || key === "flag") {
      rows = db.all(
        `${splitCte(key === "tag" ? "tags" : "flag_codes", where)}
SELECT sp.v AS v, count(*) AS n${columns} FROM split sp JOIN test_index i ON i.test_id = sp.id
WHERE sp.v IS NOT NULL AND sp.v != '' GROUP BY sp.v`,
        params,
      );
    } else {
      const join = key === "chemistry" || key === "form_factor"
        ? "LEFT JOIN samples s ON s.id = i.sample_id"
        : "";
      rows = db.all(
        `SELECT ${
          GROUP_SQL[key]
        } AS v, count(*) AS n${columns} FROM test_index i ${join} ${where} GROUP BY v`,
        params,
      );
    }
    groups[key] = sortGroups(rows.map((r) => ({
      value: (r.v as string | null) ?? null,
      count: Number(r.n),
      metrics: groupMetrics(r, metrics),
    })));
  }
  return { count: Number(overall.count), metrics: summaries, groups };
}

/** Narrow rows of chosen numbers (see `TestApi.numbers`), in the order and page given. */
export function sqliteTestNumbers(
  db: SqlRunner,
  filter: IndexWhere,
  order: string,
  page: { limit: number | null; skip: number },
  fields: readonly TestNumberField[],
): TestNumbers[] {
  const column = (f: TestNumberField) =>
    (SUMMARY_NUMBER_FIELDS as readonly string[]).includes(f) ? `i.m_${f}` : `i.t_${f}`;
  const columns = fields.map((f, k) => `, ${column(f)} AS f${k}`).join("");
  return db.all(
    `SELECT i.test_id AS id, i.sample_id AS sample_id${columns} FROM test_index i ${filter.where} ${order} LIMIT ? OFFSET ?`,
    [...filter.params, page.limit ?? -1, page.skip],
  ).map((r) => ({
    id: r.id as string,
    sample_id: r.sample_id as string,
    values: Object.fromEntries(
      fields.map((f, k) => [f, (r[`f${k}`] as number | null) ?? null]),
    ),
  }));
}
