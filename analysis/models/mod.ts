// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Physics-based cell models: SPM, SPMe and DFN (PyBaMM's equations and default
 * discretization), a lumped thermal model and SEI growth, run through PyBaMM-style experiments;
 * comparison with measured tests and parameter fitting.
 *
 * @module
 */
export * from "./parameter_set.ts";
export * from "./chen2020.ts";
export * from "./marquis2019.ts";
export * from "./load_parameter_set.ts";
export * from "./electrode_soh.ts";
export * from "./experiment.ts";
export * from "./simulation.ts";
export * from "./simulate.ts";
export { SolverError } from "./_bdf.ts";
export type { MeshPoints } from "./_cell_model.ts";
export * from "./compare_simulation.ts";
export * from "./fit_parameters.ts";
export * from "./project_cycle_life.ts";
export * from "./run_model_study.ts";
