// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import { isCountedCycle } from "./_cycle_roles.ts";
import { fallsSignificantly, linearTrend } from "./_trend.ts";
import { escapeHtml, htmlTable, JUPYTER_DISPLAY, type MimeBundle, textTable } from "./_display.ts";
import type { VegaLiteSpec } from "./_vega.ts";
import { type AnomalyOptions, type AnomalyResult, detectAnomalies } from "./anomalies.ts";
import { cycleLife } from "./cycle_life.ts";
import { type EfficiencyStats, efficiencyStats } from "./efficiency_stats.ts";
import {
  evaluateFadeModel,
  type FadeModelName,
  type FadeModelsResult,
  fitFadeModels,
} from "./fade_models.ts";
import { type KneeOptions, kneePoint, type KneeResult } from "./knee.ts";
import { type LifePrediction, predictCycleLife } from "./life_prediction.ts";
import { capacityRetention, type RetentionOptions, type RetentionResult } from "./retention.ts";
import { type RetentionPlotData, retentionPlotSpec } from "./plot_specs.ts";

/** Options of {@link analyzeFade}. */
export interface FadeOptions extends RetentionOptions {
  /** End-of-life retention threshold (fraction). @default {0.8} */
  threshold?: number;
  /** Fade models to fit. @default {all} */
  models?: readonly FadeModelName[];
  /** Confidence level of the predicted-life interval. @default {0.95} */
  confidence?: number;
  /** Consecutive points below the threshold for the observed cycle life. @default {1} */
  consecutive?: number;
  /** Cycles left out of the efficiency statistics (formation). @default {0} */
  skipFirstForEfficiency?: number;
  /** Anomaly detection settings (applied to the followed metric and to CE). */
  anomaly?: AnomalyOptions;
  /** Knee detection settings. */
  knee?: KneeOptions;
}

/** Everything {@link analyzeFade} computes, as plain data. */
export interface FadeAnalysisData {
  /** Retention curve and mean fade rates. */
  retention: RetentionResult;
  /** Coulombic and energy efficiency statistics. */
  efficiency: EfficiencyStats;
  /** Fitted fade models and the best by AIC. */
  models: FadeModelsResult;
  /**
   * Predicted cycle life from the best model, or `null` without a trustworthy model (then
   * `models.reason` says why).
   */
  prediction: LifePrediction | null;
  /** Observed cycle at which retention falls below the threshold (interpolated), or `null`. */
  cycle_life: number | null;
  /**
   * Knee point and onset, or `null` with too few cycles or when the retention shows no knee
   * (then `knee_note` says why).
   */
  knee: KneeResult | null;
  /** Why there is no knee, or `null`. */
  knee_note: string | null;
  /** Anomalies in the followed metric (by retention) and in coulombic efficiency. */
  anomalies: { retention: AnomalyResult; coulombic_efficiency: AnomalyResult };
  /** Threshold used. */
  threshold: number;
}

/**
 * The capacity-fade analysis of one test. Renders in Jupyter as a summary table, a table of
 * fitted models and a retention plot with the best model, the threshold and the knee.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { analyzeFade } from "./fade.ts";
 * import { JUPYTER_DISPLAY } from "./mod.ts";
 *
 * // Linear fade of 0.1 % per cycle: 80 % at cycle 201.
 * const cycles = Array.from({ length: 100 }, (_, k) => ({
 *   cycle: k + 1,
 *   discharge_capacity_Ah: 1 - 0.001 * k,
 *   coulombic_efficiency: 0.999,
 *   energy_efficiency: 0.95,
 * }));
 * const fade = analyzeFade(cycles, { models: ["linear"] }); // a FadeAnalysis
 * equal(fade.models.best?.model, "linear");
 * equal(typeof fade[JUPYTER_DISPLAY]()["text/html"], "string");
 * ```
 */
export class FadeAnalysis implements FadeAnalysisData {
  /** Retention curve and mean fade rates. */
  readonly retention: RetentionResult;
  /** Coulombic and energy efficiency statistics. */
  readonly efficiency: EfficiencyStats;
  /** Fitted fade models and the best by AIC. */
  readonly models: FadeModelsResult;
  /** Predicted cycle life from the best model, or `null`. */
  readonly prediction: LifePrediction | null;
  /** Observed cycle life (interpolated), or `null`. */
  readonly cycle_life: number | null;
  /** Knee point and onset, or `null`. */
  readonly knee: KneeResult | null;
  /** Why there is no knee, or `null`. */
  readonly knee_note: string | null;
  /** Anomalies. */
  readonly anomalies: { retention: AnomalyResult; coulombic_efficiency: AnomalyResult };
  /** Threshold used. */
  readonly threshold: number;

  /**
   * Wrap a computed analysis (made by `analyzeFade`).
   *
   * @param data The computed analysis.
   */
  constructor(data: FadeAnalysisData) {
    this.retention = data.retention;
    this.efficiency = data.efficiency;
    this.models = data.models;
    this.prediction = data.prediction;
    this.cycle_life = data.cycle_life;
    this.knee = data.knee;
    this.knee_note = data.knee_note ?? null;
    this.anomalies = data.anomalies;
    this.threshold = data.threshold;
  }

  /** Headline numbers as label/value rows. */
  summaryRows(): { quantity: string; value: unknown }[] {
    const r = this.retention, e = this.efficiency, p = this.prediction;
    const last = r.points[r.points.length - 1];
    const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : x * 100);
    return [
      { quantity: "metric", value: r.metric },
      { quantity: "reference cycle", value: r.reference_cycle },
      { quantity: "reference value", value: r.reference_value },
      { quantity: "last cycle", value: last.cycle },
      { quantity: "retention at last cycle (%)", value: pct(last.retention) },
      { quantity: "fade per 100 cycles (%)", value: pct(r.fade_per_100_cycles) },
      { quantity: "mean CE (%)", value: pct(e.ce_mean) },
      { quantity: "cumulative CE (%)", value: pct(e.ce_cumulative) },
      { quantity: "mean EE (%)", value: pct(e.ee_mean) },
      {
        quantity: "best model (AIC)",
        value: this.models.best?.model ??
          (this.models.fits.length ? "none trustworthy" : null),
      },
      { quantity: `predicted cycle at ${this.threshold * 100} %`, value: p?.cycle ?? null },
      {
        quantity: `${((p?.confidence ?? 0.95) * 100).toFixed(0)} % interval`,
        value: p?.lower != null && p.upper != null
          ? `${p.lower.toFixed(0)} – ${p.upper.toFixed(0)}`
          : null,
      },
      { quantity: `observed cycle at ${this.threshold * 100} %`, value: this.cycle_life },
      { quantity: "knee cycle", value: this.knee?.knee_cycle ?? null },
      { quantity: "knee onset cycle", value: this.knee?.onset_cycle ?? null },
      {
        quantity: "anomalous cycles",
        value: this.anomalies.retention.anomalies.map((a) => a.cycle).join(", ") || "none",
      },
    ];
  }

  /** Rows of the fitted-model table. */
  modelRows(): Record<string, unknown>[] {
    return this.models.fits.map((f) => ({
      model: f.model,
      formula: f.formula,
      params: Object.entries(f.params).map(([k, v]) =>
        `${k}=${v.toPrecision(4)}±${f.standard_errors[k].toPrecision(2)}`
      ).join(" "),
      r_squared: f.r_squared,
      aic: f.aic,
      best: f === this.models.best ? "✓" : f.trustworthy ? "" : "untrusted",
    }));
  }

  /** Why each untrustworthy fit is not trusted, one line per fit. */
  untrustedLines(): string[] {
    return this.models.fits.filter((f) => !f.trustworthy).map((f) =>
      `${f.model} not trusted: ${f.issues.join("; ")}`
    );
  }

  /** What the retention plot draws (for {@link retentionPlotSpec}). */
  plotData(): RetentionPlotData {
    const pts = this.retention.points;
    const best = this.models.best;
    let fit: RetentionPlotData["fit"] = null;
    if (best) {
      const x0 = pts[0].cycle;
      const lastCycle = pts[pts.length - 1].cycle;
      const predicted = this.prediction?.cycle ?? null;
      // Extend the curve to the predicted crossing, at most to 3× the observed span.
      const x1 = predicted !== null && predicted > lastCycle
        ? Math.min(predicted, x0 + 3 * (lastCycle - x0))
        : lastCycle;
      const curve = Array.from({ length: 201 }, (_, k) => {
        const cycle = x0 + ((x1 - x0) * k) / 200;
        return { cycle, retention: evaluateFadeModel(best, cycle) };
      });
      fit = { name: best.model, curve };
    }
    const anomalySet = new Set(this.anomalies.retention.anomalies.map((a) => a.cycle));
    return {
      points: pts.map((p) => ({ cycle: p.cycle, retention: p.retention })),
      fit,
      threshold: this.threshold,
      knee: this.knee?.accelerating
        ? { cycle: this.knee.knee_cycle, retention: this.knee.knee_retention }
        : null,
      kneeOnset: this.knee?.accelerating && this.knee.onset_cycle !== null
        ? { cycle: this.knee.onset_cycle, retention: this.knee.onset_retention! }
        : null,
      anomalies: pts.filter((p) => anomalySet.has(p.cycle)),
    };
  }

  /** The retention plot (Vega-Lite). */
  plotSpec(): VegaLiteSpec {
    return retentionPlotSpec(this.plotData(), { title: "Retention" });
  }

  /** Plain data. */
  toJSON(): FadeAnalysisData {
    return {
      retention: this.retention,
      efficiency: this.efficiency,
      models: this.models,
      prediction: this.prediction,
      cycle_life: this.cycle_life,
      knee: this.knee,
      knee_note: this.knee_note,
      anomalies: this.anomalies,
      threshold: this.threshold,
    };
  }

  /** Text tables (for terminals). */
  toString(): string {
    return [
      textTable(this.summaryRows(), [{ key: "quantity" }, { key: "value" }]),
      "",
      textTable(this.modelRows(), [
        { key: "model" },
        { key: "params" },
        { key: "r_squared", label: "R²", digits: 6 },
        { key: "aic", label: "AIC" },
        { key: "best" },
      ]),
      ...this.untrustedLines().map((l) => `  ${l}`),
    ].join("\n");
  }

  /** Jupyter MIME bundle: text, HTML tables and the retention plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const html = `<h4>${escapeHtml("Capacity fade")}</h4>` +
      htmlTable(this.summaryRows(), [{ key: "quantity" }, { key: "value", digits: 5 }]) +
      htmlTable(this.modelRows(), [
        { key: "model" },
        { key: "formula" },
        { key: "params" },
        { key: "r_squared", label: "R²", digits: 6 },
        { key: "aic", label: "AIC" },
        { key: "best" },
      ]) +
      this.untrustedLines().map((l) => `<p>${escapeHtml(l)}</p>`).join("");
    return {
      "text/plain": this.toString(),
      "text/html": html,
      "application/vnd.vegalite.v5+json": this.plotSpec(),
    };
  }
}

/** F statistic a two-line fit must reach over one line for a knee to be reported. */
const KNEE_F_MIN = 10;

/**
 * Why a knee fitted to the retention curve is not a knee, or `null` when it is one: the
 * retention must fall significantly (the 95 % confidence interval of the least-squares slope
 * lies below zero: Student's t, n − 2 degrees of freedom), and the two-line fit must beat one straight line by an F statistic of at least 10
 * ((RSS₁ − RSS₂)/2 over RSS₂/(n − 4)). A "knee" on a flat or straight line is noise.
 */
function kneeNote(
  points: readonly { cycle: number; retention: number }[],
  knee: KneeResult,
): string | null {
  const trend = linearTrend(points);
  if (!trend) return "the cycles do not vary";
  if (!fallsSignificantly(trend)) {
    return `the retention does not fall significantly (slope ${trend.slope.toPrecision(3)} ± ${
      trend.slope_se.toPrecision(2)
    } per cycle)`;
  }
  const n = points.length, rss1 = trend.rss, rss2 = knee.rss;
  // On an exact straight line both residuals are rounding noise: their ratio means nothing.
  if (!(rss1 - rss2 > 1e-10 * trend.tss)) return "a straight line fits as well as two";
  const f = rss2 > 0 ? ((rss1 - rss2) / 2) / (rss2 / Math.max(1, n - 4)) : Infinity;
  if (!(f >= KNEE_F_MIN)) {
    return `two lines fit no better than one (F = ${f.toPrecision(3)} < ${KNEE_F_MIN})`;
  }
  return null;
}

/**
 * Full capacity-fade analysis of one test: retention and fade rate, coulombic and energy
 * efficiency, fade models (linear, √, exponential, power) with the best by AIC, predicted cycle
 * life at the threshold with a delta-method interval, observed cycle life, knee point and onset
 * (Bacon–Watts; reported only when the retention falls significantly and two lines beat one,
 * else `knee_note` says why) and anomalies (robust z-score against a rolling median) in the
 * followed metric and in coulombic efficiency.
 *
 * Cycles that do not count are left out: with a `role` (as `analyzeTest` assigns), every role
 * but `"counted"`; without one, a last cycle cut short by the end of the recording
 * (`complete: false`). Nothing else is classified here — a partial first cycle, formation or
 * check-up cycles count, and the reference is the first usable cycle unless set; the predicted
 * interval is the model's, not clipped to the tested range. `analyzeTest` does all of that and
 * is what every surface shows.
 *
 * @param cycles Per-cycle summaries (from `summarizeCycles`).
 * @param options Metric, reference cycle, threshold, models and detector settings.
 * @returns The analysis (renders itself in Jupyter).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { analyzeFade } from "./fade.ts";
 * // Linear fade of 0.1 % per cycle: 80 % at cycle 201.
 * const cycles = Array.from({ length: 100 }, (_, k) => ({
 *   cycle: k + 1,
 *   discharge_capacity_Ah: 1 - 0.001 * k,
 *   coulombic_efficiency: 0.999,
 *   energy_efficiency: 0.95,
 * }));
 * const fade = analyzeFade(cycles, { models: ["linear"] });
 * equal(Math.round(fade.prediction!.cycle!), 201);
 * ```
 */
export function analyzeFade(
  cycles: readonly (
    & Pick<CycleSummary, "cycle">
    & Partial<Pick<CycleSummary, "complete">>
    & { role?: string | null }
    & Partial<Pick<CycleSummary, "coulombic_efficiency" | "energy_efficiency">>
    & Partial<
      Record<
        "discharge_capacity_Ah" | "charge_capacity_Ah" | "discharge_energy_Wh" | "charge_energy_Wh",
        number | null
      >
    >
  )[],
  options: FadeOptions = {},
): FadeAnalysis {
  const threshold = options.threshold ?? 0.8;
  const retention = capacityRetention(cycles, options);
  cycles = cycles.filter((c) => isCountedCycle(c));
  const efficiency = efficiencyStats(
    cycles.map((c) => ({
      coulombic_efficiency: c.coulombic_efficiency ?? null,
      energy_efficiency: c.energy_efficiency ?? null,
    })),
    { skipFirst: options.skipFirstForEfficiency },
  );
  const models = fitFadeModels(retention.points, { models: options.models });
  const prediction = models.best
    ? predictCycleLife(models.best, { threshold, confidence: options.confidence })
    : null;
  const observed = cycleLife(retention.points, { threshold, consecutive: options.consecutive });
  const fitted = kneePoint(retention.points, options.knee);
  const note = fitted ? kneeNote(retention.points, fitted) : "too few cycles";
  const knee = note === null ? fitted : null;
  const anomalies = {
    retention: detectAnomalies(
      retention.points.map((p) => ({ cycle: p.cycle, value: p.retention })),
      options.anomaly,
    ),
    coulombic_efficiency: detectAnomalies(
      cycles.map((c) => ({ cycle: c.cycle, value: c.coulombic_efficiency ?? null })),
      options.anomaly,
    ),
  };
  return new FadeAnalysis({
    retention,
    efficiency,
    models,
    prediction,
    cycle_life: observed,
    knee,
    knee_note: note,
    anomalies,
    threshold,
  });
}
