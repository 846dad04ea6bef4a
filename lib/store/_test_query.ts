// Copyright 2026 the battery-analysis authors. MIT license.
// The parts of `TestFilter` that read the stored analysis (protocol, flags, summary numbers),
// free text and sort order: checks and the values both stores index.

import { FLAG_CODES, PROTOCOL_KINDS } from "../../analysis/analyze_test.ts";
import type { TestResult } from "./documents.ts";
import { SUMMARY_NUMBER_FIELDS } from "./documents.ts";
import { TEST_SORT_KEYS, type TestFilter } from "./store.ts";

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
