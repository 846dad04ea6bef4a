// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { DqdvCurve } from "./dqdv.ts";
import type { HalfCycleDirection } from "./_half_cycle_data.ts";

/** One appearance of a tracked peak. */
export interface TrackedPeakPoint {
  /** Cycle of the curve (or its 1-based position in the input when it has none). */
  cycle: number;
  /** Peak voltage, V. */
  position_V: number;
  /** dQ/dV at the peak, Ah/V. */
  height_Ah_per_V: number;
  /** Peak area, Ah. */
  area_Ah: number;
  /** FWHM, V, or `null`. */
  fwhm_V: number | null;
}

/** A peak followed across cycles. */
export interface PeakTrack {
  /** Track number, from 1, in order of first appearance. */
  id: number;
  /** Direction of the half cycles the peak belongs to. */
  direction: HalfCycleDirection;
  /** Appearances, in input order. */
  points: TrackedPeakPoint[];
  /** Last position − first position, V. */
  shift_V: number;
  /** Last height / first height (fraction), or `null` when the first height is 0. */
  height_ratio: number | null;
}

/** Options of {@link trackPeaks}. */
export interface TrackPeaksOptions {
  /** Largest move of a peak between consecutive appearances, V. @default {0.05} */
  max_shift_V?: number;
}

/**
 * Follow dQ/dV peaks across cycles by nearest position: charge and discharge peaks are tracked
 * separately; for each curve (in the order given), peaks are matched one-to-one to the tracks'
 * latest positions, closest pairs first, within `max_shift_V`; an unmatched peak starts a new
 * track, and a track without a match in a curve simply has no point there.
 *
 * @param curves dQ/dV curves, in cycle order.
 * @param options Largest shift between appearances.
 * @returns The tracks, in order of first appearance.
 *
 * @example
 * ```ts
 * import { trackPeaks, type DqdvCurve } from "./mod.ts";
 * import { equal, ok } from "node:assert/strict";
 *
 * // Peaks given directly (as dqdv() would find them): one moving up by 10 mV per cycle.
 * const peak = (v: number) => ({
 *   position_V: v, height_Ah_per_V: 5, prominence_Ah_per_V: 5, area_Ah: 0.5, fwhm_V: 0.05,
 *   width_V: 0.05, left_V: v - 0.1, right_V: v + 0.1,
 * });
 * const curves = [3.40, 3.41, 3.42].map((v, i) =>
 *   ({ cycle: i + 1, direction: "charge", peaks: [peak(v)] }) as unknown as DqdvCurve
 * );
 * const [track] = trackPeaks(curves);
 * equal(track.points.length, 3);
 * ok(Math.abs(track.shift_V - 0.02) < 1e-12);
 * ```
 */
export function trackPeaks(
  curves: readonly DqdvCurve[],
  options: TrackPeaksOptions = {},
): PeakTrack[] {
  const maxShift = options.max_shift_V ?? 0.05;
  if (!(maxShift > 0)) {
    throw new RangeError(`Cannot track peaks: max_shift_V must be positive, got ${maxShift}`);
  }
  const tracks: PeakTrack[] = [];
  curves.forEach((curve, c) => {
    const cycle = curve.cycle ?? c + 1;
    const open = tracks.filter((t) => t.direction === curve.direction);
    const pairs: [number, number, number][] = [];
    open.forEach((t, ti) => {
      const last = t.points[t.points.length - 1].position_V;
      curve.peaks.forEach((p, pi) => {
        const d = Math.abs(p.position_V - last);
        if (d <= maxShift) pairs.push([d, ti, pi]);
      });
    });
    pairs.sort((a, b) => a[0] - b[0]);
    const usedTrack = new Set<number>(), usedPeak = new Set<number>();
    const assign: (number | null)[] = curve.peaks.map(() => null);
    for (const [, ti, pi] of pairs) {
      if (usedTrack.has(ti) || usedPeak.has(pi)) continue;
      usedTrack.add(ti);
      usedPeak.add(pi);
      assign[pi] = ti;
    }
    curve.peaks.forEach((p, pi) => {
      const point: TrackedPeakPoint = {
        cycle,
        position_V: p.position_V,
        height_Ah_per_V: p.height_Ah_per_V,
        area_Ah: p.area_Ah,
        fwhm_V: p.fwhm_V,
      };
      const ti = assign[pi];
      if (ti !== null) {
        open[ti].points.push(point);
      } else {
        tracks.push({
          id: tracks.length + 1,
          direction: curve.direction,
          points: [point],
          shift_V: 0,
          height_ratio: null,
        });
      }
    });
  });
  for (const t of tracks) {
    const first = t.points[0], last = t.points[t.points.length - 1];
    t.shift_V = last.position_V - first.position_V;
    t.height_ratio = first.height_Ah_per_V !== 0
      ? last.height_Ah_per_V / first.height_Ah_per_V
      : null;
  }
  return tracks;
}
