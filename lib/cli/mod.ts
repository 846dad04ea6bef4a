// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Shared helpers for the command-line tools in `cli/`: flag parsing with the configuration file
 * and store selection (`parseCli`, `runCli`, `openCliStore`), help text, and a progress bar that
 * is silent when stdout is not a terminal.
 *
 * @module
 */
export * from "./parse_cli.ts";
export * from "./import_options.ts";
export * from "./progress_bar.ts";
export * from "./format_table.ts";
export * from "./stop_signal.ts";
export * from "./usage_error.ts";
export * from "./sample_options.ts";
