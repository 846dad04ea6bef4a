// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Allocation-free complex helpers for the circuit elements. Results are written into a
 * caller-supplied `out` array at `o` (real) and `o + 1` (imaginary).
 */

/** Principal square root of `a + ib`. */
export function csqrt(a: number, b: number, out: Float64Array, o: number): void {
  const m = Math.sqrt(a * a + b * b);
  if (m === 0) {
    out[o] = 0;
    out[o + 1] = 0;
    return;
  }
  if (a >= 0) {
    const t = Math.sqrt(0.5 * (m + a));
    out[o] = t;
    out[o + 1] = b / (2 * t);
  } else {
    const t = Math.sqrt(0.5 * (m - a));
    out[o] = Math.abs(b) / (2 * t);
    out[o + 1] = b >= 0 ? t : -t;
  }
}

/**
 * coth(s) at `out[o]` and csch²(s) at `out[o + 2]` for s = a + ib, computed from e^(−2|a|…) so
 * that nothing overflows for large |s| (coth → ±1, csch² → 0) and small |s| keeps precision
 * (expm1). tanh(s) = 1/coth(s) and sech²(s) follow from these.
 */
export function cothCsch2(a: number, b: number, out: Float64Array, o: number): void {
  const flip = a < 0;
  if (flip) {
    a = -a;
    b = -b;
  }
  if (a > 20) {
    // e^(−2s) < 5e-18: coth = ±1 and csch² = 0 to double precision.
    out[o] = flip ? -1 : 1;
    out[o + 1] = 0;
    out[o + 2] = 0;
    out[o + 3] = 0;
    return;
  }
  // e = exp(−2s) = exp(−2a)(cos 2b − i sin 2b); den = 1 − e computed with expm1.
  const ea = Math.exp(-2 * a);
  const c2 = Math.cos(2 * b), s2 = Math.sin(2 * b), sb = Math.sin(b);
  const er = ea * c2, ei = -ea * s2;
  const dr = -(Math.expm1(-2 * a) * c2 - 2 * sb * sb), di = -ei;
  const nr = 1 + er, ni = ei;
  const dd = dr * dr + di * di;
  const cr = (nr * dr + ni * di) / dd, ci = (ni * dr - nr * di) / dd;
  // csch² = 4e / den²
  const d2r = dr * dr - di * di, d2i = 2 * dr * di;
  const d2 = d2r * d2r + d2i * d2i;
  // coth(−s) = −coth(s); csch² is even.
  out[o] = flip ? -cr : cr;
  out[o + 1] = flip ? -ci : ci;
  out[o + 2] = 4 * (er * d2r + ei * d2i) / d2;
  out[o + 3] = 4 * (ei * d2r - er * d2i) / d2;
}
