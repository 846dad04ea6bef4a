// Copyright 2026 the battery-analysis authors. MIT license.

import type { Ctx, Page } from "../_context.ts";
import { markup, type SafeHtml, when } from "../_html.ts";
import { jobTable } from "./jobs.ts";

/** How to import data, shown on an empty store. */
export function emptyStore(ctx: Ctx): SafeHtml {
  return markup`<div class="empty" id="empty-store"><p><strong>The store is empty.</strong> Nothing to
show yet: this dashboard only displays data imported from your instrument files.</p>
<p>Import a folder of cycler files (Arbin, BioLogic, Maccor, Neware, EIS ...) into the same
store, then reload this page:</p><pre>${ctx.options.importCommand}</pre>
<p class="muted">Store in use: ${ctx.store.describe().text}. Choose another with
<code>--db</code> or the configuration file.</p></div>`;
}

/** Time of a test's last data point, from its absolute start and its last cycle, or `null`. */
export function lastDataTime(
  test: { start_time: string | null; cycles: { end_time_s: number }[] },
): Date | null {
  if (!test.start_time) return null;
  const start = Date.parse(test.start_time);
  if (!Number.isFinite(start)) return null;
  const end = test.cycles.length ? test.cycles[test.cycles.length - 1].end_time_s : 0;
  return new Date(start + (Number.isFinite(end) ? end : 0) * 1000);
}

/** Overview: counts, running versus finished tests, recent and failed imports. */
export async function overviewPage(ctx: Ctx): Promise<Page> {
  const { store } = ctx;
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
  const all = await store.tests.find();
  const now = ctx.options.now().getTime();
  const window = ctx.options.runningWindowHours * 3_600_000;
  const running: typeof all = [], finished: typeof all = [], unknown: typeof all = [];
  for (const t of all) {
    const last = lastDataTime(t);
    if (!last) unknown.push(t);
    else if (now - last.getTime() <= window) running.push(t);
    else finished.push(t);
  }
  const failedJobs = jobs.filter((j) => j.status === "failed" || j.counts.failed > 0);
  const failedFiles = [];
  for (const j of failedJobs.slice(0, 5)) {
    const full = await store.jobs.get(j.id);
    for (const f of full?.files ?? []) if (f.action === "failed") failedFiles.push({ job: j, f });
  }
  const card = (id: string, value: number, label: string) =>
    markup`<div class="card" id="${id}"><div class="value">${value}</div><div class="label">${label}</div></div>`;
  const testList = (list: typeof all) =>
    list.length === 0
      ? markup`<p class="muted">None.</p>`
      : markup`<ul>${
        list.slice(0, 15).map((t) =>
          markup`<li><a href="/tests/${
            encodeURIComponent(t.id)
          }">${t.name}</a> <span class="muted">last data ${
            when(lastDataTime(t)?.toISOString())
          }</span></li>`
        )
      }${list.length > 15 ? markup`<li class="muted">and ${list.length - 15} more</li>` : ""}</ul>`;
  const body = markup`<div class="cards">
${card("count-samples", samples, "samples")}${card("count-tests", tests, "tests")}
${card("count-cells", cells.length, "cells (cell codes)")}${
    card("count-datasets", datasets, "cell datasets")
  }
${card("count-running", running.length, "running tests")}${
    card("count-finished", finished.length, "finished tests")
  }
${card("count-failed-imports", failedJobs.length, "recent imports with failures")}</div>
${tests === 0 ? emptyStore(ctx) : ""}
<div class="row"><section><h2>Running tests</h2>
<p class="muted">Last data point less than ${ctx.options.runningWindowHours} h ago.</p>${
    testList(running)
  }</section>
<section><h2>Finished tests</h2>${testList(finished)}</section>
${
    unknown.length
      ? markup`<section><h2>Without absolute time</h2><p class="muted">The file gave no start time, so
whether these still run is unknown.</p>${testList(unknown)}</section>`
      : ""
  }</div>
<h2>Recent imports</h2>${
    jobs.length ? jobTable(jobs) : markup`<p class="muted">No import jobs.</p>`
  }
<h2>Failed imports</h2>${
    failedFiles.length === 0
      ? markup`<p class="muted" id="no-failures">No failed files in the recent imports.</p>`
      : markup`<table id="failed-files"><thead><tr><th>Job</th><th>File</th><th>Error</th></tr></thead><tbody>${
        failedFiles.map(({ job, f }) =>
          markup`<tr><td><a href="/jobs/${encodeURIComponent(job.id)}">${
            when(job.started_at)
          }</a></td><td>${f.path}</td><td class="error">${f.error ?? ""}</td></tr>`
        )
      }</tbody></table>`
  }
<p><a href="/fade">Which cells fade fastest, and why →</a></p>`;
  return { title: "Overview", nav: "overview", body };
}
