// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Fit an equivalent circuit to the impedance spectra of a file, optionally with the lin-KK
 * test and the distribution of relaxation times.
 *
 * @module
 */

import type { DrtResult, LinKKResult } from "../analysis/eis/mod.ts";
import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";

/** Exit code when a spectrum cannot be fitted (as for an unreadable file). */
const EXIT_ERROR = 1;
/** Exit code when every spectrum was fitted but at least one fit is graded poor. */
const EXIT_POOR = 3;

const SPEC = {
  name: "fit_eis",
  summary: [
    "Fit an equivalent circuit to every impedance spectrum in FILE (any supported format:",
    "Gamry .DTA, ZPlot .z, Autolab, CH Instruments, Parstat, PowerSuite, VersaStudio .par,",
    "BioLogic .mpt/.mpr, Maccor FRA, pyDRTtools CSV, plain CSV/TSV of f, Re Z, Im Z). No",
    "initial guesses are needed; each spectrum of a multi-spectrum file starts from the",
    "previous fit.",
    "",
    "Exit codes:",
    "  0  every spectrum fitted, each graded good or warning",
    "  1  error: the file cannot be read, holds no spectrum, or a spectrum cannot be fitted",
    "  2  usage error (bad flags or circuit)",
    "  3  every spectrum fitted, at least one graded poor (reasons printed with the fit)",
  ].join("\n"),
  usage: "FILE [options]",
  options: {
    circuit: {
      type: "string",
      value: "C",
      description: 'circuit, e.g. "R0-p(R1,C1)-p(R2-Wo1,C2)" (impedance.py syntax); default: ' +
        "chosen automatically (lowest BIC among candidates not graded poor)",
    },
    weight: {
      type: "string",
      value: "W",
      default: "auto",
      choices: ["auto", "unit", "modulus", "proportional"],
      description: "residual weighting: auto (modulus when |Z| spreads over more than 100×, " +
        "unit otherwise), unit, modulus or proportional",
    },
    "capacitive-only": { type: "boolean", description: "fit only points with Im Z < 0" },
    fmin: { type: "number", value: "HZ", description: "lowest frequency used" },
    fmax: { type: "number", value: "HZ", description: "highest frequency used" },
    global: {
      type: "integer",
      value: "N",
      min: 0,
      description: "N seeded random restarts (global search)",
    },
    kk: {
      type: "boolean",
      description: "run the lin-KK test (verdict calibrated to the data's noise)",
    },
    "kk-m": {
      type: "string",
      value: "M",
      description: "lin-KK RC elements: a number, auto (lowest BIC; the default) or mu " +
        "(Schönleber's μ criterion, c = 0.85, as impedance.py); implies --kk",
    },
    "kk-threshold": {
      type: "string",
      value: "T",
      description: "lin-KK verdict: auto (the default: residual RMS within 1.5 × the noise " +
        "level, or below 0.1 % of |Z|) or a fraction of |Z| every residual must stay within " +
        "(0.01 = 1 %); implies --kk",
    },
    drt: { type: "boolean", description: "compute the distribution of relaxation times (GCV λ)" },
  },
  examples: [
    "fit_eis tests/fixtures/eis/exampleData.csv --kk --drt",
    'fit_eis cell_PEIS_C01.mpt --circuit "R0-p(R1,CPE1)-W1" --fmax 1e5 --json',
  ],
} as const satisfies CliSpec;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    const positionals = cli.positionals;
    if (positionals.length !== 1) throw new UsageError("give exactly one FILE (see --help)");
    const path = positionals[0];
    const { computeDrt, fitSpectra, linKK, parseCircuit } = await import(
      "../analysis/eis/mod.ts"
    );
    const { readRecording } = await import("../lib/summarize/read_recording.ts");
    if (v.circuit !== undefined) {
      try {
        parseCircuit(v.circuit);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const weighting = v.weight;
    const globalSearch = v.global;
    const kkMText = v["kk-m"] ?? "auto", kkThresholdText = v["kk-threshold"] ?? "auto";
    const kkM = kkMText === "auto" || kkMText === "mu" ? kkMText : Number(kkMText);
    if (typeof kkM === "number" && !(Number.isInteger(kkM) && kkM >= 1)) {
      throw new UsageError(`--kk-m must be a positive integer, auto or mu, got "${kkMText}"`);
    }
    const kkThreshold = kkThresholdText === "auto" ? "auto" : Number(kkThresholdText);
    if (typeof kkThreshold === "number" && !(kkThreshold > 0 && kkThreshold < 1)) {
      throw new UsageError(
        `--kk-threshold must be auto or a fraction of |Z| between 0 and 1, got "${kkThresholdText}"`,
      );
    }
    const runKK = v.kk || v["kk-m"] !== undefined || v["kk-threshold"] !== undefined;
    const selection = {
      capacitiveOnly: v["capacitive-only"],
      minFrequency_Hz: v.fmin,
      maxFrequency_Hz: v.fmax,
    };
    const { recording } = await readRecording(path);
    const spectra = recording.spectra ?? [];
    if (spectra.length === 0) throw new RangeError(`${path} holds no impedance spectrum`);
    const started = performance.now();
    const fits = fitSpectra(spectra, {
      ...selection,
      circuit: v.circuit,
      weighting,
      globalSearch: globalSearch ?? false,
    });
    const kks: (LinKKResult | string)[] = runKK
      ? spectra.map((s) => {
        try {
          return linKK(s, { ...selection, M: kkM, threshold: kkThreshold });
        } catch (e) {
          return (e as Error).message;
        }
      })
      : [];
    const drts: (DrtResult | string)[] = v.drt
      ? spectra.map((s) => {
        try {
          return computeDrt(s, selection);
        } catch (e) {
          return (e as Error).message;
        }
      })
      : [];
    const elapsed_ms = performance.now() - started;
    if (cli.json) {
      console.log(JSON.stringify(
        {
          file: path,
          format: recording.meta.format,
          warnings: recording.meta.warnings,
          elapsed_ms,
          spectra: fits.map((entry, i) => ({
            sequence: spectra[i].sequence,
            cycle: spectra[i].cycle ?? null,
            fit: entry.fit,
            error: entry.error,
            ...(runKK ? { kk: kks[i] } : {}),
            ...(v.drt ? { drt: drts[i] } : {}),
          })),
        },
        null,
        1,
      ));
    } else {
      console.log(`${path}: ${recording.meta.format}, ${spectra.length} spectrum(s)`);
      for (const w of recording.meta.warnings) console.log(`warning: ${w}`);
      fits.forEach((entry, i) => {
        console.log(
          `\n# spectrum ${i + 1}${spectra[i].cycle ? ` (cycle ${spectra[i].cycle})` : ""}`,
        );
        if (entry.error) console.log(`error: ${entry.error}`);
        else console.log(entry.fit!.toString());
        if (entry.fit?.candidates) {
          console.log("candidates (BIC, quality):");
          for (const c of entry.fit.candidates) {
            console.log(
              `  ${c.chosen ? "*" : " "} ${c.circuit.padEnd(40)} ${
                c.bic.toFixed(1).padStart(9)
              }  ${c.quality}`,
            );
          }
        }
        if (runKK) {
          console.log(typeof kks[i] === "string" ? `lin-KK error: ${kks[i]}` : String(kks[i]));
        }
        if (v.drt) {
          console.log(typeof drts[i] === "string" ? `DRT error: ${drts[i]}` : String(drts[i]));
        }
      });
      console.log(`\n${elapsed_ms.toFixed(1)} ms`);
    }
    if (fits.some((e) => !e.fit)) return EXIT_ERROR;
    return fits.some((e) => e.fit!.quality.level === "poor") ? EXIT_POOR : 0;
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
