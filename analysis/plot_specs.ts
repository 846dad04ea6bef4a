// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Vega-Lite specifications of the cycling-analysis plots, shared by the Jupyter display of the
 * result objects and by the web dashboard (render them with vega-embed).
 *
 * @module
 */

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import { layeredChart, type LayerSpec, VEGA_LITE_SCHEMA, type VegaLiteSpec } from "./_vega.ts";

/** Options of the plot specs. */
export interface PlotOptions {
  /** Title of the plot. */
  title?: string;
  /** Width in pixels. @default {480} */
  width?: number;
  /** Height in pixels (of each panel). @default {300} (capacity) or 160 (CE) */
  height?: number;
}

/** A panel of a vertical concatenation: no schema, its own zoom parameter name. */
function panel(spec: VegaLiteSpec, zoomName: string): VegaLiteSpec {
  const { $schema: _schema, ...rest } = spec;
  const layers = (rest.layer as Record<string, unknown>[]).map((l) =>
    l.params ? { ...l, params: [{ name: zoomName, select: "interval", bind: "scales" }] } : l
  );
  return { ...rest, layer: layers };
}

/**
 * Capacity (charge and discharge) and coulombic efficiency versus cycle: two stacked panels.
 *
 * @param cycles Per-cycle summaries (from `summarizeCycles`).
 * @param options Title and size.
 * @returns A Vega-Lite v5 spec.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { capacityPlotSpec } from "./plot_specs.ts";
 * const spec = capacityPlotSpec([]);
 * equal((spec.vconcat as unknown[]).length, 2);
 * ```
 */
export function capacityPlotSpec(
  cycles: readonly CycleSummary[],
  options: PlotOptions = {},
): VegaLiteSpec {
  const capacityRows = cycles.flatMap((c) => [
    { cycle: c.cycle, capacity_mAh: c.charge_capacity_Ah * 1000, half: "charge" },
    { cycle: c.cycle, capacity_mAh: c.discharge_capacity_Ah * 1000, half: "discharge" },
  ]);
  const ceRows = cycles.filter((c) => c.coulombic_efficiency !== null).map((c) => ({
    cycle: c.cycle,
    ce_percent: (c.coulombic_efficiency as number) * 100,
  }));
  const width = options.width ?? 480;
  const capacity = layeredChart([{
    mark: "line",
    rows: capacityRows,
    x: { field: "cycle", title: "Cycle" },
    y: { field: "capacity_mAh", title: "Capacity (mAh)" },
    color: { field: "half", type: "nominal", title: "Half cycle" },
    markProps: { point: true },
  }], { width, height: options.height ?? 300 });
  const ce = layeredChart([{
    mark: "line",
    rows: ceRows,
    x: { field: "cycle", title: "Cycle" },
    y: { field: "ce_percent", title: "Coulombic efficiency (%)" },
    markProps: { point: true, color: "#2ca02c" },
  }], { width, height: 160 });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    vconcat: [panel(capacity, "zoom_capacity"), panel(ce, "zoom_ce")],
  };
}

/** What {@link retentionPlotSpec} draws. */
export interface RetentionPlotData {
  /** Measured retention (fraction) by cycle. */
  points: readonly { cycle: number; retention: number }[];
  /** Fitted model curve (fraction) by cycle, drawn as a line. */
  fit?: { name: string; curve: readonly { cycle: number; retention: number }[] } | null;
  /** End-of-life threshold (fraction), drawn as a dashed horizontal line. */
  threshold?: number | null;
  /** Knee point, drawn as a vertical rule. */
  knee?: { cycle: number; retention: number } | null;
  /** Knee onset, drawn as a vertical dotted rule. */
  kneeOnset?: { cycle: number; retention: number } | null;
  /** Cycles flagged as anomalies, drawn as red circles. */
  anomalies?: readonly { cycle: number; retention: number }[];
}

/**
 * Retention (percent) versus cycle with the fitted fade model, the threshold line, the knee and
 * anomalies.
 *
 * @param data Points and overlays (a `FadeAnalysis` provides them as `plotData()`).
 * @param options Title and size.
 * @returns A Vega-Lite v5 spec.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { retentionPlotSpec } from "./plot_specs.ts";
 * const spec = retentionPlotSpec({
 *   points: [{ cycle: 1, retention: 1 }, { cycle: 2, retention: 0.99 }],
 *   threshold: 0.8,
 * });
 * equal((spec.layer as unknown[]).length, 2);
 * ```
 */
export function retentionPlotSpec(
  data: RetentionPlotData,
  options: PlotOptions = {},
): VegaLiteSpec {
  const pct = (rows: readonly { cycle: number; retention: number }[]) =>
    rows.map((r) => ({ cycle: r.cycle, retention_percent: r.retention * 100 }));
  const x = { field: "cycle", title: "Cycle" };
  const y = { field: "retention_percent", title: "Retention (%)" };
  const layers: LayerSpec[] = [{
    mark: "point",
    rows: pct(data.points),
    x,
    y,
    markProps: { filled: true, size: 18 },
  }];
  const cycles = data.points.map((p) => p.cycle);
  if (data.fit && data.fit.curve.length > 0) {
    const fitRows = pct(data.fit.curve).map((r) => ({ ...r, model: data.fit!.name }));
    for (const r of data.fit.curve) cycles.push(r.cycle);
    layers.push({
      mark: "line",
      rows: fitRows,
      x,
      y,
      markProps: { color: "#d62728" },
      tooltip: [x, y, { field: "model", type: "nominal" }],
    });
  }
  if (data.threshold !== undefined && data.threshold !== null && cycles.length > 0) {
    const lo = Math.min(...cycles), hi = Math.max(...cycles);
    layers.push({
      mark: "line",
      rows: [lo, hi].map((cycle) => ({ cycle, retention_percent: data.threshold! * 100 })),
      x,
      y,
      markProps: { color: "#7f7f7f", strokeDash: [6, 4] },
    });
  }
  for (const [mark, dash] of [[data.knee, [1, 0]], [data.kneeOnset, [2, 2]]] as const) {
    if (!mark) continue;
    const top = Math.max(...data.points.map((p) => p.retention), mark.retention) * 100;
    const bottom = Math.min(...data.points.map((p) => p.retention), mark.retention) * 100;
    layers.push({
      mark: "line",
      rows: [{ cycle: mark.cycle, retention_percent: bottom }, {
        cycle: mark.cycle,
        retention_percent: top,
      }],
      x,
      y,
      markProps: { color: "#9467bd", strokeDash: dash },
    });
  }
  if (data.anomalies && data.anomalies.length > 0) {
    layers.push({
      mark: "point",
      rows: pct(data.anomalies),
      x,
      y,
      markProps: { color: "red", size: 80, shape: "circle" },
    });
  }
  return layeredChart(layers, {
    title: options.title,
    width: options.width,
    height: options.height,
  });
}

/**
 * Several tests' retention (percent) versus cycle, one colour per test.
 *
 * @param rows Long-format rows `{test, cycle, retention}` (as `TestComparison.curves`).
 * @param options Title and size.
 * @returns A Vega-Lite v5 spec.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { comparisonPlotSpec } from "./plot_specs.ts";
 * const spec = comparisonPlotSpec([{ test: "A", cycle: 1, retention: 1 }]);
 * equal((spec.layer as unknown[]).length, 1);
 * ```
 */
export function comparisonPlotSpec(
  rows: readonly { test: string; cycle: number; retention: number }[],
  options: PlotOptions = {},
): VegaLiteSpec {
  return layeredChart([{
    mark: "line",
    rows: rows.map((r) => ({ test: r.test, cycle: r.cycle, retention_percent: r.retention * 100 })),
    x: { field: "cycle", title: "Cycle" },
    y: { field: "retention_percent", title: "Retention (%)" },
    // Test names are long file stems that differ at the end: show them whole.
    color: { field: "test", type: "nominal", title: "Test", legend: { labelLimit: 0 } },
    markProps: { point: true },
  }], { title: options.title, width: options.width, height: options.height });
}
