// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Persistence: one {@link Store} interface with two adapters (embedded SQLite by default,
 * MongoDB for shared lab databases), chosen explicitly by {@link openStore} and never swapped
 * silently. Cell datasets are built store-agnostically by `updateCellDataset`.
 *
 * @example Usage
 * ```ts
 * import { openStore } from "./mod.ts";
 * import { equal } from "node:assert/strict";
 *
 * const store = await openStore({ memory: true });
 * const { doc: sample } = await store.samples.upsert({ name: "CN12", chemistry: "LFP" });
 * equal(sample.name, "CN12");
 * equal(store.describe().persistent, false);
 * await store.close();
 * ```
 *
 * @module
 */
export * from "./documents.ts";
export * from "./store.ts";
export * from "./store_error.ts";
export * from "./sqlite_store.ts";
export * from "./mongo_store.ts";
export * from "./open_store.ts";
export * from "./redact.ts";
export * from "../cell_dataset.ts";
