// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser } from "./format_parser.ts";
import { newareNda } from "./neware_nda.ts";
import { newareNdax } from "./neware_ndax.ts";
import { arbinRes } from "./arbin_res.ts";

/** Every registered format, most specific first. Add a new format here. */
export const FORMATS: readonly FormatParser[] = [
  newareNda,
  newareNdax,
  arbinRes,
];
