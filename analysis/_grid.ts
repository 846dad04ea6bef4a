// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private uniform grids aligned to integer multiples of the step, so that curves of different
 * cycles computed with the same step share their sample positions (differences need no
 * re-interpolation).
 */

/** Nodes `(first + j) · step`, j = 0..count-1, covering [lo, hi]. */
export interface AlignedGrid {
  step: number;
  first: number;
  count: number;
}

/** The aligned nodes covering [lo, hi] (at least two nodes). */
export function alignedGrid(lo: number, hi: number, step: number, maxNodes: number): AlignedGrid {
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.max(first + 1, Math.ceil(hi / step - 1e-9));
  const count = last - first + 1;
  if (count > maxNodes) {
    throw new RangeError(
      `grid of ${count} points (range ${lo}..${hi} at step ${step}) exceeds ${maxNodes}; use a larger step`,
    );
  }
  return { step, first, count };
}

/** Position of node j. */
export function nodeAt(grid: AlignedGrid, j: number): number {
  return (grid.first + j) * grid.step;
}

/**
 * Linear interpolation of knots (kx strictly increasing) at the grid nodes; constant beyond the
 * first and last knot.
 */
export function interpolateAtNodes(
  kx: Float64Array,
  ky: Float64Array,
  grid: AlignedGrid,
): Float64Array {
  const out = new Float64Array(grid.count);
  const k = kx.length;
  let b = 0;
  for (let j = 0; j < grid.count; j++) {
    const v = nodeAt(grid, j);
    if (v <= kx[0]) {
      out[j] = ky[0];
      continue;
    }
    if (v >= kx[k - 1]) {
      out[j] = ky[k - 1];
      continue;
    }
    while (kx[b + 1] < v) b++;
    const f = (v - kx[b]) / (kx[b + 1] - kx[b]);
    out[j] = ky[b] + f * (ky[b + 1] - ky[b]);
  }
  return out;
}
