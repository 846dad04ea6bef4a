// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { cholesky, choleskySolve } from "../_linalg.ts";

/**
 * Non-negative quadratic programme min ½ xᵀHx − fᵀx subject to x_j ≥ 0 for `nonNegative[j]`
 * (H symmetric positive definite, row-major n×n), by the active-set method of Lawson and
 * Hanson in the "fast NNLS" form of Bro and de Jong (1997) that works on H and f directly.
 * Unconstrained variables start in the passive set and never leave it.
 */
export function nonNegativeQp(
  h: Float64Array,
  f: Float64Array,
  n: number,
  nonNegative: Uint8Array,
): Float64Array {
  const x = new Float64Array(n);
  const passive = new Uint8Array(n);
  for (let j = 0; j < n; j++) if (!nonNegative[j]) passive[j] = 1;
  const w = new Float64Array(n);
  let scale = 0;
  for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(f[j]));
  const tol = 1e-12 * Math.max(scale, 1e-300) * n;
  const solveP = (): Float64Array => {
    const idx: number[] = [];
    for (let j = 0; j < n; j++) if (passive[j]) idx.push(j);
    const k = idx.length;
    const a = new Float64Array(k * k), b = new Float64Array(k);
    for (let r = 0; r < k; r++) {
      b[r] = f[idx[r]];
      for (let c = 0; c < k; c++) a[r * k + c] = h[idx[r] * n + idx[c]];
    }
    const s = new Float64Array(n);
    if (k === 0) return s;
    if (!cholesky(a, k)) {
      // Numerically singular sub-problem: add a tiny ridge.
      for (let r = 0; r < k; r++) {
        for (let c = 0; c < k; c++) a[r * k + c] = h[idx[r] * n + idx[c]];
        a[r * k + r] *= 1 + 1e-10;
      }
      cholesky(a, k);
    }
    choleskySolve(a, k, b);
    idx.forEach((j, r) => (s[j] = b[r]));
    return s;
  };
  const gradient = (): void => {
    for (let j = 0; j < n; j++) {
      let s = f[j];
      for (let k = 0; k < n; k++) s -= h[j * n + k] * x[k];
      w[j] = s;
    }
  };
  // Start with the unconstrained variables solved.
  if (passive.some((v) => v)) x.set(solveP());
  gradient();
  for (let outer = 0; outer < 3 * n; outer++) {
    let best = -1, bestW = tol;
    for (let j = 0; j < n; j++) {
      if (!passive[j] && w[j] > bestW) {
        bestW = w[j];
        best = j;
      }
    }
    if (best < 0) break;
    passive[best] = 1;
    for (let inner = 0; inner < 3 * n; inner++) {
      const s = solveP();
      let alpha = Infinity;
      for (let j = 0; j < n; j++) {
        if (passive[j] && nonNegative[j] && s[j] <= 0) {
          alpha = Math.min(alpha, x[j] / (x[j] - s[j]));
        }
      }
      if (alpha === Infinity) {
        x.set(s);
        break;
      }
      for (let j = 0; j < n; j++) x[j] += alpha * (s[j] - x[j]);
      for (let j = 0; j < n; j++) {
        if (passive[j] && nonNegative[j] && x[j] <= 1e-14 * (Math.abs(x[j]) + 1)) {
          passive[j] = 0;
          x[j] = 0;
        }
      }
    }
    gradient();
  }
  return x;
}
