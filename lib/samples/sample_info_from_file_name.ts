// Copyright 2026 the battery-analysis authors. MIT license.

import type { FileNameInfo } from "../../parsers/file_name.ts";
import type { SampleInfo } from "../model/sample_info.ts";
import { parseSampleProperty, samplePropertyColumn } from "../../parsers/sample_property.ts";

/**
 * The sample properties a file name states through the named groups of its rule
 * (`nominal_capacity_mAh`, `area_cm2`, `chemistry`, `cell_code`, ... — see
 * `fileNameRuleFromConfig`), and the cell code the rule's cell-code pattern found. A group whose
 * text is not a valid value is reported in `warnings`, never guessed.
 *
 * @param info What `parseFileName` returned.
 * @returns The properties and any warnings.
 *
 * @example Usage
 * ```ts
 * import { sampleInfoFromFileName } from "./sample_info_from_file_name.ts";
 * import { parseFileName } from "../../parsers/file_name.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const rule = { patterns: [/^(?<sample>.+_(?<nominal_capacity_mAh>[\d.]+)mAh)$/], cellCode: /CN\d+/ };
 * const { info } = sampleInfoFromFileName(parseFileName("CN7_Zn_1.5mAh.csv", { rule }));
 * deepEqual(info, { cell_code: "CN7", nominal_capacity_Ah: 0.0015 });
 * ```
 */
export function sampleInfoFromFileName(
  info: Pick<FileNameInfo, "groups" | "cell_code" | "file_name">,
): { info: SampleInfo; warnings: string[] } {
  const out: SampleInfo = {};
  const warnings: string[] = [];
  if (info.cell_code) out.cell_code = info.cell_code;
  for (const [name, text] of Object.entries(info.groups ?? {})) {
    let column;
    try {
      column = samplePropertyColumn(name);
    } catch {
      column = null;
    }
    if (!column) continue; // sample, channel, technique, sequence
    try {
      const p = parseSampleProperty(name, text);
      if (p.value !== null) (out as Record<string, unknown>)[p.field] = p.value;
    } catch (error) {
      warnings.push(`file name "${info.file_name}": group ${name}: ${(error as Error).message}`);
    }
  }
  return { info: out, warnings };
}
