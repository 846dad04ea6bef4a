// Copyright 2026 the battery-analysis authors. MIT license.

import { capacityPlotSpec } from "../../../analysis/plot_specs.ts";
import { similarTests } from "../../../analysis/similar_tests.ts";
import { spectraNyquistChart } from "../../../analysis/eis/eis_charts.ts";
import type { TestResult } from "../../store/documents.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import {
  analysisNote,
  listingRows,
  requireTest,
  similarityRows,
  storedAnalysisOf,
  testLabel,
} from "../_data.ts";
import { flagList } from "../_flags.ts";
import { SECURITY_HEADERS } from "../_security.ts";
import { markup, num, query, type SafeHtml, when } from "../_html.ts";
import { plot } from "../_plot.ts";
import { Params } from "../_params.ts";
import { transferables } from "../../compute/transferables.ts";
import { testEditSection } from "./edit.ts";
import { type CurvesInput, fadeSectionHtml, type FadeSectionInput } from "./detail_sections.ts";
import { storedAnalysisInput } from "../../analyze/stored_analysis_input.ts";
import { exportSection } from "./export.ts";

export { CURVE_POINTS, TRACE_POINTS } from "./detail_sections.ts";

/** Cycles to draw by default: first, middle and last. */
function defaultCycles(n: number): number[] {
  return [...new Set([1, Math.ceil(n / 2), n])].filter((c) => c >= 1 && c <= n);
}

/** The cycle choices of a detail page or its curves section, checked against the test. */
function cycleChoice(test: TestResult, p: Params): { vc: number[]; dq: number } {
  const n = test.cycles.length;
  if (n === 0 && (p.list("vc").length || p.list("dq").length)) {
    throw new HttpError(400, `Test "${test.name}" has no cycles to choose from`);
  }
  const chosen = p.ints("vc", { min: 1, max: n });
  const vc = chosen.length ? chosen : defaultCycles(n);
  const dq = p.int("dq", { min: 1, max: n }) ?? vc[0] ?? 1;
  return { vc, dq };
}

/** A section the page loads after it is shown (computed in the worker pool). */
export function lateSection(id: string, url: string, what: string): SafeHtml {
  return markup`<section class="fragment" id="${id}" data-fragment="${url}"><p class="fragment-status">Computing ${what}… <span class="fragment-elapsed">0 s</span>
<button type="button" class="secondary small" data-cancel>Cancel</button></p>
<noscript><a href="${url}">Show ${what}</a></noscript></section>`;
}

/**
 * The stored analysis of a test: its headline numbers (the same on every surface) and every
 * data-quality flag with its reason.
 */
function analysisSection(test: TestResult): SafeHtml {
  const a = storedAnalysisOf(test);
  if (!a) {
    return markup`<h2>Analysis</h2><p class="muted" id="analysis-note">No analysis: ${
      analysisNote(test)
    }</p>`;
  }
  return markup`<h2>Analysis</h2><p id="analysis-protocol">${a.data.protocol.kind}: ${a.data.protocol.reason}</p>
<table id="analysis-summary"><tbody>${
    a.summaryRows().map((r) => markup`<tr><th>${r.quantity}</th><td>${r.value}</td></tr>`)
  }</tbody></table>
<h3>Data-quality flags</h3>${flagList(a.flags)}`;
}

/** Cell / test detail: capacity, CE, fade model, voltage curves, dQ/dV, similar tests. */
export async function testDetailPage(ctx: Ctx, id: string): Promise<Page> {
  const { store, url } = ctx;
  const test = await requireTest(store, id);
  const p = new Params(url, ["eol", "vc", "dq", "saved"]);
  const saved = p.oneOf("saved", ["labels", "analysis"] as const);
  const eolParam = p.number("eol", { min: 1, max: 99, unit: "% retention" });
  const { vc: vcCycles, dq: dqCycle } = cycleChoice(test, p);
  const samples = await store.samples.find();
  const sample = samples.find((s) => s.id === test.sample_id) ?? null;
  const n = test.cycles.length;
  const parts: SafeHtml[] = [];
  parts.push(markup`<table class="meta" id="test-meta"><tbody>
<tr><th>Sample</th><td>${sample?.name ?? "—"}${
    sample?.chemistry ? markup` <span class="muted">${sample.chemistry}</span>` : ""
  }</td><th>Tester</th><td>${test.tester} ${
    test.format ? markup`<span class="muted">(${test.format})</span>` : ""
  }</td></tr>
<tr><th>Type</th><td>${test.test_type}</td><th>Start</th><td>${when(test.start_time)}</td></tr>
<tr><th>Cell code</th><td>${test.cell_code ?? "—"}</td><th>Cycles</th><td>${n}</td></tr>
<tr><th>Files</th><td colspan="3">${
    test.parts.length ? test.parts.map((p) => p.file_name).join(", ") : (test.source_path ?? "—")
  }</td></tr>
${
    test.tags.length
      ? markup`<tr><th>Tags</th><td colspan="3">${test.tags.join(", ")}</td></tr>`
      : ""
  }
</tbody></table>
${
    saved
      ? markup`<p class="notice" id="saved">Saved${
        saved === "analysis" ? "; the test was analysed again with the new options" : ""
      }.</p>`
      : ""
  }
${testEditSection(ctx, test, sample, samples)}
<p><a href="/files${query({ test: test.id })}">Raw files of this test</a>${
    sample
      ? markup` · <a href="/advanced${
        query({ sample: sample.id })
      }#edit-sample" id="sample-link">Sample ${sample.name}: properties and analysis</a>`
      : ""
  }${
    test.data.spectra.length
      ? markup` · <a href="/eis/${
        encodeURIComponent(test.id)
      }">Impedance spectra (${test.data.spectra.length})</a>`
      : ""
  }${
    test.data.series && test.data.series.length >= 2
      ? markup` · <a href="/modeling${
        query({ test: test.id })
      }" id="modeling-link">Compare with a physics model, fit its parameters</a>`
      : ""
  }</p>`);
  parts.push(analysisSection(test));
  parts.push(exportSection(test, sample));
  if (test.notes.length) {
    parts.push(
      markup`<h2>Notes</h2><ul>${
        test.notes.map((note) =>
          markup`<li>${note.text} <span class="muted">${note.author ?? ""} ${
            when(note.timestamp)
          }</span></li>`
        )
      }</ul>`,
    );
  }

  if (n > 0) {
    // Capacity, CE and fade.
    const storedEol = Math.round((test.analysis?.options.threshold ?? 0.8) * 1000) / 10;
    const eol = eolParam ?? storedEol;
    parts.push(
      markup`<h2>Capacity and coulombic efficiency</h2><div class="plots">${
        plot(
          "plot-capacity",
          capacityPlotSpec(test.cycles, { width: 560 }),
          "Charge and discharge capacity and CE per cycle",
        )
      }</div>`,
    );
    parts.push(markup`<h2>Retention and fade model</h2>
<form class="filters" method="get"><label>End of life at (% retention)<input type="number" name="eol" min="1" max="99" value="${eol}"></label>
${p.list("vc").length ? markup`<input type="hidden" name="vc" value="${vcCycles.join(",")}">` : ""}
${p.list("dq").length ? markup`<input type="hidden" name="dq" value="${dqCycle}">` : ""}
<button type="submit">Refit</button></form>`);
    const stored = storedAnalysisOf(test);
    if (!stored || stored.data.options.threshold === eol / 100) {
      // The stored analysis, drawn with the page.
      parts.push(fadeSectionHtml(stored, analysisNote(test)));
    } else {
      // The same analysis at another threshold (not stored): computed in the worker pool.
      parts.push(
        markup`<p class="muted" id="fade-what-if">At ${eol} % instead of the stored ${storedEol} %: the test analysed again with only the threshold changed, not stored (use <em>Edit this test</em> to store it).</p>${
          lateSection(
            "fade-section",
            `/tests/${encodeURIComponent(test.id)}/fade${query({ eol })}`,
            `the fade analysis at ${eol} %`,
          )
        }`,
      );
    }

    // Voltage–capacity curves and dQ/dV of chosen cycles: computed in the worker pool.
    const cycleOptions = (selected: number[]) =>
      test.cycles.map((c) =>
        markup`<option value="${c.cycle}"${
          selected.includes(c.cycle) ? markup` selected` : ""
        }>${c.cycle}</option>`
      );
    parts.push(markup`<h2>Voltage and curves by cycle</h2>
<form class="filters" method="get" id="cycle-picker">${
      eolParam !== undefined ? markup`<input type="hidden" name="eol" value="${eol}">` : ""
    }
<label>Voltage–capacity cycles<select name="vc" multiple size="5" id="vc-select">${
      cycleOptions(vcCycles)
    }</select></label>
<label>dQ/dV cycle<select name="dq" id="dq-select">${cycleOptions([dqCycle])}</select></label>
<button type="submit">Show</button></form>
${
      lateSection(
        "curves-section",
        `/tests/${encodeURIComponent(test.id)}/curves${
          query({ vc: vcCycles.join(","), dq: dqCycle })
        }`,
        "the voltage curves and dQ/dV",
      )
    }`);
  }

  // Impedance spectra, as measured.
  if (test.data.spectra.length) {
    const spectra = await store.spectra.read(test.id);
    parts.push(markup`<h2>Impedance spectra</h2><div class="plots">${
      plot(
        "plot-spectra",
        spectraNyquistChart(spectra.slice(0, 20), {
          labels: spectra.slice(0, 20).map((s, i) =>
            `#${i + 1}${s.cycle != null ? ` (cycle ${s.cycle})` : ""}`
          ),
        }),
        `Nyquist plot of ${
          spectra.length > 20 ? `the first 20 of ${spectra.length}` : spectra.length
        } spectra as measured`,
        { empty: "the spectra have no points" },
      )
    }</div><p><a href="/eis/${
      encodeURIComponent(test.id)
    }" id="eis-link">Fit circuits, Kramers–Kronig test and DRT of each spectrum →</a></p>`);
  }

  // Whole-test voltage trace: computed in the worker pool.
  if (test.data.series) {
    parts.push(
      markup`<h2>Voltage trace</h2>${
        lateSection(
          "trace-section",
          `/tests/${encodeURIComponent(test.id)}/trace`,
          "the voltage trace",
        )
      }`,
    );
  }

  // Similar tests.
  if (test.analysis) parts.push(await similarSection(ctx, test));
  return { title: test.name, nav: "tests", body: markup`${parts}` };
}

/**
 * The three tests of the same protocol nearest to this one by the standardized headline numbers
 * of their stored analyses (numbers missing for some test are left out and said).
 */
async function similarSection(ctx: Ctx, test: TestResult): Promise<SafeHtml> {
  const protocol = test.analysis!.summary.protocol;
  const rows = await listingRows(ctx.store);
  const self = rows.find((r) => r.test.id === test.id);
  const featureRows = self ? similarityRows(rows, self.test) : [];
  if (featureRows.length < 4) {
    return markup`<h2>Most similar tests</h2><p class="muted" id="similar-tests">Fewer than three other ${protocol} tests with the same numbers to compare with.</p>`;
  }
  try {
    const sim = similarTests(featureRows, test.id, { k: 3 });
    const byId = new Map(rows.map((r) => [r.test.id, r]));
    return markup`<h2>Most similar tests</h2><p class="muted">Nearest ${protocol} tests by the standardized numbers of their analyses: ${
      sim.features.join(", ")
    }.</p>
<ol id="similar-tests">${
      sim.neighbours.map((nb) =>
        markup`<li><a href="/tests/${encodeURIComponent(nb.id)}">${
          testLabel(byId.get(nb.id)!)
        }</a> <span class="muted">distance ${num(nb.distance, 3)}</span></li>`
      )
    }</ol><p><a id="compare-similar" href="/compare${
      query({ ids: [test.id, ...sim.neighbours.map((x) => x.id)].join(",") })
    }">Overlay with these tests</a></p>`;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return markup`<h2>Most similar tests</h2><p class="muted" id="similar-tests">${err.message}</p>`;
  }
}

/**
 * The voltage–capacity curves and dQ/dV of the chosen cycles, as an HTML fragment computed in
 * the worker pool from only those cycles' rows.
 */
export async function curvesFragment(ctx: Ctx, id: string): Promise<Response> {
  const test = await requireTest(ctx.store, id);
  const { vc, dq } = cycleChoice(test, new Params(ctx.url, ["vc", "dq"]));
  const key = `curves:${test.id}:${test.updated_at}:${vc.join(",")}:${dq}`;
  const hit = ctx.compute.cached(key);
  const series: CurvesInput["series"] = [];
  if (hit === undefined) {
    for (const cycle of new Set([...vc, dq])) {
      series.push({
        cycle,
        series: test.data.series ? await ctx.store.series.read(test.id, { cycle }) : null,
      });
    }
  }
  const input: CurvesInput = { series, vcCycles: vc, dqCycle: dq };
  return await ctx.compute.fragment({
    key,
    task: "curvesSection",
    input,
    heavy: false,
    signal: ctx.req.signal,
    transfer: transferables(series),
    what: "the voltage curves and dQ/dV",
    hint: "choose fewer cycles",
  });
}

/**
 * The retention section at the end-of-life threshold `eol` (%): the test analysed again in the
 * worker pool with only the threshold changed (not stored), as an HTML fragment.
 */
export async function fadeFragment(ctx: Ctx, id: string): Promise<Response> {
  const test = await requireTest(ctx.store, id);
  const p = new Params(ctx.url, ["eol"]);
  const stored = test.analysis?.options.threshold ?? 0.8;
  const eol = p.number("eol", { min: 1, max: 99, unit: "% retention" }) ?? stored * 100;
  if (test.cycles.length === 0) {
    throw new HttpError(400, `Test "${test.name}" has no cycles: no retention to analyse`);
  }
  const key = `fade:${test.id}:${test.updated_at}:${eol}`;
  let input: FadeSectionInput | null = null;
  if (ctx.compute.cached(key) === undefined) {
    const stored = await storedAnalysisInput(ctx.store, test, { threshold: eol / 100 });
    input = { input: stored.input, options: stored.options };
  }
  return await ctx.compute.fragment({
    key,
    task: "fadeSection",
    input,
    heavy: false,
    signal: ctx.req.signal,
    transfer: transferables(input),
    what: `the fade analysis at ${eol} %`,
    hint: "the test's series is too long to analyse again in time",
  });
}

/** The whole-test voltage trace, downsampled in the worker pool, as an HTML fragment. */
export async function traceFragment(ctx: Ctx, id: string): Promise<Response> {
  const test = await requireTest(ctx.store, id);
  new Params(ctx.url, []);
  const key = `trace:${test.id}:${test.updated_at}`;
  const series = ctx.compute.cached(key) === undefined && test.data.series
    ? await ctx.store.series.read(test.id)
    : null;
  return await ctx.compute.fragment({
    key,
    task: "traceSection",
    input: { series },
    heavy: false,
    signal: ctx.req.signal,
    transfer: transferables(series),
    what: "the voltage trace",
    hint: "the series is too long to draw in time",
  });
}

/**
 * The analysis stored with a test, as JSON (`{ analysis, note }`): what `analyze --test ID
 * --json` prints; `analysis` is `null` with the reason in `note` when there is none.
 */
export async function testAnalysisJson(ctx: Ctx, id: string): Promise<Response> {
  const test = await requireTest(ctx.store, id);
  return new Response(JSON.stringify({ analysis: test.analysis, note: analysisNote(test) }), {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
