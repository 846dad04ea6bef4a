// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The analysis report of one cycling test (`cli/analyze.ts`): fade, knee, end of life,
 * anomalies and dQ/dV peaks.
 *
 * @module
 */
export * from "./analyze_cycling.ts";
