// Copyright 2026 the battery-analysis authors. MIT license.
// Every query parameter of every page is checked: an unknown one, a value that is not the kind
// asked for, out of range, or a choice not offered is a 400 whose message names the parameter —
// never a silent fallback to a default (the original answered 200 with its defaults).

import { equal, match, ok } from "node:assert/strict";
import { createDashboardHandler } from "../../../lib/dashboard/mod.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { parseRecording } from "../../../parsers/mod.ts";
import { readFixture } from "../../_util.ts";
import { hashOf, makeCycle } from "../store/_fixtures.ts";
import { analyzeStoredTest } from "../../../lib/analyze/analyze_stored_test.ts";

Deno.test("every invalid parameter of every page is a 400 naming it", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const sample = await store.samples.create({ name: "cell" });
  const cycling = await store.tests.create({
    sample_id: sample.id,
    tester: "Arbin",
    name: "c",
    file_hash: hashOf("c"),
    cycles: Array.from(
      { length: 10 },
      (_, i) => makeCycle(i + 1, [i * 10, i * 10 + 10], { charge: 1, discharge: 1 - 0.01 * i }),
    ),
  });
  await analyzeStoredTest(store, cycling.id, { save: true });
  const spectra = parseRecording(readFixture("eis/exampleData.csv"), {
    fileName: "exampleData.csv",
  }).spectra!;
  const eis = await store.tests.create({
    sample_id: sample.id,
    tester: "impedance.py",
    name: "e",
    file_hash: hashOf("e"),
    test_type: "EIS",
  }, { spectra });
  const job = await store.jobs.start({ roots: ["/x"] });
  await store.jobs.finish(job.id);
  const handle = createDashboardHandler(store, { adhocDir: null });
  const c = cycling.id, e = eis.id, j = job.id;
  // [path and query, the parameter the message must name]
  const cases: [string, string][] = [
    ["/?x=1", "x"],
    ["/events?x=1", "x"],
    ["/tests?type=Bogus", "type"],
    ["/tests?protocol=bogus", "protocol"],
    ["/tests?flag=bogus", "bogus"],
    ["/tests?from=2023-13-01", "from"],
    ["/tests?to=yesterday", "to"],
    ["/tests?from=2024-02-01&to=2024-01-01", "2024-01-01"],
    ["/tests?where=retention<0.8", "retention"],
    ["/tests?where=cycle_count<<1", "cycle_count"],
    ["/tests?cycles_min=abc", "cycles_min"],
    ["/tests?retention_max=x", "retention_max"],
    ["/tests?retention_min=90&retention_max=80", "retention_max"],
    ["/tests?sort=bogus", "sort"],
    ["/tests?dir=up", "dir"],
    ["/tests?page=0", "page"],
    ["/tests?page=1.5", "page"],
    ["/tests?per_page=7", "per_page"],
    ["/tests?q=a&q=b", "q"],
    ["/tests?bogus=1", "bogus"],
    ["/tests.csv?sort=bogus", "sort"],
    ["/tests.json?page=x", "page"],
    [`/tests/${c}?eol=abc`, "eol"],
    [`/tests/${c}?eol=0`, "eol"],
    [`/tests/${c}?eol=150`, "eol"],
    [`/tests/${c}?vc=999`, "vc"],
    [`/tests/${c}?vc=a`, "vc"],
    [`/tests/${c}?dq=0`, "dq"],
    [`/tests/${c}?dq=2.5`, "dq"],
    [`/tests/${c}?saved=x`, "saved"],
    [`/tests/${c}?bogus=1`, "bogus"],
    [`/tests/${e}?vc=1`, "no cycles"],
    [`/tests/${c}/curves?vc=999`, "vc"],
    [`/tests/${c}/trace?x=1`, "x"],
    ["/fade?page=0", "page"],
    ["/fade?x=1", "x"],
    ["/compare?x=1", "x"],
    [`/compare?ids=${Array.from({ length: 13 }, (_, i) => `t${i}`).join(",")}`, "13"],
    ["/compare.csv?x=1", "x"],
    ["/eis?page=-1", "page"],
    [`/eis/${e}?s=99`, "s"],
    [`/eis/${e}?s=x`, "s"],
    [`/eis/${e}?fmin=-1`, "fmin"],
    [`/eis/${e}?fmax=abc`, "fmax"],
    [`/eis/${e}?fmin=10&fmax=1`, "min f"],
    [`/eis/${e}?capacitive=maybe`, "capacitive"],
    [`/eis/${e}?x=1`, "x"],
    [`/eis/${e}/sections?s=99`, "s"],
    ["/advanced?x=1", "x"],
    ["/advanced?saved=maybe", "saved"],
    ["/jobs?status=bogus", "status"],
    ["/jobs?page=0", "page"],
    [`/jobs/${j}?action=bogus`, "action"],
    [`/jobs/${j}?page=x`, "page"],
    ["/files?page=0", "page"],
    ["/files?x=1", "x"],
    ["/upload?x=1", "x"],
  ];
  try {
    for (const [path, named] of cases) {
      const res = await handle(new Request(`http://127.0.0.1:8050${path}`));
      const text = await res.text();
      equal(res.status, 400, `${path}: ${res.status} ${text.slice(0, 200)}`);
      ok(
        text.replaceAll("&quot;", '"').includes(named),
        `${path}: the message names ${named}: ${text.match(/id="error-message">([^<]*)/)?.[1]}`,
      );
    }
    // The same pages with valid parameters answer 200.
    for (
      const path of [
        "/tests?retention_min=90&sort=capacity_retention&dir=desc&page=1&per_page=25",
        `/tests/${c}?eol=70&vc=1,5&dq=2`,
        `/eis/${e}?s=0&fmin=1&fmax=1000&capacitive=1`,
        `/jobs?status=completed`,
        `/compare?ids=${c},${e}`,
      ]
    ) {
      const res = await handle(new Request(`http://127.0.0.1:8050${path}`));
      equal(res.status, 200, path);
      match(res.headers.get("content-type")!, /text\/html/);
      await res.body?.cancel();
    }
  } finally {
    handle.close();
    await store.close();
  }
});
