// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private: whether a recording's capacity counters agree with its current. Used by
 * `analyzeTest` for the `counter_current_mismatch` flag.
 */

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import type { CyclingSeries } from "../lib/model/cycling_series.ts";

/** Charge passed each way, Ah: by the cycles' counters and by the integral of the current. */
export interface ChargeBalance {
  /** Sum of the cycles' charge capacities (the instrument's counters), Ah. */
  counted_charge_Ah: number;
  /** Sum of the cycles' discharge capacities, Ah. */
  counted_discharge_Ah: number;
  /** Integral of the positive current over the series (trapezoid), Ah. */
  integrated_charge_Ah: number;
  /** Integral of the negative current's magnitude over the series, Ah. */
  integrated_discharge_Ah: number;
  /** Rows whose |current| exceeds the rest threshold. */
  rows_with_current: number;
}

/**
 * The charge passed each way, counted (sum of the cycles' capacities) and integrated from the
 * current (trapezoid rule between consecutive rows with finite current and increasing time; an
 * interval whose current changes sign is split where the line between the two rows crosses
 * zero).
 *
 * @param series The time series the cycles were built from.
 * @param cycles Its cycles.
 * @param threshold |current| at or below this is rest, A.
 */
export function chargeBalance(
  series: CyclingSeries,
  cycles: readonly CycleSummary[],
  threshold: number,
): ChargeBalance {
  const { time_s: t, current_A: cur, length: n } = series;
  let pos = 0, neg = 0, rows = 0;
  for (let r = 0; r < n; r++) {
    const b = cur[r];
    if (Math.abs(b) > threshold) rows++;
    if (r === 0) continue;
    const a = cur[r - 1], dt = t[r] - t[r - 1];
    if (!(dt > 0) || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    if (a >= 0 && b >= 0) pos += ((a + b) / 2) * dt;
    else if (a <= 0 && b <= 0) neg -= ((a + b) / 2) * dt;
    else {
      // Crosses zero at the fraction f of the interval: two triangles.
      const f = Math.abs(a) / (Math.abs(a) + Math.abs(b));
      const first = (a * f * dt) / 2, second = (b * (1 - f) * dt) / 2;
      if (a > 0) pos += first, neg -= second;
      else neg -= first, pos += second;
    }
  }
  let qc = 0, qd = 0;
  for (const c of cycles) {
    if (Number.isFinite(c.charge_capacity_Ah)) qc += c.charge_capacity_Ah;
    if (Number.isFinite(c.discharge_capacity_Ah)) qd += c.discharge_capacity_Ah;
  }
  return {
    counted_charge_Ah: qc,
    counted_discharge_Ah: qd,
    integrated_charge_Ah: pos / 3600,
    integrated_discharge_Ah: neg / 3600,
    rows_with_current: rows,
  };
}

/** Fewest rows with current for the comparison (sparser files integrate poorly). */
export const MIN_ROWS_WITH_CURRENT = 50;
/** Relative disagreement beyond which counters and current are said to disagree. */
export const MISMATCH_FRACTION = 0.05;
/** Absolute disagreement must also exceed this fraction of the test's total charge passed. */
export const MISMATCH_OF_TOTAL = 0.01;

/**
 * The directions whose counters disagree with the current, with the numbers: more than 5 % of
 * the larger of the two and more than 1 % of all the charge the test passed (both ways), in a
 * recording with at least 50 rows carrying current. Empty when they agree or when there are
 * too few rows to tell. Instruments whose counters and current are both sound agree to about
 * 1 % (the real fixtures: at most 1.1 %).
 */
export function counterMismatches(
  b: ChargeBalance,
): { direction: "charge" | "discharge"; counted_Ah: number; integrated_Ah: number }[] {
  if (b.rows_with_current < MIN_ROWS_WITH_CURRENT) return [];
  const total = Math.max(
    b.counted_charge_Ah + b.counted_discharge_Ah,
    b.integrated_charge_Ah + b.integrated_discharge_Ah,
  );
  const out: { direction: "charge" | "discharge"; counted_Ah: number; integrated_Ah: number }[] =
    [];
  for (
    const [direction, c, j] of [
      ["charge", b.counted_charge_Ah, b.integrated_charge_Ah],
      ["discharge", b.counted_discharge_Ah, b.integrated_discharge_Ah],
    ] as const
  ) {
    const diff = Math.abs(c - j);
    if (diff > MISMATCH_FRACTION * Math.max(c, j) && diff > MISMATCH_OF_TOTAL * total) {
      out.push({ direction, counted_Ah: c, integrated_Ah: j });
    }
  }
  return out;
}
