// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * A tool's command line as data (`CliSpec`): its flags with their types, defaults, allowed values
 * and help text. Everything else derives from it: the parsed values and their TypeScript types
 * (`FlagValues`), the checks, and the help. This module loads nothing, so that `--help` loads
 * nothing either.
 *
 * @module
 */

import type { BatteryConfig, LoadedConfig } from "../config/load_config.ts";
import type { OpenStoreOptions } from "../store/open_store.ts";

/** One flag. */
export interface CliOption {
  /** Value type; numbers are checked (`integer`: whole numbers). */
  readonly type: "string" | "boolean" | "number" | "integer";
  /** One-letter alias. */
  readonly short?: string;
  /** May be repeated (values collected into an array). */
  readonly multiple?: boolean;
  /** Help text. */
  readonly description: string;
  /** Configuration-file key that gives this flag's default. */
  readonly config?: keyof BatteryConfig;
  /** Built-in default. */
  readonly default?: string | boolean | number | readonly string[];
  /** Placeholder in help (`N`, `PATH`). */
  readonly value?: string;
  /** The values a string flag accepts (its type is then their union). */
  readonly choices?: readonly string[];
  /** Smallest value of a number flag. */
  readonly min?: number;
  /** Largest value of a number flag. */
  readonly max?: number;
  /** A number flag must be more than 0. */
  readonly positive?: boolean;
}

/** A tool's command line. */
export interface CliSpec {
  /** Tool name. */
  readonly name: string;
  /** What it does: a line, or paragraphs. */
  readonly summary: string;
  /** Usage line(s) without the name. */
  readonly usage: string;
  /**
   * Flags besides the standard ones (`--help`, `--json`, `--config`). A tool may list a
   * standard flag to give it its own description (`json`).
   */
  readonly options?: Readonly<Record<string, CliOption>>;
  /** Adds `--db`, `--db-name` and `--create`, and lets the tool open the store. */
  readonly store?: boolean;
  /**
   * The tool reads the configuration file (`--config PATH`). @default {true}
   */
  readonly configFile?: boolean;
  /** Example invocations. */
  readonly examples?: readonly string[];
}

/** `--help` and `--json`: every tool has them. */
export const STANDARD_OPTIONS = {
  help: { type: "boolean", short: "h", description: "show this help and exit" },
  json: { type: "boolean", description: "print machine-readable JSON" },
} as const satisfies Record<string, CliOption>;

/** `--config`: every tool that reads the configuration file. */
export const CONFIG_OPTIONS = {
  config: {
    type: "string",
    value: "PATH",
    description: "configuration file (default ~/.battery_analysis.toml, then .ini)",
  },
} as const satisfies Record<string, CliOption>;

/** The store flags of tools with `store: true`. */
export const STORE_OPTIONS = {
  db: {
    type: "string",
    value: "URI|PATH",
    description: "store: mongodb://… URI, SQLite file or :memory: (default: env, config, " +
      "~/.battery_analysis/battery.db)",
  },
  "db-name": { type: "string", value: "NAME", description: "MongoDB database name" },
  create: {
    type: "boolean",
    description: "create the SQLite store (file and folder) given by --db or db_path when it " +
      "does not exist (the default store is always created)",
  },
} as const satisfies Record<string, CliOption>;

type Options<S extends CliSpec> = S["options"] extends Readonly<Record<string, CliOption>>
  ? S["options"]
  : Record<never, CliOption>;
type Config<S extends CliSpec> = S["configFile"] extends false ? Record<never, CliOption>
  : typeof CONFIG_OPTIONS;
type Store<S extends CliSpec> = S["store"] extends true ? typeof STORE_OPTIONS
  : Record<never, CliOption>;

/** Every flag of a tool: its own, the store's, `--config`, `--help` and `--json`. */
export type AllOptions<S extends CliSpec> =
  & Omit<typeof STANDARD_OPTIONS, keyof Options<S>>
  & Config<S>
  & Store<S>
  & Options<S>;

type Scalar<O extends CliOption> = O["type"] extends "boolean" ? boolean
  : O["type"] extends "string" ? O extends { choices: readonly (infer C)[] } ? C : string
  : number;
type Value<O extends CliOption> = O extends { multiple: true } ? Scalar<O>[] : Scalar<O>;
type Always<O extends CliOption> = O extends { type: "boolean" } ? true
  : O extends { default: unknown } ? true
  : false;

/**
 * The parsed values of a tool's flags, typed from its spec: `string`, `number` or `boolean`
 * (the union of `choices` when given), an array when `multiple`, and `| undefined` unless the
 * flag has a default (booleans are `false` when absent).
 */
export type FlagValues<S extends CliSpec> = {
  -readonly [K in keyof AllOptions<S>]: AllOptions<S>[K] extends CliOption
    ? Always<AllOptions<S>[K]> extends true ? Value<AllOptions<S>[K]>
    : Value<AllOptions<S>[K]> | undefined
    : never;
};

/**
 * Every flag of a tool, in help order: its own flags first, then the store's, then the standard
 * ones (a standard flag the tool lists keeps the tool's place and description).
 *
 * @param spec The tool's spec.
 * @returns Flag name → option.
 *
 * @example Usage
 * ```ts
 * import { specOptions } from "./cli_spec.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(Object.keys(specOptions({ name: "t", summary: "", usage: "", configFile: false })), [
 *   "help",
 *   "json",
 * ]);
 * ```
 */
export function specOptions(spec: CliSpec): Readonly<Record<string, CliOption>> {
  const own = spec.options ?? {};
  const rest: Record<string, CliOption> = {
    ...(spec.store ? STORE_OPTIONS : {}),
    ...STANDARD_OPTIONS,
    ...(spec.configFile === false ? {} : CONFIG_OPTIONS),
  };
  for (const name of Object.keys(own)) delete rest[name];
  return { ...own, ...rest };
}

/** A parsed command line. */
export interface CliContext<S extends CliSpec = CliSpec> {
  /** The tool's spec. */
  spec: S;
  /** Flag values after applying the configuration file and defaults (`undefined` = unset). */
  values: FlagValues<S>;
  /** Positional arguments. */
  positionals: string[];
  /** `--json` was given. */
  json: boolean;
  /**
   * The configuration file: read at parse time when a flag takes its default from it or
   * `--config` names it, else `null` until `openCliStore` reads it.
   */
  config: LoadedConfig | null;
  /** What `openCliStore` will pass to `openStore` (and the home directory, for tests). */
  storeOptions: OpenStoreOptions;
}
