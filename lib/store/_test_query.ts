// Copyright 2026 the battery-analysis authors. MIT license.
// The parts of `TestFilter` that read the stored analysis (protocol, flags, summary numbers),
// free text and sort order: checks and the values both stores index.

import { FLAG_CODES, PROTOCOL_KINDS } from "../../analysis/analyze_test.ts";
import type { TestResult } from "./documents.ts";
import { SUMMARY_NUMBER_FIELDS } from "./documents.ts";
import {
  TEST_CONDITION_FIELDS,
  TEST_GROUP_KEYS,
  TEST_SORT_KEYS,
  type TestFilter,
  type TestGroup,
  type TestNumberField,
  type TestStatsOptions,
} from "./store.ts";

const OPS = new Set(["<", "<=", ">", ">=", "="]);

/** The fields of `TestFilter` that select tests whose field equals the given value. */
export const TEST_EQUALITY_FILTERS = [
  "sample_id",
  "cell_code",
  "base_name",
  "name",
  "tester",
  "test_type",
] as const;

/** Check the analysis, text and sort parts of a test filter (RangeError naming the problem). */
export function checkTestQuery(filter: TestFilter): void {
  const bad = (what: string): never => {
    throw new RangeError(`Cannot find tests: ${what}`);
  };
  if (filter.protocol !== undefined && !PROTOCOL_KINDS.includes(filter.protocol)) {
    bad(`unknown protocol "${filter.protocol}" (use ${PROTOCOL_KINDS.join(", ")})`);
  }
  for (const code of filter.flags ?? []) {
    if (!Object.hasOwn(FLAG_CODES, code)) bad(`unknown flag code "${code}"`);
  }
  for (const c of filter.summary ?? []) {
    if (
      !c || !(SUMMARY_NUMBER_FIELDS as readonly string[]).includes(c.field) || !OPS.has(c.op) ||
      typeof c.value !== "number" || !Number.isFinite(c.value)
    ) bad(`bad summary condition ${JSON.stringify(c)}`);
  }
  if (filter.sort !== undefined) {
    if (!(TEST_SORT_KEYS as readonly string[]).includes(filter.sort?.key)) {
      bad(`unknown sort key "${filter.sort?.key}" (use ${TEST_SORT_KEYS.join(", ")})`);
    }
    const order = filter.sort.order ?? "asc";
    if (order !== "asc" && order !== "desc") bad(`sort order must be "asc" or "desc"`);
  }
  if (filter.text !== undefined && typeof filter.text !== "string") bad("text must be a string");
  for (const key of ["last_data_from", "last_data_before"] as const) {
    const v = filter[key];
    if (v !== undefined && !(typeof v === "string" && Number.isFinite(Date.parse(v)))) {
      bad(`${key} must be an ISO 8601 instant, got ${JSON.stringify(v)}`);
    }
  }
  for (const key of ["has_fade", "last_data_known"] as const) {
    const v = filter[key];
    if (v !== undefined && typeof v !== "boolean") bad(`${key} must be true or false`);
  }
}

/** Whether a filter needs the index columns of the last data point, fade and random order. */
export function needsActivityColumns(filter: TestFilter): boolean {
  return filter.has_fade !== undefined || filter.last_data_from !== undefined ||
    filter.last_data_before !== undefined || filter.last_data_known !== undefined ||
    filter.sort?.key === "last_data_time" || filter.sort?.key === "random";
}

/** Check the options of `tests.stats` (RangeError naming the problem). */
export function checkStatsOptions(options: TestStatsOptions): Required<TestStatsOptions> {
  const by = options.by ?? [], metrics = options.metrics ?? [];
  if (!Array.isArray(by) || !Array.isArray(metrics)) {
    throw new RangeError("Cannot summarize tests: by and metrics must be arrays");
  }
  for (const key of by) {
    if (!(TEST_GROUP_KEYS as readonly string[]).includes(key)) {
      throw new RangeError(
        `Cannot summarize tests: unknown property "${key}" (use ${TEST_GROUP_KEYS.join(", ")})`,
      );
    }
  }
  for (const field of metrics) {
    if (!(SUMMARY_NUMBER_FIELDS as readonly string[]).includes(field)) {
      throw new RangeError(`Cannot summarize tests: unknown number "${field}"`);
    }
  }
  return { by: [...new Set(by)], metrics: [...new Set(metrics)] };
}

/** Check the fields of `tests.numbers` (RangeError naming an unknown one); without repeats. */
export function checkNumberFields(fields: readonly TestNumberField[]): TestNumberField[] {
  if (!Array.isArray(fields)) {
    throw new RangeError("Cannot read numbers of tests: fields must be an array");
  }
  for (const field of fields) {
    if (
      !(SUMMARY_NUMBER_FIELDS as readonly string[]).includes(field) &&
      !(TEST_CONDITION_FIELDS as readonly string[]).includes(field)
    ) {
      throw new RangeError(`Cannot read numbers of tests: unknown number "${field}"`);
    }
  }
  return [...new Set(fields)];
}

/** Groups in the order `tests.stats` gives them: most tests first, ties by value, `null` last. */
export function sortGroups(groups: TestGroup[]): TestGroup[] {
  return groups.sort((a, b) =>
    b.count - a.count ||
    (a.value === b.value
      ? 0
      : a.value === null
      ? 1
      : b.value === null
      ? -1
      : a.value < b.value
      ? -1
      : 1)
  );
}

/**
 * Time of a test's last data point in ms since the epoch: its absolute start plus the end of its
 * last cycle (its start without cycles), or `null` without a valid start time.
 */
export function lastDataMs(startTime: string | null, endTimeS: number | null): number | null {
  if (!startTime) return null;
  const start = Date.parse(startTime);
  if (!Number.isFinite(start)) return null;
  return start + (endTimeS !== null && Number.isFinite(endTimeS) ? endTimeS : 0) * 1000;
}

/**
 * The test's place in the `random` order, in [0, 1): FNV-1a (32 bits) of its id, so the same
 * test has the same place in every store and the first N of the order are a uniform sample.
 */
export function randomKey(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Avalanche (murmur3's finalizer): ids differing in their last digits spread over [0, 1).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** Whether the test's stored analysis has a fade analysis (no `fade_note`). */
export function hasFade(test: Pick<TestResult, "analysis">): boolean {
  return !!test.analysis && !test.analysis.fade_note;
}

/** The words of a free-text query, lower case (none for blank text). */
export function searchWords(text: string | undefined): string[] {
  return (text ?? "").toLowerCase().split(/\s+/).filter((w) => w !== "");
}

/**
 * The test's own texts that free text searches, lower case, one per line: name, id, cell code,
 * tester, tags, the file names of its parts and its source path.
 */
export function testSearchText(test: TestResult): string {
  return [
    test.name,
    test.id,
    test.cell_code ?? "",
    test.tester,
    ...test.tags,
    ...test.parts.map((p) => p.file_name),
    test.source_path ?? "",
  ].join("\n").toLowerCase();
}
