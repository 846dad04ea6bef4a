// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The choice of the DRT's regularization parameter λ on the unconstrained ridge problem:
 * generalized cross-validation (a grid of decades around trace(AᵀA)/trace(P), then golden
 * section) or the corner (largest curvature) of the L-curve.
 */

import { cholesky, choleskySolve } from "../_linalg.ts";
import { type DrtSystem, regularized } from "./_drt_basis.ts";

/** The ridge solution's residual norm, penalty norm and influence-matrix trace at λ. */
interface Ridge {
  res: number;
  pen: number;
  trace: number;
}

/**
 * The Cholesky factor of AᵀA (with a tiny ridge).
 *
 * @throws {RangeError} When AᵀA is singular (duplicate frequencies).
 */
export function gramFactor(what: string, system: DrtSystem): Float64Array {
  const { gram, nv } = system;
  const lg = Float64Array.from(gram);
  for (let j = 0; j < nv; j++) lg[j * nv + j] *= 1 + 1e-12;
  if (!cholesky(lg, nv)) {
    throw new RangeError(`Cannot ${what}: the basis matrix is singular (duplicate frequencies?)`);
  }
  return lg;
}

/** λ by `gcv` or `lcurve` for the system (with `lg`, its {@link gramFactor}) and penalty. */
export function chooseLambda(
  system: DrtSystem,
  lg: Float64Array,
  pen: Float64Array,
  method: "gcv" | "lcurve",
): number {
  const { gram, atb, btb, nv, off } = system;
  const M = nv - off, m = system.b.length;
  const ridge = (lambda: number): Ridge | null => {
    const h = regularized(system, pen, lambda);
    if (!cholesky(h, nv)) return null;
    const x = Float64Array.from(atb);
    choleskySolve(h, nv, x);
    // ‖Ax − b‖² = xᵀGx − 2xᵀg + bᵀb
    let xgx = 0, xg = 0, xpx = 0;
    for (let j = 0; j < nv; j++) {
      let s = 0;
      for (let k = 0; k < nv; k++) s += gram[j * nv + k] * x[k];
      xgx += x[j] * s;
      xg += x[j] * atb[j];
    }
    for (let k = 0; k < M; k++) {
      let s = 0;
      for (let l = 0; l < M; l++) s += pen[k * M + l] * x[off + l];
      xpx += x[off + k] * s;
    }
    // trace(H⁻¹G) = ‖L_H⁻¹ L_G‖²_F with G = L_G L_Gᵀ, H = L_H L_Hᵀ (both lower triangular,
    // so column j of L_H⁻¹ L_G has entries only in rows ≥ j).
    let trace = 0;
    const col = new Float64Array(nv);
    for (let j = 0; j < nv; j++) {
      for (let i = j; i < nv; i++) {
        let s = lg[i * nv + j];
        for (let k = j; k < i; k++) s -= h[i * nv + k] * col[k];
        col[i] = s / h[i * nv + i];
        trace += col[i] * col[i];
      }
    }
    return { res: Math.max(xgx - 2 * xg + btb, 1e-300), pen: Math.max(xpx, 1e-300), trace };
  };
  // Candidates relative to trace(G)/trace(P): λ scaled by the data.
  let tg = 0, tp = 0;
  for (let k = 0; k < M; k++) {
    tg += gram[(off + k) * nv + off + k];
    tp += pen[k * M + k];
  }
  const base = tg / Math.max(tp, 1e-300);
  const logs: number[] = [];
  for (let e = -10; e <= 1; e += 1) logs.push(Math.log10(base) + e);
  return method === "gcv" ? gcv(logs, ridge, m) : lCurve(logs, ridge);
}

/** Minimum of the GCV score m‖Ax − b‖²/(m − trace)² over the grid, refined by golden section. */
function gcv(logs: number[], ridge: (lambda: number) => Ridge | null, m: number): number {
  const score = (lg: number): number => {
    const r = ridge(10 ** lg);
    if (!r) return Infinity;
    return m * r.res / Math.max(m - r.trace, 1e-12) ** 2;
  };
  let bi = 0;
  const scores = logs.map(score);
  for (let i = 1; i < logs.length; i++) if (scores[i] < scores[bi]) bi = i;
  // Golden-section refinement within the neighbouring grid points.
  let lo = logs[Math.max(bi - 1, 0)], hi = logs[Math.min(bi + 1, logs.length - 1)];
  const gr = (Math.sqrt(5) - 1) / 2;
  let c = hi - gr * (hi - lo), d = lo + gr * (hi - lo);
  let fc = score(c), fd = score(d);
  for (let it = 0; it < 8; it++) {
    if (fc < fd) {
      hi = d;
      d = c;
      fd = fc;
      c = hi - gr * (hi - lo);
      fc = score(c);
    } else {
      lo = c;
      c = d;
      fc = fd;
      d = lo + gr * (hi - lo);
      fd = score(d);
    }
  }
  return 10 ** ((lo + hi) / 2);
}

/** The grid point of largest curvature of (log ‖Ax − b‖, log ‖Lx‖) against log λ. */
function lCurve(logs: number[], ridge: (lambda: number) => Ridge | null): number {
  const pts = logs.map((lg) => {
    const r = ridge(10 ** lg);
    return r ? [Math.log(r.res) / 2, Math.log(r.pen) / 2] : [NaN, NaN];
  });
  let best = 1, bestK = -Infinity;
  for (let i = 1; i < pts.length - 1; i++) {
    const [x0, y0] = pts[i - 1], [x1, y1] = pts[i], [x2, y2] = pts[i + 1];
    const dx = (x2 - x0) / 2, dy = (y2 - y0) / 2;
    const ddx = x2 - 2 * x1 + x0, ddy = y2 - 2 * y1 + y0;
    const k = (dx * ddy - dy * ddx) / Math.pow(dx * dx + dy * dy, 1.5);
    if (Number.isFinite(k) && k > bestK) {
      bestK = k;
      best = i;
    }
  }
  return 10 ** logs[best];
}
