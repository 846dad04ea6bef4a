// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * A variable-order (1–5), quasi-constant-step BDF integrator for semi-explicit index-1 DAEs
 * `M y' = f(t, y)` with a diagonal mass matrix (1 on differential rows, 0 on algebraic rows).
 *
 * The method is the one of Shampine & Reichelt's ode15s as SciPy's `BDF` implements it
 * (numerical differentiation formulas in backward-difference form, error estimate from the
 * order-(k+1) difference, order selection from the neighbouring orders), extended to algebraic
 * rows in the Newton system (M − cJ). The Jacobian is built by finite differences with column
 * colouring over the model's sparsity pattern and factorized by the sparse LU of
 * `_sparse_lu.ts`; it is re-evaluated only when Newton fails to converge, and refactorized when
 * the step size changes. Events are located on the dense output (the interpolating polynomial
 * of the backward differences) by the Illinois method.
 */

import { colorColumns, type Pattern, SparseLu } from "./_sparse_lu.ts";

/** A DAE system. */
export interface DaeSystem {
  /** Number of unknowns. */
  n: number;
  /** 1 for algebraic unknowns (rows), 0 for differential ones. */
  algebraic: Uint8Array;
  /** Sparsity pattern of ∂f/∂y. */
  pattern: Pattern;
  /** f(t, y), written to `out`. */
  f(t: number, y: Float64Array, out: Float64Array): void;
  /**
   * Rows that depend on many unknowns through a cheap function (a voltage-controlled current
   * whose voltage depends on every electrolyte cell): their Jacobian entries are found one
   * column at a time with {@link DaeSystem.row}, and they do not take part in the colouring.
   */
  denseRows?: readonly number[];
  /** The residual of one dense row at (t, y). */
  row?(index: number, t: number, y: Float64Array): number;
}

/** A terminal event: integration stops where `g` crosses zero from above. */
export type EventFunction = (t: number, y: Float64Array) => number;

/** Counters of the work done. */
export interface SolverStats {
  /** Accepted steps. */
  steps: number;
  /** Rejected steps (error test or Newton failure). */
  rejected: number;
  /** Evaluations of f (including those for Jacobians). */
  fEvaluations: number;
  /** Jacobian evaluations. */
  jacobians: number;
  /** LU factorizations. */
  factorizations: number;
}

/** Options of {@link BdfSolver.integrate}. */
export interface IntegrateOptions {
  /** Events that stop the integration. */
  events?: readonly EventFunction[];
  /**
   * Called after every accepted step with the step's interval and the dense output
   * (`interpolate(t, out)` for t in [tOld, tNew]).
   */
  onStep?: (
    tOld: number,
    tNew: number,
    interpolate: (t: number, out: Float64Array) => void,
  ) => void;
  /** Largest step. @default {Infinity} */
  maxStep?: number;
  /** First step to try (otherwise estimated). */
  firstStep?: number;
}

/** Result of {@link BdfSolver.integrate}. */
export interface IntegrateResult {
  /** Where integration stopped. */
  t: number;
  /** Index of the event that stopped it, or -1 when it reached the end time. */
  event: number;
}

const MAX_ORDER = 5;
const NEWTON_MAXITER = 4;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;
const KAPPA = [0, -0.185, -1 / 9, -0.0823, -0.0415, 0];
const GAMMA = [
  0,
  1,
  1.5,
  1 + 1 / 2 + 1 / 3,
  1 + 1 / 2 + 1 / 3 + 1 / 4,
  1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5,
];
const ALPHA = KAPPA.map((k, i) => (1 - k) * GAMMA[i]);
const ERROR_CONST = KAPPA.map((k, i) => k * GAMMA[i] + 1 / (i + 1));

/**
 * Thrown when the integrator cannot proceed.
 *
 * @example
 * ```ts
 * import { SolverError } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(new SolverError("step size too small").name, "SolverError");
 * ```
 */
export class SolverError extends Error {
  /**
   * The integrator cannot proceed.
   *
   * @param message What happened.
   */
  constructor(message: string) {
    super(message);
    this.name = "SolverError";
  }
}

/** The integrator, holding its workspace for one system. */
export class BdfSolver {
  /** The system. */
  readonly system: DaeSystem;
  /** Current time. */
  t = 0;
  /** Current state (owned by the solver; copy before keeping). */
  readonly y: Float64Array;
  /** Relative tolerance. */
  rtol: number;
  /** Absolute tolerance of each unknown. */
  readonly atol: Float64Array;
  /** Work counters. */
  readonly stats: SolverStats = {
    steps: 0,
    rejected: 0,
    fEvaluations: 0,
    jacobians: 0,
    factorizations: 0,
  };
  private readonly n: number;
  private readonly lu: SparseLu;
  private readonly jac: Float64Array;
  private readonly color: Int32Array;
  private readonly colorCount: number;
  private readonly colorCols: Int32Array[];
  private readonly D: Float64Array[];
  private readonly f0: Float64Array;
  private readonly f1: Float64Array;
  private readonly yWork: Float64Array;
  private readonly yPred: Float64Array;
  private readonly psi: Float64Array;
  private readonly d: Float64Array;
  private readonly dy: Float64Array;
  private readonly scale: Float64Array;
  private readonly yNew: Float64Array;
  private readonly rowOf: Int32Array;
  private readonly colorEntries: Int32Array[];
  private readonly fJ: Float64Array;
  private readonly hJ: Float64Array;
  private order = 1;
  private hAbs = 0;
  private nEqualSteps = 0;
  private luValid = false;
  private luC = NaN;
  private jacCurrent = false;
  private jacValid = false;
  private readonly dense: Float64Array[];
  private denseOrder = 1;
  private denseT = 0;
  private denseH = 0;

  /**
   * @param system The DAE.
   * @param options Tolerances (`atol` may be one number or one per unknown).
   */
  constructor(system: DaeSystem, options: { rtol: number; atol: number | Float64Array }) {
    const n = system.n;
    this.system = system;
    this.n = n;
    this.y = new Float64Array(n);
    this.rtol = options.rtol;
    this.atol = typeof options.atol === "number"
      ? new Float64Array(n).fill(options.atol)
      : Float64Array.from(options.atol);
    this.lu = new SparseLu(system.pattern);
    this.jac = new Float64Array(system.pattern.colIdx.length);
    const { color, count } = colorColumns(system.pattern, system.denseRows ?? []);
    this.color = color;
    this.colorCount = count;
    const groups: number[][] = Array.from({ length: count }, () => []);
    for (let j = 0; j < n; j++) groups[color[j]].push(j);
    this.colorCols = groups.map((g) => Int32Array.from(g));
    this.rowOf = new Int32Array(system.pattern.colIdx.length);
    for (let i = 0; i < n; i++) {
      for (let p = system.pattern.rowPtr[i]; p < system.pattern.rowPtr[i + 1]; p++) {
        this.rowOf[p] = i;
      }
    }
    const entries: number[][] = Array.from({ length: count }, () => []);
    const isDense = new Uint8Array(n);
    for (const r of system.denseRows ?? []) isDense[r] = 1;
    for (let i = 0; i < n; i++) {
      if (isDense[i]) continue;
      for (let p = system.pattern.rowPtr[i]; p < system.pattern.rowPtr[i + 1]; p++) {
        entries[color[system.pattern.colIdx[p]]].push(p);
      }
    }
    this.colorEntries = entries.map((e) => Int32Array.from(e));
    this.fJ = new Float64Array(n);
    this.hJ = new Float64Array(n);
    this.D = Array.from({ length: MAX_ORDER + 3 }, () => new Float64Array(n));
    this.dense = Array.from({ length: MAX_ORDER + 1 }, () => new Float64Array(n));
    this.f0 = new Float64Array(n);
    this.f1 = new Float64Array(n);
    this.yWork = new Float64Array(n);
    this.yPred = new Float64Array(n);
    this.psi = new Float64Array(n);
    this.d = new Float64Array(n);
    this.dy = new Float64Array(n);
    this.scale = new Float64Array(n);
    this.yNew = new Float64Array(n);
  }

  /** Number of colours of the finite-difference Jacobian. */
  get jacobianGroups(): number {
    return this.colorCount;
  }

  /** Multiply-adds of one LU factorization. */
  get luOperations(): number {
    return this.lu.operations;
  }

  private fEval(t: number, y: Float64Array, out: Float64Array): void {
    this.stats.fEvaluations++;
    this.system.f(t, y, out);
  }

  /** Finite-difference Jacobian at (t, y) (one f evaluation per column group). */
  private evalJacobian(t: number, y: Float64Array): void {
    this.stats.jacobians++;
    const yw = this.yWork, f1 = this.f1, fy = this.fJ, jac = this.jac, h = this.hJ;
    const colIdx = this.system.pattern.colIdx, rowOf = this.rowOf;
    this.fEval(t, y, fy);
    yw.set(y);
    for (let g = 0; g < this.colorCount; g++) {
      const cols = this.colorCols[g];
      for (let k = 0; k < cols.length; k++) {
        const j = cols[k];
        const hj = 1.4901161193847656e-8 *
          Math.max(Math.abs(y[j]), this.atol[j] / this.rtol, 1e-3);
        h[j] = hj;
        yw[j] = y[j] + hj;
      }
      this.fEval(t, yw, f1);
      for (let k = 0; k < cols.length; k++) yw[cols[k]] = y[cols[k]];
      const entries = this.colorEntries[g];
      for (let q = 0; q < entries.length; q++) {
        const p = entries[q], i = rowOf[p], j = colIdx[p];
        jac[p] = (f1[i] - fy[i]) / h[j];
      }
    }
    const dense = this.system.denseRows;
    if (dense && dense.length > 0) {
      const pat = this.system.pattern, rowFn = this.system.row!.bind(this.system);
      for (const i of dense) {
        const base = rowFn(i, t, y);
        for (let p = pat.rowPtr[i]; p < pat.rowPtr[i + 1]; p++) {
          const j = colIdx[p];
          const hj = 1.4901161193847656e-8 *
            Math.max(Math.abs(y[j]), this.atol[j] / this.rtol, 1e-3);
          yw[j] = y[j] + hj;
          jac[p] = (rowFn(i, t, yw) - base) / hj;
          yw[j] = y[j];
        }
      }
    }
    this.jacValid = true;
    this.jacCurrent = true;
  }

  /**
   * Load M − cJ (differential rows) / J (algebraic rows) and factorize.
   *
   * @returns `false` when the matrix is singular or not finite (the caller shrinks the step).
   */
  private factorize(c: number): boolean {
    this.stats.factorizations++;
    const lu = this.lu, v = lu.values, jac = this.jac, pat = this.system.pattern;
    const alg = this.system.algebraic;
    v.fill(0);
    for (let i = 0; i < this.n; i++) {
      const a = alg[i] === 1;
      for (let p = pat.rowPtr[i]; p < pat.rowPtr[i + 1]; p++) {
        v[lu.sourcePos[p]] = a ? jac[p] : -c * jac[p];
      }
      if (!a) v[lu.diagPos[i]] += 1;
    }
    if (!lu.factor()) {
      this.luValid = false;
      return false;
    }
    this.luValid = true;
    this.luC = c;
    return true;
  }

  private norm(v: Float64Array): number {
    let s = 0;
    const sc = this.scale;
    for (let i = 0; i < this.n; i++) {
      const r = v[i] / sc[i];
      s += r * r;
    }
    return Math.sqrt(s / this.n);
  }

  /**
   * Make the algebraic unknowns consistent with the differential ones at time t (Newton on the
   * algebraic rows with the differential unknowns fixed), starting from `y`.
   *
   * @param t Time.
   * @param y State; its algebraic entries are updated in place.
   * @throws {SolverError} When Newton does not converge.
   */
  consistentInitialize(t: number, y: Float64Array): void {
    const n = this.n, alg = this.system.algebraic, f = this.f0, dy = this.dy;
    let anyAlg = false;
    for (let i = 0; i < n; i++) if (alg[i]) anyAlg = true;
    if (!anyAlg) return;
    const lu = this.lu, v = lu.values, pat = this.system.pattern;
    let lastNorm = Infinity;
    for (let iter = 0; iter < 50; iter++) {
      this.fEval(t, y, f);
      let fmax = 0;
      for (let i = 0; i < n; i++) if (alg[i]) fmax = Math.max(fmax, Math.abs(f[i]));
      if (!Number.isFinite(fmax)) {
        throw new SolverError("the algebraic equations are not finite at the initial state");
      }
      this.evalJacobian(t, y);
      this.stats.factorizations++;
      v.fill(0);
      for (let i = 0; i < n; i++) {
        if (alg[i]) {
          for (let p = pat.rowPtr[i]; p < pat.rowPtr[i + 1]; p++) v[lu.sourcePos[p]] = this.jac[p];
        } else {
          v[lu.diagPos[i]] = 1;
        }
      }
      if (!lu.factor()) throw new SolverError("the algebraic equations have a singular Jacobian");
      this.luValid = false;
      for (let i = 0; i < n; i++) dy[i] = alg[i] ? -f[i] : 0;
      lu.solve(dy);
      let step = 0;
      for (let i = 0; i < n; i++) {
        if (!alg[i]) continue;
        const s = Math.abs(dy[i]) / (this.atol[i] + this.rtol * Math.abs(y[i]));
        step = Math.max(step, s);
      }
      // Damped update when the step is large (keeps concentrations and potentials sane).
      let lambda = 1;
      if (step > 1e6) lambda = 0.5;
      for (let i = 0; i < n; i++) if (alg[i]) y[i] += lambda * dy[i];
      if (step < 1e-6 && iter > 0) return;
      if (step < 1e-9) return;
      if (iter > 10 && step > lastNorm) break;
      lastNorm = step;
    }
    this.fEval(t, y, f);
    let fmax = 0;
    for (let i = 0; i < n; i++) if (alg[i]) fmax = Math.max(fmax, Math.abs(f[i]));
    if (!(fmax < 1e-6)) {
      throw new SolverError(
        `cannot find consistent algebraic unknowns at t = ${t} s (residual ${
          fmax.toExponential(2)
        })`,
      );
    }
  }

  /**
   * Start from (t0, y0): the algebraic unknowns are made consistent first.
   *
   * @param t0 Start time.
   * @param y0 Start state (copied).
   * @param firstStep Optional first step size.
   */
  reset(t0: number, y0: Float64Array, firstStep?: number): void {
    const n = this.n;
    this.t = t0;
    this.y.set(y0);
    this.consistentInitialize(t0, this.y);
    this.fEval(t0, this.y, this.f0);
    const alg = this.system.algebraic;
    // Initial step (SciPy's select_initial_step on the differential unknowns).
    for (let i = 0; i < n; i++) this.scale[i] = this.atol[i] + this.rtol * Math.abs(this.y[i]);
    let h: number;
    if (firstStep !== undefined) h = firstStep;
    else {
      let d0 = 0, d1 = 0, m = 0;
      for (let i = 0; i < n; i++) {
        if (alg[i]) continue;
        m++;
        d0 += (this.y[i] / this.scale[i]) ** 2;
        d1 += (this.f0[i] / this.scale[i]) ** 2;
      }
      d0 = Math.sqrt(d0 / Math.max(m, 1));
      d1 = Math.sqrt(d1 / Math.max(m, 1));
      const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
      for (let i = 0; i < n; i++) this.yWork[i] = this.y[i] + (alg[i] ? 0 : h0 * this.f0[i]);
      this.fEval(t0 + h0, this.yWork, this.f1);
      let d2 = 0;
      for (let i = 0; i < n; i++) {
        if (alg[i]) continue;
        d2 += ((this.f1[i] - this.f0[i]) / this.scale[i]) ** 2;
      }
      d2 = Math.sqrt(d2 / Math.max(m, 1)) / h0;
      const h1 = d1 <= 1e-15 && d2 <= 1e-15
        ? Math.max(1e-6, h0 * 1e-3)
        : (0.01 / Math.max(d1, d2)) ** 0.5;
      h = Math.min(100 * h0, h1);
    }
    this.hAbs = h;
    this.order = 1;
    this.nEqualSteps = 0;
    for (const row of this.D) row.fill(0);
    this.D[0].set(this.y);
    for (let i = 0; i < n; i++) this.D[1][i] = alg[i] ? 0 : this.f0[i] * h;
    this.luValid = false;
    this.jacCurrent = false;
    this.jacValid = false;
  }

  /** Rescale the difference array for a step-size change by `factor`. */
  private changeD(factor: number): void {
    const order = this.order, n = this.n;
    // R(order, factor) and U = R(order, 1), both (order+1)x(order+1).
    const R = computeR(order, factor), U = computeR(order, 1);
    const k = order + 1;
    const RU = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let m = 0; m < k; m++) s += R[i * k + m] * U[m * k + j];
        RU[i * k + j] = s;
      }
    }
    // D[:k] = RU^T D[:k]
    const tmp = new Float64Array(k);
    for (let c = 0; c < n; c++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let m = 0; m < k; m++) s += RU[m * k + j] * this.D[m][c];
        tmp[j] = s;
      }
      for (let j = 0; j < k; j++) this.D[j][c] = tmp[j];
    }
  }

  /** Dense output of the last accepted step at time t, into `out`. */
  interpolate(t: number, out: Float64Array): void {
    const order = this.denseOrder, h = this.denseH, tn = this.denseT, n = this.n;
    out.set(this.dense[0]);
    let p = 1;
    for (let j = 1; j <= order; j++) {
      p *= (t - (tn - h * (j - 1))) / (h * j);
      const Dj = this.dense[j];
      for (let i = 0; i < n; i++) out[i] += Dj[i] * p;
    }
  }

  /**
   * Integrate until `tEnd` or an event.
   *
   * @param tEnd End time.
   * @param options Events, step callback, maximum step.
   * @returns Where it stopped; `this.y` holds the state there.
   * @throws {SolverError} When the step size underflows or Newton keeps failing.
   */
  integrate(tEnd: number, options: IntegrateOptions = {}): IntegrateResult {
    const events = options.events ?? [];
    const maxStep = options.maxStep ?? Infinity;
    const n = this.n, alg = this.system.algebraic;
    const gOld = new Float64Array(events.length);
    for (let e = 0; e < events.length; e++) gOld[e] = events[e](this.t, this.y);
    const gNew = new Float64Array(events.length);
    const tol = Math.max(10 * Number.EPSILON / this.rtol, Math.min(0.03, this.rtol ** 0.5));
    const D = this.D, yPred = this.yPred, psi = this.psi, d = this.d, dy = this.dy;
    const scale = this.scale, f = this.f0, yNew = this.yNew;
    if (this.hAbs > maxStep) {
      this.changeD(maxStep / this.hAbs);
      this.hAbs = maxStep;
      this.nEqualSteps = 0;
      this.luValid = false;
    }
    while (this.t < tEnd) {
      const t = this.t;
      const minStep = 10 * Math.abs(nextAfter(t) - t);
      if (this.hAbs > maxStep) {
        this.changeD(maxStep / this.hAbs);
        this.hAbs = maxStep;
        this.nEqualSteps = 0;
        this.luValid = false;
      }
      let accepted = false;
      let errorNorm = 0;
      let safety = 0.9;
      let tNew = t;
      this.jacCurrent = false;
      while (!accepted) {
        if (this.hAbs < minStep) {
          throw new SolverError(
            `the step size fell below ${minStep.toExponential(1)} s at t = ${t} s`,
          );
        }
        tNew = t + this.hAbs;
        if (tNew > tEnd) {
          tNew = tEnd;
          this.changeD((tNew - t) / this.hAbs);
          this.nEqualSteps = 0;
          this.luValid = false;
        }
        const h = tNew - t;
        this.hAbs = h;
        const order = this.order;
        yPred.set(D[0]);
        for (let j = 1; j <= order; j++) {
          const Dj = D[j];
          for (let i = 0; i < n; i++) yPred[i] += Dj[i];
        }
        for (let i = 0; i < n; i++) scale[i] = this.atol[i] + this.rtol * Math.abs(yPred[i]);
        psi.fill(0);
        for (let j = 1; j <= order; j++) {
          const g = GAMMA[j] / ALPHA[order], Dj = D[j];
          for (let i = 0; i < n; i++) psi[i] += Dj[i] * g;
        }
        const c = h / ALPHA[order];
        let converged = false, nIter = 0;
        while (!converged) {
          if (!this.jacValid) this.evalJacobian(tNew, yPred);
          if ((!this.luValid || this.luC !== c) && !this.factorize(c)) {
            // A singular or non-finite Newton matrix: a fresh Jacobian, else a smaller step
            // (whose prediction gets a fresh Jacobian too).
            this.jacValid = false;
            if (this.jacCurrent) break;
            continue;
          }
          // Newton iteration.
          yNew.set(yPred);
          d.fill(0);
          let dyNormOld = -1;
          converged = false;
          let k = 0;
          for (k = 0; k < NEWTON_MAXITER; k++) {
            this.fEval(tNew, yNew, f);
            let finite = true;
            for (let i = 0; i < n; i++) {
              if (!Number.isFinite(f[i])) {
                finite = false;
                break;
              }
              dy[i] = alg[i] ? -f[i] : c * f[i] - psi[i] - d[i];
            }
            if (!finite) break;
            this.lu.solve(dy);
            const dyNorm = this.norm(dy);
            const rate = dyNormOld < 0 ? -1 : dyNorm / dyNormOld;
            if (
              rate >= 0 &&
              (rate >= 1 || rate ** (NEWTON_MAXITER - k) / (1 - rate) * dyNorm > tol)
            ) break;
            for (let i = 0; i < n; i++) {
              yNew[i] += dy[i];
              d[i] += dy[i];
            }
            if (dyNorm === 0 || (rate >= 0 && rate / (1 - rate) * dyNorm < tol)) {
              converged = true;
              break;
            }
            dyNormOld = dyNorm;
          }
          nIter = k + 1;
          if (!converged) {
            if (this.jacCurrent) break;
            this.evalJacobian(tNew, yPred);
            this.luValid = false;
          }
        }
        if (!converged) {
          this.stats.rejected++;
          this.hAbs *= 0.5;
          this.changeD(0.5);
          this.nEqualSteps = 0;
          this.luValid = false;
          continue;
        }
        safety = 0.9 * (2 * NEWTON_MAXITER + 1) / (2 * NEWTON_MAXITER + nIter);
        for (let i = 0; i < n; i++) scale[i] = this.atol[i] + this.rtol * Math.abs(yNew[i]);
        let s = 0;
        const ec = ERROR_CONST[order];
        for (let i = 0; i < n; i++) {
          const r = ec * d[i] / scale[i];
          s += r * r;
        }
        errorNorm = Math.sqrt(s / n);
        if (errorNorm > 1) {
          this.stats.rejected++;
          const factor = Math.max(MIN_FACTOR, safety * errorNorm ** (-1 / (order + 1)));
          this.hAbs *= factor;
          this.changeD(factor);
          this.nEqualSteps = 0;
          this.luValid = false;
        } else {
          accepted = true;
        }
      }
      // Accept.
      this.stats.steps++;
      const order = this.order;
      const h = tNew - t;
      this.nEqualSteps++;
      this.t = tNew;
      this.y.set(yNew);
      const Dp2 = D[order + 2], Dp1 = D[order + 1];
      for (let i = 0; i < n; i++) {
        Dp2[i] = d[i] - Dp1[i];
        Dp1[i] = d[i];
      }
      for (let j = order; j >= 0; j--) {
        const Dj = D[j], Dj1 = D[j + 1];
        for (let i = 0; i < n; i++) Dj[i] += Dj1[i];
      }
      // Dense output of this step.
      this.denseOrder = order;
      this.denseT = tNew;
      this.denseH = h;
      for (let j = 0; j <= order; j++) this.dense[j].set(D[j]);
      // Events.
      let fired = -1, tEvent = tNew;
      for (let e = 0; e < events.length; e++) {
        gNew[e] = events[e](tNew, this.y);
        if (gOld[e] > 0 && !(gNew[e] > 0)) {
          const te = this.locate(events[e], t, tNew, gOld[e], gNew[e]);
          if (fired < 0 || te < tEvent) {
            fired = e;
            tEvent = te;
          }
        }
      }
      if (fired >= 0) {
        this.interpolate(tEvent, this.yWork);
        options.onStep?.(t, tEvent, (tt, out) => this.interpolate(tt, out));
        this.t = tEvent;
        this.y.set(this.yWork);
        return { t: tEvent, event: fired };
      }
      gOld.set(gNew);
      options.onStep?.(t, tNew, (tt, out) => this.interpolate(tt, out));
      if (this.nEqualSteps < order + 1) continue;
      // Order and step-size selection.
      let errorMNorm = Infinity, errorPNorm = Infinity;
      if (order > 1) {
        let s = 0;
        const ec = ERROR_CONST[order - 1], Dk = D[order];
        for (let i = 0; i < n; i++) {
          const r = ec * Dk[i] / scale[i];
          s += r * r;
        }
        errorMNorm = Math.sqrt(s / n);
      }
      if (order < MAX_ORDER) {
        let s = 0;
        const ec = ERROR_CONST[order + 1], Dk = D[order + 2];
        for (let i = 0; i < n; i++) {
          const r = ec * Dk[i] / scale[i];
          s += r * r;
        }
        errorPNorm = Math.sqrt(s / n);
      }
      const factors = [
        errorMNorm ** (-1 / order),
        errorNorm ** (-1 / (order + 1)),
        errorPNorm ** (-1 / (order + 2)),
      ];
      let best = 0;
      for (let i = 1; i < 3; i++) if (factors[i] > factors[best]) best = i;
      this.order = order + best - 1;
      const factor = Math.min(MAX_FACTOR, safety * factors[best]);
      this.hAbs *= factor;
      this.changeD(factor);
      this.nEqualSteps = 0;
      this.luValid = false;
    }
    return { t: this.t, event: -1 };
  }

  /** Illinois root finding of an event on the dense output of the last step. */
  private locate(g: EventFunction, t0: number, t1: number, g0: number, g1: number): number {
    const y = this.yWork;
    let a = t0, b = t1, fa = g0, fb = g1, side = 0;
    for (let it = 0; it < 100; it++) {
      if (Math.abs(b - a) <= 1e-12 * Math.max(1, Math.abs(b))) break;
      const c = b - fb * (b - a) / (fb - fa);
      const tc = Number.isFinite(c) && c > Math.min(a, b) && c < Math.max(a, b) ? c : 0.5 * (a + b);
      this.interpolate(tc, y);
      const fc = g(tc, y);
      if (fc > 0) {
        a = tc;
        fa = fc;
        if (side === -1) fb /= 2;
        side = -1;
      } else {
        b = tc;
        fb = fc;
        if (side === 1) fa /= 2;
        side = 1;
        if (fc === 0) break;
      }
    }
    return b;
  }
}

function computeR(order: number, factor: number): Float64Array {
  const k = order + 1;
  const M = new Float64Array(k * k);
  for (let j = 0; j < k; j++) M[j] = 1;
  for (let i = 1; i < k; i++) {
    for (let j = 1; j < k; j++) M[i * k + j] = (i - 1 - factor * j) / i;
  }
  // Cumulative product down the columns.
  for (let i = 1; i < k; i++) {
    for (let j = 0; j < k; j++) M[i * k + j] *= M[(i - 1) * k + j];
  }
  return M;
}

function nextAfter(t: number): number {
  if (t === 0) return Number.MIN_VALUE;
  const buf = new Float64Array([t]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] += t > 0 ? 1n : -1n;
  return buf[0];
}
