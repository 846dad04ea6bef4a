// Copyright 2026 the battery-analysis authors. MIT license.

import type { Store } from "../store/store.ts";

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
 * import { storeJson } from "./store_json.ts";
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
