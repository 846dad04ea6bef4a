// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * The one analysis of a test (`analyzeTest`), from a file or from the store: protocol, cycle
 * roles, reference cycle, retention, efficiencies, fade models, knee, end of life, anomalies,
 * dQ/dV peaks, pulse resistances and data-quality flags.
 *
 * ```sh
 * deno run --allow-read cli/analyze.ts FILE [--threshold 0.8] [--reference-cycle N] [--json]
 * deno run -A cli/analyze.ts --test TEST_ID [--db DB] [--config FILE] [options] [--save]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  ANALYSIS_VERSION,
  type AnalysisMetric,
  analyzeTest,
  type AnalyzeTestOptions,
  type TestAnalysis,
} from "../analysis/analyze_test.ts";
import { cycleMethodFlag, reportUsageError } from "../lib/cli/usage_error.ts";
import { readRecording } from "../lib/summarize/read_recording.ts";
import type { StoreDescription } from "../lib/store/store.ts";

const HELP = `The one analysis of a test: the numbers every surface shows.

Usage:
  analyze FILE [options]            analyse an instrument file (needs read access only)
  analyze --test TEST_ID [options]  the analysis stored with a test in the store

Detects the protocol (constant-current cycling, symmetric-cell plating/stripping, rate
test, pulse/HPPC/GITT, OCV/rest, impedance), gives every cycle a role (counted, cut off by
the end of the recording, partial first half, formation, rest, check-up, rate step, ...),
takes the first complete cycle of the main protocol as the reference, and over the counted
cycles reports retention, efficiencies, every fade model (best by AIC), knee, end of life
(observed, and predicted with an interval kept in the physical range), anomalies, the dQ/dV
peaks of chosen cycles, pulse resistances, and data-quality flags with their reasons.
Without options, --test prints the analysis stored with the test (computed at import; when
it is missing or of another analysis version it is computed now and migrate stores it);
with options it is computed again, and --save stores it with these options.
Exit code 0 on success, 1 when the file or test cannot be analysed, 2 on usage errors.

Options:
  --threshold X          end-of-life retention, fraction (default 0.8)
  --reference-cycle N    cycle whose metric is 100 % (default: first counted cycle)
  --metric M             discharge_capacity_Ah (default) | charge_capacity_Ah |
                         discharge_energy_Wh
  --from N, --to N       analyse cycles N… only (the others: role excluded_by_selection)
  --formation-cycles N   cycles 1–N are formation (default: auto; 0 = none)
  --confidence X         confidence level of the predicted-life interval (default 0.95)
  --keep-incomplete      count a last cycle cut short by the end of the recording
  --cycle N              report the dQ/dV peaks of cycle N (repeatable; default: the first
                         and last full counted cycles)
  --method M             how a FILE's cycles are delimited: auto (default) | cycle_index |
                         step | current_sign
  --format ID            parser for FILE instead of detection
  --json                 the analysis as JSON (what the store keeps)
  --save                 with --test: store the analysis and these options with the test
  --db URI|PATH          with --test: mongodb://… URI, SQLite file or :memory: (default:
                         environment, configuration file, ~/.battery_analysis/battery.db)
  --db-name NAME         with --test: MongoDB database name
  --config PATH          with --test: configuration file (default ~/.battery_analysis.toml,
                         then .ini)
  -h, --help             show this help`;

const usage = (error: unknown): number => reportUsageError("analyze", error);

function fraction(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (!(x > 0 && x < 1)) {
    throw new RangeError(`--${name} must be a number between 0 and 1, got "${text}"`);
  }
  return x;
}

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`--${name} must be an integer ≥ ${min}, got "${text}"`);
  }
  return n;
}

const METRICS: readonly AnalysisMetric[] = [
  "discharge_capacity_Ah",
  "charge_capacity_Ah",
  "discharge_energy_Wh",
];

/** The analysis options the flags give (absent flags absent). */
function optionsFrom(v: Record<string, unknown>): AnalyzeTestOptions {
  const metric = v.metric as string | undefined;
  if (metric !== undefined && !(METRICS as readonly string[]).includes(metric)) {
    throw new RangeError(`--metric must be one of ${METRICS.join(", ")}, got "${metric}"`);
  }
  const formation = v["formation-cycles"] as string | undefined;
  const from = integer("from", v.from as string | undefined, 1);
  const to = integer("to", v.to as string | undefined, 1);
  if (from !== undefined && to !== undefined && from > to) {
    throw new RangeError(`--from ${from} is after --to ${to}`);
  }
  const options: AnalyzeTestOptions = {
    threshold: fraction("threshold", v.threshold as string | undefined),
    confidence: fraction("confidence", v.confidence as string | undefined),
    referenceCycle: integer("reference-cycle", v["reference-cycle"] as string | undefined, 1),
    metric: metric as AnalysisMetric | undefined,
    formationCycles: formation === undefined || formation === "auto"
      ? (formation as "auto" | undefined)
      : integer("formation-cycles", formation, 0),
    cycles: from !== undefined || to !== undefined
      ? { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }
      : undefined,
    keepCutOff: v["keep-incomplete"] === true ? true : undefined,
    dqdvCycles: (v.cycle as string[] | undefined)?.map((c) => integer("cycle", c, 1)!),
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, x]) => x !== undefined),
  ) as AnalyzeTestOptions;
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
        metric: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        "formation-cycles": { type: "string" },
        confidence: { type: "string" },
        "keep-incomplete": { type: "boolean", default: false },
        cycle: { type: "string", multiple: true },
        method: { type: "string" },
        format: { type: "string" },
        json: { type: "boolean", default: false },
        save: { type: "boolean", default: false },
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
  let options: AnalyzeTestOptions;
  try {
    if ((v.test === undefined) === (positionals.length !== 1)) {
      throw new TypeError(
        v.test === undefined
          ? "give exactly one FILE, or --test TEST_ID (see --help)"
          : "give either FILE or --test TEST_ID, not both",
      );
    }
    options = optionsFrom(v);
    if (v.method !== undefined) {
      if (v.test !== undefined) {
        throw new TypeError("--method is for FILE: a stored test keeps the cycles of its import");
      }
      options.cycleMethod = cycleMethodFlag(v.method);
    }
    if (v.save && v.test === undefined) throw new TypeError("--save goes with --test");
  } catch (error) {
    return usage(error);
  }

  let analysis: TestAnalysis;
  let store: StoreDescription | undefined;
  try {
    if (v.test !== undefined) {
      const r = await analyzeInStore(v.test, options, {
        save: v.save,
        db: v.db,
        dbName: v["db-name"],
        config: v.config,
      });
      analysis = r.analysis;
      store = r.store;
    } else {
      const file = positionals[0];
      const { recording, warnings } = await readRecording(file, { format: v.format });
      for (const w of warnings) console.error(`analyze: ${w}`);
      // The same inputs the import pipeline gives the analysis it stores with the test.
      analysis = analyzeTest({
        series: recording.series ?? null,
        spectra: recording.spectra ?? [],
        label: file,
        warnings: recording.meta.warnings,
      }, options);
    }
  } catch (error) {
    console.error(`analyze: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  // --test: the store used is in the JSON too (and was named on stderr).
  console.log(
    v.json
      ? JSON.stringify({ ...(store ? { store } : {}), ...analysis.toJSON() })
      : String(analysis),
  );
  return 0;
}

/**
 * The analysis of a stored test: the stored one when no option is given and it is current,
 * else computed now (and stored with `save`). The store code is loaded only here, so FILE mode
 * needs read access only.
 */
async function analyzeInStore(
  id: string,
  options: AnalyzeTestOptions,
  flags: { save: boolean; db?: string; dbName?: string; config?: string },
): Promise<{ analysis: TestAnalysis; store: StoreDescription }> {
  const { openCliStore, parseCli } = await import("../lib/cli/parse_cli.ts");
  const { analyzeStoredTest } = await import("../lib/analyze/analyze_stored_test.ts");
  const { testAnalysisOf } = await import("../lib/analyze/test_analysis_of.ts");
  const storeArgs = [
    ...(flags.db !== undefined ? ["--db", flags.db] : []),
    ...(flags.dbName !== undefined ? ["--db-name", flags.dbName] : []),
    ...(flags.config !== undefined ? ["--config", flags.config] : []),
  ];
  const cli = parseCli(storeArgs, { name: "analyze", summary: "", usage: "", store: true });
  for (const warning of cli.config.warnings) console.error(`analyze: warning: ${warning}`);
  const opened = await openCliStore(cli);
  try {
    const store = opened.describe();
    const test = await opened.tests.get(id);
    if (!test) throw new RangeError(`no test "${id}" in ${store.text}`);
    const stored = test.analysis;
    const current = stored !== null && stored.analysis_version === ANALYSIS_VERSION;
    if (Object.keys(options).length === 0 && current && !flags.save) {
      return { analysis: testAnalysisOf(stored), store };
    }
    if (Object.keys(options).length === 0 && !flags.save) {
      console.error(
        `analyze: test ${id} has ${
          stored === null
            ? `no stored analysis${
              typeof test.metadata?.analysis_error === "string"
                ? ` (${test.metadata.analysis_error})`
                : ""
            }`
            : `an analysis of version ${stored.analysis_version}`
        }; computed now with version ${ANALYSIS_VERSION} (migrate or --save stores it)`,
      );
    }
    return {
      analysis: await analyzeStoredTest(opened, id, { ...options, save: flags.save }),
      store,
    };
  } finally {
    await opened.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
