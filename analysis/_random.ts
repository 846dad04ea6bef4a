// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * A small, fast, deterministic pseudo-random generator (mulberry32): floats in [0, 1). Used for
 * seeded multi-start fits, and by the fuzzer and tests for reproducible inputs.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
