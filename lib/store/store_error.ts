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
  /** @param message What went wrong. @param options The cause. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

/**
 * The store cannot be reached or opened (server down, file not writable, newer schema).
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
  /** @param message What went wrong, naming the server or file. @param options The cause. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreConnectionError";
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
  /** @param kind Kind of document. @param id The id looked for. */
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
  /** @param message What conflicts. @param existingId The document holding the key. */
  constructor(message: string, existingId: string | null = null) {
    super(message);
    this.name = "ConflictError";
    this.existingId = existingId;
  }
}
