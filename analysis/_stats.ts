// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Small descriptive statistics shared by the fade and comparison code. */

/** Arithmetic mean (NaN for no values). */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : NaN;
}

/** Standard deviation; `ddof` 0 = population, 1 = sample. */
export function std(values: ArrayLike<number>, ddof = 0): number {
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - m) ** 2;
  return Math.sqrt(s / (values.length - ddof));
}

/**
 * Quantile with linear interpolation between order statistics (the default of numpy's
 * `quantile` and R's type 7). NaN for no values.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The k-th smallest of `a[lo..hi]` (inclusive; no NaN), moving it to `a[k]` with every value
 * before it no larger and every value after it no smaller (Hoare's selection, O(n) on average).
 */
export function selectInPlace(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const x = a[i];
        a[i++] = a[j];
        a[j--] = x;
      }
    }
    // Now a[lo..j] <= pivot, a[i..hi] >= pivot, and a[j+1..i-1] equal the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * {@link quantile} of `values[0, count)` (no NaN), bit for bit, by selection instead of a sort:
 * O(n) on average and no copy, but the values are reordered.
 */
export function quantileInPlace(values: Float64Array, count: number, q: number): number {
  if (count === 0) return NaN;
  const h = (count - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(count - 1, lo + 1);
  const low = selectInPlace(values, 0, count - 1, lo);
  let high = low;
  if (hi > lo) {
    high = Infinity; // the smallest value after position lo (all of them are >= low)
    for (let k = lo + 1; k < count; k++) if (values[k] < high) high = values[k];
  }
  return low + (h - lo) * (high - low);
}

/** Median (NaN for no values). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/**
 * Inverse of the standard normal CDF (P. J. Acklam's rational approximation, relative error
 * below 1.2e-9).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  const a = [
    -3.969683028665376e1,
    2.209460984245205e2,
    -2.759285104469687e2,
    1.38357751867269e2,
    -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1,
    1.615858368580409e2,
    -1.556989798598866e2,
    6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3,
    -3.223964580411365e-1,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
