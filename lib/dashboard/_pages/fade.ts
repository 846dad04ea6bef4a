// Copyright 2026 the battery-analysis authors. MIT license.

import { comparisonPlotSpec } from "../../../analysis/plot_specs.ts";
import { compareTests } from "../../../analysis/compare_tests.ts";
import type { Ctx, Page } from "../_context.ts";
import { spearman } from "../_correlation.ts";
import type { FadeAnalysis } from "../../../analysis/fade.ts";
import { analysisNote, cyclingRows, fadeOf, type TestRow, uniqueLabels } from "../_data.ts";
import { flagBadges } from "../_flags.ts";
import { markup, num, pct, query, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";
import { emptyStore } from "./overview.ts";

/** Numeric properties compared with the fade rate: label and accessor. */
const NUMERIC: [string, (r: TestRow) => number | null | undefined][] = [
  ["mean coulombic efficiency", (r) => r.analysis?.summary.mean_coulombic_efficiency],
  ["mean energy efficiency", (r) => r.analysis?.summary.mean_energy_efficiency],
  ["mean voltage (V)", (r) => r.features?.mean_voltage_V],
  ["internal resistance (Ω)", (r) => r.analysis?.summary.median_internal_resistance_ohm],
  ["initial capacity (Ah)", (r) => r.analysis?.summary.initial_capacity_Ah],
  ["counted cycles", (r) => r.analysis?.summary.counted_cycle_count],
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
const CATEGORICAL: [string, (r: TestRow) => string[]][] = [
  ["chemistry", (r) => (r.sample?.chemistry ? [r.sample.chemistry] : [])],
  ["tester", (r) => [r.test.tester]],
  ["form factor", (r) => (r.sample?.form_factor ? [r.sample.form_factor] : [])],
  ["tag", (r) => r.test.tags],
];

/** Tests with fewer counted cycles than this are listed but not ranked. */
export const MIN_RANKED_CYCLES = 5;

/** A ranked test: its row, fade analysis and fade rate. */
export interface RankedTest {
  /** The test. */
  row: TestRow;
  /** Its stored fade analysis. */
  fade: FadeAnalysis;
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
function unrankedReason(r: TestRow): string {
  if (!r.analysis) return analysisNote(r.test) ?? "not analysed";
  if (r.analysis.fade_note) return r.analysis.fade_note;
  return `${r.analysis.summary.counted_cycle_count} counted cycles`;
}

/** Fade ranking: tests by fade rate, their fitted end of life, and what goes with fast fade. */
export async function fadePage(ctx: Ctx): Promise<Page> {
  const all = await cyclingRows(ctx.store);
  if (all.length === 0) return { title: "Fade ranking", nav: "fade", body: emptyStore(ctx) };
  const ranked: RankedTest[] = [];
  const short: TestRow[] = [];
  for (const row of all) {
    const { fade } = fadeOf(row.test);
    const rate = row.analysis?.summary.fade_per_100_cycles ?? null;
    if (fade && rate !== null && fade.retention.points.length >= MIN_RANKED_CYCLES) {
      ranked.push({ row, fade, rate });
    } else short.push(row);
  }
  ranked.sort((a, b) => b.rate - a.rate);
  const top = ranked.slice(0, 6).map((r) => r.row);
  const parts: SafeHtml[] = [];
  parts.push(
    markup`<p>Tests ranked by the mean capacity fade per 100 cycles of their stored analysis (over
the counted cycles only, from the reference cycle: partial, cut-off, formation, rest and check-up
cycles are left out), fastest first, with the best fade model by AIC, its predicted end of life at
the analysis threshold, anomalous cycles and data-quality flags. Tests without a fade analysis (a
protocol without fade, such as a symmetric cell or a pulse test) or with fewer than
${MIN_RANKED_CYCLES} counted cycles are listed below the table.</p>
<div class="scroll"><table id="fade-table"><thead><tr><th>#</th><th>Test</th><th>Sample</th><th>Chemistry</th>
<th class="num">Counted cycles</th><th class="num">Fade / 100 cycles (%)</th><th class="num">Final retention (%)</th>
<th>Best model</th><th class="num">Predicted EOL cycle</th><th class="num">Knee cycle</th><th class="num">Mean CE (%)</th>
<th class="num">IR (Ω)</th><th>Anomalous cycles</th><th>Flags</th></tr></thead><tbody>${
      ranked.map(({ row: r, fade, rate }, i) => {
        const f = r.analysis!.summary;
        return markup`<tr data-test-id="${r.test.id}"><td>${i + 1}</td><td><a href="/tests/${
          encodeURIComponent(r.test.id)
        }">${r.test.name}</a></td>
<td>${
          r.sample?.name ?? "—"
        }</td><td>${r.sample?.chemistry ?? "—"}</td><td class="num">${f.counted_cycle_count}</td>
<td class="num">${pct(rate)}</td><td class="num">${pct(f.capacity_retention)}</td>
<td>${
          f.best_fade_model ?? "—"
        }</td><td class="num">${num(f.eol_cycle_predicted, 4)}</td>
<td class="num">${num(f.knee_cycle)}</td><td class="num">${pct(f.mean_coulombic_efficiency, 3)}</td>
<td class="num">${num(f.median_internal_resistance_ohm)}</td><td>${
          fade.anomalies.retention.anomalies.map((a) => a.cycle).join(", ") || "none"
        }</td><td class="flags">${flagBadges(r.analysis!.flags)}        }</td></tr>`;
      })
    }</tbody></table></div>
${
      short.length
        ? markup`<p class="muted" id="fade-unranked">Not ranked: ${
          short.map((r, i) =>
            markup`${i ? "; " : ""}<a href="/tests/${
              encodeURIComponent(r.test.id)
            }">${r.test.name}</a> (${unrankedReason(r)})`
          )
        }.</p>`
        : ""
    }`,
  );
  if (top.length >= 1) {
    const labels = uniqueLabels(top);
    // The analysis's cycles carry their roles: only counted cycles enter the retention.
    const cmp = compareTests(
      top.map((r, i) => ({ name: labels[i], cycles: r.analysis?.cycles ?? [] })),
    );
    parts.push(
      markup`<h2>Fastest fading, overlaid</h2><div class="plots">${
        plot(
          "plot-fade-overlay",
          comparisonPlotSpec(cmp.curves, { width: 640 }),
          "Retention of the fastest-fading tests",
        )
      }</div><p><a href="/compare${
        query({ ids: top.map((r) => r.test.id) })
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
