// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { FLAG_CODES, type QualityFlag } from "../analyze_test.ts";
import type { ExportTable } from "./export_table.ts";

/**
 * The data-quality flags of a test's analysis as an {@link ExportTable} named `"flags"`: one
 * row per flag with its code, severity, the code's description, the message with its numbers,
 * and the cycles it names (`;`-separated, empty when it is about the whole test). The cycle
 * table names each cycle's flags by code; this table gives their reasons.
 *
 * @param analysis The analysis (anything with its `flags`).
 * @param options Source label kept in the metadata.
 * @returns The table.
 *
 * @example
 * ```ts
 * import { flagExportTable } from "./flag_export_table.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const table = flagExportTable({
 *   flags: [{ code: "ce_out_of_range", severity: "warning", message: "CE 1.2 at cycle 3", cycles: [3] }],
 * });
 * equal(table.length, 1);
 * deepEqual(table.columns.map((c) => c.name), ["code", "severity", "description", "message", "cycles"]);
 * equal(table.columns[4].values[0], "3");
 * ```
 */
export function flagExportTable(
  analysis: { readonly flags: readonly QualityFlag[] },
  options: { label?: string | null } = {},
): ExportTable {
  const flags = analysis?.flags;
  if (!Array.isArray(flags)) {
    throw new TypeError("Cannot export the flags: expected an analysis with flags");
  }
  const description = (code: string): string | null =>
    (FLAG_CODES as Record<string, { description: string }>)[code]?.description ?? null;
  return {
    name: "flags",
    length: flags.length,
    columns: [
      { name: "code", type: "string", values: flags.map((f) => f.code) },
      { name: "severity", type: "string", values: flags.map((f) => f.severity) },
      { name: "description", type: "string", values: flags.map((f) => description(f.code)) },
      { name: "message", type: "string", values: flags.map((f) => f.message) },
      {
        name: "cycles",
        type: "string",
        values: flags.map((f) => (f.cycles?.length ? f.cycles.join(";") : null)),
      },
    ],
    metadata: { table: "flags", label: options.label ?? null },
  };
}
