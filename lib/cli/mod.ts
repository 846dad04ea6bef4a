// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Shared helpers for the command-line tools in `cli/`: a tool's command line as data
 * (`CliSpec`), flags typed from it (`parseFlags`), the configuration file and store selection
 * (`parseCli`, `runCli`, `openCliStore`), help text generated from the spec, and a progress bar
 * that is silent when stdout is not a terminal. A tool imports the files it needs, not this
 * module, so that its `--help` loads nothing else.
 *
 * @module
 */
export * from "./cli_spec.ts";
export * from "./parse_flags.ts";
export * from "./format_help.ts";
export * from "./run_cli.ts";
export * from "./parse_cli.ts";
export * from "./open_cli_store.ts";
export * from "./store_json.ts";
export * from "./import_options.ts";
export * from "./progress_bar.ts";
export * from "./format_table.ts";
export * from "./stop_signal.ts";
export * from "./usage_error.ts";
export * from "./sample_options.ts";
