// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Neware BTSDA XLSX exports: the record sheet (first row `DataPoint`, `Cycle Index`, `Step
 * Index`, `Step Type`, `Time`, `Total Time`, `Current(A)`, `Voltage(V)`, ...), as PyProBE reads
 * them. Columns as in the CSV export (`parsers/_neware_btsda.ts`); durations may be text
 * (`hh:mm:ss`) or Excel times, dates text or Excel serial dates.
 *
 * @module
 */

import { Inflate } from "npm:fflate@0.8.3";
import type { Recording } from "../lib/model/file_meta.ts";
import { makeMeta } from "./_meta.ts";
import { NEWARE_STATES } from "./_neware_common.ts";
import { type BtsdaCell, btsdaSeries, isBtsdaHeader } from "./_neware_btsda.ts";
import { extensionOf } from "./_text.ts";
import { openXlsx, readSheetRows } from "./_xlsx.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

/** A part of the zip whose data starts in the head: its name, method and the bytes there. */
interface HeadPart {
  name: string;
  method: number;
  /** Its compressed bytes, whole (`complete`) or up to the end of the head. */
  data: Uint8Array;
  complete: boolean;
}

/**
 * The parts whose local headers are in the head, in order: sizes from the local header, or
 * (a writer that puts them after the data, or a part cut by the end of the head) the bytes up to
 * the end of the head, which ends the walk.
 */
function partsInHead(head: Uint8Array): HeadPart[] {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const out: HeadPart[] = [];
  let p = 0;
  while (p + 30 <= head.length && view.getUint32(p, true) === 0x04034b50) {
    const method = view.getUint16(p + 8, true);
    const size = view.getUint32(p + 18, true);
    const nameLength = view.getUint16(p + 26, true), extraLength = view.getUint16(p + 28, true);
    const name = new TextDecoder("latin1").decode(head.subarray(p + 30, p + 30 + nameLength));
    const data = p + 30 + nameLength + extraLength;
    if (data > head.length) break;
    const complete = size > 0 && data + size <= head.length;
    out.push({
      name,
      method,
      data: head.subarray(data, complete ? data + size : head.length),
      complete,
    });
    if (!complete) break;
    p = data + size;
  }
  return out;
}

/**
 * The first `limit` bytes (or fewer) that a part's data inflates to, as text; `null` when it
 * cannot be read (a method other than stored or deflate, damaged data).
 */
function partText(part: HeadPart, limit: number): string | null {
  if (part.method === 0) return new TextDecoder().decode(part.data.subarray(0, limit));
  if (part.method !== 8) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const inflater = new Inflate((chunk) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    // In slices, so that a large part stops once `limit` bytes are out.
    for (let p = 0; p < part.data.length && size < limit; p += 4096) {
      const end = Math.min(p + 4096, part.data.length);
      inflater.push(part.data.subarray(p, end), part.complete && end === part.data.length);
    }
  } catch {
    if (size === 0) return null; // damaged before anything came out; else keep what did
  }
  const bytes = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) bytes.set(c, o), o += c.length;
  return new TextDecoder().decode(bytes.subarray(0, limit));
}

/** Text of the inline-string cells (`t="inlineStr"`) of a sheet's first row, if it has any. */
function firstRowInlineText(xml: string): string[] {
  const row = /<row\b[^>]*>([\s\S]*?)<\/row>/.exec(xml);
  if (!row) return [];
  return [...row[1].matchAll(/<is>([\s\S]*?)<\/is>/g)].map((m) =>
    [...m[1].matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join("")
  );
}

function detect(head: Uint8Array, fileName: string): Detection {
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const ext = extensionOf(fileName);
  if (!zip || (ext !== ".xlsx" && ext !== ".xlsm")) return { confidence: 0, reason: "" };
  const parts = partsInHead(head);
  // Column names in the shared-string table, when the writer puts it before the sheets.
  const strings = parts.find((p) => p.name === "xl/sharedStrings.xml" && p.complete);
  const text = strings ? partText(strings, Infinity) : null;
  if (text && /DataPoint/.test(text) && /Step Type/.test(text)) {
    return { confidence: 0.9, reason: "XLSX whose strings name DataPoint and Step Type (BTSDA)" };
  }
  // Column names written inline in a sheet's first row (openpyxl and other writers): the start
  // of the sheet is enough, even when the sheet runs past the head.
  for (const part of parts) {
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(part.name)) continue;
    const cells = firstRowInlineText(partText(part, 65536) ?? "");
    if (cells.includes("DataPoint") && cells.includes("Step Type")) {
      return {
        confidence: 0.9,
        reason: "XLSX with a sheet whose first row names DataPoint and Step Type (BTSDA)",
      };
    }
  }
  // A sheet named `record` (BTSDA names its sheets `unit`, `test`, `cycle`, `step`, `record`: the
  // layout navani reads) when the strings come after a long record sheet (as Excel saves them).
  const book = parts.find((p) => p.name === "xl/workbook.xml" && p.complete);
  const names = book
    ? [...(partText(book, Infinity) ?? "").matchAll(/<sheet\b[^>]*?\bname="([^"]*)"/g)]
      .map((m) => m[1].toLowerCase())
    : [];
  if (names.includes("record")) {
    return { confidence: 0.6, reason: "XLSX with a sheet named record (BTSDA's sheet names)" };
  }
  return { confidence: 0, reason: "" };
}

/**
 * The Neware BTSDA XLSX reader: the first sheet whose first row is a BTSDA record header (a
 * sheet named like "record" first), read as the CSV export is.
 *
 * @example Usage
 * ```ts
 * import { newareXlsx } from "./neware_xlsx.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => newareXlsx.parse(new Uint8Array(4), { fileName: "x.xlsx" }), /not an XLSX/);
 * ```
 */
export const newareXlsx: FormatParser = checkedFormat("binary", {
  id: "neware_xlsx",
  name: "Neware BTSDA XLSX export",
  instrument: "Neware",
  extensions: [".xlsx"],
  kind: "cycling",
  detect,
  parse: parseNewareXlsx,
});

function parseNewareXlsx(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const book = openXlsx(bytes, file);
  const ordered = [...book.sheets].sort((a, b) =>
    Number(!/record/i.test(a.name)) - Number(!/record/i.test(b.name))
  );
  for (const sheet of ordered) {
    const cells = readSheetRows(book, sheet);
    const head = (cells[0] ?? []).map((c) => String(c ?? ""));
    if (!isBtsdaHeader(head)) continue;
    const rows: BtsdaCell[][] = [];
    const lines: number[] = [];
    for (let r = 1; r < cells.length; r++) {
      const row = cells[r];
      if (!row || row.every((c) => c === null || c === "")) continue;
      rows.push(head.map((_, c) => row[c] ?? null));
      lines.push(r + 1);
    }
    if (rows.length === 0) {
      throw new ParseError(file, `sheet "${sheet.name}" has no rows after its header`);
    }
    const built = btsdaSeries({ header: head, rows, lines, unit: "row" }, file);
    const s = built.series;
    const codes = new Set<number>();
    for (const c of s.extras.step_type_code ?? []) if (Number.isFinite(c)) codes.add(c);
    const header: Record<string, string> = { sheet: sheet.name };
    if (codes.size > 0) {
      header.step_types = [...codes].sort((a, b) => a - b)
        .map((c) => `${c}=${NEWARE_STATES[c]}`).join("; ");
    }
    const meta = makeMeta(options, {
      format: "neware_xlsx",
      instrument: "Neware",
      format_version: "BTSDA XLSX (record sheet)",
      start_time: s.start_time,
      techniques: ["Cycling"],
      header,
      warnings: built.warnings,
    });
    if (s.start_time) meta.warnings.push("dates are the PC's local time without a time zone");
    return { meta, series: s };
  }
  throw new ParseError(
    file,
    "no BTSDA record sheet (a sheet whose first row names DataPoint, Step Type, Current(...), " +
      `Voltage(...) and Total Time); sheets: ${book.sheets.map((s) => s.name).join(", ")}`,
  );
}
