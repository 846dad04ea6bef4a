// Copyright 2026 the battery-analysis authors. MIT license.

import type { RawFileFilter } from "../../store/store.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { markup, when } from "../_html.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";

/** Files listed at most. */
const LIMIT = 500;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** Raw files: search by name, list, download. */
export async function filesPage(ctx: Ctx): Promise<Page> {
  const q = ctx.url.searchParams.get("q")?.trim() ?? "";
  const filter: RawFileFilter = {};
  const testId = ctx.url.searchParams.get("test");
  if (testId) filter.test_id = testId;
  const all = await ctx.store.rawFiles.find(filter);
  const needle = q.toLowerCase();
  const files = all.filter((f) =>
    needle === "" || f.id === q || f.sha256 === needle ||
    f.file_name.toLowerCase().includes(needle) ||
    (f.source_path ?? "").toLowerCase().includes(needle)
  );
  const body = markup`<form class="filters" method="get" action="/files" id="file-search">
<label>File name, path, id or SHA-256<input name="q" value="${q}" size="40"></label>
${testId ? markup`<input type="hidden" name="test" value="${testId}">` : ""}
<button type="submit">Search</button> <a href="/files">Clear</a></form>
${
    all.length === 0
      ? markup`<p class="muted" id="no-files">No raw files stored${
        testId ? " for this test" : ""
      }. Imports archive the original files here.</p>`
      : markup`<p>${files.length} of ${all.length} files${
        files.length > LIMIT ? `, first ${LIMIT} shown` : ""
      }.</p>
<div class="scroll"><table id="files-table"><thead><tr><th>File</th><th class="num">Size</th><th>Stored</th><th>Source path</th><th>Test</th><th>Import job</th><th></th></tr></thead><tbody>${
        files.slice(0, LIMIT).map((f) =>
          markup`<tr data-file-id="${f.id}"><td>${f.file_name}</td><td class="num">${
            size(f.size_bytes)
          }</td><td>${when(f.uploaded_at)}</td>
<td>${
            f.source_path ?? ""
          }</td><td>${
            f.test_id ? markup`<a href="/tests/${encodeURIComponent(f.test_id)}">test</a>` : ""
          }</td>
<td>${
            f.import_job_id
              ? markup`<a href="/jobs/${encodeURIComponent(f.import_job_id)}">job</a>`
              : ""
          }</td>
<td><a href="/files/${encodeURIComponent(f.id)}/download" download>Download</a></td></tr>`
        )
      }</tbody></table></div>`
  }`;
  return { title: "Raw files", nav: "files", body };
}

/**
 * The bytes of a stored file, as an attachment: always `application/octet-stream` (a stored
 * HTML file never renders as a page) under a sanitized file name.
 */
export async function downloadFile(ctx: Ctx, id: string): Promise<Response> {
  const file = await ctx.store.rawFiles.get(id);
  if (!file) throw new HttpError(404, `No raw file with id "${id}"`);
  const stream = await ctx.store.rawFiles.open(id);
  return new Response(stream, {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/octet-stream",
      "content-length": String(file.size_bytes),
      "content-disposition": attachment(file.file_name),
      "cache-control": "no-store",
    },
  });
}
