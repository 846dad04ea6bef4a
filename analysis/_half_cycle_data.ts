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

/**
 * What a first pass over a half cycle's rows learns without copying them: the direction, the
 * rest threshold, how many rows are kept and the capacity at the first and last kept row. The
 * kept rows themselves are read on demand with {@link KeptRows}.
 */
export interface HalfCycleScan {
  direction: HalfCycleDirection;
  cycle: number | null;
  /** Capacity passed over the whole row range, from the direction's counter (Ah). */
  total_capacity_Ah: number;
  /** Rows kept (current in the direction above the rest threshold, finite voltage and counter). */
  kept_rows: number;
  /** Rows dropped as rests, wrong-sign current or non-finite values. */
  dropped_rows: number;
  /** Rest threshold used, A. */
  rest_current_A: number;
  /** Notes about repairs (never silent). */
  warnings: string[];
  /** Voltage of the first kept row. */
  first_V: number;
  /** Capacity passed at the first and the last kept row, Ah. */
  first_Ah: number;
  last_Ah: number;
  /** The rows and how they are filtered (read by {@link KeptRows}). */
  series: CyclingSeries;
  start_row: number;
  end_row: number;
  /** Whether the series has any finite current in the range (else rows kept where Q rises). */
  have_current: boolean;
}

/** The active rows of one half cycle, in row order. */
export interface HalfCycleData extends HalfCycleScan {
  /** Voltage of the kept rows. */
  voltage_V: Float64Array;
  /** Capacity passed since `start_row` at each kept row (non-decreasing, Ah). */
  capacity_Ah: Float64Array;
  /** Row number of each kept row. */
  rows: Int32Array;
}

/**
 * Rows handled per call by the streaming passes. Their loops live in small functions called once
 * per chunk, so V8 optimizes them as whole functions: a single call running over a million rows
 * only ever runs in on-stack-replacement code, several times slower here, which deoptimizes on
 * leaving the loop. The first call of each is short ({@link FIRST_CHUNK}) so that every
 * operation has type feedback by the time V8 optimizes it.
 */
const CHUNK = 4096;
const FIRST_CHUNK = 16;
const NO_ROWS = new Float64Array(0);

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
  // [total a, total b, previous finite a, previous finite b, a seen finite, b seen finite]
  const state = Float64Array.of(0, 0, a[start], b[start], 0, 0);
  state[4] = state[2] === state[2] ? 1 : 0;
  state[5] = state[3] === state[3] ? 1 : 0;
  for (let k = start + 1, size = FIRST_CHUNK; k < end; k += size, size = CHUNK) {
    addCounterIncrements(a, b, state, k, Math.min(end, k + size));
  }
  return [state[4] ? state[0] : NaN, state[5] ? state[1] : NaN];
}

/** One chunk of {@link counterTotals}: rows [from, to). */
function addCounterIncrements(
  a: Float64Array,
  b: Float64Array,
  state: Float64Array,
  from: number,
  to: number,
): void {
  let ta = state[0], tb = state[1], pa = state[2], pb = state[3], fa = state[4], fb = state[5];
  for (let k = from; k < to; k++) {
    const ca = a[k], cb = b[k];
    if (ca === ca) {
      if (pa === pa) ta += ca >= pa ? ca - pa : ca;
      pa = ca;
      fa = 1;
    }
    if (cb === cb) {
      if (pb === pb) tb += cb >= pb ? cb - pb : cb;
      pb = cb;
      fb = 1;
    }
  }
  state[0] = ta;
  state[1] = tb;
  state[2] = pa;
  state[3] = pb;
  state[4] = fa;
  state[5] = fb;
}

/**
 * Median |current| of the rows flowing in direction `sign`, from every row when there are at
 * most 16384 and from a fixed stride of rows otherwise (deterministic).
 */
function sampledMedianAbs(current: Float64Array, start: number, end: number, sign: number): number {
  const stride = Math.max(1, Math.floor((end - start) / 16384));
  const sample = new Float64Array(Math.ceil((end - start) / stride));
  const m = sampleAbs(current, start, end, stride, sign, sample);
  if (m === 0) return 0;
  // A typed array sorts numerically (the values are positive and finite).
  const sorted = sample.subarray(0, m).sort();
  return sorted[m >> 1];
}

/**
 * |current| of every `stride`-th row flowing in direction `sign`, into `out`; returns how many.
 * (Its own function: V8 compiles this loop on the stack while it runs, and nothing after the
 * loop may then lack type feedback, or the compiled code is dropped at every call.)
 */
function sampleAbs(
  current: Float64Array,
  start: number,
  end: number,
  stride: number,
  sign: number,
  out: Float64Array,
): number {
  let m = 0;
  for (let k = start; k < end; k += stride) {
    if (sign * current[k] > 0) out[m++] = Math.abs(current[k]);
  }
  return m;
}

/**
 * Scan a half cycle: direction, rest threshold and the number of active rows (current flowing
 * in the half cycle's direction above the rest threshold, finite voltage and capacity), without
 * copying any row. Read the rows with {@link KeptRows}.
 */
export function scanHalfCycle(
  input: HalfCycleRows,
  what: string,
  options: ExtractOptions = {},
): HalfCycleScan {
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
  const total = direction === "charge" ? chargeTotal : dischargeTotal;
  if (!(total > 0)) {
    throw new RangeError(
      `Cannot compute ${what}: no ${direction} capacity passed in ${describe(input)}`,
    );
  }
  const current = series.current_A;

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
  const scan: HalfCycleScan = {
    direction,
    cycle: input.cycle ?? null,
    total_capacity_Ah: total,
    kept_rows: 0,
    dropped_rows: 0,
    rest_current_A: restCurrent,
    warnings,
    first_V: NaN,
    first_Ah: NaN,
    last_Ah: NaN,
    series,
    start_row: start,
    end_row: end,
    have_current: haveCurrent,
  };
  const walk = new KeptRows(scan);
  const chunk = Math.min(CHUNK, end - start);
  const cv = new Float64Array(chunk), cq = new Float64Array(chunk);
  let kept = walk.read(cv.subarray(0, FIRST_CHUNK), cq.subarray(0, FIRST_CHUNK), null);
  const first_V = cv[0], first_Ah = cq[0];
  let last_Ah = cq[kept - 1];
  for (let got; (got = walk.read(cv, cq, null)) > 0; kept += got) last_Ah = cq[got - 1];
  if (kept < 2) {
    throw new RangeError(
      `Cannot compute ${what}: ${describe(input)} has ${kept} ${direction} row(s) with finite ` +
        `voltage above the rest current ${restCurrent.toPrecision(3)} A; need at least 2`,
    );
  }
  scan.kept_rows = kept;
  scan.dropped_rows = end - start - kept;
  scan.first_V = first_V;
  scan.first_Ah = first_Ah;
  scan.last_Ah = last_Ah;
  return scan;
}

/**
 * Reads the kept rows of a scanned half cycle in row order, a chunk at a time, without copying
 * the whole range: {@link KeptRows.read} continues where the previous call stopped. The capacity
 * passed is summed in the same order on every walk, so every walk gives the same numbers.
 */
export class KeptRows {
  // Every field has an initializer of its type: a field only declared starts as `undefined`
  // (class fields have define semantics), and V8 then checks and unboxes it on every use in the
  // loop, which halves its speed.
  private k = 0;
  private passed = 0;
  private prev = NaN;
  private readonly start: number = 0;
  private readonly end: number = 0;
  private readonly sign: number = 1;
  private readonly rest: number = 0.5;
  private readonly haveCurrent: boolean = false;
  private readonly counter: Float64Array = NO_ROWS;
  private readonly voltage: Float64Array = NO_ROWS;
  private readonly current: Float64Array = NO_ROWS;

  constructor(scan: HalfCycleScan) {
    const series = scan.series;
    this.start = scan.start_row;
    this.end = scan.end_row;
    this.k = this.start;
    this.sign = scan.direction === "charge" ? 1 : -1;
    this.rest = scan.rest_current_A;
    this.haveCurrent = scan.have_current;
    this.counter = scan.direction === "charge"
      ? series.charge_capacity_Ah
      : series.discharge_capacity_Ah;
    this.voltage = series.voltage_V;
    this.current = series.current_A;
    this.prev = this.counter[this.start];
  }

  /**
   * Write the voltage and the capacity passed since `start_row` (non-decreasing) of the next kept
   * rows into `v` and `q`, and their row numbers into `rows` unless null, up to `v.length` rows.
   * Returns how many were written (0 at the end).
   */
  read(v: Float64Array, q: Float64Array, rows: Int32Array | null): number {
    const { counter, voltage, current, start, end, sign, rest, haveCurrent } = this;
    const max = v.length;
    let passed = this.passed, prev = this.prev, m = 0, k = this.k;
    // `x - x === 0` is a fast finiteness test (NaN and ±Infinity give NaN).
    for (; k < end && m < max; k++) {
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
      if ((haveCurrent ? sign * current[k] > rest : increased) && vk - vk === 0 && c - c === 0) {
        v[m] = vk;
        q[m] = passed;
        if (rows !== null) rows[m] = k;
        m++;
      }
    }
    this.k = k;
    this.passed = passed;
    this.prev = prev;
    return m;
  }
}

/**
 * The active rows of a half cycle: rows whose current flows in the half cycle's direction above
 * the rest threshold, with finite voltage and capacity, copied into arrays.
 */
export function extractHalfCycle(
  input: HalfCycleRows,
  what: string,
  options: ExtractOptions = {},
): HalfCycleData {
  const scan = scanHalfCycle(input, what, options);
  const n = scan.kept_rows;
  const v = new Float64Array(n);
  const q = new Float64Array(n);
  const rows = new Int32Array(n);
  const walk = new KeptRows(scan);
  for (let i = 0; i < n; i += CHUNK) {
    walk.read(v.subarray(i, i + CHUNK), q.subarray(i, i + CHUNK), rows.subarray(i, i + CHUNK));
  }
  return { ...scan, voltage_V: v, capacity_Ah: q, rows };
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
 * voltage reversals (relaxation after a current step, noise) are averaged out. Points are added a
 * chunk at a time; the block stack grows as needed (it is as long as the number of blocks, which
 * is far below the number of rows for quantized voltage).
 */
class IsotonicStack {
  // Fields have initializers of their type (see KeptRows).
  private readonly s: number = 1;
  private top = -1;
  private sumV: Float64Array = NO_ROWS;
  private sumQ: Float64Array = NO_ROWS;
  private first: Float64Array = NO_ROWS;
  private last: Float64Array = NO_ROWS;
  private w: Float64Array = NO_ROWS;
  /** sumV / w of each block below the top (computed once when the block stops changing). */
  private mean: Float64Array = NO_ROWS;

  constructor(direction: HalfCycleDirection, capacity: number) {
    this.s = direction === "charge" ? 1 : -1;
    const size = Math.max(16, capacity);
    this.sumV = new Float64Array(size);
    this.sumQ = new Float64Array(size);
    this.first = new Float64Array(size);
    this.last = new Float64Array(size);
    this.w = new Float64Array(size);
    this.mean = new Float64Array(size);
  }

  private grow(): void {
    const size = 2 * this.w.length;
    const bigger = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.sumV = bigger(this.sumV);
    this.sumQ = bigger(this.sumQ);
    this.first = bigger(this.first);
    this.last = bigger(this.last);
    this.w = bigger(this.w);
    this.mean = bigger(this.mean);
  }

  /**
   * Add the next `count` points: voltage `v[k]`, capacity `q[k]`, standing for `weight[k]` rows
   * (1 each when `weight` is null).
   */
  add(v: Float64Array, q: Float64Array, weight: Float64Array | null, count: number): void {
    const s = this.s;
    let { sumV, sumQ, first, last, w, mean } = this;
    let top = this.top;
    for (let k = 0; k < count; k++) {
      top++;
      if (top === w.length) {
        this.grow();
        ({ sumV, sumQ, first, last, w, mean } = this);
      }
      const wk = weight === null ? 1 : weight[k], qk = q[k];
      // The top block's sums stay in registers while it pools with the blocks below it.
      let tv = s * v[k] * wk, tq = qk * wk, tw = wk;
      first[top] = qk;
      let m = tv / tw;
      // Pool while the previous block's mean is >= this block's mean (>= also merges ties; the
      // 1e-12 V slack keeps rounding of sums of equal quantized values from splitting a level).
      while (top > 0 && mean[top - 1] >= m - 1e-12) {
        top--;
        tv = sumV[top] + tv;
        tq = sumQ[top] + tq;
        tw = w[top] + tw;
        m = tv / tw;
      }
      sumV[top] = tv;
      sumQ[top] = tq;
      w[top] = tw;
      last[top] = qk;
      mean[top] = m;
    }
    this.top = top;
  }

  /** The blocks so far. */
  blocks(): IsotonicBlocks {
    const { s, sumV, sumQ, w } = this;
    const count = this.top + 1;
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
      first_Ah: this.first.slice(0, count),
      last_Ah: this.last.slice(0, count),
      weight: w.slice(0, count),
    };
  }
}

/** Points standing for the rows of a half cycle, each with the number of rows behind it. */
export interface WeightedPoints {
  direction: HalfCycleDirection;
  voltage_V: Float64Array;
  capacity_Ah: Float64Array;
  /** Number of rows each point stands for; 1 each when absent. */
  weight?: Float64Array;
}

/** Isotonic regression (see {@link IsotonicStack}) of points in order. */
export function isotonicBlocks(data: WeightedPoints): IsotonicBlocks {
  const n = data.voltage_V.length;
  const v = data.voltage_V, q = data.capacity_Ah, weight = data.weight;
  const stack = new IsotonicStack(data.direction, n);
  stack.add(v, q, weight ?? null, n);
  return stack.blocks();
}

/**
 * The isotonic blocks of a scanned half cycle: of the presmoothed, thinned points when
 * `presmooth_Ah` > 0 (see {@link presmoothVoltage}), else of the kept rows themselves, read in
 * place.
 */
export function halfCycleBlocks(scan: HalfCycleScan, presmooth_Ah: number): IsotonicBlocks {
  const points = presmoothVoltage(scan, presmooth_Ah);
  if (points) return isotonicBlocks(points);
  const n = scan.kept_rows;
  const stack = new IsotonicStack(scan.direction, Math.min(1024, n));
  const walk = new KeptRows(scan);
  const cv = new Float64Array(Math.min(CHUNK, n)), cq = new Float64Array(Math.min(CHUNK, n));
  let got = walk.read(cv.subarray(0, FIRST_CHUNK), cq.subarray(0, FIRST_CHUNK), null);
  for (; got > 0; got = walk.read(cv, cq, null)) stack.add(cv, cq, null, got);
  return stack.blocks();
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
  data: { direction: HalfCycleDirection; total_capacity_Ah: number },
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
 * a million dense rows become a few thousand. Cost O(rows), memory O(rows in a window): the kept
 * rows are read in place and the running sums live in ring buffers. Returns `null` (nothing to
 * do) when `width_Ah` is 0 or there are fewer than 3 rows.
 */
export function presmoothVoltage(scan: HalfCycleScan, width_Ah: number): WeightedPoints | null {
  if (!(width_Ah > 0) || scan.kept_rows < 3) return null;
  const smoother = new Presmoother(scan, width_Ah);
  for (let size = FIRST_CHUNK; !smoother.step(size); size = CHUNK);
  return smoother.points();
}

/**
 * The two moving means of {@link presmoothVoltage}, streaming. With q, v the kept rows (index j),
 * the first pass at row i is the mean of rows [lo, hi) of the window centred on q[i] with
 * half-width h = min(width/2, q[i] − q[0], q[n−1] − q[i]) + ε, both ends moving only forward
 * (windows shrink symmetrically near the ends, so a steep start or end is not pulled inward).
 * Each window gives the point (mean capacity, mean voltage) of its rows, which lies on V(Q)
 * wherever V is locally linear, even when rows are unevenly spaced. Means come from prefix sums
 * P[j] = Σ_{k<j} (v[k] − v[0]) (likewise q, offset by the first row for precision) as
 * (P[hi] − P[lo]) / (hi − lo). The second pass does the same over the first pass's means, at the
 * thinned rows only.
 *
 * Rows are read a chunk at a time into ring buffers (size a power of two, doubled when the
 * entries still needed outgrow it); the first pass runs as far as its windows are complete (a row
 * beyond the window has been read, or the last row), then the second. Only the rows between the
 * lowest window start and the newest row are held, and the arithmetic is that of whole-array
 * prefix sums, operation for operation.
 */
class Presmoother {
  // Fields have initializers of their type (see KeptRows).
  private readonly direction: HalfCycleDirection = "charge";
  private readonly walk: KeptRows;
  private readonly n: number = 0;
  private readonly half: number = 0.5;
  private readonly keepGap: number = 0.5;
  private readonly eps: number = 0.5;
  private readonly refV: number = 0.5;
  private readonly q0: number = 0.5;
  private readonly qn: number = 0.5;
  /** Chunk of rows just read. */
  private readonly cv: Float64Array = NO_ROWS;
  private readonly cq: Float64Array = NO_ROWS;
  /** Rows: q[j] and the prefix sums P[j] of v − v[0] and q − q[0], at slot j & mask. */
  private rq: Float64Array = NO_ROWS;
  private rpv: Float64Array = NO_ROWS;
  private rpq: Float64Array = NO_ROWS;
  /** First pass: prefix sums of its means (voltage offset by v[0], capacity), slot j & fmask. */
  private fpv: Float64Array = NO_ROWS;
  private fpq: Float64Array = NO_ROWS;
  /** Rows read: q[0..nR) and P[0..nR] are known. */
  private nR = 0;
  /** First-pass means known, and the window of the last one. */
  private nF = 0;
  private flo = 0;
  private fhi = 0;
  /** Next row of the second pass, and the window of the last thinned row. */
  private iS = 0;
  private slo = 0;
  private shi = 0;
  /** Thinned points: voltage, capacity, rows each stands for; count, capacity of the last. */
  private readonly outV: Float64Array = NO_ROWS;
  private readonly outQ: Float64Array = NO_ROWS;
  private readonly outW: Float64Array = NO_ROWS;
  private m = 0;
  private last = -Infinity;
  private prevKept = -1;

  constructor(scan: HalfCycleScan, width_Ah: number) {
    this.direction = scan.direction;
    this.walk = new KeptRows(scan);
    this.n = scan.kept_rows;
    this.half = width_Ah / 2;
    this.keepGap = width_Ah / 4;
    this.refV = scan.first_V;
    this.q0 = scan.first_Ah;
    this.qn = scan.last_Ah;
    // Rows exactly at the window edge (uniform sampling) are taken on both sides alike.
    this.eps = 1e-9 * (this.qn - this.q0);
    // Buffers no longer than the rows need: rings of 8192 grow when a window holds more rows.
    this.cv = new Float64Array(Math.min(CHUNK, this.n));
    this.cq = new Float64Array(Math.min(CHUNK, this.n));
    let ring = 1 << 13;
    while (ring >= 2 * (this.n + 2)) ring >>= 1;
    this.rq = new Float64Array(ring);
    this.rpv = new Float64Array(ring);
    this.rpq = new Float64Array(ring);
    this.fpv = new Float64Array(ring);
    this.fpq = new Float64Array(ring);
    const size = Math.min(this.n, Math.ceil((this.qn - this.q0) / this.keepGap) + 2);
    this.outV = new Float64Array(size);
    this.outQ = new Float64Array(size);
    this.outW = new Float64Array(size);
  }

  /** Read up to `size` more rows and run both passes as far as they can go; true when done. */
  step(size: number): boolean {
    const { n, half, keepGap, eps, refV, q0, qn, cv, cq, outV, outQ, outW } = this;
    let { nR, nF, flo, fhi, iS, slo, shi, m, last, prevKept } = this;
    let { rq, rpv, rpq, fpv, fpq } = this;
    let mask = rq.length - 1, fmask = fpv.length - 1;
    if (nR < n) {
      size = Math.min(size, cv.length, n - nR);
      const oldest = Math.min(flo, slo);
      if (nR + size + 1 - oldest > mask) {
        let ring = 2 * (mask + 1);
        while (nR + size + 1 - oldest >= ring) ring *= 2;
        this.rq = rq = reRing(rq, ring, oldest, nR - 1);
        this.rpv = rpv = reRing(rpv, ring, oldest, nR);
        this.rpq = rpq = reRing(rpq, ring, oldest, nR);
        mask = ring - 1;
      }
      const got = this.walk.read(cv.subarray(0, size), cq.subarray(0, size), null);
      // The running sums stay in registers (the same values as read back from the ring).
      let pv = rpv[nR & mask], pq = rpq[nR & mask];
      for (let c = 0; c < got; c++) {
        const j = nR + c, t = (j + 1) & mask, qc = cq[c];
        rq[j & mask] = qc;
        pv += cv[c] - refV;
        pq += qc - q0;
        rpv[t] = pv;
        rpq[t] = pq;
      }
      nR += got;
    }
    if (nR + 1 - slo > fmask) {
      let ring = 2 * (fmask + 1);
      while (nR + 1 - slo >= ring) ring *= 2;
      this.fpv = fpv = reRing(fpv, ring, slo, nF);
      this.fpq = fpq = reRing(fpq, ring, slo, nF);
      fmask = ring - 1;
    }
    // First pass, while the window end is known.
    let fv = fpv[nF & fmask], fq = fpq[nF & fmask];
    while (nF < nR) {
      const qi = rq[nF & mask];
      const h = Math.min(half, qi - q0, qn - qi) + eps;
      const up = qi + h, down = qi - h;
      while (fhi < nR && rq[fhi & mask] <= up) fhi++;
      if (fhi === nR && nR < n) break;
      while (rq[flo & mask] < down) flo++;
      const c = fhi - flo, b = (nF + 1) & fmask;
      fv += (rpv[fhi & mask] - rpv[flo & mask]) / c;
      fq += (rpq[fhi & mask] - rpq[flo & mask]) / c;
      fpv[b] = fv;
      fpq[b] = fq;
      nF++;
    }
    // Second pass at the rows at least keepGap apart, while its window end is known.
    while (iS < nF) {
      const qi = rq[iS & mask];
      if (!(qi - last >= keepGap) && iS !== n - 1) {
        iS++;
        continue;
      }
      const h = Math.min(half, qi - q0, qn - qi) + eps;
      const up = qi + h, down = qi - h;
      while (shi < nF && rq[shi & mask] <= up) shi++;
      if (shi === nF && nF < n) break;
      while (rq[slo & mask] < down) slo++;
      const c = shi - slo, a = slo & fmask, b = shi & fmask;
      outV[m] = refV + (fpv[b] - fpv[a]) / c;
      outQ[m] = q0 + (fpq[b] - fpq[a]) / c;
      outW[m] = iS - prevKept;
      m++;
      last = qi;
      prevKept = iS;
      iS++;
    }
    this.nR = nR;
    this.nF = nF;
    this.flo = flo;
    this.fhi = fhi;
    this.iS = iS;
    this.slo = slo;
    this.shi = shi;
    this.m = m;
    this.last = last;
    this.prevKept = prevKept;
    return iS === n;
  }

  /** The thinned points (after the last {@link Presmoother.step}). */
  points(): WeightedPoints {
    return {
      direction: this.direction,
      voltage_V: this.outV.subarray(0, this.m),
      capacity_Ah: this.outQ.subarray(0, this.m),
      weight: this.outW.subarray(0, this.m),
    };
  }
}

/** Copy ring entries `from..to` (inclusive, by absolute index) into a ring of another size. */
function reRing(
  old: Float64Array,
  size: number,
  from: number,
  to: number,
): Float64Array<ArrayBuffer> {
  const out = new Float64Array(size);
  const oldMask = old.length - 1, mask = size - 1;
  for (let j = from; j <= to; j++) out[j & mask] = old[j & oldMask];
  return out;
}
