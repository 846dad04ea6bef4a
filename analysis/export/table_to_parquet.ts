// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { parquetWriteBuffer } from "npm:hyparquet-writer@0.17.0";
import { EXPORT_METADATA_KEY, type ExportColumn, type ExportTable } from "./export_table.ts";
import { checkTable } from "./_cells.ts";

const PARQUET_TYPE = {
  float64: "DOUBLE",
  int32: "INT32",
  string: "STRING",
  bool: "BOOLEAN",
} as const;

/** The column's values as the writer takes them: missing values `null`. */
function data(c: ExportColumn): ArrayLike<unknown> {
  const v = c.values;
  if (c.type === "float64") {
    let clean = true;
    for (let i = 0; i < v.length && clean; i++) clean = Number.isFinite(v[i]);
    if (clean) return v instanceof Float64Array ? v : Float64Array.from(v as ArrayLike<number>);
    return Array.from(v as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
  }
  return Array.from(v as ArrayLike<unknown>, (x) => x ?? null);
}

/**
 * Write a table as an Apache Parquet file (snappy-compressed, column statistics), readable by
 * pandas (`pd.read_parquet`), polars (`pl.read_parquet`), R (`arrow::read_parquet`), DuckDB and
 * Spark. Column types: `float64` → DOUBLE, `int32` → INT32, `string` → UTF-8 STRING,
 * `bool` → BOOLEAN, all nullable; missing values (and non-finite numbers) are nulls. The
 * table's metadata is kept as JSON under the key-value metadata key `battery_analysis`
 * (`pyarrow.parquet.read_schema(path).metadata[b"battery_analysis"]`).
 *
 * @param table The table (`cycleExportTable(...)`, ...).
 * @returns The file's bytes.
 * @throws {RangeError} For a column whose length differs from the table's.
 *
 * @example
 * ```ts
 * import { tableToParquet } from "./table_to_parquet.ts";
 * import { equal } from "node:assert/strict";
 *
 * const bytes = tableToParquet({
 *   name: "cycles", length: 2, metadata: {},
 *   columns: [{ name: "discharge_capacity_mAh", type: "float64", values: [1.8, NaN] }],
 * });
 * equal(new TextDecoder().decode(bytes.subarray(0, 4)), "PAR1");
 * ```
 */
export function tableToParquet(table: ExportTable): Uint8Array {
  checkTable(table, "Parquet");
  const buffer = parquetWriteBuffer({
    columnData: table.columns.map((c) => ({
      name: c.name,
      // deno-lint-ignore no-explicit-any
      data: data(c) as any,
      type: PARQUET_TYPE[c.type],
    })),
    kvMetadata: [{ key: EXPORT_METADATA_KEY, value: JSON.stringify(table.metadata ?? {}) }],
    createdBy: "battery-analysis (hyparquet-writer)",
  });
  return new Uint8Array(buffer);
}
