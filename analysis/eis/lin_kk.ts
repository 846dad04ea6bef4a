// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle } from "../_display.ts";
import { concatCharts } from "../_vega.ts";
import { nyquistChart, residualChart } from "./eis_charts.ts";
import {
  frequencyOrder,
  type KKFitType,
  type KKSolution,
  kkSolve,
  residualStats,
} from "./_kk_basis.ts";
import {
  type PointSelection,
  type SpectrumData,
  spectrumData,
  type SpectrumLike,
} from "./_spectrum_data.ts";
import { FittedSpectrum } from "./_fitted_spectrum.ts";

/** Options of {@link linKK}. */
export interface LinKKOptions extends PointSelection {
  /**
   * Number of RC elements, or how to choose it: `"auto"` — the M with the lowest BIC,
   * 2N·ln(Σr²/2N) + (M + 2)·ln 2N, over 1…`maxM` (the residuals fall until the basis describes
   * the data and then stay at the noise level); `"mu"` — Schönleber's μ criterion with `c`, as
   * impedance.py (it stops early on data with little noise, e.g. M = 4 with 25 % residuals on a
   * dummy RC cell); or a fixed number. @default {"auto"}
   */
  M?: number | "auto" | "mu";
  /** μ cutoff of `M: "mu"` (Schönleber et al.). @default {0.85} */
  c?: number;
  /** Largest number of RC elements tried (also kept below the number of points). @default {50} */
  maxM?: number;
  /** Which parts are fitted. @default {"complex"} */
  fitType?: KKFitType;
  /**
   * A series capacitance in the basis, for spectra without a low-frequency intercept (a
   * capacitive tail, which a sum of RC elements cannot follow). `"auto"`: with `M: "auto"` the
   * basis with and without it are both tried and BIC decides; with `M: "mu"` or a number,
   * none (impedance.py's default). @default {"auto"}
   */
  addCapacitance?: boolean | "auto";
  /**
   * The verdict: `"auto"` — pass when the RMS of the residuals is within what the data's noise
   * allows, RMS ≤ max(1.5 × noise, 0.1 %), the noise being the random part of the residuals
   * (from their differences between successive frequencies); or a number — pass when every
   * |residual| ≤ it (impedance.py practice, for example 0.01 for 1 % of |Z|).
   * @default {"auto"}
   */
  threshold?: number | "auto";
}

/** RMS of the residuals over their noise level up to which `threshold: "auto"` passes. */
export const KK_NOISE_RATIO = 1.5;
/** RMS of the residuals (fraction of |Z|) that always passes `threshold: "auto"`. */
export const KK_RMS_FLOOR = 1e-3;
/** Elements tried beyond the lowest BIC before the search for M stops. */
const KK_PATIENCE = 10;
/** Noise level (fraction of |Z|) above which a pass says that only larger deviations show. */
const KK_NOISY = 0.05;

/**
 * The result of the linear Kramers–Kronig test: the number of RC elements, μ, the KK-compliant
 * reconstruction and the residuals per frequency, with a pass/fail verdict.
 *
 * @example
 * ```ts
 * import { linKK } from "./lin_kk.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { equal, ok } from "node:assert/strict";
 *
 * const f = Array.from({ length: 50 }, (_, i) => 10 ** (5 - i / 7));
 * const z = parseCircuit("R0-p(R1,C1)").impedance([10, 50, 1e-4], f);
 * const kk = linKK(z, { M: 20 }); // a LinKKResult
 * equal(kk.pass, true);
 * ok(kk.max_residual < 0.01);
 * ```
 */
export class LinKKResult extends FittedSpectrum {
  /** Number of RC elements used. */
  readonly M: number;
  /** μ = 1 − Σ|R_k<0| / Σ|R_k≥0| at that M. */
  readonly mu: number;
  /** Fit type used. */
  readonly fit_type: "real" | "imag" | "complex";
  /** Time constants of the RC elements, s. */
  readonly tau_s: Float64Array;
  /** Resistances of the RC elements, Ω. */
  readonly resistance_ohm: Float64Array;
  /** Series resistance, Ω. */
  readonly series_resistance_ohm: number;
  /** Series inductance, H. */
  readonly inductance_H: number;
  /** Series capacitance, F (`Infinity` when the basis has none). */
  readonly capacitance_F: number;
  /** How M was chosen: `auto` (lowest BIC), `mu` (μ criterion) or `fixed`. */
  readonly M_method: "auto" | "mu" | "fixed";
  /** Largest |residual| (real or imaginary). */
  readonly max_residual: number;
  /** Mean |residual|. */
  readonly mean_residual: number;
  /** RMS of the residuals, √(Σ(residual_real² + residual_imag²) / 2N). */
  readonly rms_residual: number;
  /**
   * The random part of the residuals (their differences between successive frequencies,
   * `_kk_basis.ts`): the noise level of the data as this test sees it, a fraction of |Z|.
   */
  readonly noise_level: number;
  /** Pseudo χ² = Σ (residual_real² + residual_imag²) (Boukamp 1995). */
  readonly pseudo_chi_square: number;
  /** `noise` (RMS against the noise level) or `fixed` (every |residual| against a number). */
  readonly verdict_basis: "noise" | "fixed";
  /**
   * The limit applied: for `noise`, the largest RMS that passes, max(1.5 × noise, 0.1 %); for
   * `fixed`, the largest |residual| that passes.
   */
  readonly threshold: number;
  /** Whether the spectrum is consistent with the Kramers–Kronig relations by that limit. */
  readonly pass: boolean;
  /** The verdict in words, with the numbers it rests on. */
  readonly reason: string;

  /**
   * @internal Built by {@link linKK} from the data, the KK-compliant reconstruction (`fit_*`),
   * the model and the verdict.
   */
  constructor(
    data: SpectrumData,
    fitRe: Float64Array,
    fitIm: Float64Array,
    fields: Pick<
      LinKKResult,
      | "M"
      | "M_method"
      | "mu"
      | "fit_type"
      | "tau_s"
      | "resistance_ohm"
      | "series_resistance_ohm"
      | "inductance_H"
      | "capacitance_F"
      | "max_residual"
      | "mean_residual"
      | "rms_residual"
      | "noise_level"
      | "pseudo_chi_square"
      | "verdict_basis"
      | "threshold"
      | "pass"
      | "reason"
    >,
  ) {
    super(data, fitRe, fitIm);
    this.M = fields.M;
    this.M_method = fields.M_method;
    this.mu = fields.mu;
    this.fit_type = fields.fit_type;
    this.tau_s = fields.tau_s;
    this.resistance_ohm = fields.resistance_ohm;
    this.series_resistance_ohm = fields.series_resistance_ohm;
    this.inductance_H = fields.inductance_H;
    this.capacitance_F = fields.capacitance_F;
    this.max_residual = fields.max_residual;
    this.mean_residual = fields.mean_residual;
    this.rms_residual = fields.rms_residual;
    this.noise_level = fields.noise_level;
    this.pseudo_chi_square = fields.pseudo_chi_square;
    this.verdict_basis = fields.verdict_basis;
    this.threshold = fields.threshold;
    this.pass = fields.pass;
    this.reason = fields.reason;
  }

  /** Plain JSON. */
  toJSON(): Record<string, unknown> {
    return {
      M: this.M,
      M_method: this.M_method,
      mu: this.mu,
      fit_type: this.fit_type,
      pass: this.pass,
      reason: this.reason,
      verdict_basis: this.verdict_basis,
      threshold: this.threshold,
      rms_residual: this.rms_residual,
      noise_level: this.noise_level,
      max_residual: this.max_residual,
      mean_residual: this.mean_residual,
      pseudo_chi_square: this.pseudo_chi_square,
      series_resistance_ohm: this.series_resistance_ohm,
      inductance_H: this.inductance_H,
      capacitance_F: Number.isFinite(this.capacitance_F) ? this.capacitance_F : null,
      frequency_Hz: Array.from(this.frequency_Hz),
      residual_real: Array.from(this.residual_real),
      residual_imag: Array.from(this.residual_imag),
    };
  }

  /** One-line verdict with its reason. */
  override toString(): string {
    return `lin-KK ${this.pass ? "pass" : "FAIL"}: ${this.reason} (M = ${this.M} ${
      this.M_method === "auto" ? "by BIC" : this.M_method === "mu" ? "by μ" : "fixed"
    }, μ = ${this.mu.toFixed(3)}, max |residual| ${pct(this.max_residual)}, pseudo χ² ${
      this.pseudo_chi_square.toExponential(3)
    })`;
  }

  /** Jupyter MIME bundle: verdict, Nyquist with the KK reconstruction and the residuals. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "text/plain": this.toString(),
      "text/html": `<p>${escapeHtml(this.toString())}</p>`,
      "application/vnd.vegalite.v5+json": concatCharts([
        nyquistChart(this, { title: "Nyquist — lin-KK", modelName: "KK" }),
        residualChart(this, { title: "lin-KK residuals" }),
      ]),
    };
  }
}

/** A fraction as a percentage with two significant digits (`0.52 %`). */
function pct(v: number): string {
  return `${(100 * v).toPrecision(2)} %`;
}

/**
 * Linear Kramers–Kronig validity test (Schönleber et al., Electrochim. Acta 131 (2014) 20): a
 * series resistance, inductance (and optionally capacitance) and M RC elements with fixed,
 * log-spaced time constants are fitted linearly, weighted by 1/|Z| (as impedance.py's `linKK`:
 * same basis, fit types and residual definition). M is the one with the lowest BIC by default
 * (`M: "mu"` for Schönleber's μ criterion as impedance.py). The verdict is calibrated to the
 * data's noise: a KK-consistent spectrum leaves residuals that look like its noise, random from
 * one frequency to the next; drift, non-linearity or a system changing during the sweep leave
 * a smooth, systematic deviation larger than that. It passes when the RMS of the residuals is at
 * most 1.5 × their random part (from the differences between successive frequencies), or below
 * 0.1 % of |Z| (well below any instrument's accuracy). A number as `threshold` applies a fixed
 * limit to every |residual| instead.
 *
 * @param spectrum Frequencies and signed impedance.
 * @param options M or its selection, fit type, series capacitance, verdict threshold.
 * @returns M, μ, reconstruction, residuals, noise level and the verdict with its reason.
 * @throws {RangeError} For bad options or too few points.
 *
 * @example A noisy RC spectrum is KK-consistent, a drifting one is not
 * ```ts
 * import { linKK } from "./lin_kk.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { equal, match } from "node:assert/strict";
 *
 * const f = Array.from({ length: 50 }, (_, i) => 10 ** (5 - i / 7));
 * const z = parseCircuit("R0-p(R1,C1)").impedance([10, 50, 1e-4], f);
 * // ±0.5 % deterministic ripple standing in for noise
 * const noisy = { ...z, z_imag_ohm: z.z_imag_ohm.map((v, i) => v * (1 + 0.005 * Math.sin(9 * i))) };
 * const kk = linKK(noisy);
 * equal(kk.pass, true);
 * match(kk.reason, /^residuals at the noise level/);
 * // The resistance drifts 10 % during the sweep (low frequencies last).
 * const drift = { ...z, z_real_ohm: z.z_real_ohm.map((v, i) => v + 0.1 * 50 * i / 49) };
 * equal(linKK(drift).pass, false);
 * ```
 */
export function linKK(spectrum: SpectrumLike, options: LinKKOptions = {}): LinKKResult {
  const data = spectrumData("run lin-KK", spectrum, options, 3);
  const c = options.c ?? 0.85;
  const maxM = options.maxM ?? 50;
  const fitType = options.fitType ?? "complex";
  const addCap = options.addCapacitance ?? "auto";
  const threshold = options.threshold ?? "auto";
  const mOption = options.M ?? "auto";
  if (!["real", "imag", "complex"].includes(fitType)) {
    throw new RangeError(
      `Cannot run lin-KK: fitType must be real, imag or complex, got ${fitType}`,
    );
  }
  if (!(maxM >= 1) || !Number.isInteger(maxM)) {
    throw new RangeError(`Cannot run lin-KK: maxM must be a positive integer, got ${maxM}`);
  }
  if (
    typeof mOption === "number"
      ? !(Number.isInteger(mOption) && mOption >= 1)
      : !["auto", "mu"].includes(mOption)
  ) {
    throw new RangeError(
      `Cannot run lin-KK: M must be a positive integer, "auto" or "mu", got ${mOption}`,
    );
  }
  if (threshold !== "auto" && !(typeof threshold === "number" && threshold > 0)) {
    throw new RangeError(
      `Cannot run lin-KK: threshold must be a positive number or "auto", got ${threshold}`,
    );
  }
  const n = data.n;
  let chosen: KKSolution | null = null;
  if (typeof mOption === "number") chosen = kkSolve(data, mOption, fitType, addCap === true);
  else if (mOption === "mu") {
    for (let M = 1; M <= maxM; M++) {
      const s = kkSolve(data, M, fitType, addCap === true);
      if (!s) break;
      chosen = s;
      if (s.mu <= c) break;
    }
  } else {
    // Lowest BIC over M (and over the basis with and without a series capacitance when that
    // is "auto"), among the fits that are not overfitted by Schönleber's measure (μ > c: the
    // negative R_k stay small); the unknowns (M + 2 or 3) stay below the residuals of each
    // part fitted.
    const order = frequencyOrder(data);
    let best = Infinity, bestAny = Infinity;
    let any: KKSolution | null = null;
    for (const cap of addCap === "auto" ? [false, true] : [addCap]) {
      const top = Math.max(Math.min(maxM, n - 2 - (cap ? 1 : 0)), 1);
      let bestHere = Infinity, bestM = 0;
      // Once the residuals reach the noise, each further element only adds ln 2N to the BIC
      // (or overfits, μ ≤ c): the search stops KK_PATIENCE elements after this basis's lowest
      // BIC among the fits that are not overfitted.
      for (let M = 1; M <= top && M - bestM <= KK_PATIENCE; M++) {
        const s = kkSolve(data, M, fitType, cap);
        if (!s) continue;
        const { ssr } = residualStats(data, s.fitRe, s.fitIm, order);
        const k = M + 2 + (cap ? 1 : 0);
        const bic = 2 * n * Math.log(Math.max(ssr, 1e-300) / (2 * n)) + k * Math.log(2 * n);
        if (s.mu > c && bic < bestHere) {
          bestHere = bic;
          bestM = M;
        }
        if (bic < bestAny) {
          bestAny = bic;
          any = s;
        }
        if (s.mu > c && bic < best) {
          best = bic;
          chosen = s;
        }
      }
    }
    chosen ??= any;
  }
  if (!chosen) throw new RangeError("Cannot run lin-KK: the design matrix is singular");
  const M = chosen.tau.length;
  const stats = residualStats(data, chosen.fitRe, chosen.fitIm);
  let pass: boolean, limit: number, reason: string;
  if (threshold === "auto") {
    limit = Math.max(KK_NOISE_RATIO * stats.noise, KK_RMS_FLOOR);
    pass = stats.rms <= limit;
    const noise = `${KK_NOISE_RATIO} × noise ${pct(stats.noise)}`;
    reason = pass
      ? stats.rms <= KK_NOISE_RATIO * stats.noise
        ? `residuals at the noise level: RMS ${pct(stats.rms)} ≤ ${noise}${
          stats.noise > KK_NOISY
            ? `; with noise at ${pct(stats.noise)} of |Z| only larger deviations can be seen`
            : ""
        }`
        : `residuals below ${pct(KK_RMS_FLOOR)} of |Z|: RMS ${pct(stats.rms)}`
      : `residuals exceed what the noise allows: RMS ${pct(stats.rms)} > ${noise} and > ${
        pct(KK_RMS_FLOOR)
      } (a systematic deviation: drift, non-linearity or a system changing during the sweep)`;
  } else {
    limit = threshold;
    pass = stats.max <= threshold;
    reason = `max |residual| ${pct(stats.max)} ${pass ? "≤" : ">"} threshold ${pct(threshold)}`;
  }
  return new LinKKResult(data, chosen.fitRe, chosen.fitIm, {
    M,
    M_method: typeof mOption === "number" ? "fixed" : mOption,
    mu: chosen.mu,
    fit_type: fitType,
    tau_s: chosen.tau,
    resistance_ohm: chosen.rk,
    series_resistance_ohm: chosen.r0,
    inductance_H: chosen.l,
    capacitance_F: chosen.capacitance ? 1 / chosen.invC : Infinity,
    max_residual: stats.max,
    mean_residual: stats.mean,
    rms_residual: stats.rms,
    noise_level: stats.noise,
    pseudo_chi_square: stats.ssr,
    verdict_basis: threshold === "auto" ? "noise" : "fixed",
    threshold: limit,
    pass,
    reason,
  });
}
