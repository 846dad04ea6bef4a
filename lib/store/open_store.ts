// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Choose and open the store. Precedence, highest first:
 *
 * 1. explicit options (`uri`, `path`, `memory`; CLIs map `--db` to these);
 * 2. `USE_MONGO_MOCK=1`: an in-memory store (SQLite `:memory:`), reported as such;
 * 3. `MONGO_URI`;
 * 4. `MONGO_HOST` / `MONGO_PORT` (`mongodb://HOST:PORT/`, defaults `localhost` / `27017`);
 * 5. the configuration file: `db_uri` (MongoDB) or `db_path` (SQLite file);
 * 6. the embedded default: SQLite file `~/.battery_analysis/battery.db`.
 *
 * The MongoDB database name is `dbName`, else `BATTERY_DB_NAME`, else the configuration file's
 * `db_name`, else the path of the connection string, else `battery_test_db`.
 * Nothing ever falls back to another store: a server that does not answer is an error naming
 * the server (credentials redacted) and the reason; a denied permission (environment variables,
 * home directory) is an error naming the permission to grant; a SQLite file that does not exist
 * is an error unless `create` is set (only the default location is created without asking).
 *
 * Minimal permissions: reading the environment needs `--allow-env` for {@link STORE_ENV_VARS}
 * (not needed when the store is chosen explicitly with `uri`, `path` or `memory` and, for
 * MongoDB, `dbName`); the default location needs `--allow-sys=homedir`; a SQLite store needs
 * `--allow-read` and `--allow-write` for its file (and `-wal`, `-shm` files beside it); MongoDB
 * needs `--allow-net` for the server (and `--allow-sys` for the driver's host information).
 *
 * The adapters (and the MongoDB driver) are loaded when a store is opened, not when this module
 * is imported.
 *
 * @module
 */

import { statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { BatteryConfig } from "../config/load_config.ts";
import type { Store } from "./store.ts";
import { StoreError } from "./store_error.ts";
import { redactUri } from "./redact.ts";

/** Default MongoDB database name. */
export const DEFAULT_DB_NAME = "battery_test_db";

/** Options of {@link openStore} and {@link resolveStore}. */
export interface OpenStoreOptions {
  /** MongoDB connection string (explicit choice). */
  uri?: string;
  /** SQLite file, or `":memory:"` (explicit choice). */
  path?: string;
  /** An in-memory store (explicit choice). */
  memory?: boolean;
  /** MongoDB database name (explicit). */
  dbName?: string;
  /** Settings from the configuration file, and its path for messages. */
  config?: { values: Partial<BatteryConfig>; path: string | null };
  /**
   * Environment. @default {the variables of {@link STORE_ENV_VARS} read from `Deno.env` when
   * needed; a denied permission is a `StoreError` naming `--allow-env`}
   */
  env?: Record<string, string | undefined>;
  /** Home directory for the default file. @default {os.homedir()} */
  home?: string;
  /** Rows per series chunk. @default {100000} */
  chunkRows?: number;
  /** MongoDB server-selection timeout. @default {3000} */
  serverSelectionTimeoutMS?: number;
  /** Label for `describe().source` when an explicit option chose the store. @default {"option"} */
  optionSource?: string;
  /**
   * Open for reading only: a SQLite file must exist and is never written (read-only media
   * work); a MongoDB store creates no indexes and runs no recovery. @default {false}
   */
  readOnly?: boolean;
  /**
   * Create the SQLite file (and its folder) when it does not exist. Without it, a `path` (or a
   * configuration's `db_path`) that does not exist is a `StoreError`, so that a mistyped path
   * never starts an empty store. The default location is created in any case.
   * @default {false}
   */
  create?: boolean;
  /** How to ask for `create` in the error message. @default {"create: true"} */
  createHint?: string;
}

/** The environment variables that select the store (see the module documentation). */
export const STORE_ENV_VARS: readonly string[] = [
  "USE_MONGO_MOCK",
  "MONGO_URI",
  "MONGO_HOST",
  "MONGO_PORT",
  "BATTERY_DB_NAME",
];

/** Which store would be opened, and why. */
export type StoreTarget =
  | { kind: "sqlite" | "memory"; path: string; source: string }
  | { kind: "mongodb"; uri: string; dbName: string; source: string };

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

/** Whether `error` is Deno's "permission not granted" error. */
function isPermissionError(error: unknown): boolean {
  return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied;
}

/** Read one store variable from `options.env`, else `Deno.env`; a denied permission throws. */
function envReader(options: OpenStoreOptions): (name: string) => string | undefined {
  if (options.env) {
    const env = options.env;
    return (name) => env[name];
  }
  return (name) => {
    try {
      return Deno.env.get(name);
    } catch (error) {
      if (!isPermissionError(error)) throw error;
      throw new StoreError(
        `Cannot choose the store: no permission to read the environment variable ${name}; ` +
          `grant --allow-env=${STORE_ENV_VARS.join(",")} (or choose the store explicitly)`,
        { cause: error },
      );
    }
  };
}

/** The home directory; a denied permission throws a `StoreError` naming `--allow-sys`. */
function homeDirectory(home: string | undefined): string {
  if (home !== undefined) return home;
  try {
    return homedir();
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    throw new StoreError(
      "Cannot find the default store: no permission to read the home directory; grant " +
        "--allow-sys=homedir (or choose the store explicitly)",
      { cause: error },
    );
  }
}

/**
 * Decide which store the options and environment select, without opening it.
 *
 * @param options Explicit choices, configuration and environment.
 * @returns The target and what selected it.
 *
 * @example Usage
 * ```ts
 * import { resolveStore } from "./open_store.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * deepStrictEqual(resolveStore({ env: { MONGO_URI: "mongodb://db:27017/lab" } }), {
 *   kind: "mongodb",
 *   uri: "mongodb://db:27017/lab",
 *   dbName: "lab",
 *   source: "MONGO_URI",
 * });
 * deepStrictEqual(resolveStore({ env: {}, home: "/home/u" }), {
 *   kind: "sqlite",
 *   path: "/home/u/.battery_analysis/battery.db",
 *   source: "default",
 * });
 * ```
 */
export function resolveStore(options: OpenStoreOptions = {}): StoreTarget {
  const env = envReader(options);
  const explicit = [options.uri, options.path, options.memory ? true : undefined]
    .filter((v) => v !== undefined);
  if (explicit.length > 1) {
    throw new TypeError("openStore: give only one of uri, path and memory");
  }
  const mongo = (uri: string, source: string): StoreTarget => {
    if (!/^mongodb(\+srv)?:\/\/[^/]/.test(uri)) {
      throw new TypeError(
        `${source}: "${redactUri(uri)}" is not a MongoDB connection string (mongodb://HOST:PORT/)`,
      );
    }
    return { kind: "mongodb", uri, dbName: dbNameFor(uri, options, env), source };
  };
  const sqlite = (path: string, source: string): StoreTarget =>
    path === ":memory:"
      ? { kind: "memory", path, source }
      : { kind: "sqlite", path: expandHome(path, options.home), source };
  const optionSource = options.optionSource ?? "option";
  if (options.uri !== undefined) return mongo(options.uri, optionSource);
  if (options.path !== undefined) return sqlite(options.path, optionSource);
  if (options.memory) return { kind: "memory", path: ":memory:", source: optionSource };

  const mock = env("USE_MONGO_MOCK");
  if (mock !== undefined) {
    const value = mock.trim().toLowerCase();
    if (TRUE.has(value)) return { kind: "memory", path: ":memory:", source: "USE_MONGO_MOCK=1" };
    if (!FALSE.has(value)) {
      throw new RangeError(`USE_MONGO_MOCK must be 1 or 0, got "${mock}"`);
    }
  }
  const uri = env("MONGO_URI");
  if (uri) return mongo(uri, "MONGO_URI");
  const [mongoHost, mongoPort] = [env("MONGO_HOST"), env("MONGO_PORT")];
  if (mongoHost || mongoPort) {
    const host = mongoHost || "localhost";
    const port = mongoPort || "27017";
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new RangeError(`MONGO_PORT must be a port number 1-65535, got "${port}"`);
    }
    if (/[/@?#\s]/.test(host)) {
      throw new RangeError(`MONGO_HOST must be a host name, got "${host}"`);
    }
    return mongo(`mongodb://${host}:${port}/`, "MONGO_HOST/MONGO_PORT");
  }
  const config = options.config;
  if (config?.values.db_uri !== undefined && config.values.db_path !== undefined) {
    throw new TypeError(
      `${
        config.path ?? "configuration"
      }: set either db_uri (MongoDB) or db_path (SQLite), not both`,
    );
  }
  if (config?.values.db_uri !== undefined) {
    return mongo(config.values.db_uri, `db_uri in ${config.path ?? "configuration"}`);
  }
  if (config?.values.db_path !== undefined) {
    return sqlite(config.values.db_path, `db_path in ${config.path ?? "configuration"}`);
  }
  return {
    kind: "sqlite",
    path: join(homeDirectory(options.home), ".battery_analysis", "battery.db"),
    source: "default",
  };
}

/**
 * Open the store the options and environment select (see the module documentation).
 *
 * @param options Explicit choices, configuration and environment.
 * @returns The open store; `describe()` says which one and why.
 *
 * @example Usage
 * ```ts
 * import { openStore } from "./open_store.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await openStore({ env: { USE_MONGO_MOCK: "1" } });
 * equal(store.describe().kind, "memory");
 * equal(store.describe().source, "USE_MONGO_MOCK=1");
 * await store.close();
 * ```
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const target = resolveStore(options);
  if (target.kind === "mongodb") {
    const { MongoStore } = await import("./mongo_store.ts");
    return await MongoStore.connect({
      uri: target.uri,
      dbName: target.dbName,
      source: target.source,
      chunkRows: options.chunkRows,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS,
      readOnly: options.readOnly,
    });
  }
  if (target.kind === "sqlite" && target.source !== "default" && !options.create) {
    mustExist(target.path, target.source, options.createHint ?? "create: true");
  }
  const { SqliteStore } = await import("./sqlite_store.ts");
  return await SqliteStore.open({
    path: target.path,
    source: target.source,
    chunkRows: options.chunkRows,
    readOnly: options.readOnly && target.kind === "sqlite",
  });
}

/** Throw a `StoreError` unless the SQLite file `path` exists (a denied read is an error too). */
function mustExist(path: string, source: string, createHint: string): void {
  const where = `the SQLite store "${path}" (from ${source})`;
  try {
    if (statSync(path).isFile()) return;
    throw new StoreError(`Cannot open ${where}: it is not a file`);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if (isPermissionError(error)) {
      throw new StoreError(
        `Cannot open ${where}: no permission to read it; grant --allow-read and --allow-write ` +
          `for ${dirname(path)}`,
        { cause: error },
      );
    }
    if ((error as { code?: string }).code !== "ENOENT") throw error;
    let folder = true;
    try {
      folder = statSync(dirname(path)).isDirectory();
    } catch {
      folder = false;
    }
    throw new StoreError(
      `Cannot open ${where}: ${
        folder ? "no such file" : `its folder "${dirname(path)}" does not exist`
      }; to start a new store there, ask for it (${createHint})`,
      { cause: error },
    );
  }
}

function dbNameFor(
  uri: string,
  options: OpenStoreOptions,
  env: (name: string) => string | undefined,
): string {
  if (options.dbName) return options.dbName;
  const fromEnv = env("BATTERY_DB_NAME");
  if (fromEnv) return fromEnv;
  if (options.config?.values.db_name) return options.config.values.db_name;
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?#]+)/.exec(uri);
  if (match) {
    try {
      const name = decodeURIComponent(match[1]);
      if (name) return name;
    } catch {
      // fall through to the default
    }
  }
  return DEFAULT_DB_NAME;
}

function expandHome(path: string, home: string | undefined): string {
  if (path === "~") return homeDirectory(home);
  if (path.startsWith("~/")) return join(homeDirectory(home), path.slice(2));
  return path;
}
