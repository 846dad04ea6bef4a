// Copyright 2026 the battery-analysis authors. MIT license.

import type { PointSelection } from "../../../analysis/eis/mod.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { requireTest } from "../_data.ts";
import { markup, query, type SafeHtml, when } from "../_html.ts";
import { Params } from "../_params.ts";
import { emptyStore } from "./overview.ts";

/** Tests with impedance spectra, a page at a time. */
export async function eisListPage(ctx: Ctx): Promise<Page> {
  const p = new Params(ctx.url, ["page"]);
  const page = p.int("page", { min: 1 }) ?? 1;
  if ((await ctx.store.tests.count()) === 0) {
    return { title: "EIS", nav: "eis", body: emptyStore(ctx) };
  }
  const tests = (await ctx.store.tests.list()).filter((t) => t.data.spectra.length > 0);
  const samples = new Map((await ctx.store.samples.find()).map((s) => [s.id, s]));
  const per = 50;
  const pages = Math.max(1, Math.ceil(tests.length / per));
  const shown = tests.slice((page - 1) * per, page * per);
  const link = (n: number, label: string, rel: string) =>
    n < 1 || n > pages || n === page
      ? markup`<span class="muted">${label}</span>`
      : markup`<a href="/eis${query({ page: n })}" data-page="${rel}">${label}</a>`;
  const body = tests.length === 0
    ? markup`<p class="muted" id="no-spectra">No test in the store has impedance spectra.</p>`
    : markup`<div class="pager"><span>${tests.length} tests with spectra.</span><nav class="pages" aria-label="Pages">${
      link(page - 1, "‹ Previous", "prev")
    } <span>page ${page} of ${pages}</span> ${
      link(page + 1, "Next ›", "next")
    }</nav></div><table id="eis-tests" class="sticky"><thead><tr><th>Test</th><th>Sample</th><th>Tester</th><th>Start</th>
<th class="num">Spectra</th><th class="num">Points</th></tr></thead><tbody>${
      shown.map((t) =>
        markup`<tr><td class="name" title="${t.name}"><a href="/eis/${
          encodeURIComponent(t.id)
        }">${t.name}</a></td><td class="name">${samples.get(t.sample_id)?.name ?? "—"}</td>
<td>${t.tester}</td><td class="nowrap">${
          when(t.start_time)
        }</td><td class="num">${t.data.spectra.length}</td>
<td class="num">${t.data.spectra.reduce((s, x) => s + x.length, 0)}</td></tr>`
      )
    }</tbody></table>`;
  return { title: "EIS", nav: "eis", body };
}

/** The EIS page's query: which spectrum, which circuit, which points. */
interface EisQuery {
  s: number;
  circuit: string;
  fmin?: number;
  fmax?: number;
  capacitive: boolean;
}

const EIS_PARAMS = ["s", "circuit", "fmin", "fmax", "capacitive"];

/** The query of an EIS page or its sections, checked against the test's spectra. */
function eisQuery(url: URL, spectra: number): EisQuery {
  const p = new Params(url, EIS_PARAMS);
  const q: EisQuery = {
    s: p.int("s", { min: 0, max: spectra - 1 }) ?? 0,
    circuit: p.string("circuit") ?? "",
    fmin: p.number("fmin", { min: Number.MIN_VALUE, unit: "Hz" }),
    fmax: p.number("fmax", { min: Number.MIN_VALUE, unit: "Hz" }),
    capacitive: p.flag("capacitive"),
  };
  if (q.fmin !== undefined && q.fmax !== undefined && q.fmax <= q.fmin) {
    throw new HttpError(400, `Max f (${q.fmax} Hz) must be above min f (${q.fmin} Hz)`);
  }
  return q;
}

function sectionQuery(q: EisQuery) {
  return {
    s: q.s,
    circuit: q.circuit,
    fmin: q.fmin,
    fmax: q.fmax,
    capacitive: q.capacitive ? "1" : undefined,
  };
}

function selectionOf(q: EisQuery): PointSelection {
  return { capacitiveOnly: q.capacitive, minFrequency_Hz: q.fmin, maxFrequency_Hz: q.fmax };
}

async function spectraOf(ctx: Ctx, id: string) {
  const test = await requireTest(ctx.store, id);
  const spectra = await ctx.store.spectra.read(test.id);
  if (spectra.length === 0) {
    throw new HttpError(404, `Test "${test.name}" has no impedance spectra`);
  }
  return { test, spectra };
}

/** One EIS test: spectrum picker, circuit box, Nyquist/Bode with fit, residuals, KK and DRT. */
export async function eisPage(ctx: Ctx, id: string): Promise<Page> {
  const { test, spectra } = await spectraOf(ctx, id);
  const q = eisQuery(ctx.url, spectra.length);
  const index = q.s;
  const circuit = q.circuit;
  const selection = selectionOf(q);
  const parts: SafeHtml[] = [
    markup`<p><a href="/tests/${encodeURIComponent(test.id)}">Test details</a> · ${test.tester} · ${
      when(test.start_time)
    }</p>
<form class="filters" method="get" id="eis-form">
<label>Spectrum<select name="s" id="spectrum-select">${
      spectra.map((s, i) =>
        markup`<option value="${i}"${i === index ? markup` selected` : ""}>#${i + 1}${
          s.cycle != null ? ` (cycle ${s.cycle})` : ""
        }, ${s.length} points</option>`
      )
    }</select></label>
<label>Circuit (empty: choose automatically)<input name="circuit" id="circuit-input" size="30" value="${circuit}" placeholder="R0-p(R1,CPE1)-W1"></label>
<label>Min f (Hz)<input name="fmin" size="8" value="${q.fmin ?? ""}"></label>
<label>Max f (Hz)<input name="fmax" size="8" value="${q.fmax ?? ""}"></label>
<label>Capacitive only<input type="checkbox" name="capacitive" value="1"${
      selection.capacitiveOnly ? markup` checked` : ""
    }></label>
<button type="submit">Fit</button></form>`,
  ];
  parts.push(
    markup`<section class="fragment" id="eis-sections" data-fragment="/eis/${
      encodeURIComponent(test.id)
    }/sections${
      query(sectionQuery(q))
    }"><p class="fragment-status">Fitting the circuit, Kramers–Kronig
test and DRT in the background… <span class="fragment-elapsed">0 s</span>
<button type="button" class="secondary small" data-cancel>Cancel</button></p>
<noscript><a href="/eis/${encodeURIComponent(test.id)}/sections${
      query(sectionQuery(q))
    }">Show the fit</a></noscript></section>`,
  );
  return { title: `EIS — ${test.name}`, nav: "eis", body: markup`${parts}` };
}

/**
 * The computed sections of an EIS page (fit, KK, DRT), as an HTML fragment: computed in the
 * dashboard's worker pool (with its time limit; stopped when the browser gives up), cached by
 * test version and query.
 */
export async function eisSectionsFragment(ctx: Ctx, id: string): Promise<Response> {
  const { test, spectra } = await spectraOf(ctx, id);
  const q = eisQuery(ctx.url, spectra.length);
  const spectrum = spectra[q.s];
  const key = `eis:${test.id}:${test.updated_at}:${JSON.stringify(sectionQuery(q))}`;
  return await ctx.compute.fragment({
    key,
    task: "eisSections",
    input: { spectrum, selection: selectionOf(q), circuit: q.circuit },
    heavy: true,
    signal: ctx.req.signal,
    what: "the circuit fit, Kramers–Kronig test and DRT",
    hint: "narrow the frequency range or choose a circuit with fewer elements",
  });
}
