// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The user configuration file: `~/.battery_analysis.toml` or `~/.battery_analysis.ini` (TOML wins
 * when both exist). Keys may be top-level or under a `[battery_analysis]` table/section (the table
 * wins over top-level keys). Values give defaults to command-line tools; flags override them.
 * A malformed file or a value of the wrong type is a {@link ConfigError} naming the file and line;
 * unknown keys are reported in `warnings`, never silently used.
 *
 * @module
 */

import { parse as parseToml, TomlError } from "npm:smol-toml@1.9.1";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SAMPLE_PROPERTIES, samplePropertyColumn } from "../../parsers/sample_property.ts";

/** Every setting the configuration file may hold. */
export interface BatteryConfig {
  /** MongoDB connection string; selects MongoDB. */
  db_uri: string;
  /** SQLite database file; selects the embedded store at that path. */
  db_path: string;
  /** MongoDB database name. */
  db_name: string;
  /** Parallel workers for imports (≥ 1). */
  workers: number;
  /** Retries for transient import errors (≥ 0). */
  retries: number;
  /** Include globs for imports (INI: comma-separated). */
  include: string[];
  /** Exclude globs for imports (INI: comma-separated). */
  exclude: string[];
  /** Watcher debounce, seconds (≥ 0). */
  debounce: number;
  /** Watcher depth (0 = top level only). */
  depth: number;
  /** Slack incoming-webhook URL for notifications. */
  slack_webhook: string;
  /** E-mail recipients for notifications. */
  email_recipients: string[];
  /** SMTP host for e-mail notifications. */
  smtp_host: string;
  /** Sender address for e-mail notifications. */
  email_sender: string;
  /** Redis URL for progress messages. */
  redis_url: string;
  /** Redis channel for progress messages. */
  redis_channel: string;
  /**
   * File-name patterns (regular expressions on the file stem, `/…/i` for flags), tried before the
   * built-in ones; named groups `sample`, `channel`, `technique`, `sequence`, `cell_code` and any
   * sample property (`nominal_capacity_mAh`, `active_mass_mg`, `area_cm2`, `thickness_um`,
   * `chemistry`, ...). See `fileNameRuleFromConfig`.
   */
  file_name_patterns: string[];
  /** Regular expression of a cell code (group `code` when present), replacing `CN\d+`. */
  cell_code_pattern: string;
  /** Sample sheet (CSV, XLSX or TOML) applied to every import. */
  sample_sheet: string;
}

type Kind = "string" | "list" | "regex" | "regex_list" | { int: number } | { number: number };

const SCHEMA: Record<keyof BatteryConfig, Kind> = {
  db_uri: "string",
  db_path: "string",
  db_name: "string",
  workers: { int: 1 },
  retries: { int: 0 },
  include: "list",
  exclude: "list",
  debounce: { number: 0 },
  depth: { int: 0 },
  slack_webhook: "string",
  email_recipients: "list",
  smtp_host: "string",
  email_sender: "string",
  redis_url: "string",
  redis_channel: "string",
  file_name_patterns: "regex_list",
  cell_code_pattern: "regex",
  sample_sheet: "string",
};

/** The names of all known settings. */
export const CONFIG_KEYS = Object.keys(SCHEMA) as (keyof BatteryConfig)[];

/** A configuration file as loaded. */
export interface LoadedConfig {
  /** The file read, or `null` when there is none. */
  path: string | null;
  /** The settings the file gives (only keys it sets). */
  values: Partial<BatteryConfig>;
  /** Things worth telling the user (unknown keys, ignored sections). */
  warnings: string[];
}

/**
 * A configuration file that cannot be used: syntax error or bad value.
 *
 * @example Usage
 * ```ts
 * import { ConfigError } from "./load_config.ts";
 * import { equal } from "node:assert/strict";
 *
 * const error = new ConfigError("/home/u/.battery_analysis.toml", 3, "workers must be an integer");
 * equal(error.message, "/home/u/.battery_analysis.toml line 3: workers must be an integer");
 * ```
 */
export class ConfigError extends SyntaxError {
  /** The file. */
  readonly path: string;
  /** 1-based line, or `null` when unknown. */
  readonly line: number | null;
  /**
   * A configuration error at `path` line `line`.
   *
   * @param path The file.
   * @param line The line.
   * @param detail What is wrong.
   * @param options The cause.
   */
  constructor(path: string, line: number | null, detail: string, options?: { cause?: unknown }) {
    super(`${path}${line !== null ? ` line ${line}` : ""}: ${detail}`, options);
    this.name = "ConfigError";
    this.path = path;
    this.line = line;
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Read this file (`.toml` or `.ini`) instead of searching the home directory. */
  path?: string;
  /** Home directory to search. @default {os.homedir()} */
  home?: string;
}

/**
 * Find and read the configuration file.
 *
 * @param options An explicit path or the home directory.
 * @returns The settings, or empty values with `path: null` when no file exists.
 *
 * @example Usage
 * ```ts
 * import { loadConfig } from "./load_config.ts";
 * import { equal } from "node:assert/strict";
 *
 * const none = loadConfig({ home: "/nonexistent-home" });
 * equal(none.path, null);
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const home = options.path !== undefined ? "" : options.home ?? homeDirectory();
  const candidates = options.path !== undefined ? [options.path] : [
    join(home, ".battery_analysis.toml"),
    join(home, ".battery_analysis.ini"),
  ];
  for (const path of candidates) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT" && options.path === undefined) continue;
      throw new ConfigError(path, null, `cannot read: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseConfig(text, { path, format: path.endsWith(".ini") ? "ini" : "toml" });
  }
  return { path: null, values: {}, warnings: [] };
}

/** The home directory; a denied permission is a `ConfigError` naming the permission to grant. */
function homeDirectory(): string {
  try {
    return homedir();
  } catch (error) {
    if (
      !(error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied)
    ) {
      throw error;
    }
    throw new ConfigError(
      "~/.battery_analysis.toml",
      null,
      "cannot look for the configuration file: no permission to read the home directory; grant " +
        "--allow-sys=homedir (or give --config PATH)",
      { cause: error },
    );
  }
}

/**
 * Parse configuration text. Pure.
 *
 * @param text File content.
 * @param options Its path (for messages) and format.
 * @returns The settings.
 *
 * @example Usage
 * ```ts
 * import { parseConfig } from "./load_config.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const toml = parseConfig('workers = 4\ninclude = ["*.csv"]', { path: "c.toml", format: "toml" });
 * deepStrictEqual(toml.values, { workers: 4, include: ["*.csv"] });
 * const ini = parseConfig("[battery_analysis]\nexclude = a, b", { path: "c.ini", format: "ini" });
 * deepStrictEqual(ini.values, { exclude: ["a", "b"] });
 * ```
 */
export function parseConfig(
  text: string,
  options: { path: string; format: "toml" | "ini" },
): LoadedConfig {
  const { path } = options;
  const raw = options.format === "toml" ? readToml(text, path) : readIni(text, path);
  const values: Partial<BatteryConfig> = {};
  const warnings = [...raw.warnings];
  for (const [key, { value, line }] of Object.entries(raw.entries)) {
    const kind = SCHEMA[key as keyof BatteryConfig];
    if (!kind) {
      warnings.push(`${path} line ${line}: unknown setting "${key}" ignored`);
      continue;
    }
    (values as Record<string, unknown>)[key] = coerce(value, kind, {
      path,
      line,
      key,
      ini: options.format === "ini",
    });
  }
  return { path, values, warnings };
}

interface RawEntries {
  entries: Record<string, { value: unknown; line: number }>;
  warnings: string[];
}

function keyLine(lines: string[], key: string, after = 0): number {
  const pattern = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*=`);
  const index = lines.findIndex((l, i) => i >= after && pattern.test(l));
  return index >= 0 ? index + 1 : 1;
}

function readToml(text: string, path: string): RawEntries {
  let doc: Record<string, unknown>;
  try {
    // structuredClone: smol-toml returns null-prototype objects; make them plain.
    doc = structuredClone(parseToml(text)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ConfigError(path, error.line, error.message.split("\n")[0], { cause: error });
    }
    throw error;
  }
  const lines = text.split(/\r?\n/);
  const entries: RawEntries["entries"] = {};
  const warnings: string[] = [];
  const tableStart = lines.findIndex((l) => /^\s*\[\s*battery_analysis\s*\]/.test(l));
  for (const [key, value] of Object.entries(doc)) {
    if (key === "battery_analysis" && value && typeof value === "object" && !Array.isArray(value)) {
      continue;
    }
    if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
      warnings.push(`${path}: table [${key}] is not used by battery-analysis; ignored`);
      continue;
    }
    entries[key] = {
      value,
      line: keyLine(lines.slice(0, tableStart >= 0 ? tableStart : undefined), key),
    };
  }
  const table = doc.battery_analysis;
  if (table && typeof table === "object" && !Array.isArray(table)) {
    for (const [key, value] of Object.entries(table)) {
      entries[key] = { value, line: keyLine(lines, key, Math.max(tableStart, 0)) };
    }
  }
  return { entries, warnings };
}

function readIni(text: string, path: string): RawEntries {
  const entries: RawEntries["entries"] = {};
  const warnings: string[] = [];
  let section: string | null = null;
  const top: RawEntries["entries"] = {};
  const table: RawEntries["entries"] = {};
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    const n = i + 1;
    if (line === "" || line.startsWith(";") || line.startsWith("#")) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1].trim();
      if (!["battery_analysis", "DEFAULT"].includes(section)) {
        warnings.push(
          `${path} line ${n}: section [${section}] is not used by battery-analysis; ignored`,
        );
      }
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv) {
      throw new ConfigError(path, n, `expected "key = value" or "[section]", got "${line}"`);
    }
    let value = kv[2];
    if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1);
    if (section === null || section === "DEFAULT") top[kv[1]] = { value, line: n };
    else if (section === "battery_analysis") table[kv[1]] = { value, line: n };
  });
  Object.assign(entries, top, table);
  return { entries, warnings };
}

function coerce(
  value: unknown,
  kind: Kind,
  at: { path: string; line: number; key: string; ini: boolean },
): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(
      at.path,
      at.line,
      `${at.key} must be ${expected}, got ${JSON.stringify(value)}`,
    );
  };
  if (kind === "string") {
    if (typeof value !== "string" || value === "") fail("a non-empty string");
    return value;
  }
  if (kind === "regex" || kind === "regex_list") {
    const list = kind === "regex"
      ? [value]
      : Array.isArray(value)
      ? value
      : at.ini && typeof value === "string" && value.trim().startsWith("[")
      ? (() => {
        try {
          return JSON.parse(value as string);
        } catch {
          return fail("a JSON array of regular expressions");
        }
      })()
      : [value];
    if (!Array.isArray(list) || list.some((v) => typeof v !== "string" || v === "")) {
      fail(kind === "regex" ? "a regular expression" : "a list of regular expressions");
    }
    for (const pattern of list as string[]) {
      try {
        const re = compilePattern(pattern);
        if (kind === "regex_list") checkGroups(re);
      } catch (error) {
        throw new ConfigError(at.path, at.line, `${at.key}: ${(error as Error).message}`);
      }
    }
    return kind === "regex" ? list[0] : list;
  }
  if (kind === "list") {
    if (at.ini && typeof value === "string") {
      if (value.trim().startsWith("[")) {
        try {
          value = JSON.parse(value);
        } catch {
          fail("a comma-separated list or a JSON array of strings");
        }
      } else {
        return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
      }
    }
    if (typeof value === "string") return [value];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      fail("a list of strings");
    }
    return value;
  }
  let num = value;
  if (at.ini && typeof value === "string" && value.trim() !== "") num = Number(value);
  if (typeof num !== "number" || !Number.isFinite(num)) fail("a number");
  if ("int" in kind) {
    if (!Number.isInteger(num) || (num as number) < kind.int) {
      fail(`an integer ≥ ${kind.int}`);
    }
  } else if ((num as number) < kind.number) fail(`a number ≥ ${kind.number}`);
  return num;
}

/** Named groups a file-name pattern may use besides sample properties. */
const RULE_GROUPS = ["sample", "channel", "technique", "sequence"];

/** Refuse named groups that name nothing (a typo would silently set nothing). */
function checkGroups(re: RegExp): void {
  for (const m of re.source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)) {
    const name = m[1];
    if (RULE_GROUPS.includes(name)) continue;
    let column;
    try {
      column = samplePropertyColumn(name);
    } catch (error) {
      throw new SyntaxError(`group "${name}": ${(error as Error).message}`);
    }
    if (!column) {
      throw new SyntaxError(
        `group "${name}" is neither ${RULE_GROUPS.join(", ")} nor a sample property (${
          SAMPLE_PROPERTIES.map((p) => p.aliases[0]).join(", ")
        }, with a unit for quantities: nominal_capacity_mAh)`,
      );
    }
    if (column.spec.kind !== "text" && column.unit === null) {
      throw new SyntaxError(
        `group "${name}" needs a unit in its name (${column.spec.aliases[0]}_${
          column.spec.unit === "Ah" ? "mAh" : column.spec.unit
        })`,
      );
    }
  }
}

/**
 * Compile one configured pattern: `"/…/flags"` or a plain pattern (no flags).
 *
 * @param text The pattern as written in the configuration file.
 * @returns The regular expression.
 * @throws {SyntaxError} When it does not compile.
 *
 * @example Usage
 * ```ts
 * import { compilePattern } from "./load_config.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(compilePattern("/^cell_(?<sample>\\w+)$/i").flags, "i");
 * equal(compilePattern("^(?<sample>.+)_rt$").test("x_rt"), true);
 * ```
 */
export function compilePattern(text: string): RegExp {
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(text);
  try {
    return slashed ? new RegExp(slashed[1], slashed[2]) : new RegExp(text);
  } catch (error) {
    throw new SyntaxError(
      `"${text}" is not a valid regular expression (${(error as Error).message})`,
    );
  }
}
