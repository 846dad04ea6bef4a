// Copyright 2026 the battery-analysis authors. MIT license.

import { comparisonPlotSpec } from "../../../analysis/plot_specs.ts";
import { compareTests } from "../../../analysis/compare_tests.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { spearman } from "../_correlation.ts";
import { analysisNote, uniqueLabels } from "../_data.ts";
import {
  searchFilter,
  searchTestsPage,
  type TestListingMatch,
  type TestQuery,
} from "../../search_tests.ts";
import type { Sample } from "../../store/documents.ts";
import {
  type SummaryCondition,
  TEST_CONDITION_FIELDS,
  type TestGroupKey,
  type TestNumberField,
  type TestNumbers,
  type TestStats,
} from "../../store/store.ts";
import { Params } from "../_params.ts";
import { flagBadges } from "../_flags.ts";
import { markup, num, pct, query, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";
import { emptyStore } from "./overview.ts";

/** A test of the ranking: its listing and sample. */
type Row = TestListingMatch;

/** A ranked test's numbers (`tests.numbers`) and its sample: what the correlations read. */
interface DriverRow {
  /** The test's headline numbers and conditions. */
  values: TestNumbers["values"];
  /** Its sample, or `null`. */
  sample: Sample | null;
}

/** Numeric properties compared with the fade rate: label and accessor. */
const NUMERIC: [string, (r: DriverRow) => number | null | undefined][] = [
  ["mean coulombic efficiency", (r) => r.values.mean_coulombic_efficiency],
  ["mean energy efficiency", (r) => r.values.mean_energy_efficiency],
  ["internal resistance (Ω)", (r) => r.values.median_internal_resistance_ohm],
  ["initial capacity (Ah)", (r) => r.values.initial_capacity_Ah],
  ["counted cycles", (r) => r.values.counted_cycle_count],
  ["temperature (°C)", (r) => r.values.temperature_C],
  ["charge C-rate", (r) => r.values.charge_rate_C],
  ["discharge C-rate", (r) => r.values.discharge_rate_C],
  ["upper cut-off (V)", (r) => r.values.upper_cutoff_voltage_V],
  ["lower cut-off (V)", (r) => r.values.lower_cutoff_voltage_V],
  ["electrode area (cm²)", (r) => r.sample?.area_cm2],
  ["mass (g)", (r) => r.sample?.mass_g],
  ["active mass (g)", (r) => r.sample?.active_mass_g],
];

/** The numbers the correlations read of each ranked test (the fade rate first). */
const DRIVER_FIELDS: TestNumberField[] = [
  "fade_per_100_cycles",
  "mean_coulombic_efficiency",
  "mean_energy_efficiency",
  "median_internal_resistance_ohm",
  "initial_capacity_Ah",
  "counted_cycle_count",
  ...TEST_CONDITION_FIELDS,
];

/** Categorical properties: label and the property the store counts tests by. */
const CATEGORICAL: [string, TestGroupKey][] = [
  ["chemistry", "chemistry"],
  ["tester", "tester"],
  ["form factor", "form_factor"],
  ["tag", "tag"],
];

/** Tests with fewer counted cycles than this are listed but not ranked. */
export const MIN_RANKED_CYCLES = 5;

/**
 * The ranking rule as conditions the store answers: a fade rate (any number: `≥ −MAX_VALUE`
 * holds for every number and for no missing one) over at least {@link MIN_RANKED_CYCLES}
 * counted cycles, in a test with a fade analysis.
 */
const RANKED_WHERE: SummaryCondition[] = [
  { field: "fade_per_100_cycles", op: ">=", value: -Number.MAX_VALUE },
  { field: "counted_cycle_count", op: ">=", value: MIN_RANKED_CYCLES },
];

/** A ranked test: its row and fade rate. */
export interface RankedTest {
  /** The test (listing) and its sample. */
  row: Row;
  /** `analysis.summary.fade_per_100_cycles` (fraction). */
  rate: number;
}

/** Rank correlation of each numeric property with the fade rate over the tests that have both. */
export function fadeDrivers(rows: readonly DriverRow[]) {
  const out: { property: string; n: number; rho: number }[] = [];
  for (const [property, get] of NUMERIC) {
    const pairs = rows.flatMap((r) => {
      const x = get(r), y = r.values.fade_per_100_cycles;
      return typeof x === "number" && Number.isFinite(x) && typeof y === "number" &&
          Number.isFinite(y)
        ? [[x, y] as const]
        : [];
    });
    if (pairs.length < 3) continue;
    const rho = spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    if (rho !== null) out.push({ property, n: pairs.length, rho });
  }
  return out.sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho));
}

/**
 * Mean fade rate per value of each categorical property (only properties with ≥ 2 values), from
 * the store's counts over the ranked tests (`tests.stats`).
 */
export function fadeByGroup(stats: TestStats | null) {
  const out: { property: string; value: string; n: number; mean_fade: number }[] = [];
  for (const [property, key] of CATEGORICAL) {
    const groups = (stats?.groups[key] ?? []).flatMap((g) => {
      const m = g.metrics.fade_per_100_cycles;
      return g.value !== null && m && m.n > 0 && m.mean !== null
        ? [{ property, value: g.value, n: m.n, mean_fade: m.mean }]
        : [];
    });
    if (groups.length >= 2) out.push(...groups);
  }
  return out.sort((a, b) => a.property.localeCompare(b.property) || b.mean_fade - a.mean_fade);
}

/** Why a test is not ranked: no analysis, no fade analysis (the note), or too few cycles. */
function unrankedReason(r: Row): string {
  const a = r.test.analysis;
  if (!a) return analysisNote(r.test) ?? "not analysed";
  if (a.fade_note) return a.fade_note;
  if (a.summary.fade_per_100_cycles === null) return "no fade rate";
  return `${a.summary.counted_cycle_count} counted cycles`;
}

/** Tests per page of the ranking. */
const PER_PAGE = 50;

/** Tests not ranked listed (with why), at most. */
const UNRANKED_SHOWN = 200;

/**
 * Fade ranking: tests by fade rate, their fitted end of life, and what goes with fast fade. The
 * store ranks, pages, counts and aggregates (its index); only the page's tests and the numbers
 * of the ranked tests are read.
 */
export async function fadePage(ctx: Ctx): Promise<Page> {
  const { url, store } = ctx;
  if ((await store.tests.count()) === 0) {
    return { title: "Fade ranking", nav: "fade", body: emptyStore(ctx) };
  }
  const p = new Params(url, ["q", "chemistry", "tester", "page"]);
  const text = p.string("q");
  const chemistry = p.string("chemistry");
  const tester = p.string("tester");
  const page = p.int("page", { min: 1 }) ?? 1;
  const first = (page - 1) * PER_PAGE;
  const base: TestQuery = { text, chemistry, tester };
  const rankedQuery: TestQuery = { ...base, has_fade: true, where: RANKED_WHERE };
  const fastest: TestQuery = { ...rankedQuery, sort: "fade_per_100_cycles", order: "desc" };
  const badRequest = (err: unknown) => {
    throw err instanceof RangeError ? new HttpError(400, err.message) : err;
  };
  const [rankedPage, matching, samples, testers, filter] = await Promise.all([
    searchTestsPage(store, { ...fastest, offset: first, limit: PER_PAGE }),
    searchTestsPage(store, { ...base, limit: 0 }),
    store.samples.find(),
    store.tests.stats({}, { by: ["tester"] }),
    searchFilter(store, rankedQuery),
  ]).catch(badRequest);
  const rankedTotal = rankedPage.total;
  const shown: RankedTest[] = rankedPage.matches.map((row) => ({
    row,
    rate: row.test.analysis!.summary.fade_per_100_cycles!,
  }));
  // Not ranked: no fade analysis; too few counted cycles; no fade rate (sorted by fade rate, the
  // tests without one come after the ranked ones).
  const unrankedTotal = matching.total - rankedTotal;
  const short: { row: Row; reason: string }[] = [];
  const unranked: TestQuery[] = [
    { ...base, has_fade: false },
    {
      ...base,
      has_fade: true,
      where: [{ field: "counted_cycle_count", op: "<", value: MIN_RANKED_CYCLES }],
    },
    { ...base, has_fade: true, where: [RANKED_WHERE[1]], offset: rankedTotal },
  ];
  for (const q of unranked) {
    if (short.length >= Math.min(unrankedTotal, UNRANKED_SHOWN)) break;
    const { matches } = await searchTestsPage(store, {
      sort: "fade_per_100_cycles",
      order: "desc",
      limit: UNRANKED_SHOWN - short.length,
      ...q,
    }).catch(badRequest);
    for (const row of matches) short.push({ row, reason: unrankedReason(row) });
  }
  const sampleById = new Map(samples.map((s) => [s.id, s]));
  const [numbers, stats] = filter
    ? await Promise.all([
      store.tests.numbers(filter, DRIVER_FIELDS),
      store.tests.stats(filter, {
        by: CATEGORICAL.map(([, key]) => key),
        metrics: ["fade_per_100_cycles"],
      }),
    ])
    : [[], null];
  const pages = Math.max(1, Math.ceil(rankedTotal / PER_PAGE));
  const distinct = (xs: (string | null)[]) =>
    [...new Set(xs.filter((x): x is string => !!x))].sort();
  const select = (name: string, label: string, options: string[], value?: string) =>
    markup`<label>${label}<select name="${name}"><option value="">any</option>${
      options.map((o) => markup`<option${o === value ? markup` selected` : ""}>${o}</option>`)
    }</select></label>`;
  const pageLink = (n: number, label: string, rel: string) =>
    n < 1 || n > pages || n === page
      ? markup`<span class="muted">${label}</span>`
      : markup`<a href="/fade${
        query({ q: text, chemistry, tester, page: n })
      }" data-page="${rel}">${label}</a>`;
  const parts: SafeHtml[] = [];
  parts.push(
    markup`<p>Tests ranked by the mean capacity fade per 100 cycles of their stored analysis (over
the counted cycles only, from the reference cycle: partial, cut-off, formation, rest and check-up
cycles are left out), fastest first, with the best fade model by AIC, its predicted end of life at
the analysis threshold and the data-quality flags. Tests without a fade analysis (a protocol
without fade, such as a symmetric cell or a pulse test) or with fewer than ${MIN_RANKED_CYCLES}
counted cycles are listed below the table.</p>
<form class="filters" method="get" action="/fade" id="fade-filters">
<label class="grow">Search (name, sample, cell code, tag, file)<input type="search" name="q" value="${
      text ?? ""
    }"></label>${
      select("chemistry", "Chemistry", distinct(samples.map((s) => s.chemistry)), chemistry)
    }${
      select(
        "tester",
        "Tester",
        distinct((testers.groups.tester ?? []).map((g) => g.value)),
        tester,
      )
    }
<button type="submit">Filter</button> <a href="/fade">Clear</a></form>
<div class="pager"><span id="fade-count">${rankedTotal} ranked tests${
      shown.length ? `; ${first + 1}–${first + shown.length} shown` : ""
    }.</span><nav class="pages" aria-label="Pages">${
      pageLink(page - 1, "‹ Previous", "prev")
    } <span>page ${page} of ${pages}</span> ${pageLink(page + 1, "Next ›", "next")}</nav></div>
<table id="fade-table" class="sticky" data-columns><thead><tr><th data-label="Test">#&nbsp;Test</th>
<th data-col="sample">Sample</th><th data-col="chemistry" data-optional>Chemistry</th>
<th class="num" data-col="cycles" title="Counted cycles">Cycles</th><th class="num" data-col="fade" title="Fade per 100 cycles (%)">Fade %/100</th><th class="num" data-col="retention" title="Final retention (%)">Retention %</th>
<th data-col="model">Best model</th><th class="num" data-col="eol" title="Predicted cycle at the end-of-life threshold">EOL cycle</th><th class="num" data-col="knee" data-optional title="Knee cycle">Knee</th><th class="num" data-col="ce" title="Mean coulombic efficiency (%)">CE %</th>
<th class="num" data-col="ir" data-optional title="Median internal resistance (Ω)">IR Ω</th><th data-col="flags">Flags</th></tr></thead><tbody>${
      shown.map(({ row: r, rate }, i) => {
        const f = r.test.analysis!.summary;
        return markup`<tr data-test-id="${r.test.id}"><td class="name" title="${r.test.name}">${
          first + i + 1
        }. <a href="/tests/${encodeURIComponent(r.test.id)}">${r.test.name}</a></td>
<td class="name sample">${r.sample?.name ?? "—"}</td><td>${
          r.sample?.chemistry ?? "—"
        }</td><td class="num">${f.counted_cycle_count}</td>
<td class="num">${pct(rate)}</td><td class="num">${pct(f.capacity_retention)}</td>
<td>${
          f.best_fade_model ?? "—"
        }</td><td class="num">${num(f.eol_cycle_predicted, 4)}</td>
<td class="num">${num(f.knee_cycle)}</td><td class="num">${pct(f.mean_coulombic_efficiency, 3)}</td>
<td class="num">${num(f.median_internal_resistance_ohm)}</td><td class="flags">${
          flagBadges(r.test.analysis!.flags)
        }</td></tr>`;
      })
    }</tbody></table>
${
      unrankedTotal
        ? markup`<details id="fade-unranked"><summary>${unrankedTotal} tests not ranked</summary><ul>${
          short.map(({ row: r, reason }) =>
            markup`<li><a href="/tests/${
              encodeURIComponent(r.test.id)
            }">${r.test.name}</a> (${reason})</li>`
          )
        }${
          unrankedTotal > short.length
            ? markup`<li class="muted">and ${unrankedTotal - short.length} more</li>`
            : ""
        }</ul></details>`
        : ""
    }`,
  );
  const top = first === 0
    ? shown.slice(0, 6).map((r) => r.row)
    : (await searchTestsPage(store, { ...fastest, limit: 6 }).catch(badRequest)).matches;
  if (top.length >= 1) {
    const full = await Promise.all(top.map((r) => ctx.store.tests.get(r.test.id)));
    const labels = uniqueLabels(top);
    // The analysis's cycles carry their roles: only counted cycles enter the retention.
    const cmp = compareTests(
      full.map((t, i) => ({ name: labels[i], cycles: t?.analysis?.cycles ?? [] })),
    );
    parts.push(
      markup`<h2>Fastest fading, overlaid</h2><div class="plots">${
        plot(
          "plot-fade-overlay",
          comparisonPlotSpec(cmp.curves, { width: 640 }),
          "Retention of the fastest-fading tests",
          { empty: "no counted cycles to draw" },
        )
      }</div><p><a href="/compare${
        query({ ids: top.map((r) => r.test.id).join(",") })
      }">Open in Compare</a></p>`,
    );
  }
  const drivers = fadeDrivers(
    numbers.map((n) => ({ values: n.values, sample: sampleById.get(n.sample_id) ?? null })),
  );
  const groups = fadeByGroup(stats);
  parts.push(markup`<h2>What goes with fast fade</h2>
<p class="muted">Spearman rank correlation between each property and the fade rate, over the tests
that have both (positive: higher values fade faster). With few tests these are hints, not proof;
open the tests to check.</p>${
    drivers.length
      ? markup`<table id="fade-drivers"><thead><tr><th>Property</th><th class="num">ρ</th><th class="num">Tests</th></tr></thead><tbody>${
        drivers.map((d) =>
          markup`<tr><td>${d.property}</td><td class="num">${
            d.rho.toFixed(2)
          }</td><td class="num">${d.n}</td></tr>`
        )
      }</tbody></table>`
      : markup`<p class="muted">Fewer than three tests share a varying numeric property.</p>`
  }
${
    groups.length
      ? markup`<h2>Fade by group</h2><table id="fade-groups"><thead><tr><th>Property</th><th>Value</th><th class="num">Tests</th><th class="num">Mean fade / 100 cycles (%)</th></tr></thead><tbody>${
        groups.map((g) =>
          markup`<tr><td>${g.property}</td><td>${g.value}</td><td class="num">${g.n}</td><td class="num">${
            pct(g.mean_fade)
          }</td></tr>`
        )
      }</tbody></table>`
      : ""
  }`);
  return { title: "Fade ranking", nav: "fade", body: markup`${parts}` };
}
