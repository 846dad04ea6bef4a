// Copyright 2026 the battery-analysis authors. MIT license.

import type { SampleInfo } from "../model/sample_info.ts";
import type { Sample } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { updateCellDataset } from "../cell_dataset.ts";
import { refreshAnalyses } from "../analyze/refresh_analyses.ts";

/** Options of {@link setSampleProperties}. */
export interface SetSamplePropertiesOptions {
  /** Create the sample (by name) when it does not exist. @default {false} */
  create?: boolean;
  /** Rebuild the cell datasets of the old and new cell codes when the cell code changes. @default {true} */
  refreshDatasets?: boolean;
  /**
   * Analyse the sample's tests again when a property the analysis uses changes (nominal
   * capacity, masses, area, thickness, chemistry, form factor). @default {true}
   */
  reanalyze?: boolean;
}

/** What {@link setSampleProperties} did. */
export interface SamplePropertiesUpdate {
  /** The sample after the update. */
  sample: Sample;
  /** `true` when the sample was created. */
  created: boolean;
  /** The fields that changed, with their old and new values. */
  changed: { field: keyof SampleInfo; from: unknown; to: unknown }[];
  /** Tests that got the sample's new cell code. */
  tests_updated: string[];
  /** Tests of the sample that keep another cell code (from their own file name), with it. */
  tests_kept: { id: string; name: string; cell_code: string }[];
  /** Cell codes whose dataset got a new version. */
  datasets_updated: string[];
  /** Tests analysed again with the new properties. */
  tests_analyzed: string[];
  /** Tests whose analysis failed with the new properties, with the reason. */
  analysis_failures: { id: string; error: string }[];
}

/** The properties the analysis reads (`samplePropertiesOf`). */
const ANALYSIS_FIELDS: readonly (keyof SampleInfo)[] = [
  "nominal_capacity_Ah",
  "active_mass_g",
  "mass_g",
  "area_cm2",
  "thickness_cm",
  "chemistry",
  "form_factor",
];

const FIELDS: readonly (keyof SampleInfo)[] = [
  "cell_code",
  "chemistry",
  "form_factor",
  "manufacturer",
  "description",
  "nominal_capacity_Ah",
  "active_mass_g",
  "mass_g",
  "area_cm2",
  "thickness_cm",
];

/**
 * Set the lab properties of a sample — cell code, chemistry, form factor, maker, description,
 * nominal capacity, active mass, mass, electrode area, thickness — the one function behind
 * `sample set`, `sample import-sheet`, the import flags and the dashboard's sample form.
 * Absent fields stay as they are; `null` clears one. A new cell code is given to the sample's
 * tests that had none or had the sample's old one (a test whose own file name gives another
 * code keeps it and is listed in `tests_kept`), and the datasets of both codes are rebuilt. When
 * a property the analysis reads changes (nominal capacity, masses, area, thickness, chemistry,
 * form factor), the sample's tests are analysed again and stored.
 *
 * @param store The store.
 * @param sample Id or exact name of the sample.
 * @param info The properties to set (units in the names: `nominal_capacity_Ah`, `area_cm2`).
 * @param options Create a missing sample; refresh datasets.
 * @returns The sample and what changed.
 * @throws {RangeError} For an unknown sample (without `create`) or an unknown field.
 * @throws {TypeError} For a value of the wrong type (checked by the store).
 *
 * @example Usage
 * ```ts
 * import { setSampleProperties } from "./set_sample_properties.ts";
 * import { SqliteStore } from "../store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const r = await setSampleProperties(store, "Zn1", { area_cm2: 1.13, active_mass_g: 0.012 }, {
 *   create: true,
 * });
 * equal(r.created, true);
 * equal(r.sample.area_cm2, 1.13);
 * equal((await setSampleProperties(store, "Zn1", { area_cm2: 1.13 })).changed.length, 0);
 * await store.close();
 * ```
 */
export async function setSampleProperties(
  store: Store,
  sample: string,
  info: SampleInfo,
  options: SetSamplePropertiesOptions = {},
): Promise<SamplePropertiesUpdate> {
  for (const key of Object.keys(info)) {
    if (!FIELDS.includes(key as keyof SampleInfo)) {
      throw new RangeError(
        `Cannot set sample properties: unknown field "${key}" (use ${FIELDS.join(", ")})`,
      );
    }
  }
  let doc = (await store.samples.get(sample)) ?? (await store.samples.getByName(sample));
  let created = false;
  if (!doc) {
    if (!options.create) {
      throw new RangeError(`Cannot set sample properties: no sample "${sample}"`);
    }
    doc = (await store.samples.upsert({ name: sample })).doc;
    created = true;
  }
  const patch: Partial<Record<keyof SampleInfo, unknown>> = {};
  const changed: SamplePropertiesUpdate["changed"] = [];
  for (const field of FIELDS) {
    const value = info[field];
    if (value === undefined) continue;
    const old = (doc as unknown as Record<string, unknown>)[field] ?? null;
    if (old === value) continue;
    patch[field] = value;
    changed.push({ field, from: old, to: value });
  }
  const result: SamplePropertiesUpdate = {
    sample: doc,
    created,
    changed,
    tests_updated: [],
    tests_kept: [],
    datasets_updated: [],
    tests_analyzed: [],
    analysis_failures: [],
  };
  if (changed.length === 0) return result;
  result.sample = await store.samples.update(doc.id, patch as Partial<Sample>);
  if (options.reanalyze !== false && changed.some((c) => ANALYSIS_FIELDS.includes(c.field))) {
    const ids = (await store.tests.find({ sample_id: doc.id, without_cycles: true }))
      .map((t) => t.id);
    const report = await refreshAnalyses(store, { testIds: ids, all: true });
    for (const t of report.tests) {
      if (t.status === "failed") result.analysis_failures.push({ id: t.id, error: t.error! });
      else result.tests_analyzed.push(t.id);
    }
  }
  if (patch.cell_code === undefined) return result;

  const oldCode = doc.cell_code;
  const newCode = patch.cell_code as string | null;
  const tests = await store.tests.find({ sample_id: doc.id, without_cycles: true });
  for (const t of tests) {
    if (t.cell_code === null || t.cell_code === oldCode) {
      if (t.cell_code !== newCode) {
        await store.tests.update(t.id, { cell_code: newCode });
        result.tests_updated.push(t.id);
      }
    } else if (t.cell_code !== newCode) {
      result.tests_kept.push({ id: t.id, name: t.name, cell_code: t.cell_code });
    }
  }
  if (options.refreshDatasets !== false && result.tests_updated.length > 0) {
    for (const code of [oldCode, newCode]) {
      if (code && (await updateCellDataset(store, code)).changed) {
        result.datasets_updated.push(code);
      }
    }
  }
  return result;
}
