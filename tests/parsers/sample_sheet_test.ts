// Copyright 2026 the battery-analysis authors. MIT license.
// Sample sheets (the original's "Import Sample List"): CSV, XLSX and TOML, units from headers or
// cells, and errors that name the file, the line and the column.

import { deepEqual, equal, match, throws } from "node:assert/strict";
import { strToU8, zipSync } from "fflate";
import { parseSampleSheet } from "../../parsers/sample_sheet.ts";
import { parseSampleProperty, samplePropertyColumn } from "../../parsers/sample_property.ts";
import { ParseError } from "../../parsers/parse_error.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("parseSampleProperty() converts every unit to the stored one", () => {
  // Expected values: the unit factors by definition (1 mAh = 1e-3 Ah, 1 µm = 1e-4 cm, ...).
  const cases: [string, string | number, string, number][] = [
    ["Capacity (mAh)", 2.5, "nominal_capacity_Ah", 0.0025],
    ["nominal_capacity_Ah", "3", "nominal_capacity_Ah", 3],
    ["Rated capacity", "150 µAh", "nominal_capacity_Ah", 0.00015],
    ["active_mass_mg", "12.1", "active_mass_g", 0.0121],
    ["Active mass [mg]", 8.582, "active_mass_g", 0.008582],
    ["Characteristic mass", "0.5 g", "active_mass_g", 0.5],
    ["area_cm2", 1.13, "area_cm2", 1.13],
    ["Electrode area (mm²)", "113", "area_cm2", 1.13],
    ["Area", "1.539 cm^2", "area_cm2", 1.539],
    ["thickness_um", "50", "thickness_cm", 0.005],
    ["Thickness (mm)", 0.25, "thickness_cm", 0.025],
    ["mass", "2.1 kg", "mass_g", 2100],
  ];
  for (const [name, value, field, expected] of cases) {
    deepEqual(parseSampleProperty(name, value), { field, value: expected }, `${name} = ${value}`);
  }
  deepEqual(parseSampleProperty("Cell Type", " pouch "), { field: "form_factor", value: "pouch" });
  deepEqual(parseSampleProperty("Vendor", ""), { field: "manufacturer", value: null });
  equal(samplePropertyColumn("Operator"), null);
});

Deno.test("parseSampleProperty() refuses a quantity without a unit and values that are not positive", () => {
  throws(() => parseSampleProperty("Capacity", 1.5), /no unit.*"1.5 mAh".*nominal_capacity \(Ah\)/);
  throws(() => parseSampleProperty("area", "-1 cm2"), /not a positive number/);
  throws(() => parseSampleProperty("area", "0 cm2"), /not a positive number/);
  throws(() => parseSampleProperty("area_cm2", "abc"), /not a number/);
  throws(() => parseSampleProperty("Active mass (mAh)", 1), /"mah" is not a unit of active_mass_g/);
  throws(() => parseSampleProperty("thickness", "5 furlongs"), /not a unit of thickness_cm/);
  throws(() => parseSampleProperty("Chemistry (mg)", "LFP"), /is text and takes no unit/);
  throws(() => parseSampleProperty("operator", "x"), /not a sample property/);
});

Deno.test("parseSampleSheet() reads a CSV by sample name and by file pattern", () => {
  const csv = [
    "Sample Name,File,Cell Code,Chemistry,Form Factor,Capacity (mAh),Active mass (mg),Area (cm2),Notes,Operator",
    'Zn1,"BL_Zn_*_03_*;BL_Zn_*_04_*",CN204,Zn|Zn,2032,1,,1.13,"plated, 1 mAh/cm2",ab',
    ",*_Channel_55_*,,,,,12.5,,,",
    ",,,,,,,,,",
    "LFP-7,,,LFP/Gr,pouch,2.5 Ah,,,,",
  ].join("\r\n");
  const sheet = parseSampleSheet(text(csv), { fileName: "samples.csv" });
  deepEqual(sheet.rows, [
    {
      line: 2,
      name: "Zn1",
      files: ["BL_Zn_*_03_*", "BL_Zn_*_04_*"],
      info: {
        cell_code: "CN204",
        chemistry: "Zn|Zn",
        form_factor: "2032",
        nominal_capacity_Ah: 0.001,
        area_cm2: 1.13,
        description: "plated, 1 mAh/cm2",
      },
    },
    { line: 3, name: null, files: ["*_Channel_55_*"], info: { active_mass_g: 0.0125 } },
    {
      line: 5,
      name: "LFP-7",
      files: [],
      info: { chemistry: "LFP/Gr", form_factor: "pouch", nominal_capacity_Ah: 2.5 },
    },
  ]);
  deepEqual(sheet.warnings, ['column "Operator" is not a sample property; not used']);
});

Deno.test("parseSampleSheet() errors name the file, the line and the column", () => {
  const bad = "Name,Capacity\nA,1.5\n";
  const error = (() => {
    try {
      parseSampleSheet(text(bad), { fileName: "s.csv" });
    } catch (e) {
      return e as ParseError;
    }
  })();
  equal(error instanceof ParseError, true);
  equal(error!.line, 2);
  match(error!.message, /^Cannot parse "s.csv": line 2, column "Capacity": .*no unit/);
  throws(
    () => parseSampleSheet(text("Operator,Chemistry\nx,LFP\n"), { fileName: "s.csv" }),
    /line 1: no sample name column .*columns are "Operator", "Chemistry"/,
  );
  throws(
    () => parseSampleSheet(text("x"), { fileName: "s.docx" }),
    /a sample sheet is .csv, .tsv, .xlsx or .toml/,
  );
});

Deno.test("parseSampleSheet() reads semicolon and tab separated sheets", () => {
  for (const sep of [";", "\t"]) {
    const sheet = parseSampleSheet(text(`Sample${sep}area_cm2\nA${sep}2\n`), { fileName: "s.csv" });
    deepEqual(sheet.rows, [{ line: 2, name: "A", files: [], info: { area_cm2: 2 } }]);
  }
});

/** A one-sheet workbook with inline strings and numbers (the parts Excel writes, minimal). */
function workbook(rows: (string | number | null)[][]): Uint8Array {
  const col = (i: number) => String.fromCharCode(65 + i);
  const cells = rows.map((r, ri) =>
    `<row r="${ri + 1}">${
      r.map((v, ci) =>
        v === null
          ? ""
          : typeof v === "number"
          ? `<c r="${col(ci)}${ri + 1}"><v>${v}</v></c>`
          : `<c r="${col(ci)}${ri + 1}" t="inlineStr"><is><t>${v}</t></is></c>`
      ).join("")
    }</row>`
  ).join("");
  return zipSync({
    "xl/workbook.xml": strToU8(
      '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        '<sheets><sheet name="Samples" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    "xl/_rels/workbook.xml.rels": strToU8(
      '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    "xl/worksheets/sheet1.xml": strToU8(`<worksheet><sheetData>${cells}</sheetData></worksheet>`),
  });
}

Deno.test("parseSampleSheet() reads the first worksheet of an XLSX file", () => {
  const bytes = workbook([
    ["Name", "Chemistry", "Nominal Capacity (mAh)", "Thickness (um)"],
    ["CN12", "NMC811/Gr", 2.5, 75],
    [null, null, null, null],
    ["CN13", "NMC811/Gr", 2.4, null],
  ]);
  const sheet = parseSampleSheet(bytes, { fileName: "samples.xlsx" });
  deepEqual(sheet.rows, [
    {
      line: 2,
      name: "CN12",
      files: [],
      info: { chemistry: "NMC811/Gr", nominal_capacity_Ah: 0.0025, thickness_cm: 0.0075 },
    },
    {
      line: 4,
      name: "CN13",
      files: [],
      info: { chemistry: "NMC811/Gr", nominal_capacity_Ah: 0.0024 },
    },
  ]);
});

Deno.test("parseSampleSheet() reads [[sample]] entries of a TOML file", () => {
  const toml = `
[[sample]]
name = "Zn1"
files = ["BL_Zn_SymCell_072023_04_*"]
chemistry = "Zn|Zn"
nominal_capacity_mAh = 1
area = "1.13 cm2"

[[sample]]
files = "*_C03.mpt"
thickness_um = 100
color = "blue"
`;
  const sheet = parseSampleSheet(text(toml), { fileName: "samples.toml" });
  deepEqual(sheet.rows, [
    {
      line: 1,
      name: "Zn1",
      files: ["BL_Zn_SymCell_072023_04_*"],
      info: { chemistry: "Zn|Zn", nominal_capacity_Ah: 0.001, area_cm2: 1.13 },
    },
    { line: 2, name: null, files: ["*_C03.mpt"], info: { thickness_cm: 0.01 } },
  ]);
  deepEqual(sheet.warnings, ['[[sample]] entry 2: key "color" is not a sample property; not used']);
  throws(
    () =>
      parseSampleSheet(text("[[sample]]\nname = 'x'\narea_cm2 = 'x'\n"), { fileName: "s.toml" }),
    /Cannot parse "s.toml": \[\[sample\]\] entry 1: area_cm2: "x" is not a number/,
  );
  throws(
    () => parseSampleSheet(text("a = [\n"), { fileName: "s.toml" }),
    /Cannot parse "s.toml": line/,
  );
});
