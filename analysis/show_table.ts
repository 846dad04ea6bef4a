// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { JUPYTER_DISPLAY, type MimeBundle } from "./_display.ts";

/** A result's table on its own: displays in Jupyter as HTML (and text) only. */
export interface TableView {
  /** The HTML (tables, summary lines). */
  readonly html: string;
  /** The text rendering. */
  readonly text: string;
  /** Jupyter MIME bundle: the HTML and the text. */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/**
 * The table of a result, alone. A result's own display bundle carries an HTML table and a
 * Vega-Lite plot, but a notebook front end shows only one type of each output: JupyterLab and
 * Notebook 7 pick the HTML table, VS Code the plot. `showTable(result)` always shows the table
 * (pair it with `showPlot(result)`).
 *
 * @param source A result with an HTML display (`CycleTable`, `FadeAnalysis`, `DqdvSet`,
 * `CircuitFit`, `LinKKResult`, `DrtResult`, `TestComparison`, ...).
 * @returns A displayable view of the table.
 * @throws {TypeError} When the source has no HTML display.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { showTable } from "./show_table.ts";
 * import { CycleTable } from "./cycle_table.ts";
 * import { JUPYTER_DISPLAY } from "./_display.ts";
 * const table = new CycleTable([], { method: "current_sign", currentThreshold_A: 1e-6 });
 * const bundle = showTable(table)[JUPYTER_DISPLAY]();
 * equal(Object.keys(bundle).sort().join(), "text/html,text/plain");
 * ```
 */
export function showTable(source: { [JUPYTER_DISPLAY](): MimeBundle }): TableView {
  const display = source !== null && typeof source === "object"
    ? (source as { [JUPYTER_DISPLAY]?: unknown })[JUPYTER_DISPLAY]
    : undefined;
  if (typeof display !== "function") {
    throw new TypeError("showTable: expected a result with a Jupyter display");
  }
  const bundle = display.call(source) as MimeBundle;
  const html = bundle["text/html"];
  if (typeof html !== "string") throw new TypeError("showTable: this result has no HTML display");
  const text = bundle["text/plain"];
  return {
    html,
    text,
    [JUPYTER_DISPLAY](): MimeBundle {
      return { "text/plain": text, "text/html": html };
    },
  };
}
