// Copyright 2026 the battery-analysis authors. MIT license.

import { ANALYSIS_VERSION } from "../../analysis/analyze_test.ts";
import type { TestResult } from "../store/documents.ts";

/**
 * Whether a stored test's analysis is missing or was made by another `ANALYSIS_VERSION` (so it,
 * and the cycles it was computed from, are computed again).
 */
export function isStaleAnalysis(test: TestResult): boolean {
  return test.analysis === null || test.analysis.analysis_version !== ANALYSIS_VERSION;
}
