// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Pure numerics on the model: cycles, capacity fade, dQ/dV, normalization, comparison and EIS.
 *
 * @module
 */
export {};
export * from "./cycles.ts";
export * from "./half_cycles.ts";
export * from "./cycle_table.ts";
export * from "./plot_specs.ts";
