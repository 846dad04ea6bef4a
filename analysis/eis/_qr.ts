// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Linear least squares min |A x − b|² by Householder QR (row-major m×n, m ≥ n), numerically
 * safer than the normal equations for the ill-conditioned lin-KK design matrices. Returns
 * `null` when A is rank deficient (a zero pivot).
 */
export function qrLeastSquares(
  aIn: Float64Array,
  bIn: Float64Array,
  m: number,
  n: number,
): Float64Array | null {
  const a = Float64Array.from(aIn), b = Float64Array.from(bIn);
  const diag = new Float64Array(n);
  let maxNorm = 0;
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    maxNorm = Math.max(maxNorm, norm);
    if (norm === 0 || norm <= 1e-14 * maxNorm) return null;
    const alpha = a[k * n + k] > 0 ? -norm : norm;
    // v = x − alpha e1 stored in column k (rows k..m−1).
    a[k * n + k] -= alpha;
    let vnorm2 = 0;
    for (let i = k; i < m; i++) vnorm2 += a[i * n + k] ** 2;
    diag[k] = alpha;
    if (vnorm2 === 0) continue;
    for (let j = k + 1; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += a[i * n + k] * a[i * n + j];
      s = (2 * s) / vnorm2;
      for (let i = k; i < m; i++) a[i * n + j] -= s * a[i * n + k];
    }
    let s = 0;
    for (let i = k; i < m; i++) s += a[i * n + k] * b[i];
    s = (2 * s) / vnorm2;
    for (let i = k; i < m; i++) b[i] -= s * a[i * n + k];
  }
  const x = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < n; j++) s -= a[k * n + j] * x[j];
    x[k] = s / diag[k];
  }
  return x;
}
