// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private: derivative of a curve given by knots, as cell averages on an aligned uniform grid,
 * smoothed by one of three methods (shared by dQ/dV and dV/dQ).
 */

import { alignedGrid, interpolateAtNodes, nodeAt } from "./_grid.ts";
import { FWHM_PER_SIGMA, gaussianConserving, savgol } from "./_smooth.ts";
import { fitPSpline, psplineValue } from "./_pspline.ts";

/** Smoothing settings, widths in x units. */
export interface DifferentiateSettings {
  method: "gaussian" | "savgol" | "spline";
  step: number;
  fwhm: number;
  savgolWindow: number;
  savgolOrder: number;
  knotSpacing: number;
  lambda: number | "gcv";
  /** Name of x with unit, for messages ("voltage range … V"). */
  unit: string;
}

/** A derivative on grid cells. */
export interface CellDerivative {
  /** Cell centres (odd multiples of step / 2). */
  x: Float64Array;
  /** Derivative per cell. */
  d: Float64Array;
  /** Σ d · step. */
  integral: number;
}

/**
 * Derivative of the piecewise linear (gaussian, savgol) or P-spline (spline) curve through the
 * knots (kx strictly increasing), constant beyond the end knots.
 */
export function differentiateKnots(
  kx: Float64Array,
  ky: Float64Array,
  kw: Float64Array,
  s: DifferentiateSettings,
): CellDerivative {
  const k = kx.length;
  const lo = kx[0], hi = kx[k - 1];
  const step = s.step;
  const grid = alignedGrid(lo, hi, step, 2_000_001);
  const cells = grid.count - 1;
  const x = new Float64Array(cells);
  for (let j = 0; j < cells; j++) x[j] = nodeAt(grid, j) + step / 2;
  let d: Float64Array;
  if (s.method === "spline") {
    const sp = fitPSpline(kx, ky, kw, { knotSpacing: s.knotSpacing, lambda: s.lambda });
    d = new Float64Array(cells);
    let prev = psplineValue(sp, Math.max(lo, nodeAt(grid, 0)));
    for (let j = 0; j < cells; j++) {
      const next = psplineValue(sp, Math.min(hi, Math.max(lo, nodeAt(grid, j + 1))));
      d[j] = (next - prev) / step;
      prev = next;
    }
  } else {
    const y = interpolateAtNodes(kx, ky, grid);
    const raw = new Float64Array(cells);
    for (let j = 0; j < cells; j++) raw[j] = (y[j + 1] - y[j]) / step;
    if (s.method === "gaussian") {
      d = gaussianConserving(raw, s.fwhm / FWHM_PER_SIGMA / step);
    } else {
      let half = Math.round(s.savgolWindow / step / 2);
      if (2 * half + 1 > cells) half = (cells - 1) >> 1;
      if (s.savgolOrder >= 2 * half + 1) {
        throw new RangeError(
          `the ${s.unit} range ${hi - lo} holds ${cells} grid cells, too few for a ` +
            `Savitzky–Golay filter of order ${s.savgolOrder}`,
        );
      }
      d = savgol(raw, half, s.savgolOrder);
    }
  }
  let integral = 0;
  for (let j = 0; j < cells; j++) integral += d[j];
  return { x, d, integral: integral * step };
}
