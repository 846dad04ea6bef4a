// Copyright 2026 the battery-analysis authors. MIT license.
// Test helpers shared by the test files.

import { fail } from "node:assert/strict";
import { fileURLToPath } from "node:url";

/** Absolute path of a file under `tests/fixtures/`. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`./fixtures/${relative}`, import.meta.url));
}

/** Read a fixture's bytes. */
export function readFixture(relative: string): Uint8Array {
  return Deno.readFileSync(fixturePath(relative));
}

/** Assert `|actual - expected| <= tolerance` (absolute) or relative tolerance with `rel`. */
export function assertClose(
  actual: number,
  expected: number,
  options: { abs?: number; rel?: number; message?: string } = {},
): void {
  const abs = options.abs ?? 0;
  const rel = options.rel ?? (options.abs === undefined ? 1e-9 : 0);
  const tolerance = Math.max(abs, rel * Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance) || Number.isNaN(actual)) {
    fail(
      `${
        options.message ? options.message + ": " : ""
      }expected ${expected} ± ${tolerance}, got ${actual}`,
    );
  }
}
