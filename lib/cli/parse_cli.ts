// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * The shared command-line front end: flags typed from the tool's spec (`parseFlags`), the
 * configuration file as defaults for flags that declare a `config` key, `--json`, `--config
 * PATH`, and for tools that use the store `--db` (a `mongodb://` URI, a SQLite path or
 * `:memory:`), `--db-name` and `--create`. Precedence: flag > environment (store selection only)
 * > configuration file > default. The configuration file and the store code are loaded only
 * when used, so a tool that reads files only needs read permission, and `--help` loads nothing.
 *
 * A tool reads like its help text:
 *
 * ```ts ignore
 * const SPEC = { name: "migrate", summary: "...", usage: "migrate [--dry-run]", store: true,
 *   options: { "dry-run": { type: "boolean", description: "only report" } } } as const
 *   satisfies CliSpec;
 * export function main(args: string[]): Promise<number> {
 *   return runCli(SPEC, args, async (cli) => {
 *     const dryRun: boolean = cli.values["dry-run"]; // typed from SPEC
 *     const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
 *     const store = await openCliStore(cli);
 *     ...
 *   });
 * }
 * ```
 *
 * @module
 */

import type { BatteryConfig, LoadedConfig } from "../config/load_config.ts";
import type { OpenStoreOptions } from "../store/open_store.ts";
import type { CliContext, CliSpec } from "./cli_spec.ts";
import { parseFlags } from "./parse_flags.ts";

export type { CliContext, CliOption, CliSpec, FlagValues } from "./cli_spec.ts";
export { UsageError } from "./usage_error.ts";

/** Read the configuration file and print its warnings (`TOOL: warning: ...`) on stderr. */
async function readConfig(
  tool: string,
  options: { path?: string; home?: string },
): Promise<LoadedConfig> {
  const { loadConfig } = await import("../config/load_config.ts");
  const config = loadConfig(options);
  for (const warning of config.warnings) console.error(`${tool}: warning: ${warning}`);
  return config;
}

/**
 * The configuration file of a parsed command line, read now (and kept in `cli.config` and
 * `cli.storeOptions`) when the parse did not read it.
 *
 * @param cli The parsed command line.
 * @returns The configuration read.
 *
 * @example Usage
 * ```ts
 * import { cliConfig, parseCli } from "./parse_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * const cli = await parseCli([], { name: "t", summary: "", usage: "", store: true },
 *   { home: "/nonexistent-home", env: {} });
 * equal(cli.config === null, true); // no flag takes its default from the file: not read yet
 * equal((await cliConfig(cli)).path, null); // read now: there is none
 * equal(cli.config?.path, null);
 * ```
 */
export async function cliConfig(
  cli: Pick<CliContext, "spec" | "storeOptions" | "config">,
): Promise<LoadedConfig> {
  if (cli.config === null) {
    cli.config = await readConfig(cli.spec.name, { home: cli.storeOptions.home });
    cli.storeOptions.config = cli.config;
  }
  return cli.config;
}

/**
 * Parse a command line: flags (see `parseFlags`), the configuration file, defaults and store
 * options. Configuration warnings are printed on stderr (`TOOL: warning: ...`).
 *
 * @param args The arguments (`Deno.args`).
 * @param spec The tool's spec.
 * @param env Environment and home directory (for tests). @default {Deno.env, os.homedir()}
 * @returns The parsed command line, its values typed from the spec.
 *
 * @example Usage
 * ```ts
 * import { parseCli } from "./parse_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * const cli = await parseCli(["--workers", "3", "a"], {
 *   name: "t", summary: "", usage: "", options: {
 *     workers: { type: "integer", description: "", config: "workers" },
 *   },
 * } as const, { home: "/nonexistent-home", env: {} });
 * const workers: number | undefined = cli.values.workers;
 * equal(workers, 3);
 * equal(cli.positionals[0], "a");
 * ```
 */
export async function parseCli<S extends CliSpec>(
  args: string[],
  spec: S,
  env: { env?: Record<string, string | undefined>; home?: string } = {},
): Promise<CliContext<S>> {
  const { values, positionals, given } = parseFlags(args, spec);
  const flags: Record<string, unknown> = values;
  const configPath = typeof flags.config === "string" ? flags.config : undefined;
  // The configuration file is read now only when a flag takes its default from it or --config
  // names it; the store reads it when opened. A file tool then needs read permission only.
  const options = Object.entries(spec.options ?? {});
  const config = options.some(([, o]) => o.config) || configPath !== undefined
    ? await readConfig(spec.name, { path: configPath, home: env.home })
    : null;
  for (const [name, o] of options) {
    const value = o.config ? config?.values[o.config as keyof BatteryConfig] : undefined;
    if (!given.has(name) && value !== undefined) flags[name] = value;
  }
  const db = typeof flags.db === "string" ? flags.db : undefined;
  const storeOptions: OpenStoreOptions = {
    ...(config ? { config } : {}),
    env: env.env,
    home: env.home,
    dbName: typeof flags["db-name"] === "string" ? flags["db-name"] : undefined,
    create: flags.create === true,
    createHint: "--create",
    ...(db === undefined ? {} : { optionSource: "--db flag" }),
    ...(db === undefined
      ? {}
      : /^mongodb(\+srv)?:\/\//.test(db)
      ? { uri: db }
      : db === ":memory:"
      ? { memory: true }
      : { path: db }),
  };
  return { spec, values, positionals, json: flags.json === true, config, storeOptions };
}
