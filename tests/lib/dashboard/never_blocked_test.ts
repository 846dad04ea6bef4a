// Copyright 2026 the battery-analysis authors. MIT license.
// One slow request never delays another: a heavy EIS fit (a 15-branch circuit: about 30 s of
// CPU here, 36.6 s on the machine of the issue) runs in the worker pool while other pages load.
// Nothing here depends on the machine's speed: the test checks the order of events (every other
// page is answered while the fit is still running), then cancels the fit.

import { equal, match, ok } from "node:assert/strict";
import { createDashboardHandler } from "../../../lib/dashboard/mod.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { parseRecording } from "../../../parsers/mod.ts";
import { readFixture } from "../../_util.ts";
import { fragmentUrl } from "./_fixture_store.ts";

const BASE = "http://127.0.0.1:8050";

/** A store with one EIS test (tests/fixtures/eis/exampleData.csv) and one cycling test. */
async function store(): Promise<{ store: SqliteStore; eis: string; cycling: string }> {
  const store = await SqliteStore.open({ path: ":memory:" });
  const sample = await store.samples.create({ name: "cell" });
  const eisFile = "eis/exampleData.csv";
  const spectra = parseRecording(readFixture(eisFile), { fileName: "exampleData.csv" }).spectra!;
  const eis = await store.tests.create({
    sample_id: sample.id,
    tester: "impedance.py",
    name: "exampleData",
    file_hash: "e".repeat(64),
    test_type: "EIS",
  }, { spectra });
  const cycling = await store.tests.create({
    sample_id: sample.id,
    tester: "Synthetic",
    name: "cycling",
    file_hash: "c".repeat(64),
  });
  return { store, eis: eis.id, cycling: cycling.id };
}

Deno.test("a heavy fit in the worker pool never delays other pages; leaving cancels it", async () => {
  const { store: s, eis, cycling } = await store();
  const handle = createDashboardHandler(s, { adhocDir: null, computeWorkers: 2 });
  try {
    const circuit = "R0-" +
      Array.from({ length: 15 }, (_, i) => `p(R${i + 1},CPE${i + 1})`).join("-");
    const page = await (await handle(
      new Request(`${BASE}/eis/${eis}?circuit=${encodeURIComponent(circuit)}`),
    )).text();
    const leave = new AbortController();
    let fitDone = false;
    const fit = handle(
      new Request(BASE + fragmentUrl(page, "eis-sections"), { signal: leave.signal }),
    ).finally(() => (fitDone = true));
    // Every page answers while the fit runs, including a detail page that computes a section
    // in the same pool (light sections always find a free worker).
    for (
      const path of ["/", "/tests", `/tests/${cycling}`, `/tests/${cycling}/trace`, `/eis/${eis}`]
    ) {
      const res = await handle(new Request(BASE + path));
      equal(res.status, 200, path);
      await res.text();
      ok(!fitDone, `${path} was answered while the fit still ran`);
    }
    // The browser gives up: the fit stops (its worker is terminated), the request ends.
    leave.abort(new DOMException("tab closed", "AbortError"));
    const res = await fit;
    equal(res.status, 499);
    await res.body?.cancel();
  } finally {
    handle.close();
    await s.close();
  }
});

Deno.test("a fit past the time limit is stopped with an explanation", async () => {
  const { store: s, eis } = await store();
  const handle = createDashboardHandler(s, { adhocDir: null, computeTimeoutMs: 200 });
  try {
    const circuit = "R0-" +
      Array.from({ length: 15 }, (_, i) => `p(R${i + 1},CPE${i + 1})`).join("-");
    const page = await (await handle(
      new Request(`${BASE}/eis/${eis}?circuit=${encodeURIComponent(circuit)}`),
    )).text();
    const res = await handle(new Request(BASE + fragmentUrl(page, "eis-sections")));
    equal(res.status, 503);
    match(await res.text(), /id="compute-timeout">Stopped computing the circuit fit.*after 0\.2 s/);
  } finally {
    handle.close();
    await s.close();
  }
});
