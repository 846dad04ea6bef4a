// Copyright 2026 the battery-analysis authors. MIT license.
// The test page's downloads: the stored analysis's cycle table, flags, series and spectra in
// each format and the units asked for, named after the test; errors say what is missing. Known
// answers of the Zn fixture from tests/analysis/scripts/zn_expected.py (raw CSV read with
// Python's csv module): 36 cycles, cycle 1 discharges 0.00113 Ah.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { parquetReadObjects } from "hyparquet";
import { tableFromIPC } from "apache-arrow";
import { createDashboardHandler } from "../../../lib/dashboard/mod.ts";
import { importDirectory } from "../../../lib/import/import_directory.ts";
import { setSampleProperties } from "../../../lib/samples/set_sample_properties.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { openXlsx } from "../../../parsers/_xlsx.ts";
import { assertClose, fixturePath } from "../../_util.ts";

const BASE = "http://127.0.0.1:8050";
const ZN = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
const EIS = "0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt";

Deno.test("test page downloads: the stored analysis's tables in every format and the units asked for", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dashboard_export_" });
  const data = join(dir, "data");
  await Deno.mkdir(data);
  await Deno.copyFile(fixturePath(`arbin/${ZN}`), join(data, ZN));
  await Deno.copyFile(fixturePath(`biologic/${EIS}`), join(data, EIS));
  const store = await SqliteStore.open({ path: join(dir, "battery.db") });
  // The worker pool's time limit (120 s by default, a 503 past it) is not what this test checks:
  // on a loaded 2-core machine the first encoding, with the workers starting cold, took longer.
  const handle = createDashboardHandler(store, { adhocDir: null, computeTimeoutMs: 900_000 });
  const get = async (path: string) => {
    const res = await handle(new Request(BASE + path));
    return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  try {
    await importDirectory(store, [data], { workers: 0 });
    const tests = await store.tests.find();
    const zn = tests.find((t) => t.parts.some((p) => p.file_name === ZN) || t.name.includes("Zn"))!;
    const eis = tests.find((t) => t !== zn)!;
    ok(zn.analysis && eis, tests.map((t) => t.name).join(", "));
    const sample = (await store.samples.get(zn.sample_id!))!;

    // Without an active mass the mAh/g choice is offered disabled, and asking is an error.
    let page = text((await get(`/tests/${zn.id}`)).bytes);
    match(page, /<h2>Download<\/h2>/);
    match(page, /<input type="checkbox" name="units" value="mAh\/g" disabled>/);
    for (const d of ["cycles.csv", "flags.xlsx", "series.parquet", "all.arrow"]) {
      ok(page.includes(`data-export="${d}"`), d);
    }
    ok(!page.includes('data-export="spectra.csv"'), "no spectra row for a cycling test");
    const noMass = await get(`/tests/${zn.id}/export/cycles.csv?units=mAh%2Fg`);
    equal(noMass.res.status, 400);
    match(
      text(noMass.bytes),
      /the sample&#39;s active mass \(active_mass_g\) is not known|the sample's active mass \(active_mass_g\) is not known/,
    );

    await setSampleProperties(store, sample.name, { active_mass_g: 0.012, area_cm2: 1.13 });
    page = text((await get(`/tests/${zn.id}`)).bytes);
    match(page, /<input type="checkbox" name="units" value="mAh\/g">/);

    // Parquet cycle table: the stored analysis's roles; mAh and mAh/g from the sample.
    const parquet = await get(
      `/tests/${zn.id}/export/cycles.parquet?units=mA&units=mAh&units=mAh%2Fg&units=Wh`,
    );
    equal(parquet.res.status, 200);
    equal(parquet.res.headers.get("content-type"), "application/vnd.apache.parquet");
    match(parquet.res.headers.get("content-disposition")!, /filename=".+\.cycles\.parquet"/);
    const rows = await parquetReadObjects({ file: parquet.bytes.slice().buffer });
    equal(rows.length, 36);
    deepEqual(rows.map((r) => r.role), zn.analysis!.cycles.map((c) => c.role));
    assertClose(rows[0].discharge_capacity_mAh as number, 1.13, { rel: 1e-12 });
    assertClose(rows[0].discharge_capacity_mAh_per_g as number, 1.13 / 0.012, { rel: 1e-12 });

    // Arrow series: one row per stored sample, with the analysis's cycle.
    const arrow = await get(`/tests/${zn.id}/export/series.arrow?units=mA`);
    equal(arrow.res.status, 200);
    const series = tableFromIPC(arrow.bytes);
    equal(series.numRows, 1754);
    ok(series.schema.fields.some((f) => f.name === "current_mA"));
    equal(series.getChild("cycle")!.get(122), 1);

    // All tables: one workbook, or a zip of one file per table.
    const book = await get(`/tests/${zn.id}/export/all.xlsx`);
    equal(book.res.status, 200);
    deepEqual(openXlsx(book.bytes, "x.xlsx").sheets.map((s) => s.name), [
      "cycles",
      "flags",
      "series",
      "about",
    ]);
    const zip = await get(`/tests/${zn.id}/export/all.csv?units=mAh`);
    equal(zip.res.headers.get("content-type"), "application/zip");
    const entries = unzipSync(zip.bytes);
    deepEqual(Object.keys(entries).map((n) => n.replace(/^.*?(\.\w+\.csv)$/, "$1")), [
      ".cycles.csv",
      ".flags.csv",
      ".series.csv",
    ]);
    const cyclesCsv = text(Object.values(entries)[0]).split("\n");
    match(cyclesCsv[0], /^cycle,instrument_cycle,role,role_reason,retention,flags,/);
    equal(cyclesCsv.length, 36 + 2);

    // The impedance test: spectra (Ω·cm² with the area of its sample when it has one).
    page = text((await get(`/tests/${eis.id}`)).bytes);
    ok(page.includes('data-export="spectra.parquet"'), "spectra row");
    const spectra = await get(`/tests/${eis.id}/export/spectra.csv`);
    equal(spectra.res.status, 200);
    const lines = text(spectra.bytes).trimEnd().split("\n");
    equal(lines.length, 48 + 1); // 48 points (the parser's known answer) and a header
    match(lines[0], /^sequence,cycle,frequency_Hz,z_real_ohm,z_imag_ohm,/);

    // Errors: a table the test lacks, an unknown unit, an unknown table.
    equal((await get(`/tests/${zn.id}/export/spectra.csv`)).res.status, 404);
    const badUnit = await get(`/tests/${zn.id}/export/cycles.csv?units=kAh`);
    equal(badUnit.res.status, 400);
    match(text(badUnit.bytes), /unknown unit &quot;kAh&quot;|unknown unit "kAh"/);
    equal((await get(`/tests/${zn.id}/export/bogus.csv`)).res.status, 404);
    equal((await get(`/tests/${zn.id}/export/cycles.csv?table=x`)).res.status, 400);
  } finally {
    handle.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
