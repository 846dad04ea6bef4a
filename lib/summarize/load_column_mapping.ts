// Copyright 2026 the battery-analysis authors. MIT license.

import { parse as parseToml, TomlError } from "npm:smol-toml@1.9.1";
import { readFile } from "node:fs/promises";
import { checkColumnMapping, type ColumnMapping } from "../../parsers/column_mapping.ts";

/**
 * Read a column-mapping file (`summarize --mapping FILE`, the import tools' `--mapping`): TOML
 * (`.toml`) or JSON (`.json`; any other extension is tried as JSON, then TOML), checked with
 * `checkColumnMapping` (see `parsers/column_mapping.ts` for the keys).
 *
 * @param path Path of the mapping file.
 * @returns The mapping.
 * @throws {TypeError} When the file cannot be read, is not valid TOML/JSON or is not a valid
 *   mapping; the message names the file (and the line for TOML syntax errors).
 *
 * @example Usage
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 * import { loadColumnMapping } from "./load_column_mapping.ts";
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "lab.toml");
 * Deno.writeTextFileSync(path, 'time_format = "duration"\n[columns]\ntime = "t"\nvoltage = "U"\ncurrent = { name = "I", unit = "mA" }\n');
 * const mapping = await loadColumnMapping(path);
 * equal(mapping.time_format, "duration");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function loadColumnMapping(path: string): Promise<ColumnMapping> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new TypeError(
      `Cannot read the column mapping "${path}": ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  const toml = /\.toml$/i.test(path);
  let value: unknown;
  try {
    value = toml ? parseToml(text) : JSON.parse(text);
  } catch (error) {
    if (!toml && !/\.json$/i.test(path)) {
      try {
        value = parseToml(text);
      } catch {
        // report the JSON error below
      }
    }
    if (value === undefined) {
      const line = error instanceof TomlError ? ` line ${error.line}` : "";
      throw new TypeError(
        `Cannot read the column mapping "${path}"${line}: ${
          error instanceof Error ? error.message.split("\n")[0] : String(error)
        }`,
      );
    }
  }
  return checkColumnMapping(value, `column mapping "${path}"`);
}
