// Copyright 2026 the battery-analysis authors. MIT license.
// The SQLite database under `SqliteStore`: opening (read-only media, schema migrations), the file
// watch (a database deleted or replaced while open), statements, transactions and the translation
// of SQLite errors into store errors. The collections (`_sqlite_samples.ts`, ...) work through it.

import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { StoreDescription } from "./store.ts";
import {
  isConnectionFailure,
  StoreConnectionError,
  StoreError,
  StoreLostError,
} from "./store_error.ts";
import { nowIso } from "./_ids.ts";
import { DEFAULT_CHUNK_ROWS } from "./_columnar.ts";
import { MIGRATIONS } from "./_sqlite_schema.ts";
import { reindexTests } from "./_sqlite_test_index.ts";

/** The schema version this code writes. */
export const SQLITE_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Database file, or `":memory:"` for a store that lives only until `close()`. */
  path: string;
  /** Rows per stored series chunk. @default {100000} */
  chunkRows?: number;
  /** What selected this store, for `describe()`. @default {"option"} */
  source?: string;
  /**
   * How long to wait for another writer's lock before an operation fails with a
   * `StoreConnectionError`. @default {10000}
   */
  busyTimeoutMs?: number;
  /**
   * Open an existing database for reading only (never created, migrated or written). On
   * read-only media, where SQLite cannot create its shared-memory file, the file is opened as
   * immutable. @default {false}
   */
  readOnly?: boolean;
}

/** Lease of a SQLite job's heartbeat when its writer runs on another machine, ms. */
export const JOB_LEASE_MS = 60_000;
/** SQLite primary result codes reported with their meaning. */
const SQLITE_CODES: Record<number, string> = {
  10: "SQLITE_IOERR: disk I/O error",
  13: "SQLITE_FULL: the disk is full",
  8: "SQLITE_READONLY: the database is read-only",
  11: "SQLITE_CORRUPT: the database file is damaged",
  26: "SQLITE_NOTADB: not a database file",
};

export type Row = Record<string, SQLInputValue>;

/** A SQLite database opened for a store. */
export class SqliteDb {
  /** Database file, or `:memory:`. */
  readonly path: string;
  /** Rows per stored series chunk. */
  readonly chunkRows: number;
  /** What selected this store. */
  readonly source: string;
  /** How long to wait for another writer's lock, ms. */
  readonly busyTimeoutMs: number;
  /** Opened for reading only. */
  readonly readOnly: boolean;
  /** The schema keeps the analysis's bulky parts in `tests.analysis_detail` (version 4). */
  detailColumn = false;
  readonly #handle: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** Schema version, read when a query first needs the indexed columns (version 3). */
  #indexedVersion: number | undefined;
  /** Device and inode of the file opened, to notice it being deleted or replaced. */
  readonly #identity: { dev: number; ino: number } | null = null;
  #immutable = false;
  #lost: StoreLostError | null = null;
  #closed = false;

  /**
   * Open (creating when needed) the database and bring its schema up to date; `onOpen` runs
   * after the migrations, before the store is used (its errors are reported like an opening's).
   */
  constructor(options: SqliteStoreOptions, onOpen: (db: SqliteDb) => void) {
    const path = options.path;
    if (typeof path !== "string" || path === "") {
      throw new TypeError('SqliteStore: path must be a file path or ":memory:"');
    }
    const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new RangeError(`SqliteStore: chunkRows must be a positive integer, got ${chunkRows}`);
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new RangeError(
        `SqliteStore: busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`,
      );
    }
    this.path = path;
    this.busyTimeoutMs = busyTimeoutMs;
    this.chunkRows = chunkRows;
    this.source = options.source ?? "option";
    this.readOnly = options.readOnly ?? false;
    try {
      if (this.readOnly) {
        if (path === ":memory:") throw new TypeError("an in-memory store cannot be read-only");
        this.#handle = this.#openReadOnly(path);
      } else {
        if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
        this.#handle = new DatabaseSync(path);
      }
      if (path !== ":memory:") {
        const info = statSync(path);
        this.#identity = { dev: info.dev, ino: info.ino };
      }
    } catch (cause) {
      if (cause instanceof StoreError || cause instanceof TypeError) throw cause;
      throw new StoreConnectionError(
        `Cannot open SQLite database "${path}": ${describeSqliteError(cause)}`,
        { cause },
      );
    }
    try {
      this.#handle.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      if (this.readOnly) this.#checkReadable();
      else {
        // Large pages for a store of BLOBs (series chunks, raw files): about 3 times faster
        // writes than 4 KiB pages (bench/import_throughput.ts). Applies to new databases only.
        this.#handle.exec("PRAGMA page_size = 65536");
        if (path !== ":memory:") this.#handle.exec("PRAGMA journal_mode = WAL");
        // In WAL mode NORMAL is durable against application crashes and never corrupts the
        // database; a power loss may roll back the last transactions.
        this.#handle.exec("PRAGMA synchronous = NORMAL");
        this.#migrate();
        this.#collectOrphans();
        onOpen(this);
      }
      this.detailColumn = this.schemaVersion() >= 4;
    } catch (cause) {
      this.#handle.close();
      if (cause instanceof StoreError) throw cause;
      throw new StoreConnectionError(
        `Cannot open SQLite database "${path}": ${describeSqliteError(cause)}`,
        { cause },
      );
    }
  }

  /** What `Store.describe()` says. */
  describe(): StoreDescription {
    const memory = this.path === ":memory:";
    const mode = this.#immutable ? ", read-only media" : this.readOnly ? ", read-only" : "";
    return {
      kind: memory ? "memory" : "sqlite",
      location: this.path,
      database: null,
      persistent: !memory,
      source: this.source,
      text: memory
        ? `in-memory SQLite store (${this.source}; data is lost when the program ends)`
        : `SQLite file ${this.path} (${this.source}${mode})`,
    };
  }

  /** Close the database; further operations fail. */
  close(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#statements.clear();
      this.#handle.close();
    }
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Run SQL without results (pragmas). */
  exec(sql: string): void {
    this.#handle.exec(sql);
  }

  /**
   * Open for reading. A database on read-only media (or whose directory this process cannot
   * write) cannot get its WAL shared-memory file; it is then opened as immutable, which is only
   * correct when nothing writes it, so a left-over write-ahead log is refused.
   */
  #openReadOnly(path: string): DatabaseSync {
    if (!existsSync(path)) {
      throw new StoreConnectionError(`Cannot open SQLite database "${path}": no such file`);
    }
    let plain: DatabaseSync | null = null;
    try {
      plain = new DatabaseSync(path, { readOnly: true });
      plain.prepare("SELECT count(*) FROM sqlite_master").get();
      return plain;
    } catch (error) {
      // Close the failed handle: it holds the file (read-only media could not be unmounted).
      try {
        plain?.close();
      } catch { /* not open */ }
      if (((error as { errcode?: number }).errcode ?? 0) % 256 !== 14) throw error;
    }
    const wal = `${path}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw new StoreConnectionError(
        `Cannot open SQLite database "${path}" read-only: it sits on read-only media with ` +
          `unmerged changes in "${wal}"; copy both files to writable storage and open it there`,
      );
    }
    const db = new DatabaseSync(`${pathToFileURL(resolve(path)).href}?immutable=1`, {
      readOnly: true,
    });
    this.#immutable = true;
    return db;
  }

  /** A read-only opening needs a battery-analysis database this program can read. */
  #checkReadable(): void {
    const table = this.#handle.prepare(
      "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
    ).get();
    if (!table) {
      throw new StoreConnectionError(
        `SQLite database "${this.path}" is not a battery-analysis store (no schema version)`,
      );
    }
    const version = this.schemaVersion();
    if (version < 1 || version > SQLITE_SCHEMA_VERSION) {
      throw new StoreConnectionError(
        `SQLite database "${this.path}" has schema version ${version}; this program reads ` +
          `version ${SQLITE_SCHEMA_VERSION}`,
      );
    }
  }

  /**
   * Stop using a database whose file was deleted or replaced since it was opened: writes would
   * go into a file nobody can open again ("created" into nothing). Checked before every
   * operation (one `stat`).
   */
  #checkFile(): void {
    if (this.#lost) throw this.#lost;
    if (!this.#identity) return;
    let info: { dev: number; ino: number } | null = null;
    try {
      info = statSync(this.path);
    } catch {
      info = null;
    }
    if (info && info.dev === this.#identity.dev && info.ino === this.#identity.ino) return;
    this.#lost = new StoreLostError(
      `SQLite database "${this.path}" was ${
        info ? "replaced by another file" : "deleted"
      } while open; stopping (nothing more is written to it)`,
    );
    throw this.#lost;
  }

  /** Schema version recorded in the database (for tests and `migrate`). */
  schemaVersion(): number {
    return (this.get("SELECT max(version) AS v FROM schema_version")?.v as number) ?? 0;
  }

  /** Whether the schema has the `test_index` table (version 3; not in an older read-only file). */
  indexed(): boolean {
    return (this.#indexedVersion ??= this.schemaVersion()) >= 3;
  }

  /**
   * Whether `test_index` has the last data point, fade and random-order columns (version 5; not
   * in an older read-only file).
   */
  activityIndexed(): boolean {
    return (this.#indexedVersion ??= this.schemaVersion()) >= 5;
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Bring the schema up to date. Several processes may open a new database at once: each
   * migration runs in a write transaction that reads the version again first, so exactly one
   * applies it and the others see it applied.
   */
  #migrate(): void {
    const tooNew = (current: number) =>
      new StoreConnectionError(
        `SQLite database "${this.path}" has schema version ${current}, newer than the ${SQLITE_SCHEMA_VERSION} this program supports; upgrade battery-analysis`,
      );
    for (const m of MIGRATIONS) {
      this.tx(() => {
        this.#handle.exec(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        );
        const current = this.schemaVersion();
        if (current > SQLITE_SCHEMA_VERSION) throw tooNew(current);
        if (m.version <= current) return;
        this.#handle.exec(m.sql);
        if (m.reindex) {
          reindexTests({
            iterate: (sql) => this.#handle.prepare(sql).iterate() as Iterable<Row>,
            run: (sql, params) => this.run(sql, params),
          });
        }
        this.run("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", [
          m.version,
          nowIso(),
        ]);
      });
    }
  }

  /**
   * Remove raw-file pieces that have no description row. Writers store pieces and description
   * in one transaction, so there are none unless an earlier version of this program died in the
   * middle of a streamed upload (it wrote pieces first).
   */
  #collectOrphans(): void {
    const orphans = "FROM raw_chunks WHERE file_id NOT IN (SELECT id FROM raw_files)";
    if (this.get(`SELECT 1 AS x ${orphans} LIMIT 1`)) {
      this.tx(() => this.run(`DELETE ${orphans}`));
    }
  }

  #stmt(sql: string): StatementSync {
    if (this.#closed) throw new StoreError(`The store ${this.path} is closed`);
    if (this.#lost) throw this.#lost;
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#handle.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** One row of a query, or `undefined`. */
  get(sql: string, params: SQLInputValue[] = []): Row | undefined {
    return this.#stmt(sql).get(...params) as Row | undefined;
  }

  /** Every row of a query. */
  all(sql: string, params: SQLInputValue[] = []): Row[] {
    return this.#stmt(sql).all(...params) as Row[];
  }

  /** Run a statement; the number of rows it changed. */
  run(sql: string, params: SQLInputValue[] = []): number {
    return Number(this.#stmt(sql).run(...params).changes);
  }

  /** Run `fn` in a write transaction (`BEGIN IMMEDIATE`), rolled back when it throws. */
  tx<T>(fn: () => T): T {
    if (this.#closed) throw new StoreError(`The store ${this.path} is closed`);
    if (this.readOnly) throw new StoreError(`${this.describe().text} is open read-only`);
    this.#checkFile();
    this.#handle.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#handle.exec("COMMIT");
      return result;
    } catch (error) {
      // SQLite rolls back by itself after some errors (SQLITE_FULL, I/O errors): a second
      // ROLLBACK would fail with "no transaction is active" and hide the cause.
      if (this.#handle.isTransaction) {
        try {
          this.#handle.exec("ROLLBACK");
        } catch {
          // the connection is unusable; the original error says why
        }
      }
      throw error;
    }
  }

  /** Run `fn` as an operation of the store: file checked, SQLite errors translated. */
  async<T>(fn: () => T): Promise<T> {
    try {
      this.#checkFile();
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(this.unavailable(error));
    }
  }

  /**
   * A `StoreConnectionError` for a busy, locked or unreadable file; a `StoreError` naming the
   * cause for a full disk, a read-only or damaged file; other errors unchanged.
   */
  unavailable(error: unknown): unknown {
    if (error instanceof StoreError) return error;
    if (isConnectionFailure(error)) {
      return new StoreConnectionError(
        `SQLite database "${this.path}" is unavailable: ${describeSqliteError(error)}`,
        { cause: error },
      );
    }
    const code = sqliteCode(error);
    if (code !== null && SQLITE_CODES[code]) {
      return new StoreError(
        `SQLite database "${this.path}": ${describeSqliteError(error)}; nothing of this ` +
          `write was stored`,
        { cause: error },
      );
    }
    return error;
  }
}

// ------------------------------------------------------------------ helpers

/** A `WHERE` clause and its parameters. */
export interface Where {
  where: string;
  params: SQLInputValue[];
}

/**
 * The `WHERE` clause of a listing: equality on each named column the filter sets, the given
 * extra clauses, and every tag of `filter.tags` present in the document's `tags`.
 */
export function where<F extends { tags?: string[] }>(
  filter: F,
  columns: readonly (keyof F & string)[],
  extra: [string, SQLInputValue[]][] = [],
): Where {
  const clauses: string[] = [];
  const params: SQLInputValue[] = [];
  for (const column of columns) {
    if (filter[column] !== undefined) {
      clauses.push(`${column} = ?`);
      params.push(filter[column] as SQLInputValue);
    }
  }
  for (const [clause, values] of extra) {
    clauses.push(clause);
    params.push(...values);
  }
  for (const tag of filter.tags ?? []) {
    clauses.push("EXISTS (SELECT 1 FROM json_each(doc, '$.tags') WHERE value = ?)");
    params.push(tag);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

/** The primary SQLite result code of an error (`errcode` & 0xff), or `null`. */
function sqliteCode(error: unknown): number | null {
  const code = (error as { errcode?: unknown })?.errcode;
  if (typeof code === "number") return code & 0xff;
  const message = (error as Error)?.message ?? "";
  if (/database or disk is full/.test(message)) return 13;
  if (/disk I\/O error/.test(message)) return 10;
  return null;
}

/** An error's message with the SQLite result code it stands for (`SQLITE_FULL: …`). */
export function describeSqliteError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const code = sqliteCode(error);
  const known = code !== null ? SQLITE_CODES[code] : undefined;
  return known && !message.includes(known.split(":")[0]) ? `${known} (${message})` : message;
}
