// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Usage errors of the command-line tools: the error a bad command line throws, and how a tool
 * reports it (`TOOL: MESSAGE`, a pointer to `--help`, exit code 2). Loads nothing.
 *
 * @module
 */

/**
 * A command line that cannot be understood.
 *
 * @example Usage
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(new UsageError("--workers must be an integer") instanceof TypeError, true);
 * ```
 */
export class UsageError extends TypeError {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

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
