// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Random access to the bytes of a file without holding it whole in memory: parsers that read in
 * chunks take one (`FormatParser.parseSource`), so a file of any size is read with a bounded
 * buffer. `lib/` opens files as sources (`openFileSource`); {@link byteSource} wraps bytes
 * already in memory.
 */
export interface ByteSource {
  /** Size in bytes. */
  readonly size: number;
  /**
   * Copy bytes from `offset` into `into`: as many as fit and exist, or fewer (a source may
   * deliver less per call, like a read of a file descriptor; callers ask again).
   *
   * @returns The number of bytes copied, at least 1 before the end, 0 at or past it.
   */
  readInto(into: Uint8Array, offset: number): number;
}

/**
 * A {@link ByteSource} over bytes in memory.
 *
 * @param bytes The bytes (not copied).
 * @returns The source.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { byteSource } from "./byte_source.ts";
 *
 * const source = byteSource(new Uint8Array([1, 2, 3, 4, 5]));
 * const into = new Uint8Array(4);
 * equal(source.size, 5);
 * equal(source.readInto(into, 3), 2); // only two bytes left
 * equal(into[0], 4);
 * ```
 */
export function byteSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    readInto(into: Uint8Array, offset: number): number {
      if (offset >= bytes.length) return 0;
      const part = bytes.subarray(offset, Math.min(bytes.length, offset + into.length));
      into.set(part);
      return part.length;
    },
  };
}

/**
 * Bytes `[offset, offset + length)` of a source (fewer at its end), in a new array.
 *
 * @param source The source.
 * @param offset First byte.
 * @param length How many bytes.
 * @returns The bytes read.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { byteSource, readRange } from "./byte_source.ts";
 *
 * const source = byteSource(new Uint8Array([1, 2, 3, 4, 5]));
 * deepEqual([...readRange(source, 3, 10)], [4, 5]);
 * ```
 */
export function readRange(source: ByteSource, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, Math.min(length, source.size - offset)));
  let got = 0;
  while (got < out.length) {
    const n = source.readInto(out.subarray(got), offset + got);
    if (n === 0) break;
    got += n;
  }
  return got === out.length ? out : out.subarray(0, got);
}
