// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser } from "./format_parser.ts";
import { autolabTxt } from "./autolab_txt.ts";
import { chiTxt } from "./chi_txt.ts";
import { drttoolsCsv } from "./drttools_csv.ts";
import { eisCsv } from "./eis_csv.ts";
import { gamryDta } from "./gamry_dta.ts";
import { parstatTxt } from "./parstat_txt.ts";
import { powersuiteTxt } from "./powersuite_txt.ts";
import { versastudioPar } from "./versastudio_par.ts";
import { zplotZ } from "./zplot_z.ts";

/** Every registered format, most specific first. Add a new format here. */
export const FORMATS: readonly FormatParser[] = [
  gamryDta,
  zplotZ,
  autolabTxt,
  chiTxt,
  parstatTxt,
  powersuiteTxt,
  versastudioPar,
  drttoolsCsv,
  eisCsv,
];
