// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Small builders of Vega-Lite v5 specifications, shared by the notebook display of result types
 * and by the dashboard (which renders the same specs with vega-embed).
 */

/** A Vega-Lite specification (plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

/** Schema URL of Vega-Lite v5 specs. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** One encoded field of a chart. */
export interface FieldSpec {
  /** Field name in the data rows. */
  field: string;
  /** Axis or legend title (with units). */
  title?: string;
  /** Vega-Lite type. @default {"quantitative"} */
  type?: "quantitative" | "ordinal" | "nominal" | "temporal";
  /** Use a logarithmic scale. */
  log?: boolean;
  /** Do not force zero into the scale. @default {true} */
  zero?: boolean;
  /** Colour scheme of the scale (for example `"viridis"` for cycle numbers). */
  scheme?: string;
  /** Fixed scale domain `[min, max]` (for example for equal aspect ratios). */
  domain?: [number, number];
  /** Legend properties of a colour field (for example `{ labelLimit: 0 }`: never cut labels). */
  legend?: Record<string, unknown>;
  /**
   * Whole numbers only (cycle numbers): axis ticks at integers, labels and tooltips without
   * decimals.
   */
  integer?: boolean;
  /** d3 number format of axis labels and tooltips (for example `".3~f"`). */
  format?: string;
}

/** Options of {@link layeredChart} layers. */
export interface LayerSpec {
  /** Mark type. */
  mark: "line" | "point" | "circle" | "rule" | "area" | "bar" | "text" | "tick";
  /** Data rows of this layer. */
  rows: readonly Record<string, unknown>[];
  /** x encoding. */
  x: FieldSpec;
  /** y encoding. */
  y: FieldSpec;
  /** Optional colour encoding (for example cycle number). */
  color?: FieldSpec;
  /** Extra mark properties (`{strokeDash: [4, 2]}`, `{point: true}`, `{size: 20}`). */
  markProps?: Record<string, unknown>;
  /** Fields shown on hover (defaults to x, y and color). */
  tooltip?: FieldSpec[];
  /** Split lines into separate paths by this field without a legend (for example half cycle). */
  detail?: FieldSpec;
  /** Draw points of a line in this field's order instead of sorting by x (for example row). */
  order?: FieldSpec;
  /**
   * Name of this layer in the chart's legend (for layers without a colour field: measured
   * points, a fitted model, a threshold line). The layer's colour is `markProps.color`.
   */
  legend?: string;
}

/** Colours given to legend entries of layers without their own `markProps.color`. */
const LEGEND_COLORS = ["#1f77b4", "#d62728", "#7f7f7f", "#9467bd", "#2ca02c", "#ff7f0e"];

function encodeField(f: FieldSpec, channel: "x" | "y" | "color" = "x"): Record<string, unknown> {
  const type = f.type ?? "quantitative";
  const scale: Record<string, unknown> = {};
  // `zero` only means something on linear quantitative scales; elsewhere vega-lite drops it
  // with a console warning in every front end ("does not work with log/ordinal scale").
  if (type === "quantitative" && !f.log) scale.zero = f.zero ?? false;
  if (f.log) scale.type = "log";
  if (f.scheme) scale.scheme = f.scheme;
  if (f.domain) scale.domain = f.domain;
  const encoded: Record<string, unknown> = {
    field: f.field,
    type,
    title: f.title ?? f.field,
    scale,
  };
  const format = f.format ?? (f.integer ? "d" : undefined);
  if (channel === "color") {
    if (f.legend || format) encoded.legend = { ...(format ? { format } : {}), ...f.legend };
  } else if (f.integer || format) {
    encoded.axis = { ...(f.integer ? { tickMinStep: 1 } : {}), ...(format ? { format } : {}) };
  }
  return encoded;
}

function tooltipField(f: FieldSpec): Record<string, unknown> {
  const format = f.format ?? (f.integer ? "d" : undefined);
  return {
    field: f.field,
    type: f.type ?? "quantitative",
    title: f.title ?? f.field,
    ...(format && (f.type ?? "quantitative") === "quantitative" ? { format } : {}),
  };
}

/**
 * Extent of a quantitative field over the layers that encode it on a channel, when every
 * finite value is the same (`[v, v]`), else `null`. A scale over one value would label its
 * ticks with meaningless decimals ("1.000000"); such a scale gets a padded domain instead.
 */
function degenerateValue(layers: readonly LayerSpec[], channel: "x" | "y"): number | null {
  let value: number | null = null;
  for (const layer of layers) {
    const f = layer[channel];
    if ((f.type ?? "quantitative") !== "quantitative" || f.domain || f.log) return null;
    for (const row of layer.rows) {
      const v = row[f.field];
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      if (value === null) value = v;
      else if (v !== value) return null;
    }
  }
  return value;
}

/**
 * The colour field of cycle numbers: a discrete legend (one symbol per cycle, ordinal viridis
 * colours) for up to `maxDiscrete` distinct cycles, a continuous one labelled with whole
 * numbers beyond.
 *
 * @param cycles The cycle numbers drawn.
 * @param options Field name, title, and how many cycles still get discrete colours.
 * @returns The colour field.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { cycleColor } from "./_vega.ts";
 * equal(cycleColor([1, 50, 100]).type, "ordinal");
 * equal(cycleColor(Array.from({ length: 40 }, (_, i) => i + 1)).type, "quantitative");
 * ```
 */
export function cycleColor(
  cycles: Iterable<number>,
  options: { field?: string; title?: string; maxDiscrete?: number } = {},
): FieldSpec {
  const distinct = new Set(cycles).size;
  const base = { field: options.field ?? "cycle", title: options.title ?? "Cycle" };
  return distinct <= (options.maxDiscrete ?? 12)
    ? { ...base, type: "ordinal", scheme: "viridis" }
    : { ...base, type: "quantitative", scheme: "viridis", integer: true };
}

/** A time axis in a unit that suits the span: seconds, minutes, hours or days. */
export interface TimeUnit {
  /** Unit symbol: `s`, `min`, `h` or `d`. */
  unit: "s" | "min" | "h" | "d";
  /** Seconds per unit. */
  seconds: number;
}

/**
 * The unit in which a time span reads best: seconds up to 2 minutes, minutes up to 2 hours,
 * hours up to 2 days, days beyond.
 *
 * @param span_s The span in seconds.
 * @returns The unit and its length in seconds.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { timeUnitFor } from "./_vega.ts";
 * equal(timeUnitFor(3).unit, "s");
 * equal(timeUnitFor(5400).unit, "min");
 * equal(timeUnitFor(36 * 3600).unit, "h");
 * equal(timeUnitFor(30 * 86400).unit, "d");
 * ```
 */
export function timeUnitFor(span_s: number): TimeUnit {
  if (!(span_s > 120)) return { unit: "s", seconds: 1 };
  if (span_s <= 7200) return { unit: "min", seconds: 60 };
  if (span_s <= 2 * 86400) return { unit: "h", seconds: 3600 };
  return { unit: "d", seconds: 86400 };
}

/**
 * A chart of one or more layers sharing axes, interactive (zoom and pan with the mouse, hover
 * tooltips).
 *
 * @param layers The layers, drawn in order.
 * @param options Title and size.
 * @returns A Vega-Lite spec.
 */
export function layeredChart(
  layers: LayerSpec[],
  options: { title?: string; width?: number; height?: number } = {},
): VegaLiteSpec {
  const legendNames = [...new Set(layers.flatMap((l) => (l.legend ? [l.legend] : [])))];
  const legendColors = legendNames.map((name, k) =>
    (layers.find((l) => l.legend === name)?.markProps?.color as string | undefined) ??
      LEGEND_COLORS[k % LEGEND_COLORS.length]
  );
  const flat = { x: degenerateValue(layers, "x"), y: degenerateValue(layers, "y") };
  const built = layers.map((layer, i) => {
    const encoding: Record<string, unknown> = {
      x: encodeField(layer.x, "x"),
      y: encodeField(layer.y, "y"),
    };
    for (const channel of ["x", "y"] as const) {
      const v = flat[channel];
      if (v === null) continue;
      const pad = v === 0 ? 1 : Math.abs(v) * 0.05;
      const enc = encoding[channel] as { scale: Record<string, unknown> };
      enc.scale = { ...enc.scale, domain: [v - pad, v + pad] };
    }
    if (layer.color) encoding.color = encodeField({ zero: true, ...layer.color }, "color");
    else if (layer.legend) {
      encoding.color = {
        datum: layer.legend,
        type: "nominal",
        title: null,
        scale: { domain: legendNames, range: legendColors },
        legend: { labelLimit: 0, orient: "bottom", direction: "horizontal" },
      };
    }
    if (layer.detail) {
      encoding.detail = { field: layer.detail.field, type: layer.detail.type ?? "nominal" };
    }
    if (layer.order) {
      encoding.order = { field: layer.order.field, type: layer.order.type ?? "quantitative" };
    }
    encoding.tooltip = (layer.tooltip ?? [layer.x, layer.y, ...(layer.color ? [layer.color] : [])])
      .map(tooltipField);
    const markProps = { ...layer.markProps };
    // The legend's colour scale colours the layer; a fixed mark colour would override it.
    if (layer.legend && !layer.color) delete markProps.color;
    const spec: Record<string, unknown> = {
      data: { values: layer.rows },
      mark: { type: layer.mark, tooltip: true, ...markProps },
      encoding,
    };
    if (i === 0) spec.params = [{ name: "zoom", select: "interval", bind: "scales" }];
    return spec;
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 480,
    height: options.height ?? 300,
    layer: built,
  };
}

/**
 * Charts side by side (`horizontal`) or stacked (`vertical`), each keeping its own scales.
 *
 * @param charts Specs from {@link layeredChart}.
 * @param options Direction and title.
 * @returns A Vega-Lite spec.
 */
export function concatCharts(
  charts: VegaLiteSpec[],
  options: { direction?: "vertical" | "horizontal"; title?: string } = {},
): VegaLiteSpec {
  // Selection parameters must have unique names across the concatenation.
  const parts = charts.map((c, i) => {
    const { $schema: _schema, ...rest } = c;
    if (Array.isArray(rest.layer)) {
      rest.layer = (rest.layer as Record<string, unknown>[]).map((l) =>
        Array.isArray(l.params)
          ? {
            ...l,
            params: (l.params as Record<string, unknown>[]).map((p) => ({
              ...p,
              name: `${p.name}_${i}`,
            })),
          }
          : l
      );
    }
    return rest;
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    [options.direction === "horizontal" ? "hconcat" : "vconcat"]: parts,
    resolve: { scale: { color: "independent" } },
  };
}
