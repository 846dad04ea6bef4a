// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * battery-analysis: read cycler and impedance files, turn them into per-cycle numbers, fit fade
 * and impedance models, and keep everything in a searchable store.
 *
 * @module
 */
export * from "./lib/model/mod.ts";
export * from "./parsers/mod.ts";
export * from "./analysis/mod.ts";
