// Copyright 2026 the battery-analysis authors. MIT license.
//
// No BTSDA XLSX export is among the public sample files (PyProBE's sample_data_neware.xlsx is
// not published with its repository; its Experiment_Record.xlsx is a list of cells). These
// tests build workbooks from the rows of the BTSDA CSV export interp-test.csv, laid out as
// the record sheet PyProBE reads, and require the same series as the CSV reader gives.

import { equal, match, ok, throws } from "node:assert/strict";
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

Deno.test("newareXlsx reads navani's Neware XLSX layout (both current/capacity variants)", () => {
  // tests/fixtures/synthetic/neware/neware_uio_navani_{standard,mass}.xlsx: the record rows of
  // cycles 1–2 of neware_uio.csv (rows 1–5818) in the layout navani 0.1.22 reads (a `cycle` sheet,
  // then `record`; strings inline, as openpyxl writes them), made by
  // tests/parsers/scripts/make_neware_navani_xlsx.py. Standard: Current(mA), Chg./DChg. Cap.(mAh);
  // mass-normalised: Current(A), Chg./DChg. Spec. Cap.(mAh/g) and only the step counter
  // Capacity(mAh). navani's neware_reader_excel reads both as 5818 rows, the last Total Time
  // 334015 s, |current| at most 0.24875 mA, Capacity at most 4.68031 mAh, 4 half cycles (`--check`).
  const csv = newareCsv.parse(readFixture("neware/neware_uio.csv"), { fileName: "u.csv" }).series!;
  for (const variant of ["standard", "mass"]) {
    const name = `synthetic/neware/neware_uio_navani_${variant}.xlsx`;
    const bytes = readFixture(name);
    // The column names are in the record sheet's first row, not in a shared-string table.
    equal(detectFormat(bytes, name).parser.id, "neware_xlsx");
    const rec = newareXlsx.parse(bytes, { fileName: name });
    equal(rec.meta.header.sheet, "record");
    const s = rec.series!;
    equal(s.length, 5818);
    equal(s.time_s[s.length - 1], 334015);
    let maxI = 0, maxQ = 0, halves = 0, prev = 0;
    for (let k = 0; k < s.length; k++) {
      const dir = Math.sign(s.current_A[k]);
      if (dir !== 0 && dir !== prev) halves++, prev = dir;
      maxI = Math.max(maxI, Math.abs(s.current_A[k]));
      maxQ = Math.max(maxQ, s.charge_capacity_Ah[k], s.discharge_capacity_Ah[k]);
    }
    assertClose(maxI, 0.24875e-3, { rel: 1e-12 });
    assertClose(maxQ, 4.68031e-3, { rel: 1e-12 });
    equal(halves, 4);
    // Row by row, the CSV export of the same rows (unit conversions exact to rounding).
    for (let k = 0; k < s.length; k++) {
      equal(s.time_s[k], csv.time_s[k]);
      equal(s.voltage_V[k], csv.voltage_V[k]);
      assertClose(s.current_A[k], csv.current_A[k], { rel: 1e-12, abs: 0 });
      equal(s.cycle_index[k], csv.cycle_index[k]);
      equal(s.step_index[k], csv.step_index[k]);
      assertClose(s.charge_capacity_Ah[k], csv.charge_capacity_Ah[k], { rel: 1e-12, abs: 0 });
      assertClose(s.discharge_capacity_Ah[k], csv.discharge_capacity_Ah[k], { rel: 1e-12, abs: 0 });
    }
  }
});

Deno.test("newareXlsx is detected by its sheet named record when the strings come after it", () => {
  // As Excel saves a workbook: workbook.xml first, a record sheet too long for the head that
  // detection looks at (all 333 rows of interp-test.csv, stored uncompressed), then the
  // shared-string table with the column names.
  const all = new TextDecoder("windows-1252").decode(CSV).split(/\r?\n/).filter((l) => l !== "");
  const strings: string[] = [];
  const index = (s: string) => (strings.includes(s) ? 0 : strings.push(s), strings.indexOf(s));
  const rows = all.map((line, r) =>
    `<row r="${r + 1}">${
      line.split(",").map((text, c) => {
        const ref = `${letters(c)}${r + 1}`;
        if (text === "") return "";
        if (r > 0 && /^-?[\d.]+$/.test(text)) return `<c r="${ref}"><v>${text}</v></c>`;
        return `<c r="${ref}" t="s"><v>${index(text)}</v></c>`;
      }).join("")
    }</row>`
  ).join("");
  const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const bytes = zipSync({
    "[Content_Types].xml": strToU8("<Types/>"),
    "xl/workbook.xml": strToU8(
      '<workbook><sheets><sheet name="step" sheetId="1" r:id="rId1"/>' +
        '<sheet name="record" sheetId="2" r:id="rId2"/></sheets></workbook>',
    ),
    "xl/_rels/workbook.xml.rels": strToU8(
      '<Relationships><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>' +
        '<Relationship Id="rId2" Type="worksheet" Target="worksheets/sheet2.xml"/></Relationships>',
    ),
    "xl/worksheets/sheet1.xml": strToU8("<worksheet><sheetData/></worksheet>"),
    "xl/worksheets/sheet2.xml": strToU8(`<worksheet><sheetData>${rows}</sheetData></worksheet>`),
    "xl/sharedStrings.xml": strToU8(
      `<sst>${strings.map((s) => `<si><t>${xml(s)}</t></si>`).join("")}</sst>`,
    ),
  }, { level: 0 });
  ok(bytes.length > 65536 * 2, String(bytes.length));
  const detected = detectFormat(bytes, "export.xlsx");
  equal(detected.parser.id, "neware_xlsx");
  const s = newareXlsx.parse(bytes, { fileName: "export.xlsx" }).series!;
  const csv = newareCsv.parse(CSV, { fileName: "interp-test.csv" }).series!;
  equal(s.length, csv.length);
  equal(s.current_A[s.length - 1], csv.current_A[csv.length - 1]);
  equal(s.time_s[s.length - 1], csv.time_s[csv.length - 1]);
});
