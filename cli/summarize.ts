// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Summarize instrument files without a store: format, instrument, sample, cell code, channel,
 * start time, rows, per-cycle table, impedance spectra.
 *
 * ```sh
 * deno run --allow-read cli/summarize.ts FILE... [--json] [--explain]
 *   [--method auto|cycle_index|step|current_sign] [--format ID] [--mapping FILE]
 * ```
 *
 * @module
 */

import { CYCLE_METHODS } from "../analysis/cycles.ts";
import { FORMAT_IDS } from "../parsers/format_ids.ts";
import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";

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
  },
  examples: [
    "summarize data/*.csv",
    "summarize cell.mpr --json",
    "summarize export.csv --mapping my_columns.toml --method step",
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
    const { FileReadError, formatSummary, loadColumnMapping, summarizeFile } = await import(
      "../lib/summarize/mod.ts"
    );
    let mapping;
    if (v.mapping !== undefined) {
      try {
        mapping = await loadColumnMapping(v.mapping);
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
    }
    let failed = 0;
    let first = true;
    for (const file of files) {
      try {
        const summary = await summarizeFile(file, {
          method: v.method,
          format: v.format,
          explain: v.explain,
          mapping,
        });
        if (v.json) console.log(JSON.stringify(summary));
        else {
          if (!first) console.log("");
          console.log(formatSummary(summary));
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

if (import.meta.main) Deno.exit(await main(Deno.args));
