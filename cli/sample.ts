// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Show and set the sample properties a lab needs for the numbers.
 *
 * ```sh
 * deno run -A cli/sample.ts list [--chemistry TEXT] [--cell CODE]
 * deno run -A cli/sample.ts show NAME|ID
 * deno run -A cli/sample.ts add NAME [--area 1.13cm2] ...
 * deno run -A cli/sample.ts set NAME|ID [--area 1.13cm2] [--clear FIELD]...
 * deno run -A cli/sample.ts import-sheet FILE [--dry-run]
 * ```
 *
 * @module
 */

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { storeJson } from "../lib/cli/store_json.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { formatTable } from "../lib/cli/format_table.ts";
import { SAMPLE_OPTIONS, sampleFlagOf, sampleInfoFromFlags } from "../lib/cli/sample_options.ts";
import { SAMPLE_PROPERTIES } from "../parsers/sample_property.ts";
import type { SampleSheetReport } from "../lib/samples/apply_sample_sheet.ts";
import type { SamplePropertiesUpdate } from "../lib/samples/set_sample_properties.ts";
import type { Sample } from "../lib/store/documents.ts";
import type { Store } from "../lib/store/store.ts";
import type { SampleInfo } from "../lib/model/sample_info.ts";

const SPEC = {
  name: "sample",
  summary: [
    "Show and set the sample properties the numbers need: cell code, chemistry, form factor,",
    "nominal capacity, active mass (specific capacity, mAh/g), electrode area (areal capacity,",
    "ASR), thickness (ionic conductivity).",
    "",
    "  list                 samples with their properties and number of tests",
    "  show NAME|ID         one sample: properties, aggregates, tests",
    "  add NAME             create a sample with the properties given as flags",
    "  set NAME|ID          set the properties given as flags on a stored sample; a new",
    "                       cell code reaches the sample's tests and their cell dataset",
    "  import-sheet FILE    apply a sample sheet (CSV, XLSX or TOML) to the stored samples:",
    "                       rows naming a sample set its properties; rows with file names or",
    "                       glob patterns apply to the stored tests of those files",
    "",
    "Quantities take their unit: --nominal-capacity 1.5mAh, --active-mass 12.1mg,",
    "--area 1.13cm2, --thickness 50um. A sheet gives it in the header (Capacity (mAh),",
    "area_cm2) or the cell. Exit code 0 on success, 1 on errors, 2 on usage errors.",
  ].join("\n"),
  usage: "list [--chemistry TEXT] [--cell-code CODE] | show NAME|ID\n" +
    "  sample add NAME [property flags]\n" +
    "  sample set NAME|ID [property flags] [--clear FIELD]...\n" +
    "  sample import-sheet FILE [--dry-run]",
  store: true,
  options: {
    ...SAMPLE_OPTIONS,
    clear: {
      type: "string",
      multiple: true,
      value: "FIELD",
      description: `set: clear a property (${
        SAMPLE_PROPERTIES.map((p) => sampleFlagOf(p.field)).join(", ")
      })`,
    },
    "dry-run": { type: "boolean", description: "import-sheet: report what would change" },
    // list filters: --chemistry (substring, any case) and --cell-code (exact).
  },
  examples: [
    "sample list",
    "sample set BL_Zn_SymCell_072023_04_1mAh --chemistry 'Zn|Zn(TFSI)2|Zn' --area 1.13cm2",
    "sample add CN12 --nominal-capacity 2.5mAh --active-mass 12.1mg --form-factor 2032",
    "sample import-sheet samples.xlsx --dry-run",
    "sample show CN12 --json",
  ],
} as const satisfies CliSpec;

const COMMANDS = ["list", "show", "add", "set", "import-sheet"] as const;

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const [command, ...rest] = cli.positionals;
    if (!COMMANDS.includes(command as typeof COMMANDS[number])) {
      throw new UsageError(
        command === undefined
          ? `give a command: ${COMMANDS.join(", ")}`
          : `unknown command "${command}" (use ${COMMANDS.join(", ")})`,
      );
    }
    const v = cli.values;
    // In "list", --chemistry and --cell-code filter; elsewhere flags are properties to set.
    const info: SampleInfo = sampleInfoFromFlags(v);
    if (command === "list") {
      const extra = Object.keys(info).filter((f) => f !== "chemistry" && f !== "cell_code");
      if (extra.length) {
        throw new UsageError(
          `list filters by --chemistry and --cell-code only, not --${
            sampleFlagOf(extra[0] as keyof SampleInfo)
          }`,
        );
      }
      for (const f of Object.keys(info)) delete (info as Record<string, unknown>)[f];
    }
    const clear = v.clear ?? [];
    for (const name of clear) {
      const p = SAMPLE_PROPERTIES.find((p) => sampleFlagOf(p.field) === name);
      if (!p) throw new UsageError(`--clear: unknown property "${name}"`);
      if (info[p.field] !== undefined) {
        throw new UsageError(`--${name} and --clear ${name} contradict each other`);
      }
      (info as Record<string, unknown>)[p.field] = null;
    }
    const wantsArgs = command === "list" ? 0 : 1;
    if (rest.length !== wantsArgs) {
      throw new UsageError(
        wantsArgs === 0
          ? `"${command}" takes no argument`
          : `"${command}" takes one argument (${command === "import-sheet" ? "FILE" : "NAME|ID"})`,
      );
    }
    if (command !== "set" && command !== "add" && Object.keys(info).length > 0) {
      throw new UsageError(`property flags and --clear go with "set" or "add", not "${command}"`);
    }
    if (command === "set" && Object.keys(info).length === 0) {
      throw new UsageError("set: give at least one property flag or --clear");
    }
    if (command !== "import-sheet" && v["dry-run"]) {
      throw new UsageError('--dry-run goes with "import-sheet"');
    }
    // Read the sheet before opening the store: a bad sheet changes nothing.
    const { readSampleSheet } = await import("../lib/samples/read_sample_sheet.ts");
    const { applySampleSheet } = await import("../lib/samples/apply_sample_sheet.ts");
    const { setSampleProperties } = await import("../lib/samples/set_sample_properties.ts");
    const sheet = command === "import-sheet" ? await readSampleSheet(rest[0]) : null;
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const store = await openCliStore(cli);
    try {
      switch (command) {
        case "list":
          return await list(store, {
            json: cli.json,
            chemistry: v.chemistry,
            cell: v["cell-code"],
          });
        case "show":
          return await show(store, rest[0], cli.json);
        case "add":
        case "set": {
          if (command === "add" && (await store.samples.getByName(rest[0]))) {
            throw new UsageError(`sample "${rest[0]}" exists; change it with "set"`);
          }
          const r = await setSampleProperties(store, rest[0], info, { create: command === "add" });
          if (cli.json) console.log(storeJson(store, { ...r }));
          else printUpdate(r);
          return 0;
        }
        default: {
          const report = await applySampleSheet(store, sheet!, { dryRun: v["dry-run"] });
          if (cli.json) console.log(storeJson(store, { ...report }));
          else printReport(report);
          return 0;
        }
      }
    } finally {
      await store.close();
    }
  });
}

/** A quantity for people: value in a handy unit, or empty. */
function shown(value: number | null | undefined, scale: number, digits = 4): string | null {
  return typeof value === "number" ? String(+(value * scale).toPrecision(digits)) : null;
}

async function list(
  store: Store,
  q: { json: boolean; chemistry?: string; cell?: string },
): Promise<number> {
  let samples = await store.samples.find(q.cell !== undefined ? { cell_code: q.cell } : {});
  // --chemistry here is a sample property flag; as a filter it matches a substring, any case.
  if (q.chemistry !== undefined) {
    const needle = q.chemistry.toLowerCase();
    samples = samples.filter((s) => s.chemistry?.toLowerCase().includes(needle));
  }
  if (q.json) {
    console.log(storeJson(store, { samples }));
    return 0;
  }
  if (samples.length === 0) {
    console.log("No samples found.");
    return 0;
  }
  const rows = samples.map((s) => [
    s.name,
    s.cell_code,
    s.chemistry,
    s.form_factor,
    shown(s.nominal_capacity_Ah, 1000),
    shown(s.active_mass_g ?? null, 1000),
    shown(s.area_cm2, 1),
    shown(s.thickness_cm, 1e4),
    s.metrics.test_count,
  ]);
  const headers = [
    "Sample",
    "Cell",
    "Chemistry",
    "Form",
    "Nominal mAh",
    "Active mg",
    "Area cm2",
    "Thickness um",
    "Tests",
  ];
  for (const line of formatTable(headers, rows)) console.log(line);
  console.log(`${samples.length} sample${samples.length === 1 ? "" : "s"}`);
  return 0;
}

async function findSample(store: Store, key: string): Promise<Sample> {
  const sample = (await store.samples.get(key)) ?? (await store.samples.getByName(key));
  if (!sample) throw new UsageError(`no sample "${key}"`);
  return sample;
}

async function show(store: Store, key: string, json: boolean): Promise<number> {
  const sample = await findSample(store, key);
  const tests = await store.tests.find({ sample_id: sample.id, without_cycles: true });
  const testRows = tests.map((t) => ({
    id: t.id,
    name: t.name,
    cell_code: t.cell_code,
    test_type: t.test_type,
    start_time: t.start_time,
  }));
  if (json) {
    console.log(storeJson(store, { sample, tests: testRows }));
    return 0;
  }
  const fields: [string, string | null][] = [
    ["id", sample.id],
    ["cell code", sample.cell_code],
    ["chemistry", sample.chemistry],
    ["form factor", sample.form_factor],
    ["manufacturer", sample.manufacturer],
    ["nominal capacity", withUnit(shown(sample.nominal_capacity_Ah, 1000), "mAh")],
    ["active mass", withUnit(shown(sample.active_mass_g ?? null, 1000), "mg")],
    ["mass", withUnit(shown(sample.mass_g, 1), "g")],
    ["area", withUnit(shown(sample.area_cm2, 1), "cm2")],
    ["thickness", withUnit(shown(sample.thickness_cm, 1e4), "um")],
    ["description", sample.description],
  ];
  console.log(`Sample ${sample.name}`);
  for (const [k, value] of fields) console.log(`  ${k.padEnd(17)} ${value ?? "—"}`);
  console.log(`Tests (${tests.length})`);
  if (tests.length) {
    const rows = testRows.map((t) => [t.id, t.name, t.cell_code, t.test_type]);
    for (const line of formatTable(["ID", "Name", "Cell", "Type"], rows)) console.log(`  ${line}`);
  }
  return 0;
}

function withUnit(value: string | null, unit: string): string | null {
  return value === null ? null : `${value} ${unit}`;
}

function printUpdate(r: SamplePropertiesUpdate): void {
  const verb = r.created ? "created" : r.changed.length ? "updated" : "unchanged";
  console.log(`Sample ${r.sample.name}: ${verb}`);
  for (const c of r.changed) {
    console.log(`  ${c.field}: ${c.from ?? "—"} → ${c.to ?? "—"}`);
  }
  if (r.tests_updated.length) console.log(`  cell code given to ${r.tests_updated.length} test(s)`);
  for (const t of r.tests_kept) {
    console.log(`  test ${t.name} keeps its own cell code ${t.cell_code}`);
  }
  if (r.datasets_updated.length) {
    console.log(`  cell datasets updated: ${r.datasets_updated.join(", ")}`);
  }
  if (r.tests_analyzed.length) {
    console.log(`  analysis of ${r.tests_analyzed.length} test(s) computed again`);
  }
  for (const f of r.analysis_failures) console.log(`  test ${f.id}: ${f.error}`);
}

function printReport(r: SampleSheetReport): void {
  const would = r.dry_run ? " (dry run: nothing written)" : "";
  console.log(`Sample sheet ${r.file}${would}`);
  for (const s of r.samples) {
    const state = s.created ? "new" : s.changed.length ? "changed" : "unchanged";
    console.log(`  ${s.name} (${state}; line ${s.lines.join(", ")})`);
    for (const c of s.changed) console.log(`    ${c.field}: ${c.from ?? "—"} → ${c.to ?? "—"}`);
  }
  for (const m of r.moved) console.log(`  test ${m.test}: sample ${m.from ?? "—"} → ${m.to}`);
  if (r.datasets_updated.length) {
    console.log(`  cell datasets updated: ${r.datasets_updated.join(", ")}`);
  }
  for (const w of r.warnings) console.log(`  warning: ${w}`);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
