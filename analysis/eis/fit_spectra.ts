// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CircuitFit } from "./circuit_fit.ts";
import { fitCircuit, type FitCircuitOptions } from "./fit_circuit.ts";
import type { SpectrumLike } from "./_spectrum_data.ts";

/** One entry of {@link fitSpectra}: the fit or the reason it failed. */
export interface BatchFitEntry {
  /** Position in the input list. */
  index: number;
  /** The fit, or `null` when it threw. */
  fit: CircuitFit | null;
  /** Error message when the fit threw. */
  error: string | null;
}

/**
 * Fit many spectra (the spectra of a multi-spectrum file, or any list) with one circuit, each
 * fit also starting from the previous successful fit's parameters (spectra measured in
 * sequence change little), besides the automatic starts. Without a circuit the first spectrum
 * chooses it automatically and the rest use that choice. A spectrum that cannot be fitted gives
 * an entry with the error instead of stopping the batch.
 *
 * @param spectra Spectra in measurement order.
 * @param options Options of `fitCircuit` (circuit, weighting, constants, bounds, ...).
 * @returns One entry per spectrum.
 *
 * @example Two spectra of a growing arc
 * ```ts
 * import { fitSpectra } from "./fit_spectra.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { ok } from "node:assert/strict";
 *
 * const c = parseCircuit("R0-p(R1,C1)");
 * const f = Array.from({ length: 30 }, (_, i) => 10 ** (5 - i / 5));
 * const spectra = [20, 25].map((r1) => c.impedance([5, r1, 1e-5], f));
 * const fits = fitSpectra(spectra, { circuit: "R0-p(R1,C1)" });
 * ok(Math.abs(fits[1].fit!.value("R1") - 25) < 1e-6);
 * ```
 */
export function fitSpectra(
  spectra: readonly SpectrumLike[],
  options: FitCircuitOptions = {},
): BatchFitEntry[] {
  if (!Array.isArray(spectra)) throw new TypeError("Cannot fit spectra: expected an array");
  const out: BatchFitEntry[] = [];
  let previous: number[] | undefined;
  let circuit = options.circuit;
  spectra.forEach((spectrum, index) => {
    try {
      const fit = fitCircuit(spectrum, { ...options, circuit, previous });
      circuit ??= fit.circuit;
      previous = fit.values;
      out.push({ index, fit, error: null });
    } catch (error) {
      out.push({ index, fit: null, error: (error as Error).message });
    }
  });
  return out;
}
