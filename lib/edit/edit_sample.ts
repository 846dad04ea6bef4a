// Copyright 2026 the battery-analysis authors. MIT license.

import type { SampleInfo } from "../model/sample_info.ts";
import {
  type SamplePropertiesUpdate,
  setSampleProperties,
} from "../samples/set_sample_properties.ts";
import type { Store } from "../store/store.ts";
import { type HistoryEntry, withHistory } from "./history.ts";

/** What {@link editSample} changes. */
export interface SampleEdit {
  /** The sample: id or exact name. */
  sample: string;
  /** Properties to set (absent: unchanged; `null`: cleared), in stored units. */
  info: SampleInfo;
  /** A note to add to the sample (empty: none). */
  note?: string;
  /** Who makes the change, for the history. @default {"library"} */
  by?: string;
}

/** What {@link editSample} did: what `setSampleProperties` reports, and the history entries. */
export interface SampleEditResult extends SamplePropertiesUpdate {
  /** The changes, as appended to the sample's history and to each of its tests' histories. */
  changes: HistoryEntry[];
}

/**
 * Edit a sample's properties the way a person does on the dashboard: `setSampleProperties`
 * (which gives the tests the new cell code and analyses them again when a property the analysis
 * reads changes), then each change appended to the sample's history and, as `sample.FIELD`, to
 * the history of each of its tests, whose numbers it may have changed; a note is added to the
 * sample's notes.
 *
 * @param store The store.
 * @param edit The sample, its new properties, a note.
 * @returns What changed.
 * @throws {RangeError} For an unknown sample or field.
 *
 * @example Usage
 * ```ts
 * import { editSample } from "./edit_sample.ts";
 * import { historyOf } from "./history.ts";
 * import { SqliteStore } from "../store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * await store.samples.create({ name: "Zn1" });
 * const r = await editSample(store, { sample: "Zn1", info: { area_cm2: 1.13 }, by: "ana" });
 * equal(r.sample.area_cm2, 1.13);
 * equal(historyOf(r.sample)[0].field, "area_cm2");
 * await store.close();
 * ```
 */
export async function editSample(store: Store, edit: SampleEdit): Promise<SampleEditResult> {
  const by = edit.by ?? "library";
  const update = await setSampleProperties(store, edit.sample, edit.info);
  const at = new Date().toISOString();
  const changes: HistoryEntry[] = update.changed.map((c) => ({
    at,
    by,
    field: c.field,
    from: c.from,
    to: c.to,
  }));
  let sample = update.sample;
  if (edit.note?.trim()) {
    await store.samples.addNote(sample.id, { text: edit.note.trim(), author: by });
    sample = (await store.samples.get(sample.id))!;
  }
  if (changes.length) {
    sample = await store.samples.update(sample.id, {
      metadata: withHistory(sample.metadata, changes),
    });
    const testChanges = changes.map((c) => ({ ...c, field: `sample.${c.field}` }));
    for (const t of await store.tests.list({ sample_id: sample.id })) {
      await store.tests.update(t.id, { metadata: withHistory(t.metadata, testChanges) });
    }
  }
  return { ...update, sample, changes };
}
