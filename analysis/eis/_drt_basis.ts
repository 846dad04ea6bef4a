// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The linear problem of the DRT: Gaussian radial basis functions in ln τ (one per measured
 * frequency, as pyDRTtools), their impedance kernels, the weighted design matrix with R∞ (and a
 * series inductance), its normal equations and the derivative penalty in closed form.
 */

import type { SpectrumData } from "./_spectrum_data.ts";

/** The Gaussian basis φ_k(ln τ) = exp(−(ε (ln τ − ln τ_k))²). */
export interface DrtBasis {
  /** Centres ln τ_k (τ_k = 1/ω_k for every distinct ω), ascending. */
  lnTau: Float64Array;
  /** Shape parameter ε. */
  eps: number;
}

/** The weighted least-squares system A x ≈ b with x = [R∞, (L), x_1..x_M]. */
export interface DrtSystem {
  /** Design matrix, row-major (2N × nv): weighted real rows, then imaginary rows. */
  a: Float64Array;
  /** Weighted data. */
  b: Float64Array;
  /** Weight of each point (1, or 1/|Z|). */
  weight: Float64Array;
  /** Number of unknowns. */
  nv: number;
  /** Index of x_1 (1, or 2 with the inductance). */
  off: number;
  /** Normal matrix AᵀA (nv × nv). */
  gram: Float64Array;
  /** Aᵀb. */
  atb: Float64Array;
  /** bᵀb. */
  btb: number;
}

/**
 * One Gaussian per distinct ω at τ = 1/ω, full width at half maximum = (mean spacing of ln τ) /
 * `fwhmCoefficient`.
 */
export function gaussianBasis(w: Float64Array, fwhmCoefficient: number): DrtBasis {
  const lnTau = Float64Array.from(new Set(Array.from(w, (v) => -Math.log(v)))).sort();
  const M = lnTau.length;
  const spacing = M > 1 ? (lnTau[M - 1] - lnTau[0]) / (M - 1) : 1;
  return { lnTau, eps: fwhmCoefficient * 2 * Math.sqrt(Math.LN2) / spacing };
}

/**
 * The kernel ∫ φ(y) / (1 + j e^(s + y)) dy of a basis function at s = ln(ω τ_k), real and
 * imaginary parts, by the trapezoid rule (spectrally accurate for the Gaussian), cached by s
 * (only 2N − 1 distinct values on a log-uniform grid).
 */
function kernelOf(eps: number): (s: number) => [number, number] {
  const half = 6 / eps, q = 121, dy = 2 * half / (q - 1);
  const weights = new Float64Array(q), ys = new Float64Array(q);
  for (let t = 0; t < q; t++) {
    ys[t] = -half + t * dy;
    weights[t] = Math.exp(-((eps * ys[t]) ** 2)) * dy * (t === 0 || t === q - 1 ? 0.5 : 1);
  }
  const cache = new Map<number, [number, number]>();
  return (s) => {
    const key = Math.round(s * 1e9);
    const hit = cache.get(key);
    if (hit) return hit;
    let kr = 0, ki = 0;
    for (let t = 0; t < q; t++) {
      const x = Math.exp(s + ys[t]);
      const d = 1 + x * x;
      kr += weights[t] / d;
      ki -= weights[t] * x / d;
    }
    const v: [number, number] = [kr, ki];
    cache.set(key, v);
    return v;
  };
}

/** The weighted design matrix and its normal equations. */
export function drtSystem(
  data: SpectrumData,
  basis: DrtBasis,
  options: { inductance: boolean; modulus: boolean },
): DrtSystem {
  const { n, w, re, im } = data;
  const { lnTau } = basis;
  const M = lnTau.length;
  const kernel = kernelOf(basis.eps);
  const off = options.inductance ? 2 : 1, nv = off + M, m = 2 * n;
  const a = new Float64Array(m * nv), b = new Float64Array(m);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    weight[i] = options.modulus ? 1 / Math.hypot(re[i], im[i]) : 1;
    const rr = i * nv, ri = (n + i) * nv;
    a[rr] = weight[i];
    if (options.inductance) a[ri + 1] = w[i] * weight[i];
    const lw = Math.log(w[i]);
    for (let k = 0; k < M; k++) {
      const [kr, ki] = kernel(lw + lnTau[k]);
      a[rr + off + k] = kr * weight[i];
      a[ri + off + k] = ki * weight[i];
    }
    b[i] = re[i] * weight[i];
    b[n + i] = im[i] * weight[i];
  }
  const gram = new Float64Array(nv * nv), atb = new Float64Array(nv);
  for (let r = 0; r < m; r++) {
    const base = r * nv;
    for (let j = 0; j < nv; j++) {
      const v = a[base + j];
      if (v === 0) continue;
      atb[j] += v * b[r];
      for (let k = 0; k <= j; k++) gram[j * nv + k] += v * a[base + k];
    }
  }
  for (let j = 0; j < nv; j++) for (let k = 0; k < j; k++) gram[k * nv + j] = gram[j * nv + k];
  let btb = 0;
  for (let r = 0; r < m; r++) btb += b[r] * b[r];
  return { a, b, weight, nv, off, gram, atb, btb };
}

/** Penalty matrix of the Gaussian basis: ∫ φ_k^(d) φ_l^(d) d ln τ, closed form. */
export function penalty(lnTau: Float64Array, eps: number, order: 1 | 2): Float64Array {
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

/** The regularized normal matrix H = AᵀA + λP (on the basis coefficients), with a tiny ridge. */
export function regularized(
  system: DrtSystem,
  pen: Float64Array,
  lambda: number,
): Float64Array {
  const { gram, nv, off } = system;
  const M = nv - off;
  const h = Float64Array.from(gram);
  for (let k = 0; k < M; k++) {
    for (let l = 0; l < M; l++) h[(off + k) * nv + off + l] += lambda * pen[k * M + l];
  }
  // A tiny ridge keeps H positive definite when λ is very small.
  for (let j = 0; j < nv; j++) h[j * nv + j] *= 1 + 1e-12;
  return h;
}
