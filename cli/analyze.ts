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

import { CYCLE_METHODS } from "../analysis/cycle_methods.ts";
import type { AnalysisMetric, AnalyzeTestOptions, TestAnalysis } from "../analysis/analyze_test.ts";
import type { CliContext, CliSpec } from "../lib/cli/cli_spec.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import type { StoreDescription } from "../lib/store/store.ts";

const METRICS: readonly AnalysisMetric[] = [
  "discharge_capacity_Ah",
  "charge_capacity_Ah",
  "discharge_energy_Wh",
];

const SPEC = {
  name: "analyze",
  summary: [
    "The one analysis of a test: the numbers every surface shows.",
    "",
    "  analyze FILE            analyse an instrument file (needs read access only)",
    "  analyze --test TEST_ID  the analysis stored with a test in the store",
    "",
    "Detects the protocol (constant-current cycling, symmetric-cell plating/stripping, rate",
    "test, pulse/HPPC/GITT, OCV/rest, impedance), gives every cycle a role (counted, cut off by",
    "the end of the recording, partial first half, formation, rest, check-up, rate step, ...),",
    "takes the first complete cycle of the main protocol as the reference, and over the counted",
    "cycles reports retention, efficiencies, every fade model (best by AIC), knee, end of life",
    "(observed, and predicted with an interval kept in the physical range), anomalies, the dQ/dV",
    "peaks of chosen cycles, pulse resistances, and data-quality flags with their reasons.",
    "Without options, --test prints the analysis stored with the test (computed at import; when",
    "it is missing or of another analysis version it is computed now and migrate stores it);",
    "with options it is computed again, and --save stores it with these options.",
    "Exit code 0 on success, 1 when the file or test cannot be analysed, 2 on usage errors.",
  ].join("\n"),
  usage: "FILE [options]\n  analyze --test TEST_ID [options]",
  store: true,
  options: {
    test: { type: "string", value: "TEST_ID", description: "analyse a test of the store" },
    threshold: {
      type: "number",
      value: "X",
      description: "end-of-life retention, fraction (default 0.8)",
    },
    "reference-cycle": {
      type: "integer",
      value: "N",
      min: 1,
      description: "cycle whose metric is 100 % (default: first counted cycle)",
    },
    metric: {
      type: "string",
      value: "M",
      choices: METRICS,
      description: `${METRICS.join(" | ")} (default ${METRICS[0]})`,
    },
    from: {
      type: "integer",
      value: "N",
      min: 1,
      description: "analyse cycles N… only (the others: role excluded_by_selection)",
    },
    to: { type: "integer", value: "N", min: 1, description: "analyse cycles …N only" },
    "formation-cycles": {
      type: "string",
      value: "N",
      description: "cycles 1–N are formation (default: auto; 0 = none)",
    },
    confidence: {
      type: "number",
      value: "X",
      description: "confidence level of the predicted-life interval (default 0.95)",
    },
    "keep-incomplete": {
      type: "boolean",
      description: "count a last cycle cut short by the end of the recording",
    },
    cycle: {
      type: "integer",
      value: "N",
      multiple: true,
      min: 1,
      description: "report the dQ/dV peaks of cycle N (default: the first and last full " +
        "counted cycles)",
    },
    method: {
      type: "string",
      value: "M",
      choices: CYCLE_METHODS,
      description: `how a FILE's cycles are delimited: ${CYCLE_METHODS.join(" | ")} (default auto)`,
    },
    format: { type: "string", value: "ID", description: "parser for FILE instead of detection" },
    json: { type: "boolean", description: "the analysis as JSON (what the store keeps)" },
    save: {
      type: "boolean",
      description: "with --test: store the analysis and these options with the test",
    },
  },
  examples: [
    "analyze cell.csv --threshold 0.9",
    "analyze --test 6b06d8f17fc9cdc5dddec214 --json",
    "analyze --test 6b06d8f17fc9cdc5dddec214 --formation-cycles 3 --save",
  ],
} as const satisfies CliSpec;

type Cli = CliContext<typeof SPEC>;

/** A fraction flag's value, checked: strictly between 0 and 1. */
function fraction(name: string, x: number | undefined): number | undefined {
  if (x !== undefined && !(x > 0 && x < 1)) {
    throw new UsageError(`--${name} must be a number between 0 and 1, got ${x}`);
  }
  return x;
}

/** The analysis options the flags give (absent flags absent). */
function optionsFrom(v: Cli["values"]): AnalyzeTestOptions {
  const formation = v["formation-cycles"];
  if (v.from !== undefined && v.to !== undefined && v.from > v.to) {
    throw new UsageError(`--from ${v.from} is after --to ${v.to}`);
  }
  if (formation !== undefined && formation !== "auto" && !/^\d+$/.test(formation)) {
    throw new UsageError(
      `--formation-cycles must be auto or an integer 0 or more, got "${formation}"`,
    );
  }
  const options: AnalyzeTestOptions = {
    threshold: fraction("threshold", v.threshold),
    confidence: fraction("confidence", v.confidence),
    referenceCycle: v["reference-cycle"],
    metric: v.metric,
    formationCycles: formation === undefined || formation === "auto"
      ? formation
      : Number(formation),
    cycles: v.from !== undefined || v.to !== undefined
      ? {
        ...(v.from !== undefined ? { from: v.from } : {}),
        ...(v.to !== undefined ? { to: v.to } : {}),
      }
      : undefined,
    keepCutOff: v["keep-incomplete"] ? true : undefined,
    dqdvCycles: v.cycle,
    cycleMethod: v.method,
  };
  for (const key of Object.keys(options) as (keyof AnalyzeTestOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return options;
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    const positionals = cli.positionals;
    if ((v.test === undefined) === (positionals.length !== 1)) {
      throw new UsageError(
        v.test === undefined
          ? "give exactly one FILE, or --test TEST_ID (see --help)"
          : "give either FILE or --test TEST_ID, not both",
      );
    }
    const options = optionsFrom(v);
    if (v.method !== undefined && v.test !== undefined) {
      throw new UsageError("--method is for FILE: a stored test keeps the cycles of its import");
    }
    if (v.save && v.test === undefined) throw new UsageError("--save goes with --test");
    let analysis: TestAnalysis;
    let store: StoreDescription | undefined;
    if (v.test !== undefined) {
      const r = await analyzeInStore(cli, options);
      analysis = r.analysis;
      store = r.store;
    } else {
      const { readRecording } = await import("../lib/summarize/read_recording.ts");
      const { analyzeTest } = await import("../analysis/analyze_test.ts");
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
    // --test: the store used is in the JSON too (and was named on stderr).
    console.log(
      v.json
        ? JSON.stringify({ ...(store ? { store } : {}), ...analysis.toJSON() })
        : String(analysis),
    );
    return 0;
  });
}

/**
 * The analysis of a stored test: the stored one when no option is given and it is current,
 * else computed now (and stored with `save`). The store code is loaded only here, so FILE mode
 * needs read access only.
 */
async function analyzeInStore(
  cli: Cli,
  options: AnalyzeTestOptions,
): Promise<{ analysis: TestAnalysis; store: StoreDescription }> {
  const id = cli.values.test!;
  const { ANALYSIS_VERSION } = await import("../analysis/analyze_test.ts");
  const { analyzeStoredTest } = await import("../lib/analyze/analyze_stored_test.ts");
  const { testAnalysisOf } = await import("../lib/analyze/test_analysis_of.ts");
  const save = cli.values.save;
  const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
  const opened = await openCliStore(cli);
  try {
    const store = opened.describe();
    const test = await opened.tests.get(id);
    if (!test) throw new RangeError(`no test "${id}" in ${store.text}`);
    const stored = test.analysis;
    const current = stored !== null && stored.analysis_version === ANALYSIS_VERSION;
    if (Object.keys(options).length === 0 && current && !save) {
      return { analysis: testAnalysisOf(stored), store };
    }
    if (Object.keys(options).length === 0 && !save) {
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
      analysis: await analyzeStoredTest(opened, id, { ...options, save }),
      store,
    };
  } finally {
    await opened.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
