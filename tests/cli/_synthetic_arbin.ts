// Copyright 2026 the battery-analysis authors. MIT license.
// Synthetic Arbin-style CSV exports with a known capacity per cycle and a known voltage profile.

/** Options of {@link syntheticArbinCsv}. */
export interface SyntheticOptions {
  /** Number of complete cycles. */
  cycles: number;
  /** Discharge capacity of cycle n (1-based), Ah. */
  discharge_Ah: (n: number) => number;
  /** Coulombic efficiency (charge = discharge / CE). @default {0.999} */
  ce?: number;
  /** Rows per half cycle. @default {81} */
  rowsPerHalf?: number;
  /**
   * After the complete cycles, write the charge and this fraction of the discharge of one more
   * cycle and end the file there (current still flowing): a test stopped mid-discharge.
   */
  truncatedFraction?: number;
}

/** Centre of the charge plateau (the dQ/dV peak of every charge), V. */
export const CHARGE_PEAK_V = 3.4;
/** Centre of the discharge plateau (the dQ/dV peak of every discharge), V. */
export const DISCHARGE_PEAK_V = 3.35;
const WIDTH_V = 0.02;
const V_LOW = 3.2, V_HIGH = 3.6;

/** Fraction of the half-cycle capacity passed at voltage v for a plateau at centre c. */
function logisticFraction(v: number, c: number): number {
  const l = (x: number) => 1 / (1 + Math.exp(-(x - c) / WIDTH_V));
  return (l(v) - l(V_LOW)) / (l(V_HIGH) - l(V_LOW));
}

/**
 * An Arbin CSV (the columns of the Zn fixture) of constant-current cycles at 1 A: each half
 * sweeps the voltage uniformly between 3.2 and 3.6 V while the capacity follows a logistic
 * plateau, Q(V) ∝ 1 / (1 + exp(−(V − c)/0.02 V)), with c = 3.40 V on charge and 3.35 V on
 * discharge, so dQ/dV peaks exactly at c. Each half ends with one rest row; the capacity and
 * energy counters accumulate over the whole test; Cycle Index is the cycle number.
 */
export function syntheticArbinCsv(options: SyntheticOptions): string {
  const ce = options.ce ?? 0.999;
  const m = options.rowsPerHalf ?? 81;
  const lines = [
    "Date_Time,Test Time (s),Step Time (s),Cycle Index,Step Index,Voltage (V),Current (A)," +
    "Charge Capacity (Ah),Discharge Capacity (Ah),Charge Energy (Wh),Discharge Energy (Wh)," +
    "ACR (Ohm),Internal Resistance (Ohm),dV/dt (V/s)",
  ];
  const t0 = Date.UTC(2024, 0, 15, 8, 0, 0);
  let t = 0, qc = 0, qd = 0, ec = 0, ed = 0;
  const row = (cycle: number, step: number, stepTime: number, v: number, i: number) => {
    const d = new Date(t0 + t * 1000);
    const p = (x: number, w = 2) => String(x).padStart(w, "0");
    const stamp = `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ` +
      `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.000`;
    lines.push(
      [
        stamp,
        t.toFixed(6),
        stepTime.toFixed(6),
        cycle,
        step,
        v.toFixed(6),
        i.toFixed(5),
        qc.toFixed(12),
        qd.toFixed(12),
        ec.toFixed(12),
        ed.toFixed(12),
        0,
        0,
        0,
      ].join(","),
    );
  };
  // One half: voltage sweeps uniformly, the counter of its direction follows the plateau.
  const half = (cycle: number, dir: 1 | -1, capacity: number, fraction = 1) => {
    const step = dir > 0 ? 1 : 3;
    const centre = dir > 0 ? CHARGE_PEAK_V : DISCHARGE_PEAK_V;
    t += 0.001; // the first row of the half follows the rest row
    const start = t;
    let prevQ = 0, prevV = dir > 0 ? V_LOW : V_HIGH;
    const rows = fraction < 1 ? Math.round(m * fraction) : m;
    for (let k = 0; k < rows; k++) {
      const v = dir > 0 ? V_LOW + (V_HIGH - V_LOW) * k / (m - 1) : V_HIGH - (V_HIGH - V_LOW) * k /
          (m - 1);
      const f = dir > 0 ? logisticFraction(v, centre) : 1 - logisticFraction(v, centre);
      const q = capacity * f;
      const dq = q - prevQ;
      t += dq * 3600; // 1 A: 1 Ah takes 3600 s
      if (dir > 0) {
        qc += dq;
        ec += dq * (v + prevV) / 2;
      } else {
        qd += dq;
        ed += dq * (v + prevV) / 2;
      }
      prevQ = q;
      prevV = v;
      row(cycle, step, t - start, v, dir);
    }
    if (fraction < 1) return;
    t += 60;
    row(cycle, step + 1, 60, prevV, 0);
  };
  for (let n = 1; n <= options.cycles; n++) {
    const q = options.discharge_Ah(n);
    half(n, 1, q / ce);
    half(n, -1, q);
  }
  if (options.truncatedFraction !== undefined) {
    const n = options.cycles + 1;
    const q = options.discharge_Ah(n);
    half(n, 1, q / ce);
    half(n, -1, q, options.truncatedFraction);
  }
  return lines.join("\n") + "\n";
}

/** A deterministic pseudo-random sequence in [-1, 1) (linear congruential, seed given). */
export function pseudoNoise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}
