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

/** Largest |voltage| of a symmetric cell's overpotential (the fallback rule), V. */
const SYMMETRIC_MAX_V = 0.3;

/**
 * Symmetric cell: the mean voltage changes sign between the halves in at least half the
 * cycles; or else the voltage stays within ±0.3 V and takes both signs.
 * Two identical electrodes have no open-circuit voltage, so the voltage is an overpotential
 * that follows the current: plating drives it one way, stripping the other. A voltage that
 * keeps one sign (a rest voltage of −0.09 V, say) is a couple of different electrodes or
 * reversed leads, not a symmetric cell, however small it is. Each sign must reach a tenth of
 * the largest |voltage| (a noise row across zero does not count).
 */
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
      return `the mean voltage changes sign between charge and discharge in ${opposite} of ${both.length} cycle${
        both.length === 1 ? "" : "s"
      }: plating/stripping of a symmetric cell`;
    }
  }
  let vmin = Infinity, vmax = -Infinity;
  const see = (v: number | null) => {
    if (v !== null && Number.isFinite(v)) {
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
  };
  if (series && series.length > 0) {
    for (let r = 0; r < series.length; r++) see(series.voltage_V[r]);
  } else {
    for (const c of cycles) see(c.min_voltage_V), see(c.max_voltage_V);
  }
  if (!(vmax >= vmin)) return null;
  const largest = Math.max(-vmin, vmax);
  const bothSigns = vmin < -0.1 * largest && vmax > 0.1 * largest;
  if (largest < SYMMETRIC_MAX_V && bothSigns) {
    return `the voltage stays within ±${+largest.toPrecision(3)} V (under ${SYMMETRIC_MAX_V} V) ` +
      `and takes both signs (${+vmin.toPrecision(3)} to ${+vmax.toPrecision(
        3,
      )} V): a symmetric cell`;
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
 * Why a series without a cycle that carries charge is an open-circuit recording: no current
 * flows, or (instruments that leave the current out of open-circuit steps) none is recorded.
 */
function restReason(series: CyclingSeries): string {
  for (let r = 0; r < series.length; r++) {
    if (Number.isFinite(series.current_A[r])) {
      return "no current flows: an open-circuit (rest) recording";
    }
  }
  return "no current is recorded (missing on every row, as instruments write open-circuit " +
    "steps): read as an open-circuit (rest) recording";
}

/**
 * Number of distinct values: each run of equal values adds its value once, so a column that
 * changes rarely (a cycle counter) costs one comparison a row, not a hash insertion.
 */
function distinctCount(values: Int32Array): number {
  const seen = new Set<number>();
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (k === 0 || v !== values[k - 1]) seen.add(v);
  }
  return seen.size;
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
        : { kind: "ocv_rest", reason: restReason(series) };
    }
    return input.hasSpectra
      ? { kind: "impedance", reason: "impedance spectra only (no cycling time series)" }
      : { kind: "unknown", reason: "no time series, no cycles and no spectra" };
  }
  if (series && series.length > 0 && input.currentThreshold_A !== null) {
    const pulse = pulseProtocol(
      currentSegments(series, input.currentThreshold_A),
      distinctCount(series.cycle_index),
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
      reason: `${both.length} cycle${both.length === 1 ? "" : "s"} with a charge and a discharge${
        levels.length > 0
          ? ` (main current ${+(levels[0].current_A * 1000).toPrecision(3)} mA)`
          : ""
      }`,
    };
  }
  return { kind: "unknown", reason: "no cycle holds both a charge and a discharge" };
}
