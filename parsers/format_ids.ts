// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The id of every registered format, in the order `FORMATS` tries them, without loading any
 * reader: for help texts and argument checks that must start quickly (`summarize --help`).
 * `tests/parsers/format_ids_test.ts` checks that it lists exactly the ids of `FORMATS`.
 *
 * @example Usage
 * ```ts
 * import { FORMAT_IDS } from "./format_ids.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(FORMAT_IDS.includes("arbin_csv"), true);
 * ```
 */
export const FORMAT_IDS: readonly string[] = [
  "biologic_mpr",
  "neware_nda",
  "neware_ndax",
  "arbin_res",
  "arbin_csv",
  "arbin_metadata_csv",
  "arbin_xlsx",
  "biologic_mpt",
  "neware_csv",
  "neware_xlsx",
  "maccor_eis",
  "maccor_text",
  "novonix_csv",
  "landt_csv",
  "basytec_txt",
  "pec_csv",
  "battery_archive_csv",
  "battery_data_csv",
  "bdf_csv",
  "ivium_txt",
  "gamry_dta",
  "zplot_z",
  "autolab_txt",
  "chi_txt",
  "parstat_txt",
  "powersuite_txt",
  "versastudio_par",
  "drttools_csv",
  "eis_csv",
  "generic_csv",
];
