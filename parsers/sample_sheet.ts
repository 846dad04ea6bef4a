// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { parse as parseToml, TomlError } from "npm:smol-toml@1.9.1";
import type { SampleInfo } from "../lib/model/sample_info.ts";
import { ParseError } from "./parse_error.ts";
import { decodeText, extensionOf, splitLines } from "./_text.ts";
import { splitFields } from "./_delimited.ts";
import { openXlsx, readSheetRows, type XlsxValue } from "./_xlsx.ts";
import { parseSampleProperty, samplePropertyColumn } from "./sample_property.ts";

/** One row of a sample sheet: which sample or files it is about, and what it says. */
export interface SampleSheetRow {
  /** 1-based line of a CSV file, row of a worksheet, or `[[sample]]` entry of a TOML file. */
  line: number;
  /** Sample name, or `null` when the row names files only. */
  name: string | null;
  /** File names or glob patterns (`*` any characters, `?` one) the row applies to. */
  files: string[];
  /** The properties the row states (empty cells state nothing). */
  info: SampleInfo;
}

/** A sample sheet as read. */
export interface SampleSheet {
  /** File name, for messages. */
  file: string;
  /** Rows in file order. */
  rows: SampleSheetRow[];
  /** Columns not used and rows skipped, said once each. */
  warnings: string[];
}

/** Names of the column holding the sample name (normalized), as the original sample list. */
const NAME_COLUMNS = [
  "name",
  "sample",
  "sample_name",
  "id",
  "cell_id",
  "cell_name",
  "identifier",
];
/** Names of the column holding file names or glob patterns (normalized). */
const FILE_COLUMNS = [
  "file",
  "files",
  "file_name",
  "filename",
  "file_names",
  "pattern",
  "patterns",
  "file_pattern",
  "glob",
];

function normalized(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** File patterns from a cell: several separated by `;` or new lines. */
function patterns(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(patterns);
  if (value === null || value === undefined) return [];
  return String(value).split(/[;\n]/).map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Read a sample sheet: a table (CSV, TSV, XLSX first worksheet) with a header row, or a TOML file
 * of `[[sample]]` entries, mapping sample names and/or file names or glob patterns to sample
 * properties, like the original's "Import Sample List".
 *
 * - The sample name column is the first present of Name, Sample, Sample Name, ID, Cell ID,
 *   Cell Name, Identifier; the file column the first of File, Files, File Name, Filename,
 *   Pattern, Patterns, Glob (several patterns separated by `;`). A sheet needs one of them.
 * - Property columns are named as in {@link SAMPLE_PROPERTIES} (`Chemistry`, `Form Factor`,
 *   `Capacity (mAh)`, `nominal_capacity_Ah`, `Active mass (mg)`, `Area (cm2)`, `thickness_um`,
 *   `Cell Code`, ...). A quantity needs a unit in its header or its cell. Other columns are
 *   reported in `warnings`, never silently used.
 * - Empty cells state nothing (they never clear a stored value). Rows without a name and a file
 *   are skipped with a warning.
 *
 * TOML keys are the same names (`name`, `files = ["a*.csv"]`, `chemistry`, `nominal_capacity_mAh
 * = 1.5`, `area_cm2`, ...).
 *
 * @param bytes The file's bytes.
 * @param options The file name (its extension picks the format).
 * @returns The rows.
 * @throws {ParseError} Naming the file, line and column for anything that cannot be read.
 *
 * @example Usage
 * ```ts
 * import { parseSampleSheet } from "./sample_sheet.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const csv = "Sample,File,Chemistry,Capacity (mAh),Area (cm2)\nZn1,Zn_01*,Zn|Zn,1,1.13\n";
 * const sheet = parseSampleSheet(new TextEncoder().encode(csv), { fileName: "samples.csv" });
 * equal(sheet.rows[0].name, "Zn1");
 * deepEqual(sheet.rows[0].files, ["Zn_01*"]);
 * deepEqual(sheet.rows[0].info, { chemistry: "Zn|Zn", nominal_capacity_Ah: 0.001, area_cm2: 1.13 });
 * ```
 */
export function parseSampleSheet(
  bytes: Uint8Array,
  options: { fileName: string },
): SampleSheet {
  const file = options.fileName;
  const ext = extensionOf(file);
  if (ext === ".toml") return readToml(bytes, file);
  let table: XlsxValue[][];
  if (ext === ".xlsx" || (bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    const book = openXlsx(bytes, file);
    if (book.sheets.length === 0) throw new ParseError(file, "the workbook has no worksheet");
    table = readSheetRows(book, book.sheets[0]);
  } else if ([".csv", ".tsv", ".txt", ""].includes(ext)) {
    const lines = splitLines(decodeText(bytes));
    const header = lines[0] ?? "";
    const delimiter = header.includes("\t")
      ? "\t"
      : header.includes(";") && !header.includes(",")
      ? ";"
      : ",";
    table = lines.map((l) => splitFields(l, delimiter));
  } else {
    throw new ParseError(file, `a sample sheet is .csv, .tsv, .xlsx or .toml, not "${ext}"`);
  }
  return readTable(table, file);
}

function readTable(table: XlsxValue[][], file: string): SampleSheet {
  const headerIndex = table.findIndex((r) =>
    r?.some((v) => v !== null && v !== undefined && String(v).trim() !== "")
  );
  if (headerIndex < 0) throw new ParseError(file, "the sheet is empty");
  const header = Array.from(table[headerIndex], (v) => (v === undefined ? "" : String(v ?? "")));
  const names = header.map(normalized);
  const nameCol = firstColumn(names, NAME_COLUMNS);
  const fileCol = firstColumn(names, FILE_COLUMNS);
  if (nameCol < 0 && fileCol < 0) {
    throw new ParseError(
      file,
      `line ${headerIndex + 1}: no sample name column (Name, Sample, Sample Name, ID, Cell ID, ` +
        `Cell Name, Identifier) and no file column (File, Files, Pattern, Glob); columns are ${
          header.filter((h) => h.trim() !== "").map((h) => `"${h.trim()}"`).join(", ")
        }`,
      { line: headerIndex + 1 },
    );
  }
  const warnings: string[] = [];
  const propertyCols: { index: number; header: string }[] = [];
  header.forEach((h, i) => {
    if (i === nameCol || i === fileCol || h.trim() === "") return;
    let column;
    try {
      column = samplePropertyColumn(h);
    } catch (error) {
      throw new ParseError(file, `line ${headerIndex + 1}: ${(error as Error).message}`, {
        line: headerIndex + 1,
        cause: error,
      });
    }
    if (column) propertyCols.push({ index: i, header: h.trim() });
    else warnings.push(`column "${h.trim()}" is not a sample property; not used`);
  });
  const rows: SampleSheetRow[] = [];
  for (let r = headerIndex + 1; r < table.length; r++) {
    const cells = table[r];
    if (!cells || cells.every((v) => v === null || v === undefined || String(v).trim() === "")) {
      continue;
    }
    const line = r + 1;
    const nameValue = nameCol >= 0 ? cells[nameCol] : undefined;
    const name = nameValue === null || nameValue === undefined || String(nameValue).trim() === ""
      ? null
      : String(nameValue).trim();
    const files = fileCol >= 0 ? patterns(cells[fileCol]) : [];
    if (name === null && files.length === 0) {
      warnings.push(`line ${line}: no sample name and no file; skipped`);
      continue;
    }
    const info: SampleInfo = {};
    for (const { index, header } of propertyCols) {
      const value = cells[index];
      if (value === undefined || value === null || String(value).trim() === "") continue;
      try {
        const p = parseSampleProperty(header, typeof value === "boolean" ? String(value) : value);
        (info as Record<string, unknown>)[p.field] = p.value;
      } catch (error) {
        throw new ParseError(
          file,
          `line ${line}, column "${header}": ${(error as Error).message}`,
          {
            line,
            cause: error,
          },
        );
      }
    }
    rows.push({ line, name, files, info });
  }
  return { file, rows, warnings };
}

function firstColumn(names: string[], wanted: string[]): number {
  for (const w of wanted) {
    const i = names.indexOf(w);
    if (i >= 0) return i;
  }
  return -1;
}

function readToml(bytes: Uint8Array, file: string): SampleSheet {
  const text = decodeText(bytes);
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ParseError(file, `line ${error.line}: ${error.message.split("\n")[0]}`, {
        line: error.line,
        cause: error,
      });
    }
    throw error;
  }
  const entries = doc.sample ?? doc.samples;
  const warnings: string[] = [];
  for (const key of Object.keys(doc)) {
    if (key !== "sample" && key !== "samples") {
      warnings.push(`key "${key}" is not used (entries are [[sample]] tables)`);
    }
  }
  if (!Array.isArray(entries)) {
    throw new ParseError(file, "no [[sample]] entries (each with name and/or files)");
  }
  const rows: SampleSheetRow[] = [];
  entries.forEach((entry, i) => {
    const where = `[[sample]] entry ${i + 1}`;
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      throw new ParseError(file, `${where} is not a table`);
    }
    const info: SampleInfo = {};
    let name: string | null = null;
    let files: string[] = [];
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      const k = normalized(key);
      if (NAME_COLUMNS.includes(k)) {
        name = String(value).trim() || null;
        continue;
      }
      if (FILE_COLUMNS.includes(k)) {
        files = patterns(value);
        continue;
      }
      if (!samplePropertyColumn(key)) {
        warnings.push(`${where}: key "${key}" is not a sample property; not used`);
        continue;
      }
      if (typeof value !== "string" && typeof value !== "number") {
        throw new ParseError(file, `${where}: ${key} must be a number or a string`);
      }
      try {
        const p = parseSampleProperty(key, value);
        (info as Record<string, unknown>)[p.field] = p.value;
      } catch (error) {
        throw new ParseError(file, `${where}: ${(error as Error).message}`, { cause: error });
      }
    }
    if (name === null && files.length === 0) {
      warnings.push(`${where}: no name and no files; skipped`);
      return;
    }
    rows.push({ line: i + 1, name, files, info });
  });
  return { file, rows, warnings };
}
