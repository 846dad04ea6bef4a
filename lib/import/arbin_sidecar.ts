// Copyright 2026 the battery-analysis authors. MIT license.

import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type ArbinMetadata, parseArbinMetadataCsv } from "../../parsers/arbin_metadata_csv.ts";

/**
 * The sidecar `X_Metadata.csv` that BEEP-style Arbin exports put next to a data file `X.csv`,
 * parsed, or `undefined` when there is none (or `path` is not a `.csv`, or is itself a sidecar).
 * Shared by the import pipeline and `summarize`, so both read a file the same way.
 *
 * @param path Path of the data file.
 * @returns The sidecar's metadata, or `undefined`.
 * @throws {ParseError} When the sidecar exists but cannot be parsed.
 *
 * @example Usage
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { readArbinSidecar } from "./arbin_sidecar.ts";
 * equal(await readArbinSidecar("no_such_directory/cell.txt"), undefined);
 * ```
 */
export async function readArbinSidecar(path: string): Promise<ArbinMetadata | undefined> {
  const m = /^(.*)\.csv$/i.exec(basename(path));
  if (!m || /_Metadata$/i.test(m[1])) return undefined;
  const sidecar = join(dirname(path), `${m[1]}_Metadata.csv`);
  const info = await stat(sidecar).catch(() => null);
  if (!info?.isFile()) return undefined;
  return parseArbinMetadataCsv(await readFile(sidecar), sidecar);
}
