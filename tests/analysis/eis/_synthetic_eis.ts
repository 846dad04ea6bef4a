// Copyright 2026 the battery-analysis authors. MIT license.

/** Synthetic impedance spectra with known answers and seeded noise, for the EIS tests. */

import { parseCircuit } from "../../../analysis/eis/mod.ts";
import { rng } from "../_synthetic.ts";

/** A spectrum as the analyses take it. */
export interface SyntheticSpectrum {
  frequency_Hz: Float64Array;
  z_real_ohm: Float64Array;
  z_imag_ohm: Float64Array;
}

/** `n` log-spaced frequencies from `fMax` down to `fMin`, Hz. */
export function logFrequencies(fMax: number, fMin: number, n: number): number[] {
  return Array.from(
    { length: n },
    (_, i) => 10 ** (Math.log10(fMax) + (i / (n - 1)) * Math.log10(fMin / fMax)),
  );
}

/**
 * Z of `circuit` at `params` plus proportional Gaussian noise: Re and Im each get σ·|Z|·N(0, 1)
 * (seeded, so every run sees the same numbers).
 */
export function noisySpectrum(
  circuit: string,
  params: number[],
  options: { frequency_Hz: number[]; sigma: number; seed: number },
): SyntheticSpectrum {
  const z = parseCircuit(circuit).impedance(params, options.frequency_Hz);
  const g = rng(options.seed);
  const re = new Float64Array(z.z_real_ohm.length), im = new Float64Array(re.length);
  for (let i = 0; i < re.length; i++) {
    const mod = Math.hypot(z.z_real_ohm[i], z.z_imag_ohm[i]);
    re[i] = z.z_real_ohm[i] + options.sigma * mod * g.normal();
    im[i] = z.z_imag_ohm[i] + options.sigma * mod * g.normal();
  }
  return { frequency_Hz: z.frequency_Hz, z_real_ohm: re, z_imag_ohm: im };
}

/** CPE parameters [R, Q, α] of an arc with resistance R and time constant τ = (R Q)^(1/α). */
export function cpeArc(r_ohm: number, tau_s: number, alpha: number): number[] {
  return [r_ohm, tau_s ** alpha / r_ohm, alpha];
}

/**
 * Two depressed arcs whose time constants are 10× apart (1 ms and 10 ms, R 10 Ω and 20 Ω,
 * α 0.85, R0 2 Ω), 50 frequencies from 100 kHz to 10 mHz, 1 % proportional noise: −Im Z shows
 * one apex, and a search started from it alone collapses the two arcs into one.
 */
export const TWO_ARCS = {
  circuit: "R0-p(R1,CPE1)-p(R2,CPE2)",
  params: [2, ...cpeArc(10, 1e-3, 0.85), ...cpeArc(20, 1e-2, 0.85)],
  frequency_Hz: logFrequencies(1e5, 1e-2, 50),
  sigma: 0.01,
};

/** The {@link TWO_ARCS} spectrum with the noise of `seed`. */
export function twoArcSpectrum(seed: number): SyntheticSpectrum {
  return noisySpectrum(TWO_ARCS.circuit, TWO_ARCS.params, { ...TWO_ARCS, seed });
}

/**
 * A blocking electrode: bulk resistance R0 20 Ω, a bulk arc R1 200 Ω with τ 1 µs (α 0.9) and
 * the double-layer CPE2 (1e-5 Ω⁻¹ sᵃ, α 0.9) in series; 50 frequencies from 1 MHz to 0.1 Hz,
 * 1 % proportional noise. |Z| spreads over about 3,200×.
 */
export const BLOCKING = {
  circuit: "R0-p(R1,CPE1)-CPE2",
  params: [20, ...cpeArc(200, 1e-6, 0.9), 1e-5, 0.9],
  frequency_Hz: logFrequencies(1e6, 0.1, 50),
  sigma: 0.01,
};

/** The {@link BLOCKING} spectrum with the noise of `seed`. */
export function blockingSpectrum(seed: number): SyntheticSpectrum {
  return noisySpectrum(BLOCKING.circuit, BLOCKING.params, { ...BLOCKING, seed });
}
