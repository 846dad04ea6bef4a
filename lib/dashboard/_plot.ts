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
 * A plot container: `<figure class="plot" data-points=N>` holding the spec as JSON. `app.js`
 * embeds it and, once drawn, sets `data-rendered-points` to the number of drawn mark items.
 */
export function plot(id: string, spec: Spec, caption?: string): SafeHtml {
  return markup`<figure class="plot" id="${id}" data-points="${specPoints(spec)}">
<div class="plot-target" aria-label="${caption ?? id}"></div>${jsonScript(`${id}-spec`, spec)}${
    caption ? markup`<figcaption>${caption}</figcaption>` : ""
  }</figure>`;
}
