// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Fit an equivalent circuit to the impedance spectra of a file, optionally with the lin-KK
 * test and the distribution of relaxation times.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { basename } from "node:path";
import { parseRecording } from "../parsers/mod.ts";
import {
  computeDrt,
  type DrtResult,
  fitSpectra,
  linKK,
  type LinKKResult,
  parseCircuit,
  type Weighting,
} from "../analysis/eis/mod.ts";
import { fail } from "./_shared.ts";

const HELP = `Usage: deno run -A cli/fit_eis.ts FILE [options]

Fit an equivalent circuit to every impedance spectrum in FILE (any supported format:
Gamry .DTA, ZPlot .z, Autolab, CH Instruments, Parstat, PowerSuite, VersaStudio .par,
BioLogic .mpt/.mpr, pyDRTtools CSV, plain CSV/TSV of f, Re Z, Im Z). No initial guesses are
needed; each spectrum of a multi-spectrum file starts from the previous fit.

Options:
  --circuit C        circuit string, e.g. "R0-p(R1,C1)-p(R2-Wo1,C2)" (impedance.py syntax);
                     without it the circuit is chosen automatically (lowest BIC among
                     candidate circuits whose fit is not graded poor)
  --weight W         residual weighting: unit (default), modulus, proportional
  --capacitive-only  fit only points with Im Z < 0
  --fmin HZ          lowest frequency used
  --fmax HZ          highest frequency used
  --global N         N seeded random restarts (global search)
  --kk               run the lin-KK test (Schönleber, c = 0.85)
  --drt              compute the distribution of relaxation times (GCV λ)
  --json             machine-readable output
  -h, --help         show this help

Exit code: 0 when every fit is graded good or warning, 1 when any is poor, 2 on errors.`;

function num(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) throw new RangeError(`--${name} must be a number, got "${text}"`);
  return v;
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        circuit: { type: "string" },
        weight: { type: "string" },
        "capacitive-only": { type: "boolean", default: false },
        fmin: { type: "string" },
        fmax: { type: "string" },
        global: { type: "string" },
        kk: { type: "boolean", default: false },
        drt: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return fail(error);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  try {
    if (positionals.length !== 1) throw new RangeError("expected exactly one FILE (see --help)");
    const path = positionals[0];
    if (v.circuit !== undefined) parseCircuit(v.circuit);
    const weighting = (v.weight ?? "unit") as Weighting;
    if (!["unit", "modulus", "proportional"].includes(weighting)) {
      throw new RangeError(`--weight must be unit, modulus or proportional, got "${v.weight}"`);
    }
    const globalSearch = num("global", v.global);
    if (globalSearch !== undefined && !(Number.isInteger(globalSearch) && globalSearch >= 0)) {
      throw new RangeError(`--global must be a non-negative integer, got "${v.global}"`);
    }
    const selection = {
      capacitiveOnly: v["capacitive-only"],
      minFrequency_Hz: num("fmin", v.fmin),
      maxFrequency_Hz: num("fmax", v.fmax),
    };
    const bytes = await Deno.readFile(path);
    const recording = parseRecording(bytes, { fileName: basename(path) });
    const spectra = recording.spectra ?? [];
    if (spectra.length === 0) throw new RangeError(`${path} holds no impedance spectrum`);
    const started = performance.now();
    const fits = fitSpectra(spectra, {
      ...selection,
      circuit: v.circuit,
      weighting,
      globalSearch: globalSearch ?? false,
    });
    const kks: (LinKKResult | string)[] = v.kk
      ? spectra.map((s) => {
        try {
          return linKK(s, selection);
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
    if (v.json) {
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
            ...(v.kk ? { kk: kks[i] } : {}),
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
        if (v.kk) {
          console.log(typeof kks[i] === "string" ? `lin-KK error: ${kks[i]}` : String(kks[i]));
        }
        if (v.drt) {
          console.log(typeof drts[i] === "string" ? `DRT error: ${drts[i]}` : String(drts[i]));
        }
      });
      console.log(`\n${elapsed_ms.toFixed(1)} ms`);
    }
    return fits.some((e) => !e.fit || e.fit.quality.level === "poor") ? 1 : 0;
  } catch (error) {
    return fail(error);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
