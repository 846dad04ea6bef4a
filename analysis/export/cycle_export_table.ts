// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { AnalyzedCycle } from "../analyze_test.ts";
import type { ExportColumn, ExportTable, ExportTableOptions } from "./export_table.ts";
import { applyUnits, resolveUnits, unitsMetadata } from "./_units.ts";

/** What {@link cycleExportTable} exports: the analysed cycles (a `TestAnalysis` or its data). */
export interface CycleExportInput {
  /** Every cycle with its role, retention and flags (`analysis.cycles`). */
  readonly cycles: readonly AnalyzedCycle[];
  /** Version of the analysis that gave the roles (kept in the metadata). */
  readonly analysis_version?: number;
}

const floats = (cycles: readonly AnalyzedCycle[], get: (c: AnalyzedCycle) => number | null) =>
  Float64Array.from(cycles, (c) => get(c) ?? NaN);

/**
 * The cycle table of a test's analysis as an {@link ExportTable} named `"cycles"`: one row per
 * cycle with the numbers every other surface shows (the analysis's cycles, not a separate
 * computation) — cycle, instrument cycle, role and why, retention, the codes of the flags that
 * name the cycle (`;`-separated), whether it is complete, rows and times, capacities,
 * coulombic efficiency, energies, energy efficiency, voltages, currents and internal resistance.
 * Capacities, energies and currents in the units asked for, with specific (mAh/g) and areal
 * (mAh/cm²) capacities beside the capacities when asked for; efficiencies and retention are
 * fractions. Missing values stay missing.
 *
 * @param analysis The analysis (`analyzeTest(...)`, its `toJSON()`, a stored `test.analysis`,
 *   or a `summarizeFile` result).
 * @param options Units, sample properties, source label.
 * @returns The table.
 * @throws {RangeError} For specific or areal units without the sample property they need.
 *
 * @example
 * ```ts
 * import { analyzeTest, cycleExportTable } from "../mod.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const cycles = [1, 2, 3].map((cycle) => ({
 *   cycle, instrument_cycle: cycle, first_half: "charge" as const, start_row: 0, end_row: 0,
 *   start_time_s: 0, end_time_s: 0, duration_s: 0, charge_capacity_Ah: 0.002,
 *   discharge_capacity_Ah: 0.0018, coulombic_efficiency: 0.9, charge_energy_Wh: null,
 *   discharge_energy_Wh: null, energy_efficiency: null, mean_voltage_V: null,
 *   min_voltage_V: null, max_voltage_V: null, mean_charge_voltage_V: null,
 *   mean_discharge_voltage_V: null, mean_charge_current_A: 0.001,
 *   mean_discharge_current_A: -0.001, internal_resistance_ohm: null, complete: true,
 * }));
 * const table = cycleExportTable(analyzeTest({ cycles }), {
 *   units: { capacity: "mAh", specific: true },
 *   sample: { active_mass_g: 0.012 },
 * });
 * const column = (name: string) => table.columns.find((c) => c.name === name)!.values;
 * deepEqual(Array.from(column("role") as ArrayLike<unknown>), ["counted", "counted", "counted"]);
 * equal(column("discharge_capacity_mAh")[0], 1.8);
 * equal(column("discharge_capacity_mAh_per_g")[0], 150); // 1.8 mAh / 0.012 g
 * ```
 */
export function cycleExportTable(
  analysis: CycleExportInput,
  options: ExportTableOptions = {},
): ExportTable {
  const units = resolveUnits(options, "the cycle table");
  const cycles = analysis?.cycles;
  if (!Array.isArray(cycles)) {
    throw new TypeError("Cannot export the cycle table: expected an analysis with cycles");
  }
  const columns: ExportColumn[] = [
    { name: "cycle", type: "int32", values: cycles.map((c) => c.cycle) },
    { name: "instrument_cycle", type: "int32", values: cycles.map((c) => c.instrument_cycle) },
    { name: "role", type: "string", values: cycles.map((c) => c.role ?? null) },
    { name: "role_reason", type: "string", values: cycles.map((c) => c.role_reason ?? null) },
    { name: "retention", type: "float64", values: floats(cycles, (c) => c.retention) },
    {
      name: "flags",
      type: "string",
      values: cycles.map((c) => c.flags?.length ? c.flags.join(";") : null),
    },
    { name: "complete", type: "bool", values: cycles.map((c) => c.complete ?? null) },
    { name: "first_half", type: "string", values: cycles.map((c) => c.first_half) },
    { name: "start_row", type: "int32", values: cycles.map((c) => c.start_row) },
    { name: "end_row", type: "int32", values: cycles.map((c) => c.end_row) },
  ];
  const numbers: (keyof AnalyzedCycle)[] = [
    "start_time_s",
    "end_time_s",
    "duration_s",
    "charge_capacity_Ah",
    "discharge_capacity_Ah",
    "coulombic_efficiency",
    "charge_energy_Wh",
    "discharge_energy_Wh",
    "energy_efficiency",
    "mean_voltage_V",
    "min_voltage_V",
    "max_voltage_V",
    "mean_charge_voltage_V",
    "mean_discharge_voltage_V",
    "mean_charge_current_A",
    "mean_discharge_current_A",
    "internal_resistance_ohm",
  ];
  for (const name of numbers) {
    columns.push({
      name,
      type: "float64",
      values: floats(cycles, (c) => (c[name] as number | null | undefined) ?? null),
    });
  }
  return {
    name: "cycles",
    length: cycles.length,
    columns: applyUnits(columns, units, {
      capacities: ["charge_capacity_Ah", "discharge_capacity_Ah"],
    }),
    metadata: {
      table: "cycles",
      label: options.label ?? null,
      analysis_version: analysis.analysis_version ?? null,
      ...unitsMetadata(units),
    },
  };
}
