// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Simulate a cell with a physics-based model (SPM, SPMe or DFN; PyBaMM's equations and default
 * discretization) through an experiment; optionally compare it with a measured test and fit
 * model parameters to that test.
 *
 * ```sh
 * deno task simulate --model dfn --parameters Chen2020 --experiment "Discharge at 1C until 2.5 V"
 * deno task simulate --model spm --sei --cycles 500 --experiment "Discharge at 1C until 2.5 V" \
 *   --experiment "Charge at 1C until 4.2 V" --experiment "Hold at 4.2 V until C/20" --json
 * deno task simulate --model spm --compare cell.csv --fit positive.diffusivity_m2_s
 * ```
 *
 * @module
 */

import { basename } from "node:path";
import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { ExperimentStep, ParameterSet } from "../analysis/models/mod.ts";
import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { ProgressBar } from "../lib/cli/progress_bar.ts";
import type { Store } from "../lib/store/store.ts";

const SPEC = {
  name: "simulate",
  summary: [
    "Simulate a lithium-ion cell with the single particle model (spm), the SPM with",
    "electrolyte (spme) or the Doyle-Fuller-Newman model (dfn), as PyBaMM solves them with its",
    "default mesh, through PyBaMM-style experiment steps. Starts at 100 % SOC as PyBaMM defines",
    "it (electrode state of health) unless --soc says otherwise. With --compare, the simulation",
    "is compared with a measured test (a file, or a test id in the store): without --experiment",
    "the model follows the test's own measured current. With --fit, model parameters are fitted",
    "to that test (Levenberg-Marquardt, standard errors). Exit code 0 on success, 1 when the",
    "run fails or stops early at a voltage cut-off, 2 on usage errors.",
  ].join("\n"),
  usage: "[--model spm|spme|dfn] [--parameters NAME|FILE.json] [--experiment STEP]... [options]",
  store: true,
  options: {
    model: {
      type: "string",
      value: "M",
      default: "dfn",
      choices: ["spm", "spme", "dfn"],
      description: "spm, spme or dfn",
    },
    parameters: {
      type: "string",
      value: "SET",
      default: "Chen2020",
      description: "built-in set (Chen2020, Marquis2019) or a parameter-set JSON file",
    },
    experiment: {
      type: "string",
      value: "STEP",
      multiple: true,
      description: 'a step, e.g. "Discharge at 1C until 2.5 V", "Hold at 4.2 V until C/50", ' +
        '"Rest for 1 hour", "Charge at 2 A for 10 minutes", "Discharge at 5 W for 2 minutes", ' +
        '"(STEP, STEP) x 100", or "Run FILE" (a measured current profile); repeatable ' +
        "(default: a 1C discharge to the lower cut-off)",
    },
    "experiment-file": {
      type: "string",
      value: "FILE",
      description: "steps, one per line (# starts a comment)",
    },
    soc: {
      type: "string",
      value: "X",
      description: 'initial state of charge: 0-1, a percentage ("80%") or a voltage ("3.9 V") ' +
        "(default 1)",
    },
    thermal: {
      type: "string",
      value: "MODE",
      default: "isothermal",
      choices: ["isothermal", "lumped"],
      description: "isothermal or lumped",
    },
    sei: { type: "boolean", description: "SEI growth (solvent-diffusion limited, example values)" },
    cycles: {
      type: "integer",
      value: "N",
      default: 1,
      min: 1,
      description: "run the steps N times",
    },
    points: {
      type: "integer",
      value: "N",
      min: 2,
      description: "output rows, evenly spaced in time",
    },
    period: {
      type: "number",
      value: "S",
      default: 30,
      description: "output interval in seconds (plus the ends of every step)",
    },
    mesh: { type: "integer", value: "N", description: "finite volumes per domain (default 20)" },
    compare: {
      type: "string",
      value: "TEST_ID|FILE",
      description: "compare with a measured test (file, or test id in the store)",
    },
    fit: {
      type: "string",
      value: "PARAM,...",
      description: "fit these parameters to the --compare test, e.g. " +
        "negative.diffusivity_m2_s,cell.contact_resistance_ohm,initial_soc",
    },
    threshold: {
      type: "number",
      value: "X",
      default: 0.8,
      description: "with --sei and 3 or more cycles: retention threshold of the cycle-life " +
        "projection",
    },
    csv: {
      type: "boolean",
      description: "print the simulated rows as Battery Data Format CSV (readable by every " +
        "tool here: analyze, summarize, import_directory, --compare)",
    },
  },
  examples: [
    'simulate --model dfn --experiment "Discharge at 2C until 2.5 V" --thermal lumped',
    'simulate --model spm --sei --cycles 200 --experiment "Discharge at 1C until 2.5 V" ' +
    '--experiment "Charge at 1C until 4.2 V" --experiment "Hold at 4.2 V until C/20" --json',
    "simulate --model spm --parameters Marquis2019 --compare cell.csv --fit " +
    "positive.diffusivity_m2_s,initial_soc",
  ],
} as const satisfies CliSpec;

/** Whether a path names something on disk (a file, or a test id otherwise). */
function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

/** A measured series from a file or a stored test. */
async function loadTest(
  ref: string,
  openStore: () => Promise<Store>,
): Promise<{ label: string; series: CyclingSeries }> {
  if (await exists(ref)) {
    const { readRecording } = await import("../lib/summarize/read_recording.ts");
    const { recording } = await readRecording(ref);
    const series = recording.series;
    if (!series || series.length < 2) throw new RangeError(`"${ref}" has no cycling time series`);
    return { label: basename(ref), series };
  }
  const store = await openStore();
  try {
    const test = await store.tests.get(ref);
    if (!test) {
      throw new RangeError(`"${ref}" is neither a file nor a test in ${store.describe().text}`);
    }
    const series = await store.series.read(test.id);
    if (!series || series.length < 2) throw new RangeError(`test "${ref}" has no stored series`);
    return { label: `test ${test.id} (${test.name})`, series };
  } finally {
    await store.close();
  }
}

/** Steps from the flags; "Run FILE" or "Run TEST_ID" becomes that test's measured current. */
async function readSteps(
  steps: string[],
  file: string | undefined,
  openStore: () => Promise<Store>,
): Promise<(string | ExperimentStep)[]> {
  const { profileStep, readExperimentText } = await import("../analysis/models/mod.ts");
  const lines = [...steps];
  if (file !== undefined) lines.push(...readExperimentText(await Deno.readTextFile(file)));
  const out: (string | ExperimentStep)[] = [];
  for (const line of lines) {
    const run = /^run\s+(.+)$/i.exec(line.trim());
    if (!run) {
      out.push(line);
      continue;
    }
    const { label, series: s } = await loadTest(run[1].trim(), openStore);
    out.push(profileStep(s.time_s, s.current_A, `Run ${label}`));
  }
  return out;
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    const openStore = async () => {
      const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
      return await openCliStore(cli);
    };
    if (cli.positionals.length > 0) {
      throw new UsageError(
        `unexpected argument "${cli.positionals[0]}" (steps go in --experiment)`,
      );
    }
    if (v.fit !== undefined && v.compare === undefined) {
      throw new UsageError("--fit needs --compare TEST_ID|FILE (the test to fit)");
    }
    if (v.csv && cli.json) throw new UsageError("give --json or --csv, not both");
    if (!(v.threshold > 0 && v.threshold < 1)) {
      throw new UsageError(`--threshold must be between 0 and 1, got ${v.threshold}`);
    }
    const {
      loadParameterSet,
      parseExperiment,
      parseInitialSoc,
      resolveParameterSet,
      runModelStudy,
    } = await import("../analysis/models/mod.ts");
    const { toBdfCsv } = await import("../parsers/to_bdf.ts");
    let soc: number | string | undefined;
    try {
      soc = v.soc === undefined ? undefined : parseInitialSoc(v.soc);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(`--soc: ${error.message}`);
      throw error;
    }
    const model = v.model;
    let parameters: ParameterSet;
    if (/\.json$/i.test(v.parameters) || await exists(v.parameters)) {
      parameters = loadParameterSet(await Deno.readTextFile(v.parameters), basename(v.parameters));
    } else {
      parameters = resolveParameterSet(v.parameters);
    }
    const given = await readSteps(
      v.experiment ?? [],
      v["experiment-file"],
      openStore,
    );
    try {
      if (given.length) parseExperiment(given, { cycles: v.cycles });
    } catch (error) {
      if (error instanceof SyntaxError) throw new UsageError(error.message);
      throw error;
    }
    const test = v.compare !== undefined ? await loadTest(v.compare, openStore) : null;
    let fit: string[] | undefined;
    if (test && v.fit !== undefined) {
      fit = v.fit.split(",").map((p) => p.trim()).filter((p) => p !== "");
      if (fit.length === 0) throw new UsageError("--fit needs at least one parameter");
    }
    const fitBar = fit ? new ProgressBar({ total: null, label: "fitting" }) : null;
    let simBar = null as ProgressBar | null;
    let shown = 0;
    const study = runModelStudy({
      model,
      parameters,
      thermal: v.thermal,
      sei: v.sei,
      ...(v.mesh !== undefined
        ? { mesh: { x_n: v.mesh, x_s: v.mesh, x_p: v.mesh, r_n: v.mesh, r_p: v.mesh } }
        : {}),
      ...(soc !== undefined ? { initialSoc: soc } : {}),
      ...(given.length ? { experiment: given } : {}),
      cycles: v.cycles,
      period_s: v.period,
      points: v.points,
      ...(test ? { test } : {}),
      ...(fit ? { fit } : {}),
      threshold: v.threshold,
      onProgress: (p) => {
        if (p.phase === "fit") {
          fitBar!.tick(1, `simulation ${p.simulations}`);
          return;
        }
        fitBar?.done();
        simBar ??= new ProgressBar({ total: 1000, label: `${model} ${parameters.name}` });
        const done = Math.round(p.fraction * 1000);
        simBar.tick(done - shown, `step ${p.step.step}: ${p.step.text}`);
        shown = done;
      },
    });
    fitBar?.done();
    simBar?.done();
    const sim = study.simulation;
    if (cli.json) console.log(JSON.stringify(study.toJSON()));
    else if (v.csv) console.log(toBdfCsv(sim.series).trimEnd());
    else console.log(study.toString());
    if (!sim.summary.completed) {
      console.error(`simulate: ${sim.summary.stopped_reason}`);
      return 1;
    }
    return 0;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
