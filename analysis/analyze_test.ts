// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { escapeHtml, htmlTable, JUPYTER_DISPLAY, type MimeBundle, textTable } from "./_display.ts";
import {
  assignCycleRoles,
  type CurrentLevel,
  currentLevels,
  type CycleRole,
  type RoleAssignment,
} from "./_cycle_roles.ts";
import { CYCLE_METHODS, type CycleMethod, summarizeCycles } from "./cycles.ts";
import { type ChargeBalance, chargeBalance, counterMismatches } from "./_counter_check.ts";
import { detectProtocol, type Protocol, type ProtocolKind } from "./_protocol.ts";
import { type PulseAnalysis, pulseResistances } from "./_pulses.ts";
import {
  cycleList,
  flag,
  type FlagCode,
  type QualityFlag,
  seriesFlags,
  warningFlag,
} from "./_quality_flags.ts";
import { median, quantile } from "./_stats.ts";
import { defaultCurrentThreshold } from "./_cycle_segments.ts";
import { fallsSignificantly, linearTrend } from "./_trend.ts";
import type { DqdvPeak } from "./dqdv.ts";
import { dqdvByCycle } from "./dqdv_by_cycle.ts";
import { type EfficiencyStats, efficiencyStats } from "./efficiency_stats.ts";
import { analyzeFade, type FadeAnalysis, type FadeAnalysisData } from "./fade.ts";
import { capacityRetention, type RetentionResult } from "./retention.ts";
import type { SampleProperties } from "./sample_properties.ts";
import type { PeakTrack } from "./track_peaks.ts";

export { type CurrentLevel, CYCLE_ROLES, type CycleRole, isCountedCycle } from "./_cycle_roles.ts";
export { type Protocol, PROTOCOL_KINDS, type ProtocolKind } from "./_protocol.ts";
export type { Pulse, PulseAnalysis } from "./_pulses.ts";
export {
  FLAG_CODES,
  type FlagCode,
  type FlagSeverity,
  type QualityFlag,
} from "./_quality_flags.ts";

/**
 * Version of the analysis. It changes whenever any number {@link analyzeTest} produces can
 * change for the same input, so stored analyses with another version are computed again.
 *
 * History: 1 — first version; 2 — end of life only for a significant fade and within 10 × the
 * tested span, formation from coulombic efficiency from two cycles on (3 × spread), long steps
 * interrupted by rests are half cycles (not pulses), energy-efficiency flags for cycling only;
 * 3 — `ce_out_of_range` judges the CE as shown (discharge / charge), `fade_not_significant`;
 * 4 — a symmetric cell by its voltage range needs a voltage of both signs (a cell resting at
 * −0.09 V is not one), `fade_not_significant` is a warning and `summary.best_fade_model` is
 * `null` with it, `energy_efficiency_above_100` names swapped halves, counter resets are listed
 * on the counter's magnitude (as repaired), "no current is recorded" for all-missing current;
 * 5 — "falls significantly" is the slope's 95 % confidence interval below zero by Student's t
 * (n − 2 degrees of freedom) instead of two standard errors: fewer claims from 3–6 cycles;
 * 6 — `counter_current_mismatch`: capacity counters against the integral of the current;
 * 7 — a partial first cycle whose counter does not start at zero says the recording starts
 * during that half (with the counter's first value);
 * 8 — a counter that passes through zero (an energy counter while the cell voltage crosses 0 V)
 * is integrated with its sign instead of being repaired as reset, and a counter coming back
 * towards zero gradually is not reset by the last steps of its approach.
 */
export const ANALYSIS_VERSION = 8;

/** Quantities whose retention {@link analyzeTest} can follow. */
export type AnalysisMetric = "discharge_capacity_Ah" | "charge_capacity_Ah" | "discharge_energy_Wh";

/** What is known of the sample (all optional; used for plausibility checks). */
export interface TestSampleInfo extends SampleProperties {
  /** Nominal (rated) capacity, Ah: capacities far above it are flagged. */
  nominal_capacity_Ah?: number | null;
  /** Active mass, g (alias of `mass_g` as some stores name it). */
  active_mass_g?: number | null;
  /** Cell chemistry, for people. */
  chemistry?: string | null;
  /** Form factor (coin, pouch, 18650, ...), for people. */
  form_factor?: string | null;
}

/** What {@link analyzeTest} analyses. */
export interface TestAnalysisInput {
  /** The cycling time series; cycles are built from it when `cycles` is absent. */
  series?: CyclingSeries | null;
  /** Per-cycle summaries (stored cycles, or to reuse cycles already built). */
  cycles?: readonly CycleSummary[];
  /** Impedance spectra of the test, if any. */
  spectra?: readonly Spectrum[];
  /** Where the data came from, for people (`"cell.csv"`, `"test 42 (cell_01)"`). */
  label?: string;
  /** What is known of the sample. */
  sample?: TestSampleInfo | null;
  /**
   * Warnings of the parser or the import (`meta.warnings`): each becomes a flag — the damaged-input
   * code it starts with (`"truncated_last_line: …"`), else `parser_warning`.
   */
  warnings?: readonly string[];
  /** How the given cycles were delimited (a `CycleMethod` name), when `cycles` is given. */
  cycleMethod?: string | null;
  /** |current| at or below this is rest, A, when `cycles` is given (from their `CycleTable`). */
  currentThreshold_A?: number | null;
}

/** Options of {@link analyzeTest}. */
export interface AnalyzeTestOptions {
  /** Cycle whose metric is 100 %. @default {the first counted cycle (first complete cycle of the main protocol)} */
  referenceCycle?: number;
  /** End-of-life retention threshold (fraction, 0–1). @default {0.8} */
  threshold?: number;
  /** Quantity followed. @default {"discharge_capacity_Ah"} */
  metric?: AnalysisMetric;
  /** Cycles analysed (inclusive); the others get the role `"excluded_by_selection"`. @default {all} */
  cycles?: { from?: number; to?: number };
  /**
   * Formation cycles: `N` makes cycles 1–N formation; `"auto"` detects them (cycles before the
   * main protocol's current, and leading cycles whose coulombic efficiency has not settled);
   * `0` means none.
   * @default {"auto"}
   */
  formationCycles?: number | "auto";
  /** How cycles are delimited when they are built from the series. @default {"auto"} */
  cycleMethod?: CycleMethod;
  /** Confidence level of the predicted-life interval. @default {0.95} */
  confidence?: number;
  /**
   * Cycles whose dQ/dV peaks are reported (needs the series); `[]` skips dQ/dV.
   * @default {the first and last full counted cycles}
   */
  dqdvCycles?: number[];
  /**
   * Count a last cycle cut short by the end of the recording instead of leaving it out.
   * @default {false}
   */
  keepCutOff?: boolean;
}

/** The options an analysis was made with, every default filled in. */
export interface ResolvedAnalyzeTestOptions {
  /** Reference cycle asked for, or `null` for the default. */
  referenceCycle: number | null;
  /** End-of-life threshold (fraction). */
  threshold: number;
  /** Quantity followed. */
  metric: AnalysisMetric;
  /** Cycle selection (inclusive), `null` ends for open. */
  cycles: { from: number | null; to: number | null };
  /** Formation cycles setting. */
  formationCycles: number | "auto";
  /** Cycle method asked for (when cycles were built from the series). */
  cycleMethod: CycleMethod;
  /** Confidence of the predicted-life interval. */
  confidence: number;
  /** dQ/dV cycles asked for, or `null` for the default. */
  dqdvCycles: number[] | null;
  /** Whether a cut-off last cycle is counted. */
  keepCutOff: boolean;
}

/** A cycle with its role in the analysis. */
export interface AnalyzedCycle extends CycleSummary {
  /** What the cycle is in the test (see {@link CycleRole}). */
  role: CycleRole;
  /** Why it has that role (`null` for plain counted cycles). */
  role_reason: string | null;
  /**
   * Metric / reference value (fraction), for cycles with a positive metric that are not
   * partial, cut off, rest or invalid; `null` otherwise or without a reference.
   */
  retention: number | null;
  /** Codes of the flags that name this cycle. */
  flags: FlagCode[];
}

/** The dQ/dV curve of one half cycle, reduced to its numbers. */
export interface DqdvHalf {
  /** Cycle number. */
  cycle: number;
  /** Half-cycle direction. */
  direction: "charge" | "discharge";
  /** Capacity passed in the half cycle (instrument counter), Ah. */
  capacity_Ah: number;
  /** Area under the dQ/dV curve, Ah. */
  area_Ah: number;
  /** Peaks, by increasing voltage (heights negative on discharge). */
  peaks: DqdvPeak[];
  /** Repairs and oddities noticed. */
  warnings: string[];
}

/** dQ/dV peaks of the chosen cycles. */
export interface DqdvReport {
  /** Cycles asked for. */
  cycles: number[];
  /** How the cycles were chosen. */
  chosen_by: "default: first and last full cycles" | "--cycle";
  /** One entry per half cycle analysed, in row order. */
  halves: DqdvHalf[];
  /** Peaks followed from one chosen cycle to the next (shift and height ratio). */
  tracks: PeakTrack[];
  /** Half cycles that could not be analysed, with the reason. */
  failures: { cycle: number; direction: string; reason: string }[];
}

/** A cycle left out of retention, fade and end of life, and why. */
export interface ExcludedCycle {
  /** Cycle number. */
  cycle: number;
  /** Its role. */
  role: CycleRole;
  /** Why. */
  reason: string;
}

/** End of life, observed and predicted, in one place. */
export interface EndOfLife {
  /** Retention threshold (fraction). */
  threshold: number;
  /** Observed cycle at which retention falls below the threshold (interpolated), or `null`. */
  observed_cycle: number | null;
  /** Cycle predicted by the best fade model, or `null` (see `reason`). */
  predicted_cycle: number | null;
  /** Lower end of the prediction interval (within the physical range), or `null`. */
  predicted_lower: number | null;
  /** Upper end of the prediction interval, or `null`. */
  predicted_upper: number | null;
  /** Confidence level of the interval. */
  confidence: number | null;
  /** Model used for the prediction, or `null`. */
  model: string | null;
  /** Why there is no prediction, or what was clipped; `null` when nothing to say. */
  reason: string | null;
  /** Whether the interval was clipped to the physical range. */
  interval_clipped: boolean;
}

/** The headline numbers every surface shows (flat, JSON, fractions not percent). */
export interface TestSummary {
  /** {@link ANALYSIS_VERSION} that produced them. */
  analysis_version: number;
  /** Detected protocol. */
  protocol: ProtocolKind;
  /** All cycles. */
  cycle_count: number;
  /** Cycles with role `"counted"`. */
  counted_cycle_count: number;
  /** Reference cycle, or `null`. */
  reference_cycle: number | null;
  /** Reference cycle's capacity (of the metric's half: discharge, or charge for `charge_capacity_Ah`), Ah. */
  initial_capacity_Ah: number | null;
  /** Last counted cycle's capacity (same half), Ah. */
  final_capacity_Ah: number | null;
  /** Retention of the metric at the last counted cycle (fraction). */
  capacity_retention: number | null;
  /** Mean fade per 100 cycles (fraction; positive = loses capacity). */
  fade_per_100_cycles: number | null;
  /** Mean coulombic efficiency over the counted cycles (fraction). */
  mean_coulombic_efficiency: number | null;
  /** Mean energy efficiency over the counted cycles (fraction); `null` for symmetric cells. */
  mean_energy_efficiency: number | null;
  /** Observed end of life (interpolated cycle), or `null` when not reached. */
  eol_cycle_observed: number | null;
  /** Predicted end of life, or `null`. */
  eol_cycle_predicted: number | null;
  /**
   * Best fade model by AIC, or `null` — also when the retention does not fall significantly
   * (flag `fade_not_significant`): the models then describe scatter, not ageing.
   */
  best_fade_model: string | null;
  /** Knee cycle (accelerating fade only), or `null`. */
  knee_cycle: number | null;
  /**
   * Median internal resistance, Ω: of the pulses (first sample) for pulse tests, else of the
   * counted cycles' instrument-reported resistance; `null` when unknown.
   */
  median_internal_resistance_ohm: number | null;
  /** Codes of every flag, sorted, unique. */
  flag_codes: FlagCode[];
}

/** Plain data of a {@link TestAnalysis}: what the store keeps and `--json` prints. */
export interface TestAnalysisData {
  /** {@link ANALYSIS_VERSION}. */
  analysis_version: number;
  /** The options that produced it. */
  options: ResolvedAnalyzeTestOptions;
  /** Where the data came from. */
  label: string | null;
  /** Detected protocol and the evidence. */
  protocol: Protocol;
  /** How the cycles were delimited, when known. */
  cycle_method: string | null;
  /** Current levels of the cycles (most cycles first; the first is the main protocol). */
  current_levels: CurrentLevel[];
  /** Every cycle with its role and retention. */
  cycles: AnalyzedCycle[];
  /** Reference cycle, or `null` without a counted cycle. */
  reference: {
    cycle: number;
    value: number;
    metric: AnalysisMetric;
    chosen_by: "default" | "option";
    reason: string;
  } | null;
  /** Cycles left out of retention, fade and end of life, with the reason. */
  excluded: ExcludedCycle[];
  /** Retention over the counted cycles, or `null` (see `fade_note`). */
  retention: RetentionResult | null;
  /** Efficiency statistics over the counted cycles, or `null`. */
  efficiency: EfficiencyStats | null;
  /** Why efficiencies are missing or partly missing, or `null`. */
  efficiency_note: string | null;
  /** Fade models, prediction, knee and anomalies over the counted cycles, or `null`. */
  fade: FadeAnalysisData | null;
  /** Why there is no fade analysis, or `null`. */
  fade_note: string | null;
  /** End of life observed and predicted, or `null` without a fade analysis. */
  end_of_life: EndOfLife | null;
  /** dQ/dV peaks of the chosen cycles, or `null` (see `dqdv_note`). */
  dqdv: DqdvReport | null;
  /** Why there is no dQ/dV report, or `null`. */
  dqdv_note: string | null;
  /** Pulse resistances of a pulse, HPPC or GITT test, or `null`. */
  pulse: PulseAnalysis | null;
  /** Data-quality flags (never hidden). */
  flags: QualityFlag[];
  /** The headline numbers. */
  summary: TestSummary;
}

/** Deep copy as plain JSON values: typed arrays become arrays, non-finite numbers `null`. */
function plain(x: unknown): unknown {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (x === null || typeof x !== "object") return x;
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>, plain);
  if (Array.isArray(x)) return x.map(plain);
  if (typeof (x as { toJSON?: unknown }).toJSON === "function") {
    return plain((x as { toJSON(): unknown }).toJSON());
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = plain(v);
  return out;
}

const pct = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : `${(x * 100).toFixed(digits)} %`;
const num = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits);

/**
 * The one analysis of a test: cycle roles, reference, retention, efficiency, fade models, knee,
 * end of life, anomalies, dQ/dV peaks, pulse resistances and data-quality flags, with the
 * options and analysis version that produced them. `toJSON()` gives {@link TestAnalysisData}
 * (what the store keeps), `toString()` tables for a terminal; it renders itself in Jupyter.
 *
 * @example
 * ```ts
 * import { analyzeTest } from "./analyze_test.ts";
 * import { equal, match } from "node:assert/strict";
 *
 * const cycles = Array.from({ length: 20 }, (_, k) => ({
 *   cycle: k + 1, instrument_cycle: k + 1, first_half: "charge" as const,
 *   start_row: 0, end_row: 0, start_time_s: 0, end_time_s: 0, duration_s: 0,
 *   charge_capacity_Ah: 1, discharge_capacity_Ah: 1 - 0.001 * k, coulombic_efficiency: 1 - 0.001 * k,
 *   charge_energy_Wh: null, discharge_energy_Wh: null, energy_efficiency: null,
 *   mean_voltage_V: null, min_voltage_V: null, max_voltage_V: null, mean_charge_voltage_V: null,
 *   mean_discharge_voltage_V: null, mean_charge_current_A: 1, mean_discharge_current_A: -1,
 *   internal_resistance_ohm: null, complete: true,
 * }));
 * const analysis = analyzeTest({ cycles }); // a TestAnalysis
 * equal(analysis.toJSON().cycles.length, 20);
 * match(analysis.toString(), /retention/i);
 * ```
 */
export class TestAnalysis {
  /** Everything, as plain data (see {@link TestAnalysisData}). */
  readonly data: TestAnalysisData;
  /** The fade analysis object (for its plots), or `null`. */
  readonly fadeAnalysis: FadeAnalysis | null;

  /**
   * Wrap a computed analysis (made by {@link analyzeTest}).
   *
   * @param data The analysis.
   * @param fadeAnalysis Its fade analysis object, if any.
   */
  constructor(data: TestAnalysisData, fadeAnalysis: FadeAnalysis | null = null) {
    this.data = data;
    this.fadeAnalysis = fadeAnalysis;
  }

  /** {@link ANALYSIS_VERSION} that produced it. */
  get analysis_version(): number {
    return this.data.analysis_version;
  }
  /** Detected protocol. */
  get protocol(): Protocol {
    return this.data.protocol;
  }
  /** Every cycle with its role. */
  get cycles(): AnalyzedCycle[] {
    return this.data.cycles;
  }
  /** Reference cycle, or `null`. */
  get reference(): TestAnalysisData["reference"] {
    return this.data.reference;
  }
  /** Cycles left out, with the reason. */
  get excluded(): ExcludedCycle[] {
    return this.data.excluded;
  }
  /** Retention over counted cycles, or `null`. */
  get retention(): RetentionResult | null {
    return this.data.retention;
  }
  /** Efficiency statistics, or `null`. */
  get efficiency(): EfficiencyStats | null {
    return this.data.efficiency;
  }
  /** Fade analysis data, or `null`. */
  get fade(): FadeAnalysisData | null {
    return this.data.fade;
  }
  /** Why there is no fade analysis, or `null`. */
  get fade_note(): string | null {
    return this.data.fade_note;
  }
  /** End of life, or `null`. */
  get end_of_life(): EndOfLife | null {
    return this.data.end_of_life;
  }
  /** dQ/dV report, or `null`. */
  get dqdv(): DqdvReport | null {
    return this.data.dqdv;
  }
  /** Pulse resistances, or `null`. */
  get pulse(): PulseAnalysis | null {
    return this.data.pulse;
  }
  /** Data-quality flags. */
  get flags(): QualityFlag[] {
    return this.data.flags;
  }
  /** Headline numbers. */
  get summary(): TestSummary {
    return this.data.summary;
  }

  /** Plain JSON data (no typed arrays, no NaN or Infinity). */
  toJSON(): TestAnalysisData {
    return plain(this.data) as TestAnalysisData;
  }

  /** Headline rows (quantity / value) for tables. */
  summaryRows(): { quantity: string; value: string }[] {
    const s = this.data.summary, d = this.data;
    const eol = d.end_of_life;
    return [
      { quantity: "protocol", value: `${s.protocol}` },
      { quantity: "cycles (counted)", value: `${s.cycle_count} (${s.counted_cycle_count})` },
      {
        quantity: "reference cycle",
        value: d.reference ? `${d.reference.cycle} (${d.reference.reason})` : "—",
      },
      {
        quantity: "initial / final capacity",
        value: s.initial_capacity_Ah === null
          ? "—"
          : `${fmtAh(s.initial_capacity_Ah)} / ${fmtAh(s.final_capacity_Ah)}`,
      },
      { quantity: "retention", value: pct(s.capacity_retention) },
      {
        quantity: "fade per 100 cycles",
        value: s.fade_per_100_cycles === null ? "—" : pct(s.fade_per_100_cycles, 3),
      },
      { quantity: "mean CE", value: pct(s.mean_coulombic_efficiency) },
      {
        quantity: "mean EE",
        value: s.mean_energy_efficiency === null && d.efficiency_note
          ? `— (${d.efficiency_note})`
          : pct(s.mean_energy_efficiency),
      },
      {
        quantity: "best fade model",
        value: s.best_fade_model ??
          (d.fade?.models.best
            ? "— (the retention does not fall significantly: the models describe scatter)"
            : "—"),
      },
      {
        quantity: `end of life at ${eol ? +(eol.threshold * 100).toFixed(2) : 80} %`,
        value: eol === null ? "—" : eolText(eol),
      },
      { quantity: "knee", value: s.knee_cycle === null ? "—" : `cycle ${num(s.knee_cycle)}` },
      {
        quantity: "median internal resistance",
        value: s.median_internal_resistance_ohm === null
          ? "—"
          : `${+s.median_internal_resistance_ohm.toPrecision(4)} Ω`,
      },
    ];
  }

  /** Tables for a terminal. */
  toString(): string {
    const d = this.data;
    const out = [
      `== ${d.label ?? "test"}`,
      `protocol: ${d.protocol.kind} (${d.protocol.reason})`,
      `${d.cycles.length} cycles${d.cycle_method ? ` (method: ${d.cycle_method})` : ""}`,
      "",
      ...aligned(this.summaryRows()),
    ];
    if (d.excluded.length > 0) {
      out.push("", "Left out of retention, fade and end of life:");
      for (const group of groupExcluded(d.excluded)) out.push(`  ${group}`);
    }
    if (d.fade_note) out.push("", `No fade analysis: ${d.fade_note}`);
    if (this.fadeAnalysis) out.push("", "Capacity fade", this.fadeAnalysis.toString());
    if (d.pulse) {
      out.push(
        "",
        `Pulses: ${d.pulse.count} from rest; median resistance ${
          fmtOhm(d.pulse.median_resistance_first_sample_ohm)
        } at the first sample, ${fmtOhm(d.pulse.median_resistance_end_ohm)} at the pulse end ` +
          `(median pulse ${num(d.pulse.median_duration_s)} s)`,
      );
    }
    out.push("", d.dqdv ? dqdvText(d.dqdv) : `dQ/dV: — (${d.dqdv_note})`);
    out.push("", d.flags.length ? "Flags:" : "Flags: none");
    for (const f of d.flags) out.push(`  [${f.severity}] ${f.code}: ${f.message}`);
    return out.join("\n");
  }

  /** Jupyter MIME bundle: text, HTML tables and the retention plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    const d = this.data;
    const html = `<h4>${escapeHtml(d.label ?? "Test analysis")}</h4>` +
      `<p>${escapeHtml(`protocol: ${d.protocol.kind} (${d.protocol.reason})`)}</p>` +
      htmlTable(this.summaryRows(), [{ key: "quantity" }, { key: "value" }]) +
      (d.flags.length
        ? htmlTable(d.flags.map((f) => ({ ...f, cycles: f.cycles ? cycleList(f.cycles) : "" })), [
          { key: "severity" },
          { key: "code" },
          { key: "message" },
          { key: "cycles" },
        ])
        : "<p>No data-quality flags.</p>") +
      (d.fade_note ? `<p>${escapeHtml(`No fade analysis: ${d.fade_note}`)}</p>` : "");
    const bundle: MimeBundle = { "text/plain": this.toString(), "text/html": html };
    if (this.fadeAnalysis) {
      bundle["application/vnd.vegalite.v5+json"] = this.fadeAnalysis.plotSpec();
    }
    return bundle;
  }
}

/** "quantity  value" lines, quantities padded to one width. */
function aligned(rows: readonly { quantity: string; value: string }[]): string[] {
  const width = Math.max(...rows.map((r) => r.quantity.length));
  return rows.map((r) => `${r.quantity.padEnd(width)}  ${r.value}`);
}

const fmtAh = (x: number | null): string =>
  x === null
    ? "—"
    : Math.abs(x) >= 1
    ? `${+x.toPrecision(5)} Ah`
    : `${+(x * 1000).toPrecision(5)} mAh`;
const fmtOhm = (x: number | null): string => (x === null ? "—" : `${+x.toPrecision(4)} Ω`);

function eolText(eol: EndOfLife): string {
  const observed = eol.observed_cycle === null ? "not reached" : `cycle ${num(eol.observed_cycle)}`;
  let predicted: string;
  if (eol.predicted_cycle === null) predicted = `— (${eol.reason ?? "not determined"})`;
  else {
    predicted = `cycle ${num(eol.predicted_cycle)}`;
    if (eol.predicted_lower !== null && eol.predicted_upper !== null) {
      predicted += ` (${((eol.confidence ?? 0.95) * 100).toFixed(0)} % interval ${
        num(eol.predicted_lower)
      } – ${num(eol.predicted_upper)}${eol.interval_clipped ? ", clipped" : ""}, ${eol.model})`;
    } else predicted += ` (${eol.model})`;
  }
  return `observed ${observed}; predicted ${predicted}`;
}

function groupExcluded(excluded: readonly ExcludedCycle[]): string[] {
  const groups = new Map<string, number[]>();
  for (const e of excluded) {
    const key = `${e.role}: ${e.reason}`;
    const list = groups.get(key) ?? [];
    list.push(e.cycle);
    groups.set(key, list);
  }
  return [...groups].map(([key, cycles]) =>
    `cycle${cycles.length > 1 ? "s" : ""} ${cycleList(cycles)} — ${key}`
  );
}

function dqdvText(d: DqdvReport): string {
  const out = [`dQ/dV peaks of cycles ${d.cycles.join(", ")} (${d.chosen_by})`];
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
  for (const t of d.tracks.filter((t) => t.points.length > 1)) {
    const a = t.points[0], b = t.points[t.points.length - 1];
    out.push(
      `  ${t.direction} peak at ${a.position_V.toFixed(3)} V (cycle ${a.cycle}) → ` +
        `${b.position_V.toFixed(3)} V (cycle ${b.cycle}): shift ${
          (t.shift_V * 1000).toFixed(1)
        } mV, height ratio ${t.height_ratio === null ? "—" : t.height_ratio.toFixed(3)}`,
    );
  }
  for (const f of d.failures) out.push(`  cycle ${f.cycle} ${f.direction}: ${f.reason}`);
  return out.join("\n");
}

const METRICS: readonly AnalysisMetric[] = [
  "discharge_capacity_Ah",
  "charge_capacity_Ah",
  "discharge_energy_Wh",
];

/** Resolve and check the options (RangeError on bad values). */
function resolveOptions(options: AnalyzeTestOptions): ResolvedAnalyzeTestOptions {
  const threshold = options.threshold ?? 0.8;
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`analyzeTest: threshold must be between 0 and 1, got ${threshold}`);
  }
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`analyzeTest: confidence must be between 0 and 1, got ${confidence}`);
  }
  const metric = options.metric ?? "discharge_capacity_Ah";
  if (!METRICS.includes(metric)) {
    throw new RangeError(
      `analyzeTest: unknown metric "${metric}": expected one of ${METRICS.join(", ")}`,
    );
  }
  const formation = options.formationCycles ?? "auto";
  if (formation !== "auto" && !(Number.isInteger(formation) && formation >= 0)) {
    throw new RangeError(
      `analyzeTest: formationCycles must be "auto" or an integer >= 0, got ${formation}`,
    );
  }
  const method = options.cycleMethod ?? "auto";
  if (!CYCLE_METHODS.includes(method)) {
    throw new RangeError(`analyzeTest: unknown cycle method "${method}"`);
  }
  const from = options.cycles?.from ?? null, to = options.cycles?.to ?? null;
  for (const [name, v] of [["from", from], ["to", to]] as const) {
    if (v !== null && !Number.isInteger(v)) {
      throw new RangeError(`analyzeTest: cycles.${name} must be an integer, got ${v}`);
    }
  }
  if (from !== null && to !== null && from > to) {
    throw new RangeError(`analyzeTest: cycles.from (${from}) is after cycles.to (${to})`);
  }
  const ref = options.referenceCycle ?? null;
  if (ref !== null && !Number.isInteger(ref)) {
    throw new RangeError(`analyzeTest: referenceCycle must be an integer, got ${ref}`);
  }
  return {
    referenceCycle: ref,
    threshold,
    metric,
    cycles: { from, to },
    formationCycles: formation,
    cycleMethod: method,
    confidence,
    dqdvCycles: options.dqdvCycles ? [...options.dqdvCycles] : null,
    keepCutOff: options.keepCutOff ?? false,
  };
}

/** Capacity of the metric's half, Ah. */
function capacityOf(c: CycleSummary, metric: AnalysisMetric): number {
  return metric === "charge_capacity_Ah" ? c.charge_capacity_Ah : c.discharge_capacity_Ah;
}

function metricOf(c: CycleSummary, metric: AnalysisMetric): number | null {
  const v = c[metric];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * Cycles whose capacities are impossible: negative beyond rounding (`capacity_sign_change`), or
 * above any plausible value (`capacity_implausible`): over twice the nominal capacity when it is
 * known, over 10,000 Ah, or (with at least five cycles) over 100 × the 90th percentile of the
 * cycles (a test whose capacity fades a hundredfold keeps its first cycles plausible).
 */
function invalidCycles(
  cycles: readonly CycleSummary[],
  nominal: number | null,
): { sign: Map<number, string>; implausible: Map<number, string> } {
  const sign = new Map<number, string>(), implausible = new Map<number, string>();
  const sizes = cycles.map((c) =>
    Math.max(Math.abs(c.charge_capacity_Ah), Math.abs(c.discharge_capacity_Ah))
  )
    .filter((q) => Number.isFinite(q) && q > 0);
  const typical = sizes.length ? median(sizes) : 0;
  const p90 = sizes.length ? quantile(sizes, 0.9) : 0;
  const tol = 1e-9 * typical + 1e-15;
  for (const c of cycles) {
    const neg: string[] = [];
    if (c.charge_capacity_Ah < -tol) neg.push(`charge ${fmtAh(c.charge_capacity_Ah)}`);
    if (c.discharge_capacity_Ah < -tol) neg.push(`discharge ${fmtAh(c.discharge_capacity_Ah)}`);
    if (neg.length) {
      sign.set(c.cycle, `negative capacity (${neg.join(", ")})`);
      continue;
    }
    const q = Math.max(c.charge_capacity_Ah, c.discharge_capacity_Ah);
    if (nominal !== null && nominal > 0 && q > 2 * nominal) {
      implausible.set(
        c.cycle,
        `${fmtAh(q)} is over twice the nominal capacity (${fmtAh(nominal)})`,
      );
    } else if (q > 1e4) {
      implausible.set(c.cycle, `${fmtAh(q)} exceeds any single cell's capacity (10,000 Ah)`);
    } else if (sizes.length >= 5 && q > 100 * p90) {
      implausible.set(
        c.cycle,
        `${fmtAh(q)} is over 100 × the 90th percentile of the cycles (${
          fmtAh(p90)
        }): unit or counter-reset suspicion`,
      );
    }
  }
  return { sign, implausible };
}

/**
 * Whether a cycle's coulombic efficiency (discharge / charge, as every surface shows it) is
 * plausible. A cycle that opens with its discharge (a half cell lithiated first, a cell that
 * starts charged) can show more than 100 % while the charge that follows returned a plausible
 * share of it; such a value is still flagged, since it cannot be read as an efficiency, and the
 * message gives the efficiency in the cycle's own order.
 */
function ceInRange(c: CycleSummary): boolean {
  const ce = c.coulombic_efficiency;
  if (ce === null || !Number.isFinite(ce)) return true;
  return ce >= CE_RANGE[0] && ce <= CE_RANGE[1];
}

/** The coulombic efficiency of a cycle in its own order (second half over first half). */
function ceOwnOrder(c: CycleSummary): number | null {
  const ce = c.coulombic_efficiency;
  if (ce === null || !Number.isFinite(ce) || ce === 0) return null;
  return c.first_half === "charge" ? ce : 1 / ce;
}

/** Plausible coulombic efficiency (discharge / charge) of a cycling protocol. */
const CE_RANGE = [0.5, 1.1] as const;

/**
 * Protocols of full half cycles: the ones whose counters are compared with the current (pulse
 * tests sample too sparsely for the integral of short pulses).
 */
const CYCLING_PROTOCOLS = new Set<ProtocolKind>([
  "cc_cycling",
  "symmetric_plating",
  "rate_test",
  "unknown",
]);

/** Protocols whose capacity follows ageing (fade analysis means something). */
const FADE_PROTOCOLS = new Set<ProtocolKind>(["cc_cycling", "unknown"]);
/** Protocols with cycles whose retention is reported. */
const RETENTION_PROTOCOLS = new Set<ProtocolKind>([
  "cc_cycling",
  "symmetric_plating",
  "rate_test",
  "unknown",
]);
/** Fewest counted cycles for a fade analysis. */
const MIN_FADE_CYCLES = 3;
/**
 * Retention that stays within this of 1 on every counted cycle does not change: far below the
 * resolution of any cycler (about 1e-4 of full scale), so any "fade" fitted to it is rounding.
 */
const FLAT_RETENTION = 1e-6;
/** A prediction further than this many tested spans beyond the last cycle is not determined. */
const MAX_EXTRAPOLATION = 10;

function flatRetention(r: RetentionResult): boolean {
  return r.points.every((p) => Math.abs(p.retention - 1) <= FLAT_RETENTION);
}

/**
 * The full cycles among the counted ones: both halves present, each passing at least half the
 * median charge of that half over the counted cycles that have both.
 */
function fullCycles(cycles: readonly AnalyzedCycle[]): number[] {
  const both = cycles.filter((c) =>
    c.role === "counted" && c.charge_capacity_Ah > 0 && c.discharge_capacity_Ah > 0
  );
  if (both.length === 0) return [];
  const qc = median(both.map((c) => c.charge_capacity_Ah));
  const qd = median(both.map((c) => c.discharge_capacity_Ah));
  return both
    .filter((c) => c.charge_capacity_Ah >= 0.5 * qc && c.discharge_capacity_Ah >= 0.5 * qd)
    .map((c) => c.cycle);
}

/**
 * Analyse one test: classify every cycle (counted, cut off, partial first, formation, rest,
 * check-up, rate step, invalid, excluded by selection), detect the protocol (constant-current
 * cycling, symmetric plating/stripping, rate test, pulse, HPPC, GITT, open-circuit rest,
 * impedance), choose the reference cycle (default: the first counted cycle), and compute over
 * the counted cycles only: retention, coulombic and energy efficiency, fade models with the best
 * by AIC, knee, end of life observed and predicted (interval clipped to the physical range),
 * anomalies; dQ/dV peaks of the first and last full counted cycles; pulse resistances of pulse
 * tests; and data-quality flags with stable codes (see {@link FLAG_CODES}). Where a part does
 * not apply, it is `null` and a note says why (`fade_note`, `efficiency_note`, `dqdv_note`).
 *
 * This is the one definition of every per-test number: every surface (CLIs, store, dashboard,
 * CSV, notebook) shows `summary` and the rest of this result. The lower-level functions
 * (`analyzeFade`, `capacityRetention`, `testFeatures`, `compareTests`) leave out the cycles whose
 * `role` is not `"counted"` (or, without roles, the cycles marked `complete: false`), but they do
 * not classify cycles: give them `analysis.cycles` to get the same numbers.
 *
 * @param input Series and/or cycles, spectra, label, sample properties, parser warnings.
 * @param options Reference cycle, threshold, metric, cycle selection, formation, confidence,
 *   dQ/dV cycles.
 * @returns The analysis (`toJSON()` for plain data).
 * @throws {RangeError} When an option is out of range, the reference cycle does not exist or
 *   has no positive metric, or a dQ/dV cycle does not exist.
 *
 * @example Linear fade of 0.1 % per cycle after two formation cycles, last cycle cut off
 * ```ts
 * import { equal, deepEqual } from "node:assert/strict";
 * import { analyzeTest } from "./analyze_test.ts";
 * const cycle = (k: number, qc: number, qd: number) => ({
 *   cycle: k, instrument_cycle: k, first_half: "charge" as const,
 *   start_row: 0, end_row: 0, start_time_s: 0, end_time_s: 0, duration_s: 0,
 *   charge_capacity_Ah: qc, discharge_capacity_Ah: qd, coulombic_efficiency: qd / qc,
 *   charge_energy_Wh: null, discharge_energy_Wh: null, energy_efficiency: null,
 *   mean_voltage_V: null, min_voltage_V: null, max_voltage_V: null, mean_charge_voltage_V: 3.9,
 *   mean_discharge_voltage_V: 3.6, mean_charge_current_A: 1, mean_discharge_current_A: -1,
 *   internal_resistance_ohm: null, complete: true,
 * });
 * const cycles = Array.from({ length: 100 }, (_, k) => cycle(k + 1, 1, 1 - 0.001 * k));
 * cycles[99] = { ...cycles[99], discharge_capacity_Ah: 0.2, complete: false };
 * const analysis = analyzeTest({ cycles }, { formationCycles: 2 });
 * equal(analysis.reference!.cycle, 3); // first counted cycle
 * equal(analysis.cycles[99].role, "cut_off");
 * // Retention at cycle 99: 0.902 / 0.998 (exact data).
 * equal(analysis.summary.capacity_retention, 0.902 / 0.998);
 * deepEqual(analysis.summary.flag_codes, ["last_cycle_cut_off"]);
 * ```
 */
export function analyzeTest(
  input: TestAnalysisInput,
  options: AnalyzeTestOptions = {},
): TestAnalysis {
  if (input === null || typeof input !== "object") {
    throw new TypeError("analyzeTest: expected an input object { series?, cycles?, ... }");
  }
  const opts = resolveOptions(options);
  const series = input.series && input.series.length > 0 ? input.series : null;
  const flags: QualityFlag[] = [];
  for (const w of input.warnings ?? []) flags.push(warningFlag(w));

  // Cycles: given, or built from the series.
  let cycles: readonly CycleSummary[];
  let cycleMethod: string | null;
  let threshold: number | null;
  if (input.cycles) {
    cycles = input.cycles;
    cycleMethod = input.cycleMethod ?? null;
    threshold = input.currentThreshold_A ?? null;
  } else if (series) {
    const table = summarizeCycles(series, { method: opts.cycleMethod });
    cycles = table.cycles;
    cycleMethod = table.method;
    threshold = table.currentThreshold_A;
  } else {
    cycles = [];
    cycleMethod = null;
    threshold = null;
  }
  if (series) {
    if (threshold === null) threshold = defaultCurrentThreshold(series.current_A);
    const own = seriesFlags(series);
    // The parser reports test time going backwards too ("test time goes backwards at …"): one
    // flag says it.
    if (own.some((f) => f.code === "time_not_monotonic")) {
      const dup = flags.findIndex((f) =>
        f.code === "time_not_monotonic" && f.message.startsWith("test time goes backwards")
      );
      if (dup >= 0) flags.splice(dup, 1);
    }
    flags.push(...own);
  }

  // Impossible capacities first: they must not reach retention or the levels.
  const nominal = input.sample?.nominal_capacity_Ah ?? null;
  const invalid = invalidCycles(cycles, nominal);
  if (invalid.sign.size > 0) {
    flags.push(flag(
      "capacity_sign_change",
      [...invalid.sign].map(([c, m]) => `cycle ${c}: ${m}`).slice(0, 5).join("; ") +
        (invalid.sign.size > 5 ? `; … (${invalid.sign.size} cycles)` : ""),
      [...invalid.sign.keys()],
    ));
  }
  if (invalid.implausible.size > 0) {
    flags.push(flag(
      "capacity_implausible",
      [...invalid.implausible].map(([c, m]) => `cycle ${c}: ${m}`).slice(0, 5).join("; ") +
        (invalid.implausible.size > 5 ? `; … (${invalid.implausible.size} cycles)` : ""),
      [...invalid.implausible.keys()],
    ));
  }
  const invalidReason = new Map<number, string>([...invalid.sign, ...invalid.implausible]);

  // Protocol (levels over the valid cycles that carry charge), then roles.
  const valid = cycles.filter((c) => !invalidReason.has(c.cycle) && c.complete !== false);
  const protocol = detectProtocol({
    series,
    cycles: cycles.filter((c) => !invalidReason.has(c.cycle)),
    levels: currentLevels(valid),
    hasSpectra: (input.spectra?.length ?? 0) > 0,
    currentThreshold_A: threshold,
  });
  const roleResult = assignCycleRoles(cycles, {
    formationCycles: opts.formationCycles,
    selection: { from: opts.cycles.from ?? undefined, to: opts.cycles.to ?? undefined },
    keepCutOff: opts.keepCutOff,
    rateTest: protocol.kind === "rate_test",
    formationByEfficiency: protocol.kind === "cc_cycling",
    invalid: invalidReason,
    startsAtRest: series && threshold !== null
      ? !(Math.abs(series.current_A[0]) > threshold)
      : null,
    startCounters: series ? startCounters(series) : null,
  });
  const roles: RoleAssignment[] = roleResult.roles;
  if (series && threshold !== null && CYCLING_PROTOCOLS.has(protocol.kind) && cycles.length > 0) {
    counterFlag(chargeBalance(series, cycles, threshold), flags);
  }

  // Reference.
  const metric = opts.metric;
  const counted = cycles.filter((_, k) => roles[k].role === "counted");
  const withRetention = RETENTION_PROTOCOLS.has(protocol.kind);
  let reference: TestAnalysisData["reference"] = null;
  if (opts.referenceCycle !== null) {
    const k = cycles.findIndex((c) => c.cycle === opts.referenceCycle);
    if (k < 0) {
      throw new RangeError(
        `analyzeTest: reference cycle ${opts.referenceCycle} does not exist (cycles ${
          cycles[0]?.cycle ?? "—"
        }–${cycles[cycles.length - 1]?.cycle ?? "—"})`,
      );
    }
    const value = metricOf(cycles[k], metric);
    if (value === null || !(value > 0)) {
      throw new RangeError(
        `analyzeTest: reference cycle ${opts.referenceCycle} has no positive ${metric}`,
      );
    }
    reference = {
      cycle: cycles[k].cycle,
      value,
      metric,
      chosen_by: "option",
      reason: "set by the user",
    };
    if (roles[k].role !== "counted") {
      flags.push(flag(
        "reference_not_counted",
        `reference cycle ${cycles[k].cycle} is a ${roles[k].role} cycle (${roles[k].reason})`,
        [cycles[k].cycle],
      ));
    }
  } else if (withRetention) {
    const first = counted.find((c) => (metricOf(c, metric) ?? 0) > 0);
    if (first) {
      reference = {
        cycle: first.cycle,
        value: metricOf(first, metric)!,
        metric,
        chosen_by: "default",
        reason: "first complete cycle of the main protocol",
      };
    }
  }

  // The cycles that count (plus a user's reference cycle, which is 100 % by definition).
  const fadeInput = cycles
    .map((c, k) => ({ c, k }))
    .filter(({ c, k }) =>
      (roles[k].role === "counted" || c.cycle === reference?.cycle) &&
      (reference === null || c.cycle >= reference.cycle)
    )
    .map(({ c }) => ({ ...c, role: "counted" as const }));

  let retention: RetentionResult | null = null;
  let efficiency: EfficiencyStats | null = null;
  let efficiencyNote: string | null = null;
  let fade: FadeAnalysis | null = null;
  let fadeNote: string | null = null;
  let endOfLife: EndOfLife | null = null;
  const symmetric = protocol.kind === "symmetric_plating";

  if (!withRetention) {
    fadeNote = noFadeReason(protocol);
  } else if (reference === null) {
    fadeNote = cycles.length === 0
      ? "no cycles"
      : `no counted cycle with a positive ${metric} (every cycle is ${
        [...new Set(roles.map((r) => r.role))].join(" or ")
      })`;
    if (cycles.length > 0) {
      flags.push(flag(
        "no_counted_cycles",
        `none of the ${cycles.length} cycles counts for retention: ${fadeNote}`,
      ));
    }
  } else {
    retention = capacityRetention(fadeInput, { metric, referenceCycle: reference.cycle });
    efficiency = efficiencyStats(fadeInput);
    if (symmetric) {
      efficiency = { ...efficiency, n_ee: 0, ee_mean: null, ee_min: null, ee_max: null };
      efficiencyNote = "energy efficiency is not defined for a symmetric cell: the voltage " +
        "changes sign, so charge and discharge 'energies' are overpotential losses, not stored energy";
    }
    if (!FADE_PROTOCOLS.has(protocol.kind)) fadeNote = noFadeReason(protocol);
    else if (retention.points.length < MIN_FADE_CYCLES) {
      fadeNote = `only ${retention.points.length} counted cycle${
        retention.points.length === 1 ? "" : "s"
      } from the reference on: too few for fade models (at least ${MIN_FADE_CYCLES})`;
    } else if (flatRetention(retention)) {
      fadeNote =
        `retention stays within ${FLAT_RETENTION} of 1 over the ${retention.points.length} ` +
        "counted cycles: no fade to model";
      endOfLife = {
        threshold: opts.threshold,
        observed_cycle: null,
        predicted_cycle: null,
        predicted_lower: null,
        predicted_upper: null,
        confidence: null,
        model: null,
        reason: "not determined: the retention does not change",
        interval_clipped: false,
      };
    } else {
      fade = analyzeFade(fadeInput, {
        metric,
        referenceCycle: reference.cycle,
        threshold: opts.threshold,
        confidence: opts.confidence,
      });
      endOfLife = endOfLifeOf(fade, retention, opts, flags);
      fadeQualityFlags(fade, flags);
    }
  }

  // Per-cycle retention and flags.
  const analyzed: AnalyzedCycle[] = cycles.map((c, k) => {
    const role = roles[k];
    const v = metricOf(c, metric);
    const noRetention = role.role === "partial_first" || role.role === "cut_off" ||
      role.role === "rest" || role.role === "invalid";
    return {
      ...stripRole(c),
      role: role.role,
      role_reason: role.reason,
      retention: reference && v !== null && v > 0 && !noRetention ? v / reference.value : null,
      flags: [],
    };
  });
  cycleFlags(analyzed, protocol, flags, symmetric);

  const excluded: ExcludedCycle[] = analyzed
    .filter((c) => c.role !== "counted")
    .map((c) => ({ cycle: c.cycle, role: c.role, reason: c.role_reason ?? c.role }));

  // dQ/dV and pulses.
  const { dqdv, dqdvNote } = dqdvReport(series, analyzed, protocol, opts, cycleMethod, threshold);
  let pulse: PulseAnalysis | null = null;
  if (
    series && threshold !== null &&
    (protocol.kind === "pulse" || protocol.kind === "hppc" || protocol.kind === "gitt")
  ) pulse = pulseResistances(series, threshold);

  // Flags name their cycles.
  const byCycle = new Map(analyzed.map((c) => [c.cycle, c]));
  for (const f of flags) {
    for (const n of f.cycles ?? []) {
      const c = byCycle.get(n);
      if (c && !c.flags.includes(f.code)) c.flags.push(f.code);
    }
  }

  const data: TestAnalysisData = {
    analysis_version: ANALYSIS_VERSION,
    options: opts,
    label: input.label ?? null,
    protocol,
    cycle_method: cycleMethod,
    current_levels: roleResult.levels,
    cycles: analyzed,
    reference,
    excluded,
    retention,
    efficiency,
    efficiency_note: efficiencyNote,
    fade: fade ? fade.toJSON() : null,
    fade_note: fadeNote,
    end_of_life: endOfLife,
    dqdv,
    dqdv_note: dqdvNote,
    pulse,
    flags,
    summary: null as unknown as TestSummary,
  };
  data.summary = summarize(data, fadeInput);
  return new TestAnalysis(data, fade);
}

/** The charge and discharge counters at the first row where they are finite (magnitudes). */
function startCounters(series: CyclingSeries): { charge_Ah: number; discharge_Ah: number } {
  const first = (x: Float64Array | ArrayLike<number>): number => {
    for (let r = 0; r < series.length; r++) if (Number.isFinite(x[r])) return Math.abs(x[r]);
    return 0;
  };
  return {
    charge_Ah: first(series.charge_capacity_Ah),
    discharge_Ah: first(series.discharge_capacity_Ah),
  };
}

/** A cycle without the analysis fields it may carry from a stored analysis. */
function stripRole(c: CycleSummary): CycleSummary {
  const { role: _r, role_reason: _rr, retention: _re, flags: _f, ...rest } = c as
    & CycleSummary
    & Partial<Pick<AnalyzedCycle, "role" | "role_reason" | "retention" | "flags">>;
  return rest;
}

function noFadeReason(protocol: Protocol): string {
  switch (protocol.kind) {
    case "symmetric_plating":
      return "symmetric cell: the plating/stripping capacity is set by the protocol (current × " +
        "time), so it does not follow ageing; follow the overpotential instead";
    case "rate_test":
      return "rate test: capacity changes with the current, not with ageing";
    case "pulse":
    case "hppc":
    case "gitt":
      return `${protocol.kind} test: pulses, not full cycles (see the pulse resistances)`;
    case "ocv_rest":
      return "open-circuit (rest) recording: no current, no cycles";
    case "impedance":
      return "impedance measurement: no cycling";
    default:
      return `protocol ${protocol.kind}`;
  }
}

/**
 * End of life from the fade analysis, the predicted interval kept within the physical range:
 * when the observed retention has not crossed the threshold, the end of life lies after the
 * last counted cycle, so a lower bound below it is raised to it (and a predicted cycle before it
 * is not determined); a lower bound below the reference cycle is raised to it.
 */
function endOfLifeOf(
  fade: FadeAnalysis,
  retention: RetentionResult,
  opts: ResolvedAnalyzeTestOptions,
  flags: QualityFlag[],
): EndOfLife {
  const p = fade.prediction;
  const points = retention.points;
  const last = points[points.length - 1].cycle;
  const observed = fade.cycle_life;
  const eol: EndOfLife = {
    threshold: opts.threshold,
    observed_cycle: observed,
    predicted_cycle: p?.cycle ?? null,
    predicted_lower: p?.lower ?? null,
    predicted_upper: p?.upper ?? null,
    confidence: p?.confidence ?? null,
    model: p?.model ?? null,
    reason: p ? p.reason : fade.models.reason,
    interval_clipped: false,
  };
  if (eol.predicted_cycle === null) return eol;
  const notDetermined = (why: string, raise = true): EndOfLife => {
    if (raise) {
      flags.push(flag("eol_interval_clipped", `predicted end of life not determined: ${why}`));
    }
    return {
      ...eol,
      predicted_cycle: null,
      predicted_lower: null,
      predicted_upper: null,
      reason: `not determined: ${why}`,
      interval_clipped: true,
    };
  };
  const best = fade.models.best!;
  const trend = linearTrend(points);
  if (!fallsSignificantly(trend)) {
    return notDetermined(
      `the retention does not fall significantly (straight-line slope ${
        trend ? trend.slope.toPrecision(3) : "?"
      } ± ${trend ? trend.slope_se.toPrecision(2) : "?"} per cycle)`,
      false,
    );
  }
  const span = Math.max(1, last - retention.reference_cycle);
  if (observed === null && eol.predicted_cycle > last + MAX_EXTRAPOLATION * span) {
    return notDetermined(
      `the ${best.model} model reaches ${pct(opts.threshold, 0)} at cycle ${
        num(eol.predicted_cycle, 0)
      }, more than ${MAX_EXTRAPOLATION} × the tested span (${span} cycles) beyond the last counted cycle`,
    );
  }
  const floor = observed === null ? last : retention.reference_cycle;
  const what = observed === null
    ? `retention is still above ${pct(opts.threshold, 0)} at the last counted cycle ${last}`
    : `cycles before the reference cycle ${floor} are not part of the test`;
  if (observed === null && eol.predicted_cycle < last) {
    flags.push(flag(
      "eol_interval_clipped",
      `the ${eol.model} model crosses ${pct(opts.threshold, 0)} at cycle ${
        num(eol.predicted_cycle)
      }, but ${what}: predicted end of life not determined`,
    ));
    return {
      ...eol,
      predicted_cycle: null,
      predicted_lower: null,
      predicted_upper: null,
      reason: `not determined: the ${eol.model} model crosses the threshold at cycle ${
        num(eol.predicted_cycle)
      }, before the last counted cycle (${last}), where retention is still above it`,
      interval_clipped: true,
    };
  }
  if (eol.predicted_lower !== null && eol.predicted_lower < floor) {
    flags.push(flag(
      "eol_interval_clipped",
      `the ${
        ((eol.confidence ?? 0.95) * 100).toFixed(0)
      } % interval of the predicted end of life ` +
        `started at cycle ${num(eol.predicted_lower)}; ${what}, so it starts at ${floor}`,
    ));
    return {
      ...eol,
      predicted_lower: floor,
      reason: `interval clipped at cycle ${floor}: ${what}`,
      interval_clipped: true,
    };
  }
  return eol;
}

/**
 * `counter_current_mismatch` when the capacity counters disagree with the integral of the
 * current (see `counterMismatches`): the capacities (and so retention and efficiencies) come
 * from the counters, so the disagreement is said with both numbers.
 */
function counterFlag(balance: ChargeBalance, flags: QualityFlag[]): void {
  const bad = counterMismatches(balance);
  if (bad.length === 0) return;
  const parts = bad.map((m) => {
    const rel = (m.counted_Ah - m.integrated_Ah) / Math.max(m.counted_Ah, m.integrated_Ah);
    return `${m.direction} ${fmtAh(m.counted_Ah)} counted, ${fmtAh(m.integrated_Ah)} from the ` +
      `current (${rel > 0 ? "+" : "−"}${Math.abs(rel * 100).toFixed(1)} %)`;
  });
  flags.push(flag(
    "counter_current_mismatch",
    `the capacity counters disagree with the integral of the current over the recording: ${
      parts.join("; ")
    }. Capacities, retention and efficiencies use the counters; a current column rounded ` +
      "coarsely, a counter in other units, or a counter that grows while the current flows " +
      "the other way gives this",
  ));
}

/** `fit_poor` when fade models were fitted but none is trustworthy, or the best explains little. */
function fadeQualityFlags(fade: FadeAnalysis, flags: QualityFlag[]): void {
  const m = fade.models;
  if (m.fits.length === 0) return;
  if (!m.best) {
    flags.push(flag("fit_poor", `no fade model is trustworthy: ${m.reason}`));
    return;
  }
  // Only meaningful when the retention actually changes: R² of a flat, noisy curve is small by
  // nature (nothing to explain), and then there is no knee and no crossing either.
  const r2 = m.best.r_squared;
  const trend = linearTrend(fade.retention.points);
  const fades = fallsSignificantly(trend);
  if (!fades && trend && Number.isFinite(trend.slope_se)) {
    const per100 = (x: number) => `${(x * 100 * 100).toPrecision(2)} %`;
    const endpoint = fade.retention.fade_per_100_cycles;
    flags.push(flag(
      "fade_not_significant",
      `the retention does not fall significantly over ${fade.retention.points.length} counted ` +
        `cycles (straight-line fade ${per100(-trend.slope)} ± ${per100(trend.slope_se)} per 100 ` +
        `cycles)${
          endpoint === null
            ? ""
            : `; the ${pct(endpoint, 1)} per 100 cycles from the reference to the last cycle`
        } and the fitted fade models describe scatter, not ageing`,
    ));
  }
  if (fades && Number.isFinite(r2) && r2 < 0.8) {
    flags.push(flag(
      "fit_poor",
      `the best fade model (${m.best.model}) explains ${(r2 * 100).toFixed(1)} % of the ` +
        "retention's variance (R² < 0.8)",
    ));
  }
}

/** CE, EE, retention, cut-off, partial-first and invalid-cycle flags. */
function cycleFlags(
  cycles: readonly AnalyzedCycle[],
  protocol: Protocol,
  flags: QualityFlag[],
  symmetric: boolean,
): void {
  const of = (role: CycleRole) => cycles.filter((c) => c.role === role).map((c) => c.cycle);
  const cut = of("cut_off");
  if (cut.length) {
    flags.push(flag(
      "last_cycle_cut_off",
      `the recording ends during cycle ${cycleList(cut)}; it is left out`,
      cut,
    ));
  }
  const partial = cycles.filter((c) => c.role === "partial_first");
  if (partial.length) {
    flags.push(flag(
      "partial_first_cycle",
      `cycle ${partial[0].cycle} is left out: ${partial[0].role_reason}`,
      partial.map((c) => c.cycle),
    ));
  }
  const invalid = of("invalid");
  if (invalid.length) {
    flags.push(flag(
      "invalid_cycles",
      `cycle${invalid.length > 1 ? "s" : ""} ${
        cycleList(invalid)
      } left out of retention and fade: impossible capacities`,
      invalid,
    ));
  }
  const judged = cycles.filter((c) =>
    c.role === "counted" || c.role === "formation" || c.role === "checkup" ||
    c.role === "rate_step"
  );
  const cycling = protocol.kind === "cc_cycling" || protocol.kind === "symmetric_plating" ||
    protocol.kind === "rate_test" || protocol.kind === "unknown";
  if (cycling) {
    const bad = judged.filter((c) => !ceInRange(c));
    if (bad.length) {
      const shown = bad.slice(0, 5).map((c) => {
        const own = ceOwnOrder(c);
        return `${c.cycle}: ${pct(c.coulombic_efficiency, 1)}${
          c.first_half === "discharge" && own !== null
            ? ` (the cycle opens with its discharge; the charge that follows returned ${
              pct(own, 1)
            } of it)`
            : ""
        }`;
      });
      flags.push(flag(
        "ce_out_of_range",
        `coulombic efficiency outside ${Math.round(CE_RANGE[0] * 100)}–${
          Math.round(CE_RANGE[1] * 100)
        } % ` +
          `(discharge / charge) in ${bad.length} cycle(s): ${shown.join(", ")}${
            bad.length > 5 ? ", …" : ""
          }`,
        bad.map((c) => c.cycle),
      ));
    }
  }
  const high = cycles.filter((c) =>
    c.role === "counted" && c.retention !== null && c.retention > 1.05
  );
  if (high.length) {
    const top = high.reduce((a, b) => (b.retention! > a.retention! ? b : a));
    flags.push(flag(
      "retention_above_reference",
      `${high.length} counted cycle(s) hold more than 105 % of the reference; the most, cycle ${top.cycle}, ${
        pct(top.retention, 1)
      }`,
      high.map((c) => c.cycle),
    ));
  }
  if (cycling && !symmetric) {
    const ee = judged.filter((c) => c.energy_efficiency !== null && c.energy_efficiency > 1);
    if (ee.length) {
      const top = ee.reduce((a, b) => (b.energy_efficiency! > a.energy_efficiency! ? b : a));
      flags.push(flag(
        "energy_efficiency_above_100",
        `energy efficiency above 100 % in ${ee.length} cycle(s); the highest, cycle ${top.cycle}, ${
          pct(top.energy_efficiency, 1)
        }${swappedHalvesNote(judged)}`,
        ee.map((c) => c.cycle),
      ));
    }
  }
}

/**
 * Why energy efficiency exceeds 100 % when the halves look swapped: in a cycle whose charge
 * and discharge pass about the same charge (coulombic efficiency 90–110 %), the mean discharge
 * voltage lies below the mean charge voltage in every cell (overpotentials lower the one and
 * raise the other over the same states of charge). When it lies above in most such cycles (at
 * least 3, and at least 80 % of them), charge and discharge are swapped: the current's sign is
 * reversed (or the file's charge and discharge columns are). Empty when that is not so.
 */
function swappedHalvesNote(judged: readonly AnalyzedCycle[]): string {
  const balanced = judged.filter((c) =>
    c.coulombic_efficiency !== null && c.coulombic_efficiency >= 0.9 &&
    c.coulombic_efficiency <= 1.1 && c.mean_charge_voltage_V !== null &&
    c.mean_discharge_voltage_V !== null
  );
  const above = balanced.filter((c) => c.mean_discharge_voltage_V! > c.mean_charge_voltage_V!);
  if (above.length < 3 || above.length < 0.8 * balanced.length) return "";
  const dv = median(above.map((c) => c.mean_discharge_voltage_V! - c.mean_charge_voltage_V!));
  return `. In ${above.length} of ${balanced.length} cycles that pass about the same charge ` +
    `each way the mean discharge voltage is above the mean charge voltage (median by ${+(dv * 1000)
      .toPrecision(
        3,
      )} mV), which no cell does: charge and discharge look swapped (current sign reversed)`;
}

/** dQ/dV of the chosen cycles (cycling protocols with a series). */
function dqdvReport(
  series: CyclingSeries | null,
  cycles: readonly AnalyzedCycle[],
  protocol: Protocol,
  opts: ResolvedAnalyzeTestOptions,
  cycleMethod: string | null,
  threshold: number | null,
): { dqdv: DqdvReport | null; dqdvNote: string | null } {
  const asked = opts.dqdvCycles;
  if (!series) return { dqdv: null, dqdvNote: "no time series" };
  if (asked && asked.length === 0) return { dqdv: null, dqdvNote: "not asked for" };
  if (!asked && protocol.kind === "symmetric_plating") {
    return {
      dqdv: null,
      dqdvNote: "symmetric cell: the voltage is an overpotential, without the phase-transition " +
        "plateaus dQ/dV resolves",
    };
  }
  if (
    !asked && (protocol.kind !== "cc_cycling" && protocol.kind !== "rate_test" &&
      protocol.kind !== "unknown")
  ) {
    return { dqdv: null, dqdvNote: `${protocol.kind} test: no full cycles for dQ/dV` };
  }
  let chosen: number[];
  if (asked) {
    const known = new Set(cycles.map((c) => c.cycle));
    const missing = asked.filter((c) => !known.has(c));
    if (missing.length > 0) {
      throw new RangeError(
        `Cannot compute dQ/dV of cycle ${missing.join(", ")}: the test has cycles ${
          cycles[0]?.cycle ?? "—"
        }–${cycles[cycles.length - 1]?.cycle ?? "—"}`,
      );
    }
    chosen = asked;
  } else {
    const full = fullCycles(cycles);
    if (full.length === 0) {
      return { dqdv: null, dqdvNote: "no full counted cycle (both halves, full capacity)" };
    }
    chosen = full.length === 1 ? [full[0]] : [full[0], full[full.length - 1]];
  }
  // The stored method, when it is one summarizeCycles knows (else detect again).
  const method = CYCLE_METHODS.find((m) => m === cycleMethod) ?? "auto";
  const set = dqdvByCycle(series, {
    cycles: chosen,
    cycle_options: { method, ...(threshold !== null ? { currentThreshold_A: threshold } : {}) },
  });
  return {
    dqdv: {
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
    },
    dqdvNote: null,
  };
}

/** The headline numbers from the analysis. */
function summarize(
  d: TestAnalysisData,
  fadeInput: readonly CycleSummary[],
): TestSummary {
  const r = d.retention, ref = d.reference;
  const metric = d.options.metric;
  const byCycle = new Map(d.cycles.map((c) => [c.cycle, c]));
  const lastPoint = r ? r.points[r.points.length - 1] : null;
  const refCycle = ref ? byCycle.get(ref.cycle)! : null;
  const lastCycle = lastPoint ? byCycle.get(lastPoint.cycle)! : null;
  const fade = d.fade;
  let resistance: number | null = null;
  if (d.pulse) resistance = d.pulse.median_resistance_first_sample_ohm;
  else {
    const ir = fadeInput.map((c) => c.internal_resistance_ohm)
      .filter((x): x is number => x !== null && Number.isFinite(x) && x > 0);
    resistance = ir.length ? median(ir) : null;
  }
  const knee = fade?.knee && fade.knee.accelerating ? fade.knee.knee_cycle : null;
  return {
    analysis_version: d.analysis_version,
    protocol: d.protocol.kind,
    cycle_count: d.cycles.length,
    counted_cycle_count: d.cycles.filter((c) => c.role === "counted").length,
    reference_cycle: ref?.cycle ?? null,
    initial_capacity_Ah: r && refCycle ? capacityOf(refCycle, metric) : null,
    final_capacity_Ah: r && lastCycle ? capacityOf(lastCycle, metric) : null,
    capacity_retention: lastPoint ? lastPoint.retention : null,
    fade_per_100_cycles: r ? r.fade_per_100_cycles : null,
    mean_coulombic_efficiency: d.efficiency?.ce_mean ?? null,
    mean_energy_efficiency: d.efficiency?.ee_mean ?? null,
    eol_cycle_observed: d.end_of_life?.observed_cycle ?? null,
    eol_cycle_predicted: d.end_of_life?.predicted_cycle ?? null,
    best_fade_model: fade?.models.best && fallsSignificantly(linearTrend(fade.retention.points))
      ? fade.models.best.model
      : null,
    knee_cycle: knee,
    median_internal_resistance_ohm: resistance,
    flag_codes: [...new Set(d.flags.map((f) => f.code))].sort(),
  };
}
