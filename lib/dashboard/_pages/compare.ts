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
      }" id="compare-csv">Export as CSV</a></p>${sideBySide(found, labelOf)}`,
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

/** The side-by-side table as CSV (numbers as stored: fractions, Ah, Ω). */
export async function compareCsv(ctx: Ctx): Promise<Response> {
  const { ids } = compareParams(ctx);
  const found = (await chosenTests(ctx, ids)).filter((c) => c.test);
  const lines = [["id", "name", "sample", ...SIDE.map(([, name]) => name), "flag_codes"].join(",")];
  for (const c of found) {
    lines.push(
      [
        c.id,
        c.test!.name,
        c.sampleName,
        ...SIDE.map(([, , get]) => get(c)),
        (s(c)?.flag_codes ?? []).join(";"),
      ].map(csvCell).join(","),
    );
  }
  return new Response(lines.join("\r\n") + "\r\n", {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": attachment("comparison.csv"),
      "cache-control": "no-store",
    },
  });
}
