// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The history of edits of a test or a sample: one entry per change a person made (tags, the
 * sample, analysis options, sample properties), kept in the document's `metadata.history`, oldest
 * first, so that any number can be traced to what was set and when.
 *
 * @module
 */

/** One change. */
export interface HistoryEntry {
  /** When (ISO 8601). */
  at: string;
  /** Who or what made it (`"dashboard"`, a user name). */
  by: string;
  /** What changed (`"tags"`, `"sample"`, `"analysis.threshold"`, `"sample.area_cm2"`). */
  field: string;
  /** The value before (`null` when unset). */
  from: unknown;
  /** The value after (`null` when unset). */
  to: unknown;
}

/**
 * The history of a document (`[]` when it has none).
 *
 * @param doc A test or sample.
 * @returns Its entries, oldest first.
 *
 * @example
 * ```ts
 * import { historyOf } from "./history.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(historyOf({ metadata: {} }).length, 0);
 * equal(historyOf({ metadata: { history: [{ at: "x", by: "me", field: "tags", from: [], to: ["a"] }] } }).length, 1);
 * ```
 */
export function historyOf(doc: { metadata: Record<string, unknown> }): HistoryEntry[] {
  const h = doc.metadata?.history;
  return Array.isArray(h)
    ? h.filter((e): e is HistoryEntry =>
      typeof e === "object" && e !== null && typeof (e as HistoryEntry).field === "string"
    )
    : [];
}

/**
 * The metadata of a document with entries appended to its history.
 *
 * @param metadata The document's metadata.
 * @param entries The changes.
 * @returns New metadata (the input is not changed).
 *
 * @example
 * ```ts
 * import { withHistory } from "./history.ts";
 * import { equal } from "node:assert/strict";
 *
 * const m = withHistory({ a: 1 }, [{ at: "t", by: "me", field: "tags", from: [], to: ["x"] }]);
 * equal((m.history as unknown[]).length, 1);
 * equal(m.a, 1);
 * ```
 */
export function withHistory(
  metadata: Record<string, unknown>,
  entries: readonly HistoryEntry[],
): Record<string, unknown> {
  return { ...metadata, history: [...historyOf({ metadata }), ...entries] };
}
