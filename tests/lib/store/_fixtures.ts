// Copyright 2026 the battery-analysis authors. MIT license.
// Synthetic documents with known answers for the store contract suite.

import type { CycleSummary } from "../../../lib/model/cycle_summary.ts";
import type { CyclingSeries } from "../../../lib/model/cycling_series.ts";
import type { Spectrum } from "../../../lib/model/spectrum.ts";
import { createHash } from "node:crypto";
import { analyzeTest, type TestAnalysisData } from "../../../analysis/analyze_test.ts";
import { summarizeCycles } from "../../../analysis/cycles.ts";
import { read } from "../../../lib/summarize/read.ts";
import { fixturePath } from "../../_util.ts";

/** SHA-256 hex of a text, computed independently of the store (node:crypto). */
export function hashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A synthetic series of `n` rows: time_s = i, voltage_V = 3 + i/n, current_A alternating ±1
 * every 100 rows, counters ramps, step/cycle counters from the row number, one NaN in
 * temperature, an extra column and provenance with a derived flag.
 */
export function makeSeries(n: number): CyclingSeries {
  const f = (g: (i: number) => number): Float64Array =>
    Float64Array.from({ length: n }, (_, i) => g(i));
  return {
    length: n,
    time_s: f((i) => i),
    voltage_V: f((i) => 3 + i / n),
    current_A: f((i) => (Math.floor(i / 100) % 2 === 0 ? 1 : -1)),
    charge_capacity_Ah: f((i) => i * 1e-4),
    discharge_capacity_Ah: f((i) => i * 2e-4),
    charge_energy_Wh: f((i) => i * 3e-4),
    discharge_energy_Wh: f((i) => (i === 7 ? NaN : i * 4e-4)),
    step_index: Int32Array.from({ length: n }, (_, i) => Math.floor(i / 100)),
    cycle_index: Int32Array.from({ length: n }, (_, i) => 1 + Math.floor(i / 200)),
    temperature_C: f((i) => (i === 3 ? NaN : 25 + (i % 10) / 10)),
    extras: { internal_resistance_ohm: f((i) => 0.01 + i * 1e-7), acr_ohm: f((i) => -i) },
    start_time: "2023-07-21T10:02:08.918Z",
    columns: {
      time_s: { original_name: "Test Time (s)", original_unit: "s", scale: 1 },
      voltage_V: { original_name: "Voltage (V)", original_unit: "V", scale: 1 },
      current_A: { original_name: "I/mA", original_unit: "mA", scale: 1e-3 },
      charge_energy_Wh: {
        original_name: "",
        original_unit: "",
        scale: 1,
        derived: true,
        note: "integrated from current × voltage",
      },
      internal_resistance_ohm: {
        original_name: "Internal Resistance (Ohm)",
        original_unit: "Ohm",
        scale: 1,
      },
    },
  };
}

/** A synthetic spectrum of `n` points with an extra column; `cycle` only when given. */
export function makeSpectrum(n: number, sequence: number, cycle?: number): Spectrum {
  const f = (g: (i: number) => number): Float64Array =>
    Float64Array.from({ length: n }, (_, i) => g(i));
  const spectrum: Spectrum = {
    length: n,
    frequency_Hz: f((i) => 1e6 / 10 ** (i / 6)),
    z_real_ohm: f((i) => 10 + i),
    z_imag_ohm: f((i) => -(i + 0.5)),
    sequence,
    extras: { time_s: f((i) => i * 2) },
    columns: {
      frequency_Hz: { original_name: "freq/Hz", original_unit: "Hz", scale: 1 },
      z_imag_ohm: { original_name: "-Im(Z)/Ohm", original_unit: "Ohm", scale: -1 },
    },
  };
  if (cycle !== undefined) spectrum.cycle = cycle;
  return spectrum;
}

/** A cycle summary with the given numbers (the others null or derived from them). */
export function makeCycle(
  cycle: number,
  rows: [number, number],
  numbers: { charge: number; discharge: number; ee?: number | null; ir?: number | null },
): CycleSummary {
  return {
    cycle,
    instrument_cycle: cycle,
    first_half: "charge",
    start_row: rows[0],
    end_row: rows[1],
    start_time_s: rows[0],
    end_time_s: rows[1] - 1,
    duration_s: rows[1] - 1 - rows[0],
    charge_capacity_Ah: numbers.charge,
    discharge_capacity_Ah: numbers.discharge,
    coulombic_efficiency: numbers.discharge / numbers.charge,
    charge_energy_Wh: null,
    discharge_energy_Wh: null,
    energy_efficiency: numbers.ee ?? null,
    mean_voltage_V: null,
    min_voltage_V: null,
    max_voltage_V: null,
    mean_charge_voltage_V: null,
    mean_discharge_voltage_V: null,
    mean_charge_current_A: null,
    mean_discharge_current_A: null,
    internal_resistance_ohm: numbers.ir ?? null,
  };
}

/** Bytes 0..255 repeated, `n` long, with a marker so different files differ. */
export function makeBytes(n: number, marker: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + marker) & 255;
  return bytes;
}

/** A real test: cycles, series and the analysis the import pipeline would store with them. */
export interface RealTest {
  /** The fixture. */
  file: string;
  /** Its cycle summaries. */
  cycles: CycleSummary[];
  /** Its series. */
  series: CyclingSeries;
  /** `analyzeTest({ series, cycles }).toJSON()`. */
  analysis: TestAnalysisData;
}

let realTest: Promise<RealTest> | null = null;

/**
 * The Neware `.ndax` fixture `nw4-120-1-6-53` (150 cycles, 7,000 rows; provenance in
 * `tests/fixtures/README.md`) read, summarized and analysed as an import does. Its fade models
 * carry covariance matrices (`number[][]`), which FerretDB refuses as nested arrays unless the
 * MongoDB adapter encodes them. Read once per process.
 */
export function realFadeTest(): Promise<RealTest> {
  realTest ??= (async () => {
    const file = "neware/nw4-120-1-6-53.ndax";
    const recording = await read(fixturePath(file));
    const series = recording.series!;
    const cycles = [...summarizeCycles(series).cycles];
    const analysis = analyzeTest({ series, cycles, label: file }).toJSON();
    return { file, cycles, series, analysis };
  })();
  return realTest!;
}
