// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** The electrode state-of-health solve on a compiled cell (see `electrode_soh.ts`). */

import { type CompiledCell, FARADAY, ocp } from "./_cell.ts";

/** The electrode state of health: the stoichiometry window between 0 % and 100 % SOC. */
export interface ElectrodeSoh {
  /** Negative electrode stoichiometry at 0 % SOC. */
  x_0: number;
  /** Negative electrode stoichiometry at 100 % SOC. */
  x_100: number;
  /** Positive electrode stoichiometry at 100 % SOC. */
  y_100: number;
  /** Positive electrode stoichiometry at 0 % SOC. */
  y_0: number;
  /** Negative electrode capacity, A h. */
  negative_capacity_Ah: number;
  /** Positive electrode capacity, A h. */
  positive_capacity_Ah: number;
  /** Cyclable lithium, mol (kept from the set's initial concentrations). */
  cyclable_lithium_mol: number;
  /** Capacity between 0 % and 100 % SOC, Q_n (x_100 − x_0), A h. */
  capacity_Ah: number;
}

/** Bisection to machine precision of an increasing function on [lo, hi]. */
function solveIncreasing(f: (x: number) => number, lo: number, hi: number): number {
  let flo = f(lo), fhi = f(hi);
  if (flo > 0 || fhi < 0) return NaN;
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = 0.5 * (lo + hi);
    const fm = f(mid);
    if (fm > 0) {
      hi = mid;
      fhi = fm;
    } else {
      lo = mid;
      flo = fm;
    }
  }
  return flo === fhi ? lo : lo - flo * (hi - lo) / (fhi - flo);
}

/** Open-circuit voltage at a negative stoichiometry, with lithium conserved. */
function ocvAt(cell: CompiledCell, x: number, qLi: number): number {
  const y = (qLi - cell.n.capacityAh * x) / cell.p.capacityAh;
  return ocp(cell.p, y, cell.Tref, cell.Tref) - ocp(cell.n, x, cell.Tref, cell.Tref);
}

/** The ESOH solve on a compiled cell, with the lithium given (default: the set's). */
export function electrodeSohCompiled(cell: CompiledCell, lithium_mol?: number): ElectrodeSoh {
  const set = cell.set;
  const nLi = lithium_mol ??
    (cell.n.epsS * cell.n.cInit * cell.n.L + cell.p.epsS * cell.p.cInit * cell.p.L) *
      cell.area * cell.nParallel;
  const qLi = nLi * FARADAY / 3600;
  const qn = cell.n.capacityAh, qp = cell.p.capacityAh;
  // x must keep both stoichiometries inside (0, 1).
  const lo = Math.max(1e-9, (qLi - qp * (1 - 1e-9)) / qn);
  const hi = Math.min(1 - 1e-9, (qLi - qp * 1e-9) / qn);
  if (!(lo < hi)) {
    throw new RangeError(
      `Cannot find the electrode state of health of "${set.name}": the cyclable lithium ` +
        `(${qLi.toFixed(4)} A h) does not fit both electrodes`,
    );
  }
  const f100 = (x: number) => ocvAt(cell, x, qLi) - set.cell.ocv_at_100_soc_V;
  const f0 = (x: number) => ocvAt(cell, x, qLi) - set.cell.ocv_at_0_soc_V;
  const x100 = solveIncreasing(f100, lo, hi);
  const x0 = solveIncreasing(f0, lo, hi);
  if (!Number.isFinite(x100) || !Number.isFinite(x0)) {
    throw new RangeError(
      `Cannot find the electrode state of health of "${set.name}": the OCV does not reach ` +
        `${Number.isFinite(x100) ? set.cell.ocv_at_0_soc_V : set.cell.ocv_at_100_soc_V} V ` +
        `within the electrodes' stoichiometry ranges`,
    );
  }
  return {
    x_0: x0,
    x_100: x100,
    y_100: (qLi - qn * x100) / qp,
    y_0: (qLi - qn * x0) / qp,
    negative_capacity_Ah: qn,
    positive_capacity_Ah: qp,
    cyclable_lithium_mol: nLi,
    capacity_Ah: qn * (x100 - x0),
  };
}

/** Initial state: stoichiometries and concentrations. */
export interface InitialState {
  /** State of charge (0–1) on the electrode-SOH scale. */
  soc: number;
  /** Negative electrode stoichiometry. */
  x: number;
  /** Positive electrode stoichiometry. */
  y: number;
  /** Open-circuit voltage at the reference temperature, V. */
  ocv_V: number;
}

/**
 * Stoichiometries at a state of charge (a fraction 0–1: linear between the 0 % and
 * 100 % stoichiometries, as PyBaMM does) or at an open-circuit voltage (`"3.9 V"`).
 */
export function initialStateCompiled(
  cell: CompiledCell,
  soh: ElectrodeSoh,
  soc: number | string,
): InitialState {
  const qLi = soh.cyclable_lithium_mol * FARADAY / 3600;
  let frac: number;
  if (typeof soc === "string") {
    const m = /^\s*([0-9.]+(?:e[+-]?\d+)?)\s*V\s*$/i.exec(soc);
    if (!m) throw new RangeError(`Initial state "${soc}" must be a fraction 0-1 or "<volts> V"`);
    const v = Number(m[1]);
    const x = solveIncreasing((x) => ocvAt(cell, x, qLi) - v, soh.x_0, soh.x_100);
    if (!Number.isFinite(x)) {
      throw new RangeError(
        `Initial voltage ${v} V is outside ${cell.set.cell.ocv_at_0_soc_V}–` +
          `${cell.set.cell.ocv_at_100_soc_V} V`,
      );
    }
    frac = (x - soh.x_0) / (soh.x_100 - soh.x_0);
  } else {
    if (!(soc >= 0 && soc <= 1)) {
      throw new RangeError(`Initial state of charge must be within 0-1, got ${soc}`);
    }
    frac = soc;
  }
  const x = soh.x_0 + frac * (soh.x_100 - soh.x_0);
  const y = soh.y_0 + frac * (soh.y_100 - soh.y_0);
  return { soc: frac, x, y, ocv_V: ocvAt(cell, x, qLi) };
}
