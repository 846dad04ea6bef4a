// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * The shared command-line front end: flags with `node:util` `parseArgs`, the configuration file
 * as defaults for flags that declare a `config` key, `--help`, `--json`, `--config PATH`, and for
 * tools that use the store `--db` (a `mongodb://` URI, a SQLite path or `:memory:`) and
 * `--db-name`. Precedence: flag > environment (store selection only) > configuration file >
 * default.
 *
 * A tool reads like its help text:
 *
 * ```ts ignore
 * const SPEC = { name: "migrate", summary: "...", usage: "migrate [--dry-run]", store: true,
 *   options: { "dry-run": { type: "boolean", description: "only report" } } } as const;
 * export function main(args: string[]): Promise<number> {
 *   return runCli(SPEC, args, async (cli) => { const store = await openCliStore(cli); ... });
 * }
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type BatteryConfig, loadConfig, type LoadedConfig } from "../config/load_config.ts";
import { openStore, type OpenStoreOptions } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import { redactText } from "../store/redact.ts";
import { reportUsageError } from "./usage_error.ts";

/** One flag. */
export interface CliOption {
  /** Value type; numbers are checked. */
  type: "string" | "boolean" | "number" | "integer";
  /** One-letter alias. */
  short?: string;
  /** May be repeated (values collected into an array). */
  multiple?: boolean;
  /** Help text. */
  description: string;
  /** Configuration-file key that gives this flag's default. */
  config?: keyof BatteryConfig;
  /** Built-in default. */
  default?: string | boolean | number | string[];
  /** Placeholder in help (`N`, `PATH`). */
  value?: string;
}

/** A tool's command line. */
export interface CliSpec {
  /** Tool name. */
  name: string;
  /** One line saying what it does. */
  summary: string;
  /** Usage line(s) without the name. */
  usage: string;
  /** Flags besides the standard ones. */
  options?: Record<string, CliOption>;
  /** Adds `--db` and `--db-name` and enables {@link openCliStore}. */
  store?: boolean;
  /** Example invocations. */
  examples?: string[];
}

/** A parsed command line. */
export interface CliContext {
  /** The tool's spec. */
  spec: CliSpec;
  /** Flag values after applying the configuration file and defaults (`undefined` = unset). */
  values: Record<string, unknown>;
  /** Positional arguments. */
  positionals: string[];
  /** `--json` was given. */
  json: boolean;
  /** `--help` was given. */
  help: boolean;
  /** The configuration file read. */
  config: LoadedConfig;
  /** What `openCliStore` will pass to `openStore`. */
  storeOptions: OpenStoreOptions;
}

/**
 * A command line that cannot be understood.
 *
 * @example Usage
 * ```ts
 * import { UsageError } from "./parse_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(new UsageError("--workers must be an integer") instanceof TypeError, true);
 * ```
 */
export class UsageError extends TypeError {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const STANDARD: Record<string, CliOption> = {
  help: { type: "boolean", short: "h", description: "show this help and exit" },
  json: { type: "boolean", description: "print machine-readable JSON" },
  config: {
    type: "string",
    value: "PATH",
    description: "configuration file (default ~/.battery_analysis.toml, then .ini)",
  },
};
const STORE: Record<string, CliOption> = {
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
};

function allOptions(spec: CliSpec): Record<string, CliOption> {
  return { ...(spec.options ?? {}), ...(spec.store ? STORE : {}), ...STANDARD };
}

/**
 * The help text of a tool.
 *
 * @param spec The tool's spec.
 * @returns Usage, summary, options and examples.
 *
 * @example Usage
 * ```ts
 * import { formatHelp } from "./parse_cli.ts";
 * import { match } from "node:assert/strict";
 *
 * const help = formatHelp({ name: "tool", summary: "Do things.", usage: "[--n N]",
 *   options: { n: { type: "integer", value: "N", description: "how many" } } });
 * match(help, /^Usage: tool \[--n N\]/);
 * match(help, /--n N\s+how many/);
 * ```
 */
export function formatHelp(spec: CliSpec): string {
  const rows = Object.entries(allOptions(spec)).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`;
    const extra = [
      o.multiple ? "repeatable" : "",
      o.config ? `config: ${o.config}` : "",
      o.default !== undefined ? `default: ${JSON.stringify(o.default)}` : "",
    ].filter(Boolean).join("; ");
    return [flag, o.description + (extra ? ` (${extra})` : "")];
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  const lines = [
    `Usage: ${spec.name} ${spec.usage}`,
    "",
    spec.summary,
    "",
    "Options:",
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`),
  ];
  if (spec.examples?.length) {
    lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  }
  return lines.join("\n");
}

/**
 * Parse a command line: flags, the configuration file, defaults and store options.
 *
 * @param args The arguments (`Deno.args`).
 * @param spec The tool's spec.
 * @param env Environment and home directory (for tests). @default {Deno.env, os.homedir()}
 * @returns The parsed command line; `--help` skips reading the configuration file, and so does
 *   a tool that neither uses the store nor has a flag with a `config` key (unless `--config`
 *   names a file).
 *
 * @example Usage
 * ```ts
 * import { parseCli } from "./parse_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * const cli = parseCli(["--workers", "3", "a"], {
 *   name: "t", summary: "", usage: "", options: {
 *     workers: { type: "integer", description: "", config: "workers" },
 *   },
 * }, { home: "/nonexistent-home", env: {} });
 * equal(cli.values.workers, 3);
 * equal(cli.positionals[0], "a");
 * ```
 */
export function parseCli(
  args: string[],
  spec: CliSpec,
  env: { env?: Record<string, string | undefined>; home?: string } = {},
): CliContext {
  const options = allOptions(spec);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, {
          type: o.type === "boolean" ? "boolean" as const : "string" as const,
          ...(o.short ? { short: o.short } : {}),
          ...(o.multiple ? { multiple: true } : {}),
        }]),
      ),
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const raw = parsed.values as Record<string, unknown>;
  const help = raw.help === true;
  // The configuration file is read only by tools that use it (the store, or a flag with a
  // `config` key) or when --config names one: a file tool then needs read permission only.
  const usesConfig = spec.store === true || Object.values(spec.options ?? {}).some((o) => o.config);
  const config: LoadedConfig = help || (!usesConfig && raw.config === undefined)
    ? { path: null, values: {}, warnings: [] }
    : loadConfig({ path: raw.config as string | undefined, home: env.home });
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) {
    let value = raw[name];
    const type = o.type;
    if (value !== undefined && (type === "number" || type === "integer")) {
      value = Array.isArray(value)
        ? value.map((v) => toNumber(name, v, type))
        : toNumber(name, value as string, type);
    }
    if (value === undefined && o.config && config.values[o.config] !== undefined) {
      value = config.values[o.config];
    }
    if (value === undefined) value = o.default;
    values[name] = value;
  }
  const storeOptions: OpenStoreOptions = {
    config: config,
    env: env.env,
    home: env.home,
    dbName: values["db-name"] as string | undefined,
    create: values.create === true,
    createHint: "--create",
  };
  const db = values.db as string | undefined;
  if (db !== undefined) {
    storeOptions.optionSource = "--db flag";
    if (/^mongodb(\+srv)?:\/\//.test(db)) storeOptions.uri = db;
    else if (db === ":memory:") storeOptions.memory = true;
    else storeOptions.path = db;
  }
  return {
    spec,
    values,
    positionals: parsed.positionals,
    json: values.json === true,
    help,
    config,
    storeOptions,
  };
}

function toNumber(name: string, text: string, type: "number" | "integer"): number {
  const value = Number(text);
  if (
    text.trim() === "" || !Number.isFinite(value) ||
    (type === "integer" && !Number.isInteger(value))
  ) {
    throw new UsageError(
      `--${name} must be ${type === "integer" ? "an integer" : "a number"}, got "${text}"`,
    );
  }
  return value;
}

/**
 * Open the store a parsed command line selects (`--db`, environment, configuration, default)
 * and say which on stderr (`Store: SQLite file /home/u/.battery_analysis/battery.db (default)`,
 * credentials redacted): every store tool names the store it used. Tools with `--json` also put
 * `store.describe()` in their JSON.
 *
 * @param cli The parsed command line.
 * @param options `readOnly`: open for reading only (tools that never write). @default {false}
 * @returns The open store.
 *
 * @example Usage
 * ```ts
 * import { openCliStore, parseCli } from "./parse_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * const cli = parseCli(["--db", ":memory:"], { name: "t", summary: "", usage: "", store: true },
 *   { env: {}, home: "/nonexistent-home" });
 * const store = await openCliStore(cli);
 * equal(store.describe().source, "--db flag");
 * await store.close();
 * ```
 */
export async function openCliStore(
  cli: CliContext,
  options: { readOnly?: boolean } = {},
): Promise<Store> {
  if (!cli.spec.store) throw new TypeError(`${cli.spec.name}: its spec does not use the store`);
  const store = await openStore({
    ...cli.storeOptions,
    ...(options.readOnly ? { readOnly: true } : {}),
  });
  console.error(`Store: ${store.describe().text}`);
  return store;
}

/**
 * The `--json` output of a store tool: its result beside `store`, the description of the store
 * it used (`Store.describe()`, credentials redacted), so that a script can check which store
 * answered.
 *
 * @param store The store the tool used.
 * @param result What the tool found or did (arrays go under a named key).
 * @returns One line of JSON: `{"store": {...}, ...result}`.
 *
 * @example Usage
 * ```ts
 * import { storeJson } from "./parse_cli.ts";
 * import { openStore } from "../store/open_store.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const store = await openStore({ memory: true });
 * const parsed = JSON.parse(storeJson(store, { cells: [] }));
 * deepEqual(Object.keys(parsed), ["store", "cells"]);
 * deepEqual(parsed.store.kind, "memory");
 * await store.close();
 * ```
 */
export function storeJson(store: Store, result: Record<string, unknown>): string {
  return JSON.stringify({ store: store.describe(), ...result });
}

/**
 * Run a tool: parse, print help or configuration warnings, call `handler`, and turn errors into
 * messages (credentials redacted) and exit codes: 2 for usage errors, 1 for other errors.
 *
 * @param spec The tool's spec.
 * @param args The arguments.
 * @param handler The tool; returns its exit code.
 * @returns The exit code.
 *
 * @example Usage
 * ```ts
 * import { runCli } from "./parse_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * const code = await runCli({ name: "t", summary: "", usage: "" }, ["--config", "/nonexistent"],
 *   () => Promise.resolve(0));
 * equal(code, 1); // an explicit configuration file that does not exist
 * ```
 */
export async function runCli(
  spec: CliSpec,
  args: string[],
  handler: (cli: CliContext) => Promise<number>,
): Promise<number> {
  try {
    const cli = parseCli(args, spec);
    if (cli.help) {
      console.log(formatHelp(spec));
      return 0;
    }
    for (const warning of cli.config.warnings) console.error(`${spec.name}: warning: ${warning}`);
    return await handler(cli);
  } catch (error) {
    const message = redactText(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) return reportUsageError(spec.name, message);
    console.error(`${spec.name}: ${message}`);
    return 1;
  }
}
