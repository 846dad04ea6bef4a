// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Small dense linear algebra on row-major `Float64Array` matrices, for the least-squares
 * solvers (a few to a few hundred unknowns).
 */

/**
 * In-place Cholesky factorization of a symmetric positive definite n×n matrix (lower triangle
 * holds L on return). Returns `false` when the matrix is not positive definite.
 */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solve L Lᵀ x = b in place in `b`, with L from {@link cholesky}. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** Inverse of a symmetric positive definite matrix, or `null` when it is singular. */
export function invertSpd(a: Float64Array, n: number): Float64Array | null {
  const l = a.slice();
  if (!cholesky(l, n)) return null;
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    choleskySolve(l, n, col);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  return inv;
}

/** Jᵀ J (n×n) and Jᵀ r (n) for a row-major m×n Jacobian. */
export function normalEquations(
  jac: Float64Array,
  r: Float64Array,
  m: number,
  n: number,
): { jtj: Float64Array; jtr: Float64Array } {
  const jtj = new Float64Array(n * n);
  const jtr = new Float64Array(n);
  for (let row = 0; row < m; row++) {
    const base = row * n;
    const ri = r[row];
    for (let i = 0; i < n; i++) {
      const ji = jac[base + i];
      if (ji === 0) continue;
      jtr[i] += ji * ri;
      for (let k = 0; k <= i; k++) jtj[i * n + k] += ji * jac[base + k];
    }
  }
  for (let i = 0; i < n; i++) for (let k = 0; k < i; k++) jtj[k * n + i] = jtj[i * n + k];
  return { jtj, jtr };
}

/**
 * Ordinary linear least squares `min |X b - y|²` for an m×n design matrix (row-major), by the
 * normal equations with a Cholesky factorization. Returns `null` for a rank-deficient design.
 */
export function linearLeastSquares(
  x: Float64Array,
  y: Float64Array,
  m: number,
  n: number,
): Float64Array | null {
  const { jtj, jtr } = normalEquations(x, y, m, n);
  if (!cholesky(jtj, n)) return null;
  choleskySolve(jtj, n, jtr);
  return jtr;
}
