// Copyright 2026 the battery-analysis authors. MIT license.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { ByteSource } from "../parsers/byte_source.ts";

/** A {@link ByteSource} over an open file; `close()` it when done. */
export interface FileSource extends ByteSource {
  /** Close the file (idempotent). */
  close(): void;
}

/**
 * Open a file as a {@link ByteSource}: parsers read it in chunks (synchronous positional reads),
 * so a file of any size — past 2 GiB too — is never held whole in memory.
 *
 * @param path Path of a regular file.
 * @returns The source; call `close()` when done.
 * @throws {Error} When the file cannot be opened (the `node:fs` error).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 * import { openFileSource } from "./file_source.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "x.bin");
 * Deno.writeFileSync(path, new Uint8Array([10, 20, 30]));
 * const source = openFileSource(path);
 * const into = new Uint8Array(2);
 * equal(source.size, 3);
 * equal(source.readInto(into, 1), 2);
 * equal(into[1], 30);
 * source.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function openFileSource(path: string): FileSource {
  let fd: number | null = openSync(path, "r");
  const size = fstatSync(fd).size;
  return {
    size,
    readInto(into: Uint8Array, offset: number): number {
      if (fd === null) throw new Error(`"${path}" is closed`);
      let got = 0;
      while (got < into.length && offset + got < size) {
        const n = readSync(fd, into, got, into.length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    },
    close(): void {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
