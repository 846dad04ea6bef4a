// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { JUPYTER_DISPLAY, type MimeBundle, summaryTableBundle, textTable } from "../_display.ts";
import {
  type DrtBasis,
  type DrtSystem,
  drtSystem,
  gaussianBasis,
  penalty,
  regularized,
} from "./_drt_basis.ts";
import { chooseLambda, gramFactor } from "./_drt_lambda.ts";
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
  // The linear problem (_drt_basis.ts): Gaussians in ln τ, weighted kernels, normal equations.
  const basis = gaussianBasis(data.w, coeff);
  const system = drtSystem(data, basis, {
    inductance: withL,
    modulus: options.weighting === "modulus",
  });
  const pen = penalty(basis.lnTau, basis.eps, order);
  const lg = gramFactor(what, system);
  // λ (_drt_lambda.ts), then the non-negative solution at λ (R∞, L and every coefficient ≥ 0).
  const lambda = typeof lambdaOption === "number"
    ? lambdaOption
    : chooseLambda(system, lg, pen, lambdaOption);
  const x = nonNegativeQp(
    regularized(system, pen, lambda),
    system.atb,
    system.nv,
    new Uint8Array(system.nv).fill(1),
  );
  const [fitRe, fitIm] = reconstruction(system, x, data.n);
  const { tau, gamma, step } = gammaGrid(basis, x.subarray(system.off), options.pointsPerDecade);
  let total = 0;
  for (let k = system.off; k < system.nv; k++) total += x[k] * Math.sqrt(Math.PI) / basis.eps;
  return new DrtResult(data, fitRe, fitIm, {
    tau_s: tau,
    gamma_ohm: gamma,
    peaks: findPeaks(tau, gamma, step, options.peakThreshold ?? 0.05),
    r_inf_ohm: x[0],
    inductance_H: withL ? x[1] : 0,
    polarization_ohm: total,
    lambda,
    lambda_method: typeof lambdaOption === "number" ? "fixed" : lambdaOption,
  });
}

/** Z of the solution at the measured frequencies (the weighted rows divided by the weights). */
function reconstruction(
  system: DrtSystem,
  x: Float64Array,
  n: number,
): [Float64Array, Float64Array] {
  const { a, nv, weight } = system;
  const fitRe = new Float64Array(n), fitIm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let zr = 0, zi = 0;
    for (let j = 0; j < nv; j++) {
      zr += a[i * nv + j] * x[j];
      zi += a[(n + i) * nv + j] * x[j];
    }
    fitRe[i] = zr / weight[i];
    fitIm[i] = zi / weight[i];
  }
  return [fitRe, fitIm];
}

/**
 * γ(τ) = Σ x_k φ_k on a grid of `pointsPerDecade` (default 20) extending one basis width beyond
 * the data; `step` is the grid spacing in ln τ.
 */
function gammaGrid(
  basis: DrtBasis,
  coefficients: Float64Array,
  pointsPerDecade = 20,
): { tau: Float64Array; gamma: Float64Array; step: number } {
  const { lnTau, eps } = basis;
  const M = lnTau.length;
  const lo = lnTau[0] - 1 / eps, hi = lnTau[M - 1] + 1 / eps;
  const ng = Math.max(2, Math.ceil((hi - lo) / Math.LN10 * pointsPerDecade) + 1);
  const tau = new Float64Array(ng), gamma = new Float64Array(ng);
  for (let g = 0; g < ng; g++) {
    const lt = lo + (g * (hi - lo)) / (ng - 1);
    tau[g] = Math.exp(lt);
    let s = 0;
    for (let k = 0; k < M; k++) s += coefficients[k] * Math.exp(-((eps * (lt - lnTau[k])) ** 2));
    gamma[g] = s;
  }
  return { tau, gamma, step: (hi - lo) / (ng - 1) };
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
