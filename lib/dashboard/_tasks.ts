// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The computations the dashboard's workers offer: pure functions of plain data (no store, no
 * `Deno`) that return a page section's HTML, or a download's bytes (`exportFiles`).
 */

import { eisSections } from "./_pages/eis_sections.ts";
import { curvesSection, fadeSection, traceSection } from "./_pages/detail_sections.ts";
import { modelingRun } from "./_pages/modeling_sections.ts";
import { dvdqMetrics } from "./_pages/compare_sections.ts";
import { exportFiles } from "./_pages/export.ts";

/** Task name → function. */
export const DASHBOARD_TASKS = {
  eisSections,
  curvesSection,
  fadeSection,
  traceSection,
  modelingRun,
  dvdqMetrics,
  exportFiles,
};
