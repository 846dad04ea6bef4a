// Copyright 2026 the battery-analysis authors. MIT license.

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_BYTES = 200;

/**
 * Turn a stored file name into one safe to create inside a chosen directory: only the last
 * path component is kept (both `/` and `\` count as separators), control characters and
 * `<>:"|?*` become `_`, `.` / `..` / empty names and Windows device names (`CON`, `NUL.txt`)
 * get a `_` prefix, and names longer than 200 bytes are shortened keeping the extension. The
 * result never contains a separator, so `join(dir, safeFileName(name))` stays inside `dir`.
 *
 * @param name A file name as stored (may come from another system).
 * @returns A plain file name.
 *
 * @example Usage
 * ```ts
 * import { safeFileName } from "./safe_file_name.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(safeFileName("../../etc/passwd"), "passwd");
 * equal(safeFileName("C:\\data\\cell_CH1.csv"), "cell_CH1.csv");
 * equal(safeFileName(".."), "_..");
 * equal(safeFileName("a:b?.csv"), "a_b_.csv");
 * equal(safeFileName("NUL.txt"), "_NUL.txt");
 * ```
 */
export function safeFileName(name: string): string {
  if (typeof name !== "string") throw new TypeError("safeFileName: name must be a string");
  const last = name.split(/[/\\]/).pop() ?? "";
  // deno-lint-ignore no-control-regex
  let safe = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_");
  if (/^\.*$/.test(safe) || RESERVED.test(safe)) safe = `_${safe}`;
  const encoder = new TextEncoder();
  if (encoder.encode(safe).length > MAX_BYTES) {
    const dot = safe.lastIndexOf(".");
    const ext = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : "";
    let stem = safe.slice(0, safe.length - ext.length);
    while (encoder.encode(stem + ext).length > MAX_BYTES) stem = stem.slice(0, -1);
    safe = stem + ext;
  }
  return safe;
}
