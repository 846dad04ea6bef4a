// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Vega-Lite specifications of the cycling-analysis plots, shared by the Jupyter display of the
 * result objects and by the web dashboard (render them with vega-embed).
 *
 * @module
 */

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import {
  type FieldSpec,
  layeredChart,
  type LayerSpec,
  timeUnitFor,
  VEGA_LITE_SCHEMA,
  type VegaLiteSpec,
} from "./_vega.ts";
import { downsample } from "./downsample.ts";

export type { VegaLiteSpec } from "./_vega.ts";

/** Options of the plot specs. */
export interface PlotOptions {
  /** Title of the plot. */
  title?: string;
  /** Width in pixels. @default {480} */
  width?: number;
  /** Height in pixels (of each panel). @default {300} (capacity) or 160 (CE) */
  height?: number;
}

/** The cycle axis: whole numbers. */
const CYCLE: FieldSpec = { field: "cycle", title: "Cycle", integer: true };

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
    x: CYCLE,
    y: { field: "capacity_mAh", title: "Capacity (mAh)" },
    color: { field: "half", type: "nominal", title: "Half cycle" },
    markProps: { point: true },
  }], { width, height: options.height ?? 300 });
  const ce = layeredChart([{
    mark: "line",
    rows: ceRows,
    x: CYCLE,
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
  const x = CYCLE;
  const y = { field: "retention_percent", title: "Retention (%)" };
  const layers: LayerSpec[] = [{
    mark: "point",
    rows: pct(data.points),
    x,
    y,
    markProps: { filled: true, size: 18, color: "#1f77b4" },
    legend: "Measured",
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
      legend: `Model: ${data.fit.name}`,
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
      legend: `End of life (${Number((data.threshold * 100).toFixed(2))} %)`,
    });
  }
  const knees = [
    [data.knee, [1, 0], "Knee"],
    [data.kneeOnset, [2, 2], "Knee onset"],
  ] as const;
  for (const [mark, dash, name] of knees) {
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
      markProps: { color: name === "Knee" ? "#9467bd" : "#c5b0d5", strokeDash: dash },
      legend: `${name} (cycle ${Number(mark.cycle.toFixed(1))})`,
    });
  }
  if (data.anomalies && data.anomalies.length > 0) {
    layers.push({
      mark: "point",
      rows: pct(data.anomalies),
      x,
      y,
      markProps: { color: "#ff0000", size: 80, shape: "circle" },
      legend: "Anomaly",
    });
  }
  return layeredChart(layers, {
    title: options.title,
    width: options.width,
    height: options.height,
  });
}

/** One line per test (colour), `y` against cycle. */
function perTestLines(
  rows: readonly Record<string, unknown>[],
  y: FieldSpec,
  options: PlotOptions,
): VegaLiteSpec {
  return layeredChart([{
    mark: "line",
    rows,
    x: CYCLE,
    y,
    // Test names are long file stems that differ at the end: show them whole.
    color: { field: "test", type: "nominal", title: "Test", legend: { labelLimit: 0 } },
    markProps: { point: true },
  }], { title: options.title, width: options.width, height: options.height });
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
  return perTestLines(
    rows.map((r) => ({ test: r.test, cycle: r.cycle, retention_percent: r.retention * 100 })),
    { field: "retention_percent", title: "Retention (%)" },
    options,
  );
}

/**
 * Several tests' discharge capacity (mAh) versus cycle, one colour per test: the absolute
 * companion of {@link comparisonPlotSpec}.
 *
 * @param rows Long-format rows `{test, cycle, discharge_capacity_Ah}`.
 * @param options Title and size.
 * @returns A Vega-Lite v5 spec.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { capacityComparisonPlotSpec } from "./plot_specs.ts";
 * const spec = capacityComparisonPlotSpec([{ test: "A", cycle: 1, discharge_capacity_Ah: 0.002 }]);
 * const layer = (spec.layer as { data: { values: { discharge_capacity_mAh: number }[] } }[])[0];
 * equal(layer.data.values[0].discharge_capacity_mAh, 2);
 * ```
 */
export function capacityComparisonPlotSpec(
  rows: readonly { test: string; cycle: number; discharge_capacity_Ah: number }[],
  options: PlotOptions = {},
): VegaLiteSpec {
  return perTestLines(
    rows.map((r) => ({
      test: r.test,
      cycle: r.cycle,
      discharge_capacity_mAh: r.discharge_capacity_Ah * 1000,
    })),
    { field: "discharge_capacity_mAh", title: "Discharge capacity (mAh)" },
    options,
  );
}

/**
 * Several tests' per-cycle quantity (coulombic efficiency, discharge energy, ...) versus cycle,
 * one colour per test.
 *
 * @param rows Long-format rows `{test, cycle, value}`, `value` in the unit of `y.title`.
 * @param y The axis: field name for the value (with its unit) and its title.
 * @param options Title and size.
 * @returns A Vega-Lite v5 spec.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { cycleComparisonPlotSpec } from "./plot_specs.ts";
 * const spec = cycleComparisonPlotSpec(
 *   [{ test: "A", cycle: 1, value: 99.1 }],
 *   { field: "ce_percent", title: "Coulombic efficiency (%)" },
 * );
 * const layer = (spec.layer as { data: { values: Record<string, number>[] } }[])[0];
 * equal(layer.data.values[0].ce_percent, 99.1);
 * ```
 */
export function cycleComparisonPlotSpec(
  rows: readonly { test: string; cycle: number; value: number }[],
  y: { field: string; title: string },
  options: PlotOptions = {},
): VegaLiteSpec {
  return perTestLines(
    rows.map((r) => ({ test: r.test, cycle: r.cycle, [y.field]: r.value })),
    y,
    options,
  );
}

/** Options of {@link voltageTracePlotSpec}. */
export interface TracePlotOptions extends PlotOptions {
  /** Points drawn, chosen by largest-triangle downsampling (`downsample`). @default {2000} */
  points?: number;
}

/**
 * Voltage versus test time of a whole series (in seconds, minutes, hours or days, whichever
 * suits its length), downsampled to a few thousand points
 * that keep its peaks and edges; the hover shows time, voltage and current. The title says how
 * many of the rows are drawn.
 *
 * @param series The series (time, voltage and current are used).
 * @param options Points kept, title and size.
 * @returns A Vega-Lite v5 spec.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { voltageTracePlotSpec } from "./plot_specs.ts";
 * const n = 10_000;
 * const time_s = Float64Array.from({ length: n }, (_, i) => i * 10);
 * const spec = voltageTracePlotSpec({
 *   length: n,
 *   time_s,
 *   voltage_V: time_s.map((t) => 3.7 + 0.1 * Math.sin(t / 3600)),
 *   current_A: new Float64Array(n).fill(1),
 * }, { points: 500 });
 * equal(spec.title, "Voltage (500 of 10000 rows)");
 * ```
 */
export function voltageTracePlotSpec(
  series: Pick<CyclingSeries, "length" | "time_s" | "voltage_V" | "current_A">,
  options: TracePlotOptions = {},
): VegaLiteSpec {
  const keep = downsample(series.time_s, series.voltage_V, options.points ?? 2000);
  let first = Infinity, last = -Infinity;
  for (const i of keep) {
    const t = series.time_s[i];
    if (Number.isFinite(t)) (first = Math.min(first, t)), (last = Math.max(last, t));
  }
  const { unit, seconds } = timeUnitFor(last - first);
  const field = `time_${unit}`;
  const rows = Array.from(keep, (i) => ({
    [field]: series.time_s[i] / seconds,
    voltage_V: series.voltage_V[i],
    current_A: series.current_A[i],
  })).filter((r) => Number.isFinite(r[field]) && Number.isFinite(r.voltage_V));
  const time = { field, title: `Test time (${unit})` };
  return layeredChart([{
    mark: "line",
    rows,
    x: time,
    y: { field: "voltage_V", title: "Voltage (V)" },
    tooltip: [
      time,
      { field: "voltage_V", title: "Voltage (V)" },
      { field: "current_A", title: "Current (A)" },
    ],
  }], {
    title: options.title ?? `Voltage (${rows.length} of ${series.length} rows)`,
    width: options.width,
    height: options.height,
  });
}
