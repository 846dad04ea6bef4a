// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FileMeta } from "../lib/model/file_meta.ts";
import { parseFileName } from "./file_name.ts";
import type { ParseOptions } from "./format_parser.ts";

/**
 * Build a {@link FileMeta} from what a parser read plus the file name rule. The file content
 * wins over the file name for the channel.
 */
export function makeMeta(
  options: ParseOptions,
  fields: Pick<FileMeta, "format" | "instrument"> & Partial<FileMeta>,
): FileMeta {
  const info = parseFileName(options.fileName, { rule: options.fileNameRule });
  return {
    file_name: info.file_name,
    format_version: null,
    channel: info.channel,
    techniques: info.technique ? [info.technique] : [],
    start_time: null,
    sample: info.sample,
    cell_code: info.cell_code,
    base_name: info.base_name,
    part: info.part,
    device: null,
    electrode_area_cm2: null,
    active_mass_g: null,
    header: {},
    warnings: [],
    ...fields,
  };
}
