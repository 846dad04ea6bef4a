// Copyright 2026 the battery-analysis authors. MIT license.

import type { FileAction, ImportJob, JobStatus } from "../../store/documents.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { longText, markup, query, type SafeHtml, when } from "../_html.ts";
import { Params } from "../_params.ts";
import { liveState } from "./events.ts";

/** A table of jobs (newest first). */
export function jobTable(jobs: readonly ImportJob[]): SafeHtml {
  return markup`<table class="jobs sticky"><thead><tr><th>Started</th><th>Status</th>
<th>Roots</th><th class="num">Processed</th><th class="num">Created</th><th class="num">Updated</th>
<th class="num">Skipped</th><th class="num">Failed</th><th>Finished</th></tr></thead><tbody>${
    jobs.map((j) =>
      markup`<tr data-job="${j.id}"><td class="nowrap"><a href="/jobs/${
        encodeURIComponent(j.id)
      }">${when(j.started_at)}</a></td><td class="status-${j.status}"${
        j.interruptions?.length ? markup` title="${j.interruptions.at(-1)}"` : ""
      }>${j.status}</td><td class="path">${j.roots.join(", ")}</td>
<td class="num">${j.counts.processed}${j.counts.total !== null ? ` / ${j.counts.total}` : ""}</td>
<td class="num">${j.counts.created}</td><td class="num">${j.counts.updated}</td>
<td class="num">${j.counts.skipped}</td><td class="num">${j.counts.failed}</td><td class="nowrap">${
        when(j.finished_at)
      }</td></tr>`
    )
  }</tbody></table>`;
}

const JOB_STATUSES: readonly JobStatus[] = ["running", "completed", "failed", "interrupted"];
const PER_PAGE = 50;

/** Import jobs, newest first, a page at a time, by status. */
export async function jobsPage(ctx: Ctx): Promise<Page> {
  const p = new Params(ctx.url, ["status", "page"]);
  const status = p.oneOf("status", JOB_STATUSES);
  const page = p.int("page", { min: 1 }) ?? 1;
  const state = await liveState(ctx);
  // One more than a page tells whether there is a next one.
  const jobs = await ctx.store.jobs.list({
    limit: PER_PAGE + 1,
    skip: (page - 1) * PER_PAGE,
    ...(status ? { status } : {}),
  });
  const more = jobs.length > PER_PAGE;
  const shown = jobs.slice(0, PER_PAGE);
  const link = (n: number, label: string, rel: string) =>
    markup`<a href="/jobs${
      query({ status, page: n > 1 ? n : undefined })
    }" data-page="${rel}">${label}</a>`;
  const body = markup`<form class="filters" method="get" action="/jobs" id="job-filter">
<label>Status<select name="status"><option value="">any</option>${
    JOB_STATUSES.map((s) => markup`<option${s === status ? markup` selected` : ""}>${s}</option>`)
  }</select></label><button type="submit">Show</button></form>
<div id="jobs-live" data-live="/events" data-live-state="${state}">${
    shown.length
      ? markup`${jobTable(shown)}<nav class="pages" aria-label="Pages">${
        page > 1 ? link(page - 1, "‹ Newer", "prev") : markup`<span class="muted">‹ Newer</span>`
      } <span>page ${page}</span> ${
        more ? link(page + 1, "Older ›", "next") : markup`<span class="muted">Older ›</span>`
      }</nav>`
      : markup`<p class="muted" id="no-jobs">${
        status || page > 1
          ? "No import jobs here."
          : markup`No import jobs yet. Import with <code>${ctx.options.importCommand}</code>, or upload files on the <a href="/upload">Upload</a> page.`
      }</p>`
  }</div>`;
  return { title: "Import jobs", nav: "jobs", body };
}

function resumable(job: ImportJob): boolean {
  return job.status === "interrupted" || job.status === "running";
}

const FILE_ACTIONS: readonly FileAction[] = ["created", "updated", "skipped", "failed"];

/** One job: counters, errors and per-file outcomes; the resume button when it can resume. */
export async function jobPage(ctx: Ctx, id: string): Promise<Page> {
  const p = new Params(ctx.url, ["action", "page"]);
  const action = p.oneOf("action", FILE_ACTIONS);
  const page = p.int("page", { min: 1 }) ?? 1;
  const state = await liveState(ctx);
  const job = await ctx.store.jobs.get(id);
  if (!job) throw new HttpError(404, `No import job with id "${id}"`);
  const busy = ctx.running.has(`job:${id}`);
  const lastError = ctx.actionErrors.get(`job:${id}`);
  let resume: SafeHtml | string = "";
  if (busy) {
    resume =
      markup`<p class="notice" id="resume-running">Resuming in the background; this page follows it.</p>`;
  } else if (job.status === "running") {
    resume =
      markup`<p class="notice" id="job-running">Running: this page follows it live. If its writer was stopped, it will show as interrupted.</p>`;
  } else if (resumable(job)) {
    resume = ctx.options.resumeJob
      ? markup`<form method="post" action="/jobs/${
        encodeURIComponent(job.id)
      }/resume" id="resume-form"
data-confirm="Resume this import job now?"><input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit">Resume job</button> <span class="muted">Files already recorded are not read again.</span></form>`
      : markup`<p class="muted">This job can be resumed with
<code>deno run -A cli/import_directory.ts --resume ${job.id}</code>.</p>`;
  }
  const counts = new Map(FILE_ACTIONS.map((a) => [a, 0]));
  for (const f of job.files) counts.set(f.action, counts.get(f.action)! + 1);
  const files = action ? job.files.filter((f) => f.action === action) : job.files;
  const pages = Math.max(1, Math.ceil(files.length / PER_PAGE));
  const shown = files.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  const filterLink = (a: FileAction | undefined, label: string) =>
    a === action
      ? markup`<strong>${label}</strong>`
      : markup`<a href="/jobs/${encodeURIComponent(job.id)}${query({ action: a })}" data-action="${
        a ?? "all"
      }">${label}</a>`;
  const pageLink = (n: number, label: string, rel: string) =>
    n < 1 || n > pages || n === page
      ? markup`<span class="muted">${label}</span>`
      : markup`<a href="/jobs/${encodeURIComponent(job.id)}${
        query({ action, page: n })
      }" data-page="${rel}">${label}</a>`;
  const body = markup`<div id="job-live"${
    job.status === "running" || busy ? markup` data-live="/events" data-live-state="${state}"` : ""
  }>${jobTable([job])}${resume}${
    lastError ? markup`<p class="error" id="resume-error">Resuming failed: ${lastError}</p>` : ""
  }
${
    job.interruptions?.length
      ? markup`<h2>Interruptions</h2><ul id="job-interruptions">${
        job.interruptions.map((e) => markup`<li class="status-interrupted">${e}</li>`)
      }</ul>`
      : ""
  }
${
    job.errors.length
      ? markup`<h2>Errors</h2><ul id="job-errors">${
        job.errors.slice(0, 50).map((e) => markup`<li class="error">${longText(e)}</li>`)
      }${
        job.errors.length > 50
          ? markup`<li class="muted">and ${job.errors.length - 50} more (see the failed files)</li>`
          : ""
      }</ul>`
      : ""
  }
<h2>Files (${job.files.length}${
    counts.get("failed") ? `, ${counts.get("failed")} failed` : ""
  })</h2>
<p class="pager">${filterLink(undefined, `all ${job.files.length}`)} · ${
    FILE_ACTIONS.map((a, i) => markup`${i ? " · " : ""}${filterLink(a, `${a} ${counts.get(a)}`)}`)
  }</p>
<table id="job-files" class="sticky"><thead><tr><th>Path</th><th>Action</th><th>Test</th><th>Error or reason</th><th>At</th></tr></thead><tbody>${
    shown.map((f) =>
      markup`<tr><td class="path">${f.path}</td><td class="${
        f.action === "failed" ? "error" : ""
      }">${f.action}</td><td>${
        f.test_id ? markup`<a href="/tests/${encodeURIComponent(f.test_id)}">test</a>` : ""
      }</td><td class="error">${longText(f.error)}</td><td class="nowrap">${when(f.at)}</td></tr>`
    )
  }</tbody></table>
<nav class="pages" aria-label="Pages">${
    pageLink(page - 1, "‹ Previous", "prev")
  } <span>page ${page} of ${pages}</span> ${pageLink(page + 1, "Next ›", "next")}</nav></div>`;
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
