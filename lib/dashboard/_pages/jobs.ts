// Copyright 2026 the battery-analysis authors. MIT license.

import type { ImportJob } from "../../store/documents.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { markup, type SafeHtml, when } from "../_html.ts";

/** A table of jobs (newest first). */
export function jobTable(jobs: readonly ImportJob[]): SafeHtml {
  return markup`<div class="scroll"><table class="jobs"><thead><tr><th>Started</th><th>Status</th>
<th>Roots</th><th class="num">Processed</th><th class="num">Created</th><th class="num">Updated</th>
<th class="num">Skipped</th><th class="num">Failed</th><th>Finished</th></tr></thead><tbody>${
    jobs.map((j) =>
      markup`<tr data-job="${j.id}"><td><a href="/jobs/${encodeURIComponent(j.id)}">${
        when(j.started_at)
      }</a></td><td class="status-${j.status}">${j.status}</td><td>${j.roots.join(", ")}</td>
<td class="num">${j.counts.processed}${j.counts.total !== null ? ` / ${j.counts.total}` : ""}</td>
<td class="num">${j.counts.created}</td><td class="num">${j.counts.updated}</td>
<td class="num">${j.counts.skipped}</td><td class="num">${j.counts.failed}</td><td>${
        when(j.finished_at)
      }</td></tr>`
    )
  }</tbody></table></div>`;
}

/** Import jobs: the 50 newest. */
export async function jobsPage(ctx: Ctx): Promise<Page> {
  const jobs = await ctx.store.jobs.list({ limit: 50 });
  const body = jobs.length
    ? jobTable(jobs)
    : markup`<p class="muted" id="no-jobs">No import jobs yet. Import with <code>${ctx.options.importCommand}</code>.</p>`;
  return { title: "Import jobs", nav: "jobs", body };
}

function resumable(job: ImportJob): boolean {
  return job.status === "interrupted" || job.status === "running";
}

/** One job: counters, errors and per-file outcomes; the resume button when it can resume. */
export async function jobPage(ctx: Ctx, id: string): Promise<Page> {
  const job = await ctx.store.jobs.get(id);
  if (!job) throw new HttpError(404, `No import job with id "${id}"`);
  const busy = ctx.running.has(`job:${id}`);
  const lastError = ctx.actionErrors.get(`job:${id}`);
  let action: SafeHtml | string = "";
  if (busy) {
    action =
      markup`<p class="notice" id="resume-running">Resuming in the background; reload to follow.</p>`;
  } else if (resumable(job)) {
    action = ctx.options.resumeJob
      ? markup`<form method="post" action="/jobs/${
        encodeURIComponent(job.id)
      }/resume" id="resume-form"
data-confirm="Resume this import job now?"><input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit">Resume job</button> <span class="muted">Files already recorded are not read again.</span></form>`
      : markup`<p class="muted">This job can be resumed with
<code>deno run -A cli/import_directory.ts --resume ${job.id}</code>.</p>`;
  }
  const failed = job.files.filter((f) => f.action === "failed");
  const body = markup`${jobTable([job])}${action}${
    lastError ? markup`<p class="error" id="resume-error">Resuming failed: ${lastError}</p>` : ""
  }
${
    job.errors.length
      ? markup`<h2>Errors</h2><ul id="job-errors">${
        job.errors.map((e) => markup`<li class="error">${e}</li>`)
      }</ul>`
      : ""
  }
<h2>Files (${job.files.length}${failed.length ? `, ${failed.length} failed` : ""})</h2>
<div class="scroll"><table id="job-files"><thead><tr><th>Path</th><th>Action</th><th>Test</th><th>Error</th><th>At</th></tr></thead><tbody>${
    job.files.map((f) =>
      markup`<tr><td>${f.path}</td><td class="${
        f.action === "failed" ? "error" : ""
      }">${f.action}</td><td>${
        f.test_id ? markup`<a href="/tests/${encodeURIComponent(f.test_id)}">test</a>` : ""
      }</td><td class="error">${f.error ?? ""}</td><td>${when(f.at)}</td></tr>`
    )
  }</tbody></table></div>`;
  return { title: `Import job ${job.id}`, nav: "jobs", body };
}

/** Start resuming a job in the background (POST, CSRF-checked by the router). */
export async function resumeJob(ctx: Ctx, id: string): Promise<Response> {
  const job = await ctx.store.jobs.get(id);
  if (!job) throw new HttpError(404, `No import job with id "${id}"`);
  if (!ctx.options.resumeJob) {
    throw new HttpError(501, "Resuming jobs is not available in this server (no import pipeline)");
  }
  if (!resumable(job)) throw new HttpError(409, `Job "${id}" is ${job.status}; nothing to resume`);
  const key = `job:${id}`;
  if (!ctx.running.has(key)) {
    ctx.actionErrors.delete(key);
    const run = ctx.options.resumeJob(id).catch((err) => {
      ctx.actionErrors.set(key, err instanceof Error ? err.message : String(err));
    }).finally(() => ctx.running.delete(key));
    ctx.running.set(key, run);
  }
  return new Response(null, {
    status: 303,
    headers: { location: `/jobs/${encodeURIComponent(id)}` },
  });
}
