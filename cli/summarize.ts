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

import { parseArgs } from "node:util";
import { FORMATS } from "../parsers/mod.ts";
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
  -h, --help        show this help`;

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

  let failed = 0;
  let first = true;
  for (const file of files) {
    try {
      const summary = await summarizeFile(file, {
        method,
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
}

if (import.meta.main) Deno.exit(await main(Deno.args));
