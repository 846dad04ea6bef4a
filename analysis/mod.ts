// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Pure numerics on the model: cycles, capacity fade, dQ/dV, normalization, comparison and EIS.
 *
 * @module
 */
export * from "./cycles.ts";
export * from "./half_cycles.ts";
export * from "./cycle_table.ts";
export * from "./plot_specs.ts";
export * from "./retention.ts";
export * from "./efficiency_stats.ts";
export * from "./fade_models.ts";
export * from "./life_prediction.ts";
export * from "./knee.ts";
export * from "./cycle_life.ts";
export * from "./anomalies.ts";
export * from "./rate_capability.ts";
export * from "./fade.ts";
export * from "./analyze_test.ts";
export * from "./test_features.ts";
export * from "./compare_tests.ts";
export * from "./outliers.ts";
export * from "./similar_tests.ts";
export * from "./pca.ts";
export * from "./dqdv.ts";
export * from "./dqdv_spec.ts";
export * from "./find_peaks.ts";
export * from "./dvdq.ts";
export * from "./dvdq_peak_metrics.ts";
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
export * from "./dqdv_by_cycle.ts";
export * from "./eis/mod.ts";
export * from "./high_frequency_intercept.ts";
export { JUPYTER_DISPLAY, type MimeBundle } from "./_display.ts";
export type { VegaLiteSpec } from "./_vega.ts";
export * from "./show_table.ts";
export * from "./show_plot.ts";
export * from "./downsample.ts";
export * from "./display.ts";
export * from "./models/mod.ts";
export * from "./export/mod.ts";
