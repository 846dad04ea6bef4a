// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The series-based sections of a test's detail page — voltage–capacity curves of chosen cycles,
 * dQ/dV of one cycle with its peaks, and the whole-test voltage trace — as HTML. Pure (no store,
 * no Deno): the dashboard's compute workers run them on series the page reads from the store.
 */

import {
  analyzeTest,
  type AnalyzeTestOptions,
  type TestAnalysis,
  type TestAnalysisInput,
} from "../../../analysis/analyze_test.ts";
import { dqdv, type DqdvCurve } from "../../../analysis/dqdv.ts";
import { dqdvSpec } from "../../../analysis/dqdv_spec.ts";
import { halfCycles } from "../../../analysis/half_cycles.ts";
import { retentionPlotSpec, voltageTracePlotSpec } from "../../../analysis/plot_specs.ts";
import { voltageCapacity, type VoltageCapacityCurve } from "../../../analysis/voltage_capacity.ts";
import { voltageCapacitySpec } from "../../../analysis/voltage_capacity_spec.ts";
import type { CyclingSeries } from "../../model/cycling_series.ts";
import { markup, num, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";

/** Points of the whole-test voltage trace after largest-triangle downsampling. */
export const TRACE_POINTS = 2000;
/** Points per half cycle of the voltage–capacity curves. */
export const CURVE_POINTS = 1500;

/** What {@link curvesSection} draws. */
export interface CurvesInput {
  /** The rows of each cycle needed (`null`: the test has no series). */
  series: { cycle: number; series: CyclingSeries | null }[];
  /** Cycles of the voltage–capacity plot. */
  vcCycles: number[];
  /** Cycle of the dQ/dV plot. */
  dqCycle: number;
}

function errorBox(what: string, err: unknown): SafeHtml {
  if (!(err instanceof RangeError || err instanceof TypeError)) throw err;
  return markup`<p class="error">${what}: ${err.message}</p>`;
}

/** Voltage–capacity curves of the chosen cycles and dQ/dV of one, with its peak table. */
export function curvesSection(input: CurvesInput): string {
  const byCycle = new Map(input.series.map((s) => [s.cycle, s.series]));
  const halvesOf = (cycle: number) => {
    const series = byCycle.get(cycle) ?? null;
    return { series, halves: series ? halfCycles(series) : [] };
  };
  const { vcCycles, dqCycle } = input;
  const plots: SafeHtml[] = [];
  try {
    const curves: VoltageCapacityCurve[] = [];
    const skipped: string[] = [];
    for (const c of vcCycles) {
      const { series, halves } = halvesOf(c);
      if (!series) continue;
      for (const h of halves) {
        try {
          curves.push(
            voltageCapacity({
              series,
              start_row: h.start_row,
              end_row: h.end_row,
              cycle: c,
              direction: h.direction,
            }),
          );
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          skipped.push(`cycle ${c} ${h.direction}: ${err.message}`);
        }
      }
    }
    plots.push(plot(
      "plot-voltage-capacity",
      voltageCapacitySpec(curves, { max_points_per_curve: CURVE_POINTS, width: 480 }),
      `Voltage vs capacity, cycles ${vcCycles.join(", ")}`,
      {
        empty: byCycle.size === 0 || [...byCycle.values()].every((s) => s === null)
          ? "the test has no stored time series"
          : `no charge or discharge half cycle in cycles ${vcCycles.join(", ")}${
            skipped.length ? ` (${skipped.join("; ")})` : ""
          }`,
      },
    ));
  } catch (err) {
    plots.push(errorBox("Voltage–capacity curves", err));
  }
  let peaks: SafeHtml = markup``;
  try {
    const { series, halves } = halvesOf(dqCycle);
    const curves: DqdvCurve[] = [];
    const skipped: string[] = [];
    for (const h of series ? halves : []) {
      try {
        curves.push(
          dqdv({
            series: series!,
            start_row: h.start_row,
            end_row: h.end_row,
            cycle: dqCycle,
            direction: h.direction,
          }),
        );
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        skipped.push(`${h.direction}: ${err.message}`);
      }
    }
    plots.push(
      plot(
        "plot-dqdv",
        dqdvSpec(curves, { width: 480 }),
        `dQ/dV of cycle ${dqCycle} with peaks (triangles)`,
        {
          empty: !series
            ? "the test has no stored time series"
            : skipped.length
            ? skipped.join("; ")
            : `no charge or discharge half cycle in cycle ${dqCycle}`,
        },
      ),
    );
    if (curves.length) {
      peaks =
        markup`<h2>dQ/dV peaks, cycle ${dqCycle}</h2><table id="dqdv-peaks"><thead><tr><th>Half</th><th class="num">Voltage (V)</th>
<th class="num">dQ/dV (Ah/V)</th><th class="num">Area (mAh)</th><th class="num">FWHM (mV)</th></tr></thead><tbody>${
          curves.flatMap((c) =>
            c.peaks.map((p) =>
              markup`<tr><td>${c.direction}</td><td class="num">${
                p.position_V.toFixed(4)
              }</td><td class="num">${num(p.height_Ah_per_V)}</td>
<td class="num">${num(p.area_Ah * 1000)}</td><td class="num">${
                p.fwhm_V === null ? "—" : num(p.fwhm_V * 1000)
              }</td></tr>`
            )
          )
        }</tbody></table>`;
    }
  } catch (err) {
    plots.push(errorBox("dQ/dV", err));
  }
  return markup`<div class="plots">${plots}</div>${peaks}`.value;
}

/** The whole-test voltage trace, downsampled. */
export function traceSection(input: { series: CyclingSeries | null }): string {
  if (!input.series || input.series.length === 0) {
    return markup`<p class="muted" id="plot-trace">No voltage trace: the test has no stored time series.</p>`
      .value;
  }
  return markup`<div class="plots">${
    plot(
      "plot-trace",
      voltageTracePlotSpec(input.series, { points: TRACE_POINTS, width: 900, height: 220 }),
      `Largest-triangle downsampling to at most ${TRACE_POINTS} points`,
    )
  }</div>`.value;
}

/**
 * The retention section of a detail page from an analysis: the cycles left out, the retention
 * plot with the best model, threshold, knee and anomalies beside the analysis's headline
 * numbers, and the fitted fade models; or why there is no fade analysis (`note`, when there is
 * no analysis at all). The same HTML whether the analysis is the stored one (drawn with the
 * page) or one at another threshold (computed by {@link fadeSection} in a worker).
 */
export function fadeSectionHtml(analysis: TestAnalysis | null, note: string | null): SafeHtml {
  const parts: SafeHtml[] = [];
  const excluded = analysis?.excluded ?? [];
  if (excluded.length) {
    parts.push(
      markup`<p class="muted" id="fade-left-out">Left out of retention, fade and end of life: ${
        excluded.map((e, i) => markup`${i ? "; " : ""}cycle ${e.cycle} (${e.role}: ${e.reason})`)
      }.</p>`,
    );
  }
  const fade = analysis?.fadeAnalysis ?? null;
  if (fade && analysis) {
    parts.push(
      markup`<div class="row">${
        plot(
          "plot-retention",
          retentionPlotSpec(fade.plotData(), { width: 560 }),
          "Measured retention, best model by AIC, threshold, knee and anomalies",
        )
      }<table id="fade-summary"><tbody>${
        analysis.summaryRows().map((r) =>
          markup`<tr><th>${r.quantity}</th><td class="num">${
            typeof r.value === "number" ? num(r.value) : String(r.value ?? "—")
          }</td></tr>`
        )
      }</tbody></table></div>
<h2>Fitted fade models</h2><table id="fade-models"><thead><tr><th>Model</th><th>Formula</th><th>Parameters</th><th class="num">R²</th><th class="num">AIC</th><th>Best</th></tr></thead><tbody>${
        fade.modelRows().map((r) =>
          markup`<tr><td>${String(r.model)}</td><td><code>${String(r.formula)}</code></td><td>${
            String(r.params)
          }</td><td class="num">${num(r.r_squared as number)}</td><td class="num">${
            num(r.aic as number)
          }</td><td>${String(r.best)}</td></tr>`
        )
      }</tbody></table>`,
    );
  } else {
    parts.push(
      markup`<p class="muted" id="fade-none">No fade analysis: ${
        analysis ? analysis.data.fade_note : note
      }</p>`,
    );
  }
  return markup`${parts}`;
}

/** What {@link fadeSection} analyses: a stored test's analysis input and options. */
export interface FadeSectionInput {
  /** What the store keeps of the test (`storedAnalysisInput`). */
  input: TestAnalysisInput;
  /** The test's stored options with the threshold changed. */
  options: AnalyzeTestOptions;
}

/**
 * The retention section at another end-of-life threshold: the test analysed again
 * (`analyzeTest`, its other stored options kept), not stored. Options the test cannot satisfy
 * give the reason instead.
 */
export function fadeSection(request: FadeSectionInput): string {
  let analysis: TestAnalysis | null = null, note: string | null = null;
  try {
    analysis = analyzeTest(request.input, request.options);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    note = err.message;
  }
  return fadeSectionHtml(analysis, note).value;
}
