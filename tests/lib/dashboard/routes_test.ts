// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// Route tests: the handler called directly (no socket) on an empty store, on the fixtures
// imported by the real import pipeline, and on small synthetic stores with known answers.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createDashboardHandler, type DashboardOptions } from "../../../lib/dashboard/mod.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import type { Store } from "../../../lib/store/store.ts";
import { attribute, type FixtureStore, fixtureStore, fragmentUrl } from "./_fixture_store.ts";
import { TRACE_POINTS } from "../../../lib/dashboard/_pages/test_detail.ts";
import { fadeSectionHtml } from "../../../lib/dashboard/_pages/detail_sections.ts";
import { analyzeStoredTest } from "../../../lib/analyze/analyze_stored_test.ts";
import { dvdqPeakMetrics } from "../../../analysis/dvdq_peak_metrics.ts";
import { analyzeTest } from "../../../analysis/analyze_test.ts";
import { generateTests, shapeCycles, SHAPES } from "./_generated_store.ts";
import { MIN_RANKED_CYCLES } from "../../../lib/dashboard/_pages/fade.ts";
import { pct } from "../../../lib/dashboard/_html.ts";
import { spearman } from "../../../lib/dashboard/_correlation.ts";

const BASE = "http://127.0.0.1:8050";

function handler(store: Store, options: DashboardOptions = {}) {
  // A generous worker-pool time limit (120 s by default, a 503 past it) unless a test sets its
  // own: on a loaded 2-core machine a cold pool's first section can take longer.
  const handle = createDashboardHandler(store, {
    adhocDir: null,
    computeTimeoutMs: 900_000,
    ...options,
  });
  const get = async (path: string, init?: RequestInit) => {
    const res = await handle(new Request(BASE + path, init));
    return { res, text: await res.text() };
  };
  /** A page with the sections it loads later (computed in the worker pool) put in place. */
  const page = async (path: string) => {
    const got = await get(path);
    for (const m of got.text.matchAll(/<section class="fragment" id="([^"]+)"/g)) {
      const section = await get(fragmentUrl(got.text, m[1]));
      equal(section.res.status, 200, `${path}: section ${m[1]}: ${section.text}`);
      got.text += section.text;
    }
    return got;
  };
  return Object.assign(get, { page, close: () => handle.close() });
}

/** The CSRF token embedded in a page's forms. */
function csrfOf(page: string): string {
  const m = /name="csrf" value="([0-9a-f]+)"/.exec(page);
  ok(m, "page has a CSRF field");
  return m[1];
}

function post(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  };
}

Deno.test("dashboard on an empty store says how to import data and shows no numbers", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  for (const path of ["/", "/tests", "/fade", "/compare", "/eis", "/advanced"]) {
    const { res, text } = await get(path);
    equal(res.status, 200, path);
    match(text, /id="empty-store"/, path);
    match(text, /cli\/import_directory\.ts DIR/, path);
    ok(!/class="card"/.test(text), `${path} shows no count cards`);
    ok(!/<figure class="plot"/.test(text), `${path} shows no plot`);
  }
  match((await get("/jobs")).text, /No import jobs yet/);
  match((await get("/files")).text, /No raw files stored/);
  await store.close();
});

// One store with every fixture imported, shared by the tests below (disposed by the last one).
let shared: Promise<FixtureStore> | null = null;
const fixtures = () => (shared ??= fixtureStore());

Deno.test("overview counts samples, tests and cells and lists failed imports", async () => {
  const { store, summary } = await fixtures();
  const { res, text } = await handler(store)("/");
  equal(res.status, 200);
  const card = (id: string) =>
    Number(new RegExp(`id="${id}"><div class="value">(\\d+)<`).exec(text)?.[1]);
  // Every "created" outcome of the import is one test; samples and cell codes come from the store.
  equal(card("count-tests"), summary.created);
  equal(card("count-samples"), await store.samples.count());
  equal(card("count-cells"), (await store.tests.cellCodes()).length);
  // All fixtures were recorded years ago, so none is running (24 h window) or all lack a time.
  equal(card("count-running"), 0);
  // The fixtures that cannot be imported: a CSV without a voltage column and a per-cycle table
  // (every failure is listed with its file below, whatever else is still unsupported).
  const failed = summary.outcomes.filter((o) => o.action === "failed").map((o) => o.path);
  ok(failed.some((p) => p.endsWith("custom_missing_column.csv")), failed.join(", "));
  ok(failed.some((p) => p.endsWith("_cycle_data.csv")), failed.join(", "));
  equal(summary.failed, failed.length);
  equal(card("count-failed-imports"), 1);
  match(text, /id="failed-files"/);
  match(text, /custom_missing_column\.csv/);
  match(text, /no voltage column/);
});

Deno.test("overview counts a test whose last data point is recent as running", async () => {
  const { store } = await fixtures();
  // BL_Zn ... Channel_53 starts 2023-07-21 10:02 (first Date_Time row of the file); pretend
  // it is one hour after its last cycle ended.
  const test =
    (await store.tests.find({ name: "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1" }))[0];
  const end = Date.parse(test.start_time!) + test.cycles[test.cycles.length - 1].end_time_s * 1000;
  const { text } = await handler(store, { now: () => new Date(end + 3_600_000) })("/");
  const running = /<h2>Running tests<\/h2>(.*?)<\/section>/s.exec(text)![1];
  const finished = /<h2>Finished tests<\/h2>(.*?)<\/section>/s.exec(text)![1];
  ok(running.includes(`/tests/${test.id}"`));
  ok(!finished.includes(`/tests/${test.id}"`));
  // maccor_example ends in 2016 (its file's date), long before: not running (the finished list
  // shows the 15 most recent first).
  ok(!running.includes(">maccor_example<"));
});

Deno.test("overview: running, finished and unknown tests counted and listed by the store", async () => {
  // 72 generated tests started an hour apart from 2024-01-01, ending 60, 120 or 240 h later (30,
  // 60 or 120 cycles of 2 h), and one without a start time; "now" is 2024-01-08: the expected
  // lists come from every stored test's last data point, nearest to now first.
  const store = await SqliteStore.open({ path: ":memory:" });
  await generateTests(store, 72);
  const sample = (await store.samples.find())[0];
  await store.tests.create({
    sample_id: sample.id,
    tester: "Arbin",
    name: "no-start",
    file_hash: "f".repeat(64),
  });
  const now = Date.UTC(2024, 0, 8);
  const { text } = await handler(store, { now: () => new Date(now) })("/");
  const all = await store.tests.list();
  const last = (t: (typeof all)[number]) =>
    t.start_time ? Date.parse(t.start_time) + (t.end_time_s ?? 0) * 1000 : null;
  const running = all.filter((t) => last(t) !== null && now - last(t)! <= 24 * 3_600_000);
  const finished = all.filter((t) => last(t) !== null && now - last(t)! > 24 * 3_600_000);
  const card = (id: string) =>
    Number(new RegExp(`id="${id}"><div class="value">(\\d+)<`).exec(text)?.[1]);
  ok(running.length > 15 && finished.length > 15, `${running.length} / ${finished.length}`);
  equal(card("count-running"), running.length);
  equal(card("count-finished"), finished.length);
  const listed = (h2: string) =>
    [...new RegExp(`<h2>${h2}</h2>(.*?)</section>`, "s").exec(text)![1].matchAll(/">([^<]+)<\/a>/g)]
      .map((m) => m[1]);
  const age = (t: (typeof all)[number]) => Math.abs(now - last(t)!);
  const nearest = (list: typeof all) => list.map((t) => age(t)).sort((a, b) => a - b).slice(0, 15);
  const byName = new Map(all.map((t) => [t.name, t]));
  deepEqual(listed("Running tests").map((n) => age(byName.get(n)!)), nearest(running));
  deepEqual(listed("Finished tests").map((n) => age(byName.get(n)!)), nearest(finished));
  match(text, new RegExp(`and ${running.length - 15} more`));
  deepEqual(listed("Without absolute time"), ["no-start"]);
  await store.close();
});

Deno.test("tests page filters by tester and inclusive date range, and sorts", async () => {
  const { store } = await fixtures();
  const get = handler(store);
  const arbin = await get("/tests?tester=Arbin");
  const rows = [...arbin.text.matchAll(/<tr data-test-id="([^"]+)">/g)].map((m) => m[1]);
  equal(rows.length, await store.tests.count({ tester: "Arbin" }));
  ok(rows.length >= 8);
  // The five Zn symmetric cells were started on 2023-07-21 (Channel_53, 54, 55) and the
  // 7_8_23 pair on that day too per their Date_Time columns; a one-day range includes them.
  const day = await get("/tests?from=2023-07-21&to=2023-07-21");
  const names = [
    ...day.text.matchAll(
      /<td class="name"[^>]*><input[^>]*> <a href="\/tests\/[^"]+">([^<]+)<\/a>/g,
    ),
  ].map((m) => m[1]);
  ok(names.includes("BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1"), names.join());
  for (const t of await store.tests.find({ without_cycles: true })) {
    const onDay = t.start_time?.startsWith("2023-07-21") ?? false;
    equal(names.includes(t.name), onDay, t.name);
  }
  // Sorted by counted cycle count (of the stored analysis), descending: non-increasing.
  const sorted = await get("/tests?sort=counted_cycle_count&dir=desc");
  const counts = [...sorted.text.matchAll(/<td class="num">(\d+) \/ \d+<\/td>/g)].map((
    m,
  ) => Number(m[1]));
  ok(counts.length > 10);
  deepEqual(counts, [...counts].sort((a, b) => b - a));
  // Bad date: a 400 page naming the problem.
  const bad = await get("/tests?from=2023-13-01");
  equal(bad.res.status, 400);
  match(
    bad.text,
    /Parameter &quot;from&quot; must be a date YYYY-MM-DD; got &quot;2023-13-01&quot;/,
  );
});

Deno.test("tests.csv exports the filtered or selected tests as an attachment", async () => {
  const { store } = await fixtures();
  const get = handler(store);
  const all = await get("/tests.csv?tester=Arbin");
  equal(all.res.headers.get("content-type"), "text/csv; charset=utf-8");
  match(all.res.headers.get("content-disposition")!, /^attachment; filename="tests\.csv"/);
  const lines = all.text.trim().split("\r\n");
  equal(lines[0].split(",")[0], "id");
  equal(lines.length - 1, await store.tests.count({ tester: "Arbin" }));
  const [a, b] = lines.slice(1, 3).map((l) => l.split(",")[0]);
  const some = await get(`/tests.csv?tester=Arbin&ids=${a}&ids=${b}`);
  deepEqual(some.text.trim().split("\r\n").slice(1).map((l) => l.split(",")[0]), [a, b]);
});

Deno.test("test detail draws capacity, fade, curves, dQ/dV and a downsampled trace", async () => {
  const { store } = await fixtures();
  const test =
    (await store.tests.find({ name: "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1" }))[0];
  const get = handler(store);
  const { res, text } = await get.page(`/tests/${test.id}?vc=1&vc=2&dq=2`);
  get.close();
  equal(res.status, 200);
  // Capacity plot: a charge and a discharge point per cycle, plus one CE point per cycle with CE.
  const ce = test.cycles.filter((c) => c.coulombic_efficiency !== null).length;
  equal(Number(attribute(text, "plot-capacity", "data-points")), 2 * test.cycles.length + ce);
  for (const id of ["plot-voltage-capacity", "plot-dqdv", "plot-trace"]) {
    ok(Number(attribute(text, id, "data-points")) > 0, id);
  }
  // A symmetric cell: the stored analysis says why there is no fade model, and shows its flags.
  match(text, /id="analysis-protocol">symmetric_plating/);
  match(text, /No fade analysis: symmetric cell/);
  ok(!text.includes('id="plot-retention"'));
  match(text, /<li data-flag="last_cycle_cut_off">/);
  // The trace keeps min(rows, TRACE_POINTS) points (largest-triangle downsampling).
  const series = (await store.series.read(test.id))!;
  equal(
    Number(attribute(text, "plot-trace", "data-points")),
    Math.min(series.length, TRACE_POINTS),
  );
  match(text, /dQ\/dV peaks, cycle 2/);
  match(text, /<option value="2" selected>2<\/option>/);
  match(text, /id="similar-tests"/);
  equal((await handler(store)("/tests/nope")).res.status, 404);
  // A constant-current cycling test with a fade analysis (the Neware .nda of 122 cycles): the
  // retention plot and the summary of its stored analysis.
  const cycling = (await store.tests.find({ name: "nw4-120-1-6-53" }))[0];
  const fade = await handler(store)(`/tests/${cycling.id}`);
  ok(Number(attribute(fade.text, "plot-retention", "data-points")) > 0);
  match(fade.text, /id="fade-summary"/);
  match(fade.text, /id="fade-models"/);
  // The stored analysis as JSON: what analyze --test --json prints.
  const json = await handler(store)(`/tests/${cycling.id}/analysis.json`);
  equal(json.res.headers.get("content-type"), "application/json; charset=utf-8");
  deepEqual(JSON.parse(json.text).analysis, cycling.analysis);
});

Deno.test("test detail at another end-of-life threshold analyses again in the worker pool", async () => {
  const { store } = await fixtures();
  // The Neware .nda of 122 cycles: stored at the default 80 % threshold.
  const cycling = (await store.tests.find({ name: "nw4-120-1-6-53" }))[0];
  equal(cycling.analysis!.options.threshold, 0.8);
  const get = handler(store);
  // At the stored threshold the section comes with the page (the stored analysis).
  const stored = await get(`/tests/${cycling.id}?eol=80`);
  match(stored.text, /id="fade-summary"/);
  ok(!stored.text.includes('id="fade-section"'));
  // At 70 %: the page comes at once, the section later from the worker pool.
  const page = await get(`/tests/${cycling.id}?eol=70`);
  equal(page.res.status, 200);
  ok(!page.text.includes('id="fade-summary"'), "not computed on the page's thread");
  match(page.text, /id="fade-what-if">At 70 % instead of the stored 80 %/);
  const url = fragmentUrl(page.text, "fade-section");
  equal(url, `/tests/${cycling.id}/fade?eol=70`);
  const section = await get(url);
  equal(section.res.status, 200);
  // The same HTML as the analysis computed directly with only the threshold changed (what
  // analyze --test ID --threshold 0.7 prints), not stored.
  const direct = await analyzeStoredTest(store, cycling.id, { threshold: 0.7 });
  equal(section.text, fadeSectionHtml(direct, null).value);
  match(section.text, /<th>end of life at 70 %<\/th>/);
  equal((await store.tests.get(cycling.id))!.analysis!.options.threshold, 0.8);
  // A bad threshold is a 400 naming it.
  equal((await get(`/tests/${cycling.id}/fade?eol=150`)).res.status, 400);
  get.close();
});

Deno.test("dashboard pages leave out a last cycle cut short by the end of the recording", async () => {
  const { store } = await fixtures();
  // The Zn file of channel 54 ends mid-discharge (−0.00113 A on its last row): the import
  // pipeline's summarizeCycles marks cycle 36 incomplete, and the store keeps the mark.
  const test =
    (await store.tests.find({ name: "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1" }))[0];
  equal(test.cycles.length, 36);
  deepEqual(test.cycles.flatMap((c) => (c.complete === false ? [c.cycle] : [])), [36]);
  const detail = await handler(store)(`/tests/${test.id}`);
  match(
    detail.text,
    /id="fade-left-out">Left out of retention, fade and end of life: cycle 36 \(cut_off: the recording ends during it/,
  );
  // Tests list: its 35 counted of 36 cycles, retention 100.00 % (cycles 1 and 35 both hold
  // 0.00113 Ah: tests/analysis/scripts/zn_expected.py), and its flags as badges with reasons.
  const list = await handler(store)("/tests?cell=&sample=BL_Zn_SymCell_072023_04_1mAh");
  const row = new RegExp(`<tr data-test-id="${test.id}">([\\s\\S]*?)</tr>`).exec(list.text)?.[1];
  ok(row, "the test is listed");
  match(row, /<td class="num">35 \/ 36<\/td>/);
  match(row, /<td class="num">100\.00<\/td>/);
  match(
    row,
    /data-flag="last_cycle_cut_off" title="last_cycle_cut_off: the recording ends during cycle 36/,
  );
  // Fade ranking: a symmetric cell has no fade model (its capacity is set by the protocol); it
  // is listed below the table with the reason.
  const fade = await handler(store)("/fade");
  ok(!fade.text.includes(`<tr data-test-id="${test.id}">`));
  match(fade.text, new RegExp(`href="/tests/${test.id}">[^<]+</a> \\(symmetric cell`));
});

Deno.test("test detail stays fast and small on a 200 000-row series", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  // 100 cycles of 2000 rows: 1000 rows charging at +1 A, 1000 discharging at -1 A, 1 s apart.
  const n = 200_000, per = 2000;
  const f = (g: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => g(i));
  const phase = (i: number) => i % per;
  const series = {
    length: n,
    time_s: f((i) => i),
    current_A: f((i) => (phase(i) < per / 2 ? 1 : -1)),
    voltage_V: f((
      i,
    ) => (phase(i) < per / 2 ? 3 + phase(i) / per : 3.5 - (phase(i) - per / 2) / per)),
    charge_capacity_Ah: f((i) => (phase(i) < per / 2 ? phase(i) / 3600 : per / 2 / 3600)),
    discharge_capacity_Ah: f((i) => (phase(i) < per / 2 ? 0 : (phase(i) - per / 2) / 3600)),
    charge_energy_Wh: f(() => NaN),
    discharge_energy_Wh: f(() => NaN),
    step_index: Int32Array.from({ length: n }, (_, i) => (phase(i) < per / 2 ? 1 : 2)),
    cycle_index: Int32Array.from({ length: n }, (_, i) => 1 + Math.floor(i / per)),
    extras: {},
    start_time: "2024-01-01T00:00:00.000Z",
    columns: {},
  };
  const { summarizeCycles } = await import("../../../analysis/cycles.ts");
  const cycles = summarizeCycles(series).cycles;
  equal(cycles.length, 100);
  const sample = await store.samples.create({ name: "big" });
  const test = await store.tests.create({
    sample_id: sample.id,
    tester: "Synthetic",
    name: "big",
    file_hash: "b".repeat(64),
    cycles: [...cycles],
    start_time: series.start_time,
  }, { series });
  const started = performance.now();
  const get = handler(store);
  const { res, text } = await get.page(`/tests/${test.id}`);
  const ms = performance.now() - started;
  get.close();
  equal(res.status, 200);
  equal(Number(attribute(text, "plot-trace", "data-points")), TRACE_POINTS);
  // Default curves: cycles 1, 50 and 100, charge and discharge, ≤ 1500 points each.
  ok(Number(attribute(text, "plot-voltage-capacity", "data-points")) <= 6 * 1500);
  ok(text.length < 3_000_000, `page is ${text.length} bytes`);
  console.log(
    `detail page of a 200 000-row test: ${ms.toFixed(0)} ms, ${(text.length / 1e6).toFixed(2)} MB`,
  );
  await store.close();
});

Deno.test("fade ranking ranks by the stored analyses' fade and shows correlations", async () => {
  const { store } = await fixtures();
  const { text } = await handler(store)("/fade");
  match(text, /id="fade-table"/);
  match(text, /id="plot-fade-overlay"/);
  match(text, /id="fade-drivers"/);
  match(text, /id="fade-unranked"/);
});

Deno.test("fade ranking from the store's index gives what the tests' stored analyses give", async () => {
  // 72 generated tests (two of each shape), a short test (3 cycles) and one never analysed; the
  // expected numbers are computed here from every stored test, as the page did before it asked
  // the store (ranked: a fade analysis with a fade rate over ≥ MIN_RANKED_CYCLES counted cycles).
  const store = await SqliteStore.open({ path: ":memory:" });
  const { ids } = await generateTests(store, 72);
  // A test condition to correlate: temperature rising with the test's number (k mod 9).
  for (const [k, id] of ids.entries()) {
    await store.tests.update(id, { temperature_C: 20 + 5 * (k % 9) });
  }
  const sample = (await store.samples.find())[0];
  const shortCycles = shapeCycles(SHAPES[5]).slice(0, 3);
  await store.tests.create({
    sample_id: sample.id,
    tester: "Arbin",
    name: "short",
    file_hash: "e".repeat(64),
    cycles: shortCycles,
    analysis: analyzeTest({ cycles: shortCycles }, { formationCycles: 0 }).toJSON(),
  });
  await store.tests.create({
    sample_id: sample.id,
    tester: "Arbin",
    name: "unanalysed",
    file_hash: "f".repeat(64),
  });
  const all = await store.tests.list();
  const ranked = all.filter((t) =>
    t.analysis && !t.analysis.fade_note && t.analysis.summary.fade_per_100_cycles !== null &&
    t.analysis.summary.counted_cycle_count >= MIN_RANKED_CYCLES
  );
  const rate = (t: (typeof all)[number]) => t.analysis!.summary.fade_per_100_cycles!;
  const { text } = await handler(store)("/fade");
  match(text, new RegExp(`id="fade-count">${ranked.length} ranked tests; 1–50 shown`));
  match(text, new RegExp(`<summary>${all.length - ranked.length} tests not ranked</summary>`));
  match(text, /href="\/tests\/[^"]+">short<\/a> \(3 counted cycles\)/);
  match(text, /href="\/tests\/[^"]+">unanalysed<\/a> \(not analysed yet/);
  // The first page: the 50 fastest, fastest first.
  const byId = new Map(all.map((t) => [t.id, t]));
  const shown = [...text.matchAll(/<tr data-test-id="([^"]+)">/g)].map((m) =>
    rate(byId.get(m[1])!)
  );
  deepEqual(shown, ranked.map(rate).sort((a, b) => b - a).slice(0, 50));
  // Mean fade by tester over the ranked tests.
  for (const tester of ["Arbin", "BioLogic", "Neware", "Maccor"]) {
    const rates = ranked.filter((t) => t.tester === tester).map(rate);
    const mean = rates.reduce((s, x) => s + x, 0) / rates.length;
    match(
      text,
      new RegExp(
        `<tr><td>tester</td><td>${tester}</td><td class="num">${rates.length}</td><td class="num">${
          pct(mean)
        }</td></tr>`,
      ),
    );
  }
  // Spearman's ρ of the temperature with the fade rate (the same function, on the same pairs).
  const rho = spearman(ranked.map((t) => t.temperature_C!), ranked.map(rate))!;
  match(
    text,
    new RegExp(
      `<tr><td>temperature \\(°C\\)</td><td class="num">${
        rho.toFixed(2)
      }</td><td class="num">${ranked.length}</td></tr>`,
    ),
  );
  await store.close();
});

Deno.test("compare overlays the chosen tests and skips what it cannot compare, saying why", async () => {
  const { store } = await fixtures();
  const zn = (await store.tests.find({ tester: "Arbin" })).filter((t) =>
    t.name.startsWith("BL_Zn")
  );
  const [a, b] = zn;
  const eis = (await store.tests.find({ name: "exampleData" }))[0];
  // Repeated ids and the comma form are the same selection.
  const { res, text } = await handler(store)(`/compare?ids=${a.id},${b.id}&ids=${eis.id},zzz`);
  equal(res.status, 200);
  // Capacity plot: one point per cycle with discharge capacity, per cycling test.
  const usable = (t: typeof a) => t.cycles.filter((c) => c.discharge_capacity_Ah > 0).length;
  equal(Number(attribute(text, "plot-compare-capacity", "data-points")), usable(a) + usable(b));
  const ce = (t: typeof a) => t.cycles.filter((c) => c.coulombic_efficiency !== null).length;
  equal(Number(attribute(text, "plot-compare-ce", "data-points")), ce(a) + ce(b));
  // The impedance test and the unknown id are named and left out of the cycle plots.
  match(
    text,
    /exampleData<\/a> <span class="muted">— left out of the cycle plots: an impedance test/,
  );
  match(text, /<code>zzz<\/code> <span class="muted">— left out of the cycle plots: no such test/);
  // Side by side: the three tests that exist, with the impedance test's HF intercept.
  equal((text.match(/<tr data-test-id=/g) ?? []).length, 3);
  const csv = await handler(store)(`/compare.csv?ids=${a.id},${b.id},${eis.id}`);
  const lines = csv.text.trim().split("\r\n");
  equal(lines.length, 4);
  const header = lines[0].split(",");
  const hfr = header.indexOf("high_frequency_intercept_ohm");
  ok(Number(lines[3].split(",")[hfr]) > 0, lines[3]);
  equal(
    lines[1].split(",")[header.indexOf("capacity_retention")],
    String(a.analysis!.summary.capacity_retention),
  );
  // Too many tests, or an unknown parameter: a 400 saying so.
  equal(
    (await handler(store)("/compare?ids=" + Array(13).fill("x").map((x, i) => x + i).join(","))).res
      .status,
    400,
  );
  equal((await handler(store)("/compare?idz=1")).res.status, 400);
});

Deno.test("compare shows and exports the dV/dQ peak metrics, computed in the worker pool", async () => {
  const { store } = await fixtures();
  const m50t =
    (await store.tests.find({ name: "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation" }))[0];
  const zn = (await store.tests.find({ name: "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1" }))[0];
  const get = handler(store);
  const ids = `${m50t.id},${zn.id}`;
  const page = await get(`/compare?ids=${ids}`);
  equal(page.res.status, 200);
  // The page comes first; the metrics are a section loaded after it.
  ok(!page.text.includes('id="compare-dvdq-table"'));
  const section = await get(fragmentUrl(page.text, "compare-dvdq"));
  equal(section.res.status, 200);
  // The same numbers as dvdqPeakMetrics on the rows of the stored dQ/dV report's cycles (2 and
  // 7; tests/analysis/dvdq_peak_metrics_test.ts checks them against SciPy).
  const rows = async (cycle: number) => ({
    series: (await store.series.read(m50t.id, { cycle }))!,
    cycle,
  });
  const direct = dvdqPeakMetrics({
    first: await rows(2),
    last: await rows(7),
    direction: "discharge",
  });
  const row = (id: string) =>
    new RegExp(`<tr data-test-id="${id}">([\\s\\S]*?)</tr>`).exec(section.text)?.[1] ?? "";
  match(row(m50t.id), /<td>discharge<\/td><td class="num">2 → 7<\/td>/);
  ok(
    row(m50t.id).includes(
      `${Number((direct.first.peak_a_Ah! * 1000).toPrecision(4))} → ${
        Number((direct.last!.peak_a_Ah! * 1000).toPrecision(4))
      }`,
    ),
    row(m50t.id),
  );
  // A symmetric cell has no dQ/dV report: the reason instead of numbers.
  match(row(zn.id), /no full cycles: symmetric cell/);
  // The CSV carries the same numbers as computed (Ah, fractions) and the reasons.
  const csv = await get(`/compare.csv?ids=${ids}`);
  const [head, ...lines] = csv.text.trim().split("\r\n");
  const header = head.split(",");
  const cell = (line: string, name: string) => line.split(",")[header.indexOf(name)];
  equal(cell(lines[0], "dvdq_first_cycle"), "2");
  equal(cell(lines[0], "dvdq_last_cycle"), "7");
  equal(cell(lines[0], "dvdq_peak_a_first_Ah"), String(direct.first.peak_a_Ah));
  equal(cell(lines[0], "dvdq_peak_b_last_Ah"), String(direct.last!.peak_b_Ah));
  equal(cell(lines[0], "dvdq_separation_retention"), String(direct.separation_retention));
  equal(cell(lines[0], "dvdq_note"), "");
  equal(cell(lines[1], "dvdq_first_cycle"), "");
  // (The note, last, is quoted: it holds commas.)
  match(lines[1], /,"no full cycles: symmetric cell: [^"]+"$/);
  get.close();
});

Deno.test("EIS page fits a chosen circuit, runs KK and DRT, and reports a bad circuit", async () => {
  const { store } = await fixtures();
  const test = (await store.tests.find({ name: "exampleData" }))[0];
  const spectrum = (await store.spectra.read(test.id))[0];
  const handle = createDashboardHandler(store, { adhocDir: null });
  const get = async (path: string) => {
    const res = await handle(new Request(BASE + path));
    return { res, text: await res.text() };
  };
  try {
    // The page comes at once; the fit, KK and DRT are a section computed in a worker.
    const page = await get(`/eis/${test.id}?circuit=${encodeURIComponent("R0-p(R1,CPE1)")}`);
    equal(page.res.status, 200);
    ok(!page.text.includes("plot-nyquist"));
    const { res, text } = await get(fragmentUrl(page.text, "eis-sections"));
    equal(res.status, 200);
    match(text, /Circuit <code>R0-p\(R1,CPE1\)<\/code>/);
    // Nyquist: the data points and the fitted curve at the same frequencies.
    equal(Number(attribute(text, "plot-nyquist", "data-points")), 2 * spectrum.length);
    match(text, /id="kk-summary"/);
    match(text, /id="drt-summary"/);
    const badPage = await get(`/eis/${test.id}?circuit=${encodeURIComponent("R0-p(R1")}`);
    const bad = await get(fragmentUrl(badPage.text, "eis-sections"));
    equal(bad.res.status, 200);
    match(bad.text, /class="error">[^<]*(parenthes|unbalanced)/i);
    match((await get("/eis")).text, /id="eis-tests"/);
  } finally {
    handle.close();
  }
});

Deno.test("advanced analysis shows normalized metrics, outliers and similar samples", async () => {
  const { store } = await fixtures();
  const sample = (await store.samples.getByName("BL_Zn_SymCell_072023_03_1mAh"))!;
  const { text } = await handler(store)(`/advanced?sample=${sample.id}`);
  match(text, /id="normalized-capacity"/);
  // No mass or area is known for these cells: the table says which property is missing.
  match(text, /needs active_mass_g/);
  match(text, /needs area_cm2/);
  match(text, /id="similar-samples"/);
  match(text, /id="plot-normalized"/);
});

Deno.test("raw files are listed and downloaded byte for byte", async () => {
  const { store } = await fixtures();
  const get = handler(store);
  const { text } = await get("/files?q=arbin_example.csv");
  const id = /data-file-id="([^"]+)"/.exec(text)![1];
  const res = (await handler(store)(`/files/${id}/download`)).res;
  equal(res.headers.get("content-type"), "application/octet-stream");
  match(res.headers.get("content-disposition")!, /^attachment; filename="arbin_example\.csv"/);
  const { readFixture } = await import("../../_util.ts");
  const handle = createDashboardHandler(store, { adhocDir: null });
  const bytes = new Uint8Array(
    await (await handle(new Request(`${BASE}/files/${id}/download`))).arrayBuffer(),
  );
  deepEqual(bytes, readFixture("arbin/arbin_example.csv"));
});

Deno.test("import jobs list and job page show per-file errors", async () => {
  const { store, summary } = await fixtures();
  const get = handler(store);
  match((await get("/jobs")).text, new RegExp(`data-job="${summary.job_id}"`));
  const { text } = await get(`/jobs/${summary.job_id}`);
  match(text, /id="job-files"/);
  match(text, /custom_missing_column\.csv/);
  // The job is finished (failed): no resume button.
  ok(!/id="resume-form"/.test(text));
  await (await fixtures()).dispose();
  shared = null;
});

Deno.test("resume button: POST with the CSRF token calls resumeJob; without it, refused", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const job = await store.jobs.start({ roots: ["/data"], total: 2 });
  await store.jobs.record(job.id, {
    path: "/data/a.csv",
    sha256: null,
    action: "failed",
    test_id: null,
    error: "broken <b>",
  });
  await store.jobs.finish(job.id, { status: "interrupted" });
  const calls: string[] = [];
  const get = handler(store, { resumeJob: (id) => (calls.push(id), Promise.resolve()) });
  const page = await get(`/jobs/${job.id}`);
  match(page.text, /id="resume-form"/);
  match(page.text, /broken &lt;b&gt;/);
  const csrf = csrfOf(page.text);
  const url = `/jobs/${job.id}/resume`;
  equal((await get(url, post({}))).res.status, 403);
  equal((await get(url, post({ csrf: "0".repeat(48) }))).res.status, 403);
  equal((await get(url, post({ csrf }, { origin: "http://evil.example" }))).res.status, 403);
  equal((await get(url, post({ csrf }, { "sec-fetch-site": "cross-site" }))).res.status, 403);
  equal((await get(url)).res.status, 405);
  deepEqual(calls, []);
  const ok303 = await get(
    url,
    post({ csrf }, { origin: "http://127.0.0.1:8050", "sec-fetch-site": "same-origin" }),
  );
  equal(ok303.res.status, 303);
  equal(ok303.res.headers.get("location"), `/jobs/${job.id}`);
  deepEqual(calls, [job.id]);
  // Without an import pipeline wired in: the CLI command is shown and POST is a 501.
  const bare = handler(store);
  const barePage = await bare(`/jobs/${job.id}`);
  match(barePage.text, /--resume/);
  equal((await bare(url, post({ csrf: "x" }))).res.status, 403);
  await store.close();
});

Deno.test("user text is escaped everywhere it is shown", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const evil = `<script>alert("x")</script>`;
  const sample = await store.samples.create({
    name: evil,
    chemistry: `"><img src=x onerror=alert(1)>`,
  });
  await store.tests.create({
    sample_id: sample.id,
    tester: evil,
    name: evil,
    file_hash: "c".repeat(64),
    tags: [evil],
  });
  const get = handler(store);
  for (const path of ["/", "/tests", "/advanced", `/tests?sample=${encodeURIComponent(evil)}`]) {
    const { text } = await get(path);
    ok(!text.includes(evil), `${path} contains raw script`);
    ok(!text.includes("<img src=x"), `${path} contains raw img`);
    match(text, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/, path);
  }
  await store.close();
});

Deno.test("CSV cells that a spreadsheet would run as formulas are neutralized", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const sample = await store.samples.create({ name: '=HYPERLINK("http://x")' });
  await store.tests.create({
    sample_id: sample.id,
    tester: "+cmd",
    name: "@t",
    file_hash: "d".repeat(64),
  });
  const { text } = await handler(store)("/tests.csv");
  const row = text.trim().split("\r\n")[1];
  match(row, /,'@t,/);
  match(row, /,"'=HYPERLINK\(""http:\/\/x""\)",/);
  match(row, /,'\+cmd,/);
  await store.close();
});

Deno.test("without a token only loopback host names are answered", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const handle = createDashboardHandler(store, { adhocDir: null });
  equal((await handle(new Request("http://localhost:8050/"))).status, 200);
  const rebound = await handle(new Request("http://attacker.example:8050/"));
  equal(rebound.status, 421);
  await rebound.body?.cancel();
  await store.close();
});

Deno.test("with a token every request must carry it (query once, then cookie, or Bearer)", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const token = "s3cret-token-123";
  const handle = createDashboardHandler(store, { adhocDir: null, token });
  const status = async (req: Request) => {
    const res = await handle(req);
    await res.body?.cancel();
    return res;
  };
  equal((await status(new Request("http://10.0.0.5:8050/"))).status, 401);
  equal((await status(new Request("http://10.0.0.5:8050/assets/app.js"))).status, 401);
  equal((await status(new Request("http://10.0.0.5:8050/?token=wrong"))).status, 401);
  const first = await status(new Request(`http://10.0.0.5:8050/tests?token=${token}&tester=A`));
  equal(first.status, 303);
  equal(first.headers.get("location"), "/tests?tester=A");
  const cookie = first.headers.get("set-cookie")!;
  match(cookie, /HttpOnly/);
  match(cookie, /SameSite=Strict/);
  const withCookie = new Request("http://10.0.0.5:8050/", {
    headers: { cookie: cookie.split(";")[0] },
  });
  equal((await status(withCookie)).status, 200);
  const bearer = new Request("http://10.0.0.5:8050/", {
    headers: { authorization: `Bearer ${token}` },
  });
  equal((await status(bearer)).status, 200);
  await store.close();
});

Deno.test("assets come from the project and npm packages, with ETags", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const handle = createDashboardHandler(store, { adhocDir: null });
  for (
    const name of ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "app.js", "app.css"]
  ) {
    const res = await handle(new Request(`${BASE}/assets/${name}`));
    equal(res.status, 200, name);
    const body = await res.text();
    ok(body.length > 1000, name);
    const again = await handle(
      new Request(`${BASE}/assets/${name}`, {
        headers: { "if-none-match": res.headers.get("etag")! },
      }),
    );
    equal(again.status, 304);
  }
  const vega = await (await handle(new Request(`${BASE}/assets/vega.min.js`))).text();
  match(vega, /\.vega=\{\}/); // the UMD build defines window.vega
  const missing = await handle(new Request(`${BASE}/assets/../deno.json`));
  equal(missing.status, 404);
  await missing.body?.cancel();
  // Pages reference only same-origin scripts and styles.
  const page = await (await handle(new Request(`${BASE}/`))).text();
  for (const m of page.matchAll(/(?:src|href)="([^"]+)"/g)) ok(m[1].startsWith("/"), m[1]);
  await store.close();
});

Deno.test("ad hoc scripts are listed, run on POST and their failures shown", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/count_tests.ts`,
    `// Number of tests in the store.\nexport default async ({ store }) => \`<p id="n">\${await store.tests.count()} tests</p>\`;\n`,
  );
  await Deno.writeTextFile(
    `${dir}/spec.ts`,
    `// A plot.\nexport default () => ({ mark: "point", data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });\n`,
  );
  await Deno.writeTextFile(
    `${dir}/broken.ts`,
    `export default () => { throw new RangeError("no data <here>"); };\n`,
  );
  await Deno.writeTextFile(`${dir}/_helper.ts`, `export const x = 1;\n`);
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store, { adhocDir: dir });
  const list = await get("/adhoc");
  match(list.text, /count_tests\.ts<\/code><\/td><td>Number of tests in the store\./);
  ok(!list.text.includes("_helper.ts"));
  const csrf = csrfOf(list.text);
  const run = await get("/adhoc/run", post({ csrf, script: "count_tests.ts" }));
  match(run.text, /<p id="n">0 tests<\/p>/);
  const spec = await get("/adhoc/run", post({ csrf, script: "spec.ts" }));
  equal(attribute(spec.text, "plot-adhoc", "data-points"), "2");
  const broken = await get("/adhoc/run", post({ csrf, script: "broken.ts" }));
  match(broken.text, /RangeError: no data &lt;here&gt;/);
  equal((await get("/adhoc/run", post({ csrf, script: "../etc/passwd.ts" }))).res.status, 400);
  equal((await get("/adhoc/run", post({ csrf, script: "_helper.ts" }))).res.status, 400);
  equal((await get("/adhoc/run", post({ csrf, script: "missing.ts" }))).res.status, 404);
  equal((await get("/adhoc/run", post({ script: "count_tests.ts" }))).res.status, 403);
  await store.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("unknown pages are a 404 page; wrong methods a 405", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  const nf = await get("/nope/<b>");
  equal(nf.res.status, 404);
  match(nf.text, /No page at \/nope\/&lt;b&gt;/);
  equal((await get("/tests", { method: "POST" })).res.status, 405);
  await store.close();
});
