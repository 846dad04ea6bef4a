// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser } from "./format_parser.ts";
import { maccorText } from "./maccor_text.ts";
import { maccorEis } from "./maccor_eis.ts";
import { novonixCsv } from "./novonix_csv.ts";
import { basytecTxt } from "./basytec_txt.ts";
import { pecCsv } from "./pec_csv.ts";
import { batteryArchiveCsv } from "./battery_archive_csv.ts";
import { bdfCsv } from "./bdf_csv.ts";

/** Every registered format, most specific first. Add a new format here. */
export const FORMATS: readonly FormatParser[] = [
  maccorEis,
  maccorText,
  novonixCsv,
  basytecTxt,
  pecCsv,
  batteryArchiveCsv,
  bdfCsv,
];
