// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { Recording } from "../lib/model/file_meta.ts";
import {
  type ArbinColumnPlan,
  buildArbinSeries,
  excelSerialToIso,
  hasArbinColumns,
  planArbinColumns,
} from "./_arbin_columns.ts";
import { makeMeta } from "./_meta.ts";
import { extensionOf } from "./_text.ts";
import {
  MAX_ROWS,
  openXlsx,
  readPart,
  readSheetRows,
  scanCells,
  type XlsxBook,
  type XlsxSheet,
} from "./_xlsx.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedRead } from "./_damage.ts";

const DATA_SHEET = /^Channel_?\d+(?:_(\d+))?$/i;
const INT_UNSET = -2147483648;

/**
 * Read an Arbin XLSX export (MITS Pro "Excel" export: a `Global_Info` sheet and one or more
 * `Channel_<n>_<k>` data sheets; Arbin starts a new sheet after about a million rows). All data
 * sheets are read in order and concatenated. Columns are mapped as for the CSV export (see
 * `docs/arbin.md`); `Date_Time` is an Excel serial date, read as local time without offset.
 * From `Global_Info`: channel, schedule, software version (as `format_version`), serial number
 * (as `device`) and the other fields of its header row, into `meta.header`.
 *
 * @param bytes The whole `.xlsx` file.
 * @param options File name and naming rule.
 * @returns The recording.
 * @throws {ParseError} When the file is not a zip, has no Arbin data sheet, or a data cell is
 *   not a number.
 *
 * @example Usage
 * ```ts
 * import { parseArbinXlsx } from "./arbin_xlsx.ts";
 * import { throws } from "node:assert/strict";
 *
 * // Real files are read in tests/parsers/arbin_xlsx_test.ts; bytes that are no zip fail clearly.
 * throws(
 *   () => parseArbinXlsx(new TextEncoder().encode("Date_Time,Test Time (s)"), { fileName: "x.xlsx" }),
 *   /Cannot parse "x.xlsx": not an XLSX file/,
 * );
 * ```
 */
export function parseArbinXlsx(bytes: Uint8Array, options: ParseOptions): Recording {
  return checkedRead(bytes, { ...options, text: false, read: readArbinXlsx });
}

function readArbinXlsx(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const book = openXlsx(bytes, file);
  const sheets = book.sheets
    .map((sheet, order) => ({ sheet, order, part: Number(DATA_SHEET.exec(sheet.name)?.[1] ?? 0) }))
    .filter((s) => DATA_SHEET.test(s.sheet.name))
    .sort((a, b) => a.part - b.part || a.order - b.order)
    .map((s) => s.sheet);
  if (sheets.length === 0) {
    throw new ParseError(
      file,
      `no Arbin data sheet (Channel_<n>_<k>); sheets: ${book.sheets.map((s) => s.name).join(", ")}`,
    );
  }
  const warnings: string[] = [];
  const data = readDataSheets(book, sheets, warnings);

  const info = book.sheets.find((s) => /^global_info$/i.test(s.name));
  const header: Record<string, string> = {};
  let channel: number | null = null;
  let version: string | null = null;
  let device: string | null = null;
  if (info) {
    const rows = readSheetRows(book, info);
    for (let r = 0; r + 1 < rows.length; r++) {
      const labels = rows[r];
      if (!labels) continue;
      const isFieldRow = labels.some((v) => v === "Channel") ||
        labels.some((v) => v === "Start DateTime");
      labels.forEach((label, c) => {
        if (typeof label !== "string") return;
        const value = rows[r + 1]?.[c];
        if (value === undefined || value === null) return;
        if (!isFieldRow && label !== "Serial Number") return;
        header[label] = typeof value === "number" && /date/i.test(label)
          ? excelSerialToIso(value)
          : String(value);
      });
    }
    if (header.Channel && Number.isInteger(Number(header.Channel))) {
      channel = Number(header.Channel);
    }
    version = header["Software Version"] ?? null;
    device = header["Serial Number"] ?? null;
  } else {
    warnings.push("no Global_Info sheet: channel and schedule from the file name only");
  }

  const built = buildArbinSeries(data.plans, data.columns, data.length, {
    file,
    startTime: data.startTime,
  });
  warnings.push(...built.warnings);
  const meta = makeMeta(options, {
    format: "arbin_xlsx",
    instrument: "Arbin",
    format_version: version,
    start_time: data.startTime,
    device,
    header,
    warnings,
  });
  if (channel !== null) meta.channel = channel;
  return { meta, series: built.series };
}

interface DataSheets {
  plans: ArbinColumnPlan[];
  columns: (Float64Array | Int32Array | null)[];
  length: number;
  startTime: string | null;
}

function readDataSheets(book: XlsxBook, sheets: XlsxSheet[], warnings: string[]): DataSheets {
  const file = book.file;
  let plans: ArbinColumnPlan[] = [];
  let columns: (Float64Array | Int32Array | null)[] = [];
  let capacity = 0;
  let length = 0;
  let startTime: string | null = null;
  let dateColumn = -1;
  const allocate = (size: number): void => {
    columns = plans.map((plan, j) => {
      const old = columns[j];
      if (plan.kind === "float") {
        const a = new Float64Array(size).fill(NaN);
        if (old) a.set(old.subarray(0, length));
        return a;
      }
      if (plan.kind === "int") {
        const a = new Int32Array(size).fill(INT_UNSET);
        if (old) a.set(old.subarray(0, length));
        return a;
      }
      return null;
    });
    capacity = size;
  };
  for (const sheet of sheets) {
    const xml = readPart(book.zip, sheet.path, file);
    if (!xml) throw new ParseError(file, `sheet "${sheet.name}" part ${sheet.path} is missing`);
    const dims = /<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"/.exec(
      new TextDecoder().decode(xml.subarray(0, 2048)),
    );
    // A damaged dimension must not size the columns: Excel sheets hold at most MAX_ROWS rows.
    const sheetRows = dims ? Math.min(Number(dims[1]), MAX_ROWS) : 0;
    const names: string[] = [];
    let headerRow = -1;
    let map: number[] = []; // sheet column → plan index
    const base = length;
    let sheetLength = 0;
    scanCells(xml, book, sheet.name, (r, c, v) => {
      if (headerRow < 0 || r === headerRow) {
        if (headerRow < 0) headerRow = r;
        names[c] = v === null ? "" : String(v);
        return;
      }
      if (map.length === 0) {
        // first data cell: the header is complete
        for (let k = 0; k < names.length; k++) names[k] ??= "";
        if (!hasArbinColumns(names)) {
          throw new ParseError(
            file,
            `sheet "${sheet.name}" row ${headerRow + 1} is not an Arbin header (${
              names.join(", ")
            })`,
          );
        }
        if (plans.length === 0) {
          plans = planArbinColumns(names, null, file);
          dateColumn = plans.find((p) => p.role === "date")?.index ?? -1;
          for (const p of plans) if (p.role === "date") p.kind = "float";
          allocate(Math.max(sheetRows - headerRow - 1, 1024));
          map = names.map((_, k) => k);
        } else {
          map = names.map((name) => {
            const j = plans.findIndex((p) => p.original_name === name);
            if (j < 0 && name !== "") {
              throw new ParseError(
                file,
                `sheet "${sheet.name}" has column "${name}" that the first data sheet lacks`,
              );
            }
            return j;
          });
        }
      }
      const row = base + (r - headerRow - 1);
      if (row >= capacity) {
        const more = sheetRows > r ? base + sheetRows - headerRow : 0;
        allocate(Math.max(Math.ceil(capacity * 1.5), more, row + 1024));
      }
      if (row - base + 1 > sheetLength) sheetLength = row - base + 1;
      const j = c < map.length ? map[c] : -1;
      if (j < 0) return;
      const column = columns[j];
      if (column === null) return;
      if (typeof v === "number") {
        if (column instanceof Int32Array) {
          if ((v | 0) !== v) {
            throw new ParseError(
              file,
              `sheet "${sheet.name}" row ${r + 1}, column "${
                plans[j].original_name
              }": ${v} is not an integer`,
            );
          }
        }
        column[row] = v;
      } else if (typeof v === "boolean") {
        column[row] = v ? 1 : 0;
      } else if (v === null) {
        if (column instanceof Int32Array) column[row] = 0;
        warnings.push(
          `sheet "${sheet.name}" row ${r + 1}, column "${
            plans[j].original_name
          }": error cell stored as NaN`,
        );
      } else if (plans[j].role === "extra" && !KNOWN_NUMERIC.has(plans[j].target)) {
        warnings.push(`column "${plans[j].original_name}" holds text ("${v}"): not read`);
        plans[j].role = "unread";
        plans[j].target = "";
        plans[j].kind = "skip";
        columns[j] = null;
      } else {
        throw new ParseError(
          file,
          `sheet "${sheet.name}" row ${r + 1}, column "${
            plans[j].original_name
          }": "${v}" is not a number`,
        );
      }
    });
    if (headerRow < 0) {
      warnings.push(`sheet "${sheet.name}" is empty`);
      continue;
    }
    length = base + sheetLength;
  }
  if (plans.length === 0) throw new ParseError(file, "the data sheets have no rows");
  let missingCounters = 0;
  for (const column of columns) {
    if (!(column instanceof Int32Array)) continue;
    for (let i = 0; i < length; i++) {
      if (column[i] === INT_UNSET) {
        column[i] = 0;
        missingCounters++;
      }
    }
  }
  if (missingCounters > 0) {
    warnings.push(`${missingCounters} empty cycle/step index cell(s) set to 0`);
  }
  if (dateColumn >= 0) {
    const dates = columns[dateColumn] as Float64Array;
    if (length > 0 && Number.isFinite(dates[0])) startTime = excelSerialToIso(dates[0]);
    plans[dateColumn].kind = "skip";
    columns[dateColumn] = null;
  }
  return { plans, columns, length, startTime };
}

const KNOWN_NUMERIC = new Set([
  "step_time_s",
  "internal_resistance_ohm",
  "acr_ohm",
  "dv_dt_V_per_s",
  "power_W",
  "capacity_Ah",
  "ac_impedance_ohm",
  "data_point",
]);

function detectArbinXlsx(head: Uint8Array, fileName: string): Detection {
  const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  if (!zip) return { confidence: 0, reason: "not a zip file" };
  const ext = extensionOf(fileName);
  if (ext !== ".xlsx" && ext !== ".xlsm") return { confidence: 0, reason: "zip, but not .xlsx" };
  // The local file headers at the start of the zip name its parts; Arbin writes few of them.
  const names = new TextDecoder("latin1").decode(head);
  if (/xl\/worksheets\/sheet\d+\.xml/.test(names) || /xl\/workbook\.xml/.test(names)) {
    const arbin = /Channel_?\d+/i.test(fileName);
    return {
      confidence: arbin ? 0.8 : 0.5,
      reason: `XLSX workbook${arbin ? " with an Arbin Channel_<n> file name" : ""}`,
    };
  }
  return { confidence: 0.3, reason: "zip file with .xlsx extension" };
}

/** The Arbin XLSX format for the registry. */
export const arbinXlsx: FormatParser = {
  id: "arbin_xlsx",
  name: "Arbin XLSX export",
  instrument: "Arbin",
  extensions: [".xlsx"],
  kind: "cycling",
  detect: detectArbinXlsx,
  parse: (bytes, options) => parseArbinXlsx(bytes, options),
};
