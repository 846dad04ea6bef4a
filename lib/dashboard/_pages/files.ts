// Copyright 2026 the battery-analysis authors. MIT license.

import type { RawFileFilter } from "../../store/store.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { markup, query, when } from "../_html.ts";
import { Params } from "../_params.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";

/** Files per page. */
const PER_PAGE = 50;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** Raw files: search by name, path, id or SHA-256 (any part, any case), a page at a time. */
export async function filesPage(ctx: Ctx): Promise<Page> {
  const p = new Params(ctx.url, ["q", "test", "page"]);
  const q = p.string("q") ?? "";
  const testId = p.string("test");
  const page = p.int("page", { min: 1 }) ?? 1;
  const filter: RawFileFilter = {};
  if (testId) filter.test_id = testId;
  const all = await ctx.store.rawFiles.find(filter);
  const needle = q.toLowerCase();
  const files = all.filter((f) =>
    needle === "" || f.id === q || f.sha256.startsWith(needle) ||
    f.file_name.toLowerCase().includes(needle) ||
    (f.source_path ?? "").toLowerCase().includes(needle)
  );
  const pages = Math.max(1, Math.ceil(files.length / PER_PAGE));
  const first = (page - 1) * PER_PAGE;
  const shown = files.slice(first, first + PER_PAGE);
  const pageLink = (n: number, label: string, rel: string) =>
    n < 1 || n > pages || n === page
      ? markup`<span class="muted">${label}</span>`
      : markup`<a href="/files${
        query({ q, test: testId, page: n })
      }" data-page="${rel}">${label}</a>`;
  const body = markup`<form class="filters" method="get" action="/files" id="file-search">
<label class="grow">File name, path, id or SHA-256 (any part)<input type="search" name="q" value="${q}"></label>
${testId ? markup`<input type="hidden" name="test" value="${testId}">` : ""}
<button type="submit">Search</button> <a href="/files">Clear</a></form>
${
    all.length === 0
      ? markup`<p class="muted" id="no-files">No raw files stored${
        testId ? " for this test" : ""
      }. Imports archive the original files here.</p>`
      : markup`<div class="pager"><span id="file-count">${files.length} of ${all.length} files${
        files.length ? `; ${first + 1}–${first + shown.length} shown` : ""
      }.</span><nav class="pages" aria-label="Pages">${
        pageLink(page - 1, "‹ Previous", "prev")
      } <span>page ${page} of ${pages}</span> ${pageLink(page + 1, "Next ›", "next")}</nav></div>
<table id="files-table" class="sticky"><thead><tr><th>File</th><th class="num">Size</th><th>Stored</th><th>Source path</th><th>Test</th><th>Import job</th><th></th></tr></thead><tbody>${
        shown.map((f) =>
          markup`<tr data-file-id="${f.id}"><td class="name" title="${f.file_name}">${f.file_name}</td><td class="num">${
            size(f.size_bytes)
          }</td><td class="nowrap">${when(f.uploaded_at)}</td>
<td class="path">${f.source_path ?? ""}</td><td>${
            f.test_id ? markup`<a href="/tests/${encodeURIComponent(f.test_id)}">test</a>` : ""
          }</td>
<td>${
            f.import_job_id
              ? markup`<a href="/jobs/${encodeURIComponent(f.import_job_id)}">job</a>`
              : ""
          }</td>
<td><a href="/files/${encodeURIComponent(f.id)}/download" download>Download</a></td></tr>`
        )
      }</tbody></table>`
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
