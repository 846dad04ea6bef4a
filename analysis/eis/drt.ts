// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { JUPYTER_DISPLAY, type MimeBundle, summaryTableBundle, textTable } from "../_display.ts";
import { cholesky, choleskySolve } from "../_linalg.ts";
import { drtChart } from "./eis_charts.ts";
import { nonNegativeQp } from "./_nnls.ts";
import {
  type PointSelection,
  type SpectrumData,
  spectrumData,
  type SpectrumLike,
} from "./_spectrum_data.ts";
import { FittedSpectrum } from "./_fitted_spectrum.ts";

/** Options of {@link computeDrt}. */
export interface DrtOptions extends PointSelection {
  /**
   * Regularization parameter λ, or how to choose it: `"gcv"` (generalized cross-validation)
   * or `"lcurve"` (largest curvature of the L-curve). @default {"gcv"}
   */
  lambda?: number | "gcv" | "lcurve";
  /** Order of the derivative penalized (1 or 2). @default {1} */
  derivative?: 1 | 2;
  /** Fit a series inductance. @default {false} */
  inductance?: boolean;
  /**
   * Shape of the Gaussian basis: full width at half maximum = (mean spacing of ln τ) / coefficient.
   * @default {0.5}
   */
  fwhmCoefficient?: number;
  /** Residual weighting: `unit` or `modulus` (1/|Z|). @default {"unit"} */
  weighting?: "unit" | "modulus";
  /** Peaks lower than this fraction of the largest γ are not reported. @default {0.05} */
  peakThreshold?: number;
  /** Points per decade of the output γ(τ) grid. @default {20} */
  pointsPerDecade?: number;
}

/** One peak of the distribution. */
export interface DrtPeak {
  /** Time constant at the maximum, s. */
  tau_s: number;
  /** 1/(2πτ), Hz. */
  frequency_Hz: number;
  /** γ at the maximum, Ω. */
  gamma_ohm: number;
  /** ∫γ d ln τ between the neighbouring minima: the resistance of the process, Ω. */
  resistance_ohm: number;
}

/**
 * A distribution of relaxation times γ(τ), with Z(ω) = R∞ + jωL + ∫ γ(ln τ)/(1 + jωτ) d ln τ.
 *
 * @example
 * ```ts
 * import { computeDrt } from "./drt.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { ok } from "node:assert/strict";
 *
 * const f = Array.from({ length: 61 }, (_, i) => 10 ** (5 - i / 10));
 * const z = parseCircuit("R0-p(R1,C1)").impedance([10, 50, 2e-4], f);
 * const drt = computeDrt(z); // a DrtResult
 * ok(Math.abs(drt.r_inf_ohm - 10) < 1); // the series resistance
 * ok(Math.abs(drt.polarization_ohm - 50) < 5); // the arc
 * ```
 */
export class DrtResult extends FittedSpectrum {
  /** Output grid of time constants, s. */
  readonly tau_s: Float64Array;
  /** γ on that grid, Ω. */
  readonly gamma_ohm: Float64Array;
  /** Peaks, largest γ first. */
  readonly peaks: DrtPeak[];
  /** High-frequency resistance R∞, Ω. */
  readonly r_inf_ohm: number;
  /** Series inductance, H (0 when not fitted). */
  readonly inductance_H: number;
  /** Polarization resistance ∫γ d ln τ, Ω. */
  readonly polarization_ohm: number;
  /** Regularization parameter used. */
  readonly lambda: number;
  /** How λ was chosen. */
  readonly lambda_method: "gcv" | "lcurve" | "fixed";
  /** √(mean |Z − Ẑ|²/|Z|²) of the reconstruction. */
  readonly relative_rmse: number;

  /** @internal Built by {@link computeDrt} from the data, the reconstruction and γ. */
  constructor(
    data: SpectrumData,
    fitRe: Float64Array,
    fitIm: Float64Array,
    fields: Pick<
      DrtResult,
      | "tau_s"
      | "gamma_ohm"
      | "peaks"
      | "r_inf_ohm"
      | "inductance_H"
      | "polarization_ohm"
      | "lambda"
      | "lambda_method"
    >,
  ) {
    super(data, fitRe, fitIm);
    this.tau_s = fields.tau_s;
    this.gamma_ohm = fields.gamma_ohm;
    this.peaks = fields.peaks;
    this.r_inf_ohm = fields.r_inf_ohm;
    this.inductance_H = fields.inductance_H;
    this.polarization_ohm = fields.polarization_ohm;
    this.lambda = fields.lambda;
    this.lambda_method = fields.lambda_method;
    let rel = 0;
    for (let i = 0; i < data.n; i++) {
      rel += this.residual_real[i] ** 2 + this.residual_imag[i] ** 2;
    }
    this.relative_rmse = Math.sqrt(rel / data.n);
  }

  /** Plain JSON. */
  toJSON(): Record<string, unknown> {
    return {
      peaks: this.peaks,
      r_inf_ohm: this.r_inf_ohm,
      inductance_H: this.inductance_H,
      polarization_ohm: this.polarization_ohm,
      lambda: this.lambda,
      lambda_method: this.lambda_method,
      relative_rmse: this.relative_rmse,
      tau_s: Array.from(this.tau_s),
      gamma_ohm: Array.from(this.gamma_ohm),
    };
  }

  /** One-line summary: R∞, polarization, λ and the misfit. */
  #summary(): string {
    return `DRT: R∞ ${this.r_inf_ohm.toPrecision(4)} Ω, polarization ${
      this.polarization_ohm.toPrecision(4)
    } Ω, λ ${this.lambda.toExponential(2)} (${this.lambda_method}), relative RMS ${
      (100 * this.relative_rmse).toFixed(2)
    } %`;
  }

  /** Summary with the peak table. */
  override toString(): string {
    return `${this.#summary()}\n${textTable(this.#peakRows(), PEAK_COLUMNS)}`;
  }

  #peakRows(): Record<string, unknown>[] {
    return this.peaks as unknown as Record<string, unknown>[];
  }

  /** Jupyter MIME bundle: peak table and γ(τ) plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return summaryTableBundle(this.#summary(), this.#peakRows(), PEAK_COLUMNS, drtChart(this));
  }
}

const PEAK_COLUMNS = [
  { key: "tau_s", label: "τ (s)" },
  { key: "frequency_Hz", label: "f (Hz)" },
  { key: "gamma_ohm", label: "γ (Ω)" },
  { key: "resistance_ohm", label: "R (Ω)" },
];

/** Penalty matrix of the Gaussian basis: ∫ φ_k^(d) φ_l^(d) d ln τ, closed form. */
function penalty(lnTau: Float64Array, eps: number, order: 1 | 2): Float64Array {
  const m = lnTau.length;
  const out = new Float64Array(m * m);
  const a = eps * eps / 2;
  for (let k = 0; k < m; k++) {
    for (let l = 0; l < m; l++) {
      const d = lnTau[k] - lnTau[l];
      // G(d) = ∫ φ(x) φ(x − d) dx = √(π/2)/ε · exp(−ε² d²/2); ∫φ'φ' = −G'', ∫φ''φ'' = G''''.
      const g = Math.sqrt(Math.PI / 2) / eps * Math.exp(-a * d * d);
      out[k * m + l] = order === 1
        ? g * (2 * a - 4 * a * a * d * d)
        : g * (16 * a ** 4 * d ** 4 - 48 * a ** 3 * d * d + 12 * a * a);
    }
  }
  return out;
}

/**
 * Distribution of relaxation times by Tikhonov regularization on Gaussian radial basis
 * functions in ln τ (one per measured frequency, τ = 1/ω, as pyDRTtools), with non-negative
 * coefficients (an active-set NNLS on the regularized normal equations), a derivative penalty,
 * R∞ (and optionally a series inductance) and λ chosen by generalized cross-validation
 * (default) or the L-curve corner. Peaks above `peakThreshold` of the maximum are reported
 * with their time constant, frequency and resistance (area).
 *
 * @param spectrum Frequencies and signed impedance.
 * @param options λ or its selection rule, penalty order, inductance, basis width, weighting.
 * @returns γ(τ), peaks, R∞, λ and the reconstruction.
 * @throws {RangeError} For bad options or too few points.
 *
 * @example One RC element gives one peak at τ = RC
 * ```ts
 * import { computeDrt } from "./drt.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { ok } from "node:assert/strict";
 *
 * const f = Array.from({ length: 61 }, (_, i) => 10 ** (5 - i / 10));
 * const z = parseCircuit("R0-p(R1,C1)").impedance([10, 50, 2e-4], f); // τ = 1e-2 s
 * const drt = computeDrt(z);
 * ok(Math.abs(Math.log10(drt.peaks[0].tau_s / 1e-2)) < 0.1);
 * ```
 */
export function computeDrt(spectrum: SpectrumLike, options: DrtOptions = {}): DrtResult {
  const what = "compute the DRT";
  const data = spectrumData(what, spectrum, options, 5);
  const order = options.derivative ?? 1;
  if (order !== 1 && order !== 2) {
    throw new RangeError(`Cannot ${what}: derivative must be 1 or 2, got ${order}`);
  }
  const coeff = options.fwhmCoefficient ?? 0.5;
  if (!(coeff > 0)) throw new RangeError(`Cannot ${what}: fwhmCoefficient must be > 0`);
  const lambdaOption = options.lambda ?? "gcv";
  if (
    typeof lambdaOption === "number"
      ? !(lambdaOption > 0)
      : !["gcv", "lcurve"].includes(lambdaOption)
  ) {
    throw new RangeError(`Cannot ${what}: lambda must be > 0, "gcv" or "lcurve"`);
  }
  const withL = options.inductance ?? false;
  const { n, w, re, im } = data;
  // Basis: one Gaussian per distinct ω, τ_k = 1/ω_k, sorted.
  const lnTau = Float64Array.from(new Set(Array.from(w, (v) => -Math.log(v)))).sort();
  const M = lnTau.length;
  const spacing = M > 1 ? (lnTau[M - 1] - lnTau[0]) / (M - 1) : 1;
  const eps = coeff * 2 * Math.sqrt(Math.LN2) / spacing;
  // Kernel integrals by the trapezoid rule (spectrally accurate for the Gaussian), cached by
  // s = ln(ωτ_k) (only 2N − 1 distinct values on a log-uniform grid).
  const half = 6 / eps, q = 121, dy = 2 * half / (q - 1);
  const weightsQ = new Float64Array(q), ys = new Float64Array(q);
  for (let t = 0; t < q; t++) {
    ys[t] = -half + t * dy;
    weightsQ[t] = Math.exp(-((eps * ys[t]) ** 2)) * dy * (t === 0 || t === q - 1 ? 0.5 : 1);
  }
  const cache = new Map<number, [number, number]>();
  const kernel = (s: number): [number, number] => {
    const key = Math.round(s * 1e9);
    const hit = cache.get(key);
    if (hit) return hit;
    let kr = 0, ki = 0;
    for (let t = 0; t < q; t++) {
      const x = Math.exp(s + ys[t]);
      const d = 1 + x * x;
      kr += weightsQ[t] / d;
      ki -= weightsQ[t] * x / d;
    }
    const v: [number, number] = [kr, ki];
    cache.set(key, v);
    return v;
  };
  // Unknowns: [R∞, (L), x_1..x_M]; rows: weighted real then imaginary parts.
  const off = withL ? 2 : 1, nv = off + M, m = 2 * n;
  const a = new Float64Array(m * nv), b = new Float64Array(m);
  const wt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    wt[i] = options.weighting === "modulus" ? 1 / Math.hypot(re[i], im[i]) : 1;
    const rr = i * nv, ri = (n + i) * nv;
    a[rr] = wt[i];
    if (withL) a[ri + 1] = w[i] * wt[i];
    const lw = Math.log(w[i]);
    for (let k = 0; k < M; k++) {
      const [kr, ki] = kernel(lw + lnTau[k]);
      a[rr + off + k] = kr * wt[i];
      a[ri + off + k] = ki * wt[i];
    }
    b[i] = re[i] * wt[i];
    b[n + i] = im[i] * wt[i];
  }
  // Normal equations G = AᵀA, g = Aᵀb.
  const gm = new Float64Array(nv * nv), gv = new Float64Array(nv);
  for (let r = 0; r < m; r++) {
    const base = r * nv;
    for (let j = 0; j < nv; j++) {
      const v = a[base + j];
      if (v === 0) continue;
      gv[j] += v * b[r];
      for (let k = 0; k <= j; k++) gm[j * nv + k] += v * a[base + k];
    }
  }
  for (let j = 0; j < nv; j++) for (let k = 0; k < j; k++) gm[k * nv + j] = gm[j * nv + k];
  let bb = 0;
  for (let r = 0; r < m; r++) bb += b[r] * b[r];
  const pen = penalty(lnTau, eps, order);
  const lg = Float64Array.from(gm);
  for (let j = 0; j < nv; j++) lg[j * nv + j] *= 1 + 1e-12;
  if (!cholesky(lg, nv)) {
    throw new RangeError(`Cannot ${what}: the basis matrix is singular (duplicate frequencies?)`);
  }
  const hOf = (lambda: number): Float64Array => {
    const h = Float64Array.from(gm);
    for (let k = 0; k < M; k++) {
      for (let l = 0; l < M; l++) h[(off + k) * nv + off + l] += lambda * pen[k * M + l];
    }
    // A tiny ridge keeps H positive definite when λ is very small.
    for (let j = 0; j < nv; j++) h[j * nv + j] *= 1 + 1e-12;
    return h;
  };
  // Unconstrained ridge solution, residual norm, penalty norm and trace of the influence
  // matrix at λ (for GCV and the L-curve).
  const ridge = (lambda: number): { res: number; pen: number; trace: number } | null => {
    const h = hOf(lambda);
    if (!cholesky(h, nv)) return null;
    const x = Float64Array.from(gv);
    choleskySolve(h, nv, x);
    // ‖Ax − b‖² = xᵀGx − 2xᵀg + bᵀb
    let xgx = 0, xg = 0, xpx = 0;
    for (let j = 0; j < nv; j++) {
      let s = 0;
      for (let k = 0; k < nv; k++) s += gm[j * nv + k] * x[k];
      xgx += x[j] * s;
      xg += x[j] * gv[j];
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
    return { res: Math.max(xgx - 2 * xg + bb, 1e-300), pen: Math.max(xpx, 1e-300), trace };
  };
  let lambda: number;
  let method: DrtResult["lambda_method"] = "fixed";
  if (typeof lambdaOption === "number") lambda = lambdaOption;
  else {
    method = lambdaOption;
    // Scale λ by the data: candidates relative to trace(G)/trace(P).
    let tg = 0, tp = 0;
    for (let k = 0; k < M; k++) {
      tg += gm[(off + k) * nv + off + k];
      tp += pen[k * M + k];
    }
    const base = tg / Math.max(tp, 1e-300);
    const logs: number[] = [];
    for (let e = -10; e <= 1; e += 1) logs.push(Math.log10(base) + e);
    const score = (lg: number): number => {
      const r = ridge(10 ** lg);
      if (!r) return Infinity;
      return m * r.res / Math.max(m - r.trace, 1e-12) ** 2;
    };
    if (method === "gcv") {
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
      lambda = 10 ** ((lo + hi) / 2);
    } else {
      // L-curve: maximum curvature of (log ‖Ax − b‖, log ‖Lx‖) against log λ.
      const pts = logs.map((lg) => {
        const r = ridge(10 ** lg);
        return r ? [Math.log(r.res) / 2, Math.log(r.pen) / 2] : [NaN, NaN];
      });
      let best = 1, bestK = -Infinity;
      for (let i = 1; i < pts.length - 1; i++) {
        const [x0, y0] = pts[i - 1], [x1, y1] = pts[i], [x2, y2] = pts[i + 1];
        const dx = (x2 - x0) / 2, dy2 = (y2 - y0) / 2;
        const ddx = x2 - 2 * x1 + x0, ddy = y2 - 2 * y1 + y0;
        const k = (dx * ddy - dy2 * ddx) / Math.pow(dx * dx + dy2 * dy2, 1.5);
        if (Number.isFinite(k) && k > bestK) {
          bestK = k;
          best = i;
        }
      }
      lambda = 10 ** logs[best];
    }
  }
  // Non-negative solution at λ (R∞, L and every coefficient ≥ 0).
  const h = hOf(lambda);
  const nonNeg = new Uint8Array(nv).fill(1);
  const x = nonNegativeQp(h, gv, nv, nonNeg);
  // Reconstruction.
  const fitRe = new Float64Array(n), fitIm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let zr = 0, zi = 0;
    for (let j = 0; j < nv; j++) {
      zr += a[i * nv + j] * x[j];
      zi += a[(n + i) * nv + j] * x[j];
    }
    fitRe[i] = zr / wt[i];
    fitIm[i] = zi / wt[i];
  }
  // γ on a fine grid extending one basis width beyond the data.
  const ppd = options.pointsPerDecade ?? 20;
  const lo = lnTau[0] - 1 / eps, hi = lnTau[M - 1] + 1 / eps;
  const ng = Math.max(2, Math.ceil((hi - lo) / Math.LN10 * ppd) + 1);
  const tau = new Float64Array(ng), gamma = new Float64Array(ng);
  for (let g = 0; g < ng; g++) {
    const lt = lo + (g * (hi - lo)) / (ng - 1);
    tau[g] = Math.exp(lt);
    let s = 0;
    for (let k = 0; k < M; k++) s += x[off + k] * Math.exp(-((eps * (lt - lnTau[k])) ** 2));
    gamma[g] = s;
  }
  const dlt = (hi - lo) / (ng - 1);
  let total = 0;
  for (let k = 0; k < M; k++) total += x[off + k] * Math.sqrt(Math.PI) / eps;
  const peaks = findPeaks(tau, gamma, dlt, options.peakThreshold ?? 0.05);
  return new DrtResult(data, fitRe, fitIm, {
    tau_s: tau,
    gamma_ohm: gamma,
    peaks,
    r_inf_ohm: x[0],
    inductance_H: withL ? x[1] : 0,
    polarization_ohm: total,
    lambda,
    lambda_method: method,
  });
}

/** Local maxima above `threshold` × max, refined by a parabola in ln τ, with their areas. */
function findPeaks(
  tau: Float64Array,
  gamma: Float64Array,
  dlt: number,
  threshold: number,
): DrtPeak[] {
  const n = gamma.length;
  let gmax = 0;
  for (const g of gamma) gmax = Math.max(gmax, g);
  const peaks: DrtPeak[] = [];
  if (gmax <= 0) return peaks;
  for (let i = 1; i < n - 1; i++) {
    const g = gamma[i];
    if (!(g > gamma[i - 1] && g >= gamma[i + 1]) || g < threshold * gmax) continue;
    // Parabolic refinement.
    const d = gamma[i - 1] - 2 * g + gamma[i + 1];
    const shift = d < 0 ? 0.5 * (gamma[i - 1] - gamma[i + 1]) / d : 0;
    const lt = Math.log(tau[i]) + shift * dlt;
    // Area between the neighbouring minima.
    let l = i, r = i;
    while (l > 0 && gamma[l - 1] <= gamma[l]) l--;
    while (r < n - 1 && gamma[r + 1] <= gamma[r]) r++;
    let area = 0;
    for (let k = l; k < r; k++) area += 0.5 * (gamma[k] + gamma[k + 1]) * dlt;
    const t = Math.exp(lt);
    peaks.push({
      tau_s: t,
      frequency_Hz: 1 / (2 * Math.PI * t),
      gamma_ohm: d < 0 ? g - 0.25 * (gamma[i - 1] - gamma[i + 1]) * shift : g,
      resistance_ohm: area,
    });
  }
  return peaks.sort((p, q) => q.gamma_ohm - p.gamma_ohm);
}
