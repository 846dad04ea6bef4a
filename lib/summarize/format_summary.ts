// Copyright 2026 the battery-analysis authors. MIT license.

import { CycleTable } from "../../analysis/cycle_table.ts";
import { textTable } from "../../analysis/display.ts";
import type { FileSummary } from "./summarize_file.ts";

const pct = (x: number | null, digits = 2): string =>
  x === null ? "—" : `${(x * 100).toFixed(digits)} %`;

/** The headline numbers of the file's analysis, the cycles left out and the flags. */
function analysisLines(f: FileSummary): string[] {
  const s = f.summary;
  const mAh = (x: number | null) => (x === null ? "—" : `${+(x * 1000).toPrecision(5)} mAh`);
  const out = [
    `analysis    protocol ${s.protocol}; ${s.counted_cycle_count} of ${s.cycle_count} cycles ` +
    `counted; reference cycle ${s.reference_cycle ?? "—"}`,
    `            capacity ${mAh(s.initial_capacity_Ah)} → ${mAh(s.final_capacity_Ah)}; ` +
    `retention ${pct(s.capacity_retention)}; fade ${pct(s.fade_per_100_cycles, 3)} per 100 ` +
    `cycles; mean CE ${pct(s.mean_coulombic_efficiency)}; mean EE ${pct(s.mean_energy_efficiency)}`,
  ];
  for (const e of f.excluded) out.push(`  cycle ${e.cycle} left out (${e.role}): ${e.reason}`);
  out.push(f.flags.length ? "flags" : "flags       none");
  for (const flag of f.flags) out.push(`  [${flag.severity}] ${flag.code}: ${flag.message}`);
  return out;
}

/** Options of {@link formatSummary}. */
export interface FormatSummaryOptions {
  /** Include the format-detection lines (when the summary has them). @default {true} */
  explain?: boolean;
}

/**
 * A file summary as text for a terminal: a block of labelled metadata, then the per-cycle table
 * (capacities in mAh, CE and EE in %, from `CycleTable`) and/or the spectra.
 *
 * @param summary The summary from `summarizeFile`.
 * @param options What to include.
 * @returns Lines joined with `\n` (no trailing newline).
 *
 * @example Usage
 * ```ts
 * import { match } from "node:assert/strict";
 * import { formatSummary } from "./format_summary.ts";
 * const text = formatSummary({
 *   file: "a.mpt", format: "biologic_mpt", format_name: "BioLogic EC-Lab text export",
 *   format_version: null, instrument: "BioLogic", sample: "a", cell_code: null, channel: 1,
 *   start_time: null, techniques: ["PEIS"], rows: 3, cycle_method: null,
 *   current_threshold_A: null, cycles: [], warnings: [], excluded: [], flags: [],
 *   summary: {
 *     analysis_version: 1, protocol: "impedance", cycle_count: 0, counted_cycle_count: 0,
 *     reference_cycle: null, initial_capacity_Ah: null, final_capacity_Ah: null,
 *     capacity_retention: null, fade_per_100_cycles: null, mean_coulombic_efficiency: null,
 *     mean_energy_efficiency: null, eol_cycle_observed: null, eol_cycle_predicted: null,
 *     best_fade_model: null, knee_cycle: null, median_internal_resistance_ohm: null,
 *     flag_codes: [],
 *   },
 *   spectra: [{ sequence: 0, cycle: null, points: 3, frequency_Hz: [0.1, 1e5] }],
 * });
 * match(text, /spectra\s+1/);
 * match(text, /100000/);
 * ```
 */
export function formatSummary(summary: FileSummary, options: FormatSummaryOptions = {}): string {
  const out: string[] = [`== ${summary.file}`];
  if (summary.detection && (options.explain ?? true)) out.push(...summary.detection.lines, "");
  const field = (label: string, value: unknown): void => {
    out.push(`${label.padEnd(12)}${value === null || value === "" ? "—" : String(value)}`);
  };
  field(
    "format",
    `${summary.format} (${summary.format_name}${
      summary.format_version ? `, ${summary.format_version}` : ""
    })`,
  );
  field("instrument", summary.instrument);
  field("sample", summary.sample);
  field("cell code", summary.cell_code);
  field("channel", summary.channel);
  field("start time", summary.start_time);
  field("techniques", summary.techniques.join(", "));
  field("rows", summary.rows);
  if (summary.warnings.length === 0) field("warnings", "none");
  else {
    field("warnings", summary.warnings.length);
    for (const w of summary.warnings) out.push(`  - ${w}`);
  }
  if (summary.cycle_method !== null) {
    const table = new CycleTable(summary.cycles, {
      method: summary.cycle_method,
      currentThreshold_A: summary.current_threshold_A ?? 0,
    });
    out.push("", table.toString());
  }
  out.push("", ...analysisLines(summary));
  if (summary.spectra) {
    field("spectra", summary.spectra.length);
    out.push(textTable(
      summary.spectra.map((s) => ({
        sequence: s.sequence,
        cycle: s.cycle,
        points: s.points,
        f_min: s.frequency_Hz?.[0] ?? null,
        f_max: s.frequency_Hz?.[1] ?? null,
      })),
      [
        { key: "sequence", label: "#" },
        { key: "cycle" },
        { key: "points" },
        { key: "f_min", label: "f min (Hz)" },
        { key: "f_max", label: "f max (Hz)" },
      ],
    ));
  }
  return out.join("\n");
}
