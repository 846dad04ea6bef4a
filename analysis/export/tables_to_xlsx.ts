// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { Zip, ZipDeflate } from "npm:fflate@0.8.3";
import type { ExportTable } from "./export_table.ts";
import { cell, checkTable } from "./_cells.ts";

/** Rows of an Excel worksheet at most (the header row included). */
const MAX_ROWS = 1_048_576;
/** Columns of an Excel worksheet at most. */
const MAX_COLUMNS = 16_384;
/** Rows encoded at a time (the sheet is compressed as it is written). */
const CHUNK_ROWS = 4096;

const NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships";
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Options of {@link tablesToXlsx}. */
export interface TablesToXlsxOptions {
  /**
   * Add a last sheet `about` listing each table's metadata (units, sample properties, source,
   * analysis version) as `table`, `key`, `value` rows.
   * @default {true}
   */
  about?: boolean;
}

/** Column letters of a 0-based column index (`0` → `A`, `26` → `AA`). */
function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** XML text: the five entities escaped, characters XML 1.0 forbids replaced by U+FFFD. */
function xmlText(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  )
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd");
}

function textCell(ref: string, s: string, style = ""): string {
  const space = /^\s|\s$/.test(s) ? ' xml:space="preserve"' : "";
  return `<c r="${ref}"${style} t="inlineStr"><is><t${space}>${xmlText(s)}</t></is></c>`;
}

/** Sheet names: at most 31 characters, none of `[]:*?/\`, unique regardless of case. */
function sheetNames(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((raw) => {
    const base = (raw.replace(/[[\]:*?/\\]/g, "_").trim() || "sheet").slice(0, 31);
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) {
      name = `${base.slice(0, 31 - String(k).length - 1)}_${k}`;
    }
    used.add(name.toLowerCase());
    return name;
  });
}

/** The metadata of each table as `table`, `key`, `value` rows. */
function aboutTable(tables: readonly ExportTable[]): ExportTable {
  const t: string[] = [], k: string[] = [], v: string[] = [];
  for (const table of tables) {
    for (const [key, value] of Object.entries(table.metadata ?? {})) {
      t.push(table.name);
      k.push(key);
      v.push(typeof value === "string" ? value : JSON.stringify(value));
    }
  }
  return {
    name: "about",
    length: t.length,
    columns: [
      { name: "table", type: "string", values: t },
      { name: "key", type: "string", values: k },
      { name: "value", type: "string", values: v },
    ],
    metadata: {},
  };
}

/** Write one table's worksheet into the zip, `CHUNK_ROWS` rows at a time. */
function writeSheet(zip: Zip, path: string, table: ExportTable): void {
  const file = new ZipDeflate(path, { level: 6 });
  zip.add(file);
  const utf8 = new TextEncoder();
  const refs = table.columns.map((_, j) => columnName(j));
  const header = table.columns.map((c, j) => textCell(`${refs[j]}1`, c.name, ' s="1"')).join("");
  file.push(
    utf8.encode(
      `${HEAD}<worksheet xmlns="${NS}"><sheetViews><sheetView workbookViewId="0">` +
        `<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
        `</sheetView></sheetViews><sheetData><row r="1">${header}</row>`,
    ),
  );
  let parts: string[] = [];
  for (let r = 0; r < table.length; r++) {
    const n = r + 2;
    let row = `<row r="${n}">`;
    for (let j = 0; j < table.columns.length; j++) {
      const v = cell(table.columns[j], r);
      if (v === null) continue;
      const ref = `${refs[j]}${n}`;
      if (typeof v === "number") row += `<c r="${ref}"><v>${v}</v></c>`;
      else if (typeof v === "boolean") row += `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
      else row += textCell(ref, v);
    }
    parts.push(row + "</row>");
    if (parts.length === CHUNK_ROWS) {
      file.push(utf8.encode(parts.join("")));
      parts = [];
    }
  }
  file.push(utf8.encode(parts.join("") + "</sheetData></worksheet>"), true);
}

function storedPart(zip: Zip, path: string, xml: string): void {
  const file = new ZipDeflate(path, { level: 6 });
  zip.add(file);
  file.push(new TextEncoder().encode(HEAD + xml), true);
}

/**
 * Write tables as an XLSX workbook, one worksheet per table (named after it) with a bold,
 * frozen header row of the column names; numbers as numbers (full double precision), text as
 * text, booleans as booleans, missing values as empty cells. A last sheet `about` lists each
 * table's metadata (units, sample properties, source, analysis version). The worksheets are
 * compressed as they are written (no whole sheet is held as text).
 *
 * @param tables The tables, in sheet order.
 * @param options Whether to add the `about` sheet.
 * @returns The workbook's bytes.
 * @throws {RangeError} For a table of more rows (1,048,575 below the header) or columns (16,384)
 *   than a worksheet holds: export it as CSV or Parquet instead.
 *
 * @example
 * ```ts
 * import { tablesToXlsx } from "./tables_to_xlsx.ts";
 * import { equal } from "node:assert/strict";
 *
 * const bytes = tablesToXlsx([{
 *   name: "cycles", length: 2, metadata: { units: { capacity: "mAh" } },
 *   columns: [
 *     { name: "cycle", type: "int32", values: [1, 2] },
 *     { name: "discharge_capacity_mAh", type: "float64", values: [1.8, 1.79] },
 *   ],
 * }]);
 * equal(String.fromCharCode(bytes[0], bytes[1]), "PK"); // a zip, as every XLSX file is
 * ```
 */
export function tablesToXlsx(
  tables: readonly ExportTable[],
  options: TablesToXlsxOptions = {},
): Uint8Array {
  if (!Array.isArray(tables) || tables.length === 0) {
    throw new TypeError("Cannot write XLSX: give at least one table");
  }
  for (const t of tables) {
    checkTable(t, "XLSX");
    if (t.length + 1 > MAX_ROWS || t.columns.length > MAX_COLUMNS) {
      throw new RangeError(
        `Cannot write "${t.name}" as XLSX: ${t.length} rows and ${t.columns.length} columns ` +
          `exceed what a worksheet holds (${MAX_ROWS - 1} rows below the header, ` +
          `${MAX_COLUMNS} columns); export it as CSV or Parquet instead`,
      );
    }
  }
  const sheets = options.about === false ? [...tables] : [...tables, aboutTable(tables)];
  const names = sheetNames(sheets.map((t) => t.name));
  const chunks: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else chunks.push(chunk);
  });
  storedPart(
    zip,
    "[Content_Types].xml",
    `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
      `<Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
      sheets.map((_, i) =>
        `<Override PartName="/xl/worksheets/sheet${
          i + 1
        }.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
      ).join("") + `</Types>`,
  );
  storedPart(
    zip,
    "_rels/.rels",
    `<Relationships xmlns="${PKG_REL}"><Relationship Id="rId1" ` +
      `Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  );
  storedPart(
    zip,
    "xl/workbook.xml",
    `<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets>${
      names.map((name, i) =>
        `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`
      )
        .join("")
    }</sheets></workbook>`,
  );
  storedPart(
    zip,
    "xl/_rels/workbook.xml.rels",
    `<Relationships xmlns="${PKG_REL}">${
      sheets.map((_, i) =>
        `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${
          i + 1
        }.xml"/>`
      ).join("")
    }<Relationship Id="rId${
      sheets.length + 1
    }" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
  );
  storedPart(
    zip,
    "xl/styles.xml",
    `<styleSheet xmlns="${NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>` +
      `<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
      `<fills count="2"><fill><patternFill patternType="none"/></fill>` +
      `<fill><patternFill patternType="gray125"/></fill></fills>` +
      `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
      `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
      `<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
      `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
      `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
      `</styleSheet>`,
  );
  sheets.forEach((t, i) => writeSheet(zip, `xl/worksheets/sheet${i + 1}.xml`, t));
  zip.end();
  if (failure) throw failure;
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
