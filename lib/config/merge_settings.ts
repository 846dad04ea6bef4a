// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Combine settings by precedence: command-line flags, then the configuration file, then
 * built-in defaults. A flag counts as given when it is not `undefined`.
 *
 * @module
 */

/**
 * Merge settings: for each key of `defaults`, the flag when given, else the configuration value
 * when set, else the default.
 *
 * @param flags Values from the command line (`undefined` = not given).
 * @param layers The configuration values and the defaults.
 * @returns One value per key of `defaults`.
 *
 * @example Usage
 * ```ts
 * import { mergeSettings } from "./merge_settings.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const merged = mergeSettings(
 *   { workers: 8, include: undefined },
 *   { config: { workers: 2, include: ["*.csv"] }, defaults: { workers: 1, include: [], depth: null } },
 * );
 * deepStrictEqual(merged, { workers: 8, include: ["*.csv"], depth: null });
 * ```
 */
export function mergeSettings<T extends Record<string, unknown>>(
  flags: Partial<Record<keyof T, unknown>>,
  layers: { config: Partial<Record<string, unknown>>; defaults: T },
): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(layers.defaults)) {
    const flag = flags[key as keyof T];
    const config = layers.config[key];
    out[key] = flag !== undefined ? flag : config !== undefined ? config : layers.defaults[key];
  }
  return out as T;
}
