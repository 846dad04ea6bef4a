// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private: what kind of test a recording is (constant-current cycling, symmetric-cell plating
 * and stripping, rate test, pulse / HPPC / GITT, open-circuit rest, impedance), from its series,
 * its cycles and its current levels. Used by `analyzeTest`.
 */

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { CurrentLevel } from "./_cycle_roles.ts";
import { median } from "./_stats.ts";

/** The kinds of test {@link detectProtocol} tells apart. */
export type ProtocolKind =
  | "cc_cycling"
  | "symmetric_plating"
  | "rate_test"
  | "pulse"
  | "gitt"
  | "hppc"
  | "ocv_rest"
  | "impedance"
  | "unknown";

/** Every protocol kind. */
export const PROTOCOL_KINDS: readonly ProtocolKind[] = [
  "cc_cycling",
  "symmetric_plating",
  "rate_test",
  "pulse",
  "gitt",
  "hppc",
  "ocv_rest",
  "impedance",
  "unknown",
];

/** The detected protocol and why. */
export interface Protocol {
  /** Kind of test. */
  kind: ProtocolKind;
  /** Why, in words (the evidence). */
  reason: string;
}

/** One run of rows with one current direction (+1 charge, −1 discharge, 0 rest). */
export interface CurrentSegment {
  /** Direction. */
  dir: 1 | -1 | 0;
  /** First row. */
  start: number;
  /** One past the last row. */
  end: number;
  /** Time from the row before the segment (or its first row) to its last row, s. */
  duration_s: number;
}

/**
 * Runs of rows with one current direction (|I| at or below `threshold` is rest). Rows with a
 * non-finite current continue the current run.
 */
export function currentSegments(series: CyclingSeries, threshold: number): CurrentSegment[] {
  const { current_A: cur, time_s: t, length: n } = series;
  const out: CurrentSegment[] = [];
  let k = 0;
  while (k < n) {
    const c = cur[k];
    const dir = (c > threshold ? 1 : c < -threshold ? -1 : 0) as 1 | -1 | 0;
    let e = k + 1;
    while (e < n) {
      const x = cur[e];
      const d = x > threshold ? 1 : x < -threshold ? -1 : Number.isFinite(x) ? 0 : dir;
      if (d !== dir) break;
      e++;
    }
    const t0 = k > 0 ? t[k - 1] : t[k];
    out.push({ dir, start: k, end: e, duration_s: Math.max(0, t[e - 1] - t0) });
    k = e;
  }
  return out;
}

/** Fewest current pulses for a pulse test. */
const MIN_PULSES = 10;
/** Longest median pulse of a pulse / HPPC test, s. */
const SHORT_PULSE_S = 60;
/**
 * Longest median current step of a GITT or interrupted-pulse test, s: longer steps interrupted
 * by rests are half cycles with a pause (constant current then constant voltage, a rest before
 * a voltage hold), not titration pulses.
 */
const LONG_PULSE_S = 3600;

/** Pulse / HPPC / GITT from the current segments, or `null`. */
function pulseProtocol(
  segments: readonly CurrentSegment[],
  instrumentCycles: number,
): Protocol | null {
  const active = segments.filter((s) => s.dir !== 0);
  if (active.length < MIN_PULSES) return null;
  const durations = active.map((s) => s.duration_s);
  const medianActive = median(durations);
  // Consecutive active segments (rests between them skipped) in the same direction: an
  // interrupted half cycle — pulses — rather than alternating charge and discharge.
  let repeats = 0;
  for (let i = 1; i < active.length; i++) if (active[i].dir === active[i - 1].dir) repeats++;
  const repeatFraction = repeats / (active.length - 1);
  // Rest after each active segment.
  const restsAfter: number[] = [];
  segments.forEach((s, i) => {
    if (s.dir !== 0 && segments[i + 1]?.dir === 0) restsAfter.push(segments[i + 1].duration_s);
  });
  const medianRest = restsAfter.length ? median(restsAfter) : 0;
  // HPPC: short pulses of opposite directions close together (a discharge pulse, a short rest,
  // a charge pulse), repeated.
  let pairs = 0;
  for (let i = 0; i + 1 < active.length; i++) {
    const a = active[i], b = active[i + 1];
    if (a.dir === -b.dir && a.duration_s <= SHORT_PULSE_S && b.duration_s <= SHORT_PULSE_S) {
      pairs++;
      i++;
    }
  }
  const s = (x: number) => `${+x.toPrecision(3)} s`;
  if (pairs >= 3 && repeatFraction >= 0.2) {
    return {
      kind: "hppc",
      reason: `${active.length} current steps (median ${s(medianActive)}), ${pairs} pairs of ` +
        "opposite short pulses between longer steps: hybrid pulse power characterization",
    };
  }
  if (medianActive > LONG_PULSE_S) return null;
  if (repeatFraction >= 0.5 && medianRest >= 0.5 * medianActive) {
    return {
      kind: "gitt",
      reason: `${active.length} current pulses (median ${s(medianActive)}), ${
        Math.round(repeatFraction * 100)
      } % followed by another in the same direction, each followed by a rest (median ${
        s(medianRest)
      }): galvanostatic intermittent titration`,
    };
  }
  if (repeatFraction >= 0.25) {
    return {
      kind: "pulse",
      reason: `${active.length} current steps (median ${s(medianActive)}), ${
        Math.round(repeatFraction * 100)
      } % interrupted by a rest and continued in the same direction`,
    };
  }
  if (medianActive <= SHORT_PULSE_S && instrumentCycles <= 2) {
    return {
      kind: "pulse",
      reason: `${active.length} current pulses (median ${s(medianActive)}) within ${
        instrumentCycles === 1 ? "one instrument cycle" : "two instrument cycles"
      }`,
    };
  }
  return null;
}

/** Symmetric cell: voltage changes sign between the halves, or stays within ±0.3 V. */
function symmetricReason(
  cycles: readonly CycleSummary[],
  series: CyclingSeries | null,
): string | null {
  const both = cycles.filter((c) =>
    c.mean_charge_voltage_V !== null && c.mean_discharge_voltage_V !== null &&
    c.charge_capacity_Ah > 0 && c.discharge_capacity_Ah > 0
  );
  if (both.length > 0) {
    const opposite = both.filter((c) =>
      Math.sign(c.mean_charge_voltage_V!) === -Math.sign(c.mean_discharge_voltage_V!) &&
      c.mean_charge_voltage_V !== 0
    ).length;
    if (opposite >= 0.5 * both.length) {
      return `the mean voltage changes sign between charge and discharge in ${opposite} of ${both.length} cycles: plating/stripping of a symmetric cell`;
    }
  }
  let vmax = 0, any = false;
  if (series && series.length > 0) {
    for (let r = 0; r < series.length; r++) {
      const v = Math.abs(series.voltage_V[r]);
      if (Number.isFinite(v)) {
        any = true;
        if (v > vmax) vmax = v;
      }
    }
  } else {
    for (const c of cycles) {
      for (const v of [c.min_voltage_V, c.max_voltage_V]) {
        if (v !== null && Number.isFinite(v)) {
          any = true;
          vmax = Math.max(vmax, Math.abs(v));
        }
      }
    }
  }
  if (any && vmax < 0.3) {
    return `the voltage stays within ±${+vmax.toPrecision(3)} V (under 0.3 V): a symmetric cell`;
  }
  return null;
}

/**
 * Rate test: at least three current levels, no level holding half the cycles, and the levels
 * in blocks (at most two runs per level).
 */
function rateTestReason(
  cycles: readonly CycleSummary[],
  levels: readonly CurrentLevel[],
): string | null {
  if (levels.length < 3) return null;
  const total = levels.reduce((s, l) => s + l.cycles.length, 0);
  if (levels[0].cycles.length >= 0.5 * total) return null;
  const levelOf = new Map<number, number>();
  levels.forEach((l, i) => l.cycles.forEach((c) => levelOf.set(c, i)));
  const order = cycles.map((c) => levelOf.get(c.cycle)).filter((x) => x !== undefined);
  let runs = 0;
  for (let i = 0; i < order.length; i++) if (i === 0 || order[i] !== order[i - 1]) runs++;
  if (runs > 2 * levels.length) return null;
  const currents = [...levels].sort((a, b) => a.cycles[0] - b.cycles[0])
    .map((l) => `${+(l.current_A * 1000).toPrecision(3)} mA × ${l.cycles.length}`);
  return `${levels.length} current levels in blocks (${currents.join(", ")}): a rate test`;
}

/**
 * Detect the protocol of a test.
 *
 * @param input Series (when there is one), cycles, current levels of the cycles that carry
 *   charge, whether impedance spectra exist, and the current threshold used for cycles.
 * @returns The kind and the evidence.
 */
export function detectProtocol(input: {
  series: CyclingSeries | null;
  cycles: readonly CycleSummary[];
  levels: readonly CurrentLevel[];
  hasSpectra: boolean;
  currentThreshold_A: number | null;
}): Protocol {
  const { series, cycles, levels } = input;
  const carrying = cycles.filter((c) =>
    Math.max(c.charge_capacity_Ah, c.discharge_capacity_Ah) > 0
  );
  if (carrying.length === 0) {
    if (series && series.length > 0) {
      return input.hasSpectra
        ? { kind: "impedance", reason: "impedance spectra; the time series carries no current" }
        : { kind: "ocv_rest", reason: "no current flows: an open-circuit (rest) recording" };
    }
    return input.hasSpectra
      ? { kind: "impedance", reason: "impedance spectra only (no cycling time series)" }
      : { kind: "unknown", reason: "no time series, no cycles and no spectra" };
  }
  if (series && series.length > 0 && input.currentThreshold_A !== null) {
    const pulse = pulseProtocol(
      currentSegments(series, input.currentThreshold_A),
      new Set(series.cycle_index).size,
    );
    if (pulse) return pulse;
  }
  const sym = symmetricReason(carrying, series);
  if (sym) return { kind: "symmetric_plating", reason: sym };
  const rate = rateTestReason(carrying, levels);
  if (rate) return { kind: "rate_test", reason: rate };
  const both = carrying.filter((c) => c.charge_capacity_Ah > 0 && c.discharge_capacity_Ah > 0);
  if (both.length > 0) {
    return {
      kind: "cc_cycling",
      reason: `${both.length} cycles with a charge and a discharge${
        levels.length > 0
          ? ` (main current ${+(levels[0].current_A * 1000).toPrecision(3)} mA)`
          : ""
      }`,
    };
  }
  return { kind: "unknown", reason: "no cycle holds both a charge and a discharge" };
}
