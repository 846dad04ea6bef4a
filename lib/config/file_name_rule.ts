// Copyright 2026 the battery-analysis authors. MIT license.

import { DEFAULT_FILE_NAME_RULE, type FileNameRule } from "../../parsers/file_name.ts";
import { type BatteryConfig, compilePattern } from "./load_config.ts";

/**
 * The file-name rule the configuration file sets: its `file_name_patterns` tried first, then the
 * built-in patterns; its `cell_code_pattern` instead of the built-in `CN\d+`. Without either
 * key, the built-in rule itself.
 *
 * ```toml
 * # ~/.battery_analysis.toml: "ZnSym_04_1mAh_25C" → sample ZnSym_04, nominal capacity 1 mAh
 * file_name_patterns = ['/^(?<sample>ZnSym_\d+)_(?<nominal_capacity_mAh>[\d.]+)mAh/i']
 * cell_code_pattern = 'Cell-(?<code>\d{3})'
 * ```
 *
 * @param values Loaded configuration values (checked by `loadConfig`).
 * @returns The rule.
 *
 * @example Usage
 * ```ts
 * import { fileNameRuleFromConfig } from "./file_name_rule.ts";
 * import { parseFileName } from "../../parsers/file_name.ts";
 * import { equal } from "node:assert/strict";
 *
 * // Arbin names that carry the cell's nominal capacity: "…_1mAh_Channel_54_Wb_1.CSV".
 * const rule = fileNameRuleFromConfig({
 *   file_name_patterns: ["^(?<sample>.+_(?<nominal_capacity_mAh>[\\d.]+)mAh)_Channel_(?<channel>\\d+)$"],
 * });
 * const info = parseFileName("BL_Zn_04_1mAh_Channel_54_Wb_1.CSV", { rule });
 * equal(info.sample, "BL_Zn_04_1mAh");
 * equal(info.channel, 54);
 * equal(info.groups.nominal_capacity_mAh, "1");
 * ```
 */
export function fileNameRuleFromConfig(
  values: Partial<Pick<BatteryConfig, "file_name_patterns" | "cell_code_pattern">>,
): FileNameRule {
  const patterns = values.file_name_patterns ?? [];
  if (patterns.length === 0 && values.cell_code_pattern === undefined) {
    return DEFAULT_FILE_NAME_RULE;
  }
  return {
    patterns: [...patterns.map(compilePattern), ...DEFAULT_FILE_NAME_RULE.patterns],
    cellCode: values.cell_code_pattern !== undefined
      ? compilePattern(values.cell_code_pattern)
      : DEFAULT_FILE_NAME_RULE.cellCode,
  };
}
