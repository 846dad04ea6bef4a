// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Summarize instrument files without a store: format, instrument, sample, cell code, channel,
 * start time, rows, per-cycle table, impedance spectra.
 *
 * ```sh
 * deno run --allow-read cli/summarize.ts FILE... [--json] [--explain]
 *   [--method auto|cycle_index|step|current_sign] [--format ID] [--mapping FILE]
 * deno run --allow-read --allow-write cli/summarize.ts FILE... --csv|--xlsx|--parquet|--arrow
 *   [--out DIR] [--tables LIST] [--units LIST] [--active-mass Q] [--area Q] [--force]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { basename } from "node:path";
import { FORMATS } from "../parsers/mod.ts";
import { parseSampleProperty } from "../parsers/sample_property.ts";
import type { SampleInfo } from "../lib/model/sample_info.ts";
import {
  EXPORT_FORMATS,
  EXPORT_TABLES,
  type ExportFormat,
  type ExportTableName,
  type ExportUnits,
  parseExportUnits,
} from "../analysis/export/mod.ts";
import { exportFile } from "../lib/summarize/export_file.ts";
import { writeExportFiles, type WrittenExportFile } from "../lib/summarize/write_export_files.ts";
import { readSampleSheet } from "../lib/samples/read_sample_sheet.ts";
import type { SampleSheet } from "../parsers/sample_sheet.ts";
import { cycleMethodFlag, reportUsageError } from "../lib/cli/usage_error.ts";
import { FileReadError } from "../lib/summarize/read_recording.ts";
import { summarizeFile } from "../lib/summarize/summarize_file.ts";
import { formatSummary } from "../lib/summarize/format_summary.ts";
import { loadColumnMapping } from "../lib/summarize/load_column_mapping.ts";

const HELP = `Summarize battery test files (reads the files only; no store needed).

Usage:
  summarize FILE... [options]

For each file: detected format, instrument, sample, cell code, channel, start time, row
count and the per-cycle table (capacities in mAh, CE and EE in %), or for impedance files
the spectra (points, frequency range). A file that cannot be read is reported (naming the
file) and the next one is summarized; the exit code is 1 when any file failed, 2 on usage
errors.

Options:
  --json            one JSON object per file (JSON lines); capacities in Ah, energies in
                    Wh, efficiencies as fractions; a failed file gives {"file", "error"}
  --explain         show how the format was detected (every candidate parser, its
                    confidence and reason, the winner)
  --method M        how cycles are delimited: auto (default) | cycle_index | step |
                    current_sign
  --mapping FILE    read the files with this column mapping (TOML or JSON: column titles,
                    units, current sign, time format; see docs/formats.md)
  --format ID       use this parser instead of detection; ids:
${wrapIds(FORMATS.map((f) => f.id), 20, 88)}
  -h, --help        show this help

Export (needs --allow-write; see docs/export.md):
  --csv, --xlsx, --parquet, --arrow
                    write each file's tables in these formats: FILE's name without its
                    extension, then .cycles.csv, .flags.csv, .series.csv, .spectra.csv
                    (one file per table; .parquet and .arrow the same), or .xlsx (one
                    workbook, a sheet per table and an "about" sheet). The cycle table is
                    the analysed one: role, why, retention and flags of every cycle.
  --out DIR         folder to write into (default: the current folder; it must exist)
  --tables LIST     cycles,flags,series,spectra (default: every table the file has)
  --units LIST      A or mA, Ah or mAh, Wh or mWh, mAh/g (specific capacities, needs
                    --active-mass), mAh/cm2 (areal capacities and ohm*cm2 impedance, needs
                    --area); default A,Ah,Wh
  --force           replace existing files (default: an existing file is an error and
                    nothing of that FILE is written)

Sample properties (for the analysis and the exports; flags win over the sheet):
  --active-mass Q   mass of active material, with its unit (12mg)
  --area Q          electrode area, with its unit (1.13cm2)
  --nominal-capacity Q
                    rated capacity, with its unit (1.5mAh): capacities far above it are
                    flagged
  --sample-sheet FILE
                    CSV, XLSX or TOML sheet giving sample properties by file name pattern
                    or sample name (see docs/cli.md)`;

function wrapIds(ids: string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const id of ids) {
    const next = line ? `${line}, ${id}` : id;
    if (indent + next.length > width && line) {
      lines.push(line + ",");
      line = id;
    } else line = next;
  }
  lines.push(line);
  return lines.map((l) => " ".repeat(indent) + l).join("\n");
}

const fail = (error: unknown): number => reportUsageError("summarize", error);

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        explain: { type: "boolean", default: false },
        method: { type: "string", default: "auto" },
        format: { type: "string" },
        mapping: { type: "string" },
        csv: { type: "boolean", default: false },
        xlsx: { type: "boolean", default: false },
        parquet: { type: "boolean", default: false },
        arrow: { type: "boolean", default: false },
        out: { type: "string" },
        tables: { type: "string" },
        units: { type: "string" },
        force: { type: "boolean", default: false },
        "active-mass": { type: "string" },
        area: { type: "string" },
        "nominal-capacity": { type: "string" },
        "sample-sheet": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return fail(error);
  }
  const { values: v, positionals: files } = parsed;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  let method;
  try {
    method = cycleMethodFlag(v.method);
  } catch (error) {
    return fail(error);
  }
  if (v.format !== undefined && !FORMATS.some((f) => f.id === v.format)) {
    return fail(
      new RangeError(
        `--format "${v.format}" is not a known format id; known ids: ${
          FORMATS.map((f) => f.id).join(", ")
        }`,
      ),
    );
  }
  if (files.length === 0) return fail(new TypeError("give at least one file (see --help)"));
  let mapping;
  if (v.mapping !== undefined) {
    try {
      mapping = await loadColumnMapping(v.mapping);
    } catch (error) {
      return fail(error);
    }
  }

  let exports: ExportSettings | null;
  let sampleInfo: SampleInfo | undefined;
  let sheet: SampleSheet | undefined;
  try {
    exports = exportSettings(v);
    if (exports) await checkFolder(exports.out);
    sampleInfo = sampleFlags(v);
    if (v["sample-sheet"] !== undefined) sheet = await readSampleSheet(v["sample-sheet"]);
  } catch (error) {
    return fail(error);
  }

  let failed = 0;
  let first = true;
  const taken = new Set<string>();
  for (const file of files) {
    try {
      const options = { method, format: v.format, explain: v.explain, mapping, sampleInfo, sheet };
      let summary;
      let written: WrittenExportFile[] = [];
      let exportError: string | null = null;
      if (exports) {
        const result = await exportFile(file, { ...options, ...exports.options });
        summary = result.summary;
        try {
          written = await writeExportFiles(result.files, {
            dir: exports.out,
            stem: stemOf(file),
            force: exports.force,
            taken,
          });
        } catch (error) {
          exportError = error instanceof Error ? error.message : String(error);
        }
      } else summary = await summarizeFile(file, options);
      if (v.json) {
        console.log(JSON.stringify(
          exports
            ? {
              ...summary,
              exports: written,
              ...(exportError !== null ? { export_error: exportError } : {}),
            }
            : summary,
        ));
      } else {
        if (!first) console.log("");
        console.log(formatSummary(summary));
        for (const w of written) {
          console.log(
            `Exported ${w.path} (${w.tables.map((t) => `${t.name}: ${t.rows} rows`).join(", ")})`,
          );
        }
      }
      if (exportError !== null) {
        failed++;
        console.error(`summarize: ${exportError}`);
      }
    } catch (error) {
      failed++;
      const message = error instanceof Error ? error.message : String(error);
      const detection = error instanceof FileReadError ? error.detection : undefined;
      if (v.json) console.log(JSON.stringify({ file, error: message, detection }));
      else if (detection) {
        if (!first) console.log("");
        console.log(`== ${file}\n${detection.lines.join("\n")}`);
      }
      console.error(`summarize: ${message}`);
    }
    first = false;
  }
  return failed > 0 ? 1 : 0;
}

/** What the export flags ask for, or `null` without an export format. */
interface ExportSettings {
  options: { to: ExportFormat[]; tables?: ExportTableName[]; units?: ExportUnits };
  out: string;
  force: boolean;
}

function exportSettings(v: Record<string, unknown>): ExportSettings | null {
  const to = EXPORT_FORMATS.filter((f) => v[f] === true);
  if (to.length === 0) {
    for (const flag of ["out", "tables", "units"]) {
      if (v[flag] !== undefined) {
        throw new TypeError(`--${flag} goes with --csv, --xlsx, --parquet or --arrow`);
      }
    }
    if (v.force) throw new TypeError("--force goes with --csv, --xlsx, --parquet or --arrow");
    return null;
  }
  let tables: ExportTableName[] | undefined;
  if (typeof v.tables === "string") {
    tables = v.tables.split(",").map((t) => t.trim()).filter((t) => t !== "") as ExportTableName[];
    const unknown = tables.filter((t) => !EXPORT_TABLES.includes(t));
    if (unknown.length || tables.length === 0) {
      throw new RangeError(
        `--tables takes ${EXPORT_TABLES.join(", ")}; got "${v.tables}"`,
      );
    }
  }
  const units = typeof v.units === "string" ? parseExportUnits(v.units) : undefined;
  if (typeof v.out === "string" && v.out === "") throw new TypeError("--out needs a folder");
  return {
    options: { to, ...(tables ? { tables } : {}), ...(units ? { units } : {}) },
    out: typeof v.out === "string" ? v.out : ".",
    force: v.force === true,
  };
}

/** The export folder exists and is a folder (a mistyped --out is an error, never created). */
async function checkFolder(out: string): Promise<void> {
  let info;
  try {
    info = await Deno.stat(out);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`--out "${out}": no such folder (create it first)`);
    }
    throw error;
  }
  if (!info.isDirectory) throw new TypeError(`--out "${out}" is not a folder`);
}

/** The sample property flags, in the stored units. */
function sampleFlags(v: Record<string, unknown>): SampleInfo | undefined {
  const info: Record<string, unknown> = {};
  for (
    const [flag, property] of [
      ["active-mass", "active_mass"],
      ["area", "area"],
      ["nominal-capacity", "nominal_capacity"],
    ]
  ) {
    const text = v[flag];
    if (typeof text !== "string") continue;
    try {
      const p = parseSampleProperty(property, text);
      if (typeof p.value !== "number" || !(p.value > 0)) {
        throw new RangeError(`must be a positive quantity, got "${text}"`);
      }
      info[p.field] = p.value;
    } catch (error) {
      throw new RangeError(`--${flag}: ${(error as Error).message}`);
    }
  }
  return Object.keys(info).length ? info as SampleInfo : undefined;
}

/** The name exports of FILE start with: its base name without the last extension. */
function stemOf(file: string): string {
  const base = basename(file);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
