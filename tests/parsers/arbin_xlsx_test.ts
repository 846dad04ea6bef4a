// Copyright 2026 the battery-analysis authors. MIT license.
//
// Expected values for the navani fixture were read independently with openpyxl 3.1.5
// (`load_workbook(read_only=True)`, `iter_rows(values_only=True)` on `Channel_11_1` and
// `Global_Info`): 4526 data rows, first and last rows, an empty Internal Resistance column.

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { strToU8, zipSync } from "fflate";
import { parseArbinXlsx } from "../../parsers/arbin_xlsx.ts";
import { scanCells } from "../../parsers/_xlsx.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { readFixture } from "../_util.ts";

const FILE = "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx";

Deno.test("parseArbinXlsx() reads navani's Arbin XLSX export", () => {
  const { meta, series } = parseArbinXlsx(readFixture(`arbin/${FILE}`), { fileName: FILE });
  const s = series!;
  const last = s.length - 1;
  equal(s.length, 4526);
  // openpyxl first row: (2020-10-19 11:31:46.582, 1.001, 1.0005, 1, 1, 2.637298583984375, 0, ...)
  equal(s.time_s[0], 1.001);
  equal(s.extras.step_time_s[0], 1.0005);
  equal(s.step_index[0], 1);
  equal(s.cycle_index[0], 1);
  equal(s.voltage_V[0], 2.637298583984375);
  equal(s.current_A[0], 0);
  equal(s.extras.dv_dt_V_per_s[0], 0);
  // openpyxl last row
  equal(s.time_s[last], 1204815.8106799999);
  equal(s.extras.step_time_s[last], 330.978);
  equal(s.step_index[last], 3);
  equal(s.cycle_index[last], 1);
  equal(s.voltage_V[last], 0.07228660583496094);
  equal(s.current_A[last], 5.0827860832214355e-05);
  equal(s.charge_capacity_Ah[last], 0.005702702794224024);
  equal(s.discharge_capacity_Ah[last], 0.0110548976808786);
  equal(s.charge_energy_Wh[last], 0.0009125808719545603);
  equal(s.discharge_energy_Wh[last], 0.00152742827776819);
  equal(s.extras.dv_dt_V_per_s[last], 2.002716064453125e-05);
  // The Internal Resistance cells are all empty: NaN, not 0.
  ok(s.extras.internal_resistance_ohm.every(Number.isNaN));
  deepEqual(s.columns.voltage_V, { original_name: "Voltage(V)", original_unit: "V", scale: 1 });
  equal(s.columns.step_index.original_name, "Step_Index");
  // Date_Time of the first row, 44123.480400253473 days → 2020-10-19 11:31:46.582 (openpyxl).
  equal(s.start_time, "2020-10-19T11:31:46.582");
  equal(meta.start_time, "2020-10-19T11:31:46.582");
  // Global_Info
  equal(meta.format, "arbin_xlsx");
  equal(meta.channel, 11);
  equal(meta.device, "206951");
  equal(meta.format_version, "PV7.0 Build: 180508USB");
  equal(meta.header["Schedule File Name"], "Ben\\bs542_graphite_slow_rate.sdu");
  equal(meta.header["Start DateTime"], "2020-10-19T11:33:31.000");
  equal(meta.header["Schedule Version"], "Schedule Version 7.00.13");
  equal(meta.sample, "bs542_004_gr_li_50ua_50mv_1v_191020");
  deepEqual(meta.warnings, []);
  equal(detectFormat(readFixture(`arbin/${FILE}`), FILE).parser.id, "arbin_xlsx");
});

/** A minimal workbook with the given sheets (name → XML rows), inline-string headers. */
function workbook(sheets: Record<string, string>): Uint8Array {
  const names = Object.keys(sheets);
  const files: Record<string, Uint8Array> = {
    "[Content_Types].xml": strToU8("<Types/>"),
    "xl/workbook.xml": strToU8(
      `<workbook><sheets>${
        names.map((n, i) => `<sheet name="${n}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("")
      }</sheets></workbook>`,
    ),
    "xl/_rels/workbook.xml.rels": strToU8(
      `<Relationships>${
        names.map((_, i) =>
          `<Relationship Id="rId${i + 1}" Type="worksheet" Target="worksheets/sheet${i + 1}.xml"/>`
        ).join("")
      }</Relationships>`,
    ),
  };
  names.forEach((n, i) => {
    files[`xl/worksheets/sheet${i + 1}.xml`] = strToU8(
      `<worksheet><sheetData>${sheets[n]}</sheetData></worksheet>`,
    );
  });
  return zipSync(files);
}

const HEADER = [
  "Date_Time",
  "Test_Time(s)",
  "Step_Index",
  "Cycle_Index",
  "Voltage(mV)",
  "Current(mA)",
];

function headerRow(names = HEADER): string {
  return `<row r="1">${
    names.map((h) => `<c t="inlineStr"><is><t>${h.replace("&", "&amp;")}</t></is></c>`).join("")
  }</row>`;
}

function dataRow(r: number, values: (number | string)[]): string {
  return `<row r="${r}">${
    values.map((v, i) =>
      typeof v === "number"
        ? `<c r="${String.fromCharCode(65 + i)}${r}"><v>${v}</v></c>`
        : `<c r="${String.fromCharCode(65 + i)}${r}" t="str"><v>${v}</v></c>`
    ).join("")
  }</row>`;
}

Deno.test("parseArbinXlsx() concatenates Channel_<n>_<k> sheets in order", () => {
  // Known answer: rows of Channel_3_1 then Channel_3_2; mV and mA divided by 1000.
  const bytes = workbook({
    Channel_3_2: headerRow() + dataRow(2, [45000.5, 30, 2, 1, 3700, -500]),
    Channel_3_1: headerRow() + dataRow(2, [45000.25, 10, 1, 1, 3500, 500]) +
      dataRow(3, [45000.375, 20, 1, 1, 3600, 500]),
    Chart: "",
  });
  const { meta, series } = parseArbinXlsx(bytes, { fileName: "t_Channel_3_Wb_1.xlsx" });
  const s = series!;
  equal(s.length, 3);
  deepEqual([...s.time_s], [10, 20, 30]);
  deepEqual([...s.voltage_V], [3.5, 3.6, 3.7]);
  deepEqual([...s.current_A], [0.5, 0.5, -0.5]);
  deepEqual([...s.step_index], [1, 1, 2]);
  // 45000.25 days after 1899-12-30 = 2023-03-15 06:00 (Python datetime + timedelta)
  equal(s.start_time, "2023-03-15T06:00:00.000");
  equal(meta.channel, 3);
  match(meta.warnings.join("\n"), /no Global_Info sheet/);
});

Deno.test("parseArbinXlsx() gives clear errors for broken workbooks", () => {
  throws(
    () => parseArbinXlsx(new TextEncoder().encode("Date_Time,x"), { fileName: "a.xlsx" }),
    { name: "ParseError", message: 'Cannot parse "a.xlsx": not an XLSX file (no zip signature)' },
  );
  throws(
    () => parseArbinXlsx(zipSync({ "a.txt": strToU8("x") }), { fileName: "b.xlsx" }),
    /zip without xl\/workbook\.xml/,
  );
  const truncated = readFixture(`arbin/${FILE}`).subarray(0, 300000);
  throws(() => parseArbinXlsx(truncated, { fileName: "c.xlsx" }), ParseError);
  throws(
    () => parseArbinXlsx(workbook({ Sheet1: headerRow() }), { fileName: "d.xlsx" }),
    /no Arbin data sheet \(Channel_<n>_<k>\); sheets: Sheet1/,
  );
  throws(
    () =>
      parseArbinXlsx(
        workbook({ Channel_1_1: headerRow() + dataRow(2, [45000, 1, 1, 1, "bad", 0]) }),
        { fileName: "e.xlsx" },
      ),
    {
      message: 'Cannot parse "e.xlsx": sheet "Channel_1_1" row 2, column "Voltage(mV)": "bad" ' +
        "is not a number",
    },
  );
  throws(
    () =>
      parseArbinXlsx(
        workbook({ Channel_1_1: headerRow() + dataRow(2, [45000, 1, 1.5, 1, 3, 0]) }),
        { fileName: "f.xlsx" },
      ),
    /row 2, column "Step_Index": 1.5 is not an integer/,
  );
});

Deno.test("scanCells() reads numbers exactly as Number() does", () => {
  // Expected values: Number() of the same texts (Excel writes up to 17 digits and E exponents).
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const texts = ["0", "-0", "1.0009999999999999", "3.1280517578125E-4", "1E+300", "-2.5e-7"];
  for (let i = 0; i < 3000; i++) {
    const digits = String(Math.floor(rand() * 1e17)).slice(0, 1 + Math.floor(rand() * 17));
    const dot = Math.floor(rand() * digits.length);
    const body = dot > 0 ? digits.slice(0, dot) + "." + digits.slice(dot) : digits;
    const exp = rand() < 0.4 ? `E${rand() < 0.5 ? "-" : ""}${Math.floor(rand() * 40)}` : "";
    texts.push((rand() < 0.3 ? "-" : "") + body + exp);
  }
  const xml = new TextEncoder().encode(
    `<sheetData><row r="1">${texts.map((t) => `<c><v>${t}</v></c>`).join("")}</row></sheetData>`,
  );
  const got: number[] = [];
  scanCells(xml, { file: "n.xlsx", strings: [] }, "s", (_r, c, v) => {
    got[c] = v as number;
  });
  equal(got.length, texts.length);
  texts.forEach((t, i) => ok(Object.is(got[i], Number(t)), `${t}: ${got[i]} vs ${Number(t)}`));
});
