// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import {
  escapeHtml,
  htmlTable,
  JUPYTER_DISPLAY,
  type MimeBundle,
  type TableColumn,
  textTable,
} from "./_display.ts";
import { capacityPlotSpec } from "./plot_specs.ts";

/** Columns shown by the table display of a {@link CycleTable}. */
export const CYCLE_TABLE_COLUMNS: TableColumn[] = [
  { key: "cycle", label: "cycle" },
  { key: "first_half", label: "first" },
  { key: "charge_mAh", label: "Q charge (mAh)" },
  { key: "discharge_mAh", label: "Q discharge (mAh)" },
  { key: "ce_percent", label: "CE (%)" },
  { key: "ee_percent", label: "EE (%)" },
  { key: "mean_voltage_V", label: "V mean (V)" },
  { key: "min_voltage_V", label: "V min (V)" },
  { key: "max_voltage_V", label: "V max (V)" },
  { key: "duration_h", label: "duration (h)" },
  { key: "internal_resistance_ohm", label: "IR (Ω)" },
];

/** Largest number of cycles the notebook table shows in full (as pandas' `max_rows`). */
export const CYCLE_TABLE_MAX_ROWS = 60;

/** Rows for the table display (mAh, percent, hours). */
function displayRows(cycles: readonly CycleSummary[]): Record<string, unknown>[] {
  const pct = (x: number | null): number | null => (x === null ? null : x * 100);
  return cycles.map((c) => ({
    cycle: c.cycle,
    first_half: c.first_half,
    charge_mAh: c.charge_capacity_Ah * 1000,
    discharge_mAh: c.discharge_capacity_Ah * 1000,
    ce_percent: pct(c.coulombic_efficiency),
    ee_percent: pct(c.energy_efficiency),
    mean_voltage_V: c.mean_voltage_V,
    min_voltage_V: c.min_voltage_V,
    max_voltage_V: c.max_voltage_V,
    duration_h: c.duration_s / 3600,
    internal_resistance_ohm: c.internal_resistance_ohm,
  }));
}

/**
 * The per-cycle summaries of one test, with the way the cycles were delimited. Renders in
 * Jupyter (Deno kernel) as an HTML table plus a capacity / coulombic-efficiency plot.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { CycleTable } from "./cycle_table.ts";
 * import { JUPYTER_DISPLAY } from "./_display.ts";
 * const table = new CycleTable([], { method: "current_sign", currentThreshold_A: 1e-6 });
 * equal(table.length, 0);
 * equal(typeof table[JUPYTER_DISPLAY]()["text/plain"], "string");
 * ```
 */
export class CycleTable {
  /** The cycles, in order. */
  readonly cycles: readonly CycleSummary[];
  /** How cycles were delimited. */
  readonly method: "cycle_index" | "step" | "current_sign";
  /** |current| at or below this was rest, A. */
  readonly currentThreshold_A: number;

  /**
   * Wrap per-cycle summaries (made by `summarizeCycles`).
   *
   * @param cycles The per-cycle summaries.
   * @param info How the cycles were delimited.
   */
  constructor(
    cycles: readonly CycleSummary[],
    info: { method: "cycle_index" | "step" | "current_sign"; currentThreshold_A: number },
  ) {
    this.cycles = cycles;
    this.method = info.method;
    this.currentThreshold_A = info.currentThreshold_A;
  }

  /** Number of cycles. */
  get length(): number {
    return this.cycles.length;
  }

  /** A fixed-width text table (for terminals). */
  toString(): string {
    return `${this.cycles.length} cycles (method: ${this.method})\n` +
      textTable(displayRows(this.cycles), CYCLE_TABLE_COLUMNS);
  }

  /** Plain data (the cycles and how they were delimited). */
  toJSON(): { method: string; currentThreshold_A: number; cycles: readonly CycleSummary[] } {
    return {
      method: this.method,
      currentThreshold_A: this.currentThreshold_A,
      cycles: this.cycles,
    };
  }

  /**
   * Jupyter MIME bundle: text, an HTML table and a Vega-Lite plot. Tables of more than
   * {@link CYCLE_TABLE_MAX_ROWS} cycles show the first and last cycles only (the plot has them all;
   * `toString()` and `cycles` have every row).
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    const rows = displayRows(this.cycles);
    const options = { maxRows: CYCLE_TABLE_MAX_ROWS };
    const elided = rows.length > CYCLE_TABLE_MAX_ROWS
      ? `; showing the first and last ${CYCLE_TABLE_MAX_ROWS / 2}, every cycle is in .cycles`
      : "";
    const caption = `${this.cycles.length} cycles (method: ${this.method}${elided})`;
    return {
      "text/plain": `${caption}\n${textTable(rows, CYCLE_TABLE_COLUMNS, options)}`,
      "text/html": `<p>${escapeHtml(caption)}</p>${htmlTable(rows, CYCLE_TABLE_COLUMNS, options)}`,
      "application/vnd.vegalite.v5+json": capacityPlotSpec(this.cycles),
    };
  }
}
