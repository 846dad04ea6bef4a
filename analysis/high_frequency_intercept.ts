// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SpectrumLike } from "./eis/mod.ts";

/** The high-frequency intercept of a spectrum and the point it was read from. */
export interface HighFrequencyIntercept {
  /** Re Z at the intercept, Ω (the ohmic / bulk resistance of a blocking or symmetric cell). */
  resistance_ohm: number;
  /** Frequency of the point used, Hz. */
  frequency_Hz: number;
  /** −Im Z of the point used, Ω (≥ 0; its distance from the real axis). */
  minus_z_imag_ohm: number;
  /** Index of the point in the spectrum. */
  index: number;
}

/**
 * The high-frequency intercept of an impedance spectrum with the real axis, read from the data
 * without a model: among the higher-frequency half of the points (by frequency rank), those on
 * the capacitive side of the real axis with a positive real part (−Im Z ≥ 0, Re Z > 0), the one
 * closest to the axis (smallest −Im Z) gives Re Z.
 *
 * Restricting to capacitive points with Re Z > 0 skips the inductive and non-physical points
 * that cable inductance and instrument limits put at the highest frequencies (the lab's
 * EC-Lab files have Re Z < 0 near 1 MHz); restricting to the upper half keeps the low-frequency
 * end of a closed arc (R0 + R1) from being taken. For a blocking-electrode cell this is the bulk
 * resistance where the capacitive spike starts.
 *
 * @param spectrum Frequencies and signed impedance (capacitive Im Z negative).
 * @returns The intercept, or `null` when no point qualifies (no capacitive point with a
 *   positive real part among the higher frequencies).
 * @throws {RangeError} When the arrays differ in length or are empty.
 *
 * @example Usage
 * ```ts
 * import { highFrequencyIntercept } from "./high_frequency_intercept.ts";
 * import { ok } from "node:assert/strict";
 *
 * // R0-p(R1,C1) with R0 = 10 Ω, R1 = 50 Ω, C1 = 1 µF, 1 MHz to 1 Hz: the highest-frequency
 * // point (1 MHz, where −Im Z = 0.16 Ω) is the closest to the axis, Re Z ≈ R0.
 * const f = Array.from({ length: 25 }, (_, i) => 1e6 / 10 ** (i / 4));
 * const z = f.map((fi) => {
 *   const w = 2 * Math.PI * fi, d = 1 + (w * 50e-6) ** 2;
 *   return [10 + 50 / d, (-50 * w * 50e-6) / d];
 * });
 * const r = highFrequencyIntercept({
 *   frequency_Hz: f,
 *   z_real_ohm: z.map((p) => p[0]),
 *   z_imag_ohm: z.map((p) => p[1]),
 * })!;
 * ok(Math.abs(r.resistance_ohm - 10) < 0.01);
 * ```
 */
export function highFrequencyIntercept(spectrum: SpectrumLike): HighFrequencyIntercept | null {
  const { frequency_Hz: f, z_real_ohm: re, z_imag_ohm: im } = spectrum;
  const n = f.length;
  if (n === 0) throw new RangeError("Cannot find the high-frequency intercept: empty spectrum");
  if (re.length !== n || im.length !== n) {
    throw new RangeError(
      `Cannot find the high-frequency intercept: ${n} frequencies, ${re.length} real and ` +
        `${im.length} imaginary values`,
    );
  }
  const order = Array.from({ length: n }, (_, i) => i)
    .filter((i) => f[i] > 0 && Number.isFinite(re[i]) && Number.isFinite(im[i]))
    .sort((a, b) => f[b] - f[a]);
  const upper = order.slice(0, Math.ceil(order.length / 2));
  let best = -1;
  for (const i of upper) {
    if (re[i] > 0 && -im[i] >= 0 && (best < 0 || -im[i] < -im[best])) best = i;
  }
  if (best < 0) return null;
  return {
    resistance_ohm: re[best],
    frequency_Hz: f[best],
    minus_z_imag_ohm: -im[best] === 0 ? 0 : -im[best],
    index: best,
  };
}
