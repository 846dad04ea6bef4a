// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import {
  Bool,
  type DataType,
  Float64,
  Int32,
  Schema,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from "npm:apache-arrow@21.2.0";
import { EXPORT_METADATA_KEY, type ExportColumn, type ExportTable } from "./export_table.ts";
import { cell, checkTable } from "./_cells.ts";

function arrowType(c: ExportColumn): DataType {
  switch (c.type) {
    case "float64":
      return new Float64();
    case "int32":
      return new Int32();
    case "string":
      return new Utf8();
    case "bool":
      return new Bool();
  }
}

/**
 * Write a table as an Apache Arrow IPC file (the Feather V2 format, uncompressed), readable by
 * pandas (`pd.read_feather`), polars (`pl.read_ipc`), R (`arrow::read_feather`) and any Arrow
 * library without conversion. Column types: `float64` → Float64, `int32` → Int32, `string` →
 * Utf8, `bool` → Bool, all nullable; missing values (and non-finite numbers) are nulls. The
 * table's metadata is kept as JSON under the schema metadata key `battery_analysis`.
 *
 * @param table The table (`cycleExportTable(...)`, ...).
 * @returns The file's bytes.
 * @throws {RangeError} For a column whose length differs from the table's.
 *
 * @example
 * ```ts
 * import { tableToArrowIpc } from "./table_to_arrow_ipc.ts";
 * import { equal } from "node:assert/strict";
 *
 * const bytes = tableToArrowIpc({
 *   name: "cycles", length: 2, metadata: {},
 *   columns: [{ name: "discharge_capacity_mAh", type: "float64", values: [1.8, NaN] }],
 * });
 * equal(new TextDecoder().decode(bytes.subarray(0, 6)), "ARROW1");
 * ```
 */
export function tableToArrowIpc(table: ExportTable): Uint8Array {
  checkTable(table, "Arrow IPC");
  const vectors: Record<string, Vector> = {};
  for (const c of table.columns) {
    const values = Array.from({ length: table.length }, (_, r) => cell(c, r));
    vectors[c.name] = vectorFromArray(values, arrowType(c));
  }
  const columns = new Table(vectors);
  const schema = new Schema(
    columns.schema.fields,
    new Map([[EXPORT_METADATA_KEY, JSON.stringify(table.metadata ?? {})]]),
  );
  return tableToIPC(new Table(schema, columns.batches), "file");
}
