// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private: the resistance of each current pulse that starts from rest (pulse, HPPC and GITT
 * tests). Used by `analyzeTest`.
 */

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import { type CurrentSegment, currentSegments } from "./_protocol.ts";
import { median } from "./_stats.ts";

/** One current pulse that starts from rest. */
export interface Pulse {
  /** Test time at the pulse's first row, s. */
  start_time_s: number;
  /** Time from the last rest row to the pulse's last row, s. */
  duration_s: number;
  /** Median current of the pulse, A (positive on charge). */
  current_A: number;
  /** Direction. */
  direction: "charge" | "discharge";
  /** Voltage at the last rest row before the pulse, V. */
  rest_voltage_V: number;
  /**
   * (V − V_rest) / (I − I_rest) at the pulse's first row, Ω: the resistance seen after
   * `first_sample_dt_s` (mostly ohmic when that is short).
   */
  resistance_first_sample_ohm: number | null;
  /** Time from the last rest row to the pulse's first row, s. */
  first_sample_dt_s: number;
  /** (V − V_rest) / (I − I_rest) at the pulse's last row, Ω (includes polarization). */
  resistance_end_ohm: number | null;
}

/** Pulse resistances of a pulse, HPPC or GITT test. */
export interface PulseAnalysis {
  /** Pulses that start from rest. */
  count: number;
  /** Median of `resistance_first_sample_ohm` over the pulses, Ω. */
  median_resistance_first_sample_ohm: number | null;
  /** Median of `resistance_end_ohm` over the pulses, Ω. */
  median_resistance_end_ohm: number | null;
  /** Median pulse length, s. */
  median_duration_s: number | null;
  /** The pulses, in time order. */
  pulses: Pulse[];
}

function resistance(dv: number, di: number): number | null {
  if (!Number.isFinite(dv) || !Number.isFinite(di) || di === 0) return null;
  const r = dv / di;
  return Number.isFinite(r) ? r : null;
}

/**
 * Pulse resistances: for every run of current (beyond `threshold`) that follows a rest row,
 * ΔV/ΔI between the last rest row and the pulse's first row, and between the last rest row and
 * its last row.
 *
 * @param series The time series.
 * @param threshold |current| at or below this is rest, A.
 * @returns The pulses and the medians.
 */
export function pulseResistances(series: CyclingSeries, threshold: number): PulseAnalysis {
  const segments: CurrentSegment[] = currentSegments(series, threshold);
  const { time_s: t, voltage_V: v, current_A: i } = series;
  const pulses: Pulse[] = [];
  for (let k = 1; k < segments.length; k++) {
    const s = segments[k], before = segments[k - 1];
    if (s.dir === 0 || before.dir !== 0) continue;
    const r0 = s.start - 1, a = s.start, b = s.end - 1;
    const currents: number[] = [];
    for (let r = a; r <= b; r++) if (Number.isFinite(i[r])) currents.push(i[r]);
    pulses.push({
      start_time_s: t[a],
      duration_s: t[b] - t[r0],
      current_A: currents.length ? median(currents) : NaN,
      direction: s.dir === 1 ? "charge" : "discharge",
      rest_voltage_V: v[r0],
      resistance_first_sample_ohm: resistance(v[a] - v[r0], i[a] - i[r0]),
      first_sample_dt_s: t[a] - t[r0],
      resistance_end_ohm: resistance(v[b] - v[r0], i[b] - i[r0]),
    });
  }
  const med = (xs: (number | null)[]): number | null => {
    const f = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return f.length ? median(f) : null;
  };
  return {
    count: pulses.length,
    median_resistance_first_sample_ohm: med(pulses.map((p) => p.resistance_first_sample_ohm)),
    median_resistance_end_ohm: med(pulses.map((p) => p.resistance_end_ohm)),
    median_duration_s: med(pulses.map((p) => p.duration_s)),
    pulses,
  };
}
