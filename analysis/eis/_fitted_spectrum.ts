// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SpectrumData } from "./_spectrum_data.ts";

/**
 * A measured spectrum and a model's reconstruction of it at the same frequencies, with the
 * residuals relative to |Z|: what a circuit fit, the lin-KK test and the DRT have in common
 * (and what `nyquistChart` / `residualChart` draw). The result classes extend it.
 *
 * @example The residuals of a circuit fit (which extends it)
 * ```ts
 * import { fitCircuit } from "./fit_circuit.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { ok } from "node:assert/strict";
 *
 * const f = Array.from({ length: 40 }, (_, i) => 10 ** (5 - i / 6));
 * const data = parseCircuit("R0-p(R1,C1)").impedance([29, 47, 1e-5], f);
 * const fit = fitCircuit(data, { circuit: "R0-p(R1,C1)" });
 * ok(fit.residual_real.every((r) => Math.abs(r) < 1e-6)); // exact data, exact model
 * ```
 */
export class FittedSpectrum {
  /** Frequencies of the fitted points, Hz. */
  readonly frequency_Hz: Float64Array;
  /** Measured real parts, Ω. */
  readonly z_real_ohm: Float64Array;
  /** Measured imaginary parts, Ω. */
  readonly z_imag_ohm: Float64Array;
  /** Fitted (reconstructed) real parts, Ω. */
  readonly fit_real_ohm: Float64Array;
  /** Fitted (reconstructed) imaginary parts, Ω. */
  readonly fit_imag_ohm: Float64Array;
  /** (Z' − Ẑ')/|Z| per point. */
  readonly residual_real: Float64Array;
  /** (Z'' − Ẑ'')/|Z| per point. */
  readonly residual_imag: Float64Array;

  /**
   * Pair measured points with their reconstruction and compute the residuals.
   *
   * @param data The measured points.
   * @param fitRe Reconstructed real parts (kept, not copied).
   * @param fitIm Reconstructed imaginary parts (kept, not copied).
   */
  constructor(data: SpectrumData, fitRe: Float64Array, fitIm: Float64Array) {
    const n = data.n;
    this.frequency_Hz = Float64Array.from(data.f);
    this.z_real_ohm = Float64Array.from(data.re);
    this.z_imag_ohm = Float64Array.from(data.im);
    this.fit_real_ohm = fitRe;
    this.fit_imag_ohm = fitIm;
    this.residual_real = new Float64Array(n);
    this.residual_imag = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const mod = Math.sqrt(data.re[i] ** 2 + data.im[i] ** 2);
      this.residual_real[i] = (data.re[i] - fitRe[i]) / mod;
      this.residual_imag[i] = (data.im[i] - fitIm[i]) / mod;
    }
  }
}
