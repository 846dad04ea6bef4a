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
 * the server (credentials redacted) and the reason.
 *
 * @module
 */

import { homedir } from "node:os";
import { join } from "node:path";
import type { BatteryConfig } from "../config/load_config.ts";
import type { Store } from "./store.ts";
import { SqliteStore } from "./sqlite_store.ts";
import { MongoStore } from "./mongo_store.ts";
import { redactUri } from "./_redact.ts";

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
  /** Environment. @default {Deno.env.toObject()} */
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
}

/** Which store would be opened, and why. */
export type StoreTarget =
  | { kind: "sqlite" | "memory"; path: string; source: string }
  | { kind: "mongodb"; uri: string; dbName: string; source: string };

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

function defaultEnv(): Record<string, string | undefined> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
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
  const env = options.env ?? defaultEnv();
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

  const mock = env.USE_MONGO_MOCK;
  if (mock !== undefined) {
    const value = mock.trim().toLowerCase();
    if (TRUE.has(value)) return { kind: "memory", path: ":memory:", source: "USE_MONGO_MOCK=1" };
    if (!FALSE.has(value)) {
      throw new RangeError(`USE_MONGO_MOCK must be 1 or 0, got "${mock}"`);
    }
  }
  if (env.MONGO_URI) return mongo(env.MONGO_URI, "MONGO_URI");
  if (env.MONGO_HOST || env.MONGO_PORT) {
    const host = env.MONGO_HOST || "localhost";
    const port = env.MONGO_PORT || "27017";
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
    path: join(options.home ?? homedir(), ".battery_analysis", "battery.db"),
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
    return await MongoStore.connect({
      uri: target.uri,
      dbName: target.dbName,
      source: target.source,
      chunkRows: options.chunkRows,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS,
      readOnly: options.readOnly,
    });
  }
  return await SqliteStore.open({
    path: target.path,
    source: target.source,
    chunkRows: options.chunkRows,
    readOnly: options.readOnly && target.kind === "sqlite",
  });
}

function dbNameFor(
  uri: string,
  options: OpenStoreOptions,
  env: Record<string, string | undefined>,
): string {
  if (options.dbName) return options.dbName;
  if (env.BATTERY_DB_NAME) return env.BATTERY_DB_NAME;
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
  if (path === "~") return home ?? homedir();
  if (path.startsWith("~/")) return join(home ?? homedir(), path.slice(2));
  return path;
}
