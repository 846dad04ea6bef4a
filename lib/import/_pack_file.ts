// Copyright 2026 the battery-analysis authors. MIT license.

import { openFileSource } from "../file_source.ts";
import { RAW_PIECE_BYTES, RawPacker } from "../store/raw_codec.ts";
import type { PackedRawFile } from "../store/store.ts";

/** A file read in pieces of 1 MiB, hashed and packed for the archive (never whole in memory). */
export function packFile(path: string): PackedRawFile {
  const source = openFileSource(path);
  try {
    const packer = new RawPacker();
    const piece = new Uint8Array(RAW_PIECE_BYTES);
    for (let at = 0; at < source.size;) {
      const n = source.readInto(piece, at);
      if (n === 0) break;
      packer.push(piece.subarray(0, n));
      at += n;
    }
    return packer.finish();
  } finally {
    source.close();
  }
}
