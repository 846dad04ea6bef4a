// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Every distinct ArrayBuffer reachable from a value (for a zero-copy transfer to or from a
 * worker).
 *
 * @param value Any structured-cloneable value.
 * @returns The buffers of the typed arrays in it.
 *
 * @example
 * ```ts
 * import { transferables } from "./transferables.ts";
 * import { equal } from "node:assert/strict";
 *
 * const a = new Float64Array(4);
 * equal(transferables({ a, b: [a, new Int32Array(2)], c: "x" }).length, 2);
 * ```
 */
export function transferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) found.add(v.buffer);
      return;
    }
    for (const item of Array.isArray(v) ? v : Object.values(v)) visit(item);
  };
  visit(value);
  return [...found];
}
