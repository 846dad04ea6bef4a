// Copyright 2026 the battery-analysis authors. MIT license.

import type { AnalyzeTestOptions, TestAnalysisInput } from "../../analysis/analyze_test.ts";
import { CYCLE_METHODS, summarizeCycles } from "../../analysis/cycles.ts";
import type { CycleTable } from "../../analysis/cycle_table.ts";
import type { Store } from "../store/store.ts";
import type { TestResult } from "../store/documents.ts";
import { samplePropertiesOf } from "../samples/sample_properties_of.ts";
import { isStaleAnalysis } from "./_stale_analysis.ts";

/** What `analyzeTest` needs to analyse a stored test: its input and options. */
export interface StoredAnalysisInput {
  /** The test's cycles, series, spectra, warnings and sample properties. */
  input: TestAnalysisInput;
  /** The options given over the test's stored `analysis_options`. */
  options: AnalyzeTestOptions;
  /**
   * The cycles built again from the series for a stale analysis (`input.cycles` holds them), to
   * be stored with the new analysis; `null` when the stored cycles are used.
   */
  rebuilt: CycleTable | null;
}

/** The parser and import warnings a stored test keeps (`metadata.warnings`). */
function storedWarnings(test: TestResult): string[] {
  const w = test.metadata?.warnings;
  return Array.isArray(w) ? w.filter((x): x is string => typeof x === "string") : [];
}

/**
 * Everything the one analysis of a stored test reads (`analyzeStoredTest` passes it to
 * `analyzeTest`): its cycles (as delimited at import), its time series (for dQ/dV and the
 * protocol), its spectra, the parser's warnings and its sample's properties (nominal capacity,
 * active mass, area, thickness), with the options given over the test's stored
 * `analysis_options` (`undefined` keeps a stored one). `input` and `options` are plain data with
 * typed arrays: they can be sent to a worker, which calls `analyzeTest(input, options)` (the
 * dashboard does so for an end-of-life threshold other than the stored one).
 *
 * A test whose stored analysis is missing or of another `ANALYSIS_VERSION` gets its cycles built
 * again from its stored series (by the test's cycle method), as an import would build them now;
 * they are in `input.cycles` and in `rebuilt`.
 *
 * @param store The store.
 * @param test The test, as read from the store.
 * @param options Analysis options over the stored ones.
 * @returns The input and options of `analyzeTest`.
 *
 * @example Usage
 * ```ts
 * import { storedAnalysisInput } from "./stored_analysis_input.ts";
 * import { analyzeTest } from "../../analysis/analyze_test.ts";
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
 *   analysis_options: { formationCycles: 0 },
 * });
 * const { input, options, rebuilt } = await storedAnalysisInput(store, test, { threshold: 0.7 });
 * equal(input.cycles?.length, 20);
 * // No series stored: the stored cycles are used as they are.
 * equal(rebuilt, null);
 * // The stored option is kept, the given one added.
 * equal(options.formationCycles, 0);
 * equal(analyzeTest(input, options).data.options.threshold, 0.7);
 * await store.close();
 * ```
 */
export async function storedAnalysisInput(
  store: Store,
  test: TestResult,
  options: AnalyzeTestOptions = {},
): Promise<StoredAnalysisInput> {
  const sample = await store.samples.get(test.sample_id);
  const series = test.data.series ? await store.series.read(test.id) : null;
  const spectra = test.data.spectra.length > 0 ? await store.spectra.read(test.id) : [];
  const stored = test.metadata?.cycle_method;
  const method = CYCLE_METHODS.find((m) => m === stored);
  // The cycles as an import builds them now (the method the test was delimited by) when the
  // stored analysis is stale; else the stored cycles; a test stored without cycles gets them
  // from its series.
  const rebuilt = series && series.length > 0 && test.cycles.length > 0 && isStaleAnalysis(test)
    ? summarizeCycles(series, { method: method ?? "auto" })
    : null;
  const cycles = rebuilt ? [...rebuilt.cycles] : test.cycles;
  const merged: Record<string, unknown> = { ...(test.analysis_options ?? {}) };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) merged[k] = v;
  return {
    input: {
      series,
      ...(cycles.length > 0 || !series ? { cycles } : {}),
      cycleMethod: rebuilt ? rebuilt.method : typeof stored === "string" ? stored : null,
      spectra,
      label: test.name,
      sample: sample ? samplePropertiesOf(sample) : null,
      warnings: storedWarnings(test),
    },
    options: merged as AnalyzeTestOptions,
    rebuilt,
  };
}
