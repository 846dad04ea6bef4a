// Copyright 2026 the battery-analysis authors. MIT license.

import { dqdv, type DqdvCurve } from "../../../analysis/dqdv.ts";
import { dqdvSpec } from "../../../analysis/dqdv_spec.ts";
import { halfCycles } from "../../../analysis/half_cycles.ts";
import {
  capacityPlotSpec,
  retentionPlotSpec,
  voltageTracePlotSpec,
} from "../../../analysis/plot_specs.ts";
import { similarTests } from "../../../analysis/similar_tests.ts";
import { voltageCapacity, type VoltageCapacityCurve } from "../../../analysis/voltage_capacity.ts";
import { voltageCapacitySpec } from "../../../analysis/voltage_capacity_spec.ts";
import type { TestResult } from "../../store/documents.ts";
import type { Ctx, Page } from "../_context.ts";
import {
  analysisAt,
  analysisNote,
  cyclingRows,
  requireTest,
  storedAnalysisOf,
  testLabel,
} from "../_data.ts";
import { flagList } from "../_flags.ts";
import { SECURITY_HEADERS } from "../_security.ts";
import { markup, num, query, type SafeHtml, when } from "../_html.ts";
import { plot } from "../_plot.ts";

/** Points of the whole-test voltage trace after largest-triangle downsampling. */
export const TRACE_POINTS = 2000;
/** Points per half cycle of the voltage–capacity curves. */
export const CURVE_POINTS = 1500;

function errorBox(what: string, err: unknown): SafeHtml {
  if (!(err instanceof RangeError || err instanceof TypeError)) throw err;
  return markup`<p class="error">${what}: ${err.message}</p>`;
}

/** Cycles to draw by default: first, middle and last. */
function defaultCycles(n: number): number[] {
  return [...new Set([1, Math.ceil(n / 2), n])].filter((c) => c >= 1 && c <= n);
}

function parseCycles(values: string[], n: number): number[] {
  const out = new Set<number>();
  for (const v of values.flatMap((x) => x.split(","))) {
    const c = Number(v.trim());
    if (Number.isInteger(c) && c >= 1 && c <= n) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** Half cycles of stored cycle `cycle`, from only the rows of that cycle. */
async function halvesOf(ctx: Ctx, test: TestResult, cycle: number) {
  const series = await ctx.store.series.read(test.id, { cycle });
  if (!series) return { series: null, halves: [] };
  return { series, halves: halfCycles(series) };
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
  const sample = await store.samples.get(test.sample_id);
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
<p><a href="/files${query({ test: test.id })}">Raw files of this test</a>${
    test.data.spectra.length
      ? markup` · <a href="/eis/${
        encodeURIComponent(test.id)
      }">Impedance spectra (${test.data.spectra.length})</a>`
      : ""
  }</p>`);
  parts.push(analysisSection(test));
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
    const eolParam = Number(url.searchParams.get("eol") ?? storedEol);
    const eol = Number.isFinite(eolParam) && eolParam >= 1 && eolParam <= 99 ? eolParam : storedEol;
    // The stored analysis; at another threshold the same analysis with only the threshold changed.
    const at = await analysisAt(store, test, eol / 100);
    const fade = at.analysis?.fadeAnalysis ?? null;
    const error = at.analysis ? at.analysis.data.fade_note : at.note;
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
${url.searchParams.getAll("vc").map((v) => markup`<input type="hidden" name="vc" value="${v}">`)}
${
      url.searchParams.get("dq")
        ? markup`<input type="hidden" name="dq" value="${url.searchParams.get("dq")}">`
        : ""
    }
<button type="submit">Refit</button></form>`);
    const excluded = at.analysis?.excluded ?? [];
    if (excluded.length) {
      parts.push(
        markup`<p class="muted" id="fade-left-out">Left out of retention, fade and end of life: ${
          excluded.map((e, i) => markup`${i ? "; " : ""}cycle ${e.cycle} (${e.role}: ${e.reason})`)
        }.</p>`,
      );
    }
    if (fade && at.analysis) {
      const summary = at.analysis.summaryRows();
      parts.push(
        markup`<div class="row">${
          plot(
            "plot-retention",
            retentionPlotSpec(fade.plotData(), { width: 560 }),
            "Measured retention, best model by AIC, threshold, knee and anomalies",
          )
        }<table id="fade-summary"><tbody>${
          summary.map((r) =>
            markup`<tr><th>${r.quantity}</th><td class="num">${
              typeof r.value === "number" ? num(r.value) : String(r.value ?? "—")
            }</td></tr>`
          )
        }</tbody></table></div>
<h2>Fitted fade models</h2><table id="fade-models"><thead><tr><th>Model</th><th>Formula</th><th>Parameters</th><th class="num">R²</th><th class="num">AIC</th><th>Best</th></tr></thead><tbody>${
          fade.modelRows().map((r) =>
            markup`<tr><td>${String(r.model)}</td><td><code>${String(r.formula)}</code></td><td>${
              String(r.params)
            }</td><td class="num">${num(r.r_squared as number)}</td><td class="num">${
              num(r.aic as number)
            }</td><td>${String(r.best)}</td></tr>`
          )
        }</tbody></table>`,
      );
    } else {
      parts.push(markup`<p class="muted">No fade analysis: ${error}</p>`);
    }

    // Voltage–capacity curves for chosen cycles.
    const chosen = parseCycles(url.searchParams.getAll("vc"), n);
    const vcCycles = chosen.length ? chosen : defaultCycles(n);
    const dqParam = Number(url.searchParams.get("dq") ?? vcCycles[0]);
    const dqCycle = Number.isInteger(dqParam) && dqParam >= 1 && dqParam <= n ? dqParam : 1;
    const cycleOptions = (selected: number[]) =>
      test.cycles.map((c) =>
        markup`<option value="${c.cycle}"${
          selected.includes(c.cycle) ? markup` selected` : ""
        }>${c.cycle}</option>`
      );
    parts.push(markup`<h2>Voltage and curves by cycle</h2>
<form class="filters" method="get" id="cycle-picker"><input type="hidden" name="eol" value="${eol}">
<label>Voltage–capacity cycles<select name="vc" multiple size="5" id="vc-select">${
      cycleOptions(vcCycles)
    }</select></label>
<label>dQ/dV cycle<select name="dq" id="dq-select">${cycleOptions([dqCycle])}</select></label>
<button type="submit">Show</button></form>`);
    const plots: SafeHtml[] = [];
    try {
      const curves: VoltageCapacityCurve[] = [];
      for (const c of vcCycles) {
        const { series, halves } = await halvesOf(ctx, test, c);
        if (!series) break;
        for (const h of halves) {
          try {
            curves.push(
              voltageCapacity({
                series,
                start_row: h.start_row,
                end_row: h.end_row,
                cycle: c,
                direction: h.direction,
              }),
            );
          } catch (err) {
            if (!(err instanceof RangeError)) throw err;
          }
        }
      }
      if (curves.length) {
        plots.push(plot(
          "plot-voltage-capacity",
          voltageCapacitySpec(curves, { max_points_per_curve: CURVE_POINTS, width: 480 }),
          `Voltage vs capacity, cycles ${vcCycles.join(", ")}`,
        ));
      } else {plots.push(
          markup`<p class="muted">No voltage–capacity curve in cycles ${vcCycles.join(", ")}.</p>`,
        );}
    } catch (err) {
      plots.push(errorBox("Voltage–capacity curves", err));
    }
    let peaks: SafeHtml = markup``;
    try {
      const { series, halves } = await halvesOf(ctx, test, dqCycle);
      const curves: DqdvCurve[] = [];
      const skipped: string[] = [];
      for (const h of series ? halves : []) {
        try {
          curves.push(
            dqdv({
              series: series!,
              start_row: h.start_row,
              end_row: h.end_row,
              cycle: dqCycle,
              direction: h.direction,
            }),
          );
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          skipped.push(`${h.direction}: ${err.message}`);
        }
      }
      if (curves.length) {
        plots.push(
          plot(
            "plot-dqdv",
            dqdvSpec(curves, { width: 480 }),
            `dQ/dV of cycle ${dqCycle} with peaks (triangles)`,
          ),
        );
        peaks =
          markup`<h2>dQ/dV peaks, cycle ${dqCycle}</h2><table id="dqdv-peaks"><thead><tr><th>Half</th><th class="num">Voltage (V)</th>
<th class="num">dQ/dV (Ah/V)</th><th class="num">Area (mAh)</th><th class="num">FWHM (mV)</th></tr></thead><tbody>${
            curves.flatMap((c) =>
              c.peaks.map((p) =>
                markup`<tr><td>${c.direction}</td><td class="num">${
                  p.position_V.toFixed(4)
                }</td><td class="num">${num(p.height_Ah_per_V)}</td>
<td class="num">${num(p.area_Ah * 1000)}</td><td class="num">${
                  p.fwhm_V === null ? "—" : num(p.fwhm_V * 1000)
                }</td></tr>`
              )
            )
          }</tbody></table>`;
      } else {
        plots.push(
          markup`<p class="muted">No dQ/dV for cycle ${dqCycle}${
            skipped.length ? `: ${skipped.join("; ")}` : ""
          }.</p>`,
        );
      }
    } catch (err) {
      plots.push(errorBox("dQ/dV", err));
    }
    parts.push(markup`<div class="plots">${plots}</div>${peaks}`);
  }

  // Whole-test voltage trace.
  if (test.data.series) {
    const series = await store.series.read(test.id);
    if (series && series.length > 0) {
      parts.push(
        markup`<h2>Voltage trace</h2><div class="plots">${
          plot(
            "plot-trace",
            voltageTracePlotSpec(series, { points: TRACE_POINTS, width: 900, height: 220 }),
            `Largest-triangle downsampling to at most ${TRACE_POINTS} points`,
          )
        }</div>`,
      );
    }
  }

  // Similar tests.
  if (n > 0) {
    const rows = await cyclingRows(store);
    const featureRows = rows.filter((r) => r.features).map((r) => ({
      id: r.test.id,
      features: r.features as unknown as Record<string, number | null>,
    }));
    if (featureRows.length >= 3 && featureRows.some((r) => r.id === test.id)) {
      try {
        const sim = similarTests(featureRows, test.id, { k: 3 });
        const byId = new Map(rows.map((r) => [r.test.id, r]));
        parts.push(
          markup`<h2>Most similar tests</h2><p class="muted">Nearest by standardized features: ${
            sim.features.join(", ")
          }.</p>
<ol id="similar-tests">${
            sim.neighbours.map((nb) =>
              markup`<li><a href="/tests/${encodeURIComponent(nb.id)}">${
                testLabel(byId.get(nb.id)!)
              }</a> <span class="muted">distance ${num(nb.distance, 3)}</span></li>`
            )
          }</ol><p><a id="compare-similar" href="/compare${
            query({ ids: [test.id, ...sim.neighbours.map((x) => x.id)] })
          }">Overlay with these tests</a></p>`,
        );
      } catch (err) {
        parts.push(errorBox("Similar tests", err));
      }
    }
  }
  return { title: test.name, nav: "tests", body: markup`${parts}` };
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
