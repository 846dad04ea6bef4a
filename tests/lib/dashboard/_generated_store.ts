// Copyright 2026 the battery-analysis authors. MIT license.
// A store of many generated tests, written directly through the store API (no files, no
// parsing), for the dashboard's scale tests and benchmark. Each test's cycles follow one of a few
// fade shapes with known numbers; the analysis of each shape is computed once with `analyzeTest`
// and stored with every test of that shape (the same cycles give the same analysis).

import { analyzeTest } from "../../../analysis/analyze_test.ts";
import type { CycleSummary } from "../../../lib/model/cycle_summary.ts";
import type { Store } from "../../../lib/store/store.ts";

/** A generated shape: its cycles and how it was made. */
export interface Shape {
  /** Initial discharge capacity, Ah. */
  q0: number;
  /** Linear fade per cycle, as a fraction of q0. */
  fadePerCycle: number;
  /** Number of cycles. */
  cycles: number;
}

/** The shapes: 3 capacities × 4 fade rates × 3 lengths. */
export const SHAPES: readonly Shape[] = [0.002, 0.05, 2.5].flatMap((q0) =>
  [0.0002, 0.0008, 0.002, 0.005].flatMap((fadePerCycle) =>
    [30, 60, 120].map((cycles) => ({ q0, fadePerCycle, cycles }))
  )
);

/** Cycles of a shape: discharge capacity q0·(1 − f·(k − 1)), CE 0.999, no formation. */
export function shapeCycles(shape: Shape): CycleSummary[] {
  return Array.from({ length: shape.cycles }, (_, i) => {
    const k = i + 1;
    const qd = shape.q0 * (1 - shape.fadePerCycle * (k - 1));
    const t0 = i * 7200;
    return {
      cycle: k,
      instrument_cycle: k,
      first_half: "charge",
      start_row: i * 100,
      end_row: i * 100 + 100,
      start_time_s: t0,
      end_time_s: t0 + 7200,
      duration_s: 7200,
      charge_capacity_Ah: qd / 0.999,
      discharge_capacity_Ah: qd,
      coulombic_efficiency: 0.999,
      charge_energy_Wh: (qd / 0.999) * 3.9,
      discharge_energy_Wh: qd * 3.6,
      energy_efficiency: (qd * 3.6) / ((qd / 0.999) * 3.9),
      mean_voltage_V: 3.75,
      min_voltage_V: 3.0,
      max_voltage_V: 4.2,
      mean_charge_voltage_V: 3.9,
      mean_discharge_voltage_V: 3.6,
      mean_charge_current_A: shape.q0 / 2,
      mean_discharge_current_A: -shape.q0 / 2,
      internal_resistance_ohm: 0.05 / shape.q0,
      complete: true,
    } as CycleSummary;
  });
}

const CHEMISTRIES = ["NMC811/Gr", "LFP/Gr", "Zn/Zn", "NCA/Si-Gr", "LMO/LTO"];
const TESTERS = ["Arbin", "BioLogic", "Neware", "Maccor"];
const TAGS = ["rate-study", "baseline", "coating-A", "coating-B", "45C", "formation-v2"];

/** What {@link generateTests} made. */
export interface Generated {
  /** Ids of the tests, in creation order. */
  ids: string[];
  /** Shape index of each test. */
  shapeOf: number[];
}

/**
 * Write `n` tests over `n / 4` samples: names `gen-0001`…, samples `GEN-CELL-001`…, chemistry,
 * tester and tags cycling through fixed lists, start times one hour apart from 2024-01-01.
 */
export async function generateTests(store: Store, n = 1000): Promise<Generated> {
  const analyses = SHAPES.map((shape) =>
    analyzeTest({ cycles: shapeCycles(shape), label: "generated" }, { formationCycles: 0 }).toJSON()
  );
  const cycles = SHAPES.map(shapeCycles);
  const samples: string[] = [];
  for (let s = 0; s < Math.ceil(n / 4); s++) {
    const sample = await store.samples.create({
      name: `GEN-CELL-${String(s + 1).padStart(3, "0")}`,
      chemistry: CHEMISTRIES[s % CHEMISTRIES.length],
      cell_code: `GC${String(s + 1).padStart(3, "0")}`,
    });
    samples.push(sample.id);
  }
  const ids: string[] = [], shapeOf: number[] = [];
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const shape = i % SHAPES.length;
    const test = await store.tests.create({
      sample_id: samples[Math.floor(i / 4)],
      tester: TESTERS[i % TESTERS.length],
      name: `gen-${String(i + 1).padStart(4, "0")}`,
      file_hash: (i + 1).toString(16).padStart(64, "0"),
      cell_code: `GC${String(Math.floor(i / 4) + 1).padStart(3, "0")}`,
      start_time: new Date(start + i * 3_600_000).toISOString(),
      cycles: cycles[shape],
      tags: [TAGS[i % TAGS.length], ...(i % 7 === 0 ? [TAGS[(i + 3) % TAGS.length]] : [])],
      parts: [{
        file_name: `gen-${String(i + 1).padStart(4, "0")}_Channel_${i % 16}_Wb_1.CSV`,
        file_hash: (i + 1).toString(16).padStart(64, "0"),
        start_row: 0,
        end_row: cycles[shape].length * 100,
      }],
      analysis: analyses[shape],
      analysis_options: { formationCycles: 0 },
    });
    ids.push(test.id);
    shapeOf.push(shape);
  }
  return { ids, shapeOf };
}
