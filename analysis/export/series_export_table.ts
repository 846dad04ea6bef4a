// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../../lib/model/cycle_summary.ts";
import { CYCLING_COLUMNS, type CyclingSeries } from "../../lib/model/cycling_series.ts";
import type { ExportColumn, ExportTable, ExportTableOptions } from "./export_table.ts";
import { applyUnits, resolveUnits, unitsMetadata } from "./_units.ts";

/** Options of {@link seriesExportTable}. */
export interface SeriesExportOptions extends ExportTableOptions {
  /**
   * The cycles of the series (`analysis.cycles`): adds a `cycle` column giving each row's cycle
   * (`null` for rows outside every cycle), to join the series with the cycle table.
   */
  cycles?: readonly Pick<CycleSummary, "cycle" | "start_row" | "end_row">[];
}

/**
 * A cycling time series as an {@link ExportTable} named `"series"`: one row per sample with
 * `time_s`, `voltage_V`, `current_A` (positive on charge), the capacity and energy counters as
 * the instrument recorded them, `step_index`, `cycle_index` (the instrument's), the analysis's
 * `cycle` (with `options.cycles`), `temperature_C` when recorded, then the file's further
 * columns (`extras`, under their names; one whose name is taken gets an `extra_` prefix).
 * Currents, capacities and energies in the units asked for, with specific (mAh/g) and areal
 * (mAh/cm²) capacities beside the capacity counters when asked for. The metadata keeps the
 * start time and each column's original name and unit.
 *
 * @param series The series.
 * @param options Units, sample properties, source label, the cycles for the `cycle` column.
 * @returns The table.
 * @throws {RangeError} For specific or areal units without the sample property they need, or
 *   cycles whose rows lie beyond the series.
 *
 * @example
 * ```ts
 * import { seriesExportTable } from "./series_export_table.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const f = (...v: number[]) => Float64Array.from(v);
 * const table = seriesExportTable({
 *   length: 3, time_s: f(0, 1, 2), voltage_V: f(3.5, 3.6, 3.4), current_A: f(0.002, 0.002, -0.002),
 *   charge_capacity_Ah: f(0, 0.001, 0.001), discharge_capacity_Ah: f(0, 0, 0.0005),
 *   charge_energy_Wh: f(NaN, NaN, NaN), discharge_energy_Wh: f(NaN, NaN, NaN),
 *   step_index: Int32Array.of(1, 1, 2), cycle_index: Int32Array.of(1, 1, 1),
 *   extras: {}, start_time: null, columns: {},
 * }, { units: { current: "mA" }, cycles: [{ cycle: 1, start_row: 1, end_row: 3 }] });
 * const column = (name: string) =>
 *   Array.from(table.columns.find((c) => c.name === name)!.values as ArrayLike<unknown>);
 * deepEqual(column("current_mA"), [2, 2, -2]);
 * deepEqual(column("cycle"), [null, 1, 1]);
 * ```
 */
export function seriesExportTable(
  series: CyclingSeries,
  options: SeriesExportOptions = {},
): ExportTable {
  const units = resolveUnits(options, "the series");
  if (series === null || typeof series !== "object" || !(series.length >= 0)) {
    throw new TypeError("Cannot export the series: expected a CyclingSeries");
  }
  const n = series.length;
  const columns: ExportColumn[] = CYCLING_COLUMNS.map((name) => ({
    name,
    type: "float64",
    values: series[name],
  }));
  columns.push({ name: "step_index", type: "int32", values: series.step_index });
  columns.push({ name: "cycle_index", type: "int32", values: series.cycle_index });
  if (options.cycles) {
    columns.push({ name: "cycle", type: "int32", values: rowCycles(n, options.cycles) });
  }
  if (series.temperature_C) {
    columns.push({ name: "temperature_C", type: "float64", values: series.temperature_C });
  }
  const taken = new Set(columns.map((c) => c.name));
  for (const [name, values] of Object.entries<Float64Array>(series.extras ?? {})) {
    if (values?.length !== n) continue;
    let unique = name;
    while (taken.has(unique)) unique = `extra_${unique}`;
    taken.add(unique);
    columns.push({ name: unique, type: "float64", values });
  }
  for (const c of columns) {
    if (c.values.length !== n) {
      throw new RangeError(
        `Cannot export the series: column ${c.name} has ${c.values.length} values, expected ${n}`,
      );
    }
  }
  return {
    name: "series",
    length: n,
    columns: applyUnits(columns, units, {
      capacities: ["charge_capacity_Ah", "discharge_capacity_Ah"],
    }),
    metadata: {
      table: "series",
      label: options.label ?? null,
      start_time: series.start_time ?? null,
      ...unitsMetadata(units),
      source_columns: series.columns ?? {},
    },
  };
}

/** Each row's cycle number, `null` outside every cycle. */
function rowCycles(
  n: number,
  cycles: readonly Pick<CycleSummary, "cycle" | "start_row" | "end_row">[],
): (number | null)[] {
  const out = new Array<number | null>(n).fill(null);
  for (const c of cycles) {
    if (!(c.start_row >= 0 && c.end_row <= n && c.start_row <= c.end_row)) {
      throw new RangeError(
        `Cannot export the series: cycle ${c.cycle} spans rows ${c.start_row}–${c.end_row}, ` +
          `outside the series' ${n} rows (are the cycles of another series?)`,
      );
    }
    for (let r = c.start_row; r < c.end_row; r++) out[r] = c.cycle;
  }
  return out;
}
