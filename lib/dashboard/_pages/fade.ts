// Copyright 2026 the battery-analysis authors. MIT license.

import { comparisonPlotSpec } from "../../../analysis/plot_specs.ts";
import { compareTests } from "../../../analysis/compare_tests.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { spearman } from "../_correlation.ts";
import { analysisNote, uniqueLabels } from "../_data.ts";
import { searchTestsPage, type TestListingMatch } from "../../search_tests.ts";
import { Params } from "../_params.ts";
import { flagBadges } from "../_flags.ts";
import { markup, num, pct, query, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";
import { emptyStore } from "./overview.ts";

/** A test of the ranking: its listing and sample. */
type Row = TestListingMatch;

/** Numeric properties compared with the fade rate: label and accessor. */
const NUMERIC: [string, (r: Row) => number | null | undefined][] = [
  ["mean coulombic efficiency", (r) => r.test.analysis?.summary.mean_coulombic_efficiency],
  ["mean energy efficiency", (r) => r.test.analysis?.summary.mean_energy_efficiency],
  ["internal resistance (Ω)", (r) => r.test.analysis?.summary.median_internal_resistance_ohm],
  ["initial capacity (Ah)", (r) => r.test.analysis?.summary.initial_capacity_Ah],
  ["counted cycles", (r) => r.test.analysis?.summary.counted_cycle_count],
  ["temperature (°C)", (r) => r.test.temperature_C],
  ["charge C-rate", (r) => r.test.charge_rate_C],
  ["discharge C-rate", (r) => r.test.discharge_rate_C],
  ["upper cut-off (V)", (r) => r.test.upper_cutoff_voltage_V],
  ["lower cut-off (V)", (r) => r.test.lower_cutoff_voltage_V],
  ["electrode area (cm²)", (r) => r.sample?.area_cm2],
  ["mass (g)", (r) => r.sample?.mass_g],
  ["active mass (g)", (r) => r.sample?.active_mass_g],
];

/** Categorical properties: label and accessor (several values for tags). */
const CATEGORICAL: [string, (r: Row) => string[]][] = [
  ["chemistry", (r) => (r.sample?.chemistry ? [r.sample.chemistry] : [])],
  ["tester", (r) => [r.test.tester]],
  ["form factor", (r) => (r.sample?.form_factor ? [r.sample.form_factor] : [])],
  ["tag", (r) => r.test.tags],
];

/** Tests with fewer counted cycles than this are listed but not ranked. */
export const MIN_RANKED_CYCLES = 5;

/** A ranked test: its row and fade rate. */
export interface RankedTest {
  /** The test (listing) and its sample. */
  row: Row;
  /** `analysis.summary.fade_per_100_cycles` (fraction). */
  rate: number;
}

/** Rank correlation of each numeric property with the fade rate over the tests that have both. */
export function fadeDrivers(ranked: readonly RankedTest[]) {
  const out: { property: string; n: number; rho: number }[] = [];
  for (const [property, get] of NUMERIC) {
    const pairs = ranked.flatMap(({ row: r, rate }) => {
      const x = get(r), y = rate;
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

/** Mean fade rate per value of each categorical property (only properties with ≥ 2 values). */
export function fadeByGroup(ranked: readonly RankedTest[]) {
  const out: { property: string; value: string; n: number; mean_fade: number }[] = [];
  for (const [property, get] of CATEGORICAL) {
    const groups = new Map<string, number[]>();
    for (const { row, rate } of ranked) {
      for (const v of get(row)) groups.set(v, [...(groups.get(v) ?? []), rate]);
    }
    if (groups.size < 2) continue;
    for (const [value, fs] of groups) {
      out.push({
        property,
        value,
        n: fs.length,
        mean_fade: fs.reduce((s, x) => s + x, 0) / fs.length,
      });
    }
  }
  return out.sort((a, b) => a.property.localeCompare(b.property) || b.mean_fade - a.mean_fade);
}

/** Why a test is not ranked: no analysis, no fade analysis (the note), or too few cycles. */
function unrankedReason(r: Row): string | null {
  const a = r.test.analysis;
  if (!a) return analysisNote(r.test) ?? "not analysed";
  if (a.fade_note) return a.fade_note;
  if (a.summary.fade_per_100_cycles === null) return "no fade rate";
  if (a.summary.counted_cycle_count < MIN_RANKED_CYCLES) {
    return `${a.summary.counted_cycle_count} counted cycles`;
  }
  return null;
}

/** Tests per page of the ranking. */
const PER_PAGE = 50;

/** Fade ranking: tests by fade rate, their fitted end of life, and what goes with fast fade. */
export async function fadePage(ctx: Ctx): Promise<Page> {
  const { url } = ctx;
  if ((await ctx.store.tests.count()) === 0) {
    return { title: "Fade ranking", nav: "fade", body: emptyStore(ctx) };
  }
  const p = new Params(url, ["q", "chemistry", "tester", "page"]);
  const text = p.string("q");
  const chemistry = p.string("chemistry");
  const tester = p.string("tester");
  const page = p.int("page", { min: 1 }) ?? 1;
  const [{ matches }, samples, listing] = await Promise.all([
    searchTestsPage(ctx.store, {
      text,
      chemistry,
      tester,
      sort: "fade_per_100_cycles",
      order: "desc",
    }).catch((err) => {
      throw err instanceof RangeError ? new HttpError(400, err.message) : err;
    }),
    ctx.store.samples.find(),
    ctx.store.tests.list(),
  ]);
  const ranked: RankedTest[] = [];
  const short: { row: Row; reason: string }[] = [];
  for (const row of matches) {
    const reason = unrankedReason(row);
    if (reason === null) {
      ranked.push({ row, rate: row.test.analysis!.summary.fade_per_100_cycles! });
    } else short.push({ row, reason });
  }
  const pages = Math.max(1, Math.ceil(ranked.length / PER_PAGE));
  const first = (page - 1) * PER_PAGE;
  const shown = ranked.slice(first, first + PER_PAGE);
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
    }${select("tester", "Tester", distinct(listing.map((t) => t.tester)), tester)}
<button type="submit">Filter</button> <a href="/fade">Clear</a></form>
<div class="pager"><span id="fade-count">${ranked.length} ranked tests${
      ranked.length ? `; ${first + 1}–${first + shown.length} shown` : ""
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
      short.length
        ? markup`<details id="fade-unranked"><summary>${short.length} tests not ranked</summary><ul>${
          short.slice(0, 200).map(({ row: r, reason }) =>
            markup`<li><a href="/tests/${
              encodeURIComponent(r.test.id)
            }">${r.test.name}</a> (${reason})</li>`
          )
        }${
          short.length > 200 ? markup`<li class="muted">and ${short.length - 200} more</li>` : ""
        }</ul></details>`
        : ""
    }`,
  );
  const top = ranked.slice(0, 6).map((r) => r.row);
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
  const drivers = fadeDrivers(ranked);
  const groups = fadeByGroup(ranked);
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
