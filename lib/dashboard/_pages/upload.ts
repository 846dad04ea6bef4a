// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Upload from the browser into the import pipeline: files (picked or dropped) are written to a
 * folder and imported by `importDirectory` as a job like any other (same job records, same
 * archive of the originals), with the sample association step of the original's "Data Upload"
 * tab: the sample from the file names, an existing sample, or a new one, with its properties and
 * tags. The page then follows the job live.
 */

import { join } from "node:path";
import { SAMPLE_PROPERTIES } from "../../../parsers/sample_property.ts";
import { parseSampleProperty } from "../../../parsers/sample_property.ts";
import type { ImportDirectoryOptions } from "../../import/import_directory.ts";
import type { SampleInfo } from "../../model/sample_info.ts";
import type { ImportJob } from "../../store/documents.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { markup } from "../_html.ts";
import { Params } from "../_params.ts";
import { safeFileName } from "../../safe_file_name.ts";

/** The upload page: file picker and drop zone, sample association, properties, tags. */
export async function uploadPage(ctx: Ctx): Promise<Page> {
  new Params(ctx.url, []);
  if (!ctx.options.importFiles) {
    return {
      title: "Upload",
      nav: "upload",
      body:
        markup`<p class="muted" id="upload-off">Uploads are off in this server (it runs read-only, or
without the import pipeline). Import with <code>${ctx.options.importCommand}</code>.</p>`,
    };
  }
  const samples = await ctx.store.samples.find();
  const limit = ctx.options.maxUploadBytes;
  const body =
    markup`<form method="post" action="/upload" enctype="multipart/form-data" id="upload-form" data-upload>
<input type="hidden" name="csrf" value="${ctx.csrf}">
<div class="dropzone" id="dropzone"><p><strong>Drop instrument files here</strong>, or
<label class="inline-file">choose them <input type="file" name="files" id="upload-files" multiple required></label>.</p>
<p class="muted">Any format the importer reads (Arbin, BioLogic, Neware, Maccor, EIS, …), up to ${
      Math.round(limit / 1024 ** 2)
    } MB in all. Files already imported (same SHA-256) are skipped.</p>
<ul id="upload-list"></ul></div>
<fieldset class="sample-choice"><legend>Sample</legend>
<label><input type="radio" name="sample_mode" value="auto" checked> From the file names (the configured rule)</label>
<label><input type="radio" name="sample_mode" value="existing"> Existing sample
<select name="sample_existing" id="upload-sample-existing"><option value="">choose…</option>${
      samples.map((s) => markup`<option value="${s.name}">${s.name}</option>`)
    }</select></label>
<label><input type="radio" name="sample_mode" value="new"> New sample <input name="sample_new" id="upload-sample-new" placeholder="name"></label>
</fieldset>
<details class="more-filters"><summary>Sample properties and tags (optional)</summary><div class="filter-grid">${
      SAMPLE_PROPERTIES.map((p) =>
        markup`<label>${p.description}<input name="prop_${p.field}" data-field="${p.field}"${
          p.unit ? markup` placeholder="with unit"` : ""
        }></label>`
      )
    }
<label class="grow">Tags (comma-separated)<input name="tags" id="upload-tags"></label></div></details>
<p><button type="submit" id="upload-submit">Upload and import</button>
<progress id="upload-progress" max="1" value="0" hidden></progress> <span id="upload-status" class="muted"></span></p>
</form>`;
  return { title: "Upload", nav: "upload", body };
}

function text(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v.trim() : "";
}

/**
 * POST `/upload`: write the files, start their import as a job in the background, and send the
 * browser to the job's page (which follows it live).
 */
export async function uploadAction(ctx: Ctx, form: FormData): Promise<Response> {
  const importFiles = ctx.options.importFiles;
  if (!importFiles) throw new HttpError(501, "Uploads are off in this server");
  const files = form.getAll("files").filter((f): f is File => f instanceof File && f.size >= 0);
  if (files.length === 0 || files.every((f) => f.name === "")) {
    throw new HttpError(400, "Choose at least one file to upload");
  }
  const mode = text(form, "sample_mode") || "auto";
  let sample: string | undefined;
  if (mode === "existing") {
    sample = text(form, "sample_existing");
    if (!sample) throw new HttpError(400, "Choose the existing sample for these files");
    if (!(await ctx.store.samples.getByName(sample))) {
      throw new HttpError(400, `No sample named "${sample}"`);
    }
  } else if (mode === "new") {
    sample = text(form, "sample_new");
    if (!sample) throw new HttpError(400, "Give the name of the new sample");
  } else if (mode !== "auto") {
    throw new HttpError(400, `Unknown sample choice "${mode}" (auto, existing or new)`);
  }
  const info: SampleInfo = {};
  for (const p of SAMPLE_PROPERTIES) {
    const value = text(form, `prop_${p.field}`);
    if (value === "") continue;
    try {
      const parsed = parseSampleProperty(p.aliases[0], value);
      (info as Record<string, unknown>)[parsed.field] = parsed.value;
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, err.message);
      throw err;
    }
  }
  const tags = text(form, "tags").split(",").map((t) => t.trim()).filter((t) => t !== "");
  // The files go to a folder of their own: the configured upload folder, or a temporary one that
  // is removed after the import (the store keeps the originals in its archive).
  const base = ctx.options.uploadDir;
  if (base) await Deno.mkdir(base, { recursive: true });
  const dir = base
    ? await Deno.makeTempDir({ dir: base, prefix: `${new Date().toISOString().slice(0, 10)}_` })
    : await Deno.makeTempDir({ prefix: "battery_upload_" });
  const used = new Set<string>();
  for (const f of files) {
    const clean = safeFileName(f.name || "upload");
    let name = clean;
    for (let k = 2; used.has(name); k++) name = `${k}_${clean}`;
    used.add(name);
    await Deno.writeFile(join(dir, name), f.stream());
  }
  const started = Promise.withResolvers<ImportJob>();
  const options: ImportDirectoryOptions = {
    ...(sample ? { sample } : {}),
    ...(Object.keys(info).length ? { sampleInfo: info } : {}),
    ...(tags.length ? { tags } : {}),
    onJob: (job) => started.resolve(job),
  };
  const key = `upload:${dir}`;
  const run = importFiles([dir], options)
    .catch((err) => {
      const message = err instanceof Error ? err.message : String(err);
      started.reject(new HttpError(400, `The import did not start: ${message}`));
      ctx.actionErrors.set(key, message);
    })
    .finally(async () => {
      ctx.running.delete(key);
      if (!base) await Deno.remove(dir, { recursive: true }).catch(() => {});
    });
  ctx.running.set(key, run);
  const job = await started.promise;
  return new Response(null, {
    status: 303,
    headers: { location: `/jobs/${encodeURIComponent(job.id)}` },
  });
}
