// Copyright 2026 the battery-analysis authors. MIT license.

import {
  analyzeTest,
  type AnalyzeTestOptions,
  type TestAnalysis,
} from "../../analysis/analyze_test.ts";
import type { Store } from "../store/store.ts";
import { storedAnalysisInput } from "./stored_analysis_input.ts";

/** Options of {@link analyzeStoredTest}: analysis options, and whether to store the result. */
export interface AnalyzeStoredTestOptions extends AnalyzeTestOptions {
  /**
   * Store the analysis with the test, and the options given here (over the stored ones) as the
   * test's `analysis_options`, so that every surface shows it. @default {false}
   */
  save?: boolean;
}

/**
 * The one analysis of a stored test (`analyzeTest`), from what the store keeps: its cycles (as
 * delimited at import), its time series (for dQ/dV and the protocol), its spectra, the parser's
 * warnings, and its sample's properties (nominal capacity, active mass, area, thickness), with
 * the test's stored `analysis_options` under the options given. With `save`, the analysis and
 * the options are stored with the test in one write — what the import pipeline, `migrate` and
 * `analyze --test ID --save` do.
 *
 * A test whose stored analysis is missing or of another `ANALYSIS_VERSION` gets its cycles built
 * again from its stored series (by the test's cycle method), as an import would build them now:
 * the per-cycle capacities and energies are part of the analysis (version 8 changed how counters
 * are integrated). With `save` the new cycles are stored with the analysis.
 *
 * @param store The store.
 * @param testId The test's id.
 * @param options Analysis options (over the stored ones) and `save`.
 * @returns The analysis.
 * @throws {RangeError} For an unknown test or options the test's cycles cannot satisfy.
 *
 * @example Usage
 * ```ts
 * import { analyzeStoredTest } from "./analyze_stored_test.ts";
 * import { SqliteStore } from "../store/sqlite_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const sample = await store.samples.create({ name: "cell" });
 * const cycle = (k: number, qd: number) => ({
 *   cycle: k, instrument_cycle: k, first_half: "charge" as const, start_row: 0, end_row: 0,
 *   start_time_s: 0, end_time_s: 0, duration_s: 0, charge_capacity_Ah: 1,
 *   discharge_capacity_Ah: qd, coulombic_efficiency: qd, charge_energy_Wh: null,
 *   discharge_energy_Wh: null, energy_efficiency: null, mean_voltage_V: null,
 *   min_voltage_V: null, max_voltage_V: null, mean_charge_voltage_V: 3.9,
 *   mean_discharge_voltage_V: 3.6, mean_charge_current_A: 1, mean_discharge_current_A: -1,
 *   internal_resistance_ohm: null, complete: true,
 * });
 * const test = await store.tests.create({
 *   sample_id: sample.id, tester: "Arbin", name: "t", file_hash: "a".repeat(64),
 *   cycles: Array.from({ length: 20 }, (_, k) => cycle(k + 1, 0.99 - 0.001 * k)),
 * });
 * const analysis = await analyzeStoredTest(store, test.id, { formationCycles: 0, save: true });
 * // Retention at cycle 20: 0.971 / 0.99 (exact data).
 * equal(analysis.summary.capacity_retention, 0.971 / 0.99);
 * equal((await store.tests.get(test.id))!.analysis!.summary.capacity_retention, 0.971 / 0.99);
 * await store.close();
 * ```
 */
export async function analyzeStoredTest(
  store: Store,
  testId: string,
  options: AnalyzeStoredTestOptions = {},
): Promise<TestAnalysis> {
  const test = await store.tests.get(testId);
  if (!test) throw new RangeError(`Cannot analyse test "${testId}": no such test`);
  const { save: _save, ...given } = options;
  const { input, options: analysisOptions, rebuilt } = await storedAnalysisInput(
    store,
    test,
    given,
  );
  const analysis = analyzeTest(input, analysisOptions);
  if (options.save) {
    // One write: the analysis, its options, the cycles it was computed from when they were built
    // again, and no stale reason why there was no analysis.
    const { analysis_error: staleError, ...metadata } = test.metadata ?? {};
    await store.tests.update(test.id, {
      analysis: analysis.toJSON(),
      analysis_options: analysisOptions,
      ...(rebuilt ? { cycles: [...rebuilt.cycles] } : {}),
      ...(staleError !== undefined || rebuilt
        ? {
          metadata: {
            ...(staleError !== undefined ? metadata : test.metadata),
            ...(rebuilt ? { cycle_method: rebuilt.method } : {}),
          },
        }
        : {}),
    });
  }
  return analysis;
}
