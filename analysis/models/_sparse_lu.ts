// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Sparse LU without pivoting for a fixed sparsity pattern, in the order of the unknowns. The
 * symbolic phase (done once per model) computes the fill of the symmetrized pattern and compiles
 * the elimination into flat lists of storage positions, so a numeric factorization is a few
 * tight loops over typed arrays. The models order their unknowns so that the elimination
 * follows the physics: each particle's radial chain from the centre outwards (no fill), then
 * the through-cell unknowns cell by cell (fill within a narrow band), then the few global
 * unknowns (current, temperature, capacity) last, which makes the algebraic rows with a zero
 * diagonal (a voltage-controlled current) get their pivot from the Schur complement.
 */

/** A sparsity pattern in compressed rows (column indices sorted within each row). */
export interface Pattern {
  /** Number of rows (= columns). */
  n: number;
  /** Row start offsets, length n + 1. */
  rowPtr: Int32Array;
  /** Column indices. */
  colIdx: Int32Array;
}

/**
 * Build a pattern from per-row column lists (duplicates removed, sorted).
 *
 * @param rows Columns of each row.
 * @returns The compressed pattern.
 */
export function patternFromRows(rows: readonly (readonly number[])[]): Pattern {
  const n = rows.length;
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    const sorted = [...new Set(rows[i])].sort((a, b) => a - b);
    for (const c of sorted) {
      if (c < 0 || c >= n) throw new RangeError(`pattern row ${i} has column ${c} of ${n}`);
    }
    cols.push(...sorted);
    rowPtr[i + 1] = cols.length;
  }
  return { n, rowPtr, colIdx: Int32Array.from(cols) };
}

/** Sparse LU factorization of matrices with one fixed pattern. */
export class SparseLu {
  /** Dimension. */
  readonly n: number;
  /** Filled pattern: row starts. */
  readonly rowPtr: Int32Array;
  /** Filled pattern: columns. */
  readonly colIdx: Int32Array;
  /** Values in the filled pattern (write the matrix with {@link positionOf} / {@link load}). */
  readonly values: Float64Array;
  /** Position of each diagonal entry. */
  readonly diagPos: Int32Array;
  /** For each entry of the source pattern, its position in {@link values}. */
  readonly sourcePos: Int32Array;
  private readonly lowerStart: Int32Array;
  private readonly lowerPos: Int32Array;
  private readonly upperStart: Int32Array;
  private readonly upperPos: Int32Array;
  private readonly targets: Int32Array;
  /** Number of multiply-add operations of one factorization. */
  readonly operations: number;
  /** Row of the last zero or non-finite pivot, or -1. */
  failedPivot = -1;

  /** @param pattern The matrix pattern (the diagonal is added). */
  constructor(pattern: Pattern) {
    const n = pattern.n;
    this.n = n;
    const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
    for (let i = 0; i < n; i++) {
      for (let p = pattern.rowPtr[i]; p < pattern.rowPtr[i + 1]; p++) {
        const j = pattern.colIdx[p];
        if (j !== i) {
          adj[i].add(j);
          adj[j].add(i);
        }
      }
    }
    for (let k = 0; k < n; k++) {
      const higher: number[] = [];
      for (const j of adj[k]) if (j > k) higher.push(j);
      for (let a = 0; a < higher.length; a++) {
        const ia = higher[a];
        for (let b = 0; b < higher.length; b++) if (a !== b) adj[ia].add(higher[b]);
      }
    }
    const rowPtr = new Int32Array(n + 1);
    const cols: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = [...adj[i], i].sort((a, b) => a - b);
      cols.push(...row);
      rowPtr[i + 1] = cols.length;
    }
    this.rowPtr = rowPtr;
    this.colIdx = Int32Array.from(cols);
    this.values = new Float64Array(cols.length);
    this.diagPos = new Int32Array(n);
    for (let i = 0; i < n; i++) this.diagPos[i] = this.find(i, i);
    this.sourcePos = new Int32Array(pattern.colIdx.length);
    for (let i = 0; i < n; i++) {
      for (let p = pattern.rowPtr[i]; p < pattern.rowPtr[i + 1]; p++) {
        this.sourcePos[p] = this.find(i, pattern.colIdx[p]);
      }
    }
    const lowerStart = new Int32Array(n + 1), upperStart = new Int32Array(n + 1);
    const lowerPos: number[] = [], upperPos: number[] = [], targets: number[] = [];
    for (let k = 0; k < n; k++) {
      const higher = [...adj[k]].filter((j) => j > k).sort((a, b) => a - b);
      for (const i of higher) lowerPos.push(this.find(i, k));
      for (const j of higher) upperPos.push(this.find(k, j));
      for (const i of higher) for (const j of higher) targets.push(this.find(i, j));
      lowerStart[k + 1] = lowerPos.length;
      upperStart[k + 1] = upperPos.length;
    }
    this.lowerStart = lowerStart;
    this.upperStart = upperStart;
    this.lowerPos = Int32Array.from(lowerPos);
    this.upperPos = Int32Array.from(upperPos);
    this.targets = Int32Array.from(targets);
    this.operations = targets.length;
  }

  /** Storage position of entry (i, j) of the filled pattern, or -1. */
  find(i: number, j: number): number {
    let lo = this.rowPtr[i], hi = this.rowPtr[i + 1] - 1;
    const c = this.colIdx;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid] === j) return mid;
      if (c[mid] < j) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Factorize the values in place (L unit lower, U upper, sharing the storage).
   *
   * @returns `false` when a pivot is zero or not finite ({@link failedPivot} says which).
   */
  factor(): boolean {
    const v = this.values, ls = this.lowerStart, lp = this.lowerPos;
    const us = this.upperStart, up = this.upperPos, tg = this.targets, dp = this.diagPos;
    let t = 0;
    for (let k = 0; k < this.n; k++) {
      const pivot = v[dp[k]];
      if (pivot === 0 || !Number.isFinite(pivot)) {
        this.failedPivot = k;
        return false;
      }
      const inv = 1 / pivot;
      const u0 = us[k], u1 = us[k + 1];
      for (let a = ls[k]; a < ls[k + 1]; a++) {
        const l = v[lp[a]] * inv;
        v[lp[a]] = l;
        if (l === 0) {
          t += u1 - u0;
          continue;
        }
        for (let b = u0; b < u1; b++) v[tg[t++]] -= l * v[up[b]];
      }
    }
    return true;
  }

  /**
   * Solve with the factorization, in place.
   *
   * @param b Right-hand side; overwritten by the solution.
   */
  solve(b: Float64Array): void {
    const v = this.values, rp = this.rowPtr, ci = this.colIdx, dp = this.diagPos, n = this.n;
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let p = rp[i]; p < dp[i]; p++) s -= v[p] * b[ci[p]];
      b[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i];
      for (let p = dp[i] + 1; p < rp[i + 1]; p++) s -= v[p] * b[ci[p]];
      b[i] = s / v[dp[i]];
    }
  }
}

/**
 * Group the columns of a pattern so that no two columns of a group share a row (greedy
 * colouring), for finite-difference Jacobians with one function evaluation per group.
 *
 * @param pattern The Jacobian pattern.
 * @param skipRows Rows left out (their entries are found otherwise).
 * @returns Colour of each column and the number of colours.
 */
export function colorColumns(
  pattern: Pattern,
  skipRows: readonly number[] = [],
): { color: Int32Array; count: number } {
  const n = pattern.n;
  const skip = new Set(skipRows);
  const colRows: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    if (skip.has(i)) continue;
    for (let p = pattern.rowPtr[i]; p < pattern.rowPtr[i + 1]; p++) {
      colRows[pattern.colIdx[p]].push(i);
    }
  }
  const color = new Int32Array(n).fill(-1);
  // rowColors[i] holds the colours already used by columns touching row i.
  const rowColors: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  let count = 0;
  for (let j = 0; j < n; j++) {
    const used = new Set<number>();
    for (const i of colRows[j]) for (const c of rowColors[i]) used.add(c);
    let c = 0;
    while (used.has(c)) c++;
    color[j] = c;
    if (c + 1 > count) count = c + 1;
    for (const i of colRows[j]) rowColors[i].add(c);
  }
  return { color, count };
}
