// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The import pipeline: scan folders, parse files in worker threads, store them (create, join
 * multi-file tests, update changed files, skip known hashes, archive the originals) as import
 * jobs, and watch folders for new and growing files.
 *
 * ```ts ignore
 * import { openStore } from "../store/mod.ts";
 * import { importDirectory } from "./mod.ts";
 *
 * const store = await openStore();
 * const summary = await importDirectory(store, ["/data/cycler"], { include: ["*.csv"] });
 * console.log(summary.created, summary.failed);
 * await store.close();
 * ```
 *
 * @module
 */
export * from "./scan_files.ts";
export * from "./parse_file.ts";
export * from "./parse_pool.ts";
export * from "./parse_worker.ts";
export * from "./import_parsed.ts";
export * from "./import_directory.ts";
export * from "./watch_directory.ts";
export * from "./arbin_sidecar.ts";
