// Copyright 2026 the battery-analysis authors. MIT license.

import { ANALYSIS_VERSION } from "../../analysis/analyze_test.ts";
import type { Store } from "../store/store.ts";
import type { TestResult } from "../store/documents.ts";
import { analyzeStoredTest } from "./analyze_stored_test.ts";
import { isStaleAnalysis } from "./_stale_analysis.ts";

/** Options of {@link refreshAnalyses}. */
export interface RefreshAnalysesOptions {
  /** Report what would be analysed; write nothing. @default {false} */
  dryRun?: boolean;
  /** Analyse every test again, not only stale ones. @default {false} */
  all?: boolean;
  /** Only these tests. @default {every test} */
  testIds?: readonly string[];
}

/** One test looked at by {@link refreshAnalyses}. */
export interface AnalysisRefresh {
  /** Test id. */
  id: string;
  /** Test name. */
  name: string;
  /** Version of the stored analysis before, or `null` when there was none. */
  from_version: number | null;
  /** `analyzed` (stored), `would_analyze` (dry run) or `failed`. */
  status: "analyzed" | "would_analyze" | "failed";
  /** Why it failed, else `null`. */
  error: string | null;
}

/** What {@link refreshAnalyses} did. */
export interface AnalysesReport {
  /** The current analysis version. */
  analysis_version: number;
  /** `true` when nothing was written. */
  dry_run: boolean;
  /** Tests looked at. */
  tests_checked: number;
  /** Tests analysed, would be analysed, or failed. */
  tests: AnalysisRefresh[];
}

const PAGE = 500;

/**
 * Compute again the stored analysis of every test whose analysis is missing or was made by
 * another `ANALYSIS_VERSION` (or of every test with `all`), with each test's own stored options:
 * what `migrate` and `deno task refresh` run. Running it again changes nothing. A test whose
 * stored options no longer fit its cycles is reported as failed and keeps no analysis (the
 * reason goes to its `metadata.analysis_error`): stale numbers are never kept.
 *
 * @param store The store.
 * @param options Dry run, all tests, or some tests.
 * @returns What was analysed.
 *
 * @example Usage
 * ```ts
 * import { refreshAnalyses } from "./refresh_analyses.ts";
 * import { SqliteStore } from "../store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const sample = await store.samples.create({ name: "cell" });
 * await store.tests.create({ sample_id: sample.id, tester: "Arbin", name: "t", file_hash: "a".repeat(64) });
 * equal((await refreshAnalyses(store, { dryRun: true })).tests[0].status, "would_analyze");
 * equal((await refreshAnalyses(store)).tests[0].status, "analyzed");
 * equal((await refreshAnalyses(store)).tests.length, 0); // nothing stale any more
 * await store.close();
 * ```
 */
export async function refreshAnalyses(
  store: Store,
  options: RefreshAnalysesOptions = {},
): Promise<AnalysesReport> {
  const dryRun = options.dryRun ?? false;
  const report: AnalysesReport = {
    analysis_version: ANALYSIS_VERSION,
    dry_run: dryRun,
    tests_checked: 0,
    tests: [],
  };
  const todo: TestResult[] = [];
  const consider = (test: TestResult): void => {
    report.tests_checked++;
    if (options.all || isStaleAnalysis(test)) todo.push(test);
  };
  if (options.testIds) {
    // Only these tests: read each (no listing of the whole store).
    for (const id of new Set(options.testIds)) {
      const test = await store.tests.get(id);
      if (test) consider(test);
    }
  } else {
    for (let skip = 0;; skip += PAGE) {
      const page = await store.tests.find({ without_cycles: true, limit: PAGE, skip });
      for (const test of page) consider(test);
      if (page.length < PAGE) break;
    }
  }
  for (const test of todo) {
    const entry: AnalysisRefresh = {
      id: test.id,
      name: test.name,
      from_version: test.analysis?.analysis_version ?? null,
      status: dryRun ? "would_analyze" : "analyzed",
      error: null,
    };
    report.tests.push(entry);
    if (dryRun) continue;
    try {
      await analyzeStoredTest(store, test.id, { save: true });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      entry.status = "failed";
      entry.error = error.message;
      await store.tests.update(test.id, {
        analysis: null,
        metadata: { ...test.metadata, analysis_error: `analysis not computed: ${error.message}` },
      });
    }
  }
  return report;
}
