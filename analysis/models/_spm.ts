// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The single particle model (SPM) and the SPM with electrolyte (SPMe), as PyBaMM's
 * `lithium_ion.SPM` and `lithium_ion.SPMe` with default options:
 *
 * - one x-averaged spherical particle per electrode (Fick's law, finite volumes, surface value
 *   by linear extrapolation), interfacial current j = ±i / (a L);
 * - inverse Butler–Volmer kinetics η = (2RT/F) asinh(j / (2 j0));
 * - SPM: V = U_p − U_n + η_p − η_n;
 * - SPMe: electrolyte diffusion and migration over the three domains (finite volumes), j0 with
 *   the local electrolyte concentration (η averaged over x), and the composite expressions for
 *   the electrolyte potential (concentration overpotential through the MacInnes function,
 *   electrolyte Ohmic drop with κ at the mean concentration) and the solid Ohmic drop, with the
 *   voltage taken as PyBaMM takes it (positive-electrode potential extrapolated to x = L).
 *
 * Unknowns (scaled): negative then positive particle stoichiometries, [SPMe: c_e / c_e0 per
 * cell], [SEI ℓ = L/L0], [T], net discharged charge / nominal capacity, current / 1C.
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

/** SPM or SPMe. */
export class SingleParticleModel implements CellModel {
  readonly kind: "spm" | "spme";
  readonly cell: CompiledCell;
  readonly options: ModelOptions;
  readonly control: Control = { mode: Mode.Current, value: 0, profile: null };
  readonly n: number;
  readonly algebraic: Uint8Array;
  readonly pattern: Pattern;
  readonly atol: Float64Array;
  readonly denseRows: number[];
  readonly iCurrent: number;
  readonly iCounters: number;
  readonly iTemperature: number;
  readonly xNodes: Float64Array;
  private readonly iSei: number;
  private readonly gn: ParticleGrid;
  private readonly gp: ParticleGrid;
  private readonly offN = 0;
  private readonly offP: number;
  private readonly offE: number;
  private readonly grid: XGrid;
  private readonly withElectrolyte: boolean;
  private readonly thermal: ThermalConstants;
  private readonly sei: SeiConstants | null;
  private readonly Dn: Float64Array;
  private readonly Dp: Float64Array;
  private readonly ce: Float64Array;
  private readonly ieNode: Float64Array;
  private readonly iScale: number;
  private readonly thermalOn: boolean;
  private readonly phiE: Float64Array;
  private readonly phiS: Float64Array;
  // Last evaluated overpotentials (for heat and outputs).
  private etaN = 0;
  private etaP = 0;

  /**
   * @param cell Compiled parameters.
   * @param kind "spm" or "spme".
   * @param options Mesh and sub-models.
   */
  constructor(cell: CompiledCell, kind: "spm" | "spme", options: ModelOptions) {
    this.kind = kind;
    this.cell = cell;
    this.options = options;
    this.withElectrolyte = kind === "spme";
    this.gn = new ParticleGrid(options.mesh.r_n, cell.n.Rp);
    this.gp = new ParticleGrid(options.mesh.r_p, cell.p.Rp);
    this.grid = new XGrid(cell, options.mesh);
    this.xNodes = this.grid.x;
    this.offP = this.gn.N;
    this.offE = this.offP + this.gp.N;
    const nE = this.withElectrolyte ? this.grid.n : 0;
    let k = this.offE + nE;
    this.iSei = options.sei ? k++ : -1;
    this.iTemperature = options.thermal ? k++ : -1;
    this.iCounters = k;
    k += 4;
    this.iCurrent = k++;
    this.n = k;
    this.thermal = thermalConstants(cell);
    this.sei = options.sei ? seiConstants(cell) : null;
    this.Dn = new Float64Array(this.gn.N);
    this.Dp = new Float64Array(this.gp.N);
    this.ce = new Float64Array(this.grid.n);
    this.ieNode = new Float64Array(this.grid.n);
    this.iScale = cell.oneC_A / (cell.area * cell.nParallel);
    this.thermalOn = options.thermal;
    this.phiE = new Float64Array(this.grid.n);
    this.phiS = new Float64Array(this.grid.n);
    this.algebraic = new Uint8Array(this.n);
    this.algebraic[this.iCurrent] = 1;
    this.atol = new Float64Array(this.n).fill(1e-6);
    if (this.iTemperature >= 0) this.atol[this.iTemperature] = 1e-6 * cell.Tref;
    // Sparsity.
    const rows: number[][] = [];
    const globals = [this.iSei, this.iTemperature, this.iCurrent].filter((i) => i >= 0);
    const particleRows = (off: number, N: number) => {
      for (let i = 0; i < N; i++) {
        const r = [off + i];
        if (i > 0) r.push(off + i - 1);
        if (i < N - 1) r.push(off + i + 1);
        if (i === N - 1) r.push(off + N - 2, ...globals);
        else if (this.iTemperature >= 0) r.push(this.iTemperature);
        rows.push(r);
      }
    };
    particleRows(this.offN, this.gn.N);
    particleRows(this.offP, this.gp.N);
    for (let i = 0; i < nE; i++) {
      const r = [this.offE + i];
      if (i > 0) r.push(this.offE + i - 1);
      if (i < nE - 1) r.push(this.offE + i + 1);
      r.push(this.iCurrent);
      if (this.iTemperature >= 0) r.push(this.iTemperature);
      rows.push(r);
    }
    if (this.iSei >= 0) {
      rows.push([this.iSei, ...(this.iTemperature >= 0 ? [this.iTemperature] : [])]);
    }
    if (this.iTemperature >= 0) rows.push([this.iTemperature, this.iCurrent]);
    for (let c = 0; c < 4; c++) rows.push([this.iCounters + c, this.iCurrent]);
    // Current row: the voltage depends on the particle surfaces, the electrolyte, SEI, T, I.
    const currentRow = [
      this.offN + this.gn.N - 1,
      this.offN + this.gn.N - 2,
      this.offP + this.gp.N - 1,
      this.offP + this.gp.N - 2,
      ...globals,
    ];
    for (let i = 0; i < nE; i++) currentRow.push(this.offE + i);
    rows.push(currentRow);
    this.pattern = patternFromRows(rows);
    this.denseRows = this.withElectrolyte ? [this.iCurrent] : [];
  }

  initialState(x: number, y: number, T: number): Float64Array {
    const s = new Float64Array(this.n);
    for (let i = 0; i < this.gn.N; i++) s[this.offN + i] = x;
    for (let i = 0; i < this.gp.N; i++) s[this.offP + i] = y;
    if (this.withElectrolyte) { for (let i = 0; i < this.grid.n; i++) s[this.offE + i] = 1; }
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

  /** Terminal voltage at state y (current from y). */
  voltage(y: Float64Array): number {
    return this.voltageAt(y, this.current(y));
  }

  private voltageAt(y: Float64Array, I: number): number {
    const cell = this.cell, n = cell.n, p = cell.p;
    const T = this.temperature(y);
    const i = I / (cell.area * cell.nParallel);
    const RT_F = GAS_CONSTANT * T / FARADAY;
    const xs = this.gn.surface(y, this.offN), ys = this.gp.surface(y, this.offP);
    const csN = xs * n.cMax, csP = ys * p.cMax;
    const jN = i / (n.a * n.L), jP = -i / (p.a * p.L);
    const Un = ocp(n, xs, T, cell.Tref), Up = ocp(p, ys, T, cell.Tref);
    const film = this.sei ? jN * this.sei.R0 * y[this.iSei] : 0;
    let V: number;
    if (!this.withElectrolyte) {
      const etaN = 2 * RT_F * Math.asinh(jN / (2 * n.j0(cell.ce0, csN, T)));
      const etaP = 2 * RT_F * Math.asinh(jP / (2 * p.j0(cell.ce0, csP, T)));
      this.etaN = etaN;
      this.etaP = etaP;
      V = (Up + etaP) - (Un + etaN + film);
    } else {
      const g = this.grid, ce = this.ce;
      for (let k = 0; k < g.n; k++) ce[k] = y[this.offE + k] * cell.ce0;
      let ceAv = 0;
      for (let k = 0; k < g.n; k++) ceAv += ce[k] * g.dx[k];
      ceAv /= g.L;
      const nN = g.nN, nS = g.nS, nP = g.nP, off = nN + nS;
      let etaN = 0, mN = 0;
      for (let k = 0; k < nN; k++) {
        etaN += Math.asinh(jN / (2 * n.j0(ce[k], csN, T))) * g.dx[k];
        mN += Math.log(Math.max(ce[k] / ceAv, 1e-15)) * g.dx[k];
      }
      etaN *= 2 * RT_F / n.L;
      mN /= n.L;
      let etaP = 0;
      for (let k = off; k < g.n; k++) etaP += Math.asinh(jP / (2 * p.j0(ce[k], csP, T))) * g.dx[k];
      etaP *= 2 * RT_F / p.L;
      this.etaN = etaN;
      this.etaP = etaP;
      const dPhiN = etaN + Un + film;
      const dPhiP = etaP + Up;
      const kap = cell.kappa(ceAv, T);
      const kN = kap * n.torE, kS = kap * cell.torSep, kP = kap * p.torE;
      const Ln = n.L, Lp = p.L, L = g.L;
      let phiSnAv = 0;
      for (let k = 0; k < nN; k++) {
        const x = g.x[k];
        phiSnAv += (i / n.sigmaEff) * (x * (x - 2 * Ln) / (2 * Ln)) * g.dx[k];
      }
      phiSnAv /= Ln;
      const chiRT = cell.chi * RT_F;
      const phiEConst = -dPhiN + phiSnAv - chiRT * mN - i * Ln * (1 / (3 * kN) - 1 / kS);
      let phiEpAv = 0;
      for (let k = off; k < g.n; k++) {
        const x = g.x[k];
        const phi = phiEConst + chiRT * Math.log(Math.max(ce[k] / ceAv, 1e-15)) -
          (i / kP) * (x * (2 * L - x) + Lp * Lp - L * L) / (2 * Lp) - i * (L - Lp) / kS;
        phiEpAv += phi * g.dx[k];
      }
      phiEpAv /= Lp;
      const sp = p.sigmaEff;
      const c0 = dPhiP + phiEpAv + (i / sp) * (L - Lp / 3);
      const phiS = (x: number) => c0 - (i / sp) * (x + (x - L) ** 2 / (2 * Lp));
      V = 1.5 * phiS(g.x[g.n - 1]) - 0.5 * phiS(g.x[g.n - 2]);
      if (this.thermalOn) {
        // The composite potentials at the cell centres, for the Ohmic heat.
        const pe = this.phiE, ps = this.phiS;
        for (let k = 0; k < g.n; k++) {
          const x = g.x[k], d = g.domain[k];
          const mac = chiRT * Math.log(Math.max(ce[k] / ceAv, 1e-15));
          if (d === 0) {
            pe[k] = phiEConst + mac - (i / kN) * (x * x - Ln * Ln) / (2 * Ln) - i * Ln / kS;
            ps[k] = (i / n.sigmaEff) * (x * (x - 2 * Ln) / (2 * Ln));
          } else if (d === 1) {
            pe[k] = phiEConst + mac - (i / kS) * x;
            ps[k] = 0;
          } else {
            pe[k] = phiEConst + mac - (i / kP) * (x * (2 * L - x) + Lp * Lp - L * L) / (2 * Lp) -
              i * (L - Lp) / kS;
            ps[k] = phiS(x);
          }
        }
      }
      void nP;
    }
    return V - I * cell.Rcontact;
  }

  f(t: number, y: Float64Array, out: Float64Array): void {
    const cell = this.cell, n = cell.n, p = cell.p;
    const T = this.temperature(y);
    const I = this.current(y);
    const i = I / (cell.area * cell.nParallel);
    let jN = i / (n.a * n.L);
    const jP = -i / (p.a * p.L);
    const jTotN = jN;
    if (this.sei) jN -= -this.sei.j0 / y[this.iSei];
    // Particles.
    this.particle(this.gn, n, y, this.offN, out, T, jN, this.Dn);
    this.particle(this.gp, p, y, this.offP, out, T, jP, this.Dp);
    const V = this.voltageAt(y, I);
    if (this.withElectrolyte) this.electrolyte(y, out, T, i);
    if (this.sei) out[this.iSei] = this.sei.rate / y[this.iSei];
    if (this.iTemperature >= 0) {
      const th = this.thermal;
      const U = (e: typeof n, g: ParticleGrid, off: number) =>
        e.isothermalOcp ? 0 : e.dUdT(g.surface(y, off));
      // Heat per electrode area, W/m²: collectors, reactions (a j η integrated over x = ±i η),
      // reversible (±i T dU/dT); the Ohmic terms of the SPMe electrolyte and solid.
      let q = th.ccResistance * i * i + i * this.etaN - i * this.etaP +
        i * T * U(n, this.gn, this.offN) - i * T * U(p, this.gp, this.offP);
      if (this.withElectrolyte) q += this.ohmicHeat(i);
      const W = q * cell.area * cell.nParallel;
      out[this.iTemperature] = (W - th.hA * (T - cell.Tamb)) / th.heatCapacity;
    }
    void jTotN;
    counterRates(I, V, cell.oneC_A, out, this.iCounters);
    out[this.iCurrent] = controlResidual(this.control, t, I, V, cell.oneC_A);
  }

  row(index: number, t: number, y: Float64Array): number {
    if (index !== this.iCurrent) throw new RangeError(`row ${index} is not a dense row`);
    const I = this.current(y);
    return controlResidual(this.control, t, I, this.voltageAt(y, I), this.cell.oneC_A);
  }

  private particle(
    g: ParticleGrid,
    e: CompiledCell["n"],
    y: Float64Array,
    off: number,
    out: Float64Array,
    T: number,
    j: number,
    D: Float64Array,
  ): void {
    const flux = j / (FARADAY * e.cMax);
    if (e.dDependsOnSto) {
      for (let k = 0; k < g.N; k++) D[k] = e.D(y[off + k], T);
      g.rhs(y, off, out, D, 0, flux);
    } else {
      g.rhs(y, off, out, null, e.D(0.5, T), flux);
    }
  }

  /** Electrolyte conservation with the composite current i_e (node values, faces by mean). */
  private electrolyte(y: Float64Array, out: Float64Array, T: number, i: number): void {
    const cell = this.cell, g = this.grid, ce = this.ce, ie = this.ieNode;
    const off = this.offE, c0 = cell.ce0;
    for (let k = 0; k < g.n; k++) ce[k] = y[off + k] * c0;
    const Ln = cell.n.L, Lp = cell.p.L, L = g.L;
    for (let k = 0; k < g.n; k++) {
      const d = g.domain[k], x = g.x[k];
      ie[k] = d === 0 ? i * x / Ln : d === 1 ? i : i * (L - x) / Lp;
    }
    const tp = cell.tPlus;
    let Nin = 0;
    let Dk = g.tor[0] * cell.De(ce[0], T);
    for (let k = 0; k < g.n; k++) {
      let Nout = 0;
      let Dn = 0;
      if (k < g.n - 1) {
        Dn = g.tor[k + 1] * cell.De(ce[k + 1], T);
        const beta = g.w[k];
        const Dface = 1 / (beta / Dk + (1 - beta) / Dn);
        const ieFace = (1 - g.w[k]) * ie[k] + g.w[k] * ie[k + 1];
        Nout = -Dface * (ce[k + 1] - ce[k]) / g.dNode[k] + tp * ieFace / FARADAY;
      }
      const d = g.domain[k];
      const source = d === 0 ? i / (Ln * FARADAY) : d === 1 ? 0 : -i / (Lp * FARADAY);
      out[off + k] = (-(Nout - Nin) / g.dx[k] + source) / (g.eps[k] * c0);
      Nin = Nout;
      Dk = Dn;
    }
  }

  /**
   * Ohmic heat of the SPMe's composite solution, W/m², discretized as PyBaMM does: at each cell
   * centre −i_e ⟨∂φ_e/∂x⟩ − i_s ⟨∂φ_s/∂x⟩ with the currents at the centres and the gradients
   * averaged from the faces (φ_e over the whole cell with zero gradient at both ends; φ_s per
   * electrode, a ghost cell for φ_s = 0 at x = 0, zero at the separator, −i/σ at x = L).
   * Needs the potentials filled by {@link voltageAt} for the same state.
   */
  private ohmicHeat(i: number): number {
    const cell = this.cell, g = this.grid, pe = this.phiE, ps = this.phiS;
    const nN = g.nN, nS = g.nS, nx = g.n, Ln = cell.n.L, Lp = cell.p.L, L = g.L;
    let total = 0;
    for (let k = 0; k < nx; k++) {
      const d = g.domain[k], x = g.x[k], dx = g.dx[k];
      const gl = k === 0 ? 0 : (pe[k] - pe[k - 1]) / g.dNode[k - 1];
      const gr = k === nx - 1 ? 0 : (pe[k + 1] - pe[k]) / g.dNode[k];
      const ie = d === 0 ? i * x / Ln : d === 1 ? i : i * (L - x) / Lp;
      let q = -ie * 0.5 * (gl + gr);
      if (d === 0) {
        const sl = k === 0 ? 2 * ps[0] / dx : (ps[k] - ps[k - 1]) / dx;
        const sr = k === nN - 1 ? 0 : (ps[k + 1] - ps[k]) / dx;
        q -= i * (1 - x / Ln) * 0.5 * (sl + sr);
      } else if (d === 2) {
        const sl = k === nN + nS ? 0 : (ps[k] - ps[k - 1]) / dx;
        const sr = k === nx - 1 ? -i / cell.p.sigmaEff : (ps[k + 1] - ps[k]) / dx;
        q -= i * (1 - (L - x) / Lp) * 0.5 * (sl + sr);
      }
      total += q * dx;
    }
    return total;
  }

  snapshot(y: Float64Array): StateSnapshot {
    const cell = this.cell;
    const xs = this.gn.surface(y, this.offN), ys = this.gp.surface(y, this.offP);
    const xm = this.gn.mean(y, this.offN), ym = this.gp.mean(y, this.offP);
    const volN = cell.n.epsS * cell.n.L * cell.area * cell.nParallel;
    const volP = cell.p.epsS * cell.p.L * cell.area * cell.nParallel;
    const ceL = this.withElectrolyte ? y[this.offE] * cell.ce0 : cell.ce0;
    const ceR = this.withElectrolyte ? y[this.offE + this.grid.n - 1] * cell.ce0 : cell.ce0;
    const L = this.sei ? y[this.iSei] * this.sei.L0 : NaN;
    return {
      negativeSurfaceSto: xs,
      positiveSurfaceSto: ys,
      negativeMeanSto: xm,
      positiveMeanSto: ym,
      electrolyteNegative: ceL,
      electrolytePositive: ceR,
      temperature: this.temperature(y),
      seiThickness: L,
      lithiumParticles: xm * cell.n.cMax * volN + ym * cell.p.cMax * volP,
      lithiumLostToSei: this.sei ? (L - this.sei.L0) * this.sei.molPerMetre : 0,
    };
  }

  electrolyteProfile(y: Float64Array, out: Float64Array): void {
    for (let k = 0; k < this.grid.n; k++) {
      out[k] = this.withElectrolyte ? y[this.offE + k] * this.cell.ce0 : this.cell.ce0;
    }
  }

  stoichiometryRange(y: Float64Array): [number, number] {
    const a = this.gn.surface(y, this.offN), b = this.gp.surface(y, this.offP);
    return [Math.min(a, b), Math.max(a, b)];
  }
}
