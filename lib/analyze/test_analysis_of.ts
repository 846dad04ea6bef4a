// Copyright 2026 the battery-analysis authors. MIT license.

import { TestAnalysis, type TestAnalysisData } from "../../analysis/analyze_test.ts";
import { FadeAnalysis } from "../../analysis/fade.ts";

/**
 * The `TestAnalysis` object of a stored analysis (`test.analysis`), so that it prints and
 * renders (tables, Jupyter, the retention plot) exactly as when it was computed.
 *
 * @param data A stored analysis (`analyzeTest(...).toJSON()`).
 * @returns The analysis object over the same data.
 *
 * @example Usage
 * ```ts
 * import { testAnalysisOf } from "./test_analysis_of.ts";
 * import { analyzeTest } from "../../analysis/analyze_test.ts";
 * import { equal } from "node:assert/strict";
 *
 * const computed = analyzeTest({ cycles: [] });
 * const stored = JSON.parse(JSON.stringify(computed.toJSON()));
 * equal(testAnalysisOf(stored).toString(), computed.toString());
 * ```
 */
export function testAnalysisOf(data: TestAnalysisData): TestAnalysis {
  return new TestAnalysis(data, data.fade ? new FadeAnalysis(data.fade) : null);
}
