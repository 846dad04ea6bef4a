// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Analyse one cycling test, from a file or from the store: capacity fade (every model, best by
 * AIC), knee and knee onset, end of life observed and predicted, anomalies, dQ/dV peaks.
 *
 * ```sh
 * deno run --allow-read cli/analyze.ts FILE [--threshold 0.8] [--reference-cycle N] [--json]
 *   [--cycle N]...
 * deno run -A cli/analyze.ts --test TEST_ID [--db DB] [--config FILE] [options]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { summarizeCycles } from "../analysis/cycles.ts";
import { cycleMethodFlag, reportUsageError } from "../lib/cli/usage_error.ts";
import { analyzeCycling, type CyclingAnalysis } from "../lib/analyze/analyze_cycling.ts";
import { readRecording } from "../lib/summarize/read_recording.ts";
import type { StoreDescription } from "../lib/store/store.ts";

const HELP = `Analyse the capacity fade of one cycling test.

Usage:
  analyze FILE [options]            analyse an instrument file (needs read access only)
  analyze --test TEST_ID [options]  analyse a test in the store (its stored cycles and series)

Reports the retention curve and fade rate, fits every fade model (linear, sqrt,
exponential, power) and picks the best by AIC, the knee and knee onset, end of life
(observed, and predicted with an interval), anomalies in retention and coulombic
efficiency, and the dQ/dV peaks of chosen cycles (with their shift between cycles).
A last cycle cut short by the end of the recording (current still flowing at the last
row, or only its first half present) is left out of the fade analysis unless
--keep-incomplete is given.
Exit code 0 on success, 1 when the file or test cannot be analysed (also when it has no
cycle with a discharge to follow), 2 on usage errors.

Options:
  --threshold X        end-of-life retention, fraction (default 0.8)
  --reference-cycle N  cycle whose discharge capacity is 100 % (default: first usable)
  --confidence X       confidence level of the predicted-life interval (default 0.95)
  --keep-incomplete    keep a last cycle cut short by the end of the recording
  --cycle N            report the dQ/dV peaks of cycle N (repeatable; default: the first
                       and last full cycles, both halves at least half the median charge)
  --method M           how a FILE's cycles are delimited: auto (default) | cycle_index |
                       step | current_sign
  --format ID          parser for FILE instead of detection
  --json               one JSON object instead of tables
  --db URI|PATH        with --test: mongodb://… URI, SQLite file or :memory: (default:
                       environment, configuration file, ~/.battery_analysis/battery.db)
  --db-name NAME       with --test: MongoDB database name
  --config PATH        with --test: configuration file (default ~/.battery_analysis.toml,
                       then .ini)
  -h, --help           show this help`;

const usage = (error: unknown): number => reportUsageError("analyze", error);

function fraction(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (!(x > 0 && x < 1)) {
    throw new RangeError(`--${name} must be a number between 0 and 1, got "${text}"`);
  }
  return x;
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`--${name} must be an integer ≥ 1, got "${text}"`);
  }
  return n;
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        test: { type: "string" },
        threshold: { type: "string" },
        "reference-cycle": { type: "string" },
        confidence: { type: "string" },
        "keep-incomplete": { type: "boolean", default: false },
        cycle: { type: "string", multiple: true },
        method: { type: "string", default: "auto" },
        format: { type: "string" },
        json: { type: "boolean", default: false },
        db: { type: "string" },
        "db-name": { type: "string" },
        config: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usage(error);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  let options, method;
  try {
    method = cycleMethodFlag(v.method);
    if ((v.test === undefined) === (positionals.length !== 1)) {
      throw new TypeError(
        v.test === undefined
          ? "give exactly one FILE, or --test TEST_ID (see --help)"
          : "give either FILE or --test TEST_ID, not both",
      );
    }
    options = {
      threshold: fraction("threshold", v.threshold),
      confidence: fraction("confidence", v.confidence),
      referenceCycle: positiveInt("reference-cycle", v["reference-cycle"]),
      keepIncomplete: v["keep-incomplete"],
      dqdvCycles: v.cycle?.map((c) => positiveInt("cycle", c)!),
    };
  } catch (error) {
    return usage(error);
  }

  let analysis: CyclingAnalysis;
  let store: StoreDescription | undefined;
  try {
    if (v.test !== undefined) {
      // The store code is loaded only for --test, so FILE mode needs read access only. Store
      // selection (--db, --db-name, --config, environment, default) is the shared front end's.
      const { openCliStore, parseCli } = await import("../lib/cli/parse_cli.ts");
      const storeArgs = [
        ...(v.db !== undefined ? ["--db", v.db] : []),
        ...(v["db-name"] !== undefined ? ["--db-name", v["db-name"]] : []),
        ...(v.config !== undefined ? ["--config", v.config] : []),
      ];
      const cli = parseCli(storeArgs, { name: "analyze", summary: "", usage: "", store: true });
      for (const warning of cli.config.warnings) console.error(`analyze: warning: ${warning}`);
      const opened = await openCliStore(cli);
      try {
        store = opened.describe();
        const test = await opened.tests.get(v.test);
        if (!test) throw new RangeError(`no test "${v.test}" in ${store.text}`);
        const series = await opened.series.read(test.id);
        const method = test.metadata?.cycle_method;
        analysis = analyzeCycling({
          label: `test ${test.id} (${test.name})`,
          cycles: test.cycles,
          series,
          cycleMethod: typeof method === "string" ? method : null,
        }, options);
      } finally {
        await opened.close();
      }
    } else {
      const file = positionals[0];
      const { recording } = await readRecording(file, { format: v.format });
      const series = recording.series;
      if (!series || series.length === 0) {
        throw new RangeError(
          `"${file}" has no cycling time series${
            recording.spectra?.length ? " (it holds impedance spectra: see fit_eis)" : ""
          }`,
        );
      }
      const table = summarizeCycles(series, { method });
      analysis = analyzeCycling({
        label: file,
        cycles: table.cycles,
        series,
        cycleMethod: table.method,
        currentThreshold_A: table.currentThreshold_A,
      }, options);
    }
  } catch (error) {
    console.error(`analyze: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  // --test: the store used is in the JSON too (and was named on stderr).
  const json = () => JSON.stringify(store ? { store, ...analysis.toJSON() } : analysis);
  console.log(v.json ? json() : analysis.toString());
  // Nothing to analyse (no cycle with a discharge): reported above, and exit code 1.
  return analysis.fade ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
