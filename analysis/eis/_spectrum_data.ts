// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Spectrum input accepted by the EIS analyses, and its validated internal form. */

/** Anything with frequencies and a signed complex impedance (a `Spectrum` qualifies). */
export interface SpectrumLike {
  /** Frequencies, Hz (> 0). */
  frequency_Hz: ArrayLike<number>;
  /** Real parts, Ω. */
  z_real_ohm: ArrayLike<number>;
  /** Signed imaginary parts, Ω (capacitive negative). */
  z_imag_ohm: ArrayLike<number>;
}

/** Validated arrays sorted by frequency as given, with ω. */
export interface SpectrumData {
  /** Number of points. */
  n: number;
  /** Frequencies, Hz. */
  f: Float64Array;
  /** Angular frequencies, rad/s. */
  w: Float64Array;
  /** Real parts. */
  re: Float64Array;
  /** Imaginary parts. */
  im: Float64Array;
  /** Index of each kept point in the input. */
  index: Int32Array;
}

/** Options selecting points of a spectrum. */
export interface PointSelection {
  /** Keep only points with Im Z < 0 (impedance.py's `ignoreBelowX`). @default {false} */
  capacitiveOnly?: boolean;
  /** Lowest frequency kept, Hz. @default {0} */
  minFrequency_Hz?: number;
  /** Highest frequency kept, Hz. @default {Infinity} */
  maxFrequency_Hz?: number;
}

/**
 * Check and copy a spectrum, keeping the selected points.
 * @throws {RangeError} For mismatched lengths, non-finite values, non-positive frequencies or
 * fewer than `minPoints` points left.
 */
export function spectrumData(
  what: string,
  spectrum: SpectrumLike,
  selection: PointSelection = {},
  minPoints = 2,
): SpectrumData {
  if (!spectrum || !spectrum.frequency_Hz || !spectrum.z_real_ohm || !spectrum.z_imag_ohm) {
    throw new TypeError(
      `Cannot ${what}: expected a spectrum with frequency_Hz, z_real_ohm and z_imag_ohm`,
    );
  }
  const { frequency_Hz: f, z_real_ohm: re, z_imag_ohm: im } = spectrum;
  if (f.length !== re.length || f.length !== im.length) {
    throw new RangeError(
      `Cannot ${what}: frequency_Hz, z_real_ohm and z_imag_ohm have lengths ${f.length}, ${re.length}, ${im.length}`,
    );
  }
  const lo = selection.minFrequency_Hz ?? 0, hi = selection.maxFrequency_Hz ?? Infinity;
  const keep: number[] = [];
  for (let i = 0; i < f.length; i++) {
    if (!(f[i] > 0) || !Number.isFinite(f[i])) {
      throw new RangeError(`Cannot ${what}: frequency ${f[i]} at point ${i} is not positive`);
    }
    if (!Number.isFinite(re[i]) || !Number.isFinite(im[i])) {
      throw new RangeError(`Cannot ${what}: impedance at point ${i} is not finite`);
    }
    if (f[i] < lo || f[i] > hi) continue;
    if (selection.capacitiveOnly && !(im[i] < 0)) continue;
    keep.push(i);
  }
  if (keep.length < minPoints) {
    throw new RangeError(
      `Cannot ${what}: ${keep.length} points selected, at least ${minPoints} needed`,
    );
  }
  const n = keep.length;
  const out: SpectrumData = {
    n,
    f: new Float64Array(n),
    w: new Float64Array(n),
    re: new Float64Array(n),
    im: new Float64Array(n),
    index: Int32Array.from(keep),
  };
  keep.forEach((k, i) => {
    out.f[i] = f[k];
    out.w[i] = 2 * Math.PI * f[k];
    out.re[i] = re[k];
    out.im[i] = im[k];
  });
  return out;
}
