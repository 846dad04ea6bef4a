// Copyright 2026 the battery-analysis authors. MIT license.
// Read the BTSDA reference tables (Parquet written by Polars, Brotli-compressed) for the Neware
// tests, with the pure-JavaScript `hyparquet` reader.

import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";

/** A BTSDA reference table: one array per column (numbers, strings; dates as ms since 1970). */
export interface ParquetTable {
  rows: number;
  columns: Record<string, (number | string | null)[]>;
}

/** Read a Parquet file into columns. */
export async function readParquet(bytes: Uint8Array): Promise<ParquetTable> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const objects = await parquetReadObjects({ file: buffer as ArrayBuffer, compressors });
  const columns: ParquetTable["columns"] = {};
  for (const name of Object.keys(objects[0] ?? {})) {
    columns[name] = objects.map((o) => {
      const v = o[name];
      if (v instanceof Date) return v.getTime();
      if (typeof v === "bigint") return Number(v);
      return v as number | string | null;
    });
  }
  return { rows: objects.length, columns };
}
