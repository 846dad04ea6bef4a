// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Flags the import tools share (`import_directory`, `import_watcher`): which files to take, the
 * tags to add, archiving, how cycles are delimited and the column mapping, with one wording and
 * one check.
 *
 * @module
 */

import { CYCLE_METHODS } from "../../analysis/cycle_methods.ts";
import type { CliOption } from "./cli_spec.ts";

/**
 * The shared flags: `--include`, `--exclude`, `--depth`, `--tag`, `--no-archive`,
 * `--keep-history`, `--cycle-method` and `--mapping`.
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
export const IMPORT_OPTIONS = {
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
    min: 0,
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
    choices: CYCLE_METHODS,
    description: CYCLE_METHODS.join(" | "),
  },
  mapping: {
    type: "string",
    value: "FILE",
    description: "column mapping (TOML/JSON) for delimited files no instrument reader knows",
  },
} as const satisfies Record<string, CliOption>;
