// Copyright 2026 the battery-analysis authors. MIT license.
// SHA-256 of bytes and of streams (incremental), as lowercase hex.

import { createHash, type Hash } from "node:crypto";

/** SHA-256 of bytes, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** An incremental SHA-256. */
export function sha256Stream(): Hash {
  return createHash("sha256");
}

/** Split a stream of arbitrary pieces into pieces of exactly `size` bytes (the last shorter). */
export async function* rechunk(
  stream: ReadableStream<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const piece of stream) {
    let offset = 0;
    while (offset < piece.length) {
      const n = Math.min(size - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
