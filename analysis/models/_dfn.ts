// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The Doyle–Fuller–Newman model as PyBaMM's `lithium_ion.DFN` with default options: a
 * spherical particle in every through-cell finite volume of each electrode, Butler–Volmer
 * kinetics, electrolyte diffusion and migration (concentrated-solution electrolyte potential
 * with Bruggeman transport), and solid potentials (Ohm's law) — with PyBaMM's finite-volume
 * choices: harmonic means of diffusivities on faces (weighted by the cell widths), the
 * arithmetic mean of κ on faces, ghost cells for the Dirichlet condition φ_s = 0 at x = 0,
 * and the terminal voltage as the positive potential extrapolated linearly to x = L.
 *
 * Unknowns, in elimination order: every particle (radial cells, centre outwards), then per
 * through-cell volume c_e / c_e0, φ_e, φ_s (electrodes) and the total interfacial current
 * (negative electrode, with SEI film resistance), then [SEI ℓ], [T], charge, current.
 */

import { type CompiledCell, FARADAY, GAS_CONSTANT, ocp } from "./_cell.ts";
import {
  type CellModel,
  type Control,
  controlResidual,
  counterRates,
  Mode,
  type ModelOptions,
  ParticleGrid,
  type SeiConstants,
  seiConstants,
  type StateSnapshot,
  type ThermalConstants,
  thermalConstants,
  XGrid,
} from "./_cell_model.ts";
import { type Pattern, patternFromRows } from "./_sparse_lu.ts";

/** The DFN. */
export class DfnModel implements CellModel {
  readonly kind = "dfn" as const;
  readonly cell: CompiledCell;
  readonly options: ModelOptions;
  readonly control: Control = { mode: Mode.Current, value: 0, profile: null };
  readonly n: number;
  readonly algebraic: Uint8Array;
  readonly pattern: Pattern;
  readonly atol: Float64Array;
  readonly iCurrent: number;
  readonly iCounters: number;
  readonly iTemperature: number;
  readonly xNodes: Float64Array;
  private readonly iSei: number;
  private readonly grid: XGrid;
  private readonly gn: ParticleGrid;
  private readonly gp: ParticleGrid;
  /** Particle offset per x cell (-1 in the separator). */
  private readonly part: Int32Array;
  private readonly ce: Int32Array;
  private readonly pe: Int32Array;
  private readonly ps: Int32Array;
  private readonly jt: Int32Array;
  private readonly thermal: ThermalConstants;
  private readonly sei: SeiConstants | null;
  private readonly volScale: number;
  // Work arrays.
  private readonly c: Float64Array;
  private readonly kap: Float64Array;
  private readonly dt: Float64Array;
  private readonly q: Float64Array;
  private readonly aj: Float64Array;
  private readonly jInt: Float64Array;
  private readonly eta: Float64Array;
  private readonly surf: Float64Array;
  private readonly ie: Float64Array;
  private readonly nFlux: Float64Array;
  private readonly Dwork: Float64Array;

  /** @param cell Compiled parameters. @param options Mesh and sub-models. */
  constructor(cell: CompiledCell, options: ModelOptions) {
    this.cell = cell;
    this.options = options;
    const g = new XGrid(cell, options.mesh);
    this.grid = g;
    this.xNodes = g.x;
    this.gn = new ParticleGrid(options.mesh.r_n, cell.n.Rp);
    this.gp = new ParticleGrid(options.mesh.r_p, cell.p.Rp);
    this.sei = options.sei ? seiConstants(cell) : null;
    this.thermal = thermalConstants(cell);
    const nx = g.n;
    this.part = new Int32Array(nx).fill(-1);
    this.ce = new Int32Array(nx);
    this.pe = new Int32Array(nx);
    this.ps = new Int32Array(nx).fill(-1);
    this.jt = new Int32Array(nx).fill(-1);
    let k = 0;
    for (let x = 0; x < nx; x++) {
      const d = g.domain[x];
      if (d === 0) {
        this.part[x] = k;
        k += this.gn.N;
      } else if (d === 2) {
        this.part[x] = k;
        k += this.gp.N;
      }
    }
    const nParticles = k;
    for (let x = 0; x < nx; x++) {
      this.ce[x] = k++;
      this.pe[x] = k++;
      if (g.domain[x] !== 1) this.ps[x] = k++;
      if (g.domain[x] === 0 && this.sei) this.jt[x] = k++;
    }
    this.iSei = options.sei ? k++ : -1;
    this.iTemperature = options.thermal ? k++ : -1;
    this.iCounters = k;
    k += 4;
    this.iCurrent = k++;
    this.n = k;
    const iOneC = cell.oneC_A / (cell.area * cell.nParallel);
    this.volScale = iOneC / g.L;
    this.algebraic = new Uint8Array(this.n);
    for (let x = 0; x < nx; x++) {
      this.algebraic[this.pe[x]] = 1;
      if (this.ps[x] >= 0) this.algebraic[this.ps[x]] = 1;
      if (this.jt[x] >= 0) this.algebraic[this.jt[x]] = 1;
    }
    this.algebraic[this.iCurrent] = 1;
    this.atol = new Float64Array(this.n).fill(1e-6);
    if (this.iTemperature >= 0) this.atol[this.iTemperature] = 1e-6 * cell.Tref;
    this.c = new Float64Array(nx);
    this.kap = new Float64Array(nx);
    this.dt = new Float64Array(nx);
    this.q = new Float64Array(nx);
    this.aj = new Float64Array(nx);
    this.jInt = new Float64Array(nx);
    this.eta = new Float64Array(nx);
    this.surf = new Float64Array(nx);
    this.ie = new Float64Array(nx + 1);
    this.nFlux = new Float64Array(nx + 1);
    this.Dwork = new Float64Array(Math.max(this.gn.N, this.gp.N));
    this.pattern = this.buildPattern(nParticles);
  }

  private buildPattern(nParticles: number): Pattern {
    const g = this.grid, nx = g.n;
    const rows: number[][] = Array.from({ length: this.n }, () => []);
    const T = this.iTemperature;
    const add = (r: number, ...cols: number[]) => {
      for (const c of cols) if (c >= 0) rows[r].push(c);
    };
    // Columns a cell's interfacial current depends on.
    const jCols = (x: number): number[] => {
      const N = g.domain[x] === 0 ? this.gn.N : this.gp.N;
      const o = this.part[x];
      return [o + N - 1, o + N - 2, this.ce[x], this.pe[x], this.ps[x], this.jt[x], this.iSei, T];
    };
    for (let x = 0; x < nx; x++) {
      const o = this.part[x];
      if (o >= 0) {
        const N = g.domain[x] === 0 ? this.gn.N : this.gp.N;
        for (let r = 0; r < N; r++) {
          add(o + r, o + r, r > 0 ? o + r - 1 : -1, r < N - 1 ? o + r + 1 : -1, T);
        }
        add(o + N - 1, ...jCols(x));
      }
      const neighbours: number[] = [];
      for (const z of [x - 1, x, x + 1]) {
        if (z >= 0 && z < nx) neighbours.push(this.ce[z], this.pe[z]);
      }
      const source = o >= 0 ? (this.jt[x] >= 0 ? [this.jt[x]] : jCols(x)) : [];
      add(this.ce[x], ...neighbours, ...source, T);
      add(this.pe[x], ...neighbours, ...source, T);
      if (this.ps[x] >= 0) {
        const same: number[] = [];
        for (const z of [x - 1, x, x + 1]) {
          if (z >= 0 && z < nx && g.domain[z] === g.domain[x]) same.push(this.ps[z]);
        }
        add(this.ps[x], ...same, ...source, T);
        if (x === nx - 1) add(this.ps[x], this.iCurrent);
      }
      if (this.jt[x] >= 0) add(this.jt[x], ...jCols(x));
    }
    if (this.iSei >= 0) add(this.iSei, this.iSei);
    if (T >= 0) add(T, T, this.iCurrent);
    for (let c = 0; c < 4; c++) add(this.iCounters + c, this.iCounters + c, this.iCurrent);
    add(this.iCurrent, this.iCurrent, this.ps[nx - 1], this.ps[nx - 2], T);
    void nParticles;
    return patternFromRows(rows);
  }

  initialState(x: number, y: number, T: number): Float64Array {
    const s = new Float64Array(this.n);
    const g = this.grid, cell = this.cell;
    const Un = ocp(cell.n, x, T, cell.Tref), Up = ocp(cell.p, y, T, cell.Tref);
    for (let k = 0; k < g.n; k++) {
      const o = this.part[k];
      if (o >= 0) {
        const N = g.domain[k] === 0 ? this.gn.N : this.gp.N;
        for (let r = 0; r < N; r++) s[o + r] = g.domain[k] === 0 ? x : y;
      }
      s[this.ce[k]] = 1;
      s[this.pe[k]] = -Un;
      if (this.ps[k] >= 0) s[this.ps[k]] = g.domain[k] === 0 ? 0 : Up - Un;
    }
    if (this.iSei >= 0) s[this.iSei] = 1;
    if (this.iTemperature >= 0) s[this.iTemperature] = T;
    return s;
  }

  temperature(y: Float64Array): number {
    return this.iTemperature >= 0 ? y[this.iTemperature] : this.cell.Tamb;
  }

  current(y: Float64Array): number {
    return y[this.iCurrent] * this.cell.oneC_A;
  }

  voltage(y: Float64Array): number {
    const nx = this.grid.n;
    return 1.5 * y[this.ps[nx - 1]] - 0.5 * y[this.ps[nx - 2]] -
      this.current(y) * this.cell.Rcontact;
  }

  /** Fill the kinetic work arrays (c_e, surface sto, η, j, a j) from y. */
  private kinetics(y: Float64Array, T: number): void {
    const g = this.grid, cell = this.cell, nx = g.n;
    const RT = GAS_CONSTANT * T, F2RT = 0.5 * FARADAY / RT;
    const sei = this.sei;
    const jSei = sei ? -sei.j0 / y[this.iSei] : 0;
    for (let k = 0; k < nx; k++) {
      const ce = y[this.ce[k]] * cell.ce0;
      this.c[k] = ce;
      const d = g.domain[k];
      if (d === 1) {
        this.aj[k] = 0;
        continue;
      }
      const e = d === 0 ? cell.n : cell.p;
      const pg = d === 0 ? this.gn : this.gp;
      const sto = pg.surface(y, this.part[k]);
      this.surf[k] = sto;
      const U = ocp(e, sto, T, cell.Tref);
      let eta = y[this.ps[k]] - y[this.pe[k]] - U;
      if (this.jt[k] >= 0 && sei) eta -= y[this.jt[k]] * sei.R0 * y[this.iSei];
      this.eta[k] = eta;
      const j = 2 * e.j0(ce, sto * e.cMax, T) * Math.sinh(F2RT * eta);
      this.jInt[k] = j;
      this.aj[k] = e.a * (this.jt[k] >= 0 ? y[this.jt[k]] : j);
      void jSei;
    }
  }

  f(t: number, y: Float64Array, out: Float64Array): void {
    const g = this.grid, cell = this.cell, nx = g.n;
    const T = this.temperature(y);
    const I = this.current(y);
    const i = I / (cell.area * cell.nParallel);
    this.kinetics(y, T);
    const c = this.c, kap = this.kap, dt = this.dt, q = this.q;
    const chiRT_F = cell.chi * GAS_CONSTANT * T / FARADAY;
    for (let k = 0; k < nx; k++) {
      kap[k] = cell.kappa(c[k], T) * g.tor[k];
      dt[k] = cell.De(c[k], T) * g.tor[k];
      q[k] = chiRT_F / Math.max(c[k], 0.01);
    }
    // Faces: electrolyte current and salt flux (zero at both ends).
    const ie = this.ie, N = this.nFlux;
    ie[0] = 0;
    N[0] = 0;
    ie[nx] = 0;
    N[nx] = 0;
    const tp = cell.tPlus;
    for (let k = 0; k < nx - 1; k++) {
      const w = g.w[k], h = g.dNode[k];
      const gradC = (c[k + 1] - c[k]) / h;
      const gradPhi = (y[this.pe[k + 1]] - y[this.pe[k]]) / h;
      const kF = (1 - w) * kap[k] + w * kap[k + 1];
      const qF = 1 / (w / q[k] + (1 - w) / q[k + 1]);
      const iF = kF * (qF * gradC - gradPhi);
      const DF = 1 / (w / dt[k] + (1 - w) / dt[k + 1]);
      ie[k + 1] = iF;
      N[k + 1] = -DF * gradC + tp * iF / FARADAY;
    }
    const vs = this.volScale, c0 = cell.ce0;
    for (let k = 0; k < nx; k++) {
      const dx = g.dx[k];
      out[this.ce[k]] = (-(N[k + 1] - N[k]) / dx + this.aj[k] / FARADAY) / (g.eps[k] * c0);
      out[this.pe[k]] = ((ie[k + 1] - ie[k]) / dx - this.aj[k]) / vs;
    }
    // Solid potentials.
    const nN = g.nN, nS = g.nS;
    const sn = cell.n.sigmaEff, sp = cell.p.sigmaEff;
    for (let k = 0; k < nN; k++) {
      const dx = g.dx[k];
      const left = k === 0
        ? -sn * 2 * y[this.ps[0]] / dx
        : -sn * (y[this.ps[k]] - y[this.ps[k - 1]]) / dx;
      const right = k === nN - 1 ? 0 : -sn * (y[this.ps[k + 1]] - y[this.ps[k]]) / dx;
      out[this.ps[k]] = ((right - left) / dx + this.aj[k]) / vs;
    }
    for (let k = nN + nS; k < nx; k++) {
      const dx = g.dx[k];
      const left = k === nN + nS ? 0 : -sp * (y[this.ps[k]] - y[this.ps[k - 1]]) / dx;
      const right = k === nx - 1 ? i : -sp * (y[this.ps[k + 1]] - y[this.ps[k]]) / dx;
      out[this.ps[k]] = ((right - left) / dx + this.aj[k]) / vs;
    }
    // Particles and the total-current unknowns.
    const sei = this.sei;
    const jSei = sei ? -sei.j0 / y[this.iSei] : 0;
    for (let k = 0; k < nx; k++) {
      const o = this.part[k];
      if (o < 0) continue;
      const d = g.domain[k];
      const e = d === 0 ? cell.n : cell.p;
      const pg = d === 0 ? this.gn : this.gp;
      const flux = this.jInt[k] / (FARADAY * e.cMax);
      if (e.dDependsOnSto) {
        const D = this.Dwork;
        for (let r = 0; r < pg.N; r++) D[r] = e.D(y[o + r], T);
        pg.rhs(y, o, out, D, 0, flux);
      } else {
        pg.rhs(y, o, out, null, e.D(0.5, T), flux);
      }
      if (this.jt[k] >= 0) {
        out[this.jt[k]] = (y[this.jt[k]] - this.jInt[k] - jSei) / (vs / cell.n.a);
      }
    }
    if (sei) out[this.iSei] = sei.rate / y[this.iSei];
    if (this.iTemperature >= 0) {
      const W = this.heat(y, T, i) * cell.area * cell.nParallel;
      out[this.iTemperature] = (W - this.thermal.hA * (T - cell.Tamb)) / this.thermal.heatCapacity;
    }
    const V = this.voltage(y);
    counterRates(I, V, cell.oneC_A, out, this.iCounters);
    out[this.iCurrent] = controlResidual(this.control, t, I, V, cell.oneC_A);
  }

  /**
   * Heat per unit electrode area, W/m², after `f` has filled the face arrays: Ohmic heat of
   * solid and electrolyte (face currents and gradients averaged to cell centres, as PyBaMM's
   * inner product does), reaction heat a j η and reversible heat a j T dU/dT, plus the
   * current collectors' Joule heat.
   */
  private heat(y: Float64Array, T: number, i: number): number {
    const g = this.grid, cell = this.cell, nx = g.n;
    let total = this.thermal.ccResistance * i * i;
    const ie = this.ie;
    for (let k = 0; k < nx; k++) {
      const dx = g.dx[k];
      // Electrolyte: −⟨i_e⟩⟨∇φ_e⟩.
      const gl = k === 0 ? 0 : (y[this.pe[k]] - y[this.pe[k - 1]]) / g.dNode[k - 1];
      const gr = k === nx - 1 ? 0 : (y[this.pe[k + 1]] - y[this.pe[k]]) / g.dNode[k];
      let qk = -0.5 * (ie[k] + ie[k + 1]) * 0.5 * (gl + gr);
      const d = g.domain[k];
      if (d !== 1) {
        const e = d === 0 ? cell.n : cell.p;
        const s = e.sigmaEff;
        let sl: number, sr: number;
        if (d === 0) {
          sl = k === 0 ? 2 * y[this.ps[0]] / dx : (y[this.ps[k]] - y[this.ps[k - 1]]) / dx;
          sr = k === g.nN - 1 ? 0 : (y[this.ps[k + 1]] - y[this.ps[k]]) / dx;
        } else {
          sl = k === g.nN + g.nS ? 0 : (y[this.ps[k]] - y[this.ps[k - 1]]) / dx;
          sr = k === nx - 1 ? -i / s : (y[this.ps[k + 1]] - y[this.ps[k]]) / dx;
        }
        // i_s = −σ ∇φ_s, so −⟨i_s⟩⟨∇φ_s⟩ = σ ⟨∇φ_s⟩².
        const gm = 0.5 * (sl + sr);
        qk += s * gm * gm;
        const aj = e.a * this.jInt[k];
        qk += aj * this.eta[k];
        if (!e.isothermalOcp) qk += aj * T * e.dUdT(this.surf[k]);
      }
      total += qk * dx;
    }
    return total;
  }

  snapshot(y: Float64Array): StateSnapshot {
    const g = this.grid, cell = this.cell;
    let xs = 0, ys = 0, xm = 0, ym = 0, li = 0;
    for (let k = 0; k < g.n; k++) {
      const d = g.domain[k];
      if (d === 1) continue;
      const pg = d === 0 ? this.gn : this.gp;
      const e = d === 0 ? cell.n : cell.p;
      const s = pg.surface(y, this.part[k]), m = pg.mean(y, this.part[k]);
      const w = g.dx[k] / e.L;
      if (d === 0) {
        xs += s * w;
        xm += m * w;
      } else {
        ys += s * w;
        ym += m * w;
      }
      li += m * e.cMax * e.epsS * g.dx[k];
    }
    const L = this.sei ? y[this.iSei] * this.sei.L0 : NaN;
    return {
      negativeSurfaceSto: xs,
      positiveSurfaceSto: ys,
      negativeMeanSto: xm,
      positiveMeanSto: ym,
      electrolyteNegative: y[this.ce[0]] * cell.ce0,
      electrolytePositive: y[this.ce[g.n - 1]] * cell.ce0,
      temperature: this.temperature(y),
      seiThickness: L,
      lithiumParticles: li * cell.area * cell.nParallel,
      lithiumLostToSei: this.sei ? (L - this.sei.L0) * this.sei.molPerMetre : 0,
    };
  }

  electrolyteProfile(y: Float64Array, out: Float64Array): void {
    for (let k = 0; k < this.grid.n; k++) out[k] = y[this.ce[k]] * this.cell.ce0;
  }

  stoichiometryRange(y: Float64Array): [number, number] {
    const g = this.grid;
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < g.n; k++) {
      const d = g.domain[k];
      if (d === 1) continue;
      const s = (d === 0 ? this.gn : this.gp).surface(y, this.part[k]);
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    return [lo, hi];
  }
}
