// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Reading and summarizing instrument files without a store (`cli/summarize.ts`): detect and
 * parse a file, build its cycle table, list its spectra, explain the format detection.
 *
 * @module
 */
export * from "./read_recording.ts";
export * from "./read.ts";
export * from "./summarize_file.ts";
export * from "./format_summary.ts";
export * from "./load_column_mapping.ts";
export * from "./export_file.ts";
export * from "./write_export_files.ts";
