// Copyright 2026 the battery-analysis authors. MIT license.

import { compareTests } from "../../../analysis/compare_tests.ts";
import { capacityComparisonPlotSpec, comparisonPlotSpec } from "../../../analysis/plot_specs.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { cyclingRows, uniqueLabels } from "../_data.ts";
import { flagBadges } from "../_flags.ts";
import { markup, num, pct, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";
import { emptyStore } from "./overview.ts";

/** Comparison of several tests: retention and capacity overlaid, and a feature table. */
export async function comparePage(ctx: Ctx): Promise<Page> {
  const all = await cyclingRows(ctx.store);
  if (all.length === 0) return { title: "Compare", nav: "compare", body: emptyStore(ctx) };
  const ids = [...new Set(ctx.url.searchParams.getAll("ids"))];
  const unknown = ids.filter((id) => !all.some((r) => r.test.id === id));
  if (unknown.length) {
    throw new HttpError(404, `No cycling test with id ${unknown.map((u) => `"${u}"`).join(", ")}`);
  }
  const chosen = ids.map((id) => all.find((r) => r.test.id === id)!);
  const labels = uniqueLabels(all);
  const labelOf = new Map(all.map((r, i) => [r.test.id, labels[i]]));
  const parts: SafeHtml[] = [
    markup`<form class="filters" method="get" action="/compare" id="compare-form">
<label>Tests (several)<select name="ids" multiple size="8" id="compare-select">${
      all.map((r) =>
        markup`<option value="${r.test.id}"${ids.includes(r.test.id) ? markup` selected` : ""}>${
          labelOf.get(r.test.id)
        }</option>`
      )
    }</select></label><button type="submit">Compare</button></form>`,
  ];
  const usable = chosen.filter((r) => r.features);
  if (chosen.length === 0) {
    parts.push(
      markup`<p class="muted">Choose two or more tests above (or select them on the Tests page).</p>`,
    );
  } else if (usable.length === 0) {
    parts.push(
      markup`<p class="muted">None of the chosen tests has discharge capacity to compare.</p>`,
    );
  } else {
    // The analysis's cycles carry their roles: only counted cycles enter the retention.
    const cmp = compareTests(
      usable.map((r) => ({ name: labelOf.get(r.test.id)!, cycles: r.analysis?.cycles ?? [] })),
    );
    const rowOf = new Map(usable.map((r) => [labelOf.get(r.test.id)!, r]));
    const capacitySpec = capacityComparisonPlotSpec(
      usable.flatMap((r) =>
        r.test.cycles.filter((c) => c.discharge_capacity_Ah > 0).map((c) => ({
          test: labelOf.get(r.test.id)!,
          cycle: c.cycle,
          discharge_capacity_Ah: c.discharge_capacity_Ah,
        }))
      ),
      { width: 520 },
    );
    parts.push(
      markup`<div class="plots">${
        plot(
          "plot-compare-retention",
          comparisonPlotSpec(cmp.curves, { width: 520 }),
          "Retention over the counted cycles, each test relative to its reference cycle",
        )
      }
${plot("plot-compare-capacity", capacitySpec, "Discharge capacity per cycle")}</div>
<h2>Side by side</h2><p class="muted">Common cycle (reached by every test): ${
        cmp.common_cycle ?? "none"
      }.</p>
<table id="compare-table"><thead><tr><th>Test</th><th class="num">Counted cycles</th><th class="num">Initial (mAh)</th>
<th class="num">Final retention (%)</th><th class="num">Retention at common cycle (%)</th><th class="num">Fade / 100 cycles (%)</th>
<th class="num">Mean CE (%)</th><th class="num">End of life (observed)</th><th>Flags</th></tr></thead><tbody>${
        cmp.table.map((r) => {
          // The headline numbers are the stored analysis's, as on every other surface.
          const row = rowOf.get(r.test)!;
          const s = row.analysis!.summary;
          return markup`<tr><td>${r.test}</td><td class="num">${s.counted_cycle_count}</td><td class="num">${
            num(s.initial_capacity_Ah === null ? null : s.initial_capacity_Ah * 1000)
          }</td>
<td class="num">${pct(s.capacity_retention)}</td><td class="num">${
            pct(r.retention_at_common_cycle)
          }</td>
<td class="num">${pct(s.fade_per_100_cycles)}</td><td class="num">${
            pct(s.mean_coulombic_efficiency, 3)
          }</td><td class="num">${num(s.eol_cycle_observed)}</td><td class="flags">${
            flagBadges(row.analysis!.flags)
          }</td></tr>`;
        })
      }</tbody></table>`,
    );
    const skipped = chosen.filter((r) => !r.features);
    if (skipped.length) {
      parts.push(
        markup`<p class="muted">Left out: ${
          skipped.map((r) => `${r.test.name} (${r.featureError})`).join("; ")
        }.</p>`,
      );
    }
  }
  return { title: "Compare", nav: "compare", body: markup`${parts}` };
}
