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

/** The cycle methods `--cycle-method` accepts. */
export const CYCLE_METHODS = ["auto", "cycle_index", "step", "current_sign"] as const;

/**
 * Parse a numeric flag: `undefined` when absent, else a finite number ≥ `min` (an integer with
 * `integer`), or a RangeError naming the flag.
 */
export function numberFlag(
  name: string,
  text: string | undefined,
  options: { min?: number; integer?: boolean } = {},
): number | undefined {
  if (text === undefined) return undefined;
  const n = text.trim() === "" ? NaN : Number(text);
  const min = options.min ?? -Infinity;
  if (!Number.isFinite(n) || n < min || (options.integer && !Number.isInteger(n))) {
    throw new RangeError(
      `--${name} must be ${options.integer ? "an integer" : "a number"}${
        Number.isFinite(min) ? ` ≥ ${min}` : ""
      }, got "${text}"`,
    );
  }
  return n;
}

/**
 * An AbortSignal that fires on Ctrl-C (SIGINT) or SIGTERM (where the platform has it); call
 * `dispose()` to remove the listeners.
 */
export function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  const added: Deno.Signal[] = [];
  for (const s of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(s, onSignal);
      added.push(s);
    } catch {
      // SIGTERM does not exist on Windows.
    }
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of added) Deno.removeSignalListener(s, onSignal);
    },
  };
}

/** Left-aligned plain-text table (numbers right-aligned), one string per line. */
export function formatTable(headers: string[], rows: (string | number | null)[][]): string[] {
  const cells = rows.map((r) => r.map((c) => (c === null ? "" : String(c))));
  const numeric = headers.map((_, i) =>
    rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number")
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
}

/** RFC 4180 CSV text (CRLF line ends; fields quoted when needed). */
export function toCsv(headers: string[], rows: (string | number | null)[][]): string {
  const field = (v: string | number | null): string => {
    const s = v === null ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers, ...rows].map((r) => r.map(field).join(",")).join("\r\n") + "\r\n";
}
