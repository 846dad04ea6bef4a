// Copyright 2026 the battery-analysis authors. MIT license.

import { CycleTable } from "../../analysis/cycle_table.ts";
import { textTable } from "../../analysis/display.ts";
import type { FileSummary } from "./summarize_file.ts";

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
 *   current_threshold_A: null, cycles: [], warnings: [],
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
