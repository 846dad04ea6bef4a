// Copyright 2026 the battery-analysis authors. MIT license.
//
// No BTSDA XLSX export is among the public sample files (PyProBE's sample_data_neware.xlsx is
// not published with its repository; its Experiment_Record.xlsx is a list of cells). These
// tests build workbooks from the rows of the BTSDA CSV export interp-test.csv, laid out as
// the record sheet PyProBE reads, and require the same series as the CSV reader gives.

import { equal, match, throws } from "node:assert/strict";
import { strToU8, zipSync } from "fflate";
import { detectFormat } from "../../parsers/detect_format.ts";
import { newareCsv } from "../../parsers/neware_csv.ts";
import { newareXlsx } from "../../parsers/neware_xlsx.ts";
import { assertClose, readFixture } from "../_util.ts";

const CSV = readFixture("neware/interp-test.csv");
const LINES = new TextDecoder("windows-1252").decode(CSV).split(/\r?\n/).slice(0, 60);

/** Column letters of a 0-based index (0 → A, 26 → AA). */
function letters(c: number): string {
  return (c >= 26 ? letters(Math.floor(c / 26) - 1) : "") + String.fromCharCode(65 + (c % 26));
}

/**
 * A workbook with one sheet `name` holding the CSV lines: text in the shared-string table,
 * numbers as numbers; with `excelTimes`, durations as fractions of a day and dates as serials.
 */
function workbook(name: string, excelTimes: boolean): Uint8Array {
  const strings: string[] = [];
  const index = (
    s: string,
  ) => (strings.includes(s) ? strings : strings.push(s), strings.indexOf(s));
  const header = LINES[0].split(",");
  const rows = LINES.map((line, r) =>
    `<row r="${r + 1}">${
      line.split(",").map((text, c) => {
        const ref = `${letters(c)}${r + 1}`;
        if (text === "") return "";
        const col = header[c];
        if (r > 0 && excelTimes && /^(Time|Total Time)$/.test(col)) {
          const [h, m, s] = text.split(":").map(Number);
          return `<c r="${ref}"><v>${(h * 3600 + m * 60 + s) / 86400}</v></c>`;
        }
        if (r > 0 && excelTimes && col === "Date") {
          const ms = Date.parse(text.replace(" ", "T") + "Z");
          return `<c r="${ref}"><v>${ms / 86400000 + 25569}</v></c>`;
        }
        if (r > 0 && /^-?[\d.]+$/.test(text)) return `<c r="${ref}"><v>${text}</v></c>`;
        return `<c r="${ref}" t="s"><v>${index(text)}</v></c>`;
      }).join("")
    }</row>`
  ).join("");
  const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return zipSync({
    "[Content_Types].xml": strToU8("<Types/>"),
    "xl/sharedStrings.xml": strToU8(
      `<sst>${strings.map((s) => `<si><t>${xml(s)}</t></si>`).join("")}</sst>`,
    ),
    "xl/workbook.xml": strToU8(
      `<workbook><sheets><sheet name="${name}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    "xl/_rels/workbook.xml.rels": strToU8(
      '<Relationships><Relationship Id="rId1" Type="worksheet" ' +
        'Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    "xl/worksheets/sheet1.xml": strToU8(`<worksheet><sheetData>${rows}</sheetData></worksheet>`),
  });
}

Deno.test("newareXlsx reads a BTSDA record sheet as the CSV export of the same rows", () => {
  const csv = newareCsv.parse(new TextEncoder().encode(LINES.join("\n")), { fileName: "a.csv" })
    .series!;
  for (const excelTimes of [false, true]) {
    const bytes = workbook("record", excelTimes);
    equal(detectFormat(bytes, "a.xlsx").parser.id, "neware_xlsx");
    const rec = newareXlsx.parse(bytes, { fileName: "a.xlsx" });
    const s = rec.series!;
    equal(rec.meta.format, "neware_xlsx");
    equal(rec.meta.header.sheet, "record");
    equal(s.length, csv.length);
    for (let k = 0; k < s.length; k++) {
      assertClose(s.time_s[k], csv.time_s[k], { abs: 1e-6 });
      equal(s.voltage_V[k], csv.voltage_V[k]);
      equal(s.current_A[k], csv.current_A[k]);
      equal(s.cycle_index[k], csv.cycle_index[k]);
      equal(s.step_index[k], csv.step_index[k]);
      equal(s.extras.step_type_code[k], csv.extras.step_type_code[k]);
    }
    equal(s.start_time, excelTimes ? "2025-06-17T09:26:39.383" : csv.start_time);
  }
});

Deno.test("newareXlsx refuses a workbook without a record sheet, naming its sheets", () => {
  // PyProBE's Experiment_Record.xlsx lists cells (Name, Chemistry, Nominal Capacity, Start date).
  const bytes = readFixture("neware/Experiment_Record.xlsx");
  throws(
    () => newareXlsx.parse(bytes, { fileName: "Experiment_Record.xlsx" }),
    (e: Error) => {
      match(e.message, /^Cannot parse "Experiment_Record\.xlsx": no BTSDA record sheet/);
      match(e.message, /sheets: sample_data_neware$/);
      return true;
    },
  );
  equal(newareXlsx.detect(bytes, "Experiment_Record.xlsx").confidence, 0);
});
