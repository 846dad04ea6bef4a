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

import { inflateSync } from "npm:fflate@0.8.3";
import type { Recording } from "../lib/model/file_meta.ts";
import { makeMeta } from "./_meta.ts";
import { NEWARE_STATES } from "./_neware_common.ts";
import { type BtsdaCell, btsdaSeries, isBtsdaHeader } from "./_neware_btsda.ts";
import { extensionOf } from "./_text.ts";
import { openXlsx, readSheetRows } from "./_xlsx.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

/**
 * The shared-string part when the head of the zip holds it whole (stored or deflated), as
 * text; `null` otherwise. Column names of an export live there.
 */
function sharedStringsInHead(head: Uint8Array): string | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let p = 0;
  while (p + 30 <= head.length && view.getUint32(p, true) === 0x04034b50) {
    const method = view.getUint16(p + 8, true);
    const size = view.getUint32(p + 18, true);
    const nameLength = view.getUint16(p + 26, true), extraLength = view.getUint16(p + 28, true);
    const name = new TextDecoder("latin1").decode(head.subarray(p + 30, p + 30 + nameLength));
    const data = p + 30 + nameLength + extraLength;
    if (size === 0 || data + size > head.length) return null; // sizes after the data, or cut
    if (name === "xl/sharedStrings.xml") {
      try {
        const raw = head.subarray(data, data + size);
        return new TextDecoder().decode(method === 0 ? raw : inflateSync(raw));
      } catch {
        return null;
      }
    }
    p = data + size;
  }
  return null;
}

function detect(head: Uint8Array, fileName: string): Detection {
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const ext = extensionOf(fileName);
  if (!zip || (ext !== ".xlsx" && ext !== ".xlsm")) return { confidence: 0, reason: "" };
  const strings = sharedStringsInHead(head);
  if (strings && /DataPoint/.test(strings) && /Step Type/.test(strings)) {
    return { confidence: 0.9, reason: "XLSX whose strings name DataPoint and Step Type (BTSDA)" };
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
