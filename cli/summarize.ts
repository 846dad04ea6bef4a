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

import { basename } from "node:path";
import { CYCLE_METHODS } from "../analysis/cycle_methods.ts";
import { FORMAT_IDS } from "../parsers/format_ids.ts";
import type { CliSpec, FlagValues } from "../lib/cli/cli_spec.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { SAMPLE_OPTIONS, sampleInfoFromFlags } from "../lib/cli/sample_options.ts";
import type { SampleInfo } from "../lib/model/sample_info.ts";
import type { SampleSheet } from "../parsers/sample_sheet.ts";
import type { ExportFormat, ExportTableName, ExportUnits } from "../analysis/export/mod.ts";
import type { WrittenExportFile } from "../lib/summarize/write_export_files.ts";

/** The export formats, each a flag (as `EXPORT_FORMATS` of `analysis/export`, without loading it). */
const EXPORT_FLAGS = ["csv", "xlsx", "parquet", "arrow"] as const satisfies readonly ExportFormat[];
/** The export tables (as `EXPORT_TABLES` of `analysis/export`, without loading it). */
const TABLES = [
  "cycles",
  "flags",
  "series",
  "spectra",
] as const satisfies readonly ExportTableName[];

const SPEC = {
  name: "summarize",
  summary: [
    "Summarize battery test files (reads the files only; no store needed).",
    "",
    "For each file: detected format, instrument, sample, cell code, channel, start time, row",
    "count and the per-cycle table (capacities in mAh, CE and EE in %), or for impedance files",
    "the spectra (points, frequency range). A file that cannot be read is reported (naming the",
    "file) and the next one is summarized; the exit code is 1 when any file failed, 2 on usage",
    "errors.",
    "",
    "Export (needs --allow-write; see docs/export.md): --csv, --xlsx, --parquet and --arrow write",
    "each file's tables: FILE's name without its extension, then .cycles.csv, .flags.csv,",
    ".series.csv, .spectra.csv (one file per table; .parquet and .arrow the same), or .xlsx (one",
    'workbook, a sheet per table and an "about" sheet). The cycle table is the analysed one: role,',
    "why, retention and flags of every cycle. Sample properties (--active-mass, --area,",
    "--nominal-capacity, --sample-sheet) feed the analysis and the exports; flags win over the",
    "sheet.",
  ].join("\n"),
  usage: "FILE... [options]",
  configFile: false,
  options: {
    json: {
      type: "boolean",
      description: "one JSON object per file (JSON lines); capacities in Ah, energies in Wh, " +
        'efficiencies as fractions; a failed file gives {"file", "error"}',
    },
    explain: {
      type: "boolean",
      description: "show how the format was detected (every candidate parser, its confidence " +
        "and reason, the winner)",
    },
    method: {
      type: "string",
      value: "M",
      default: "auto",
      choices: CYCLE_METHODS,
      description: `how cycles are delimited: ${CYCLE_METHODS.join(" | ")}`,
    },
    mapping: {
      type: "string",
      value: "FILE",
      description: "read the files with this column mapping (TOML or JSON: column titles, " +
        "units, current sign, time format; see docs/formats.md)",
    },
    format: {
      type: "string",
      value: "ID",
      description: `use this parser instead of detection; ids: ${FORMAT_IDS.join(", ")}`,
    },
    csv: { type: "boolean", description: "export each file's tables as CSV (one file a table)" },
    xlsx: { type: "boolean", description: "export each file's tables as one XLSX workbook" },
    parquet: { type: "boolean", description: "export each file's tables as Parquet" },
    arrow: { type: "boolean", description: "export each file's tables as Arrow IPC" },
    out: {
      type: "string",
      value: "DIR",
      description: "folder to export into (default: the current folder; it must exist)",
    },
    tables: {
      type: "string",
      value: "LIST",
      description: `tables to export: ${TABLES.join(",")} (default: every table the file has)`,
    },
    units: {
      type: "string",
      value: "LIST",
      description: "export units: A or mA, Ah or mAh, Wh or mWh, mAh/g (specific capacities, " +
        "needs --active-mass), mAh/cm2 (areal capacities and ohm*cm2 impedance, needs --area); " +
        "default A,Ah,Wh",
    },
    force: {
      type: "boolean",
      description: "replace existing export files (default: an existing file is an error and " +
        "nothing of that FILE is written)",
    },
    "active-mass": {
      ...SAMPLE_OPTIONS["active-mass"],
      description: "mass of active material, with its unit (12mg)",
    },
    area: { ...SAMPLE_OPTIONS.area, description: "electrode area, with its unit (1.13cm2)" },
    "nominal-capacity": {
      ...SAMPLE_OPTIONS["nominal-capacity"],
      description: "rated capacity, with its unit (1.5mAh): capacities far above it are flagged",
    },
    "sample-sheet": {
      type: "string",
      value: "FILE",
      description: "CSV, XLSX or TOML sheet giving sample properties by file name pattern or " +
        "sample name (see docs/cli.md)",
    },
  },
  examples: [
    "summarize data/*.csv",
    "summarize cell.mpr --json",
    "summarize export.csv --mapping my_columns.toml --method step",
    "summarize cell.mpr --xlsx --out exports --units mA,mAh,mAh/g --active-mass 12mg",
  ],
} as const satisfies CliSpec;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    const files = cli.positionals;
    if (v.format !== undefined && !FORMAT_IDS.includes(v.format)) {
      throw new UsageError(
        `--format "${v.format}" is not a known format id; known ids: ${FORMAT_IDS.join(", ")}`,
      );
    }
    if (files.length === 0) throw new UsageError("give at least one file (see --help)");
    const [{ FileReadError }, { summarizeFile }, { formatSummary }, { loadColumnMapping }] =
      await Promise.all([
        import("../lib/summarize/read_recording.ts"),
        import("../lib/summarize/summarize_file.ts"),
        import("../lib/summarize/format_summary.ts"),
        import("../lib/summarize/load_column_mapping.ts"),
      ]);
    let mapping;
    let exports: ExportSettings | null;
    let sampleInfo: SampleInfo | undefined;
    let sheet: SampleSheet | undefined;
    try {
      if (v.mapping !== undefined) mapping = await loadColumnMapping(v.mapping);
      exports = await exportSettings(v);
      if (exports) await checkFolder(exports.out);
      sampleInfo = sampleFlags(v);
      if (v["sample-sheet"] !== undefined) {
        const { readSampleSheet } = await import("../lib/samples/read_sample_sheet.ts");
        sheet = await readSampleSheet(v["sample-sheet"]);
      }
    } catch (error) {
      throw error instanceof UsageError
        ? error
        : new UsageError(error instanceof Error ? error.message : String(error));
    }
    const exporting = exports
      ? await Promise.all([
        import("../lib/summarize/export_file.ts"),
        import("../lib/summarize/write_export_files.ts"),
      ])
      : null;

    let failed = 0;
    let first = true;
    const taken = new Set<string>();
    for (const file of files) {
      try {
        const options = {
          method: v.method,
          format: v.format,
          explain: v.explain,
          mapping,
          sampleInfo,
          sheet,
        };
        let summary;
        let written: WrittenExportFile[] = [];
        let exportError: string | null = null;
        if (exports && exporting) {
          const [{ exportFile }, { writeExportFiles }] = exporting;
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
  });
}

/** The parsed flags of `summarize`. */
type Values = FlagValues<typeof SPEC>;

/** What the export flags ask for, or `null` without an export format. */
interface ExportSettings {
  options: { to: ExportFormat[]; tables?: ExportTableName[]; units?: ExportUnits };
  out: string;
  force: boolean;
}

async function exportSettings(v: Values): Promise<ExportSettings | null> {
  const to: ExportFormat[] = EXPORT_FLAGS.filter((f) => v[f]);
  if (to.length === 0) {
    for (const flag of ["out", "tables", "units"] as const) {
      if (v[flag] !== undefined) {
        throw new UsageError(`--${flag} goes with --csv, --xlsx, --parquet or --arrow`);
      }
    }
    if (v.force) throw new UsageError("--force goes with --csv, --xlsx, --parquet or --arrow");
    return null;
  }
  let tables: ExportTableName[] | undefined;
  if (v.tables !== undefined) {
    const names = v.tables.split(",").map((t) => t.trim()).filter((t) => t !== "");
    const known = (t: string): t is ExportTableName => (TABLES as readonly string[]).includes(t);
    if (names.length === 0 || !names.every(known)) {
      throw new UsageError(`--tables takes ${TABLES.join(", ")}; got "${v.tables}"`);
    }
    tables = names.filter(known);
  }
  let units: ExportUnits | undefined;
  if (v.units !== undefined) {
    const { parseExportUnits } = await import("../analysis/export/export_units.ts");
    units = parseExportUnits(v.units);
  }
  if (v.out === "") throw new UsageError("--out needs a folder");
  return {
    options: { to, ...(tables ? { tables } : {}), ...(units ? { units } : {}) },
    out: v.out ?? ".",
    force: v.force,
  };
}

/** The export folder exists and is a folder (a mistyped --out is an error, never created). */
async function checkFolder(out: string): Promise<void> {
  let info;
  try {
    info = await Deno.stat(out);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`--out "${out}": no such folder (create it first)`);
    }
    throw error;
  }
  if (!info.isDirectory) throw new UsageError(`--out "${out}" is not a folder`);
}

/** The sample property flags, in the stored units (`sampleInfoFromFlags`, the import tools' rule). */
function sampleFlags(v: Values): SampleInfo | undefined {
  const info = sampleInfoFromFlags({
    "active-mass": v["active-mass"],
    area: v.area,
    "nominal-capacity": v["nominal-capacity"],
  });
  return Object.keys(info).length ? info : undefined;
}

/** The name exports of FILE start with: its base name without the last extension. */
function stemOf(file: string): string {
  const base = basename(file);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
