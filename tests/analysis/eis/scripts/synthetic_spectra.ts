// Copyright 2026 the battery-analysis authors. MIT license.
// Prints the seeded synthetic spectra of tests/analysis/eis/_synthetic_eis.ts (TWO_ARCS and
// BLOCKING, seeds 1–5) as JSON, for synthetic_reference.py to fit with impedance.py.
//   deno run tests/analysis/eis/scripts/synthetic_spectra.ts
import { BLOCKING, blockingSpectrum, TWO_ARCS, twoArcSpectrum } from "../_synthetic_eis.ts";

const seeds = [1, 2, 3, 4, 5];
const dump = (
  make: (
    seed: number,
  ) => { frequency_Hz: Float64Array; z_real_ohm: Float64Array; z_imag_ohm: Float64Array },
) =>
  seeds.map((seed) => {
    const s = make(seed);
    return {
      seed,
      frequency_Hz: Array.from(s.frequency_Hz),
      z_real_ohm: Array.from(s.z_real_ohm),
      z_imag_ohm: Array.from(s.z_imag_ohm),
    };
  });
// deno-lint-ignore no-console
console.log(JSON.stringify({
  two_arcs: { circuit: TWO_ARCS.circuit, params: TWO_ARCS.params, spectra: dump(twoArcSpectrum) },
  blocking: { circuit: BLOCKING.circuit, params: BLOCKING.params, spectra: dump(blockingSpectrum) },
}));
