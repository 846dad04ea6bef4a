// Copyright 2026 the battery-analysis authors. MIT license.
// Not browser compatible: it includes the Arbin .res reader (see arbin_res.ts).

import type { FormatParser } from "./format_parser.ts";
import { arbinCsv } from "./arbin_csv.ts";
import { arbinMetadataCsv } from "./arbin_metadata_csv.ts";
import { arbinRes } from "./arbin_res.ts";
import { arbinXlsx } from "./arbin_xlsx.ts";
import { autolabTxt } from "./autolab_txt.ts";
import { basytecTxt } from "./basytec_txt.ts";
import { batteryArchiveCsv } from "./battery_archive_csv.ts";
import { batteryDataCsv } from "./battery_data_csv.ts";
import { bdfCsv } from "./bdf_csv.ts";
import { biologicMpr } from "./biologic_mpr.ts";
import { biologicMpt } from "./biologic_mpt.ts";
import { chiTxt } from "./chi_txt.ts";
import { drttoolsCsv } from "./drttools_csv.ts";
import { eisCsv } from "./eis_csv.ts";
import { gamryDta } from "./gamry_dta.ts";
import { genericCsv } from "./generic_csv.ts";
import { iviumTxt } from "./ivium_txt.ts";
import { landtCsv } from "./landt_csv.ts";
import { maccorEis } from "./maccor_eis.ts";
import { maccorText } from "./maccor_text.ts";
import { newareCsv } from "./neware_csv.ts";
import { newareNda } from "./neware_nda.ts";
import { newareNdax } from "./neware_ndax.ts";
import { newareXlsx } from "./neware_xlsx.ts";
import { novonixCsv } from "./novonix_csv.ts";
import { parstatTxt } from "./parstat_txt.ts";
import { pecCsv } from "./pec_csv.ts";
import { powersuiteTxt } from "./powersuite_txt.ts";
import { versastudioPar } from "./versastudio_par.ts";
import { zplotZ } from "./zplot_z.ts";

/** Every registered format, most specific first (ties go to the first). Add a new format here. */
export const FORMATS: readonly FormatParser[] = [
  // Binary signatures first: certain (confidence 1) on their files, so detection stops there
  // before any text parser decodes the head (see `detectFormat`). No text parser rates a file
  // that carries one of these signatures, so moving them first changes no choice.
  biologicMpr,
  newareNda,
  newareNdax,
  arbinRes,
  arbinCsv,
  arbinMetadataCsv,
  arbinXlsx,
  biologicMpt,
  newareCsv,
  newareXlsx,
  maccorEis,
  maccorText,
  novonixCsv,
  landtCsv,
  basytecTxt,
  pecCsv,
  batteryArchiveCsv,
  batteryDataCsv,
  bdfCsv,
  iviumTxt,
  gamryDta,
  zplotZ,
  autolabTxt,
  chiTxt,
  parstatTxt,
  powersuiteTxt,
  versastudioPar,
  drttoolsCsv,
  eisCsv,
  genericCsv, // last: low confidence, claims only what no instrument parser does
];
