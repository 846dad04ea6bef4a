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
}

function encodeField(f: FieldSpec): Record<string, unknown> {
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
  if (f.legend) encoded.legend = f.legend;
  return encoded;
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
  const built = layers.map((layer, i) => {
    const encoding: Record<string, unknown> = { x: encodeField(layer.x), y: encodeField(layer.y) };
    if (layer.color) encoding.color = encodeField({ zero: true, ...layer.color });
    if (layer.detail) {
      encoding.detail = { field: layer.detail.field, type: layer.detail.type ?? "nominal" };
    }
    if (layer.order) {
      encoding.order = { field: layer.order.field, type: layer.order.type ?? "quantitative" };
    }
    encoding.tooltip = (layer.tooltip ?? [layer.x, layer.y, ...(layer.color ? [layer.color] : [])])
      .map((f) => ({ field: f.field, type: f.type ?? "quantitative", title: f.title ?? f.field }));
    const spec: Record<string, unknown> = {
      data: { values: layer.rows },
      mark: { type: layer.mark, tooltip: true, ...layer.markProps },
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
