// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Minimal XLSX reader: the sheet list (`xl/workbook.xml` and its relationships), shared strings,
 * and sheet cells (numbers, shared/inline/formula strings, booleans, errors) scanned byte by byte
 * without building a DOM. Enough for instrument exports; styles and formulas are not evaluated
 * (a formula cell gives its cached value).
 *
 * @module
 */

import { unzip } from "./_zip.ts";
import { ParseError } from "./parse_error.ts";

/** One worksheet of a workbook, in workbook order. */
export interface XlsxSheet {
  /** Sheet name as shown in Excel. */
  name: string;
  /** Path of its XML part inside the zip. */
  path: string;
}

/** An opened workbook. */
export interface XlsxBook {
  /** File name for messages. */
  file: string;
  /** Worksheets in workbook order. */
  sheets: XlsxSheet[];
  /** Shared string table. */
  strings: string[];
  /** The zip bytes (parts are inflated on demand, one at a time). */
  zip: Uint8Array;
}

/** A cell value: number, text, boolean, or `null` for an error cell (`#DIV/0!`, ...). */
export type XlsxValue = number | string | boolean | null;

const utf8 = new TextDecoder("utf-8");

/** Inflate one part of the zip, or `null` when the zip has no such part. */
export function readPart(zip: Uint8Array, path: string, file: string): Uint8Array | null {
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzip(zip, (name) => name === path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ParseError(file, `not a readable XLSX (zip) file: ${message}`, {
      offset: Number(/byte(?:s| offset) (\d+)/.exec(message)?.[1] ?? 0),
      cause: error,
    });
  }
  return parts[path] ?? null;
}

/**
 * Open a workbook: sheet list and shared strings.
 *
 * @throws {ParseError} When the bytes are not a zip or not a workbook.
 */
export function openXlsx(zip: Uint8Array, file: string): XlsxBook {
  if (zip[0] !== 0x50 || zip[1] !== 0x4b) {
    throw new ParseError(file, "not an XLSX file (no zip signature)", { offset: 0 });
  }
  const workbook = readPart(zip, "xl/workbook.xml", file);
  if (!workbook) throw new ParseError(file, "zip without xl/workbook.xml: not an XLSX workbook");
  const rels = readPart(zip, "xl/_rels/workbook.xml.rels", file);
  const targets = new Map<string, string>();
  if (rels) {
    for (const m of utf8.decode(rels).matchAll(/<Relationship\b([^>]*)>/g)) {
      const id = attr(m[1], "Id");
      const target = attr(m[1], "Target");
      if (id && target) {
        targets.set(id, target.startsWith("/") ? target.slice(1) : `xl/${target}`);
      }
    }
  }
  const sheets: XlsxSheet[] = [];
  for (const m of utf8.decode(workbook).matchAll(/<sheet\b([^>]*)>/g)) {
    const name = unescapeXml(attr(m[1], "name") ?? "");
    const rid = attr(m[1], "r:id") ?? attr(m[1], "id");
    const path = rid ? targets.get(rid) : undefined;
    if (path) sheets.push({ name, path: path.replace(/\/\.\//g, "/") });
  }
  const shared = readPart(zip, "xl/sharedStrings.xml", file);
  return { file, sheets, strings: shared ? readSharedStrings(shared) : [], zip };
}

function attr(attrs: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\s)${name.replace(":", "\\:")}\\s*=\\s*"([^"]*)"`).exec(attrs);
  return m ? m[1] : null;
}

/** Decode the five XML entities and numeric character references. */
export function unescapeXml(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === "#") {
      return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    }
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[e as "amp"];
  });
}

/** Text of each `<si>`: its `<t>` runs joined, phonetic `<rPh>` runs left out. */
function readSharedStrings(bytes: Uint8Array): string[] {
  const xml = utf8.decode(bytes);
  const out: string[] = [];
  for (const si of xml.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)) {
    const body = (si[1] ?? "").replace(/<rPh\b[\s\S]*?<\/rPh>/g, "");
    let text = "";
    for (const t of body.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t\s*\/>/g)) text += t[1] ?? "";
    out.push(unescapeXml(text));
  }
  return out;
}

/** Called for each cell in document order; `row` and `col` are 0-based. */
export type CellVisitor = (row: number, col: number, value: XlsxValue) => void;

const LT = 60, GT = 62, SLASH = 47, QUOTE = 34;
const POW10_22: number[] = [];
for (let k = 0, x = 1; k <= 22; k++, x *= 10) POW10_22.push(x); // exact up to 1e22

/** Rows of an Excel worksheet at most (Excel 2007 and later). */
export const MAX_ROWS = 1_048_576;
/** Columns of an Excel worksheet at most. */
export const MAX_COLUMNS = 16_384;

/**
 * Scan the cells of a worksheet's XML without building a tree. Empty cells (`<c r="B2"/>`) are
 * not visited.
 *
 * @throws {ParseError} For a cell whose number or shared-string index cannot be read.
 */
export function scanCells(
  xml: Uint8Array,
  book: Pick<XlsxBook, "file" | "strings">,
  sheet: string,
  visit: CellVisitor,
): void {
  const n = xml.length;
  let p = xml.indexOf(LT);
  let row = -1, col = -1;
  while (p >= 0 && p < n) {
    const b1 = xml[p + 1];
    if (b1 === 99 /* c */ && (xml[p + 2] === 32 || xml[p + 2] === GT || xml[p + 2] === SLASH)) {
      const gt = xml.indexOf(GT, p);
      if (gt < 0) break;
      // attributes: r="B12" and t="s"
      let type = 0; // 0 number, 1 shared, 2 str, 3 inline, 4 bool, 5 error, 6 date
      let ref = false;
      for (let i = p + 2; i < gt; i++) {
        if (xml[i] !== 32) continue;
        const a = xml[i + 1];
        if (xml[i + 2] !== 61 /* = */ || xml[i + 3] !== QUOTE) continue;
        if (a === 114 /* r */) {
          let k = i + 4, c = 0;
          while (xml[k] >= 65 && xml[k] <= 90) c = c * 26 + (xml[k++] - 64);
          let r = 0;
          while (xml[k] >= 48 && xml[k] <= 57) r = r * 10 + (xml[k++] - 48);
          if (c > MAX_COLUMNS || r > MAX_ROWS) {
            throw new ParseError(
              book.file,
              `sheet "${sheet}": cell reference at byte offset ${i + 4} of its XML is outside ` +
                `Excel's limits (${MAX_ROWS} rows, ${MAX_COLUMNS} columns)`,
              { offset: i + 4 },
            );
          }
          if (c > 0) {
            col = c - 1;
            ref = true;
          }
          if (r > 0) row = r - 1;
        } else if (a === 116 /* t */) {
          const t = xml[i + 4];
          type = t === 115 /* s */
            ? (xml[i + 5] === QUOTE ? 1 : 2)
            : t === 105 /* i */
            ? 3
            : t === 98 /* b */
            ? 4
            : t === 101 /* e */
            ? 5
            : t === 100 /* d */
            ? 6
            : 0;
        }
      }
      if (!ref) col++;
      if (xml[gt - 1] === SLASH) {
        p = xml.indexOf(LT, gt);
        continue;
      }
      // content: [<f>..</f>] <v>..</v> | <is>..</is>, up to </c>
      let q = xml.indexOf(LT, gt);
      let value: XlsxValue | undefined;
      while (q >= 0 && !(xml[q + 1] === SLASH && xml[q + 2] === 99 && xml[q + 3] === GT)) {
        if (xml[q + 1] === 118 /* v */ && xml[q + 2] === GT) {
          const start = q + 3;
          const end = xml.indexOf(LT, start);
          value = cellValue(xml, start, end, type, book, sheet, row, col);
          q = xml.indexOf(LT, end + 1);
        } else if (xml[q + 1] === 105 && xml[q + 2] === 115 && xml[q + 3] === GT) {
          const end = indexOfText(xml, "</is>", q);
          value = inlineText(xml, q, end);
          q = xml.indexOf(LT, end + 1);
        } else {
          q = xml.indexOf(LT, q + 1);
        }
      }
      if (value !== undefined) visit(row, col, value);
      p = q < 0 ? -1 : xml.indexOf(LT, q + 1);
    } else if (
      b1 === 114 && xml[p + 2] === 111 && xml[p + 3] === 119 &&
      (xml[p + 4] === 32 || xml[p + 4] === GT)
    ) {
      const gt = xml.indexOf(GT, p);
      let r = 0;
      for (let i = p + 4; i < gt; i++) {
        if (xml[i] === 32 && xml[i + 1] === 114 && xml[i + 2] === 61 && xml[i + 3] === QUOTE) {
          let k = i + 4;
          while (xml[k] >= 48 && xml[k] <= 57) r = r * 10 + (xml[k++] - 48);
          break;
        }
      }
      row = r > 0 ? r - 1 : row + 1;
      col = -1;
      p = xml.indexOf(LT, gt);
    } else {
      p = xml.indexOf(LT, p + 1);
    }
  }
}

function indexOfText(xml: Uint8Array, text: string, from: number): number {
  const first = text.charCodeAt(0);
  for (let p = xml.indexOf(first, from); p >= 0; p = xml.indexOf(first, p + 1)) {
    let k = 1;
    while (k < text.length && xml[p + k] === text.charCodeAt(k)) k++;
    if (k === text.length) return p;
  }
  return xml.length;
}

function inlineText(xml: Uint8Array, start: number, end: number): string {
  const body = utf8.decode(xml.subarray(start, end)).replace(/<rPh\b[\s\S]*?<\/rPh>/g, "");
  let text = "";
  for (const t of body.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) text += t[1];
  return unescapeXml(text);
}

function cellName(row: number, col: number): string {
  let letters = "";
  for (let c = col + 1; c > 0; c = Math.floor((c - 1) / 26)) {
    letters = String.fromCharCode(65 + ((c - 1) % 26)) + letters;
  }
  return `${letters}${row + 1}`;
}

function cellValue(
  xml: Uint8Array,
  start: number,
  end: number,
  type: number,
  book: Pick<XlsxBook, "file" | "strings">,
  sheet: string,
  row: number,
  col: number,
): XlsxValue {
  if (type === 0) {
    const v = parseNumber(xml, start, end);
    if (Number.isNaN(v) && end > start) {
      throw new ParseError(
        book.file,
        `sheet "${sheet}", cell ${cellName(row, col)}: "${
          utf8.decode(xml.subarray(start, Math.min(end, start + 40)))
        }" is not a number`,
        { offset: null },
      );
    }
    return v;
  }
  if (type === 1) {
    const index = parseNumber(xml, start, end);
    const s = book.strings[index];
    if (s === undefined) {
      throw new ParseError(
        book.file,
        `sheet "${sheet}", cell ${
          cellName(row, col)
        }: shared string ${index} does not exist (${book.strings.length} strings)`,
      );
    }
    return s;
  }
  if (type === 4) return xml[start] === 49; // "1"
  if (type === 5) return null;
  return unescapeXml(utf8.decode(xml.subarray(start, end)));
}

/** A number from bytes; exact like `Number()` (fast path for short mantissas, else `Number`). */
function parseNumber(xml: Uint8Array, start: number, end: number): number {
  let p = start, neg = false;
  if (xml[p] === 45) {
    neg = true;
    p++;
  }
  let m = 0, digits = 0, frac = 0, c = xml[p];
  while (c >= 48 && c <= 57) {
    m = m * 10 + (c - 48);
    digits++;
    c = xml[++p];
  }
  if (c === 46) {
    c = xml[++p];
    while (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
      frac++;
      c = xml[++p];
    }
  }
  let exp = 0;
  if ((c === 69 || c === 101) && digits > 0) {
    c = xml[++p];
    let eneg = false;
    if (c === 45 || c === 43) {
      eneg = c === 45;
      c = xml[++p];
    }
    const expStart = p;
    while (c >= 48 && c <= 57 && exp < 1000) {
      exp = exp * 10 + (c - 48);
      c = xml[++p];
    }
    if (p === expStart) digits = 0;
    if (eneg) exp = -exp;
  }
  const e = exp - frac;
  if (p === end && digits > 0 && digits <= 15 && e >= -22 && e <= 22) {
    // Clinger's fast path: exact mantissa and power of ten, one rounding, as Number() does.
    const v = e < 0 ? m / POW10_22[-e] : m * POW10_22[e];
    return neg ? -v : v;
  }
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(xml[i]);
  s = s.trim();
  return s === "" ? NaN : Number(s);
}

/** All cells of a (small) sheet as rows of values; missing cells are `undefined`. */
export function readSheetRows(book: XlsxBook, sheet: XlsxSheet): XlsxValue[][] {
  const xml = readPart(book.zip, sheet.path, book.file);
  if (!xml) throw new ParseError(book.file, `sheet "${sheet.name}" part ${sheet.path} is missing`);
  const rows: XlsxValue[][] = [];
  scanCells(xml, book, sheet.name, (r, c, v) => {
    (rows[r] ??= [])[c] = v;
  });
  return rows;
}
