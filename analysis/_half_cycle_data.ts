// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private helpers of dQ/dV and dV/dQ: pick the rows of one half cycle out of a series, turn the
 * instrument's capacity counter into the capacity passed since the start of the half cycle, and
 * make voltage monotonic (isotonic regression) so that capacity is a function of voltage.
 */

import type { CyclingSeries } from "../lib/model/cycling_series.ts";

/** Which way current flows in a half cycle. */
export type HalfCycleDirection = "charge" | "discharge";

/**
 * Rows `[start_row, end_row)` of a series holding one half cycle (a charge or a discharge).
 * `analysis/half_cycles` produces such ranges; any row range works.
 */
export interface HalfCycleRows {
  /** The series the rows belong to. */
  series: CyclingSeries;
  /** First row of the half cycle. */
  start_row: number;
  /** One past the last row of the half cycle. */
  end_row: number;
  /** Direction of the half cycle; detected from the capacity counters when omitted. */
  direction?: HalfCycleDirection;
  /** Cycle number used to label results (plots, tables); `null` when omitted. */
  cycle?: number | null;
}

/** Options of {@link extractHalfCycle}. */
export interface ExtractOptions {
  /** Force the direction instead of detecting it. */
  direction?: HalfCycleDirection;
  /** Rows with |current| at or below this are rests and are dropped; default 0.1 % of the median. */
  rest_current_A?: number;
}

/** The active rows of one half cycle, in row order. */
export interface HalfCycleData {
  direction: HalfCycleDirection;
  cycle: number | null;
  /** Voltage of the kept rows. */
  voltage_V: Float64Array;
  /** Capacity passed since `start_row` at each kept row (non-decreasing, Ah). */
  capacity_Ah: Float64Array;
  /** Row number of each kept row. */
  rows: Int32Array;
  /** Capacity passed over the whole row range, from the direction's counter (Ah). */
  total_capacity_Ah: number;
  /** Number of rows each point stands for (after thinning); 1 each when absent. */
  weight?: Float64Array;
  /** Rows dropped as rests, wrong-sign current or non-finite values. */
  dropped_rows: number;
  /** Rest threshold used, A. */
  rest_current_A: number;
  /** Notes about repairs (never silent). */
  warnings: string[];
}

function describe(rows: HalfCycleRows): string {
  return `rows ${rows.start_row}..${rows.end_row}`;
}

/** Validate a row range and return it with integer bounds. */
export function checkRows(input: HalfCycleRows, what: string): void {
  if (input === null || typeof input !== "object" || typeof input.series !== "object") {
    throw new TypeError(`Cannot compute ${what}: expected {series, start_row, end_row}`);
  }
  const { series, start_row, end_row } = input;
  if (!Number.isInteger(start_row) || !Number.isInteger(end_row)) {
    throw new RangeError(
      `Cannot compute ${what}: start_row and end_row must be integers, got ${start_row} and ${end_row}`,
    );
  }
  if (start_row < 0 || end_row > series.length || end_row - start_row < 2) {
    throw new RangeError(
      `Cannot compute ${what}: ${
        describe(input)
      } must hold at least 2 rows within 0..${series.length}`,
    );
  }
  if (
    input.direction !== undefined && input.direction !== "charge" &&
    input.direction !== "discharge"
  ) {
    throw new RangeError(
      `Cannot compute ${what}: direction must be "charge" or "discharge", got ${
        String(input.direction)
      }`,
    );
  }
}

/**
 * Increments of two non-negative counters over rows [start, end), a drop being a reset to zero;
 * NaN when a counter has no finite value.
 */
function counterTotals(a: Float64Array, b: Float64Array, start: number, end: number): number[] {
  let ta = 0, tb = 0, pa = a[start], pb = b[start];
  let fa = pa === pa, fb = pb === pb;
  for (let k = start + 1; k < end; k++) {
    const ca = a[k], cb = b[k];
    if (ca === ca) {
      if (pa === pa) ta += ca >= pa ? ca - pa : ca;
      pa = ca;
      fa = true;
    }
    if (cb === cb) {
      if (pb === pb) tb += cb >= pb ? cb - pb : cb;
      pb = cb;
      fb = true;
    }
  }
  return [fa ? ta : NaN, fb ? tb : NaN];
}

/**
 * Median |current| of the rows flowing in direction `sign`, from every row when there are at
 * most 16384 and from a fixed stride of rows otherwise (deterministic).
 */
function sampledMedianAbs(current: Float64Array, start: number, end: number, sign: number): number {
  const stride = Math.max(1, Math.floor((end - start) / 16384));
  const sample: number[] = [];
  for (let k = start; k < end; k += stride) {
    if (sign * current[k] > 0) sample.push(Math.abs(current[k]));
  }
  if (sample.length === 0) return 0;
  sample.sort((a, b) => a - b);
  return sample[sample.length >> 1];
}

/**
 * The active rows of a half cycle: rows whose current flows in the half cycle's direction above
 * the rest threshold, with finite voltage and capacity.
 */
export function extractHalfCycle(
  input: HalfCycleRows,
  what: string,
  options: ExtractOptions = {},
): HalfCycleData {
  checkRows(input, what);
  const { series, start_row: start, end_row: end } = input;
  const warnings: string[] = [];
  const [chargeTotal, dischargeTotal] = counterTotals(
    series.charge_capacity_Ah,
    series.discharge_capacity_Ah,
    start,
    end,
  );
  let direction = options.direction ?? input.direction;
  if (direction === undefined) {
    if (!(chargeTotal > 0) && !(dischargeTotal > 0)) {
      throw new RangeError(
        `Cannot compute ${what}: no charge passed in ${describe(input)} (capacity counters ${
          Number.isNaN(chargeTotal + dischargeTotal) ? "missing" : "constant"
        })`,
      );
    }
    direction = chargeTotal >= dischargeTotal ? "charge" : "discharge";
    const major = Math.max(chargeTotal, dischargeTotal);
    const minor = Math.min(chargeTotal, dischargeTotal);
    if (minor > 0.05 * major) {
      throw new RangeError(
        `Cannot compute ${what}: ${describe(input)} holds both charge (${
          chargeTotal.toPrecision(4)
        } Ah) and discharge (${
          dischargeTotal.toPrecision(4)
        } Ah); pass the rows of one half cycle or set direction`,
      );
    }
  }
  const sign = direction === "charge" ? 1 : -1;
  const counter = direction === "charge" ? series.charge_capacity_Ah : series.discharge_capacity_Ah;
  const total = direction === "charge" ? chargeTotal : dischargeTotal;
  if (!(total > 0)) {
    throw new RangeError(
      `Cannot compute ${what}: no ${direction} capacity passed in ${describe(input)}`,
    );
  }
  const current = series.current_A;
  const voltage = series.voltage_V;
  const n = end - start;

  // Rest threshold: 0.1 % of the median |current| of the rows flowing in this direction.
  let restCurrent = options.rest_current_A;
  let haveCurrent = false;
  for (let k = start; k < end; k++) {
    if (Number.isFinite(current[k])) {
      haveCurrent = true;
      break;
    }
  }
  if (restCurrent === undefined) {
    if (haveCurrent) {
      restCurrent = 0.001 * sampledMedianAbs(current, start, end, sign);
    } else {
      restCurrent = 0;
    }
  } else if (!(restCurrent >= 0)) {
    throw new RangeError(`Cannot compute ${what}: rest_current_A must be ≥ 0, got ${restCurrent}`);
  }
  if (!haveCurrent) {
    warnings.push(
      "no current column: rows kept where the capacity counter increases (rests not detectable)",
    );
  }

  const v = new Float64Array(n);
  const q = new Float64Array(n);
  const rows = new Int32Array(n);
  let kept = 0;
  let passed = 0;
  let prev = counter[start];
  // `x - x === 0` is a fast finiteness test (NaN and ±Infinity give NaN).
  for (let k = start; k < end; k++) {
    const c = counter[k];
    let increased = k === start;
    if (k > start && c - c === 0) {
      if (prev - prev === 0) {
        const inc = c >= prev ? c - prev : c;
        passed += inc;
        increased = inc > 0;
      }
      prev = c;
    }
    const vk = voltage[k];
    if (
      (haveCurrent ? sign * current[k] > restCurrent : increased) && vk - vk === 0 && c - c === 0
    ) {
      v[kept] = vk;
      q[kept] = passed;
      rows[kept] = k;
      kept++;
    }
  }
  if (kept < 2) {
    throw new RangeError(
      `Cannot compute ${what}: ${describe(input)} has ${kept} ${direction} row(s) with finite ` +
        `voltage above the rest current ${restCurrent.toPrecision(3)} A; need at least 2`,
    );
  }
  return {
    direction,
    cycle: input.cycle ?? null,
    voltage_V: v.subarray(0, kept),
    capacity_Ah: q.subarray(0, kept),
    rows: rows.subarray(0, kept),
    total_capacity_Ah: total,
    dropped_rows: n - kept,
    rest_current_A: restCurrent,
    warnings,
  };
}

/** Blocks of an isotonic (monotone) fit of voltage against row order. */
export interface IsotonicBlocks {
  /** Number of blocks. */
  count: number;
  /** Fitted voltage of each block, strictly increasing (charge) or decreasing (discharge). */
  level_V: Float64Array;
  /** Mean capacity of the rows of each block. */
  mean_Ah: Float64Array;
  /** Capacity at the first row of each block. */
  first_Ah: Float64Array;
  /** Capacity at the last row of each block. */
  last_Ah: Float64Array;
  /** Number of rows in each block. */
  weight: Float64Array;
}

/**
 * Pool-adjacent-violators isotonic regression of voltage in row order: the closest (least
 * squares) non-decreasing (charge) or non-increasing (discharge) sequence. Equal fitted values are
 * pooled into one block, so quantized voltage with long flat runs gives one block per level, and
 * voltage reversals (relaxation after a current step, noise) are averaged out.
 */
export function isotonicBlocks(data: HalfCycleData): IsotonicBlocks {
  const n = data.voltage_V.length;
  const s = data.direction === "charge" ? 1 : -1;
  const sumV = new Float64Array(n);
  const sumQ = new Float64Array(n);
  const first = new Float64Array(n);
  const last = new Float64Array(n);
  const w = new Float64Array(n);
  const v = data.voltage_V, q = data.capacity_Ah, weight = data.weight;
  let top = -1;
  for (let k = 0; k < n; k++) {
    top++;
    const wk = weight ? weight[k] : 1;
    sumV[top] = s * v[k] * wk;
    sumQ[top] = q[k] * wk;
    first[top] = q[k];
    last[top] = q[k];
    w[top] = wk;
    // Pool while the previous block's mean is >= this block's mean (>= also merges ties; the
    // 1e-12 V slack keeps rounding of sums of equal quantized values from splitting a level).
    while (top > 0 && sumV[top - 1] / w[top - 1] >= sumV[top] / w[top] - 1e-12) {
      sumV[top - 1] += sumV[top];
      sumQ[top - 1] += sumQ[top];
      last[top - 1] = last[top];
      w[top - 1] += w[top];
      top--;
    }
  }
  const count = top + 1;
  const level = new Float64Array(count);
  const mean = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    level[b] = (s * sumV[b]) / w[b];
    mean[b] = sumQ[b] / w[b];
  }
  return {
    count,
    level_V: level,
    mean_Ah: mean,
    first_Ah: first.slice(0, count),
    last_Ah: last.slice(0, count),
    weight: w.slice(0, count),
  };
}

/** Knots of capacity against voltage (ascending voltage) for dQ/dV. */
export interface CapacityKnots {
  /** Voltage of each knot, strictly increasing. */
  voltage_V: Float64Array;
  /** Capacity passed at each knot (increasing for charge, decreasing for discharge). */
  capacity_Ah: Float64Array;
  /** Number of rows behind each knot. */
  weight: Float64Array;
  /** Capacity passed at the first and last voltage level that the curve leaves out. */
  terminal_capacity_Ah: number;
}

/**
 * One knot per isotonic level at the level's mean capacity, except at the two ends: the levels
 * within `tolerance` volts of the first (last) level in row order form the start (terminal) group,
 * a hold at constant voltage with its control noise. With `exclude` the start group's knot takes
 * the capacity at which the voltage leaves it and the terminal group's knot the capacity at which
 * the voltage reaches it, so the capacity passed inside them is left out; with `include` they take
 * 0 and the whole capacity.
 */
export function capacityKnots(
  data: HalfCycleData,
  blocks: IsotonicBlocks,
  terminal: "exclude" | "include",
  tolerance: number,
): CapacityKnots {
  const k = blocks.count;
  const level = blocks.level_V;
  let a = 0;
  while (a + 1 < k && Math.abs(level[a + 1] - level[0]) <= tolerance) a++;
  let z = k - 1;
  while (z - 1 > a && Math.abs(level[z - 1] - level[k - 1]) <= tolerance) z--;
  if (z <= a) {
    throw new RangeError(
      `the voltage stays within ${tolerance} V (terminal_tolerance_V) of its first level`,
    );
  }
  const total = data.total_capacity_Ah;
  const startQ = terminal === "include" ? 0 : blocks.last_Ah[a];
  const endQ = terminal === "include" ? total : blocks.first_Ah[z];
  const count = z - a + 1;
  const v = new Float64Array(count), q = new Float64Array(count), w = new Float64Array(count);
  const asc = data.direction === "charge";
  for (let b = a; b <= z; b++) {
    const idx = asc ? b - a : z - b;
    v[idx] = b === a ? level[0] : b === z ? level[k - 1] : level[b];
    q[idx] = b === a ? startQ : b === z ? endQ : blocks.mean_Ah[b];
    let weight = blocks.weight[b];
    if (b === a) { for (let c = 0; c < a; c++) weight += blocks.weight[c]; }
    if (b === z) { for (let c = z + 1; c < k; c++) weight += blocks.weight[c]; }
    w[idx] = weight;
  }
  return {
    voltage_V: v,
    capacity_Ah: q,
    weight: w,
    terminal_capacity_Ah: total - (endQ - startQ),
  };
}

/**
 * Average voltage over a window of capacity: a moving mean of width `width_Ah` centred on each
 * row, applied twice (a triangular kernel of base 2·width). Voltage is the noisy quantity and
 * capacity the exact one, so averaging along capacity removes noise and quantization steps where
 * rows are dense (plateaus, exactly where dQ/dV peaks) while hardly blurring in voltage there:
 * over a plateau of dQ/dV = 5 Ah/V, 2 mAh is 0.4 mV. Where rows are sparser than the window it
 * changes nothing.
 *
 * The smoothed curve holds no detail finer than the window, so only rows at least a quarter of
 * the window apart in capacity are kept (with the number of rows each stands for as its weight):
 * a million dense rows become a few thousand. Cost O(rows). Overwrites `data.voltage_V`.
 */
export function presmoothVoltage(data: HalfCycleData, width_Ah: number): HalfCycleData {
  const n = data.voltage_V.length;
  if (!(width_Ah > 0) || n < 3) return data;
  const q = data.capacity_Ah, v = data.voltage_V;
  const half = width_Ah / 2;
  const refV = v[0], q0 = q[0], qn = q[n - 1];
  // Rows exactly at the window edge (uniform sampling) are taken on both sides alike.
  const eps = 1e-9 * (qn - q0);
  // Each window gives the point (mean capacity, mean voltage) of its rows, which lies on V(Q)
  // wherever V is locally linear, even when rows are unevenly spaced. Windows shrink
  // symmetrically near the ends (half-width ≤ distance to the end), so a steep start or end is
  // not pulled inward. Prefix sums are offset by the first row for precision.
  const pv = new Float64Array(n + 1), pq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    pv[i + 1] = pv[i] + (v[i] - refV);
    pq[i + 1] = pq[i] + (q[i] - q0);
  }
  // First pass at every row: means written over `v` and into `qm`.
  const qm = new Float64Array(n);
  let lo = 0, hi = 0;
  for (let i = 0; i < n; i++) {
    const qi = q[i];
    const h = Math.min(half, qi - q0, qn - qi) + eps;
    while (hi < n && q[hi] <= qi + h) hi++;
    while (q[lo] < qi - h) lo++;
    const c = hi - lo;
    v[i] = (pv[hi] - pv[lo]) / c;
    qm[i] = (pq[hi] - pq[lo]) / c;
  }
  for (let i = 0; i < n; i++) {
    pv[i + 1] = pv[i] + v[i];
    pq[i + 1] = pq[i] + qm[i];
  }
  // Second pass only at the kept rows.
  const keepGap = width_Ah / 4;
  const size = Math.min(n, Math.ceil((qn - q0) / keepGap) + 2);
  const outV = new Float64Array(size), outQ = new Float64Array(size);
  const outW = new Float64Array(size), outRows = new Int32Array(size);
  let m = 0, last = -Infinity, prevKept = -1;
  lo = 0;
  hi = 0;
  for (let i = 0; i < n; i++) {
    const qi = q[i];
    if (!(qi - last >= keepGap) && i !== n - 1) continue;
    const h = Math.min(half, qi - q0, qn - qi) + eps;
    while (hi < n && q[hi] <= qi + h) hi++;
    while (q[lo] < qi - h) lo++;
    const c = hi - lo;
    outV[m] = refV + (pv[hi] - pv[lo]) / c;
    outQ[m] = q0 + (pq[hi] - pq[lo]) / c;
    outW[m] = i - prevKept;
    outRows[m] = data.rows[i];
    m++;
    last = qi;
    prevKept = i;
  }
  return {
    ...data,
    voltage_V: outV.subarray(0, m),
    capacity_Ah: outQ.subarray(0, m),
    rows: outRows.subarray(0, m),
    weight: outW.subarray(0, m),
  };
}
