// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * What kind of non-regular file this is, in words (for skip reasons and errors).
 *
 * @param info A `node:fs` `Stats` (from `lstat`/`stat`) or anything with the same predicates.
 * @returns `"a FIFO (named pipe)"`, `"a directory"`, ... or `"not a regular file"`.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { fileKind } from "./file_kind.ts";
 * const no = () => false;
 * const fifo = { isDirectory: no, isFIFO: () => true, isCharacterDevice: no, isBlockDevice: no, isSocket: no };
 * equal(fileKind(fifo), "a FIFO (named pipe)");
 * ```
 */
export function fileKind(info: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  if (info.isSocket()) return "a socket";
  return "not a regular file";
}
