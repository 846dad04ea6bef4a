// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { leastSquares } from "./_least_squares.ts";
import { linearLeastSquares } from "./_linalg.ts";

/** Names of the fade models. */
export type FadeModelName = "linear" | "sqrt" | "power" | "exponential";

/** Every fade model, in order of increasing complexity. */
export const FADE_MODELS: readonly FadeModelName[] = ["linear", "sqrt", "exponential", "power"];

/** Formula of each model, y = retention (fraction), n = cycle number. */
export const FADE_MODEL_FORMULAS: Record<FadeModelName, string> = {
  linear: "y = a + b·n",
  sqrt: "y = a + b·√n",
  exponential: "y = a·exp(b·n)",
  power: "y = a + b·n^c",
};

/** Bounds of the power law's exponent c. */
const POWER_C_BOUNDS = [1e-3, 20] as const;

const PARAM_NAMES: Record<FadeModelName, string[]> = {
  linear: ["a", "b"],
  sqrt: ["a", "b"],
  exponential: ["a", "b"],
  power: ["a", "b", "c"],
};

/** One fitted fade model. */
export interface FadeFit {
  /** Model name. */
  model: FadeModelName;
  /** Formula (see {@link FADE_MODEL_FORMULAS}). */
  formula: string;
  /** Fitted parameters by name. */
  params: Record<string, number>;
  /** Standard errors by name (`NaN` when the covariance is unavailable). */
  standard_errors: Record<string, number>;
  /** Parameter covariance, row-major in the order of `params`, or `null`. */
  covariance: number[][] | null;
  /** Number of points. */
  n: number;
  /** Number of fitted parameters. */
  k: number;
  /** Residual sum of squares. */
  rss: number;
  /** Coefficient of determination 1 − RSS/TSS. */
  r_squared: number;
  /** Root-mean-square residual. */
  rmse: number;
  /**
   * Akaike information criterion for least squares, `n·ln(RSS/n) + 2(k + 1)` (the +1 counts
   * the residual variance). RSS is floored at 1e-300 so exact fits stay finite.
   */
  aic: number;
  /** Small-sample corrected AIC, `aic + 2(k+1)(k+2)/(n − k − 2)` (`Infinity` when n ≤ k + 2). */
  aicc: number;
  /** Whether the least-squares iteration converged. */
  converged: boolean;
  /**
   * Why the fit cannot be trusted, in words (empty when it can): the iteration did not
   * converge; a parameter sits at its bound (the power law's exponent at 0.001 or 20); the
   * covariance is singular; or a parameter other than the fade amplitude `b` has a standard
   * error larger than its value (not determined by the data). `b` is exempt: on data that do
   * not fade it is legitimately indistinguishable from 0, and the fit then says so.
   */
  issues: string[];
  /** `issues.length === 0`; only trustworthy fits can be `best`. */
  trustworthy: boolean;
}

/** Options of {@link fitFadeModels}. */
export interface FadeModelOptions {
  /** Models to fit. @default {all of FADE_MODELS} */
  models?: readonly FadeModelName[];
}

/** Result of {@link fitFadeModels}. */
export interface FadeModelsResult {
  /** The fits that succeeded, in the order asked. */
  fits: FadeFit[];
  /** Models that could not be fitted, with the reason. */
  failed: { model: FadeModelName; reason: string }[];
  /**
   * The trustworthy fit with the lowest AIC (ties go to fewer parameters), or `null` when no
   * fit is trustworthy (see `reason`).
   */
  best: FadeFit | null;
  /** Why there is no best fit (nothing could be fitted, or no fit is trustworthy), else `null`. */
  reason: string | null;
}

/**
 * Value of a fitted model at cycle `n`.
 *
 * @param fit A fit from {@link fitFadeModels}.
 * @param cycle Cycle number.
 * @returns The modelled retention (fraction).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { evaluateFadeModel } from "./fade_models.ts";
 * equal(evaluateFadeModel({ model: "linear", params: { a: 1, b: -0.001 } }, 100), 0.9);
 * ```
 */
export function evaluateFadeModel(
  fit: Pick<FadeFit, "model" | "params">,
  cycle: number,
): number {
  return modelValue(fit.model, paramArray(fit), cycle);
}

function paramArray(fit: Pick<FadeFit, "model" | "params">): number[] {
  return PARAM_NAMES[fit.model].map((name) => fit.params[name]);
}

/** y(n) for parameters p. */
function modelValue(model: FadeModelName, p: ArrayLike<number>, n: number): number {
  switch (model) {
    case "linear":
      return p[0] + p[1] * n;
    case "sqrt":
      return p[0] + p[1] * Math.sqrt(n);
    case "exponential":
      return p[0] * Math.exp(p[1] * n);
    case "power":
      return p[0] + p[1] * (n === 0 ? 0 : Math.pow(n, p[2]));
  }
}

/** ∂y/∂p at n, written into `out`. */
function modelGradient(model: FadeModelName, p: ArrayLike<number>, n: number, out: number[]): void {
  switch (model) {
    case "linear":
      out[0] = 1, out[1] = n;
      return;
    case "sqrt":
      out[0] = 1, out[1] = Math.sqrt(n);
      return;
    case "exponential": {
      const e = Math.exp(p[1] * n);
      out[0] = e, out[1] = p[0] * n * e;
      return;
    }
    case "power": {
      const pw = n === 0 ? 0 : Math.pow(n, p[2]);
      out[0] = 1, out[1] = pw, out[2] = n === 0 ? 0 : p[1] * pw * Math.log(n);
      return;
    }
  }
}

/** Linear least squares of y on columns f_j(x); null when rank-deficient. */
function linearFit(x: Float64Array, y: Float64Array, cols: ((v: number) => number)[]) {
  const m = x.length, k = cols.length;
  const design = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) design[i * k + j] = cols[j](x[i]);
  return linearLeastSquares(design, y, m, k);
}

function startingPoint(model: FadeModelName, x: Float64Array, y: Float64Array): number[] | string {
  const one = () => 1;
  switch (model) {
    case "linear": {
      const s = linearFit(x, y, [one, (v) => v]);
      return s ? Array.from(s) : "the cycles do not vary";
    }
    case "sqrt": {
      const s = linearFit(x, y, [one, (v) => Math.sqrt(v)]);
      return s ? Array.from(s) : "the cycles do not vary";
    }
    case "exponential": {
      if (!y.every((v) => v > 0)) return "retention must be positive for the exponential model";
      const s = linearFit(x, y.map(Math.log), [one, (v) => v]);
      return s ? [Math.exp(s[0]), s[1]] : "the cycles do not vary";
    }
    case "power": {
      // Profile the exponent on a log grid with (a, b) by linear least squares.
      let best: number[] | null = null;
      let bestRss = Infinity;
      for (let g = 0; g <= 40; g++) {
        const c = Math.pow(10, -1.5 + (g * 2.5) / 40); // 0.03 … 10
        const s = linearFit(x, y, [one, (v) => (v === 0 ? 0 : Math.pow(v, c))]);
        if (!s) continue;
        let rss = 0;
        for (let i = 0; i < x.length; i++) {
          rss += (modelValue("power", [s[0], s[1], c], x[i]) - y[i]) ** 2;
        }
        if (rss < bestRss) bestRss = rss, best = [s[0], s[1], c];
      }
      return best ?? "the cycles do not vary";
    }
  }
}

function fitOne(model: FadeModelName, x: Float64Array, y: Float64Array): FadeFit | string {
  const k = PARAM_NAMES[model].length;
  const n = x.length;
  if (n <= k) return `needs more than ${k} points, got ${n}`;
  const p0 = startingPoint(model, x, y);
  if (typeof p0 === "string") return p0;
  const grad: number[] = new Array(k);
  const result = leastSquares(
    {
      m: n,
      residuals(p, out) {
        for (let i = 0; i < n; i++) out[i] = modelValue(model, p, x[i]) - y[i];
      },
      jacobian(p, out) {
        for (let i = 0; i < n; i++) {
          modelGradient(model, p, x[i], grad);
          for (let j = 0; j < k; j++) out[i * k + j] = grad[j];
        }
      },
    },
    p0,
    model === "power"
      ? {
        lower: [-Infinity, -Infinity, POWER_C_BOUNDS[0]],
        upper: [Infinity, Infinity, POWER_C_BOUNDS[1]],
      }
      : {},
  );
  const names = PARAM_NAMES[model];
  const params: Record<string, number> = {};
  const se: Record<string, number> = {};
  names.forEach((name, j) => {
    params[name] = result.params[j];
    se[name] = result.standardErrors[j];
  });
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i];
  ym /= n;
  let tss = 0;
  for (let i = 0; i < n; i++) tss += (y[i] - ym) ** 2;
  const rss = result.cost;
  const aic = n * Math.log(Math.max(rss, 1e-300) / n) + 2 * (k + 1);
  const aicc = n - k - 2 > 0 ? aic + (2 * (k + 1) * (k + 2)) / (n - k - 2) : Infinity;
  const cov = result.covariance;
  const issues: string[] = [];
  if (!result.converged) issues.push(`the iteration did not converge (${result.message})`);
  for (const j of result.atBound) {
    issues.push(`${names[j]} = ${fmt(result.params[j])} sits at its bound`);
  }
  if (!cov) issues.push("the covariance is singular: the data do not determine the parameters");
  else {
    names.forEach((name, j) => {
      if (name === "b" || result.atBound.includes(j)) return;
      const p = result.params[j], e = result.standardErrors[j];
      if (!(e <= Math.abs(p))) {
        issues.push(
          `${name} = ${fmt(p)} ± ${fmt(e)} is not determined by the data ` +
            "(standard error larger than the value)",
        );
      }
    });
  }
  return {
    model,
    formula: FADE_MODEL_FORMULAS[model],
    params,
    standard_errors: se,
    covariance: cov ? names.map((_, i) => names.map((_, j) => cov[i * k + j])) : null,
    n,
    k,
    rss,
    r_squared: tss > 0 ? 1 - rss / tss : NaN,
    rmse: Math.sqrt(rss / n),
    aic,
    aicc,
    converged: result.converged,
    issues,
    trustworthy: issues.length === 0,
  };
}

const fmt = (x: number): string => x.toPrecision(4);

/**
 * Fit capacity-fade models to a retention curve by least squares (bounded Levenberg–Marquardt
 * from a linearized starting point) and pick the best by AIC among the trustworthy fits.
 *
 * A fit is not trustworthy (its `issues` say why) when the iteration did not converge, a
 * parameter sits at its bound, the covariance is singular, or a parameter other than the fade
 * amplitude `b` has a standard error larger than its value. On data without a fade (flat
 * capacity, quantized) the power law degenerates this way — `b` → 0 leaves the exponent `c`
 * free to run to its bound — and it is then never chosen, however low its AIC.
 *
 * Models (y = retention as a fraction, n = cycle number): linear `a + b·n`, square root
 * `a + b·√n`, exponential `a·exp(b·n)`, power law `a + b·n^c` (c in [0.001, 20]).
 *
 * @param points The retention curve (`capacityRetention(...).points`).
 * @param options Models to fit.
 * @returns Every fit with parameters, standard errors, covariance, R², AIC; the best by AIC.
 *
 * @example Recover a square-root fade
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { fitFadeModels } from "./fade_models.ts";
 * const points = Array.from({ length: 50 }, (_, k) => ({
 *   cycle: k + 1,
 *   retention: 1.002 - 0.01 * Math.sqrt(k + 1),
 * }));
 * const { fits } = fitFadeModels(points, { models: ["sqrt"] });
 * equal(Math.abs(fits[0].params.b + 0.01) < 1e-10, true);
 * ```
 */
export function fitFadeModels(
  points: readonly { cycle: number; retention: number }[],
  options: FadeModelOptions = {},
): FadeModelsResult {
  const models = options.models ?? FADE_MODELS;
  for (const m of models) {
    if (!(m in PARAM_NAMES)) {
      throw new RangeError(
        `Unknown fade model "${m}": expected one of ${FADE_MODELS.join(", ")}`,
      );
    }
  }
  const usable = points.filter((p) => Number.isFinite(p.cycle) && Number.isFinite(p.retention));
  if (usable.some((p) => p.cycle < 0)) throw new RangeError("fitFadeModels: cycles must be >= 0");
  const x = Float64Array.from(usable, (p) => p.cycle);
  const y = Float64Array.from(usable, (p) => p.retention);
  const fits: FadeFit[] = [];
  const failed: { model: FadeModelName; reason: string }[] = [];
  for (const model of models) {
    const fit = fitOne(model, x, y);
    if (typeof fit === "string") failed.push({ model, reason: fit });
    else fits.push(fit);
  }
  let best: FadeFit | null = null;
  for (const f of fits) {
    if (!f.trustworthy || !Number.isFinite(f.aic)) continue;
    if (!best || f.aic < best.aic || (f.aic === best.aic && f.k < best.k)) best = f;
  }
  let reason: string | null = null;
  if (!best) {
    const why = [
      ...failed.map((f) => `${f.model}: ${f.reason}`),
      ...fits.map((f) => `${f.model}: ${f.trustworthy ? "AIC not finite" : f.issues.join("; ")}`),
    ].join("; ");
    reason = fits.length === 0
      ? `no fade model could be fitted (${why})`
      : `no fade model is trustworthy (${why})`;
  }
  return { fits, failed, best, reason };
}
