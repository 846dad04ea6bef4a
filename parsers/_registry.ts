// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser } from "./format_parser.ts";
import { biologicMpr } from "./biologic_mpr.ts";
import { biologicMpt } from "./biologic_mpt.ts";

/** Every registered format, most specific first. Add a new format here. */
export const FORMATS: readonly FormatParser[] = [
  biologicMpr,
  biologicMpt,
];
