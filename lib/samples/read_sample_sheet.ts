// Copyright 2026 the battery-analysis authors. MIT license.

import { readFile } from "node:fs/promises";
import { parseSampleSheet, type SampleSheet } from "../../parsers/sample_sheet.ts";

/**
 * Read a sample sheet file (CSV, TSV, XLSX or TOML; see `parseSampleSheet`).
 *
 * @param path The file.
 * @returns The sheet, with `file` set to the path.
 * @throws {ParseError} For content that cannot be read; file-system errors as thrown by Node.
 *
 * @example Usage
 * ```ts
 * import { readSampleSheet } from "./read_sample_sheet.ts";
 * import { equal } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/s.toml`, '[[sample]]\nname = "Zn1"\narea_cm2 = 1.13\n');
 * equal((await readSampleSheet(`${dir}/s.toml`)).rows[0].info.area_cm2, 1.13);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readSampleSheet(path: string): Promise<SampleSheet> {
  const bytes = new Uint8Array(await readFile(path));
  return parseSampleSheet(bytes, { fileName: path });
}
