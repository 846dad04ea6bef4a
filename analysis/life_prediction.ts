// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FadeFit } from "./fade_models.ts";
import { normalQuantile } from "./_stats.ts";

/** Options of {@link predictCycleLife}. */
export interface LifePredictionOptions {
  /** Retention threshold (fraction). @default {0.8} */
  threshold?: number;
  /** Confidence level of the interval. @default {0.95} */
  confidence?: number;
}

/** Result of {@link predictCycleLife}. */
export interface LifePrediction {
  /** Model used. */
  model: FadeFit["model"];
  /** Threshold (fraction). */
  threshold: number;
  /** Predicted cycle at which the fitted retention falls to the threshold, or `null`. */
  cycle: number | null;
  /** Standard deviation of the prediction by the delta method, or `null`. */
  sd: number | null;
  /** Lower end of the interval (`cycle − z·sd`), or `null`. */
  lower: number | null;
  /** Upper end of the interval (`cycle + z·sd`), or `null`. */
  upper: number | null;
  /** Confidence level of the interval. */
  confidence: number;
  /**
   * Why there is no prediction: the fit is not trustworthy (its `issues`), or the fitted curve
   * does not fall through the threshold.
   */
  reason: string | null;
}

/** Crossing and its gradient with respect to the parameters (analytic). */
function crossing(
  fit: Pick<FadeFit, "model" | "params">,
  t: number,
): { x: number; grad: number[] } | string {
  const { a, b, c } = fit.params;
  switch (fit.model) {
    case "linear": {
      if (!(b < 0)) return "the fitted retention does not decrease (b >= 0)";
      const x = (t - a) / b;
      return { x, grad: [-1 / b, -x / b] };
    }
    case "sqrt": {
      if (!(b < 0)) return "the fitted retention does not decrease (b >= 0)";
      const u = (t - a) / b;
      if (u < 0) return "the fitted retention starts below the threshold";
      return { x: u * u, grad: [(-2 * u) / b, (-2 * u * u) / b] };
    }
    case "exponential": {
      if (!(b < 0)) return "the fitted retention does not decrease (b >= 0)";
      if (!(a > 0)) return "the fitted amplitude is not positive";
      const x = Math.log(t / a) / b;
      return { x, grad: [-1 / (a * b), -x / b] };
    }
    case "power": {
      if (!(b < 0)) return "the fitted retention does not decrease (b >= 0)";
      const u = (t - a) / b;
      if (!(u > 0)) return "the fitted retention starts below the threshold";
      const x = Math.pow(u, 1 / c);
      return { x, grad: [-x / (c * u * b), -x / (c * b), (-x * Math.log(u)) / (c * c)] };
    }
  }
}

/**
 * Predicted cycle at which a fitted fade model reaches a retention threshold, with an interval.
 *
 * The crossing is the closed-form inverse of the model. The interval comes from the delta
 * method: var(n*) ≈ gᵀ Σ g, with g the analytic gradient of n* with respect to the parameters
 * and Σ the parameter covariance of the fit; the interval is n* ± z·sd with z the normal
 * quantile of the confidence level. It is symmetric and first-order: far extrapolations or
 * poorly determined fits give wide, approximate intervals.
 *
 * A fit with `issues` (see `fitFadeModels`) gives no prediction: `cycle` is `null` and `reason`
 * names the issues.
 *
 * @param fit A fit from `fitFadeModels`.
 * @param options Threshold and confidence.
 * @returns The predicted cycle and interval, or `cycle: null` with the reason.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { predictCycleLife } from "./life_prediction.ts";
 * const fit = { model: "linear" as const, params: { a: 1, b: -0.001 }, covariance: null };
 * equal(Math.round(predictCycleLife(fit).cycle!), 200);
 * ```
 */
export function predictCycleLife(
  fit: Pick<FadeFit, "model" | "params" | "covariance"> & Partial<Pick<FadeFit, "issues">>,
  options: LifePredictionOptions = {},
): LifePrediction {
  const threshold = options.threshold ?? 0.8;
  const confidence = options.confidence ?? 0.95;
  if (!(threshold > 0 && threshold < 10)) {
    throw new RangeError(`threshold must be a positive fraction (0.8 = 80 %), got ${threshold}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  }
  const base = {
    model: fit.model,
    threshold,
    confidence,
  };
  const none = (reason: string): LifePrediction => ({
    ...base,
    cycle: null,
    sd: null,
    lower: null,
    upper: null,
    reason,
  });
  if (fit.issues && fit.issues.length > 0) {
    return none(`the ${fit.model} fit is not trustworthy (${fit.issues.join("; ")})`);
  }
  const result = crossing(fit, threshold);
  if (typeof result === "string") return none(result);
  if (!Number.isFinite(result.x)) return none("no finite crossing");
  let sd: number | null = null;
  if (fit.covariance) {
    const g = result.grad;
    let v = 0;
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < g.length; j++) v += g[i] * fit.covariance[i][j] * g[j];
    }
    sd = v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : null;
  }
  const z = normalQuantile(0.5 + confidence / 2);
  return {
    ...base,
    cycle: result.x,
    sd,
    lower: sd === null ? null : result.x - z * sd,
    upper: sd === null ? null : result.x + z * sd,
    reason: null,
  };
}
