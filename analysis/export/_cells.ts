// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Checks and cell access shared by the writers (private). */

import type { ExportColumn, ExportTable } from "./export_table.ts";

/**
 * Check a table before writing it: a name, unique column names, every column as long as the
 * table, known column types.
 *
 * @throws {TypeError} For a table that is not one.
 * @throws {RangeError} For a column of another length or a repeated name.
 */
export function checkTable(table: ExportTable, format: string): void {
  if (table === null || typeof table !== "object" || !Array.isArray(table.columns)) {
    throw new TypeError(`Cannot write ${format}: expected an ExportTable`);
  }
  const seen = new Set<string>();
  for (const c of table.columns) {
    if (typeof c.name !== "string" || c.name === "") {
      throw new TypeError(`Cannot write "${table.name}" as ${format}: a column has no name`);
    }
    if (seen.has(c.name)) {
      throw new RangeError(`Cannot write "${table.name}" as ${format}: column ${c.name} twice`);
    }
    seen.add(c.name);
    if (!["float64", "int32", "string", "bool"].includes(c.type)) {
      throw new TypeError(
        `Cannot write "${table.name}" as ${format}: column ${c.name} has unknown type ${c.type}`,
      );
    }
    if (c.values?.length !== table.length) {
      throw new RangeError(
        `Cannot write "${table.name}" as ${format}: column ${c.name} has ${c.values?.length} ` +
          `values, the table ${table.length} rows`,
      );
    }
  }
}

/** Value of a cell, `null` when missing (non-finite numbers included). */
export function cell(c: ExportColumn, row: number): number | string | boolean | null {
  const v = c.values[row];
  if (v === null || v === undefined) return null;
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  return v;
}
