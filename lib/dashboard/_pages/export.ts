// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Downloads of a test's tables (`/tests/:id/export/TABLE.FORMAT`): the analysed cycle table,
 * the flags, the series and the spectra as CSV, XLSX, Parquet or Arrow IPC, in the units the
 * form asks for — `exportTest` on the test's stored analysis, series and spectra and its
 * sample's properties, encoded in the worker pool.
 */

import { zipSync } from "npm:fflate@0.8.3";
import {
  EXPORT_FORMATS,
  EXPORT_TABLES,
  type ExportFile,
  type ExportFormat,
  type ExportTableName,
  exportTest,
  type ExportTestOptions,
  parseExportUnits,
  type TestExportInput,
} from "../../../analysis/export/mod.ts";
import type { Sample, TestResult } from "../../store/documents.ts";
import { samplePropertiesOf } from "../../samples/sample_properties_of.ts";
import { transferables } from "../../compute/transferables.ts";
import { ComputeTimeoutError } from "../../compute/compute_pool.ts";
import { type Ctx, HttpError } from "../_context.ts";
import { analysisNote, requireTest } from "../_data.ts";
import { markup, type SafeHtml } from "../_html.ts";
import { Params } from "../_params.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";
import { safeFileName } from "../../safe_file_name.ts";

/** What the download URL names: a table of the test, or all of them. */
type Download = ExportTableName | "all";

/** The path pattern of a download (test id, table, format). */
export const EXPORT_ROUTE = new RegExp(
  `^/tests/([^/]+)/export/(${[...EXPORT_TABLES, "all"].join("|")})\\.(${
    EXPORT_FORMATS.join("|")
  })$`,
);

const FORMAT_LABEL: Record<ExportFormat, string> = {
  csv: "CSV",
  xlsx: "XLSX",
  parquet: "Parquet",
  arrow: "Arrow",
};

/** The worker task: encode the tables (input and output are plain, structured-cloneable data). */
export function exportFiles(
  input: { data: TestExportInput; options: ExportTestOptions },
): ExportFile[] {
  return exportTest(input.data, input.options);
}

/**
 * The download section of a test's page: the units (mA, mAh, mWh; mAh/g and mAh/cm² when the
 * sample has an active mass or an area) and a button per table and format.
 */
export function exportSection(test: TestResult, sample: Sample | null): SafeHtml {
  const props = sample ? samplePropertiesOf(sample) : null;
  const base = `/tests/${encodeURIComponent(test.id)}/export`;
  const rows: { table: Download; label: string }[] = [];
  if (test.analysis && (test.cycles.length > 0 || test.data.series)) {
    rows.push({ table: "cycles", label: `Cycle table (${test.cycles.length} cycles)` });
  }
  if (test.analysis) rows.push({ table: "flags", label: "Data-quality flags" });
  if (test.data.series) rows.push({ table: "series", label: "Series" });
  if (test.data.spectra.length) {
    rows.push({ table: "spectra", label: `Impedance spectra (${test.data.spectra.length})` });
  }
  if (rows.length === 0) return markup``;
  if (rows.length > 1) {
    rows.push({ table: "all", label: "All tables (XLSX: one workbook; else a zip)" });
  }
  const check = (value: string, label: string, has: boolean, needs: string) =>
    markup`<label${
      has ? "" : markup` class="muted" title="${needs}"`
    }><input type="checkbox" name="units" value="${value}"${
      has ? "" : markup` disabled`
    }> ${label}</label>`;
  const select = (label: string, choices: string[]) =>
    markup`<label>${label}<select name="units">${
      choices.map((c) => markup`<option value="${c}">${c}</option>`)
    }</select></label>`;
  return markup`<h2>Download</h2>
<form class="filters" method="get" action="${base}/all.xlsx" id="export-form">${
    select("Current", ["A", "mA"])
  }${select("Capacity", ["Ah", "mAh"])}${select("Energy", ["Wh", "mWh"])}${
    check(
      "mAh/g",
      "mAh/g",
      props?.active_mass_g != null,
      "needs the sample's active mass (Sample properties)",
    )
  }${
    check(
      "mAh/cm2",
      "mAh/cm² (and Ω·cm²)",
      props?.area_cm2 != null,
      "needs the sample's electrode area (Sample properties)",
    )
  }
<table id="export-buttons"><tbody>${
    rows.map((r) =>
      markup`<tr><th>${r.label}</th><td>${
        EXPORT_FORMATS.map((f) =>
          markup`<button type="submit" class="secondary small" formaction="${base}/${r.table}.${f}" data-export="${r.table}.${f}">${
            FORMAT_LABEL[f]
          }</button> `
        )
      }</td></tr>`
    )
  }</tbody></table></form>
<p class="muted">The analysis's own numbers (roles, retention and flags of every cycle); units in the column names; Parquet and Arrow read in pandas and polars (docs/export.md).</p>`;
}

/**
 * `GET /tests/:id/export/TABLE.FORMAT?units=…`: the file (or, for all tables as CSV, Parquet or
 * Arrow, a zip of them), named after the test.
 */
export async function testExport(
  ctx: Ctx,
  id: string,
  download: Download,
  format: ExportFormat,
): Promise<Response> {
  const p = new Params(ctx.url, ["units"]);
  let units;
  try {
    units = parseExportUnits(p.list("units").join(","));
  } catch (err) {
    throw new HttpError(400, (err as Error).message);
  }
  const test = await requireTest(ctx.store, id);
  const tables: ExportTableName[] | undefined = download === "all" ? undefined : [download];
  if (!test.analysis && (download === "cycles" || download === "flags")) {
    throw new HttpError(409, `Test "${test.name}" has no analysis: ${analysisNote(test)}`);
  }
  if (download === "series" && !test.data.series) {
    throw new HttpError(404, `Test "${test.name}" has no time series`);
  }
  if (download === "spectra" && !test.data.spectra.length) {
    throw new HttpError(404, `Test "${test.name}" has no impedance spectra`);
  }
  const wants = (t: ExportTableName) => !tables || tables.includes(t);
  const series = wants("series") && test.data.series ? await ctx.store.series.read(test.id) : null;
  const spectra = wants("spectra") && test.data.spectra.length
    ? await ctx.store.spectra.read(test.id)
    : null;
  const sample = test.sample_id ? await ctx.store.samples.get(test.sample_id) : null;
  const data: TestExportInput = { analysis: test.analysis, series, spectra };
  const options: ExportTestOptions = {
    format,
    tables,
    units,
    sample: sample ? samplePropertiesOf(sample) : null,
    label: test.name,
  };
  let files: ExportFile[];
  try {
    files = await ctx.compute.pool.run<ExportFile[]>(
      "exportFiles",
      { data, options },
      {
        heavy: series !== null,
        signal: ctx.req.signal,
        transfer: transferables(data),
      },
    );
  } catch (err) {
    if (err instanceof RangeError) throw new HttpError(400, err.message);
    if (err instanceof ComputeTimeoutError) {
      throw new HttpError(
        503,
        `Stopped writing the ${download} of "${test.name}" after the time limit: export a ` +
          `smaller table, or use summarize --${format} on the file`,
      );
    }
    throw err;
  }
  let body: Uint8Array, type: string, name: string;
  if (files.length === 1) {
    body = files[0].bytes;
    type = files[0].content_type;
    name = `${test.name}${files[0].suffix}`;
  } else {
    body = zipSync(
      Object.fromEntries(files.map((f) => [safeFileName(`${test.name}${f.suffix}`), f.bytes])),
    );
    type = "application/zip";
    name = `${test.name}.${format}.zip`;
  }
  return new Response(body as Uint8Array<ArrayBuffer>, {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": type,
      "content-disposition": attachment(name),
      "cache-control": "no-store",
    },
  });
}
