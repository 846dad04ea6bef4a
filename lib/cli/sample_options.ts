// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Flags that set sample properties (`sample set`, `import_directory`): one wording, one check,
 * quantities with their unit (`--nominal-capacity 1.5mAh`, `--area 1.13cm2`, `--thickness 50um`).
 *
 * @module
 */

import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import type { SampleInfo } from "../model/sample_info.ts";
import type { FileNameRule } from "../../parsers/file_name.ts";
import { parseSampleProperty, SAMPLE_PROPERTIES } from "../../parsers/sample_property.ts";
import type { SampleSheet } from "../../parsers/sample_sheet.ts";
import type { CliContext, CliOption, CliSpec } from "./cli_spec.ts";
import { UsageError } from "./usage_error.ts";

/** The flag of each sample property: `--cell-code`, `--nominal-capacity`, ... */
export type SampleFlag =
  | "cell-code"
  | "chemistry"
  | "form-factor"
  | "manufacturer"
  | "description"
  | "nominal-capacity"
  | "active-mass"
  | "mass"
  | "area"
  | "thickness";

/** A sample property flag: a text, or a quantity with its unit. */
export interface SampleOption extends CliOption {
  /** Always a string (quantities carry their unit). */
  readonly type: "string";
}

/** Flag name of each property (`nominal_capacity_Ah` → `nominal-capacity`). */
function flagOf(field: keyof SampleInfo): string {
  return SAMPLE_PROPERTIES.find((p) => p.field === field)!.aliases[0].replaceAll("_", "-");
}

/**
 * The sample property flags: `--cell-code`, `--chemistry`, `--form-factor`, `--manufacturer`,
 * `--description`, `--nominal-capacity`, `--active-mass`, `--mass`, `--area`, `--thickness`.
 *
 * @example Usage
 * ```ts
 * import { SAMPLE_OPTIONS } from "./sample_options.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(SAMPLE_OPTIONS["nominal-capacity"].value, "Q");
 * ```
 */
export const SAMPLE_OPTIONS: Readonly<Record<SampleFlag, SampleOption>> = sampleOptions();

function sampleOptions(): Record<SampleFlag, SampleOption> {
  const options: Partial<Record<string, SampleOption>> = {};
  for (const p of SAMPLE_PROPERTIES) {
    options[flagOf(p.field)] = {
      type: "string",
      value: p.kind === "text" ? "TEXT" : "Q",
      description: p.kind === "text" ? p.description : `${p.description}, with its unit`,
    };
  }
  const flags: SampleFlag[] = [
    "cell-code",
    "chemistry",
    "form-factor",
    "manufacturer",
    "description",
    "nominal-capacity",
    "active-mass",
    "mass",
    "area",
    "thickness",
  ];
  const names = Object.keys(options);
  if (names.length !== flags.length || flags.some((f) => !options[f])) {
    throw new TypeError(
      `Cannot define the sample flags: SampleFlag lists ${flags.join(", ")}, the sample ` +
        `properties give ${names.join(", ")}`,
    );
  }
  return options as Record<SampleFlag, SampleOption>;
}

/**
 * The sample properties given as flags, converted to the stored units.
 *
 * @param values Parsed flag values.
 * @returns The properties given (absent flags are absent).
 * @throws {UsageError} For a quantity without a unit or a value that is not positive.
 *
 * @example Usage
 * ```ts
 * import { sampleInfoFromFlags } from "./sample_options.ts";
 * import { deepEqual, throws } from "node:assert/strict";
 *
 * deepEqual(sampleInfoFromFlags({ "active-mass": "12 mg", chemistry: "LFP" }), {
 *   chemistry: "LFP", active_mass_g: 0.012,
 * });
 * throws(() => sampleInfoFromFlags({ area: "1.13" }), /--area: .*no unit/);
 * ```
 */
export function sampleInfoFromFlags(values: Record<string, unknown>): SampleInfo {
  const info: Record<string, unknown> = {};
  for (const p of SAMPLE_PROPERTIES) {
    const flag = flagOf(p.field);
    const value = values[flag];
    if (value === undefined) continue;
    if (typeof value !== "string" || value.trim() === "") {
      throw new UsageError(`--${flag} needs a value`);
    }
    try {
      info[p.field] = parseSampleProperty(p.aliases[0], value).value;
    } catch (error) {
      throw new UsageError(`--${flag}: ${(error as Error).message}`);
    }
  }
  return info as SampleInfo;
}

/**
 * The flag that sets a field, for messages and `--clear`.
 *
 * @param field A sample property field.
 * @returns Its flag name without dashes in front.
 *
 * @example Usage
 * ```ts
 * import { sampleFlagOf } from "./sample_options.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(sampleFlagOf("area_cm2"), "area");
 * ```
 */
export function sampleFlagOf(field: keyof SampleInfo): string {
  return flagOf(field);
}

/**
 * The flags of the import tools that say which sample a file belongs to: `--sample NAME`,
 * `--sample-sheet FILE` (default: `sample_sheet` of the configuration file) and the sample
 * property flags ({@link SAMPLE_OPTIONS}).
 *
 * @example Usage
 * ```ts
 * import { IMPORT_SAMPLE_OPTIONS } from "./sample_options.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(IMPORT_SAMPLE_OPTIONS["sample-sheet"].value, "FILE");
 * ```
 */
export const IMPORT_SAMPLE_OPTIONS = {
  sample: {
    type: "string",
    value: "NAME",
    description: "put every file in this sample (instead of the sheet's or the file name's)",
  },
  "sample-sheet": {
    type: "string",
    value: "FILE",
    description: "CSV, XLSX or TOML sheet mapping file names/patterns and sample names to " +
      "sample properties (default: sample_sheet of the configuration file)",
  },
  ...SAMPLE_OPTIONS,
} as const satisfies Record<string, CliOption>;

/** A spec with the sample flags of the import tools. */
interface ImportSampleSpec extends CliSpec {
  readonly options: typeof IMPORT_SAMPLE_OPTIONS;
}

/** What the import tools pass on about samples. */
export interface ImportSampleSettings {
  /** `--sample`. */
  sample?: string;
  /** The sample property flags. */
  sampleInfo?: SampleInfo;
  /** The sample sheet read. */
  sheet?: SampleSheet;
  /** The file-name rule of the configuration file. */
  fileNameRule: FileNameRule;
}

/**
 * Read the sample flags of an import tool: the property flags, the sample sheet (from
 * `--sample-sheet`, else the configuration's `sample_sheet`, relative to the configuration
 * file's folder; `~/` is the home directory) and the configuration's file-name rule.
 *
 * @param cli The parsed command line.
 * @returns The settings to pass to `importDirectory` / `watchDirectory`.
 * @throws {UsageError} For bad property flags.
 *
 * @example Usage
 * ```ts
 * import { importSampleSettings } from "./sample_options.ts";
 * import { parseCli } from "./parse_cli.ts";
 * import { IMPORT_SAMPLE_OPTIONS } from "./sample_options.ts";
 * import { equal } from "node:assert/strict";
 *
 * const cli = await parseCli(["--area", "2 cm2"], { name: "t", summary: "", usage: "",
 *   options: IMPORT_SAMPLE_OPTIONS }, { home: "/nonexistent-home", env: {} });
 * equal((await importSampleSettings(cli)).sampleInfo?.area_cm2, 2);
 * ```
 */
export async function importSampleSettings(
  cli: Pick<CliContext<ImportSampleSpec>, "spec" | "values" | "config" | "storeOptions">,
): Promise<ImportSampleSettings> {
  const { cliConfig } = await import("./parse_cli.ts");
  const config = await cliConfig(cli);
  const { fileNameRuleFromConfig } = await import("../config/file_name_rule.ts");
  const { readSampleSheet } = await import("../samples/read_sample_sheet.ts");
  const v = cli.values;
  const info = sampleInfoFromFlags(v);
  let sheetPath = v["sample-sheet"];
  const configured = config.values.sample_sheet;
  if (sheetPath === undefined && configured !== undefined) {
    sheetPath = configured.startsWith("~/")
      ? resolve(homedir(), configured.slice(2))
      : resolve(config.path ? dirname(config.path) : ".", configured);
  }
  const settings: ImportSampleSettings = {
    fileNameRule: fileNameRuleFromConfig(config.values),
  };
  if (typeof v.sample === "string") settings.sample = v.sample;
  if (Object.keys(info).length > 0) settings.sampleInfo = info;
  if (sheetPath !== undefined) settings.sheet = await readSampleSheet(sheetPath);
  return settings;
}
