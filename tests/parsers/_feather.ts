// Copyright 2026 the battery-analysis authors. MIT license.
// Read the NewareNDA reference tables (Feather v2 / Arrow IPC with LZ4 or ZSTD buffers).

import { compressionRegistry, CompressionType, tableFromIPC } from "apache-arrow";
import lz4 from "lz4js";
import { decompress as zstdDecompress } from "fzstd";

compressionRegistry.set(CompressionType.LZ4_FRAME, {
  decode: (b: Uint8Array) => new Uint8Array(lz4.decompress(b)),
});
compressionRegistry.set(CompressionType.ZSTD, {
  decode: (b: Uint8Array) => zstdDecompress(b),
});

/** A reference table: each column as plain values (numbers, strings; timestamps in ms). */
export interface FeatherTable {
  rows: number;
  columns: Record<string, (number | string | null)[]>;
}

/** Read a Feather v2 file into columns. */
export function readFeather(bytes: Uint8Array): FeatherTable {
  const table = tableFromIPC(bytes);
  const columns: FeatherTable["columns"] = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!;
    const values: (number | string | null)[] = [];
    for (let i = 0; i < table.numRows; i++) {
      const v = vector.get(i);
      values.push(typeof v === "bigint" ? Number(v) : v as number | string | null);
    }
    columns[field.name] = values;
  }
  return { rows: table.numRows, columns };
}
