// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Private smoothing filters on uniformly spaced samples (dQ/dV, dV/dQ). */

import { invertSpd } from "./_linalg.ts";

/** FWHM of a Gaussian = this × σ. */
export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/**
 * Gaussian smoothing that conserves the sum exactly: each input sample spreads its value over the
 * output samples with Gaussian weights renormalized to the samples that exist, so nothing leaks
 * past the ends (Σ out = Σ in). Away from the ends it is the ordinary Gaussian convolution.
 *
 * @param values Samples.
 * @param sigma Standard deviation in samples; 0 returns a copy.
 */
export function gaussianConserving(values: Float64Array, sigma: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (!(sigma > 0) || n < 2) {
    out.set(values);
    return out;
  }
  const radius = Math.min(n - 1, Math.ceil(4 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  for (let d = -radius; d <= radius; d++) kernel[d + radius] = Math.exp(-0.5 * (d / sigma) ** 2);
  // Prefix sums of the kernel give each input's normalizer in O(1).
  const prefix = new Float64Array(kernel.length + 1);
  for (let i = 0; i < kernel.length; i++) prefix[i + 1] = prefix[i] + kernel[i];
  for (let j = 0; j < n; j++) {
    const x = values[j];
    if (x === 0) continue;
    const lo = Math.max(0, j - radius), hi = Math.min(n - 1, j + radius);
    const z = prefix[hi - j + radius + 1] - prefix[lo - j + radius];
    const scale = x / z;
    for (let i = lo; i <= hi; i++) out[i] += scale * kernel[i - j + radius];
  }
  return out;
}

/**
 * Savitzky–Golay coefficients that evaluate, at offset `at` from the window centre, the
 * polynomial of degree `order` fitted by least squares to a window of `2·half + 1` samples.
 */
export function savgolCoefficients(half: number, order: number, at: number): Float64Array {
  const size = 2 * half + 1;
  const p = order + 1;
  // Normal matrix of the Vandermonde design, offsets scaled to [-1, 1] for conditioning.
  const scale = half > 0 ? half : 1;
  const ata = new Float64Array(p * p);
  for (let k = -half; k <= half; k++) {
    const t = k / scale;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) ata[i * p + j] += t ** (i + j);
    }
  }
  const inv = invertSpd(ata, p);
  if (!inv) throw new RangeError(`Savitzky–Golay: window ${size} too short for order ${order}`);
  const e = new Float64Array(p);
  for (let i = 0; i < p; i++) e[i] = (at / scale) ** i;
  const ev = new Float64Array(p); // e^T (A^T A)^-1
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < p; i++) s += e[i] * inv[i * p + j];
    ev[j] = s;
  }
  const c = new Float64Array(size);
  for (let k = -half; k <= half; k++) {
    const t = k / scale;
    let s = 0;
    for (let j = 0; j < p; j++) s += ev[j] * t ** j;
    c[k + half] = s;
  }
  return c;
}

/**
 * Savitzky–Golay smoothing with a window of `2·half + 1` samples. The first and last `half`
 * samples take the value of the polynomial fitted to the first (last) full window, as in SciPy's
 * `savgol_filter(mode="interp")`.
 */
export function savgol(values: Float64Array, half: number, order: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (half < 1 || n < 2 * half + 1) {
    if (half >= 1) {
      throw new RangeError(
        `Savitzky–Golay: window ${2 * half + 1} is longer than the ${n} samples`,
      );
    }
    out.set(values);
    return out;
  }
  if (order >= 2 * half + 1) {
    throw new RangeError(`Savitzky–Golay: order ${order} must be below the window ${2 * half + 1}`);
  }
  const centre = savgolCoefficients(half, order, 0);
  for (let i = half; i < n - half; i++) {
    let s = 0;
    for (let k = 0; k < centre.length; k++) s += centre[k] * values[i - half + k];
    out[i] = s;
  }
  for (let i = 0; i < half; i++) {
    const left = savgolCoefficients(half, order, i - half);
    const right = savgolCoefficients(half, order, half - i);
    let sl = 0, sr = 0;
    for (let k = 0; k < left.length; k++) {
      sl += left[k] * values[k];
      sr += right[k] * values[n - 2 * half - 1 + k];
    }
    out[i] = sl;
    out[n - 1 - i] = sr;
  }
  return out;
}
