// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { JUPYTER_DISPLAY, type MimeBundle } from "./_display.ts";
import type { VegaLiteSpec } from "./_vega.ts";

const VEGA_LITE = "application/vnd.vegalite.v5+json";

/** A plot on its own: displays in Jupyter as the Vega-Lite chart only. */
export interface PlotView {
  /** The Vega-Lite v5 spec (plain JSON, for vega-embed or a file). */
  readonly spec: VegaLiteSpec;
  /** Jupyter MIME bundle: the Vega-Lite spec and a one-line text fallback. */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/** Rows of inline data in a spec, its layers and its panels. */
function dataRows(spec: Record<string, unknown>): number {
  const own = (spec.data as { values?: unknown[] } | undefined)?.values?.length ?? 0;
  let rows = own;
  for (const key of ["layer", "vconcat", "hconcat", "concat"]) {
    const parts = spec[key];
    if (Array.isArray(parts)) { for (const part of parts) rows += dataRows(part); }
  }
  return rows;
}

/**
 * The plot of a result, alone. A result's own display bundle carries an HTML table and a
 * Vega-Lite plot, but a notebook front end shows only one type of each output: JupyterLab and
 * Notebook 7 pick the HTML table, VS Code the plot. `showPlot(result)` always shows the plot
 * (pair it with `showTable(result)`). Also takes a spec from the spec builders
 * (`capacityPlotSpec`, `dqdvSpec`, `nyquistChart`, ...).
 *
 * @param source A result with a Vega-Lite display (`CycleTable`, `FadeAnalysis`, `DqdvSet`,
 * `CircuitFit`, `LinKKResult`, `DrtResult`, `TestComparison`, ...) or a Vega-Lite spec.
 * @returns A displayable view of the plot.
 * @throws {TypeError} When the source has no Vega-Lite plot.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { showPlot } from "./show_plot.ts";
 * import { CycleTable } from "./cycle_table.ts";
 * import { JUPYTER_DISPLAY } from "./_display.ts";
 * const table = new CycleTable([], { method: "current_sign", currentThreshold_A: 1e-6 });
 * const bundle = showPlot(table)[JUPYTER_DISPLAY]();
 * equal(Object.keys(bundle).sort().join(), "application/vnd.vegalite.v5+json,text/plain");
 * ```
 */
export function showPlot(
  source: { [JUPYTER_DISPLAY](): MimeBundle } | VegaLiteSpec,
): PlotView {
  let spec: VegaLiteSpec | undefined;
  if (source !== null && typeof source === "object" && JUPYTER_DISPLAY in source) {
    const display = (source as { [JUPYTER_DISPLAY]: unknown })[JUPYTER_DISPLAY];
    if (typeof display !== "function") {
      throw new TypeError("showPlot: the object's Jupyter display is not a function");
    }
    spec = (display.call(source) as MimeBundle)[VEGA_LITE];
    if (!spec) throw new TypeError("showPlot: this result has no Vega-Lite plot");
  } else if (
    source !== null && typeof source === "object" && !Array.isArray(source) &&
    typeof (source as VegaLiteSpec).$schema === "string" &&
    ((source as VegaLiteSpec).$schema as string).includes("vega-lite")
  ) {
    spec = source as VegaLiteSpec;
  } else {
    throw new TypeError(
      "showPlot: expected a result with a Jupyter display or a Vega-Lite spec with $schema",
    );
  }
  const plot = spec;
  const title = typeof plot.title === "string" ? `"${plot.title}" ` : "";
  const rows = dataRows(plot);
  return {
    spec: plot,
    [JUPYTER_DISPLAY](): MimeBundle {
      return {
        "text/plain": `Vega-Lite plot ${title}(${rows} data row${rows === 1 ? "" : "s"})`,
        [VEGA_LITE]: plot,
      };
    },
  };
}
