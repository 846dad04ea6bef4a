// Copyright 2026 the battery-analysis authors. MIT license.

import { compareTests } from "../../../analysis/compare_tests.ts";
import {
  capacityComparisonPlotSpec,
  comparisonPlotSpec,
  cycleComparisonPlotSpec,
} from "../../../analysis/plot_specs.ts";
import { highFrequencyIntercept } from "../../../analysis/high_frequency_intercept.ts";
import type { TestResult } from "../../store/documents.ts";
import { searchTestsPage } from "../../search_tests.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { retentionNote, uniqueLabels } from "../_data.ts";
import { flagBadges } from "../_flags.ts";
import { markup, num, pct, query, type SafeHtml } from "../_html.ts";
import { Params } from "../_params.ts";
import { plot } from "../_plot.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";
import { csvCell } from "./tests.ts";
import { emptyStore } from "./overview.ts";
import { lateSection } from "./test_detail.ts";
import type { DvdqPeakMetrics } from "../../../analysis/dvdq_peak_metrics.ts";
import type { DvdqAnswer } from "./compare_sections.ts";
import { ComputeTimeoutError } from "../../compute/compute_pool.ts";
import { transferables } from "../../compute/transferables.ts";
import { fragmentResponse } from "../_compute.ts";

/** Tests compared at most. */
const MAX_TESTS = 12;

/** A chosen test: read, or the reason it cannot be compared. */
interface Chosen {
  id: string;
  test: TestResult | null;
  sampleName: string | null;
  /** Why it is left out of the cycling comparison (`null`: it is in). */
  skip: string | null;
  /** High-frequency intercept of its first spectrum, Ω, if it has spectra. */
  hfr: number | null;
}

/** The chosen tests (`ids`, repeated or comma-separated), read, each with why it is left out. */
async function chosenTests(ctx: Ctx, ids: string[]): Promise<Chosen[]> {
  const out: Chosen[] = [];
  for (const id of ids) {
    const test = await ctx.store.tests.get(id);
    if (!test) {
      out.push({ id, test: null, sampleName: null, skip: "no such test", hfr: null });
      continue;
    }
    const sample = await ctx.store.samples.get(test.sample_id);
    let hfr: number | null = null;
    if (test.data.spectra.length) {
      const [first] = await ctx.store.spectra.read(test.id);
      try {
        hfr = first ? highFrequencyIntercept(first)?.resistance_ohm ?? null : null;
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
      }
    }
    const skip = test.cycles.length === 0 && test.data.spectra.length
      ? "an impedance test: no cycles (its impedance is compared)"
      : retentionNote(test);
    out.push({ id, test, sampleName: sample?.name ?? null, skip, hfr });
  }
  return out;
}

function compareParams(ctx: Ctx): { ids: string[]; q: string | undefined } {
  const p = new Params(ctx.url, ["ids", "q"]);
  const ids = [...new Set(p.list("ids"))];
  if (ids.length > MAX_TESTS) {
    throw new HttpError(
      400,
      `Compare at most ${MAX_TESTS} tests at once; ${ids.length} were given`,
    );
  }
  return { ids, q: p.string("q") };
}

/**
 * Comparison of several tests: retention, capacity, coulombic efficiency and discharge energy
 * overlaid, and their headline numbers and impedance side by side (CSV: `/compare.csv`). Tests
 * that cannot be compared on cycles (no cycles, an impedance test, not analysed, unknown id)
 * are left out of the plots with the reason, never a failed page.
 */
export async function comparePage(ctx: Ctx): Promise<Page> {
  const { ids, q } = compareParams(ctx);
  if ((await ctx.store.tests.count()) === 0) {
    return { title: "Compare", nav: "compare", body: emptyStore(ctx) };
  }
  const chosen = await chosenTests(ctx, ids);
  const found = chosen.filter((c) => c.test);
  const labels = uniqueLabels(
    found.map((c) => ({
      test: c.test!,
      sample: c.sampleName ? { name: c.sampleName } : null,
    })) as never,
  );
  const labelOf = new Map(found.map((c, i) => [c.id, labels[i]]));
  const without = (id: string) => ids.filter((x) => x !== id).join(",");
  const candidates = q
    ? (await searchTestsPage(ctx.store, { text: q, limit: 20 })).matches.filter((m) =>
      !ids.includes(m.test.id)
    )
    : [];
  const parts: SafeHtml[] = [
    markup`<section id="compare-choice"><h2>Tests compared</h2>${
      chosen.length
        ? markup`<ul id="compare-chosen">${
          chosen.map((c) =>
            markup`<li data-id="${c.id}">${
              c.test
                ? markup`<a href="/tests/${encodeURIComponent(c.id)}">${labelOf.get(c.id)}</a>`
                : markup`<code>${c.id}</code>`
            }${
              c.skip
                ? markup` <span class="muted">— left out of the cycle plots: ${c.skip}</span>`
                : ""
            } <a class="small" href="/compare${query({ ids: without(c.id) })}">remove</a></li>`
          )
        }</ul>`
        : markup`<p class="muted" id="compare-none">No test chosen yet: tick tests on the <a href="/tests">Tests</a> page and press “Compare selected”, or search below.</p>`
    }
<form class="filters" method="get" action="/compare" id="compare-form">
<input type="hidden" name="ids" value="${ids.join(",")}">
<label class="grow">Add tests: search by name, sample, cell code, tag or file<input type="search" name="q" value="${
      q ?? ""
    }" id="compare-search"></label><button type="submit">Search</button></form>${
      q
        ? candidates.length
          ? markup`<ul id="compare-candidates">${
            candidates.map((m) =>
              markup`<li><a href="/compare${
                query({ ids: [...ids, m.test.id].join(","), q })
              }" data-add="${m.test.id}">add</a> ${m.test.name}${
                m.sample && m.sample.name !== m.test.name
                  ? markup` <span class="muted">(${m.sample.name})</span>`
                  : ""
              }</li>`
            )
          }</ul>`
          : markup`<p class="muted">No other test matches “${q}”.</p>`
        : ""
    }</section>`,
  ];
  const usable = found.filter((c) => c.skip === null);
  if (usable.length) {
    // The analysis's cycles carry their roles: only counted cycles enter the retention.
    const cmp = compareTests(
      usable.map((c) => ({ name: labelOf.get(c.id)!, cycles: c.test!.analysis?.cycles ?? [] })),
    );
    const perCycle = (
      value: (cycle: TestResult["cycles"][number]) => number | null,
    ) =>
      usable.flatMap((c) =>
        c.test!.cycles.flatMap((cy) => {
          const v = value(cy);
          return v !== null && Number.isFinite(v)
            ? [{ test: labelOf.get(c.id)!, cycle: cy.cycle, value: v }]
            : [];
        })
      );
    const capacitySpec = capacityComparisonPlotSpec(
      perCycle((cy) => (cy.discharge_capacity_Ah > 0 ? cy.discharge_capacity_Ah : null)).map((
        r,
      ) => ({ test: r.test, cycle: r.cycle, discharge_capacity_Ah: r.value })),
      { width: 520 },
    );
    parts.push(
      markup`<div class="plots">${
        plot(
          "plot-compare-retention",
          comparisonPlotSpec(cmp.curves, { width: 520 }),
          "Retention over the counted cycles, each test relative to its reference cycle",
          { empty: "no counted cycles" },
        )
      }
${
        plot("plot-compare-capacity", capacitySpec, "Discharge capacity per cycle", {
          empty: "no cycle with discharge capacity",
        })
      }
${
        plot(
          "plot-compare-ce",
          cycleComparisonPlotSpec(
            perCycle((cy) =>
              cy.coulombic_efficiency === null ? null : cy.coulombic_efficiency * 100
            ),
            { field: "ce_percent", title: "Coulombic efficiency (%)" },
            { width: 520 },
          ),
          "Coulombic efficiency per cycle",
          { empty: "no cycle has a coulombic efficiency" },
        )
      }
${
        plot(
          "plot-compare-energy",
          cycleComparisonPlotSpec(
            perCycle((cy) =>
              (cy.discharge_energy_Wh ?? 0) > 0 ? cy.discharge_energy_Wh! * 1000 : null
            ),
            { field: "discharge_energy_mWh", title: "Discharge energy (mWh)" },
            { width: 520 },
          ),
          "Discharge energy per cycle",
          { empty: "the files of these tests give no energy" },
        )
      }</div>
<p class="muted">Common cycle (reached by every test): ${cmp.common_cycle ?? "none"}.</p>`,
    );
  } else if (chosen.length) {
    parts.push(
      markup`<p class="muted" id="compare-nothing">None of the chosen tests has counted cycles to overlay.</p>`,
    );
  }
  if (found.length) {
    parts.push(
      markup`<h2>Side by side</h2><p><a href="/compare.csv${
        query({ ids: ids.join(",") })
      }" id="compare-csv">Export as CSV</a></p>${sideBySide(found, labelOf)}
<h2>dV/dQ peaks</h2><p class="muted">dV/dQ of the half the retention follows (the discharge,
unless the analysis follows the charge capacity) of each test's first and last full counted cycles (those of its stored dQ/dV report), between 10 %
and 90 % of the half's capacity; A and B are the two most prominent peaks of each cycle, A the
earlier, at the capacity passed since the half began. When both belong to one electrode (the
graphite peaks of a graphite cell), the capacity between them shrinks with that electrode's loss
of active material, while lost lithium shifts both; a peak that vanished or grew makes the numbers
compare different features, so look at the curves (the dQ/dV on each test's page) before
concluding.</p>${
        lateSection(
          "compare-dvdq",
          `/compare/dvdq${query({ ids: found.map((c) => c.id).join(",") })}`,
          "the dV/dQ peaks",
        )
      }`,
    );
  }
  return { title: "Compare", nav: "compare", body: markup`${parts}` };
}

/** Columns of the side-by-side table and its CSV: header, CSV name, value. */
const SIDE: [string, string, (c: Chosen) => number | string | null, (v: unknown) => string][] = [
  [
    "Counted cycles",
    "counted_cycle_count",
    (c) => s(c)?.counted_cycle_count ?? null,
    (v) => num(v as number),
  ],
  [
    "Initial (mAh)",
    "initial_capacity_Ah",
    (c) => s(c)?.initial_capacity_Ah ?? null,
    (v) => num(v === null ? null : (v as number) * 1000),
  ],
  [
    "Retention (%)",
    "capacity_retention",
    (c) => s(c)?.capacity_retention ?? null,
    (v) => pct(v as number),
  ],
  [
    "Fade / 100 cycles (%)",
    "fade_per_100_cycles",
    (c) => s(c)?.fade_per_100_cycles ?? null,
    (v) => pct(v as number),
  ],
  [
    "Mean CE (%)",
    "mean_coulombic_efficiency",
    (c) => s(c)?.mean_coulombic_efficiency ?? null,
    (v) => pct(v as number, 3),
  ],
  [
    "Mean EE (%)",
    "mean_energy_efficiency",
    (c) => s(c)?.mean_energy_efficiency ?? null,
    (v) => pct(v as number),
  ],
  [
    "EOL observed",
    "eol_cycle_observed",
    (c) => s(c)?.eol_cycle_observed ?? null,
    (v) => num(v as number),
  ],
  [
    "EOL predicted",
    "eol_cycle_predicted",
    (c) => s(c)?.eol_cycle_predicted ?? null,
    (v) => num(v as number, 4),
  ],
  [
    "IR (Ω)",
    "median_internal_resistance_ohm",
    (c) => s(c)?.median_internal_resistance_ohm ?? null,
    (v) => num(v as number),
  ],
  ["HF intercept (Ω)", "high_frequency_intercept_ohm", (c) => c.hfr, (v) => num(v as number)],
];

function s(c: Chosen) {
  return c.test?.analysis?.summary ?? null;
}

function sideBySide(found: Chosen[], labelOf: Map<string, string>): SafeHtml {
  return markup`<table id="compare-table" class="sticky"><thead><tr><th>Test</th>${
    SIDE.map(([h]) => markup`<th class="num">${h}</th>`)
  }<th>Flags</th></tr></thead><tbody>${
    found.map((c) =>
      markup`<tr data-test-id="${c.id}"><td class="name" title="${labelOf.get(c.id)}">${
        labelOf.get(c.id)
      }</td>${
        SIDE.map(([, , get, show]) => markup`<td class="num">${show(get(c))}</td>`)
      }<td class="flags">${flagBadges(c.test!.analysis?.flags ?? [])}</td></tr>`
    )
  }</tbody></table>`;
}

/**
 * The side-by-side table as CSV (numbers as stored: fractions, Ah, Ω), with the dV/dQ peak
 * metrics of each test (computed in the worker pool, as on the page).
 */
export async function compareCsv(ctx: Ctx): Promise<Response> {
  const { ids } = compareParams(ctx);
  const found = (await chosenTests(ctx, ids)).filter((c) => c.test);
  const dvdq = await Promise.all(found.map((c) => dvdqOf(ctx, c)));
  const lines = [
    [
      "id",
      "name",
      "sample",
      ...SIDE.map(([, name]) => name),
      "flag_codes",
      ...DVDQ_CSV.map(([name]) => name),
      "dvdq_note",
    ].join(","),
  ];
  found.forEach((c, i) => {
    const d = dvdq[i];
    lines.push(
      [
        c.id,
        c.test!.name,
        c.sampleName,
        ...SIDE.map(([, , get]) => get(c)),
        (s(c)?.flag_codes ?? []).join(";"),
        ...DVDQ_CSV.map(([, get]) => (d.metrics ? get(d.metrics) : null)),
        d.note,
      ].map(csvCell).join(","),
    );
  });
  return new Response(lines.join("\r\n") + "\r\n", {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": attachment("comparison.csv"),
      "cache-control": "no-store",
    },
  });
}

/** The dV/dQ peak metrics of a compared test, or why there are none (`note`, also a partial one). */
interface DvdqResult {
  metrics: DvdqPeakMetrics | null;
  note: string | null;
}

/** Columns of the dV/dQ metrics in the CSV (numbers as computed: Ah, fractions). */
const DVDQ_CSV: [string, (m: DvdqPeakMetrics) => number | string | null][] = [
  ["dvdq_direction", (m) => m.direction],
  ["dvdq_first_cycle", (m) => m.first.cycle],
  ["dvdq_last_cycle", (m) => m.last?.cycle ?? null],
  ["dvdq_peak_a_first_Ah", (m) => m.first.peak_a_Ah],
  ["dvdq_peak_b_first_Ah", (m) => m.first.peak_b_Ah],
  ["dvdq_peak_a_last_Ah", (m) => m.last?.peak_a_Ah ?? null],
  ["dvdq_peak_b_last_Ah", (m) => m.last?.peak_b_Ah ?? null],
  ["dvdq_separation_first_Ah", (m) => m.first.separation_Ah],
  ["dvdq_separation_last_Ah", (m) => m.last?.separation_Ah ?? null],
  ["dvdq_separation_retention", (m) => m.separation_retention],
  ["dvdq_peak_a_shift_Ah", (m) => m.peak_a_shift_Ah],
];

/**
 * The dV/dQ peak metrics of a chosen test (`dvdqPeakMetrics`): the half the retention follows,
 * of the first and last cycles of its stored dQ/dV report (the first and last full counted
 * cycles), computed in the worker pool from those cycles' rows and cached by test and version.
 */
async function dvdqOf(ctx: Ctx, c: Chosen): Promise<DvdqResult> {
  const test = c.test;
  if (!test) return { metrics: null, note: c.skip };
  const analysis = test.analysis;
  if (!analysis) return { metrics: null, note: retentionNote(test) };
  if (!analysis.dqdv) {
    return { metrics: null, note: `no full cycles: ${analysis.dqdv_note ?? "no dQ/dV report"}` };
  }
  const cycles = analysis.dqdv.cycles;
  const direction = analysis.options.metric === "charge_capacity_Ah" ? "charge" : "discharge";
  const key = `dvdq:${test.id}:${test.updated_at}`;
  let input = null;
  if (ctx.compute.cached(key) === undefined) {
    const rows = async (cycle: number) => {
      const series = await ctx.store.series.read(test.id, { cycle });
      if (!series) throw new RangeError(`cycle ${cycle} has no stored rows`);
      return { series, cycle };
    };
    try {
      input = {
        first: await rows(cycles[0]),
        last: cycles.length > 1 ? await rows(cycles[cycles.length - 1]) : null,
        direction,
      };
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      return { metrics: null, note: err.message };
    }
  }
  let answer: DvdqAnswer;
  try {
    answer = JSON.parse(
      await ctx.compute.section({
        key,
        task: "dvdqMetrics",
        input,
        heavy: false,
        signal: ctx.req.signal,
        transfer: transferables(input),
      }),
    );
  } catch (err) {
    if (err instanceof ComputeTimeoutError) {
      return { metrics: null, note: `stopped after the time limit of ${err.ms / 1000} s` };
    }
    throw err;
  }
  return "error" in answer
    ? { metrics: null, note: answer.error }
    : { metrics: answer.metrics, note: answer.metrics.note };
}

/** Capacity in mAh for the table. */
function mAh(ah: number | null | undefined): string {
  return num(ah === null || ah === undefined ? null : ah * 1000);
}

/** A first → last pair of capacities (mAh). */
function pair(first: number | null, last: number | null | undefined, hasLast: boolean): SafeHtml {
  return hasLast ? markup`${mAh(first)} → ${mAh(last)}` : markup`${mAh(first)}`;
}

/**
 * The dV/dQ peak metrics of the compared tests (`ids`), as an HTML fragment the page loads after
 * it is shown: each test computed in the worker pool.
 */
export async function compareDvdqFragment(ctx: Ctx): Promise<Response> {
  const { ids } = compareParams(ctx);
  const found = (await chosenTests(ctx, ids)).filter((c) => c.test);
  let results: DvdqResult[];
  try {
    results = await Promise.all(found.map((c) => dvdqOf(ctx, c)));
  } catch (err) {
    if (ctx.req.signal.aborted) return fragmentResponse("", 499);
    throw err;
  }
  const labels = uniqueLabels(
    found.map((c) => ({
      test: c.test!,
      sample: c.sampleName ? { name: c.sampleName } : null,
    })),
  );
  return fragmentResponse(
    markup`<table id="compare-dvdq-table" class="sticky"><thead><tr><th>Test</th><th>Half</th><th class="num">Cycles</th>
<th class="num" title="Peaks between 10 % and 90 % of the half's capacity">Peaks</th><th class="num" title="Peak A, mAh since the half began">A (mAh)</th><th class="num" title="Peak B, mAh since the half began">B (mAh)</th>
<th class="num" title="Capacity between A and B">B − A (mAh)</th><th class="num" title="Last separation / first separation">Separation retention (%)</th><th class="num" title="Last A − first A">A shift (mAh)</th><th>Note</th></tr></thead><tbody>${
      found.map((c, i) => {
        const { metrics: m, note } = results[i];
        const has = !!m?.last;
        return markup`<tr data-test-id="${c.id}"><td class="name" title="${labels[i]}">${
          labels[i]
        }</td>${
          m
            ? markup`<td>${m.direction}</td><td class="num">${m.first.cycle}${
              has ? ` → ${m.last!.cycle}` : ""
            }</td><td class="num">${m.first.peak_count}${
              has ? ` → ${m.last!.peak_count}` : ""
            }</td><td class="num">${pair(m.first.peak_a_Ah, m.last?.peak_a_Ah, has)}</td>
<td class="num">${pair(m.first.peak_b_Ah, m.last?.peak_b_Ah, has)}</td><td class="num">${
              pair(m.first.separation_Ah, m.last?.separation_Ah, has)
            }</td><td class="num">${pct(m.separation_retention)}</td><td class="num">${
              mAh(m.peak_a_shift_Ah)
            }</td>`
            : markup`<td colspan="8" class="muted">—</td>`
        }<td class="muted">${note ?? ""}</td></tr>`;
      })
    }</tbody></table>`.value,
  );
}
