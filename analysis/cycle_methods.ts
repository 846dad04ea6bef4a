// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The ways cycles can be delimited, without the code that delimits them: the command-line tools
 * check `--method` and `--cycle-method` against this list and print it in their help without
 * loading the analysis.
 *
 * @module
 */

/** How cycles are delimited. See `CycleOptions.method` of `summarizeCycles`. */
export type CycleMethod = "auto" | "cycle_index" | "step" | "current_sign";

/**
 * Every cycle method of `summarizeCycles` (`CycleOptions.method`), `"auto"` first.
 *
 * @example Usage
 * ```ts
 * import { CYCLE_METHODS } from "./cycle_methods.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(CYCLE_METHODS[0], "auto");
 * equal(CYCLE_METHODS.includes("step"), true);
 * ```
 */
export const CYCLE_METHODS: readonly CycleMethod[] = [
  "auto",
  "cycle_index",
  "step",
  "current_sign",
];
