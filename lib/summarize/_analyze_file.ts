// Copyright 2026 the battery-analysis authors. MIT license.

/** Read, summarize and analyse one file (private): what `summarizeFile` and `exportFile` share. */

import type { CycleSummary } from "../model/cycle_summary.ts";
import type { Recording } from "../model/file_meta.ts";
import type { SampleInfo } from "../model/sample_info.ts";
import type { Spectrum } from "../model/spectrum.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import {
  analyzeTest,
  type TestAnalysis,
  type TestSampleInfo,
} from "../../analysis/analyze_test.ts";
import { matchSampleSheet } from "../samples/match_sample_sheet.ts";
import { samplePropertiesOf } from "../samples/sample_properties_of.ts";
import { FileReadError, readRecording } from "./read_recording.ts";
import type { FileSummary, SpectrumOverview, SummarizeFileOptions } from "./summarize_file.ts";

function overview(spectrum: Spectrum): SpectrumOverview {
  let lo = Infinity, hi = -Infinity;
  for (const f of spectrum.frequency_Hz) {
    if (Number.isFinite(f)) {
      if (f < lo) lo = f;
      if (f > hi) hi = f;
    }
  }
  return {
    sequence: spectrum.sequence,
    cycle: spectrum.cycle ?? null,
    points: spectrum.length,
    frequency_Hz: lo <= hi ? [lo, hi] : null,
  };
}

/** The sample properties the sheet and the flags give a file, or `null` when none are given. */
function sampleProperties(
  path: string,
  sampleName: string,
  options: SummarizeFileOptions,
): TestSampleInfo | null {
  if (!options.sheet && !options.sampleInfo) return null;
  const sheet = options.sheet
    ? matchSampleSheet(options.sheet, { path, sample: sampleName })
    : null;
  const info: SampleInfo = { ...(sheet?.info ?? {}), ...(options.sampleInfo ?? {}) };
  return samplePropertiesOf({
    area_cm2: info.area_cm2 ?? null,
    thickness_cm: info.thickness_cm ?? null,
    mass_g: info.mass_g ?? null,
    active_mass_g: info.active_mass_g ?? null,
    nominal_capacity_Ah: info.nominal_capacity_Ah ?? null,
    chemistry: info.chemistry ?? null,
    form_factor: info.form_factor ?? null,
  });
}

/** A file's summary, with the recording and the analysis it was made from. */
export async function analyzeFile(
  path: string,
  options: SummarizeFileOptions,
): Promise<{ summary: FileSummary; analysis: TestAnalysis; recording: Recording }> {
  const { recording, parser, warnings, detection } = await readRecording(path, options);
  const meta = recording.meta;
  const series = recording.series;
  let cycles: CycleSummary[] = [];
  let cycleMethod: FileSummary["cycle_method"] = null;
  let threshold: number | null = null;
  if (series && series.length > 0) {
    try {
      const table = summarizeCycles(series, { method: options.method });
      cycles = [...table.cycles];
      cycleMethod = table.method;
      threshold = table.currentThreshold_A;
    } catch (error) {
      throw new FileReadError(
        path,
        `Cannot build the cycles of "${path}": ${
          error instanceof Error ? error.message : String(error)
        }`,
        { detection, cause: error },
      );
    }
  }
  const sample = sampleProperties(path, meta.sample, options);
  // The one analysis (dQ/dV left out: summarize does not show it, and it is the slow part).
  const analysis = analyzeTest({
    series: series && series.length > 0 ? series : null,
    ...(series && series.length > 0 ? { cycles, currentThreshold_A: threshold } : {}),
    cycleMethod,
    spectra: recording.spectra ?? [],
    label: path,
    warnings: meta.warnings,
    ...(sample ? { sample } : {}),
  }, { dqdvCycles: [], ...(options.method ? { cycleMethod: options.method } : {}) });
  const spectra = recording.spectra?.map(overview);
  const summary: FileSummary = {
    file: path,
    format: meta.format,
    format_name: parser.name,
    format_version: meta.format_version,
    instrument: meta.instrument,
    sample: meta.sample,
    cell_code: meta.cell_code,
    channel: meta.channel,
    start_time: meta.start_time ?? series?.start_time ?? null,
    techniques: meta.techniques,
    rows: series ? series.length : (spectra ?? []).reduce((n, s) => n + s.points, 0),
    cycle_method: cycleMethod,
    current_threshold_A: threshold,
    cycles: analysis.cycles,
    summary: analysis.summary,
    excluded: analysis.excluded,
    flags: analysis.flags,
    warnings: [...meta.warnings, ...warnings],
  };
  if (spectra && spectra.length > 0) summary.spectra = spectra;
  if (detection) summary.detection = detection;
  if (sample) summary.sample_properties = sample;
  return { summary, analysis, recording };
}
