// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// End-to-end tests in headless Chromium (Debian's chromium driven by playwright-core): every
// page on the imported fixtures, the filters and pickers, plots drawn with the right number of
// points, nothing loaded from outside the server, screenshots saved as test artifacts.

import { deepEqual, equal, ok } from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { createDashboardHandler } from "../../../lib/dashboard/mod.ts";
import { fixtureStore } from "./_fixture_store.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];
const SHOTS = new URL("../../../test-results/screenshots/", import.meta.url);

function chromiumPresent(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const inCi = !!Deno.env.get("CI");
const skip = !chromiumPresent() && !inCi;
if (skip) {
  console.log(
    `SKIP browser tests: ${CHROMIUM} is missing (install with "apt-get install chromium"; in CI they run and .ci/run installs it)`,
  );
}

/** Wait until app.js has embedded every plot, then compare drawn and sent points. */
async function plots(page: Page): Promise<Record<string, { sent: number; drawn: number }>> {
  await page.waitForSelector("body[data-plots-ready]", { timeout: 30_000 });
  const failed = await page.$$eval("figure.plot.failed", (fs) => fs.map((f) => f.textContent));
  deepEqual(failed, []);
  return Object.fromEntries(
    await page.$$eval("figure.plot", (fs) =>
      fs.map((f) => [f.id, {
        sent: Number(f.getAttribute("data-points")),
        drawn: Number(f.getAttribute("data-rendered-points")),
      }])),
  );
}

async function shot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: true });
  const extra = Deno.env.get("DASHBOARD_SCREENSHOTS_DIR");
  if (extra) await page.screenshot({ path: `${extra}/${name}.png`, fullPage: false });
}

Deno.test({
  name: "dashboard pages, filters and pickers work in headless Chromium on the imported fixtures",
  ignore: skip,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const fx = await fixtureStore();
    const { store } = fx;
    const adhocDir = new URL("../../../adhoc", import.meta.url).pathname;
    const handler = createDashboardHandler(store, { adhocDir });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
    const origin = `http://127.0.0.1:${server.addr.port}`;
    const profile = await Deno.makeTempDir({ prefix: "chromium_profile_" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1360, height: 900 },
    });
    const outside: string[] = [];
    const errors: string[] = [];
    const page = context.pages()[0] ?? await context.newPage();
    page.on("request", (r) => {
      if (
        !r.url().startsWith(origin) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")
      ) {
        outside.push(r.url());
      }
    });
    const warnings: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
      if (m.type() === "warning") warnings.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await t.step("overview shows the counts", async () => {
        await page.goto(origin + "/");
        equal(await page.textContent("#count-tests .value"), String(fx.summary.created));
        await shot(page, "overview");
      });

      await t.step("tests page: tester filter, sort, compare the selection", async () => {
        await page.goto(origin + "/tests");
        await page.selectOption("select[name=tester]", "Arbin");
        await Promise.all([
          page.waitForURL(/tester=Arbin/),
          page.click("#test-filters button[type=submit]"),
        ]);
        const testers = await page.$$eval(
          "#tests-table tbody tr td:nth-child(5)",
          (tds) => tds.map((td) => td.textContent),
        );
        equal(testers.length, await store.tests.count({ tester: "Arbin" }));
        ok(testers.every((x) => x === "Arbin"));
        await Promise.all([page.waitForURL(/sort=cycles/), page.click("a[data-sort=cycles]")]);
        const cycles = await page.$$eval(
          "#tests-table tbody tr td:nth-child(9)",
          (tds) => tds.map((td) => Number(td.textContent)),
        );
        deepEqual(cycles, [...cycles].sort((a, b) => a - b));
        await shot(page, "tests");
        const zn = (await store.tests.find({ tester: "Arbin" })).filter((x) =>
          x.name.startsWith("BL_Zn")
        ).slice(0, 3);
        for (const test of zn) await page.check(`input[name=ids][value="${test.id}"]`);
        await Promise.all([
          page.waitForURL(/\/compare\?/),
          page.click("#selection-form button[type=submit]:not([formaction])"),
        ]);
        const drawn = await plots(page);
        // Discharge capacity overlay: one point per cycle with discharge capacity, per test.
        const expected = zn.reduce(
          (s, x) => s + x.cycles.filter((c) => c.discharge_capacity_Ah > 0).length,
          0,
        );
        equal(drawn["plot-compare-capacity"].drawn, expected);
        equal(drawn["plot-compare-retention"].drawn, drawn["plot-compare-retention"].sent);
        await shot(page, "compare");
      });

      await t.step("test detail: every plot drawn in full; cycle pickers redraw", async () => {
        const test =
          (await store.tests.find({ name: "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1" }))[0];
        await page.goto(`${origin}/tests/${test.id}`);
        let drawn = await plots(page);
        for (
          const id of [
            "plot-capacity",
            "plot-voltage-capacity",
            "plot-dqdv",
            "plot-trace",
          ]
        ) {
          ok(drawn[id], id);
          equal(drawn[id].drawn, drawn[id].sent, id);
        }
        // A symmetric cell: no fade model (its stored analysis says why), so no retention plot.
        ok(!drawn["plot-retention"]);
        ok((await page.textContent("main"))!.includes("No fade analysis: symmetric cell"));
        const ce = test.cycles.filter((c) => c.coulombic_efficiency !== null).length;
        equal(drawn["plot-capacity"].drawn, 2 * test.cycles.length + ce);
        await shot(page, "detail");
        await page.selectOption("#dq-select", "10");
        await page.selectOption("#vc-select", ["5", "20"]);
        await Promise.all([page.waitForURL(/dq=10/), page.click("#cycle-picker button")]);
        drawn = await plots(page);
        ok((await page.textContent("main"))!.includes("dQ/dV peaks, cycle 10"));
        ok((await page.textContent("#plot-voltage-capacity figcaption"))!.includes("cycles 5, 20"));
        equal(drawn["plot-voltage-capacity"].drawn, drawn["plot-voltage-capacity"].sent);
        equal(drawn["plot-dqdv"].drawn, drawn["plot-dqdv"].sent);
      });

      await t.step("fade ranking and advanced analysis render", async () => {
        await page.goto(origin + "/fade");
        let drawn = await plots(page);
        equal(drawn["plot-fade-overlay"].drawn, drawn["plot-fade-overlay"].sent);
        ok(await page.$("#fade-table tbody tr"));
        await shot(page, "fade");
        await page.goto(origin + "/advanced");
        const sample = (await store.samples.getByName("BL_Zn_SymCell_072023_04_1mAh"))!;
        await page.selectOption("#sample-select", sample.id);
        await Promise.all([page.waitForURL(/sample=/), page.click("#sample-picker button")]);
        drawn = await plots(page);
        equal(drawn["plot-normalized"].drawn, drawn["plot-normalized"].sent);
        ok(await page.$("#similar-samples"));
        await shot(page, "advanced");
      });

      await t.step("EIS: circuit box refits; Nyquist, Bode, KK and DRT drawn", async () => {
        const test = (await store.tests.find({ name: "exampleData" }))[0];
        const n = (await store.spectra.read(test.id))[0].length;
        await page.goto(origin + "/eis");
        await Promise.all([page.waitForURL(/\/eis\/.+/), page.click(`a[href="/eis/${test.id}"]`)]);
        await plots(page);
        await page.fill("#circuit-input", "R0-p(R1,CPE1)-W1");
        await Promise.all([page.waitForURL(/circuit=/), page.click("#eis-form button")]);
        const drawn = await plots(page);
        ok((await page.textContent("#fit-summary"))!.includes("R0-p(R1,CPE1)-W1"));
        // Data and fitted curve, one point each per frequency.
        equal(drawn["plot-nyquist"].drawn, 2 * n);
        for (const id of ["plot-bode", "plot-kk", "plot-drt", "plot-fit-residuals"]) {
          equal(drawn[id].drawn, drawn[id].sent, id);
        }
        await shot(page, "eis");
      });

      await t.step("import jobs, raw files and the ad hoc script run", async () => {
        await page.goto(origin + "/jobs");
        await Promise.all([
          page.waitForURL(/\/jobs\/.+/),
          page.click(`a[href="/jobs/${fx.summary.job_id}"]`),
        ]);
        ok((await page.textContent("#job-files"))!.includes("custom_missing_column.csv"));
        await shot(page, "jobs");
        await page.goto(origin + "/files");
        await page.fill("input[name=q]", "Channel_53");
        await Promise.all([page.waitForURL(/q=Channel_53/), page.click("#file-search button")]);
        equal(await page.locator("#files-table tbody tr").count(), 1);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.click("#files-table a[download]"),
        ]);
        equal(download.suggestedFilename(), "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV");
        await download.cancel();
        await page.goto(origin + "/adhoc");
        await Promise.all([page.waitForURL(/\/adhoc\/run/), page.click("form.run-form button")]);
        const drawn = await plots(page);
        const cycling = (await store.tests.find()).filter((x) =>
          x.cycles.some((c) => c.discharge_capacity_Ah > 0)
        );
        // One bar per test whose cycles give a retention.
        ok(drawn["plot-adhoc"].drawn > 0 && drawn["plot-adhoc"].drawn <= cycling.length);
        equal(drawn["plot-adhoc"].drawn, drawn["plot-adhoc"].sent);
        await shot(page, "adhoc");
      });

      await t.step("modeling: steps checked as typed; a small SPM run draws its plot", async () => {
        await page.goto(origin + "/modeling");
        await page.selectOption("#model-select", "spm");
        // The steps are read by the server as they are typed: a bad line is named at once.
        await page.fill(
          "#experiment-input",
          "Discharge at 1C until 2.5 V\nCharge at 1C untl 4.2 V",
        );
        await page.waitForSelector("#experiment-check[data-checked=error]");
        ok((await page.textContent("#experiment-check"))!.startsWith("Experiment line 2:"));
        await page.fill("#experiment-input", "Discharge at 1C until 2.5 V\nRest for 10 minutes");
        await page.waitForSelector("#experiment-check[data-checked=ok]");
        equal(await page.textContent("#experiment-check"), "✓ 2 steps in 1 cycle");
        await page.fill("input[name=points]", "120");
        await Promise.all([
          page.waitForURL(/\/modeling\/runs\/[0-9a-f]+$/),
          page.click("#run-button"),
        ]);
        const drawn = await plots(page);
        // Voltage and current panels, 120 rows each (the requested output rows).
        equal(drawn["plot-simulation"].sent, 240);
        equal(drawn["plot-simulation"].drawn, drawn["plot-simulation"].sent);
        ok((await page.textContent("#sim-describe"))!.startsWith("SPM of Chen2020: 2 step(s)"));
        await shot(page, "modeling");
      });

      await t.step("nothing was loaded from outside the server and no script failed", () => {
        deepEqual(outside, []);
        deepEqual(errors, []);
        // No vega/vega-lite warning (such as "The input spec uses Vega-Lite v5, but the current
        // version of Vega-Lite is v6").
        deepEqual(warnings, []);
      });
    } finally {
      await context.close();
      await server.shutdown();
      await fx.dispose();
      await Deno.remove(profile, { recursive: true });
    }
  },
});
