// Copyright 2026 the battery-analysis authors. MIT license.
// `summarize --csv/--xlsx/--parquet/--arrow`: the files hold the numbers `summarize --json` shows
// (one analysis, every surface), in the units asked for; nothing is written outside --out, an
// existing file is never replaced without --force, and a run that cannot write says why.
// Known answers of the Zn fixture from tests/analysis/scripts/zn_expected.py (raw CSV read with
// Python's csv module): 36 cycles, cycle 1 discharges 0.00113 Ah.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { tableFromIPC } from "apache-arrow";
import { jsonLines, runCli } from "./_run.ts";
import { assertClose, fixturePath } from "../_util.ts";
import { openXlsx, readPart, scanCells } from "../../parsers/_xlsx.ts";

const ZN = fixturePath("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
const STEM = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1";
const EIS = fixturePath("eis/exampleData.csv");
const RW = ["--allow-read", "--allow-write"];

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("summarize --csv --xlsx --parquet --arrow writes the analysed tables in the units asked for", async () => {
  const dir = await Deno.makeTempDir({ prefix: "summarize_export_" });
  try {
    const run = await runCli("cli/summarize.ts", [
      "--json",
      "--csv",
      "--xlsx",
      "--parquet",
      "--arrow",
      "--units",
      "mA,mAh,mAh/g,mAh/cm2",
      "--active-mass",
      "12 mg",
      "--area",
      "1.13cm2",
      "--out",
      dir,
      ZN,
      EIS,
    ], RW);
    equal(run.code, 0, run.stderr);
    const [zn, eis] = jsonLines(run.stdout);
    // The Zn file: cycles, flags, series in four formats (CSV, Parquet, Arrow: a file per
    // table; XLSX: one workbook). The impedance file: flags and spectra.
    equal((zn.exports as unknown[]).length, 10);
    deepEqual(zn.sample_properties, {
      nominal_capacity_Ah: null,
      area_cm2: 1.13,
      thickness_cm: null,
      mass_g: 0.012,
      active_mass_g: 0.012,
      chemistry: null,
      form_factor: null,
    });
    deepEqual((eis.exports as { path: string }[]).map((e) => e.path.slice(dir.length + 1)), [
      "exampleData.flags.csv",
      "exampleData.spectra.csv",
      "exampleData.xlsx",
      "exampleData.flags.parquet",
      "exampleData.spectra.parquet",
      "exampleData.flags.arrow",
      "exampleData.spectra.arrow",
    ]);
    deepEqual(
      (await listing(dir)).filter((n) => n.startsWith(STEM)),
      ["arrow", "csv", "parquet"].flatMap((ext) =>
        ["cycles", "flags", "series"].map((t) => `${STEM}.${t}.${ext}`)
      ).concat(`${STEM}.xlsx`).sort(),
    );
    ok(!(await listing(dir)).some((n) => n.endsWith(".part")), "temporary files left behind");

    // The same numbers as --json: roles and capacities (×1000 for mAh), in every format.
    const cycles = zn.cycles as { role: string; discharge_capacity_Ah: number }[];
    equal(cycles.length, 36);
    const parquet = await parquetReadObjects({
      file: (await Deno.readFile(join(dir, `${STEM}.cycles.parquet`))).buffer,
    });
    const arrow = tableFromIPC(await Deno.readFile(join(dir, `${STEM}.cycles.arrow`))).toArray()
      .map((r) => r.toJSON());
    for (const rows of [parquet, arrow]) {
      deepEqual(rows.map((r) => r.role), cycles.map((c) => c.role));
      rows.forEach((r, i) => {
        assertClose(r.discharge_capacity_mAh as number, cycles[i].discharge_capacity_Ah * 1000, {
          rel: 1e-12,
        });
      });
    }
    // zn_expected.py: cycle 1 discharges 0.00113 Ah = 1.13 mAh; /12 mg; /1.13 cm².
    assertClose(parquet[0].discharge_capacity_mAh_per_g as number, 1.13 / 0.012, { rel: 1e-12 });
    assertClose(parquet[0].discharge_capacity_mAh_per_cm2 as number, 1, { rel: 1e-12 });
    equal(parquet[35].role, "cut_off");

    const csv = (await Deno.readTextFile(join(dir, `${STEM}.series.csv`))).split("\n");
    match(csv[0], /^time_s,voltage_V,current_mA,charge_capacity_mAh,charge_capacity_mAh_per_g,/);
    equal(csv.length, 1754 + 2); // header, rows, final line end

    const bytes = await Deno.readFile(join(dir, `${STEM}.xlsx`));
    const book = openXlsx(bytes, "x.xlsx");
    deepEqual(book.sheets.map((s) => s.name), ["cycles", "flags", "series", "about"]);
    const roles: unknown[] = [];
    scanCells(readPart(bytes, book.sheets[0].path, "x.xlsx")!, book, "cycles", (r, c, v) => {
      if (c === 2 && r > 0) roles.push(v);
    });
    deepEqual(roles, cycles.map((c) => c.role));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("summarize exports never replace a file without --force, nor write twice to one name in a run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "summarize_export_" });
  try {
    const first = await runCli("cli/summarize.ts", ["--csv", "--out", dir, ZN], RW);
    equal(first.code, 0, first.stderr);
    const cyclesPath = join(dir, `${STEM}.cycles.csv`);
    await Deno.writeTextFile(cyclesPath, "mine\n");
    // Exists: an error naming the file; nothing of that input written (all or nothing).
    await Deno.remove(join(dir, `${STEM}.series.csv`));
    const again = await runCli("cli/summarize.ts", ["--csv", "--out", dir, ZN], RW);
    equal(again.code, 1);
    match(
      again.stderr,
      /BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1\.cycles\.csv" exists; use --force/,
    );
    equal(await Deno.readTextFile(cyclesPath), "mine\n");
    deepEqual(await listing(dir), [`${STEM}.cycles.csv`, `${STEM}.flags.csv`]);
    // --force replaces.
    const forced = await runCli("cli/summarize.ts", ["--csv", "--force", "--out", dir, ZN], RW);
    equal(forced.code, 0, forced.stderr);
    match(await Deno.readTextFile(cyclesPath), /^cycle,instrument_cycle,role,/);
    // Two inputs with one name: the second is refused even with --force.
    const copy = join(dir, "copy");
    await Deno.mkdir(copy);
    await Deno.copyFile(ZN, join(copy, `${STEM}.CSV`));
    const twice = await runCli(
      "cli/summarize.ts",
      ["--csv", "--force", "--tables", "cycles", "--out", dir, ZN, join(copy, `${STEM}.CSV`)],
      RW,
    );
    equal(twice.code, 1);
    match(twice.stderr, /was written earlier in this run; export to another folder/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("summarize exports: a missing folder, missing sample properties and missing write permission are errors that say what to do", async () => {
  const dir = await Deno.makeTempDir({ prefix: "summarize_export_" });
  try {
    const missing = await runCli(
      "cli/summarize.ts",
      ["--parquet", "--out", join(dir, "nope"), ZN],
      RW,
    );
    equal(missing.code, 2);
    match(missing.stderr, /--out ".*nope": no such folder \(create it first\)/);

    const mass = await runCli(
      "cli/summarize.ts",
      ["--csv", "--units", "mAh/g", "--out", dir, ZN],
      RW,
    );
    equal(mass.code, 1);
    match(mass.stderr, /in mAh\/g: the sample's active mass \(active_mass_g\) is not known/);

    const readOnly = await runCli("cli/summarize.ts", ["--csv", "--out", dir, ZN], [
      "--allow-read",
    ]);
    equal(readOnly.code, 1);
    match(readOnly.stderr, /no write permission; run with --allow-write/);
    deepEqual(await listing(dir), []);

    const usage = await runCli("cli/summarize.ts", ["--units", "mA", ZN]);
    equal(usage.code, 2);
    match(usage.stderr, /--units goes with --csv, --xlsx, --parquet or --arrow/);
    const badUnits = await runCli("cli/summarize.ts", ["--csv", "--units", "kAh", ZN], RW);
    equal(badUnits.code, 2);
    match(badUnits.stderr, /unknown unit "kAh"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("summarize --sample-sheet gives the exports the sample's active mass by file pattern", async () => {
  const dir = await Deno.makeTempDir({ prefix: "summarize_export_" });
  try {
    const sheet = join(dir, "samples.csv");
    await Deno.writeTextFile(sheet, "Sample,File,Active mass (mg)\nZn04,BL_Zn_*_04_*,10\n");
    const run = await runCli("cli/summarize.ts", [
      "--json",
      "--parquet",
      "--tables",
      "cycles",
      "--units",
      "mAh/g",
      "--sample-sheet",
      sheet,
      "--out",
      dir,
      ZN,
    ], RW);
    equal(run.code, 0, run.stderr);
    equal((jsonLines(run.stdout)[0].sample_properties as { mass_g: number }).mass_g, 0.01);
    const rows = await parquetReadObjects({
      file: (await Deno.readFile(join(dir, `${STEM}.cycles.parquet`))).buffer,
    });
    // zn_expected.py: 0.00113 Ah = 1.13 mAh from 10 mg is 113 mAh/g.
    assertClose(rows[0].discharge_capacity_mAh_per_g as number, 113, { rel: 1e-12 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
