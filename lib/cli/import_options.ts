// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Flags the import tools share (`import_directory`, `import_watcher`): which files to take, the
 * tags to add, archiving, and how cycles are delimited, with one wording and one check.
 *
 * @module
 */

import type { CycleMethod } from "../../analysis/cycles.ts";
import { type CliOption, UsageError } from "./parse_cli.ts";

/** The ways cycles can be delimited (`--cycle-method`, `--method`). */
export const CYCLE_METHODS: readonly CycleMethod[] = [
  "auto",
  "cycle_index",
  "step",
  "current_sign",
];

/**
 * The shared flags: `--include`, `--exclude`, `--depth`, `--tag`, `--no-archive`,
 * `--keep-history` and `--cycle-method`.
 *
 * @example Usage
 * ```ts
 * import { IMPORT_OPTIONS } from "./import_options.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(IMPORT_OPTIONS.include.multiple, true);
 * equal(IMPORT_OPTIONS["cycle-method"].default, "auto");
 * ```
 */
export const IMPORT_OPTIONS: Readonly<Record<string, CliOption>> = {
  include: {
    type: "string",
    multiple: true,
    value: "GLOB",
    config: "include",
    description: 'only files whose relative path or name matches ("*" crosses "/")',
  },
  exclude: {
    type: "string",
    multiple: true,
    value: "GLOB",
    config: "exclude",
    description: "leave out matching files and directories",
  },
  depth: {
    type: "integer",
    value: "N",
    config: "depth",
    description: "directory levels below DIR to look at (0 = DIR only; default all)",
  },
  tag: {
    type: "string",
    multiple: true,
    value: "TAG",
    description: "add TAG to every sample, test and raw file touched",
  },
  "no-archive": { type: "boolean", description: "do not store the original files" },
  "keep-history": {
    type: "boolean",
    description: "keep the archived earlier version when a grown file is imported again",
  },
  "cycle-method": {
    type: "string",
    value: "M",
    default: "auto",
    description: CYCLE_METHODS.join(" | "),
  },
  mapping: {
    type: "string",
    value: "FILE",
    description: "column mapping (TOML/JSON) for delimited files no instrument reader knows",
  },
};

/**
 * A cycle method flag's value, checked.
 *
 * @param value The value given.
 * @param flag The flag's name, for the message. @default {"cycle-method"}
 * @returns The method.
 *
 * @example Usage
 * ```ts
 * import { checkCycleMethod } from "./import_options.ts";
 * import { equal, throws } from "node:assert/strict";
 *
 * equal(checkCycleMethod("step"), "step");
 * throws(() => checkCycleMethod("x"), /--cycle-method must be one of auto, cycle_index/);
 * ```
 */
export function checkCycleMethod(value: unknown, flag = "cycle-method"): CycleMethod {
  if (!(CYCLE_METHODS as readonly unknown[]).includes(value)) {
    throw new UsageError(
      `--${flag} must be one of ${CYCLE_METHODS.join(", ")}, got "${value}"`,
    );
  }
  return value as CycleMethod;
}

/**
 * Check that numeric flags, when given, are at least their minimum.
 *
 * @param values Parsed flag values.
 * @param minimums Smallest allowed value of each flag.
 *
 * @example Usage
 * ```ts
 * import { checkMinimums } from "./import_options.ts";
 * import { throws } from "node:assert/strict";
 *
 * checkMinimums({ depth: 2 }, { depth: 0, workers: 0 });
 * throws(() => checkMinimums({ workers: -1 }, { workers: 0 }), /--workers must be 0 or more/);
 * ```
 */
export function checkMinimums(
  values: Record<string, unknown>,
  minimums: Record<string, number>,
): void {
  for (const [name, min] of Object.entries(minimums)) {
    const value = values[name];
    if (typeof value === "number" && value < min) {
      throw new UsageError(`--${name} must be ${min} or more`);
    }
  }
}
