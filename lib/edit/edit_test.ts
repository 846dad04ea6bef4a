// Copyright 2026 the battery-analysis authors. MIT license.

import type { AnalyzeTestOptions } from "../../analysis/analyze_test.ts";
import { analyzeStoredTest } from "../analyze/analyze_stored_test.ts";
import type { TestResult } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { type HistoryEntry, withHistory } from "./history.ts";

/** What {@link editTest} changes: absent fields stay as they are. */
export interface TestEdit {
  /** The test's id. */
  test: string;
  /** The tags (replaces the set; blanks dropped, duplicates merged). */
  tags?: string[];
  /** Move the test to this sample: an id or exact name; a name not yet stored creates it. */
  sample?: string;
  /** Reference cycle of the analysis; `null` goes back to the default (first complete cycle). */
  referenceCycle?: number | null;
  /** End-of-life threshold of the analysis (fraction, 0–1); `null` goes back to 0.8. */
  threshold?: number | null;
  /** Who makes the change, for the history. @default {"library"} */
  by?: string;
}

/** What {@link editTest} did. */
export interface TestEditResult {
  /** The test after the edit (with its new analysis when analysed again). */
  test: TestResult;
  /** The changes, as appended to the test's history (empty: nothing changed). */
  changes: HistoryEntry[];
  /** `true` when the test was analysed again and the analysis stored. */
  reanalyzed: boolean;
  /** `true` when the sample named in `sample` was created. */
  createdSample: boolean;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * Edit a stored test the way a person does on the dashboard: set its tags, move it to another
 * sample, set the reference cycle or end-of-life threshold of its analysis. When the analysis
 * options or the sample (whose properties the analysis reads) change, the test is analysed again
 * (`analyzeStoredTest`) and the analysis stored, so every surface shows the new numbers. Every
 * change is appended to the test's history (`metadata.history`, see `historyOf`) with who made it.
 *
 * @param store The store.
 * @param edit The test and what to change.
 * @returns The test after the edit and the changes made.
 * @throws {RangeError} For an unknown test, a threshold outside (0, 1), a reference cycle that is
 *   not a whole number ≥ 1, or options its cycles cannot satisfy (nothing is changed then).
 *
 * @example Usage
 * ```ts
 * import { editTest } from "./edit_test.ts";
 * import { historyOf } from "./history.ts";
 * import { SqliteStore } from "../store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const sample = await store.samples.create({ name: "cell" });
 * const test = await store.tests.create({
 *   sample_id: sample.id, tester: "Arbin", name: "t", file_hash: "a".repeat(64),
 * });
 * const r = await editTest(store, { test: test.id, tags: ["baseline", " "], sample: "cell B", by: "ana" });
 * equal(r.createdSample, true);
 * equal(r.test.tags.join(), "baseline");
 * equal(historyOf(r.test).map((e) => e.field).join(), "tags,sample");
 * await store.close();
 * ```
 */
export async function editTest(store: Store, edit: TestEdit): Promise<TestEditResult> {
  const by = edit.by ?? "library";
  const test = await store.tests.get(edit.test);
  if (!test) throw new RangeError(`Cannot edit test "${edit.test}": no such test`);
  if (
    edit.threshold !== undefined && edit.threshold !== null &&
    !(edit.threshold > 0 && edit.threshold < 1)
  ) {
    throw new RangeError(
      `Cannot edit test "${test.name}": the threshold must be a fraction between 0 and 1, got ${edit.threshold}`,
    );
  }
  if (
    edit.referenceCycle !== undefined && edit.referenceCycle !== null &&
    !(Number.isInteger(edit.referenceCycle) && edit.referenceCycle >= 1)
  ) {
    throw new RangeError(
      `Cannot edit test "${test.name}": the reference cycle must be a whole number ≥ 1, got ${edit.referenceCycle}`,
    );
  }
  const at = new Date().toISOString();
  const changes: HistoryEntry[] = [];
  const patch: Partial<TestResult> = {};
  if (edit.tags !== undefined) {
    const tags = [...new Set(edit.tags.map((t) => t.trim()).filter((t) => t !== ""))];
    if (!sameSet(tags, test.tags)) {
      patch.tags = tags;
      changes.push({ at, by, field: "tags", from: test.tags, to: tags });
    }
  }
  let createdSample = false;
  if (edit.sample !== undefined) {
    const name = edit.sample.trim();
    if (name === "") throw new RangeError(`Cannot edit test "${test.name}": empty sample name`);
    let target = (await store.samples.get(name)) ?? (await store.samples.getByName(name));
    if (!target) {
      const made = await store.samples.upsert({ name });
      target = made.doc;
      createdSample = made.created;
    }
    if (target.id !== test.sample_id) {
      const old = await store.samples.get(test.sample_id);
      patch.sample_id = target.id;
      changes.push({ at, by, field: "sample", from: old?.name ?? test.sample_id, to: target.name });
    }
  }
  const oldOptions: AnalyzeTestOptions = { ...test.analysis_options };
  const options: Record<string, unknown> = { ...oldOptions };
  for (const key of ["referenceCycle", "threshold"] as const) {
    const value = edit[key];
    if (value === undefined) continue;
    const before = oldOptions[key] ?? null;
    if (value === before) continue;
    if (value === null) delete options[key];
    else options[key] = value;
    changes.push({ at, by, field: `analysis.${key}`, from: before, to: value });
  }
  const optionsChanged = changes.some((c) => c.field.startsWith("analysis."));
  if (changes.length === 0) return { test, changes, reanalyzed: false, createdSample };
  await store.tests.update(test.id, {
    ...patch,
    ...(optionsChanged ? { analysis_options: options as AnalyzeTestOptions } : {}),
  });
  let reanalyzed = false;
  if (optionsChanged || patch.sample_id !== undefined) {
    try {
      await analyzeStoredTest(store, test.id, { save: true });
      reanalyzed = true;
    } catch (err) {
      // Options the test's cycles cannot satisfy: put everything back, say why.
      await store.tests.update(test.id, {
        tags: test.tags,
        sample_id: test.sample_id,
        analysis_options: oldOptions,
      });
      if (err instanceof RangeError) {
        throw new RangeError(`Cannot edit test "${test.name}": ${err.message}`);
      }
      throw err;
    }
  }
  const current = (await store.tests.get(test.id))!;
  const done = await store.tests.update(test.id, {
    metadata: withHistory(current.metadata, changes),
  });
  return { test: done, changes, reanalyzed, createdSample };
}
