// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Errors raised by stores. Messages never contain credentials.
 *
 * @module
 */

/**
 * Base class of store errors.
 *
 * @example Usage
 * ```ts
 * import { NotFoundError, StoreError } from "./store_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * const error = new NotFoundError("sample", "abc");
 * equal(error instanceof StoreError, true);
 * equal(error.message, 'No sample with id "abc"');
 * ```
 */
export class StoreError extends Error {
  /**
   * A store error.
   *
   * @param message What went wrong.
   * @param options The cause.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

/**
 * The store cannot be reached or opened: the server is down or unreachable, the database file
 * cannot be opened or stays locked by another writer, or its schema is newer than this program.
 * Stores raise it (never a bare driver error) for every such condition, at connect time and
 * during later operations, so that callers can tell an outage from a bad request with
 * `instanceof`. Messages name the server or file with credentials redacted.
 *
 * @example Usage
 * ```ts
 * import { StoreConnectionError } from "./store_error.ts";
 * import { match } from "node:assert/strict";
 *
 * match(new StoreConnectionError("Cannot connect to MongoDB at mongodb://h:1/").message, /h:1/);
 * ```
 */
export class StoreConnectionError extends StoreError {
  /**
   * The store cannot be reached or opened.
   *
   * @param message What went wrong, naming the server or file.
   * @param options The cause.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreConnectionError";
  }
}

/**
 * The database the store opened is gone from under it: its SQLite file was deleted or replaced
 * by another file while open. Nothing more can be stored (writes would go into a file nobody can
 * open again), so a long-running program (watcher, dashboard) reports it and stops.
 *
 * @example Usage
 * ```ts
 * import { StoreError, StoreLostError } from "./store_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(new StoreLostError('SQLite database "a.db" was deleted') instanceof StoreError, true);
 * ```
 */
export class StoreLostError extends StoreError {
  /**
   * A store whose file was deleted or replaced.
   *
   * @param message What happened, naming the file.
   */
  constructor(message: string) {
    super(message);
    this.name = "StoreLostError";
  }
}

/**
 * A document that an operation needs does not exist.
 *
 * @example Usage
 * ```ts
 * import { NotFoundError } from "./store_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(new NotFoundError("test", "t1").id, "t1");
 * ```
 */
export class NotFoundError extends StoreError {
  /** Kind of document (`sample`, `test`, ...). */
  readonly kind: string;
  /** The id looked for. */
  readonly id: string;
  /**
   * No document of `kind` with `id`.
   *
   * @param kind Kind of document.
   * @param id The id looked for.
   */
  constructor(kind: string, id: string) {
    super(`No ${kind} with id "${id}"`);
    this.name = "NotFoundError";
    this.kind = kind;
    this.id = id;
  }
}

/**
 * A unique key is taken (sample name, file hash) or a concurrent writer got there first.
 *
 * @example Usage
 * ```ts
 * import { ConflictError } from "./store_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * const error = new ConflictError('File hash "ab" is already stored as test "t1"', "t1");
 * equal(error.existingId, "t1");
 * ```
 */
export class ConflictError extends StoreError {
  /** Id of the document holding the key, when known. */
  readonly existingId: string | null;
  /** The writer holding the key (`lab-pc-3 pid 4242`), when known. */
  readonly holder: string | null;
  /**
   * A key is taken.
   *
   * @param message What conflicts.
   * @param existingId The document holding the key.
   * @param holder The writer holding it.
   */
  constructor(message: string, existingId: string | null = null, holder: string | null = null) {
    super(message);
    this.name = "ConflictError";
    this.existingId = existingId;
    this.holder = holder;
  }
}

const DRIVER_OUTAGES =
  /^Mongo(Network|NetworkTimeout|ServerSelection|NotConnected|TopologyClosed|PoolCleared)Error$/;
/** Messages of the driver's network errors (`connection 3 to 127.0.0.1:27017 closed`). */
const DRIVER_OUTAGE_TEXT =
  /^connection \d+ to \S+ (closed|timed out)|ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|Topology is closed|Server selection timed out/;
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/** SQLite primary result codes of an unavailable file: BUSY, LOCKED, IOERR, CANTOPEN. */
const SQLITE_UNAVAILABLE = new Set([5, 6, 10, 14]);
/** The same conditions in `node:sqlite` errors that carry no `errcode` (from `exec`). */
const SQLITE_UNAVAILABLE_TEXT =
  /^(database is locked|database table is locked|disk I\/O error|unable to open database file)/;

/**
 * Whether an error means the store cannot be reached (as opposed to a bad request or a bug):
 * a {@link StoreConnectionError}, a MongoDB driver network or server-selection error, a refused,
 * reset or timed-out socket, or a SQLite file that is busy, locked or cannot be read or opened,
 * given directly or anywhere in its `cause` chain. Stores use it to decide when to raise a
 * `StoreConnectionError`; callers of a store only need `instanceof StoreConnectionError`.
 *
 * @param error Anything thrown.
 * @returns `true` for an outage.
 *
 * @example Usage
 * ```ts
 * import { isConnectionFailure, StoreConnectionError } from "./store_error.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(isConnectionFailure(new StoreConnectionError("Cannot connect")), true);
 * const driver = Object.assign(new Error("connect ECONNREFUSED"), { name: "MongoNetworkError" });
 * equal(isConnectionFailure(new Error("wrapped", { cause: driver })), true);
 * equal(isConnectionFailure(Object.assign(new Error("locked"), { errcode: 5 })), true);
 * equal(isConnectionFailure(new RangeError("bad cycle")), false);
 * ```
 */
export function isConnectionFailure(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e !== null && typeof e === "object"; depth++) {
    if (e instanceof StoreConnectionError) return true;
    const { name, code, errcode, message } = e as Record<string, unknown>;
    if (typeof name === "string" && DRIVER_OUTAGES.test(name)) return true;
    // A network failure re-raised by another driver error (a bulk write that lost its
    // connection is a MongoBulkWriteError with the network error's message).
    if (
      typeof name === "string" && name.startsWith("Mongo") && typeof message === "string" &&
      DRIVER_OUTAGE_TEXT.test(message)
    ) return true;
    if (typeof code === "string" && SOCKET_CODES.has(code)) return true;
    if (typeof errcode === "number" && SQLITE_UNAVAILABLE.has(errcode & 0xff)) return true;
    if (
      code === "ERR_SQLITE_ERROR" && typeof message === "string" &&
      SQLITE_UNAVAILABLE_TEXT.test(message)
    ) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
