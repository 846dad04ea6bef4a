// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Capacity per area and impedance normalized by geometry, per cell code.
 *
 * ```sh
 * deno run -A cli/normalize.ts CODE... [--resistance intercept|fit] [--area CM2] [--thickness CM]
 * ```
 *
 * @module
 */

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { storeJson } from "../lib/cli/store_json.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import type { CellNormalization } from "../lib/normalize_cell.ts";

const SPEC = {
  name: "normalize",
  summary: [
    "Capacity and impedance of cells normalized by their geometry, one line per cell code.",
    "",
    "Geometry is the area_cm2 and thickness_cm of the sample the cell's tests belong to",
    "(--area / --thickness override it); missing geometry is reported, never assumed.",
    "capacity: reference-cycle capacity of the earliest cycling test's stored analysis",
    "(analysis.summary.initial_capacity_Ah: first complete cycle of the main protocol), in mAh/cm²",
    "(and in mAh/g when the sample has an active mass: sample set CODE --active-mass 12mg).",
    "R: resistance of the latest impedance test's last spectrum: the high-frequency intercept",
    "read from the data (the capacitive point with Re Z > 0 closest to the real axis among the",
    "higher-frequency half; robust to inductive and instrument artefacts), or with",
    "--resistance fit the series resistance R0 of an automatic equivalent-circuit fit (its",
    "quality grade is shown). ASR = R·A (Ω·cm²); σ = t / (R·A) (S/cm).",
    "",
    "Exit code 0 when every code gave at least one value, 1 otherwise, 2 on usage errors.",
  ].join("\n"),
  usage: "CODE... [--resistance intercept|fit] [--area CM2] [--thickness CM]",
  store: true,
  options: {
    resistance: {
      type: "string",
      value: "M",
      default: "intercept",
      choices: ["intercept", "fit"],
      description: "intercept (from the data) | fit (R0 of a circuit fit)",
    },
    area: {
      type: "number",
      value: "CM2",
      positive: true,
      description: "electrode area to use, cm²",
    },
    thickness: {
      type: "number",
      value: "CM",
      positive: true,
      description: "thickness to use, cm",
    },
  },
  examples: ["normalize CN123 CN124", "normalize CN123 --json", "normalize CN9 --area 2.835"],
} as const satisfies CliSpec;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    if (cli.positionals.length === 0) throw new UsageError("give at least one cell code");
    const { normalizeCell } = await import("../lib/normalize_cell.ts");
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const store = await openCliStore(cli);
    try {
      const results: CellNormalization[] = [];
      for (const code of [...new Set(cli.positionals)]) {
        results.push(
          await normalizeCell(store, code, {
            resistance: v.resistance,
            area_cm2: v.area,
            thickness_cm: v.thickness,
          }),
        );
      }
      if (cli.json) console.log(storeJson(store, { cells: results }));
      else for (const r of results) console.log(line(r));
      return results.every((r) => r.capacity || r.impedance) ? 0 : 1;
    } finally {
      await store.close();
    }
  });
}

function num(value: number, digits = 4): string {
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(digits - 1) : value
    .toPrecision(digits).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

/** One line: the values computed, then the reasons for those that were not. */
function line(r: CellNormalization): string {
  const parts: string[] = [];
  if (r.capacity?.areal_capacity_mAh_per_cm2 != null) {
    parts.push(`capacity=${num(r.capacity.areal_capacity_mAh_per_cm2)} mAh/cm2`);
  } else if (r.capacity) parts.push(`capacity=${num(r.capacity.initial_capacity_mAh)} mAh`);
  if (r.capacity?.specific_capacity_mAh_per_g != null) {
    parts.push(`specific=${num(r.capacity.specific_capacity_mAh_per_g)} mAh/g`);
  }
  if (r.capacity) {
    parts.push(
      `(cycle ${r.capacity.reference_cycle ?? "—"} of ${r.capacity.test_name}` +
        `${r.capacity.flag_codes.length ? `; flags: ${r.capacity.flag_codes.join(",")}` : ""})`,
    );
  }
  const z = r.impedance;
  if (z) {
    parts.push(
      `R=${num(z.resistance_ohm)} ohm${z.fit ? ` (fit ${z.fit.circuit}, ${z.fit.quality})` : ""}`,
    );
    if (z.area_specific_resistance_ohm_cm2 !== null) {
      parts.push(`ASR=${num(z.area_specific_resistance_ohm_cm2)} ohm*cm2`);
    }
    if (z.ionic_conductivity_S_per_cm !== null) {
      parts.push(`sigma=${num(z.ionic_conductivity_S_per_cm)} S/cm`);
    }
  }
  const problems = r.problems.length ? `${parts.length ? "; " : ""}${r.problems.join("; ")}` : "";
  return parts.length
    ? `${r.cell_code} ${parts.join(" ")}${problems}`
    : `${r.cell_code}: ${problems}`;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
