// Copyright 2026 the battery-analysis authors. MIT license.

import type { Ctx, Page } from "../_context.ts";
import type { FileOutcome, ImportJob, TestListing } from "../../store/documents.ts";
import type { TestFilter } from "../../store/store.ts";
import { longText, markup, type SafeHtml, when } from "../_html.ts";
import { Params } from "../_params.ts";
import { jobTable } from "./jobs.ts";
import { liveState } from "./events.ts";

/** How to import data, shown on an empty store. */
export function emptyStore(ctx: Ctx): SafeHtml {
  return markup`<div class="empty" id="empty-store"><p><strong>The store is empty.</strong> Nothing to
show yet: this dashboard only displays data imported from your instrument files.</p>
<p>Import a folder of cycler files (Arbin, BioLogic, Maccor, Neware, EIS ...) into the same
store, then reload this page:</p><pre>${ctx.options.importCommand}</pre>
<p class="muted">Store in use: ${ctx.store.describe().text}. Choose another with
<code>--db</code> or the configuration file.</p></div>`;
}

/** Time of a test's last data point, from its absolute start and the end of its last cycle. */
export function lastDataTime(
  test: { start_time: string | null; end_time_s: number | null },
): Date | null {
  if (!test.start_time) return null;
  const start = Date.parse(test.start_time);
  if (!Number.isFinite(start)) return null;
  return new Date(start + (test.end_time_s ?? 0) * 1000);
}

/** Files of the recent jobs listed on the overview, at most, per kind. */
const FILES_SHOWN = 10;

/** Tests listed under running, finished and without absolute time, at most, each. */
const TESTS_SHOWN = 15;

/** Overview: counts, running versus finished tests, recent imports, skipped and failed files. */
export async function overviewPage(ctx: Ctx): Promise<Page> {
  const { store } = ctx;
  new Params(ctx.url, []);
  const state = await liveState(ctx);
  const [samples, tests, cells, datasets, jobs] = await Promise.all([
    store.samples.count(),
    store.tests.count(),
    store.tests.cellCodes(),
    store.datasets.count(),
    store.jobs.list({ limit: 10 }),
  ]);
  if (samples === 0 && tests === 0 && jobs.length === 0) {
    return { title: "Overview", nav: "overview", body: emptyStore(ctx) };
  }
  // Running (last data point within the window, or ahead of this clock), finished and without
  // absolute time: counted and the first of each listed by the store (its index of the last data
  // point), never read whole. Most recent first: nearest to now, so a clock ahead of the
  // server's stays in order.
  const now = ctx.options.now().getTime();
  const window = ctx.options.runningWindowHours * 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const since = iso(now - window);
  const listed = (filter: TestFilter) => store.tests.list({ ...filter, limit: TESTS_SHOWN });
  const [runningCount, finishedCount, unknownCount, past, ahead, finished, unknown] = await Promise
    .all([
      store.tests.count({ last_data_from: since }),
      store.tests.count({ last_data_before: since }),
      store.tests.count({ last_data_known: false }),
      listed({
        last_data_from: since,
        last_data_before: iso(now),
        sort: { key: "last_data_time", order: "desc" },
      }),
      listed({ last_data_from: iso(now), sort: { key: "last_data_time", order: "asc" } }),
      listed({ last_data_before: since, sort: { key: "last_data_time", order: "desc" } }),
      listed({ last_data_known: false }),
    ]);
  const age = (t: TestListing) => Math.abs(now - (lastDataTime(t)?.getTime() ?? 0));
  const running = [...past, ...ahead].sort((a, b) => age(a) - age(b)).slice(0, TESTS_SHOWN);
  const failedJobs = jobs.filter((j) => j.status === "failed" || j.counts.failed > 0);
  const failedFiles: { job: ImportJob; f: FileOutcome }[] = [];
  const skippedFiles: { job: ImportJob; f: FileOutcome }[] = [];
  let failedTotal = 0, skippedTotal = 0;
  for (const j of jobs) {
    if (j.counts.failed === 0 && j.counts.skipped === 0) continue;
    const full = await store.jobs.get(j.id);
    for (const f of full?.files ?? []) {
      if (f.action === "failed") {
        failedTotal++;
        if (failedFiles.length < FILES_SHOWN) failedFiles.push({ job: j, f });
      } else if (f.action === "skipped") {
        skippedTotal++;
        if (skippedFiles.length < FILES_SHOWN) skippedFiles.push({ job: j, f });
      }
    }
  }
  const active = jobs.some((j) => j.status === "running");
  const card = (id: string, value: number, label: string) =>
    markup`<div class="card" id="${id}"><div class="value">${value}</div><div class="label">${label}</div></div>`;
  const testList = (list: readonly TestListing[], total: number) =>
    list.length === 0
      ? markup`<p class="muted">None.</p>`
      : markup`<ul>${
        list.map((t) =>
          markup`<li><a href="/tests/${
            encodeURIComponent(t.id)
          }">${t.name}</a> <span class="muted">last data ${
            when(lastDataTime(t)?.toISOString())
          }</span></li>`
        )
      }${
        total > list.length ? markup`<li class="muted">and ${total - list.length} more</li>` : ""
      }</ul>`;
  const fileTable = (id: string, rows: { job: ImportJob; f: FileOutcome }[], what: string) =>
    markup`<table id="${id}" class="sticky"><thead><tr><th>File</th><th>Job</th><th>${what}</th></tr></thead><tbody>${
      rows.map(({ job, f }) =>
        markup`<tr><td class="path">${f.path}</td><td class="nowrap"><a href="/jobs/${
          encodeURIComponent(job.id)
        }">${when(job.started_at)}</a></td><td class="error">${longText(f.error)}</td></tr>`
      )
    }</tbody></table>`;
  const body = markup`<div id="overview-live" data-live="/events" data-live-state="${state}"${
    active ? markup` data-active` : ""
  }>${
    active
      ? markup`<p class="notice" id="import-running">An import is running: this page follows it live.</p>`
      : ""
  }<div class="cards">
${card("count-samples", samples, "samples")}${card("count-tests", tests, "tests")}
${card("count-cells", cells.length, "cells (cell codes)")}${
    card("count-datasets", datasets, "cell datasets")
  }
${card("count-running", runningCount, "running tests")}${
    card("count-finished", finishedCount, "finished tests")
  }
${card("count-failed-imports", failedJobs.length, "recent imports with failures")}</div>
${tests === 0 ? emptyStore(ctx) : ""}
<div class="row"><section><h2>Running tests</h2>
<p class="muted">Last data point less than ${ctx.options.runningWindowHours} h ago.</p>${
    testList(running, runningCount)
  }</section>
<section><h2>Finished tests</h2>${testList(finished, finishedCount)}</section>
${
    unknownCount
      ? markup`<section><h2>Without absolute time</h2><p class="muted">The file gave no start time, so
whether these still run is unknown.</p>${testList(unknown, unknownCount)}</section>`
      : ""
  }</div>
<h2>Recent imports</h2>${
    jobs.length ? jobTable(jobs) : markup`<p class="muted">No import jobs.</p>`
  }
<h2>Failed files</h2>${
    failedFiles.length === 0
      ? markup`<p class="muted" id="no-failures">No failed files in the recent imports.</p>`
      : markup`<p class="muted">${
        failedTotal > failedFiles.length
          ? `The first ${failedFiles.length} of ${failedTotal}; the job pages list all.`
          : `${failedTotal} in the last ${jobs.length} imports.`
      }</p>${fileTable("failed-files", failedFiles, "Error")}`
  }
<h2>Skipped files</h2>${
    skippedFiles.length === 0
      ? markup`<p class="muted" id="no-skipped">No skipped files in the recent imports.</p>`
      : markup`<details id="skipped-section"><summary>${skippedTotal} skipped in the last ${jobs.length} imports${
        skippedTotal > skippedFiles.length ? `; the first ${skippedFiles.length} here` : ""
      }: imported before (same SHA-256) or not a data file</summary>${
        fileTable("skipped-files", skippedFiles, "Why")
      }</details>`
  }
<p><a href="/fade">Which cells fade fastest, and why →</a></p></div>`;
  return { title: "Overview", nav: "overview", body };
}
