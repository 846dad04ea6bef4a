// Copyright 2026 the battery-analysis authors. MIT license.
// The forms that change the store — editing a test, a sample, uploading files — with the handler
// called directly: each round trip lands in the store and the history, each is refused without
// the CSRF token or from another origin, and every bad value is a 400 that says why.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { createDashboardHandler, type DashboardOptions } from "../../../lib/dashboard/mod.ts";
import { importDirectory, type ImportSummary } from "../../../lib/import/import_directory.ts";
import { analyzeStoredTest } from "../../../lib/analyze/analyze_stored_test.ts";
import { historyOf } from "../../../lib/edit/history.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import { fixturePath } from "../../_util.ts";
import { hashOf, makeCycle } from "../store/_fixtures.ts";

const BASE = "http://127.0.0.1:8050";

/** A store with one 20-cycle test (discharge 1 − 0.01·(k − 1) Ah) on sample "cell A". */
async function setup(options: DashboardOptions = {}) {
  const store = await SqliteStore.open({ path: ":memory:" });
  const sample = await store.samples.create({ name: "cell A" });
  const cycles = Array.from(
    { length: 20 },
    (_, i) => makeCycle(i + 1, [i * 10, i * 10 + 10], { charge: 1.0, discharge: 1 - 0.01 * i }),
  );
  const test = await store.tests.create({
    sample_id: sample.id,
    tester: "Arbin",
    name: "t1",
    file_hash: hashOf("t1"),
    cycles,
    analysis_options: { formationCycles: 0 },
  });
  await analyzeStoredTest(store, test.id, { save: true });
  const handle = createDashboardHandler(store, { adhocDir: null, ...options });
  const get = async (path: string, init?: RequestInit) => {
    const res = await handle(new Request(BASE + path, init));
    return { res, text: await res.text() };
  };
  const csrf = /name="csrf" value="([0-9a-f]+)"/.exec((await get(`/tests/${test.id}`)).text)![1];
  const post = (path: string, fields: Record<string, string>, headers = {}) =>
    get(path, {
      method: "POST",
      body: new URLSearchParams(fields),
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  return {
    store,
    test,
    sample,
    csrf,
    get,
    post,
    dispose: async () => {
      handle.close();
      await store.close();
    },
  };
}

Deno.test("editing a test: tags, sample, reference cycle and threshold round trip", async () => {
  const s = await setup();
  try {
    const path = `/tests/${s.test.id}/edit`;
    // Without the token, or from another origin: refused, nothing changed.
    equal((await s.post(path, { part: "labels", tags: "x", sample: "cell A" })).res.status, 403);
    equal(
      (await s.post(path, { csrf: s.csrf, part: "labels", tags: "x", sample: "cell A" }, {
        origin: "http://evil.example",
      })).res.status,
      403,
    );
    deepEqual((await s.store.tests.get(s.test.id))!.tags, []);
    // Tags and a new sample.
    const labels = await s.post(path, {
      csrf: s.csrf,
      part: "labels",
      tags: "baseline, coating-A,, baseline",
      sample: "cell B",
    });
    equal(labels.res.status, 303);
    equal(labels.res.headers.get("location"), `/tests/${s.test.id}?saved=labels#edit-test`);
    const moved = (await s.store.tests.get(s.test.id))!;
    deepEqual(moved.tags, ["baseline", "coating-A"]);
    equal(moved.sample_id, (await s.store.samples.getByName("cell B"))!.id);
    // Reference cycle 3 and end of life at 85 %: the analysis is stored again.
    equal(
      (await s.post(path, { csrf: s.csrf, part: "analysis", reference_cycle: "3", eol: "85" }))
        .res.status,
      303,
    );
    const analysed = (await s.store.tests.get(s.test.id))!;
    equal(analysed.analysis!.summary.reference_cycle, 3);
    equal(analysed.analysis!.summary.initial_capacity_Ah, 0.98); // cycle 3
    equal(analysed.analysis!.options.threshold, 0.85);
    deepEqual(historyOf(analysed).map((e) => e.field), [
      "tags",
      "sample",
      "analysis.referenceCycle",
      "analysis.threshold",
    ]);
    // The detail page shows the notice, the new numbers and the history.
    const page = await s.get(`/tests/${s.test.id}?saved=analysis`);
    match(page.text, /id="saved">Saved; the test was analysed again/);
    match(
      page.text,
      /<td>analysis\.threshold<\/td><td class="wrap">—<\/td><td class="wrap">0\.85<\/td>/,
    );
    // Bad values: a 400 naming the problem, nothing stored.
    const bad = await s.post(path, {
      csrf: s.csrf,
      part: "analysis",
      reference_cycle: "99",
      eol: "",
    });
    equal(bad.res.status, 400);
    match(bad.text, /reference cycle 99/i);
    equal(
      (await s.post(path, { csrf: s.csrf, part: "analysis", reference_cycle: "1.5", eol: "" })).res
        .status,
      400,
    );
    equal(
      (await s.post(path, { csrf: s.csrf, part: "analysis", reference_cycle: "", eol: "120" })).res
        .status,
      400,
    );
    equal((await s.post(path, { csrf: s.csrf, part: "nope" })).res.status, 400);
    equal((await s.store.tests.get(s.test.id))!.analysis!.summary.reference_cycle, 3);
    equal(
      (await s.post(`/tests/nope/edit`, { csrf: s.csrf, part: "labels", tags: "", sample: "x" }))
        .res.status,
      404,
    );
  } finally {
    await s.dispose();
  }
});

Deno.test("editing a sample: quantities with units, a note, history on the sample and its tests", async () => {
  const s = await setup();
  try {
    const path = `/samples/${s.sample.id}/edit`;
    equal((await s.post(path, { area_cm2: "1 cm2" })).res.status, 403);
    const ok303 = await s.post(path, {
      csrf: s.csrf,
      nominal_capacity_Ah: "2.5 mAh",
      area_cm2: "1.13 cm2",
      thickness_cm: "50 um",
      chemistry: "Zn/Zn",
      note: "punched 12 mm",
    });
    equal(ok303.res.status, 303);
    const sample = (await s.store.samples.get(s.sample.id))!;
    equal(sample.nominal_capacity_Ah, 0.0025);
    equal(sample.area_cm2, 1.13);
    equal(sample.thickness_cm, 0.005);
    equal(sample.chemistry, "Zn/Zn");
    equal(sample.notes.at(-1)!.text, "punched 12 mm");
    deepEqual(historyOf(sample).map((e) => e.field).sort(), [
      "area_cm2",
      "chemistry",
      "nominal_capacity_Ah",
      "thickness_cm",
    ]);
    ok(historyOf((await s.store.tests.get(s.test.id))!).some((e) => e.field === "sample.area_cm2"));
    const page = await s.get(`/advanced?sample=${s.sample.id}&saved=1`);
    match(page.text, /id="sample-history"/);
    match(page.text, /value="1\.13 cm2"/);
    // A quantity without a unit, or not a number: a 400 that says so.
    const bad = await s.post(path, { csrf: s.csrf, area_cm2: "1.13" });
    equal(bad.res.status, 400);
    match(bad.text, /no unit/);
    equal((await s.post(path, { csrf: s.csrf, mass_g: "heavy" })).res.status, 400);
  } finally {
    await s.dispose();
  }
});

/** A multipart upload of fixture files with the form's fields. */
function uploadBody(files: string[], fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const f of files) {
    form.append("files", new File([Deno.readFileSync(fixturePath(f))], f.split("/").pop()!));
  }
  return form;
}

Deno.test("upload: files go through the import pipeline as a job, into the chosen sample", async () => {
  const imports: Promise<ImportSummary>[] = [];
  let store: SqliteStore | null = null;
  const s = await setup({
    importFiles: (roots, options) => {
      const run = importDirectory(store!, roots, { ...options, workers: 0 });
      imports.push(run);
      return run;
    },
  });
  store = s.store;
  try {
    const page = await s.get("/upload");
    match(page.text, /id="upload-form"/);
    const file = "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
    const form = uploadBody([file, "bad/custom_missing_column.csv"], {
      csrf: s.csrf,
      sample_mode: "new",
      sample_new: "Uploaded Zn cell",
      prop_area_cm2: "1.13 cm2",
      tags: "upload-test",
    });
    // Without the token: refused.
    const noToken = uploadBody([file], { sample_mode: "auto" });
    equal((await s.get("/upload", { method: "POST", body: noToken })).res.status, 403);
    const res = await s.get("/upload", { method: "POST", body: form });
    equal(res.res.status, 303);
    const jobPath = res.res.headers.get("location")!;
    match(jobPath, /^\/jobs\/.+/);
    const summary = await imports[0];
    equal(summary.created, 1);
    equal(summary.failed, 1);
    // The same job record as import_directory's, shown on the job page.
    equal(`/jobs/${summary.job_id}`, jobPath);
    const job = await s.get(jobPath);
    match(job.text, /custom_missing_column\.csv/);
    const sample = (await s.store.samples.getByName("Uploaded Zn cell"))!;
    equal(sample.area_cm2, 1.13);
    const [test] = await s.store.tests.find({ sample_id: sample.id });
    equal(test.name, "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1");
    deepEqual(test.tags, ["upload-test"]);
    ok(test.analysis, "stored with its analysis, as any import");
    // Uploading the same file again: the job records it as skipped.
    const again = await s.get("/upload", {
      method: "POST",
      body: uploadBody([file], { csrf: s.csrf, sample_mode: "auto" }),
    });
    equal(again.res.status, 303);
    equal((await imports[1]).skipped, 1);
    // Bad sample choices: a 400 that says what is missing.
    const missing = await s.get("/upload", {
      method: "POST",
      body: uploadBody([file], { csrf: s.csrf, sample_mode: "existing", sample_existing: "nope" }),
    });
    equal(missing.res.status, 400);
    match(missing.text, /No sample named &quot;nope&quot;/);
    const none = await s.get("/upload", {
      method: "POST",
      body: uploadBody([], { csrf: s.csrf, sample_mode: "auto" }),
    });
    equal(none.res.status, 400);
  } finally {
    await Promise.allSettled(imports);
    await s.dispose();
  }
});

Deno.test("upload: too large is a 413; a server without the import pipeline has uploads off", async () => {
  const big = await setup({
    importFiles: () => Promise.reject(new Error("unused")),
    maxUploadBytes: 1000,
  });
  try {
    const res = await big.get("/upload", {
      method: "POST",
      body: uploadBody(["arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV"], {
        csrf: big.csrf,
      }),
    });
    equal(res.res.status, 413);
  } finally {
    await big.dispose();
  }
  const off = await setup();
  try {
    match((await off.get("/upload")).text, /id="upload-off"/);
    const res = await off.get("/upload", {
      method: "POST",
      body: uploadBody(["arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV"], {
        csrf: off.csrf,
      }),
    });
    equal(res.res.status, 501);
  } finally {
    await off.dispose();
  }
});
