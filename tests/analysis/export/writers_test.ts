// Copyright 2026 the battery-analysis authors. MIT license.
// Round trips: each writer's output read back by an independent reader gives the table's own
// values exactly (numbers are written in shortest round-trip form or as binary doubles) — CSV by
// the project's own parsers (generic cycler CSV, impedance CSV) and a plain split, XLSX by
// parsers/_xlsx.ts, Parquet by hyparquet, Arrow IPC by apache-arrow.

import { deepEqual, equal, match, throws } from "node:assert/strict";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { tableFromIPC } from "apache-arrow";
import {
  analyzeTest,
  encodeTables,
  EXPORT_METADATA_KEY,
  type ExportTable,
  exportTest,
  parseRecording,
  tablesToXlsx,
  tableToArrowIpc,
  tableToCsv,
  tableToParquet,
  testExportTables,
} from "../../../mod.ts";
import { openXlsx, readPart, scanCells } from "../../../parsers/_xlsx.ts";
import { read } from "../../../lib/summarize/read.ts";
import { assertClose, fixturePath } from "../../_util.ts";

const ZN = fixturePath("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
const EIS = fixturePath(
  "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt",
);

/** The tables of the Zn fixture (cycles, flags, series) and an impedance file, in mA and mAh. */
async function fixtureTables(): Promise<ExportTable[]> {
  const zn = await read(ZN);
  const eis = await read(EIS);
  const units = { current: "mA", capacity: "mAh", specific: true, areal: true } as const;
  const sample = { active_mass_g: 0.012, area_cm2: 1.13 };
  return [
    ...testExportTables(
      { analysis: analyzeTest({ series: zn.series }), series: zn.series },
      { units, sample, label: "zn" },
    ),
    ...testExportTables({ spectra: eis.spectra }, { units, sample }),
  ];
}

/** The table as plain values by column: missing values `null`. */
function expected(table: ExportTable): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const c of table.columns) {
    out[c.name] = Array.from(
      c.values as ArrayLike<unknown>,
      (v) => (v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? null : v),
    );
  }
  return out;
}

/** Columns from rows of objects (Parquet, Arrow). */
function byColumn(rows: Record<string, unknown>[], names: string[]): Record<string, unknown[]> {
  return Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n] ?? null)]));
}

/** A minimal RFC 4180 reader for the test: fields, quotes doubled inside quoted fields. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"', i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (row.push(field), field = "");
    else if (ch === "\n") (row.push(field), rows.push(row), row = [], field = "");
    else field += ch;
  }
  return rows;
}

Deno.test("tableToCsv() round trip: every cell of the fixture tables read back exactly", async () => {
  for (const table of await fixtureTables()) {
    const rows = readCsv(tableToCsv(table));
    equal(rows.length, table.length + 1, table.name);
    deepEqual(rows[0], table.columns.map((c) => c.name));
    const want = expected(table);
    table.columns.forEach((c, j) => {
      const got = rows.slice(1).map((r) => {
        const s = r[j];
        if (s === "") return null;
        if (c.type === "string") return s;
        if (c.type === "bool") return s === "true";
        return Number(s);
      });
      deepEqual(got, want[c.name], `${table.name}.${c.name}`);
    });
  }
});

Deno.test("the series and spectra CSV read back with the project's own parsers, units converted back", async () => {
  const zn = await read(ZN);
  const eis = await read(EIS);
  const [series] = exportTest({ series: zn.series }, {
    format: "csv",
    units: { current: "mA", capacity: "mAh", energy: "mWh" },
  });
  const back = parseRecording(series.bytes, { fileName: "zn.series.csv" });
  // Read by the generic cycler CSV reader from its `current_mA`-style header.
  equal(back.meta.format, "generic_csv");
  equal(back.series!.length, zn.series!.length);
  for (const name of ["time_s", "voltage_V", "current_A", "discharge_capacity_Ah"] as const) {
    for (let i = 0; i < zn.series!.length; i += 97) {
      assertClose(back.series![name][i], zn.series![name][i], { abs: 1e-15, rel: 1e-12 });
    }
  }
  deepEqual(Array.from(back.series!.cycle_index), Array.from(zn.series!.cycle_index));
  deepEqual(Array.from(back.series!.step_index), Array.from(zn.series!.step_index));

  const [spectra] = exportTest({ spectra: eis.spectra }, { format: "csv" });
  const z = parseRecording(spectra.bytes, { fileName: "eis.spectra.csv" });
  equal(z.meta.format, "eis_csv");
  deepEqual(Array.from(z.spectra![0].frequency_Hz), Array.from(eis.spectra![0].frequency_Hz));
  deepEqual(Array.from(z.spectra![0].z_imag_ohm), Array.from(eis.spectra![0].z_imag_ohm));
});

Deno.test("tableToCsv() quotes and guards text: commas, quotes, line breaks, formula-like text", () => {
  const csv = tableToCsv({
    name: "t",
    length: 4,
    metadata: {},
    columns: [
      { name: "text", type: "string", values: ['a,"b"', "=1+1", "two\nlines", null] },
      { name: "ok", type: "bool", values: [true, false, null, true] },
      { name: "x", type: "float64", values: [1e-7, -0, Infinity, 0.1 + 0.2] },
    ],
  }, { lineEnding: "\r\n" });
  equal(
    csv,
    'text,ok,x\r\n"a,""b""",true,1e-7\r\n\'=1+1,false,0\r\n"two\nlines",,\r\n,true,0.30000000000000004\r\n',
  );
  throws(
    () =>
      tableToCsv({
        name: "t",
        length: 2,
        metadata: {},
        columns: [{ name: "x", type: "float64", values: [1] }],
      }),
    /column x has 1 values, the table 2 rows/,
  );
});

/** Every sheet of a workbook as rows of cells (`undefined` for an empty cell). */
function readXlsx(bytes: Uint8Array): Map<string, unknown[][]> {
  const book = openXlsx(bytes, "export.xlsx");
  const out = new Map<string, unknown[][]>();
  for (const sheet of book.sheets) {
    const rows: unknown[][] = [];
    scanCells(readPart(bytes, sheet.path, book.file)!, book, sheet.name, (r, c, v) => {
      (rows[r] ??= [])[c] = v;
    });
    out.set(sheet.name, rows);
  }
  return out;
}

Deno.test("tablesToXlsx() round trip through parsers/_xlsx.ts: a sheet per table, cells exact, an about sheet", async () => {
  const tables = await fixtureTables();
  const sheets = readXlsx(tablesToXlsx(tables));
  deepEqual([...sheets.keys()], ["cycles", "flags", "series", "spectra", "about"]);
  for (const table of tables) {
    const rows = sheets.get(table.name)!;
    deepEqual(rows[0], table.columns.map((c) => c.name));
    equal(rows.length, table.length + 1);
    const want = expected(table);
    table.columns.forEach((c, j) => {
      const got = rows.slice(1).map((r) => r?.[j] ?? null);
      deepEqual(got, want[c.name], `${table.name}.${c.name}`);
    });
  }
  const about = sheets.get("about")!;
  deepEqual(about[0], ["table", "key", "value"]);
  const units = about.find((r) => r[0] === "cycles" && r[1] === "units")!;
  deepEqual(JSON.parse(units[2] as string), {
    current: "mA",
    capacity: "mAh",
    energy: "Wh",
    specific_capacity: "mAh/g",
    areal: "mAh/cm2, ohm*cm2",
  });
  deepEqual(about.find((r) => r[0] === "cycles" && r[1] === "label"), ["cycles", "label", "zn"]);
});

Deno.test("tablesToXlsx() keeps text with XML characters and spaces, and refuses a table too long for a sheet", () => {
  const sheets = readXlsx(tablesToXlsx([{
    name: "odd: name?",
    length: 2,
    metadata: {},
    columns: [{ name: "a<b>&c", type: "string", values: [' "x" & <y> ', "é – µ"] }],
  }], { about: false }));
  deepEqual([...sheets.keys()], ["odd_ name_"]);
  deepEqual(sheets.get("odd_ name_"), [["a<b>&c"], [' "x" & <y> '], ["é – µ"]]);
  throws(
    () =>
      tablesToXlsx([{
        name: "series",
        length: 1_048_576,
        metadata: {},
        columns: [{ name: "time_s", type: "float64", values: new Float64Array(1_048_576) }],
      }]),
    /1048576 rows and 1 columns exceed what a worksheet holds \(1048575 rows below the header.*CSV or Parquet/,
  );
});

Deno.test("tableToParquet() round trip through hyparquet: values, nulls and the metadata", async () => {
  for (const table of await fixtureTables()) {
    const bytes = tableToParquet(table);
    const buffer = bytes.slice().buffer;
    const rows = await parquetReadObjects({ file: buffer });
    equal(rows.length, table.length, table.name);
    deepEqual(byColumn(rows, table.columns.map((c) => c.name)), expected(table), table.name);
    const meta = parquetMetadata(buffer);
    deepEqual(meta.schema.slice(1).map((s) => s.name), table.columns.map((c) => c.name));
    const kv = meta.key_value_metadata?.find((k) => k.key === EXPORT_METADATA_KEY);
    deepEqual(JSON.parse(kv!.value!), table.metadata);
  }
});

Deno.test("tableToArrowIpc() round trip through apache-arrow: values, nulls, types and the metadata", async () => {
  for (const table of await fixtureTables()) {
    const back = tableFromIPC(tableToArrowIpc(table));
    equal(back.numRows, table.length, table.name);
    deepEqual(back.schema.fields.map((f) => f.name), table.columns.map((c) => c.name));
    deepEqual(
      back.schema.fields.map((f) => String(f.type)),
      table.columns.map((c) =>
        ({ float64: "Float64", int32: "Int32", string: "Utf8", bool: "Bool" })[c.type]
      ),
    );
    const rows = back.toArray().map((r) => r.toJSON() as Record<string, unknown>);
    deepEqual(byColumn(rows, table.columns.map((c) => c.name)), expected(table), table.name);
    deepEqual(JSON.parse(back.schema.metadata.get(EXPORT_METADATA_KEY)!), table.metadata);
  }
});

Deno.test("encodeTables() names one file per table, or one workbook, with media types", async () => {
  const tables = await fixtureTables();
  const suffixes = (format: "csv" | "xlsx" | "parquet" | "arrow") =>
    encodeTables(tables, format).map((f) => f.suffix);
  deepEqual(suffixes("csv"), [".cycles.csv", ".flags.csv", ".series.csv", ".spectra.csv"]);
  deepEqual(suffixes("parquet"), [
    ".cycles.parquet",
    ".flags.parquet",
    ".series.parquet",
    ".spectra.parquet",
  ]);
  deepEqual(suffixes("arrow"), [
    ".cycles.arrow",
    ".flags.arrow",
    ".series.arrow",
    ".spectra.arrow",
  ]);
  const [book] = encodeTables(tables, "xlsx");
  equal(book.suffix, ".xlsx");
  match(book.content_type, /spreadsheetml/);
  deepEqual(book.tables.map((t) => t.rows), tables.map((t) => t.length));
  throws(() => encodeTables(tables, "json" as "csv"), /Cannot export as "json"/);
  throws(() => exportTest({ spectra: [] }, { format: "csv" }), /the test has no data to export/);
});
