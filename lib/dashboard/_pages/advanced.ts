// Copyright 2026 the battery-analysis authors. MIT license.

import { findOutliers } from "../../../analysis/outliers.ts";
import { normalize, type NormalizeTarget } from "../../../analysis/normalize.ts";
import { comparisonPlotSpec } from "../../../analysis/plot_specs.ts";
import { compareTests } from "../../../analysis/compare_tests.ts";
import { similarTests } from "../../../analysis/similar_tests.ts";
import type { SampleProperties } from "../../../analysis/sample_properties.ts";
import type { TestSummary } from "../../../analysis/analyze_test.ts";
import { samplePropertiesOf } from "../../samples/sample_properties_of.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import {
  type ListingRow,
  listingRows,
  retentionNote,
  similarityRows,
  testLabel,
  uniqueLabels,
} from "../_data.ts";
import { Params } from "../_params.ts";
import { sampleEditSection } from "./edit.ts";
import { markup, num, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";
import { emptyStore } from "./overview.ts";

/** Metrics checked for outliers: field of the stored analysis's summary, label, display scale. */
const OUTLIER_METRICS: [keyof TestSummary, string, number][] = [
  ["fade_per_100_cycles", "fade / 100 cycles (%)", 100],
  ["capacity_retention", "final retention (%)", 100],
  ["mean_coulombic_efficiency", "mean CE (%)", 100],
  ["initial_capacity_Ah", "initial capacity (mAh)", 1000],
  ["median_internal_resistance_ohm", "internal resistance (Ω)", 1],
];

/** A normalized value, or the reason it cannot be computed (a missing sample property). */
function normalized(
  value: number | null | undefined,
  to: NormalizeTarget,
  sample: SampleProperties,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  try {
    return num(normalize(value, { to, sample }));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const missing = /(area_cm2|thickness_cm|thickness_um|mass_g)/.exec(err.message);
    // Specific capacity divides by the sample's active mass (`sample set --active-mass`).
    return missing ? `needs ${missing[1] === "mass_g" ? "active_mass_g" : missing[1]}` : "—";
  }
}

/** Outliers of each metric over every cycling test. */
export function outlierTable(rows: readonly ListingRow[]) {
  const out: { row: ListingRow; metric: string; value: number; z: number; rules: string[] }[] = [];
  const byId = new Map(rows.map((r) => [r.test.id, r]));
  for (const [key, label, scale] of OUTLIER_METRICS) {
    const values = rows.filter((r) => r.test.analysis).map((r) => ({
      id: r.test.id,
      value: r.test.analysis!.summary[key] as number | null,
    }));
    if (values.filter((v) => typeof v.value === "number" && Number.isFinite(v.value)).length < 4) {
      continue;
    }
    const res = findOutliers(values);
    for (const o of res.outliers) {
      out.push({
        row: byId.get(o.id)!,
        metric: label,
        value: o.value * scale,
        z: o.z,
        rules: o.rules,
      });
    }
  }
  return out;
}

/** Advanced analysis of a sample: normalized metrics, outliers, similar samples. */
export async function advancedPage(ctx: Ctx): Promise<Page> {
  const p = new Params(ctx.url, ["sample", "saved"]);
  const saved = p.flag("saved");
  const rows = (await listingRows(ctx.store)).filter((r) =>
    (r.test.analysis?.summary.cycle_count ?? 0) > 0
  );
  const samples = await ctx.store.samples.find();
  if (samples.length === 0) {
    return { title: "Advanced analysis", nav: "advanced", body: emptyStore(ctx) };
  }
  const withTests = new Set(rows.map((r) => r.test.sample_id));
  const id = p.string("sample") ?? samples.find((s) => withTests.has(s.id))?.id ?? samples[0].id;
  const sample = samples.find((s) => s.id === id);
  if (!sample) throw new HttpError(404, `No sample with id "${id}"`);
  const mine = rows.filter((r) => r.test.sample_id === sample.id);
  const parts: SafeHtml[] = [
    markup`<form class="filters" method="get" action="/advanced" id="sample-picker">
<label>Sample<select name="sample" id="sample-select">${
      samples.map((s) =>
        markup`<option value="${s.id}"${s.id === sample.id ? markup` selected` : ""}>${s.name}${
          s.chemistry ? ` (${s.chemistry})` : ""
        }</option>`
      )
    }</select></label><button type="submit">Show</button></form>
<table id="sample-props"><tbody><tr><th>Chemistry</th><td>${
      sample.chemistry ?? "—"
    }</td><th>Form factor</th><td>${sample.form_factor ?? "—"}</td></tr>
<tr><th>Area (cm²)</th><td>${num(sample.area_cm2)}</td><th>Thickness (cm)</th><td>${
      num(sample.thickness_cm)
    }</td></tr>
<tr><th>Mass (g)</th><td>${num(sample.mass_g)}</td><th>Nominal capacity (Ah)</th><td>${
      num(sample.nominal_capacity_Ah)
    }</td></tr>
<tr><th>Active mass (g)</th><td colspan="3">${num(sample.active_mass_g ?? null)}</td></tr>
<tr><th>Tests</th><td>${sample.metrics.test_count}</td><th>Mean retention</th><td>${
      num(sample.metrics.avg_capacity_retention)
    }</td></tr></tbody></table>${saved ? markup`<p class="notice" id="saved">Saved.</p>` : ""}${
      sampleEditSection(ctx, sample)
    }`,
  ];

  const props = samplePropertiesOf(sample);
  parts.push(
    markup`<h2>Normalized capacity</h2>${
      mine.length === 0
        ? markup`<p class="muted">This sample has no cycling tests.</p>`
        : markup`<table id="normalized-capacity"><thead><tr><th>Test</th><th class="num">Initial (mAh)</th><th class="num">Initial (mAh/g)</th>
<th class="num">Initial (mAh/cm²)</th><th class="num">Final (mAh)</th><th class="num">Final (mAh/g)</th><th class="num">Final (mAh/cm²)</th></tr></thead><tbody>${
          mine.map((r) => {
            const q0 = r.test.analysis?.summary.initial_capacity_Ah ?? null;
            const q1 = r.test.analysis?.summary.final_capacity_Ah ?? null;
            return markup`<tr><td><a href="/tests/${
              encodeURIComponent(r.test.id)
            }">${r.test.name}</a></td>
<td class="num">${num(q0 === null ? null : q0 * 1000)}</td><td class="num">${
              normalized(q0, "mAh_per_g", props)
            }</td>
<td class="num">${normalized(q0, "mAh_per_cm2", props)}</td><td class="num">${
              num(q1 === null ? null : q1 * 1000)
            }</td>
<td class="num">${normalized(q1, "mAh_per_g", props)}</td><td class="num">${
              normalized(q1, "mAh_per_cm2", props)
            }</td></tr>`;
          })
        }</tbody></table>`
    }`,
  );
  const usable = mine.filter((r) => retentionNote(r.test) === null);
  if (usable.length) {
    const labels = uniqueLabels(usable);
    // The analysis's cycles carry their roles: only counted cycles enter the retention.
    const full = new Map(
      (await ctx.store.tests.find({ sample_id: sample.id })).map((t) => [t.id, t]),
    );
    const cmp = compareTests(
      usable.map((r, i) => ({
        name: labels[i],
        cycles: full.get(r.test.id)?.analysis?.cycles ?? [],
      })),
    );
    parts.push(
      markup`<div class="plots">${
        plot(
          "plot-normalized",
          comparisonPlotSpec(cmp.curves, { width: 560 }),
          "Capacity normalized to each test's reference (first counted) cycle",
          { empty: "no counted cycles" },
        )
      }</div>`,
    );
  }
  parts.push(markup`<h2>Normalized impedance</h2><p class="muted">Median internal resistance the
instrument reported per cycle, as area-specific resistance and, with a thickness, ionic conductivity.</p>${
    mine.length === 0
      ? ""
      : markup`<table id="normalized-impedance"><thead><tr><th>Test</th><th class="num">R (Ω)</th><th class="num">ASR (Ω·cm²)</th><th class="num">σ (S/cm)</th></tr></thead><tbody>${
        mine.map((r) => {
          const ir = r.test.analysis?.summary.median_internal_resistance_ohm ?? null;
          return markup`<tr><td>${r.test.name}</td><td class="num">${num(ir)}</td><td class="num">${
            normalized(ir, "ohm_cm2", props)
          }</td>
<td class="num">${normalized(ir, "S_per_cm", props)}</td></tr>`;
        })
      }</tbody></table>`
  }`);

  const outliers = outlierTable(rows);
  parts.push(markup`<h2>Outliers among all tests</h2><p class="muted">Tukey fences (1.5 × IQR) and
|z| > 3 per metric over ${
    rows.filter((r) => r.test.analysis).length
  } analysed cycling tests (the numbers of their stored analyses); rows of this sample are bold.</p>${
    outliers.length === 0
      ? markup`<p class="muted" id="no-outliers">No outliers.</p>`
      : markup`<table id="outliers"><thead><tr><th>Test</th><th>Sample</th><th>Metric</th><th class="num">Value</th><th class="num">z</th><th>Rules</th></tr></thead><tbody>${
        outliers.map((o) =>
          markup`<tr${
            o.row.test.sample_id === sample.id ? markup` class="mine"` : ""
          }><td><a href="/tests/${encodeURIComponent(o.row.test.id)}">${o.row.test.name}</a></td>
<td>${
            o.row.sample?.name ?? "—"
          }</td><td>${o.metric}</td><td class="num">${num(o.value)}</td><td class="num">${
            o.z.toFixed(2)
          }</td><td>${o.rules.join(", ")}</td></tr>`
        )
      }</tbody></table>`
  }`);

  // Similar samples: nearest tests of other samples, by their closest test.
  // (Over tests of the same protocol: numbers such as energy efficiency mean nothing elsewhere.)
  const best = new Map<string, { distance: number; via: ListingRow; from: ListingRow }>();
  const byId = new Map(rows.map((r) => [r.test.id, r]));
  for (const r of mine.filter((m) => m.test.analysis)) {
    const featureRows = similarityRows(rows, r.test);
    if (featureRows.length >= 3) {
      try {
        const sim = similarTests(featureRows, r.test.id, {
          k: Math.min(10, featureRows.length - 1),
        });
        for (const nb of sim.neighbours) {
          const other = byId.get(nb.id)!;
          if (other.test.sample_id === sample.id) continue;
          const prev = best.get(other.test.sample_id);
          if (!prev || nb.distance < prev.distance) {
            best.set(other.test.sample_id, { distance: nb.distance, via: other, from: r });
          }
        }
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
      }
    }
  }
  const similar = [...best.entries()].sort((a, b) => a[1].distance - b[1].distance).slice(0, 5);
  parts.push(
    markup`<h2>Similar samples</h2>${
      similar.length === 0
        ? markup`<p class="muted" id="no-similar">Not enough comparable tests (needs three or more cycling tests with features).</p>`
        : markup`<table id="similar-samples"><thead><tr><th>Sample</th><th class="num">Distance</th><th>Closest test</th><th>Matched with</th></tr></thead><tbody>${
          similar.map(([sid, v]) =>
            markup`<tr><td><a href="/advanced?sample=${encodeURIComponent(sid)}">${
              v.via.sample?.name ?? sid
            }</a></td><td class="num">${num(v.distance, 3)}</td>
<td><a href="/tests/${encodeURIComponent(v.via.test.id)}">${
              testLabel(v.via)
            }</a></td><td>${v.from.test.name}</td></tr>`
          )
        }</tbody></table>`
    }`,
  );
  return { title: "Advanced analysis", nav: "advanced", body: markup`${parts}` };
}
