// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Pure numerics on the model: cycles, capacity fade, dQ/dV, normalization, comparison and EIS.
 *
 * @module
 */
export * from "./eis/mod.ts";
