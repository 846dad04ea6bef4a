// Copyright 2026 the battery-analysis authors. MIT license.
// Shared plumbing of the command-line tools: store selection, output, errors.
// deno-lint-ignore-file no-console

import { loadConfig, type LoadedConfig } from "../lib/config/load_config.ts";
import { openStore } from "../lib/store/open_store.ts";
import type { Store } from "../lib/store/store.ts";

/** Flags every store-using tool accepts. */
export const STORE_FLAGS = {
  db: { type: "string" },
  config: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Help text of {@link STORE_FLAGS}. */
export const STORE_FLAGS_HELP =
  `  --db DB          SQLite file, ":memory:" or mongodb:// URI (default: MONGO_URI,
                   MONGO_HOST/MONGO_PORT, config db_uri/db_path, else
                   ~/.battery_analysis/battery.db)
  --config FILE    configuration file (default ~/.battery_analysis.toml or .ini)
  --json           machine-readable output
  -h, --help       show this help`;

/** Load the configuration file named by `--config`, or the default one. */
export function readConfig(path: string | undefined): LoadedConfig {
  return loadConfig(path !== undefined ? { path } : {});
}

/** Open the store selected by `--db`, the environment or the configuration. */
export async function storeFrom(db: string | undefined, config: LoadedConfig): Promise<Store> {
  const explicit = db === undefined
    ? {}
    : /^mongodb(\+srv)?:\/\//.test(db)
    ? { uri: db }
    : { path: db };
  return await openStore({ ...explicit, config, optionSource: "--db flag" });
}

/** Print an error for the user (never a stack trace) and return exit code 2. */
export function fail(error: unknown): number {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 2;
}

/** Whether standard error is a terminal (for progress bars). */
export function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}
