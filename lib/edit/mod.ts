// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Edits a person makes to stored tests and samples (tags, sample, analysis options, sample
 * properties), each recorded in the document's history.
 *
 * @module
 */
export * from "./edit_test.ts";
export * from "./edit_sample.ts";
export * from "./history.ts";
