// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The analysis of a stored test (what `analyze --test`, the import pipeline, `migrate` and the
 * dashboard use): `analyzeStoredTest` reads what the store keeps and calls `analyzeTest`.
 *
 * @module
 */
export * from "./analyze_stored_test.ts";
export * from "./refresh_analyses.ts";
export * from "./stored_analysis_input.ts";
export * from "./test_analysis_of.ts";
