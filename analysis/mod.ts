// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Pure numerics on the model: cycles, capacity fade, dQ/dV, normalization, comparison and EIS.
 *
 * @module
 */
export {};
export * from "./dqdv.ts";
export * from "./dqdv_spec.ts";
export * from "./find_peaks.ts";
export * from "./dvdq.ts";
export * from "./track_peaks.ts";
export * from "./dqdv_difference.ts";
export * from "./voltage_capacity.ts";
export * from "./voltage_capacity_spec.ts";
export * from "./sample_properties.ts";
export * from "./specific_capacity.ts";
export * from "./areal_capacity.ts";
export * from "./area_specific_resistance.ts";
export * from "./ionic_conductivity.ts";
export * from "./normalize.ts";
