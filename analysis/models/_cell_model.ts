// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * What the three cell models share: the operating control (current, voltage, power or
 * resistance), the finite-volume meshes and operators exactly as PyBaMM's `FiniteVolume`
 * discretizes them, and the interface the experiment runner uses.
 */

import type { DaeSystem } from "./_bdf.ts";
import { type CompiledCell, FARADAY } from "./_cell.ts";

/** How the current is set. */
export const enum Mode {
  /** Current given (A, positive on discharge inside the models). */
  Current = 0,
  /** Terminal voltage held (V). */
  Voltage = 1,
  /** Power given (W, positive on discharge). */
  Power = 2,
  /** Load resistance (Ω): V = I R. */
  Resistance = 3,
}

/** The control of the current step, changed by the experiment runner between steps. */
export interface Control {
  /** Mode. */
  mode: Mode;
  /** Value in the mode's unit (A, V, W or Ω); currents and powers positive on discharge. */
  value: number;
  /** A current profile I(t) (A, positive on discharge) used instead of `value` when set. */
  profile: ((t: number) => number) | null;
}

/** Finite volumes per domain (PyBaMM's `var_pts`). */
export interface MeshPoints {
  /** Negative electrode (x). @default {20} */
  x_n: number;
  /** Separator (x). @default {20} */
  x_s: number;
  /** Positive electrode (x). @default {20} */
  x_p: number;
  /** Negative particle (r). @default {20} */
  r_n: number;
  /** Positive particle (r). @default {20} */
  r_p: number;
}

/** Options shared by the models. */
export interface ModelOptions {
  /** Mesh. */
  mesh: MeshPoints;
  /** Lumped thermal model (otherwise isothermal at the ambient temperature). */
  thermal: boolean;
  /** Solvent-diffusion-limited SEI growth with film resistance. */
  sei: boolean;
}

/** Internal states of one moment, for output. */
export interface StateSnapshot {
  /** Surface stoichiometry of the negative particles (x-average). */
  negativeSurfaceSto: number;
  /** Surface stoichiometry of the positive particles (x-average). */
  positiveSurfaceSto: number;
  /** Mean stoichiometry of the negative electrode (volume average). */
  negativeMeanSto: number;
  /** Mean stoichiometry of the positive electrode (volume average). */
  positiveMeanSto: number;
  /** Electrolyte concentration at the negative current collector, mol/m³. */
  electrolyteNegative: number;
  /** Electrolyte concentration at the positive current collector, mol/m³. */
  electrolytePositive: number;
  /** Temperature, K. */
  temperature: number;
  /** SEI thickness (x-average), m; NaN without SEI. */
  seiThickness: number;
  /** Lithium in the particles, mol. */
  lithiumParticles: number;
  /** Lithium lost to SEI, mol (0 without SEI). */
  lithiumLostToSei: number;
}

/** A cell model ready for the integrator. */
export interface CellModel extends DaeSystem {
  /** Model name. */
  readonly kind: "spm" | "spme" | "dfn";
  /** Compiled parameters. */
  readonly cell: CompiledCell;
  /** Options. */
  readonly options: ModelOptions;
  /** The control, mutable between steps. */
  readonly control: Control;
  /** Absolute tolerance of each unknown (the unknowns are scaled to order one). */
  readonly atol: Float64Array;
  /** Index of the current unknown (current in units of 1C). */
  readonly iCurrent: number;
  /**
   * Index of the first of four counters: discharged and charged charge (in units of the nominal
   * capacity) and discharged and charged energy (in units of nominal capacity × 1 V).
   */
  readonly iCounters: number;
  /** Index of the temperature unknown (K), or -1. */
  readonly iTemperature: number;
  /** Initial state at stoichiometries (x, y) and temperature T (algebraic guesses included). */
  initialState(x: number, y: number, T: number): Float64Array;
  /** Terminal voltage, V. */
  voltage(y: Float64Array): number;
  /** Current, A (positive on discharge). */
  current(y: Float64Array): number;
  /** Temperature, K. */
  temperature(y: Float64Array): number;
  /** Internal states. */
  snapshot(y: Float64Array): StateSnapshot;
  /** Electrolyte concentration profile (mol/m³) at the cell centres, into `out`. */
  electrolyteProfile(y: Float64Array, out: Float64Array): void;
  /** Cell-centre positions of the electrolyte profile, m. */
  readonly xNodes: Float64Array;
  /** Lowest and highest particle stoichiometry anywhere (for the solver's safety events). */
  stoichiometryRange(y: Float64Array): [number, number];
}

/** Spherical finite volumes of one particle (uniform in r, PyBaMM's layout). */
export class ParticleGrid {
  /** Number of cells. */
  readonly N: number;
  /** Cell width, m. */
  readonly dr: number;
  /** r_{k+1/2}² / V_k. */
  readonly outer: Float64Array;
  /** r_{k-1/2}² / V_k. */
  readonly inner: Float64Array;
  /** Volume weights V_k / (R³/3) (sum 1), for particle averages. */
  readonly weight: Float64Array;

  /** @param N Cells. @param R Radius, m. */
  constructor(N: number, R: number) {
    this.N = N;
    this.dr = R / N;
    this.outer = new Float64Array(N);
    this.inner = new Float64Array(N);
    this.weight = new Float64Array(N);
    for (let k = 0; k < N; k++) {
      const r0 = k * this.dr, r1 = (k + 1) * this.dr;
      const vol = (r1 ** 3 - r0 ** 3) / 3;
      this.outer[k] = r1 * r1 / vol;
      this.inner[k] = r0 * r0 / vol;
      this.weight[k] = vol / (R ** 3 / 3);
    }
  }

  /** Surface value by linear extrapolation of the last two cells (PyBaMM's default). */
  surface(y: Float64Array, off: number): number {
    const N = this.N;
    return 1.5 * y[off + N - 1] - 0.5 * y[off + N - 2];
  }

  /** Volume average. */
  mean(y: Float64Array, off: number): number {
    let s = 0;
    for (let k = 0; k < this.N; k++) s += this.weight[k] * y[off + k];
    return s;
  }

  /**
   * d(sto)/dt of the cells: Fick's law with the flux j/(F c_max) out through the surface.
   *
   * @param y State (stoichiometries at `off`).
   * @param off Offset of the particle.
   * @param out Output array (written at `off`).
   * @param D Diffusivity per cell (harmonic means on the faces), or `null` with `Dconst`.
   * @param Dconst Constant diffusivity, m²/s.
   * @param surfaceFlux Outward flux at the surface in stoichiometry units, j / (F c_max), m/s.
   */
  rhs(
    y: Float64Array,
    off: number,
    out: Float64Array,
    D: Float64Array | null,
    Dconst: number,
    surfaceFlux: number,
  ): void {
    const N = this.N, inv = 1 / this.dr, outer = this.outer, inner = this.inner;
    let fluxIn = 0;
    for (let k = 0; k < N; k++) {
      let fluxOut: number;
      if (k === N - 1) fluxOut = surfaceFlux;
      else {
        const De = D === null ? Dconst : 2 * D[k] * D[k + 1] / (D[k] + D[k + 1]);
        fluxOut = -De * (y[off + k + 1] - y[off + k]) * inv;
      }
      out[off + k] = -(outer[k] * fluxOut - inner[k] * fluxIn);
      fluxIn = fluxOut;
    }
  }
}

/** Through-cell finite volumes (uniform within each domain), PyBaMM's concatenated mesh. */
export class XGrid {
  /** Cells per domain. */
  readonly nN: number;
  /** Separator cells. */
  readonly nS: number;
  /** Positive cells. */
  readonly nP: number;
  /** Total cells. */
  readonly n: number;
  /** Cell widths, m. */
  readonly dx: Float64Array;
  /** Cell-centre positions, m. */
  readonly x: Float64Array;
  /** Centre-to-centre distances of neighbours k, k+1 (length n − 1), m. */
  readonly dNode: Float64Array;
  /** Weight of cell k+1 in the face value between k and k+1: dx_k / (dx_k + dx_{k+1}). */
  readonly w: Float64Array;
  /** Porosity per cell. */
  readonly eps: Float64Array;
  /** Electrolyte transport efficiency per cell. */
  readonly tor: Float64Array;
  /** Domain per cell: 0 negative, 1 separator, 2 positive. */
  readonly domain: Uint8Array;
  /** Total thickness L_x, m. */
  readonly L: number;

  /** @param cell Compiled parameters. @param mesh Cells per domain. */
  constructor(cell: CompiledCell, mesh: MeshPoints) {
    this.nN = mesh.x_n;
    this.nS = mesh.x_s;
    this.nP = mesh.x_p;
    const n = this.nN + this.nS + this.nP;
    this.n = n;
    this.dx = new Float64Array(n);
    this.x = new Float64Array(n);
    this.eps = new Float64Array(n);
    this.tor = new Float64Array(n);
    this.domain = new Uint8Array(n);
    const parts: [number, number, number, number][] = [
      [this.nN, cell.n.L, cell.n.eps, cell.n.torE],
      [this.nS, cell.Ls, cell.epsSep, cell.torSep],
      [this.nP, cell.p.L, cell.p.eps, cell.p.torE],
    ];
    let k = 0, x0 = 0;
    parts.forEach(([count, L, eps, tor], d) => {
      const dx = L / count;
      for (let i = 0; i < count; i++, k++) {
        this.dx[k] = dx;
        // Edges as PyBaMM builds them: linspace within each domain.
        this.x[k] = x0 + (i + 0.5) * dx;
        this.eps[k] = eps;
        this.tor[k] = tor;
        this.domain[k] = d;
      }
      x0 += L;
    });
    this.L = x0;
    this.dNode = new Float64Array(n - 1);
    this.w = new Float64Array(n - 1);
    for (let i = 0; i < n - 1; i++) {
      this.dNode[i] = this.x[i + 1] - this.x[i];
      this.w[i] = this.dx[i] / (this.dx[i] + this.dx[i + 1]);
    }
  }
}

/** Thermal constants of the lumped model. */
export interface ThermalConstants {
  /** h A_cool, W/K. */
  hA: number;
  /** V_cell ρc_p,eff, J/K. */
  heatCapacity: number;
  /** L_cn / σ_cn + L_cp / σ_cp, Ω m² (current-collector Joule heating per i²). */
  ccResistance: number;
}

/** @internal */
export function thermalConstants(cell: CompiledCell): ThermalConstants {
  const c = cell.set.cell;
  return {
    hA: c.heat_transfer_coefficient_W_m2K * c.cooling_area_m2,
    heatCapacity: c.volume_m3 * cell.rhoCpEff,
    ccResistance: cell.n.Lcc / cell.n.sigmaCc + cell.p.Lcc / cell.p.sigmaCc,
  };
}

/** SEI constants. */
export interface SeiConstants {
  /** Initial thickness L0, m. */
  L0: number;
  /** dℓ/dt × ℓ, 1/s, where ℓ = L / L0 (solvent-diffusion limited growth). */
  rate: number;
  /** Film resistivity × L0, Ω m². */
  R0: number;
  /** F c_sol D_sol / L0: |j_SEI| at ℓ = 1, A/m². */
  j0: number;
  /** Lithium per unit thickness growth: a_n L_n A n z / V̄, mol/m. */
  molPerMetre: number;
}

/** @internal */
export function seiConstants(cell: CompiledCell): SeiConstants {
  const s = cell.set.sei;
  if (!s) throw new RangeError(`Parameter set "${cell.set.name}" has no SEI parameters`);
  const L0 = s.initial_thickness_m;
  return {
    L0,
    rate: s.partial_molar_volume_m3_mol * s.bulk_solvent_concentration_mol_m3 *
      s.solvent_diffusivity_m2_s / (s.lithium_to_sei_mole_ratio * L0 * L0),
    R0: s.resistivity_ohm_m * L0,
    j0: FARADAY * s.bulk_solvent_concentration_mol_m3 * s.solvent_diffusivity_m2_s / L0,
    molPerMetre: cell.n.a * cell.n.L * cell.area * cell.nParallel *
      s.lithium_to_sei_mole_ratio / s.partial_molar_volume_m3_mol,
  };
}

/**
 * Rates of the four throughput counters (discharge A h, charge A h, discharge W h, charge W h,
 * scaled by the nominal capacity).
 *
 * @param I Current, A (positive on discharge).
 * @param V Terminal voltage, V.
 * @param oneC 1C current, A (numerically the nominal capacity in A h).
 * @param out Output.
 * @param at Index of the first counter.
 */
export function counterRates(
  I: number,
  V: number,
  oneC: number,
  out: Float64Array,
  at: number,
): void {
  const k = 1 / (3600 * oneC);
  if (I >= 0) {
    out[at] = I * k;
    out[at + 1] = 0;
    out[at + 2] = I * V * k;
    out[at + 3] = 0;
  } else {
    out[at] = 0;
    out[at + 1] = -I * k;
    out[at + 2] = 0;
    out[at + 3] = -I * V * k;
  }
}

/** The residual of the current row for the control in force. */
export function controlResidual(
  control: Control,
  t: number,
  I: number,
  V: number,
  oneC: number,
): number {
  switch (control.mode) {
    case Mode.Current:
      return (I - (control.profile ? control.profile(t) : control.value)) / oneC;
    case Mode.Voltage:
      return V - control.value;
    case Mode.Power: {
      const scale = Math.max(Math.abs(control.value), 1e-12);
      return (I * V - control.value) / scale;
    }
    default:
      return V - I * control.value;
  }
}
