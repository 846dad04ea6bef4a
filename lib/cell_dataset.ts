// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Cell datasets: all tests of one cell code combined into one cycle list (cycles renumbered 1..N
 * in test start-time order), kept as versions. The merge happens here; stores only persist.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type {
  CellDataset,
  CellDatasetInput,
  CombinedCycle,
  TestResult,
} from "./store/documents.ts";
import type { Store } from "./store/store.ts";
import { ConflictError } from "./store/store_error.ts";

/** Result of {@link updateCellDataset}. */
export interface CellDatasetUpdate {
  /** The latest version after the call, or `null` when the cell has neither tests nor dataset. */
  dataset: CellDataset | null;
  /** `true` when a new version was written. */
  changed: boolean;
}

/**
 * Combine tests of one cell (already in start-time order) into dataset content: their cycles
 * renumbered, each with its role in its test's stored analysis (`counted`, `formation`,
 * `cut_off`, ...; `null` without an analysis) so that a reader of the combined cycles knows
 * which count. Pure.
 *
 * @param cellCode The cell code.
 * @param tests The cell's tests in order.
 * @returns Content with a hash over test ids, sample and cycles.
 *
 * @example Usage
 * ```ts
 * import { buildCellDataset } from "./cell_dataset.ts";
 * import { equal } from "node:assert/strict";
 *
 * const content = buildCellDataset("CN1", []);
 * equal(content.cycles.length, 0);
 * equal(content.content_hash.length, 64);
 * ```
 */
export function buildCellDataset(
  cellCode: string,
  tests:
    (Pick<TestResult, "id" | "sample_id" | "cycles"> & Partial<Pick<TestResult, "analysis">>)[],
): CellDatasetInput {
  const cycles: CombinedCycle[] = [];
  for (const test of tests) {
    const roles = new Map((test.analysis?.cycles ?? []).map((c) => [c.cycle, c]));
    for (const c of test.cycles) {
      const analysed = roles.get(c.cycle);
      cycles.push({
        ...c,
        cycle: cycles.length + 1,
        test_id: test.id,
        test_cycle: c.cycle,
        role: analysed?.role ?? null,
        role_reason: analysed?.role_reason ?? null,
      });
    }
  }
  const test_ids = tests.map((t) => t.id);
  const sample_id = tests[0]?.sample_id ?? null;
  const content_hash = createHash("sha256")
    .update(JSON.stringify({ cell_code: cellCode, sample_id, test_ids, cycles }))
    .digest("hex");
  return { cell_code: cellCode, sample_id, test_ids, cycles, content_hash };
}

/**
 * Rebuild the dataset of a cell from its tests and store a new version only when the content
 * changed (tests added, removed, reordered, or their cycles changed). The sample of the cell's
 * first test gets `default_dataset_id` set to the latest version.
 *
 * @param store Any store.
 * @param cellCode The cell code (`TestResult.cell_code`).
 * @returns The latest version and whether it is new.
 *
 * @example Usage
 * ```ts
 * import { updateCellDataset } from "./cell_dataset.ts";
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const sample = await store.samples.create({ name: "CN7" });
 * await store.tests.create({
 *   sample_id: sample.id,
 *   tester: "Arbin",
 *   name: "CN7_run",
 *   file_hash: "a".repeat(64),
 * });
 * const first = await updateCellDataset(store, "CN7");
 * equal(first.dataset?.version, 1);
 * equal((await updateCellDataset(store, "CN7")).changed, false);
 * await store.close();
 * ```
 */
export async function updateCellDataset(
  store: Store,
  cellCode: string,
): Promise<CellDatasetUpdate> {
  if (typeof cellCode !== "string" || cellCode === "") {
    throw new TypeError("updateCellDataset: cell code must be a non-empty string");
  }
  for (let attempt = 0;; attempt++) {
    const latest = await store.datasets.latest(cellCode);
    const tests = await store.tests.find({ cell_code: cellCode });
    if (tests.length === 0 && latest === null) return { dataset: null, changed: false };
    const content = buildCellDataset(cellCode, tests);
    if (latest !== null && latest.content_hash === content.content_hash) {
      return { dataset: latest, changed: false };
    }
    try {
      const dataset = await store.datasets.put(content, {
        expected_previous_id: latest?.id ?? null,
      });
      await linkSample(store, dataset);
      return { dataset, changed: true };
    } catch (error) {
      // Another writer stored a version meanwhile: rebuild on top of it (a few times at most).
      if (error instanceof ConflictError && attempt < 3) continue;
      throw error;
    }
  }
}

/**
 * Make an old version current again by storing a copy of its content as a new version.
 *
 * @param store Any store.
 * @param options Cell code and the version to restore.
 * @returns The new latest version.
 *
 * @example Usage
 * ```ts
 * import { rollbackCellDataset } from "./cell_dataset.ts";
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const base = { sample_id: null, test_ids: [], cycles: [] };
 * await store.datasets.put({ ...base, cell_code: "CN1", content_hash: "one" });
 * await store.datasets.put({ ...base, cell_code: "CN1", content_hash: "two" });
 * const restored = await rollbackCellDataset(store, { cellCode: "CN1", version: 1 });
 * equal(restored.version, 3);
 * equal(restored.content_hash, "one");
 * await store.close();
 * ```
 */
export async function rollbackCellDataset(
  store: Store,
  options: { cellCode: string; version: number },
): Promise<CellDataset> {
  const versions = await store.datasets.versions(options.cellCode);
  const target = versions.find((v) => v.version === options.version);
  if (!target) {
    throw new RangeError(
      `Cell dataset "${options.cellCode}" has no version ${options.version} (versions: ${
        versions.map((v) => v.version).reverse().join(", ") || "none"
      })`,
    );
  }
  const { cell_code, sample_id, test_ids, cycles, content_hash } = target;
  const dataset = await store.datasets.put(
    { cell_code, sample_id, test_ids, cycles, content_hash },
    { expected_previous_id: versions[0].id },
  );
  await linkSample(store, dataset);
  return dataset;
}

async function linkSample(store: Store, dataset: CellDataset): Promise<void> {
  if (dataset.sample_id === null) return;
  const sample = await store.samples.get(dataset.sample_id);
  if (sample && sample.default_dataset_id !== dataset.id) {
    await store.samples.update(sample.id, { default_dataset_id: dataset.id });
  }
}
