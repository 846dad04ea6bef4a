// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle } from "../_display.ts";
import { concatCharts } from "../_vega.ts";
import { nyquistChart, residualChart } from "./eis_charts.ts";
import { qrLeastSquares } from "./_qr.ts";
import {
  type PointSelection,
  type SpectrumData,
  spectrumData,
  type SpectrumLike,
} from "./_spectrum_data.ts";
import { FittedSpectrum } from "./_fitted_spectrum.ts";

/** Options of {@link linKK}. */
export interface LinKKOptions extends PointSelection {
  /** μ cutoff of the automatic choice of M (Schönleber et al.). @default {0.85} */
  c?: number;
  /** Largest number of RC elements. @default {50} */
  maxM?: number;
  /** Fixed number of RC elements (turns the μ criterion off). */
  M?: number;
  /** Which parts are fitted. @default {"complex"} */
  fitType?: "real" | "imag" | "complex";
  /** Add a series capacitance (data without a low-frequency intercept). @default {false} */
  addCapacitance?: boolean;
  /** Largest relative residual (of |Z|) for a pass. @default {0.01} */
  threshold?: number;
}

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
  /** Series capacitance, F (`Infinity` without `addCapacitance`). */
  readonly capacitance_F: number;
  /** Largest |residual| (real or imaginary). */
  readonly max_residual: number;
  /** Mean |residual|. */
  readonly mean_residual: number;
  /** Pseudo χ² = Σ (residual_real² + residual_imag²) (Boukamp 1995). */
  readonly pseudo_chi_square: number;
  /** Threshold used for {@link LinKKResult.pass}. */
  readonly threshold: number;
  /** Whether every residual is within the threshold. */
  readonly pass: boolean;

  /**
   * @internal Built by {@link linKK} from the data, the KK-compliant reconstruction (`fit_*`)
   * and the model.
   */
  constructor(
    data: SpectrumData,
    fitRe: Float64Array,
    fitIm: Float64Array,
    fields: Pick<
      LinKKResult,
      | "M"
      | "mu"
      | "fit_type"
      | "tau_s"
      | "resistance_ohm"
      | "series_resistance_ohm"
      | "inductance_H"
      | "capacitance_F"
      | "threshold"
    >,
  ) {
    super(data, fitRe, fitIm);
    this.M = fields.M;
    this.mu = fields.mu;
    this.fit_type = fields.fit_type;
    this.tau_s = fields.tau_s;
    this.resistance_ohm = fields.resistance_ohm;
    this.series_resistance_ohm = fields.series_resistance_ohm;
    this.inductance_H = fields.inductance_H;
    this.capacitance_F = fields.capacitance_F;
    let maxRes = 0, sumRes = 0, chi = 0;
    for (let i = 0; i < data.n; i++) {
      const a = this.residual_real[i], b = this.residual_imag[i];
      maxRes = Math.max(maxRes, Math.abs(a), Math.abs(b));
      sumRes += Math.abs(a) + Math.abs(b);
      chi += a * a + b * b;
    }
    this.max_residual = maxRes;
    this.mean_residual = sumRes / (2 * data.n);
    this.pseudo_chi_square = chi;
    this.threshold = fields.threshold;
    this.pass = maxRes <= fields.threshold;
  }

  /** Plain JSON. */
  toJSON(): Record<string, unknown> {
    return {
      M: this.M,
      mu: this.mu,
      fit_type: this.fit_type,
      pass: this.pass,
      threshold: this.threshold,
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

  /** One-line verdict. */
  override toString(): string {
    return `lin-KK ${this.pass ? "pass" : "FAIL"}: M = ${this.M}, μ = ${
      this.mu.toFixed(3)
    }, max |residual| ${(100 * this.max_residual).toFixed(2)} % (threshold ${
      (100 * this.threshold).toFixed(2)
    } %), mean ${(100 * this.mean_residual).toFixed(2)} %, pseudo χ² ${
      this.pseudo_chi_square.toExponential(3)
    }`;
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

/** τ_k log-spaced from 1/ω_max to 1/ω_min (impedance.py's `get_tc_distribution`). */
function timeConstants(wMin: number, wMax: number, M: number): Float64Array {
  const t = new Float64Array(M);
  const tMin = 1 / wMax, tMax = 1 / wMin;
  for (let k = 0; k < M; k++) {
    t[k] = M === 1 ? tMin : 10 ** (Math.log10(tMin) + (k / (M - 1)) * Math.log10(tMax / tMin));
  }
  return t;
}

interface KKSolution {
  r0: number;
  rk: Float64Array;
  l: number;
  invC: number;
  mu: number;
}

function muOf(rk: Float64Array): number {
  let neg = 0, pos = 0;
  for (const r of rk) r < 0 ? (neg -= r) : (pos += r);
  return 1 - neg / pos;
}

/**
 * Linear Kramers–Kronig validity test (Schönleber et al., Electrochim. Acta 131 (2014) 20): a
 * series resistance, inductance (and optionally capacitance) and M RC elements with fixed,
 * log-spaced time constants are fitted linearly, weighted by 1/|Z|. M grows from 1 until
 * μ = 1 − Σ|R_k<0|/Σ|R_k≥0| falls below `c` (0.85). Residuals above the threshold mean the
 * spectrum is not KK-consistent (drift, non-linearity, noise). Follows impedance.py's `linKK`
 * (same M search, fit types and residual definition).
 *
 * @param spectrum Frequencies and signed impedance.
 * @param options c, maxM or fixed M, fit type, series capacitance, pass threshold.
 * @returns M, μ, reconstruction, residuals and the verdict.
 * @throws {RangeError} For bad options or too few points.
 *
 * @example A synthetic spectrum is KK-consistent, a drifting one is not
 * ```ts
 * import { linKK } from "./lin_kk.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { equal } from "node:assert/strict";
 *
 * const f = Array.from({ length: 50 }, (_, i) => 10 ** (5 - i / 7));
 * const z = parseCircuit("R0-p(R1,C1)").impedance([10, 50, 1e-4], f);
 * equal(linKK(z, { M: 20 }).pass, true);
 * const drift = { ...z, z_real_ohm: z.z_real_ohm.map((v, i) => v + 0.02 * i * i) };
 * equal(linKK(drift, { M: 20 }).pass, false);
 * ```
 */
export function linKK(spectrum: SpectrumLike, options: LinKKOptions = {}): LinKKResult {
  const data = spectrumData("run lin-KK", spectrum, options, 3);
  const c = options.c ?? 0.85;
  const maxM = options.maxM ?? 50;
  const fitType = options.fitType ?? "complex";
  const addCap = options.addCapacitance ?? false;
  const threshold = options.threshold ?? 0.01;
  if (!["real", "imag", "complex"].includes(fitType)) {
    throw new RangeError(
      `Cannot run lin-KK: fitType must be real, imag or complex, got ${fitType}`,
    );
  }
  if (!(maxM >= 1) || !Number.isInteger(maxM)) {
    throw new RangeError(`Cannot run lin-KK: maxM must be a positive integer, got ${maxM}`);
  }
  if (options.M !== undefined && !(Number.isInteger(options.M) && options.M >= 1)) {
    throw new RangeError(`Cannot run lin-KK: M must be a positive integer, got ${options.M}`);
  }
  const { n, w, re, im } = data;
  let wMin = Infinity, wMax = 0;
  for (const v of w) {
    wMin = Math.min(wMin, v);
    wMax = Math.max(wMax, v);
  }
  const mod = Float64Array.from(re, (v, i) => Math.hypot(v, im[i]));

  const solveM = (M: number): { sol: KKSolution; tau: Float64Array } | null => {
    const tau = timeConstants(wMin, wMax, M);
    // Column layout: [R0, R_1..R_M, L, (1/C)]
    const nc = M + 2 + (addCap ? 1 : 0);
    const colRe = (i: number, j: number): number => {
      if (j === 0) return 1 / mod[i];
      if (j <= M) return 1 / (1 + (w[i] * tau[j - 1]) ** 2) / mod[i];
      return 0;
    };
    const colIm = (i: number, j: number): number => {
      if (j === 0) return 0;
      if (j <= M) {
        const x = w[i] * tau[j - 1];
        return -x / (1 + x * x) / mod[i];
      }
      if (j === M + 1) return w[i] / mod[i];
      return -1 / (w[i] * mod[i]);
    };
    const pick = (
      cols: number[],
      parts: ("re" | "im")[],
      rhs: (i: number, part: "re" | "im") => number,
    ) => {
      const rows = parts.length * n;
      const a = new Float64Array(rows * cols.length), b = new Float64Array(rows);
      parts.forEach((part, q) => {
        for (let i = 0; i < n; i++) {
          const row = q * n + i;
          cols.forEach((j, k) => {
            a[row * cols.length + k] = part === "re" ? colRe(i, j) : colIm(i, j);
          });
          b[row] = rhs(i, part);
        }
      });
      return qrLeastSquares(a, b, rows, cols.length);
    };
    const all = Array.from({ length: nc }, (_, j) => j);
    const x = new Float64Array(nc);
    const target = (i: number, part: "re" | "im"): number =>
      (part === "re" ? re[i] : im[i]) / mod[i];
    if (fitType === "complex") {
      const s = pick(all, ["re", "im"], target);
      if (!s) return null;
      x.set(s);
    } else if (fitType === "real") {
      const cols = all.slice(0, M + 1);
      const s = pick(cols, ["re"], target);
      if (!s) return null;
      x.set(s);
      // Inductance (and capacitance) from the imaginary remainder.
      const rest = (i: number): number => {
        let z = im[i];
        for (let k = 0; k < M; k++) {
          const t = w[i] * tau[k];
          z -= x[k + 1] * -t / (1 + t * t);
        }
        return z / mod[i];
      };
      const s2 = pick(all.slice(M + 1), ["im"], rest);
      if (!s2) return null;
      x.set(s2, M + 1);
    } else {
      const s = pick(all.slice(1), ["im"], target);
      if (!s) return null;
      x.set(s, 1);
      // Series resistance by the weighted mean of Boukamp (1995), Eq. 7.
      let num = 0, den = 0;
      for (let i = 0; i < n; i++) {
        let zr = 0;
        for (let k = 0; k < M; k++) zr += x[k + 1] / (1 + (w[i] * tau[k]) ** 2);
        const wt = 1 / mod[i] ** 2;
        num += wt * (re[i] - zr);
        den += wt;
      }
      x[0] = num / den;
    }
    const rk = x.slice(1, M + 1);
    return {
      sol: { r0: x[0], rk, l: x[M + 1], invC: addCap ? x[M + 2] : 0, mu: muOf(rk) },
      tau,
    };
  };

  let chosen: { sol: KKSolution; tau: Float64Array } | null = null;
  if (options.M !== undefined) chosen = solveM(options.M);
  else {
    for (let M = 1; M <= maxM; M++) {
      const s = solveM(M);
      if (!s) break;
      chosen = s;
      if (s.sol.mu <= c) break;
    }
  }
  if (!chosen) throw new RangeError("Cannot run lin-KK: the design matrix is singular");
  const { sol, tau } = chosen;
  const M = tau.length;
  const fitRe = new Float64Array(n), fitIm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let zr = sol.r0, zi = w[i] * sol.l - sol.invC / w[i];
    for (let k = 0; k < M; k++) {
      const x = w[i] * tau[k], d = 1 + x * x;
      zr += sol.rk[k] / d;
      zi -= sol.rk[k] * x / d;
    }
    fitRe[i] = zr;
    fitIm[i] = zi;
  }
  return new LinKKResult(data, fitRe, fitIm, {
    M,
    mu: sol.mu,
    fit_type: fitType,
    tau_s: tau,
    resistance_ohm: sol.rk,
    series_resistance_ohm: sol.r0,
    inductance_H: sol.l,
    capacitance_F: addCap ? 1 / sol.invC : Infinity,
    threshold,
  });
}
