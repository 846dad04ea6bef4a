// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The linear Kramers–Kronig fit for one number of RC elements M (Schönleber et al. 2014, as
 * impedance.py's `linKK`): a series resistance, inductance (and optionally capacitance) and M RC
 * elements with fixed log-spaced time constants, fitted linearly with weights 1/|Z|; and the
 * statistics of its residuals that the verdict compares with the noise.
 */

import { qrLeastSquares } from "./_qr.ts";
import type { SpectrumData } from "./_spectrum_data.ts";

/** Which parts are fitted. */
export type KKFitType = "real" | "imag" | "complex";

/** The fit for one M. */
export interface KKSolution {
  /** Time constants of the RC elements, s. */
  tau: Float64Array;
  /** Series resistance, Ω. */
  r0: number;
  /** Resistances of the RC elements, Ω. */
  rk: Float64Array;
  /** Series inductance, H. */
  l: number;
  /** Whether the basis has a series capacitance. */
  capacitance: boolean;
  /** 1/C of the series capacitance (0 without it), F⁻¹. */
  invC: number;
  /** μ = 1 − Σ|R_k<0| / Σ|R_k≥0|. */
  mu: number;
  /** KK-compliant reconstruction, Ω. */
  fitRe: Float64Array;
  /** Its imaginary part, Ω. */
  fitIm: Float64Array;
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

function muOf(rk: Float64Array): number {
  let neg = 0, pos = 0;
  for (const r of rk) r < 0 ? (neg -= r) : (pos += r);
  return 1 - neg / pos;
}

/**
 * Fit M RC elements; `null` when the design matrix is rank deficient.
 */
export function kkSolve(
  data: SpectrumData,
  M: number,
  fitType: KKFitType,
  addCapacitance: boolean,
): KKSolution | null {
  const { n, w, re, im } = data;
  let wMin = Infinity, wMax = 0;
  for (const v of w) {
    wMin = Math.min(wMin, v);
    wMax = Math.max(wMax, v);
  }
  const mod = Float64Array.from(re, (v, i) => Math.hypot(v, im[i]));
  const tau = timeConstants(wMin, wMax, M);
  // Column layout: [R0, R_1..R_M, L, (1/C)]
  const nc = M + 2 + (addCapacitance ? 1 : 0);
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
  const target = (i: number, part: "re" | "im"): number => (part === "re" ? re[i] : im[i]) / mod[i];
  if (fitType === "complex") {
    const s = pick(all, ["re", "im"], target);
    if (!s) return null;
    x.set(s);
  } else if (fitType === "real") {
    const s = pick(all.slice(0, M + 1), ["re"], target);
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
  const r0 = x[0], l = x[M + 1], invC = addCapacitance ? x[M + 2] : 0;
  const fitRe = new Float64Array(n), fitIm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let zr = r0, zi = w[i] * l - invC / w[i];
    for (let k = 0; k < M; k++) {
      const t = w[i] * tau[k], d = 1 + t * t;
      zr += rk[k] / d;
      zi -= rk[k] * t / d;
    }
    fitRe[i] = zr;
    fitIm[i] = zi;
  }
  return { tau, r0, rk, l, capacitance: addCapacitance, invC, mu: muOf(rk), fitRe, fitIm };
}

/** Statistics of the relative residuals (Z − Ẑ)/|Z| of a reconstruction. */
export interface ResidualStats {
  /** Σ of squared residuals (real and imaginary). */
  ssr: number;
  /** √(ssr / 2N). */
  rms: number;
  /** Largest |residual|. */
  max: number;
  /** Mean |residual|. */
  mean: number;
  /**
   * The random part of the residuals: √(Σ Δr² / 2·count) over the differences between
   * successive frequencies, real and imaginary parts pooled. For white noise it equals the
   * noise's RMS (also when its level varies along the spectrum); a smooth, systematic
   * deviation hardly changes from one frequency to the next and adds little to it. (A median
   * of |Δr| would ignore erratic artefacts but misjudges noise whose level varies, such as
   * additive noise relative to a |Z| that spans a decade.)
   */
  noise: number;
}

/** Indices of the points of `data` by increasing frequency. */
export function frequencyOrder(data: SpectrumData): Int32Array {
  return Int32Array.from({ length: data.n }, (_, i) => i).sort((a, b) => data.f[a] - data.f[b]);
}

/**
 * Residual statistics of a reconstruction of `data` (`order`: {@link frequencyOrder}, computed
 * here when not given).
 */
export function residualStats(
  data: SpectrumData,
  fitRe: Float64Array,
  fitIm: Float64Array,
  order: Int32Array = frequencyOrder(data),
): ResidualStats {
  const { n, re, im } = data;
  let ssr = 0, max = 0, sum = 0, diff = 0, count = 0;
  for (const part of [0, 1]) {
    let prev = NaN;
    for (const i of order) {
      const mod = Math.hypot(re[i], im[i]);
      const r = part === 0 ? (re[i] - fitRe[i]) / mod : (im[i] - fitIm[i]) / mod;
      ssr += r * r;
      sum += Math.abs(r);
      max = Math.max(max, Math.abs(r));
      if (!Number.isNaN(prev)) {
        diff += (r - prev) ** 2;
        count++;
      }
      prev = r;
    }
  }
  return {
    ssr,
    rms: Math.sqrt(ssr / (2 * n)),
    max,
    mean: sum / (2 * n),
    noise: count > 0 ? Math.sqrt(diff / (2 * count)) : NaN,
  };
}
