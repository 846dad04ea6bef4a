// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * User configuration: the `~/.battery_analysis.toml` / `.ini` file and the precedence helper
 * (flags > configuration file > defaults).
 *
 * @module
 */
export * from "./load_config.ts";
export * from "./merge_settings.ts";
export * from "./file_name_rule.ts";
