// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Capacity and impedance of a cell normalized by its geometry, from the store.
 *
 * - Geometry: `area_cm2`, `thickness_cm` and `active_mass_g` of the sample the cell's tests
 *   belong to (or area and thickness given by the caller). Missing geometry is reported, never
 *   assumed.
 * - Capacity: the reference-cycle capacity of the cell's earliest cycling test
 *   (`analysis.summary.initial_capacity_Ah` of its stored analysis: the first complete cycle of
 *   the main protocol by default, not a partial or formation cycle), as areal capacity (mAh/cm²)
 *   and, with an active mass, specific capacity (mAh/g), with the test's flag codes.
 * - Impedance: the latest impedance test of the cell (by start time), its last spectrum; the
 *   resistance is the high-frequency intercept read from the data ({@link highFrequencyIntercept},
 *   the default) or the series resistance `R0` of an automatic equivalent-circuit fit
 *   (`fitCircuit`). From it: area-specific resistance R·A (Ω·cm²) and ionic conductivity
 *   σ = t / (R·A) (S/cm).
 *
 * @module
 */

import type { Sample, TestResult } from "./store/documents.ts";
import type { Store } from "./store/store.ts";
import { arealCapacity } from "../analysis/areal_capacity.ts";
import { specificCapacity } from "../analysis/specific_capacity.ts";
import { areaSpecificResistance } from "../analysis/area_specific_resistance.ts";
import { ionicConductivity } from "../analysis/ionic_conductivity.ts";
import { highFrequencyIntercept } from "../analysis/high_frequency_intercept.ts";
import { fitCircuit } from "../analysis/eis/fit_circuit.ts";

/** How the resistance is taken from a spectrum. */
export type ResistanceMethod = "intercept" | "fit";

/** Options of {@link normalizeCell}. */
export interface NormalizeCellOptions {
  /** Resistance from the data's high-frequency intercept, or from a circuit fit's R0. @default {"intercept"} */
  resistance?: ResistanceMethod;
  /** Use this area instead of the sample's, cm². */
  area_cm2?: number;
  /** Use this thickness instead of the sample's, cm. */
  thickness_cm?: number;
}

/** The normalized values of one cell code. */
export interface CellNormalization {
  /** The cell code. */
  cell_code: string;
  /** The sample whose geometry was used (`null` when none or ambiguous). */
  sample: { id: string; name: string } | null;
  /** Area used, cm², or `null` when unknown. */
  area_cm2: number | null;
  /** Thickness used, cm, or `null` when unknown. */
  thickness_cm: number | null;
  /** Active mass of the sample, g, or `null` when unknown. */
  active_mass_g: number | null;
  /** Where the geometry came from. */
  geometry_source: "sample" | "options" | null;
  /** Capacity, when a cycling test has one. */
  capacity: {
    test_id: string;
    test_name: string;
    /** Reference cycle of the test's analysis (the capacity's cycle). */
    reference_cycle: number | null;
    /** The analysis's `summary.initial_capacity_Ah`, in mAh. */
    initial_capacity_mAh: number;
    /** `null` without an area. */
    areal_capacity_mAh_per_cm2: number | null;
    /** `null` without an active mass. */
    specific_capacity_mAh_per_g: number | null;
    /** Data-quality flags of the test's analysis. */
    flag_codes: string[];
  } | null;
  /** Impedance, when an impedance test gives a resistance. */
  impedance: {
    test_id: string;
    test_name: string;
    /** Position of the spectrum used in its test. */
    spectrum: number;
    method: ResistanceMethod;
    resistance_ohm: number;
    /** Frequency of the intercept point (method `intercept`). */
    frequency_Hz: number | null;
    /** Circuit and quality grade (method `fit`). */
    fit: { circuit: string; quality: "good" | "warning" | "poor"; reasons: string[] } | null;
    /** `null` without an area. */
    area_specific_resistance_ohm_cm2: number | null;
    /** `null` without an area and a thickness. */
    ionic_conductivity_S_per_cm: number | null;
  } | null;
  /** What could not be computed and why (`no area_cm2 on sample "S1"`). */
  problems: string[];
}

function positive(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/**
 * Normalize a cell's capacity and impedance by its geometry (see the module documentation).
 *
 * @param store The store.
 * @param cellCode The cell code.
 * @param options Resistance method and geometry overrides.
 * @returns The values that could be computed, and the reasons for those that could not.
 *
 * @example Usage
 * ```ts
 * import { normalizeCell } from "./normalize_cell.ts";
 * import { SqliteStore } from "./store/sqlite_store.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const result = await normalizeCell(store, "CN404");
 * deepStrictEqual(result.problems, ["no test or sample has cell code CN404"]);
 * await store.close();
 * ```
 */
export async function normalizeCell(
  store: Store,
  cellCode: string,
  options: NormalizeCellOptions = {},
): Promise<CellNormalization> {
  const method = options.resistance ?? "intercept";
  if (method !== "intercept" && method !== "fit") {
    throw new RangeError(`normalizeCell: resistance must be "intercept" or "fit", got "${method}"`);
  }
  for (const key of ["area_cm2", "thickness_cm"] as const) {
    if (options[key] !== undefined && !positive(options[key])) {
      throw new RangeError(`normalizeCell: ${key} must be a positive number, got ${options[key]}`);
    }
  }
  const result: CellNormalization = {
    cell_code: cellCode,
    sample: null,
    area_cm2: null,
    thickness_cm: null,
    active_mass_g: null,
    geometry_source: null,
    capacity: null,
    impedance: null,
    problems: [],
  };
  const tests = await store.tests.find({ cell_code: cellCode, without_cycles: true });
  const sampleIds = [...new Set(tests.map((t) => t.sample_id))];
  const samples: Sample[] = [];
  for (const id of sampleIds) {
    const s = await store.samples.get(id);
    if (s) samples.push(s);
  }
  if (samples.length === 0) samples.push(...(await store.samples.find({ cell_code: cellCode })));
  if (tests.length === 0 && samples.length === 0) {
    result.problems.push(`no test or sample has cell code ${cellCode}`);
    return result;
  }

  // Geometry: one sample, or several that agree.
  const geometries = new Set(
    samples.map((s) => `${s.area_cm2}|${s.thickness_cm}|${s.active_mass_g ?? null}`),
  );
  if (samples.length === 1 || geometries.size === 1) {
    const s = samples[0];
    result.sample = { id: s.id, name: s.name };
    result.area_cm2 = positive(s.area_cm2) ? s.area_cm2 : null;
    result.thickness_cm = positive(s.thickness_cm) ? s.thickness_cm : null;
    result.active_mass_g = positive(s.active_mass_g) ? s.active_mass_g : null;
    result.geometry_source = "sample";
  }
  const names = samples.map((s) => `"${s.name}"`).join(", ");
  if (options.area_cm2 !== undefined) result.area_cm2 = options.area_cm2;
  if (options.thickness_cm !== undefined) result.thickness_cm = options.thickness_cm;
  if (options.area_cm2 !== undefined || options.thickness_cm !== undefined) {
    result.geometry_source = options.area_cm2 !== undefined && options.thickness_cm !== undefined
      ? "options"
      : result.geometry_source ?? "options";
  }
  const missing = (key: "area_cm2" | "thickness_cm"): string =>
    result.sample || samples.length === 1
      ? `no ${key} on sample ${names}`
      : `the samples ${names} differ in area or thickness; set ${key} explicitly`;

  // Capacity: the reference-cycle capacity of the earliest cycling test's stored analysis.
  const capacityOf = (t: TestResult): number | null => {
    const q = t.analysis?.summary.initial_capacity_Ah;
    return typeof q === "number" && q > 0 ? q : null;
  };
  const cycling = tests.find((t) => t.test_type === "Cycling" && capacityOf(t) !== null);
  if (!cycling) {
    const unanalysed = tests.filter((t) => t.test_type === "Cycling" && t.analysis === null);
    result.problems.push(
      unanalysed.length
        ? `no analysed cycling test with a reference capacity (${unanalysed.length} not analysed yet: run migrate)`
        : "no cycling test with a reference capacity",
    );
  } else {
    const area = result.area_cm2;
    const q = capacityOf(cycling)!;
    const summary = cycling.analysis!.summary;
    result.capacity = {
      test_id: cycling.id,
      test_name: cycling.name,
      reference_cycle: summary.reference_cycle,
      initial_capacity_mAh: q * 1000,
      areal_capacity_mAh_per_cm2: area !== null ? arealCapacity(q, { area_cm2: area }) : null,
      specific_capacity_mAh_per_g: result.active_mass_g !== null
        ? specificCapacity(q, { mass_g: result.active_mass_g })
        : null,
      flag_codes: summary.flag_codes,
    };
  }

  // Impedance from the latest test with spectra.
  const eis: TestResult | undefined = tests.filter((t) => t.data.spectra.length > 0).at(-1);
  if (!eis) {
    result.problems.push("no impedance test");
    return missingArea(result, missing);
  }
  const spectra = await store.spectra.read(eis.id);
  const index = spectra.length - 1;
  const spectrum = spectra[index];
  let resistance: number | null = null;
  let frequency: number | null = null;
  let fit: NonNullable<CellNormalization["impedance"]>["fit"] = null;
  if (method === "intercept") {
    const intercept = highFrequencyIntercept(spectrum);
    if (intercept) {
      resistance = intercept.resistance_ohm;
      frequency = intercept.frequency_Hz;
    } else {
      result.problems.push(
        `test "${eis.name}": no capacitive point with Re Z > 0 among the higher frequencies`,
      );
    }
  } else {
    try {
      const f = fitCircuit(spectrum);
      const r0 = f.parameters.find((p) => p.name === "R0");
      fit = { circuit: f.circuit, quality: f.quality.level, reasons: f.quality.reasons };
      if (!r0) result.problems.push(`test "${eis.name}": the fitted circuit has no R0`);
      else resistance = r0.value;
      if (f.quality.level === "poor") {
        result.problems.push(
          `test "${eis.name}": the circuit fit is graded poor, R0 not normalized (${
            f.quality.reasons.join("; ")
          }); --resistance intercept reads it from the data`,
        );
      }
    } catch (error) {
      result.problems.push(`test "${eis.name}": cannot fit: ${(error as Error).message}`);
    }
  }
  const poorFit = fit?.quality === "poor";
  if (resistance === null) return missingArea(result, missing);
  if (!(resistance > 0)) {
    result.problems.push(`test "${eis.name}": resistance ${resistance} Ω is not positive`);
    return missingArea(result, missing);
  }
  // A poor fit's R0 is shown but not turned into normalized values.
  const area = poorFit ? null : result.area_cm2, thickness = result.thickness_cm;
  result.impedance = {
    test_id: eis.id,
    test_name: eis.name,
    spectrum: index,
    method,
    resistance_ohm: resistance,
    frequency_Hz: frequency,
    fit,
    area_specific_resistance_ohm_cm2: area !== null
      ? areaSpecificResistance(resistance, { area_cm2: area })
      : null,
    ionic_conductivity_S_per_cm: area !== null && thickness !== null
      ? ionicConductivity(resistance, { area_cm2: area, thickness_cm: thickness })
      : null,
  };
  if (!poorFit && result.area_cm2 !== null && thickness === null) {
    result.problems.push(`${missing("thickness_cm")}: conductivity not computed`);
  }
  return missingArea(result, missing);
}

/** Add the missing-area problem once, when there is something it keeps from being normalized. */
function missingArea(
  result: CellNormalization,
  missing: (key: "area_cm2" | "thickness_cm") => string,
): CellNormalization {
  if (result.area_cm2 === null && (result.capacity || result.impedance)) {
    result.problems.unshift(`${missing("area_cm2")}: values not normalized`);
  }
  return result;
}
