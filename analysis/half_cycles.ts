// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import { checkSeries, type CycleOptions, segmentCycles } from "./_cycle_segments.ts";

/** One half cycle: the rows of one charge or discharge segment. */
export interface HalfCycle {
  /** Cycle number (1-based, the same numbering as `summarizeCycles`). */
  cycle: number;
  /** Direction of the current. */
  direction: "charge" | "discharge";
  /**
   * First row with current flowing in this direction (with the `"step"` method, the first row
   * of the first step of the half).
   */
  start_row: number;
  /**
   * One past the last row with current flowing in this direction (with `"step"`, one past the
   * last row of the last step). Rows in between may be rests (a rest between two charge steps,
   * for example); test `current_A` against the threshold to skip them.
   */
  end_row: number;
}

/**
 * Row ranges of the charge and discharge segments of each cycle, in row order, with the same
 * cycle delimitation (and options) as `summarizeCycles`. Rests before and after a segment are
 * excluded; a cycle usually has one charge and one discharge segment (a cycle delimited by the
 * instrument's cycle counter may have more).
 *
 * @param series The cycling series.
 * @param options How cycles are delimited (see {@link CycleOptions}).
 * @returns The half cycles in row order.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { halfCycles } from "./half_cycles.ts";
 * const current = [0, 1, 1, 0, -1, -1, 0];
 * const n = current.length;
 * const nan = () => new Float64Array(n).fill(NaN);
 * const halves = halfCycles({
 *   length: n, time_s: Float64Array.from(current, (_, k) => 60 * k),
 *   current_A: Float64Array.from(current), voltage_V: nan(),
 *   charge_capacity_Ah: nan(), discharge_capacity_Ah: nan(),
 *   charge_energy_Wh: nan(), discharge_energy_Wh: nan(),
 *   step_index: new Int32Array(n), cycle_index: new Int32Array(n),
 *   extras: {}, start_time: null, columns: {},
 * });
 * deepEqual(halves, [
 *   { cycle: 1, direction: "charge", start_row: 1, end_row: 3 },
 *   { cycle: 1, direction: "discharge", start_row: 4, end_row: 6 },
 * ]);
 * ```
 */
export function halfCycles(series: CyclingSeries, options: CycleOptions = {}): HalfCycle[] {
  checkSeries(series, "halfCycles");
  const { cycles } = segmentCycles(series, options);
  const out: HalfCycle[] = [];
  cycles.forEach((c, k) => {
    for (const h of c.halves) {
      out.push({
        cycle: k + 1,
        direction: h.dir === 1 ? "charge" : "discharge",
        start_row: h.start,
        end_row: h.end,
      });
    }
  });
  return out;
}
