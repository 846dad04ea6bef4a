// Copyright 2026 the battery-analysis authors. MIT license.

import type { CycleSummary } from "../model/cycle_summary.ts";
import type { CyclingSeries } from "../model/cycling_series.ts";
import { analyzeFade, type FadeAnalysis, type FadeAnalysisData } from "../../analysis/fade.ts";
import { textTable } from "../../analysis/display.ts";
import { CYCLE_METHODS } from "../../analysis/cycles.ts";
import { dqdvByCycle } from "../../analysis/dqdv_by_cycle.ts";
import type { DqdvReport } from "../../analysis/analyze_test.ts";

/** What {@link analyzeCycling} analyses. */
export interface CyclingAnalysisInput {
  /** Where the data came from, for people (`"cell.csv"`, `"test 42 (cell_01)"`). */
  label: string;
  /** Per-cycle summaries (from `summarizeCycles` or a stored test). */
  cycles: readonly CycleSummary[];
  /** The time series, when available (for dQ/dV). */
  series?: CyclingSeries | null;
  /** How the cycles were delimited, when known. */
  cycleMethod?: string | null;
  /** |current| at or below this is rest, A (from the `CycleTable`). @default {1e-3 × p99 |I|} */
  currentThreshold_A?: number;
}

/** Options of {@link analyzeCycling}. */
export interface AnalyzeCyclingOptions {
  /** End-of-life retention threshold (fraction, 0–1). @default {0.8} */
  threshold?: number;
  /** Cycle whose discharge capacity is 100 %. @default {the first usable cycle} */
  referenceCycle?: number;
  /**
   * Keep a last cycle cut short by the end of the recording (`complete: false` in its summary,
   * see `summarizeCycles`). By default it is left out of the fade analysis, since its capacity
   * is cut short by the end of the file, not by fade; it is listed in `excluded_cycles`.
   * @default {false}
   */
  keepIncomplete?: boolean;
  /** Confidence level of the predicted-life interval. @default {0.95} */
  confidence?: number;
  /**
   * Cycles whose dQ/dV peaks are reported (needs the series). `[]` skips dQ/dV.
   * @default {the first and last full cycles: both halves present, each passing at least half
   *   the median charge of that half}
   */
  dqdvCycles?: number[];
}

/** A cycle left out of the fade analysis, and why. */
export interface CyclingExcludedCycle {
  /** Cycle number. */
  cycle: number;
  /** Why. */
  reason: string;
}

/** End of life, observed and predicted, in one place. */
export interface CyclingEndOfLife {
  /** Retention threshold (fraction). */
  threshold: number;
  /** Observed cycle at which retention falls below the threshold (interpolated), or `null`. */
  observed_cycle: number | null;
  /** Cycle predicted by the best fade model, or `null`. */
  predicted_cycle: number | null;
  /** Lower end of the prediction interval, or `null`. */
  predicted_lower: number | null;
  /** Upper end of the prediction interval, or `null`. */
  predicted_upper: number | null;
  /** Confidence level of the interval. */
  confidence: number | null;
  /** Model used for the prediction, or `null`. */
  model: string | null;
  /** Why there is no prediction, or `null`. */
  reason: string | null;
}

/** Plain data of a {@link CyclingAnalysis} (its `--json` form). */
export interface CyclingAnalysisData {
  /** Where the data came from. */
  label: string;
  /** Number of cycles given. */
  cycle_count: number;
  /** How the cycles were delimited, when known. */
  cycle_method: string | null;
  /** Cycles left out of the fade analysis. */
  excluded_cycles: CyclingExcludedCycle[];
  /** End of life, observed and predicted. */
  end_of_life: CyclingEndOfLife | null;
  /** The full fade analysis (retention, efficiency, models, prediction, knee, anomalies). */
  fade: FadeAnalysisData | null;
  /** Why there is no fade analysis (no usable cycle), or `null`. */
  fade_error: string | null;
  /** dQ/dV peaks of the chosen cycles, or `null` (see `dqdv_note`). */
  dqdv: DqdvReport | null;
  /** Why there is no dQ/dV report, or `null`. */
  dqdv_note: string | null;
}

/**
 * The analysis of one cycling test: capacity fade with every model and the best by AIC, knee
 * and knee onset, end of life observed and predicted, anomalies. `toString()` gives tables for
 * a terminal, `toJSON()` plain data.
 *
 * @example
 * ```ts
 * import { equal, match } from "node:assert/strict";
 * import { analyzeCycling } from "./analyze_cycling.ts";
 *
 * const cycles = Array.from({ length: 100 }, (_, k) => ({
 *   cycle: k + 1, instrument_cycle: k + 1, first_half: "charge" as const,
 *   start_row: 0, end_row: 0, start_time_s: 0, end_time_s: 0, duration_s: 0,
 *   charge_capacity_Ah: 1, discharge_capacity_Ah: 1 - 0.001 * k, coulombic_efficiency: 1 - 0.001 * k,
 *   charge_energy_Wh: null, discharge_energy_Wh: null, energy_efficiency: null,
 *   mean_voltage_V: null, min_voltage_V: null, max_voltage_V: null, mean_charge_voltage_V: null,
 *   mean_discharge_voltage_V: null, mean_charge_current_A: null, mean_discharge_current_A: null,
 *   internal_resistance_ohm: null,
 * }));
 * const report = analyzeCycling({ label: "synthetic", cycles }); // a CyclingAnalysis
 * equal(report.toJSON().cycle_count, 100);
 * match(report.toString(), /synthetic/);
 * ```
 */
export class CyclingAnalysis {
  /** Where the data came from. */
  readonly label: string;
  /** Number of cycles given. */
  readonly cycle_count: number;
  /** How the cycles were delimited, when known. */
  readonly cycle_method: string | null;
  /** Cycles left out of the fade analysis. */
  readonly excluded_cycles: CyclingExcludedCycle[];
  /** The fade analysis, or `null` when no cycle was usable. */
  readonly fade: FadeAnalysis | null;
  /** Why there is no fade analysis, or `null`. */
  readonly fade_error: string | null;
  /** dQ/dV peaks of the chosen cycles, or `null`. */
  readonly dqdv: DqdvReport | null;
  /** Why there is no dQ/dV report, or `null`. */
  readonly dqdv_note: string | null;

  /**
   * Assemble a report from its parts.
   *
   * @param data The parts, computed by {@link analyzeCycling}.
   */
  constructor(data: {
    label: string;
    cycle_count: number;
    cycle_method: string | null;
    excluded_cycles: CyclingExcludedCycle[];
    fade: FadeAnalysis | null;
    fade_error: string | null;
    dqdv: DqdvReport | null;
    dqdv_note: string | null;
  }) {
    this.label = data.label;
    this.cycle_count = data.cycle_count;
    this.cycle_method = data.cycle_method;
    this.excluded_cycles = data.excluded_cycles;
    this.fade = data.fade;
    this.fade_error = data.fade_error;
    this.dqdv = data.dqdv;
    this.dqdv_note = data.dqdv_note;
  }

  /** End of life, observed and predicted, or `null` without a fade analysis. */
  get end_of_life(): CyclingEndOfLife | null {
    const f = this.fade;
    if (!f) return null;
    const p = f.prediction;
    return {
      threshold: f.threshold,
      observed_cycle: f.cycle_life,
      predicted_cycle: p?.cycle ?? null,
      predicted_lower: p?.lower ?? null,
      predicted_upper: p?.upper ?? null,
      confidence: p?.confidence ?? null,
      model: p?.model ?? null,
      reason: p ? p.reason : f.models.reason,
    };
  }

  /** Plain data. */
  toJSON(): CyclingAnalysisData {
    return {
      label: this.label,
      cycle_count: this.cycle_count,
      cycle_method: this.cycle_method,
      excluded_cycles: this.excluded_cycles,
      end_of_life: this.end_of_life,
      fade: this.fade ? this.fade.toJSON() : null,
      fade_error: this.fade_error,
      dqdv: this.dqdv,
      dqdv_note: this.dqdv_note,
    };
  }

  /** Tables for a terminal. */
  toString(): string {
    const out = [
      `== ${this.label}`,
      `${this.cycle_count} cycles${this.cycle_method ? ` (method: ${this.cycle_method})` : ""}`,
    ];
    for (const e of this.excluded_cycles) out.push(`cycle ${e.cycle} left out: ${e.reason}`);
    if (this.fade) this.#fadeText(this.fade, out);
    else out.push(`no fade analysis: ${this.fade_error}`);
    this.#dqdvText(out);
    return out.join("\n");
  }

  #dqdvText(out: string[]): void {
    const d = this.dqdv;
    if (!d) {
      out.push("", `dQ/dV: — (${this.dqdv_note})`);
      return;
    }
    out.push("", `dQ/dV peaks of cycles ${d.cycles.join(", ")} (${d.chosen_by})`);
    const rows = d.halves.flatMap((h) =>
      h.peaks.map((p) => ({
        cycle: h.cycle,
        direction: h.direction,
        position_V: p.position_V,
        height: p.height_Ah_per_V,
        area_mAh: p.area_Ah * 1000,
        fwhm_V: p.fwhm_V,
      }))
    );
    if (rows.length > 0) {
      out.push(textTable(rows, [
        { key: "cycle" },
        { key: "direction" },
        { key: "position_V", label: "V (V)" },
        { key: "height", label: "dQ/dV (Ah/V)" },
        { key: "area_mAh", label: "area (mAh)" },
        { key: "fwhm_V", label: "FWHM (V)" },
      ]));
    } else out.push("no peaks found");
    const moved = d.tracks.filter((t) => t.points.length > 1);
    for (const t of moved) {
      const a = t.points[0], b = t.points[t.points.length - 1];
      out.push(
        `  ${t.direction} peak at ${a.position_V.toFixed(3)} V (cycle ${a.cycle}) → ` +
          `${b.position_V.toFixed(3)} V (cycle ${b.cycle}): shift ${
            (t.shift_V * 1000).toFixed(1)
          } mV, height ratio ${t.height_ratio === null ? "—" : t.height_ratio.toFixed(3)}`,
      );
    }
    for (const f of d.failures) out.push(`  cycle ${f.cycle} ${f.direction}: ${f.reason}`);
  }

  #fadeText(f: FadeAnalysis, out: string[]): void {
    out.push("", "Capacity fade", f.toString());
    for (const m of f.models.failed) out.push(`  ${m.model} not fitted: ${m.reason}`);
    const eol = this.end_of_life!;
    const pct = `${+(eol.threshold * 100).toFixed(2)} %`;
    const num = (x: number | null): string => (x === null ? "—" : x.toFixed(1));
    out.push(
      "",
      `End of life at ${pct}: observed ${
        eol.observed_cycle === null ? "not reached" : `cycle ${num(eol.observed_cycle)}`
      }; predicted ${
        eol.predicted_cycle === null ? `— (${eol.reason})` : `cycle ${num(eol.predicted_cycle)}` +
          (eol.predicted_lower !== null && eol.predicted_upper !== null
            ? ` (${((eol.confidence ?? 0.95) * 100).toFixed(0)} % interval ${
              num(eol.predicted_lower)
            } – ${num(eol.predicted_upper)}, ${eol.model} model)`
            : ` (${eol.model} model)`)
      }`,
    );
    const k = f.knee;
    out.push(
      k
        ? `Knee: cycle ${num(k.knee_cycle)} (retention ${(k.knee_retention * 100).toFixed(2)} %, ${
          k.accelerating ? "fade accelerates" : "fade slows down"
        }); onset ${k.onset_cycle === null ? "—" : `cycle ${num(k.onset_cycle)}`}`
        : "Knee: — (too few cycles)",
    );
    const anomalyRows = [
      ...f.anomalies.retention.anomalies.map((a) => ({ metric: "retention", ...a })),
      ...f.anomalies.coulombic_efficiency.anomalies.map((a) => ({ metric: "CE", ...a })),
    ];
    if (anomalyRows.length === 0) out.push("Anomalies: none");
    else {
      out.push(
        "Anomalies:",
        textTable(anomalyRows, [
          { key: "metric" },
          { key: "cycle" },
          { key: "value" },
          { key: "baseline" },
          { key: "z", label: "robust z" },
        ]),
      );
    }
  }
}

/**
 * Analyse the cycles of one test: capacity fade (every model, best by AIC), knee and knee
 * onset, end of life observed and predicted (with interval), anomalies in retention and CE.
 * A last cycle cut short by the end of the recording (`complete: false`, as `summarizeCycles`
 * marks it) is left out unless `keepIncomplete` is set. With a series, the dQ/dV peaks of the
 * chosen cycles (default: the first and last full cycles — both halves present, each passing at
 * least half the median charge of that half) are found with `dqdvByCycle` (default Gaussian
 * smoothing) and followed from one cycle to the next.
 *
 * @param input Cycles, optional series and a label.
 * @param options Threshold, reference cycle, incomplete-cycle handling, confidence.
 * @returns The analysis.
 * @throws {RangeError} When the threshold or confidence is out of range, or a dQ/dV cycle does
 *   not exist.
 *
 * @example Linear fade of 0.1 % per cycle reaches 80 % at cycle 201
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { analyzeCycling } from "./analyze_cycling.ts";
 * const cycles = Array.from({ length: 100 }, (_, k) => ({
 *   cycle: k + 1, instrument_cycle: k + 1, first_half: "charge" as const,
 *   start_row: 0, end_row: 0, start_time_s: 0, end_time_s: 0, duration_s: 0,
 *   charge_capacity_Ah: 1, discharge_capacity_Ah: 1 - 0.001 * k, coulombic_efficiency: 1 - 0.001 * k,
 *   charge_energy_Wh: null, discharge_energy_Wh: null, energy_efficiency: null,
 *   mean_voltage_V: null, min_voltage_V: null, max_voltage_V: null, mean_charge_voltage_V: null,
 *   mean_discharge_voltage_V: null, mean_charge_current_A: null, mean_discharge_current_A: null,
 *   internal_resistance_ohm: null,
 * }));
 * const analysis = analyzeCycling({ label: "synthetic", cycles });
 * // Exact data: the linear model (or the power model with exponent 1) fits it exactly.
 * equal(Math.round(analysis.end_of_life!.predicted_cycle!), 201);
 * equal(analysis.dqdv, null); // no time series given
 * ```
 */
export function analyzeCycling(
  input: CyclingAnalysisInput,
  options: AnalyzeCyclingOptions = {},
): CyclingAnalysis {
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`Cannot analyse: threshold must be between 0 and 1, got ${threshold}`);
  }
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`Cannot analyse: confidence must be between 0 and 1, got ${confidence}`);
  }
  const excluded: CyclingExcludedCycle[] = [];
  let cycles = input.cycles;
  const series = input.series;
  if (!options.keepIncomplete) {
    cycles = cycles.filter((c) => c.complete !== false);
    for (const c of input.cycles) {
      if (c.complete !== false) continue;
      const i = series && c.end_row === series.length ? series.current_A[series.length - 1] : NaN;
      excluded.push({
        cycle: c.cycle,
        reason: `the recording ends during it${
          Number.isFinite(i) ? ` (current ${+(i * 1000).toPrecision(4)} mA at the last row)` : ""
        }; --keep-incomplete keeps it`,
      });
    }
  }
  let fade: FadeAnalysis | null = null;
  let fadeError: string | null = null;
  try {
    // analyzeFade leaves out cycles marked complete: false; a kept one is counted explicitly.
    const used = options.keepIncomplete ? cycles.map((c) => ({ ...c, role: "counted" })) : cycles;
    fade = analyzeFade(used, { threshold, confidence, referenceCycle: options.referenceCycle });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    if (options.referenceCycle !== undefined && /reference/i.test(error.message)) throw error;
    fadeError = error.message;
  }
  let dqdv: DqdvReport | null = null;
  let dqdvNote: string | null = null;
  const asked = options.dqdvCycles;
  const chosen = asked ?? defaultDqdvCycles(cycles);
  if (!series || series.length === 0) dqdvNote = "no time series";
  else if (asked && asked.length === 0) dqdvNote = "not asked for";
  else if (chosen.length === 0) dqdvNote = "no full cycle (both halves, full capacity)";
  else {
    const known = new Set(input.cycles.map((c) => c.cycle));
    const missing = chosen.filter((c) => !known.has(c));
    if (missing.length > 0) {
      throw new RangeError(
        `Cannot compute dQ/dV of cycle ${missing.join(", ")}: the test has cycles ${
          input.cycles[0]?.cycle ?? "—"
        }–${input.cycles[input.cycles.length - 1]?.cycle ?? "—"}`,
      );
    }
    // The stored method, when it is one summarizeCycles knows (else detect again).
    const method = CYCLE_METHODS.find((m) => m === input.cycleMethod) ?? "auto";
    const set = dqdvByCycle(series, {
      cycles: chosen,
      cycle_options: {
        method,
        ...(input.currentThreshold_A !== undefined
          ? { currentThreshold_A: input.currentThreshold_A }
          : {}),
      },
    });
    dqdv = {
      cycles: chosen,
      chosen_by: asked ? "--cycle" : "default: first and last full cycles",
      halves: set.curves.map((c) => ({
        cycle: c.cycle!,
        direction: c.direction,
        capacity_Ah: c.capacity_Ah,
        area_Ah: c.area_Ah,
        peaks: c.peaks,
        warnings: c.warnings,
      })),
      tracks: set.tracks,
      failures: set.failures,
    };
  }
  return new CyclingAnalysis({
    label: input.label,
    cycle_count: input.cycles.length,
    cycle_method: input.cycleMethod ?? null,
    excluded_cycles: excluded,
    fade,
    fade_error: fadeError,
    dqdv,
    dqdv_note: dqdvNote,
  });
}

/**
 * The full cycles: both halves present, each passing at least half the median charge of that
 * half over the cycles that have both (so a first cycle that starts mid-way, or a last one cut
 * short, is not full).
 *
 * @param cycles Per-cycle summaries.
 * @returns Cycle numbers, in order.
 */
function fullCycles(cycles: readonly CycleSummary[]): number[] {
  const both = cycles.filter((c) => c.charge_capacity_Ah > 0 && c.discharge_capacity_Ah > 0);
  if (both.length === 0) return [];
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const qc = median(both.map((c) => c.charge_capacity_Ah));
  const qd = median(both.map((c) => c.discharge_capacity_Ah));
  return both
    .filter((c) => c.charge_capacity_Ah >= 0.5 * qc && c.discharge_capacity_Ah >= 0.5 * qd)
    .map((c) => c.cycle);
}

function defaultDqdvCycles(cycles: readonly CycleSummary[]): number[] {
  const full = fullCycles(cycles);
  if (full.length === 0) return [];
  return full.length === 1 ? [full[0]] : [full[0], full[full.length - 1]];
}
