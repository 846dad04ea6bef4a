// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Plots in pages: a Vega-Lite spec (from the analysis spec builders, the same the notebook
 * shows) embedded as JSON next to an empty container that `app.js` renders with vega-embed.
 */

import { jsonScript, markup, type SafeHtml } from "./_html.ts";

/** A Vega-Lite spec (plain JSON). */
export type Spec = Record<string, unknown>;

/** Number of inline data rows of a spec, over all its layers and panels. */
export function specPoints(spec: unknown): number {
  if (spec === null || typeof spec !== "object") return 0;
  const s = spec as Record<string, unknown>;
  let n = 0;
  const data = s.data as { values?: unknown[] } | undefined;
  if (data && Array.isArray(data.values)) n += data.values.length;
  for (const key of ["layer", "vconcat", "hconcat", "concat"]) {
    const parts = s[key];
    if (Array.isArray(parts)) { for (const p of parts) n += specPoints(p); }
  }
  if (s.spec) n += specPoints(s.spec);
  return n;
}

/**
 * The Vega-Lite version the dashboard serves (`vega-lite` in `deno.json`). The analysis modules
 * write v5 specs (what Jupyter front ends render); they are valid v6 too, so the dashboard
 * labels them v6 and renders them with the one vega-lite it ships — no version warning.
 */
export const VEGA_LITE_MAJOR = 6;

/** The schema URL of the specs the dashboard sends. */
export const DASHBOARD_SCHEMA = `https://vega.github.io/schema/vega-lite/v${VEGA_LITE_MAJOR}.json`;

/** Options of {@link plot}. */
export interface PlotOptions {
  /**
   * Why the plot would have no data (shown instead of an empty panel when it has none).
   * @default {"No data to draw."}
   */
  empty?: string;
}

/**
 * A plot container: `<figure class="plot" data-points=N>` holding the spec as JSON. `app.js`
 * embeds it and, once drawn, sets `data-rendered-points` to the number of drawn mark items.
 * A spec without data points gives a `<figure class="plot-empty">` with the reason instead.
 */
export function plot(
  id: string,
  spec: Spec,
  caption?: string,
  options: PlotOptions = {},
): SafeHtml {
  const points = specPoints(spec);
  if (points === 0) {
    return markup`<figure class="plot-empty" id="${id}"><p class="muted">${
      caption ? markup`<strong>${caption}</strong>: ` : ""
    }${options.empty ?? "No data to draw."}</p></figure>`;
  }
  const labelled = { ...spec, $schema: DASHBOARD_SCHEMA };
  return markup`<figure class="plot" id="${id}" data-points="${points}">
<div class="plot-target" role="img" aria-label="${caption ?? id}"></div>${
    jsonScript(`${id}-spec`, labelled)
  }${caption ? markup`<figcaption>${caption}</figcaption>` : ""}</figure>`;
}
