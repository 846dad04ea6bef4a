// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser } from "./format_parser.ts";
import { ARBIN_CSV } from "./arbin_csv.ts";
import { ARBIN_METADATA_CSV } from "./arbin_metadata_csv.ts";
import { ARBIN_XLSX } from "./arbin_xlsx.ts";
import { biologicMpr } from "./biologic_mpr.ts";
import { biologicMpt } from "./biologic_mpt.ts";
import { GENERIC_CSV } from "./generic_csv.ts";
import { maccorText } from "./maccor_text.ts";
import { maccorEis } from "./maccor_eis.ts";
import { novonixCsv } from "./novonix_csv.ts";
import { basytecTxt } from "./basytec_txt.ts";
import { pecCsv } from "./pec_csv.ts";
import { batteryArchiveCsv } from "./battery_archive_csv.ts";
import { bdfCsv } from "./bdf_csv.ts";

/** Every registered format, most specific first. Add a new format here. */
export const FORMATS: readonly FormatParser[] = [
  ARBIN_CSV,
  ARBIN_METADATA_CSV,
  ARBIN_XLSX,
  biologicMpr,
  biologicMpt,
  maccorEis,
  maccorText,
  novonixCsv,
  basytecTxt,
  pecCsv,
  batteryArchiveCsv,
  bdfCsv,
  GENERIC_CSV, // last: low confidence, claims only what no instrument parser does
];
