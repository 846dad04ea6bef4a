// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * One row per test with the headline numbers of its stored analysis: what `search_tests --json`
 * and `--csv`, the dashboard's test list and its `tests.csv` export all print, so that they
 * cannot disagree.
 *
 * @module
 */

import type { QualityFlag, TestAnalysisData, TestSummary } from "../analysis/analyze_test.ts";
import type { Sample, TestResult } from "./store/documents.ts";

/** The headline numbers (`analysis.summary`), every one `null` without an analysis. */
export type NullableSummary = { [K in keyof TestSummary]: TestSummary[K] | null };

/** A test, its sample and its analysis's headline numbers and flags, flat. */
export interface TestSummaryRow extends NullableSummary {
  /** Test id. */
  id: string;
  /** Test name. */
  name: string;
  /** Sample name, or `null`. */
  sample: string | null;
  /** Sample chemistry, or `null`. */
  chemistry: string | null;
  /** Cell code. */
  cell_code: string | null;
  /** Instrument maker. */
  tester: string;
  /** Kind of test. */
  test_type: string;
  /** Start time (ISO 8601), or `null`. */
  start_time: string | null;
  /** Tags. */
  tags: string[];
  /** The analysis's flags with their reasons (`[]` without an analysis). */
  flags: QualityFlag[];
  /** Why there is no analysis (`null` when there is one). */
  analysis_note: string | null;
}

/** The summary fields in `TestSummary` order (the columns every surface shows). */
export const SUMMARY_FIELDS: readonly (keyof TestSummary)[] = [
  "analysis_version",
  "protocol",
  "cycle_count",
  "counted_cycle_count",
  "reference_cycle",
  "initial_capacity_Ah",
  "final_capacity_Ah",
  "capacity_retention",
  "fade_per_100_cycles",
  "mean_coulombic_efficiency",
  "mean_energy_efficiency",
  "eol_cycle_observed",
  "eol_cycle_predicted",
  "best_fade_model",
  "knee_cycle",
  "median_internal_resistance_ohm",
  "flag_codes",
];

/** The columns of the CSV form of {@link TestSummaryRow}. */
export const TEST_ROW_CSV_COLUMNS: readonly string[] = [
  "id",
  "name",
  "sample",
  "chemistry",
  "cell_code",
  "tester",
  "test_type",
  "start_time",
  ...SUMMARY_FIELDS,
  "flags",
  "analysis_note",
  "tags",
];

/**
 * The row of a test: its identity, its sample, the headline numbers of its stored analysis
 * (`analysis.summary`, exactly as stored) and its flags with their reasons.
 *
 * @param test The test (read with or without cycles).
 * @param sample Its sample, or `null`.
 * @returns The row.
 *
 * @example Usage
 * ```ts
 * import { testSummaryRow } from "./test_summary_row.ts";
 * import { equal } from "node:assert/strict";
 *
 * const row = testSummaryRow({
 *   id: "t1", name: "cell_01", cell_code: null, tester: "Arbin", test_type: "Cycling",
 *   start_time: null, tags: [], analysis: null, metadata: {},
 * }, null);
 * equal(row.capacity_retention, null);
 * equal(row.analysis_note, "not analysed yet (run migrate)");
 * ```
 */
export function testSummaryRow(
  test:
    & Pick<
      TestResult,
      "id" | "name" | "cell_code" | "tester" | "test_type" | "start_time" | "tags" | "metadata"
    >
    & { analysis: Pick<TestAnalysisData, "summary" | "flags"> | null },
  sample: Pick<Sample, "name" | "chemistry"> | null,
): TestSummaryRow {
  const s = test.analysis?.summary;
  const summary = Object.fromEntries(
    SUMMARY_FIELDS.map((f) => [f, s ? (s[f] ?? null) : null]),
  ) as NullableSummary;
  const error = test.metadata?.analysis_error;
  return {
    id: test.id,
    name: test.name,
    sample: sample?.name ?? null,
    chemistry: sample?.chemistry ?? null,
    cell_code: test.cell_code,
    tester: test.tester,
    test_type: test.test_type,
    start_time: test.start_time,
    ...summary,
    flag_codes: s ? s.flag_codes : [],
    flags: test.analysis?.flags ?? [],
    analysis_note: test.analysis
      ? null
      : typeof error === "string"
      ? error
      : "not analysed yet (run migrate)",
    tags: test.tags,
  };
}

/**
 * The CSV cells of a row, in {@link TEST_ROW_CSV_COLUMNS} order: numbers as stored (fractions,
 * Ah), flag codes joined by `;`, flags as `code: message` joined by ` | `, tags by `;`.
 *
 * @param row The row.
 * @returns The cells.
 *
 * @example Usage
 * ```ts
 * import { TEST_ROW_CSV_COLUMNS, testRowCsvCells, testSummaryRow } from "./test_summary_row.ts";
 * import { equal } from "node:assert/strict";
 *
 * const row = testSummaryRow({
 *   id: "t1", name: "cell_01", cell_code: null, tester: "Arbin", test_type: "Cycling",
 *   start_time: null, tags: ["a", "b"], analysis: null, metadata: {},
 * }, null);
 * const cells = testRowCsvCells(row);
 * equal(cells.length, TEST_ROW_CSV_COLUMNS.length);
 * equal(cells[TEST_ROW_CSV_COLUMNS.indexOf("tags")], "a;b");
 * ```
 */
export function testRowCsvCells(row: TestSummaryRow): (string | number | null)[] {
  return TEST_ROW_CSV_COLUMNS.map((c) => {
    if (c === "flag_codes") return row.flag_codes?.join(";") ?? "";
    if (c === "flags") return row.flags.map((f) => `${f.code}: ${f.message}`).join(" | ");
    if (c === "tags") return row.tags.join(";");
    const v = (row as unknown as Record<string, unknown>)[c];
    return v === null || v === undefined ? null : (v as string | number);
  });
}
