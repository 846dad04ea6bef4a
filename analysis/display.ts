// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Text and HTML tables exactly as the analysis result objects print them (`toString()` and
 * their Jupyter display): for code that shows its own numbers next to theirs — the CLIs, the
 * dashboard, notebooks.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { textTable } from "./display.ts";
 * equal(textTable([{ model: "linear", aic: -405.2 }], [{ key: "model" }, { key: "aic" }]),
 *   " model     aic\nlinear  -405.2");
 * ```
 *
 * @module
 */
export {
  escapeHtml,
  formatNumber,
  htmlTable,
  type TableColumn,
  type TableOptions,
  textTable,
} from "./_display.ts";
