// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Electrochemical impedance spectroscopy: an impedance.py-compatible circuit language with
 * fast evaluation, circuit fitting without hand-made initial guesses (and automatic circuit
 * choice), batch fitting, the lin-KK validity test, the distribution of relaxation times, and
 * Vega-Lite charts.
 *
 * @module
 */
export * from "./elements.ts";
export * from "./circuit.ts";
export * from "./circuit_fit.ts";
export * from "./fit_circuit.ts";
export * from "./fit_spectra.ts";
export * from "./lin_kk.ts";
export * from "./drt.ts";
export * from "./eis_charts.ts";
export type { PointSelection, SpectrumLike } from "./_spectrum_data.ts";
export type { Weighting } from "./_fit_core.ts";
export type { FitQuality, ParameterFlag } from "./_fit_one.ts";
export type { KKFitType } from "./_kk_basis.ts";
export type { FittedSpectrum } from "./_fitted_spectrum.ts";
