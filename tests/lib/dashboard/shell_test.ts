// Copyright 2026 the battery-analysis authors. MIT license.
// The page shell: versioned, cached assets; plotting scripts only where there are plots; the one
// Vega-Lite version the dashboard ships; a reason instead of an empty plot.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { version as vegaLiteVersion } from "vega-lite";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { createDashboardHandler } from "../../../lib/dashboard/mod.ts";
import { DASHBOARD_SCHEMA, plot, VEGA_LITE_MAJOR } from "../../../lib/dashboard/_plot.ts";
import { retentionPlotSpec } from "../../../analysis/plot_specs.ts";

const BASE = "http://127.0.0.1:8050";

Deno.test("pages link assets by content version; those are cached for good, others revalidated", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const handle = createDashboardHandler(store, { adhocDir: null });
  const page = await (await handle(new Request(`${BASE}/`))).text();
  const links = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  ok(links.length >= 2);
  for (const link of links) {
    match(link, /^\/assets\/[a-z.-]+\?v=[0-9a-f]{24}$/);
    const res = await handle(new Request(BASE + link));
    equal(res.status, 200, link);
    equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    // The version is the ETag: the same bytes.
    equal(`"${link.split("?v=")[1]}"`, res.headers.get("etag"));
    await res.body?.cancel();
    const stale = await handle(new Request(`${BASE}${link.split("?")[0]}?v=0000`));
    equal(stale.headers.get("cache-control"), "no-cache");
    await stale.body?.cancel();
  }
  await store.close();
});

Deno.test("the plotting scripts load only on pages with plots", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const handle = createDashboardHandler(store, { adhocDir: null });
  const overview = await (await handle(new Request(`${BASE}/`))).text();
  ok(!overview.includes("vega"), "an empty overview has no plot");
  match(overview, /\/assets\/app\.js\?v=/);
  await store.close();
});

Deno.test("the dashboard labels specs with the Vega-Lite major version it serves", () => {
  equal(Number(vegaLiteVersion.split(".")[0]), VEGA_LITE_MAJOR);
  const html = plot(
    "p",
    retentionPlotSpec({ points: [{ cycle: 1, retention: 1 }, { cycle: 2, retention: 0.9 }] }),
  ).value;
  const json = /<script type="application\/json" id="p-spec">(.*?)<\/script>/s.exec(html)![1];
  equal(JSON.parse(json).$schema, DASHBOARD_SCHEMA);
  match(DASHBOARD_SCHEMA, /vega-lite\/v6\.json$/);
});

Deno.test("a plot without data shows its reason instead of an empty panel", () => {
  const html = plot("plot-x", retentionPlotSpec({ points: [] }), "Retention", {
    empty: "no counted cycles",
  }).value;
  ok(!html.includes("application/json"));
  match(html, /<figure class="plot-empty" id="plot-x">/);
  match(html, /Retention<\/strong>: no counted cycles/);
  deepEqual(
    /class="plot"/.test(plot("q", retentionPlotSpec({ points: [] })).value),
    false,
  );
});
