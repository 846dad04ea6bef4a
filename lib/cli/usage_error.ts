// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Usage errors and the `--method` flag of the command-line tools, without loading the store or
 * the configuration file: the tools that read files only (`summarize`, `analyze FILE`) use this
 * module directly so they run with read permission; `runCli` reports its usage errors the same
 * way.
 *
 * @module
 */

import { CYCLE_METHODS, type CycleMethod } from "../../analysis/cycles.ts";

/**
 * Print `TOOL: MESSAGE` and a pointer to `--help` on stderr, and return exit code 2.
 *
 * @param tool The tool's name (`"summarize"`).
 * @param error The error (or message).
 * @returns 2, the exit code of usage errors.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { reportUsageError } from "./usage_error.ts";
 * equal(reportUsageError("tool", new TypeError("give a file")), 2);
 * ```
 */
export function reportUsageError(tool: string, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${tool}: ${message}\nRun "${tool} --help" for usage.`);
  return 2;
}

/**
 * The value of a `--method` flag, checked against the cycle methods of `summarizeCycles`.
 *
 * @param value The flag's text.
 * @returns The method.
 * @throws {RangeError} For an unknown method, naming the known ones.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { cycleMethodFlag } from "./usage_error.ts";
 * equal(cycleMethodFlag("step"), "step");
 * throws(() => cycleMethodFlag("cycles"), /--method must be auto, cycle_index/);
 * ```
 */
export function cycleMethodFlag(value: string): CycleMethod {
  if (!(CYCLE_METHODS as readonly string[]).includes(value)) {
    throw new RangeError(`--method must be ${CYCLE_METHODS.join(", ")}; got "${value}"`);
  }
  return value as CycleMethod;
}
