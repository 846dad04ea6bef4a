// Copyright 2026 the battery-analysis authors. MIT license.
// The Modeling page: the handler called directly (no socket). Known answers: a run's simulation
// is simulate() called directly with the same options (the worker runs the same code, so the
// numbers are identical); a fit to a simulated "measurement" recovers the value it was made
// with; every bad field is a 400 that names it.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import {
  CHEN2020,
  electrodeSoh,
  loadParameterSet,
  MARQUIS2019,
  runModelStudy,
  simulate,
} from "../../../analysis/models/mod.ts";
import { createDashboardHandler, type DashboardOptions } from "../../../lib/dashboard/mod.ts";
import { num } from "../../../lib/dashboard/_html.ts";
import { SqliteStore } from "../../../lib/store/sqlite_store.ts";
import type { Store } from "../../../lib/store/store.ts";
import { toBdfCsv } from "../../../parsers/to_bdf.ts";
import { fragmentUrl } from "./_fixture_store.ts";

const BASE = "http://127.0.0.1:8050";

function handler(store: Store, options: DashboardOptions = {}) {
  const handle = createDashboardHandler(store, { adhocDir: null, ...options });
  const get = async (path: string, init?: RequestInit) => {
    const res = await handle(new Request(BASE + path, init));
    return { res, text: await res.text() };
  };
  return Object.assign(get, { close: () => handle.close() });
}

function csrfOf(page: string): string {
  const m = /name="csrf" value="([0-9a-f]+)"/.exec(page);
  ok(m, "page has a CSRF field");
  return m[1];
}

/** A multipart POST of the Modeling form. */
function form(fields: Record<string, string | string[] | File>): RequestInit {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) { for (const x of v) body.append(k, x); }
    else body.append(k, v);
  }
  return { method: "POST", body };
}

/** Submit the form; follow the redirect to the run's page; load its results. */
async function run(
  get: ReturnType<typeof handler>,
  fields: Record<string, string | string[] | File>,
): Promise<{ id: string; page: string; result: { res: Response; text: string } }> {
  const csrf = csrfOf((await get("/modeling")).text);
  const posted = await get("/modeling/run", form({ csrf, ...fields }));
  equal(posted.res.status, 303, posted.text);
  const location = posted.res.headers.get("location")!;
  const id = /^\/modeling\/runs\/([0-9a-f]+)$/.exec(location)![1];
  const page = (await get(location)).text;
  if (!/id="modeling-results"[^>]*data-fragment=/.test(page)) {
    // Computed before: the results are in the page.
    return { id, page, result: { res: new Response(null, { status: 200 }), text: page } };
  }
  const result = await get(fragmentUrl(page, "modeling-results"));
  return { id, page, result };
}

Deno.test("the Modeling page is in the navigation and describes the built-in sets", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  try {
    const { res, text } = await get("/modeling");
    equal(res.status, 200);
    match(text, /<a class="nav active" href="\/modeling" aria-current="page">Modeling<\/a>/);
    match(text, /<form class="modeling-form" id="modeling-form" method="post"/);
    match(text, /<script src="\/assets\/modeling\.js\?v=[0-9a-f]+" defer>/);
    // The electrode-SOH capacity of each set, as electrodeSoh computes it.
    for (const [name, set] of [["Chen2020", CHEN2020], ["Marquis2019", MARQUIS2019]] as const) {
      const info = new RegExp(`data-set="${name}"[^>]*>(.*?)</p>`, "s").exec(text)![1];
      ok(info.includes(`${num(electrodeSoh(set).capacity_Ah, 4)} Ah between 0 % and 100 % SOC`));
    }
    // An empty store: nothing to compare with, said so.
    match(text, /id="no-tests"/);
    equal((await get("/assets/modeling.js")).res.status, 200);
  } finally {
    get.close();
    await store.close();
  }
});

Deno.test("a run is simulate() called directly: same rows, same steps, same CSV", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  try {
    const experiment = "Discharge at 1C until 3.2 V\n# a comment line\nRest for 10 minutes";
    const { id, result } = await run(get, {
      model: "spm",
      parameters: "Marquis2019",
      experiment,
      thermal: "lumped",
      points: "60",
    });
    equal(result.res.status, 200, result.text);
    match(result.text, /<figure class="plot" id="plot-simulation"/);
    match(result.text, /id="sim-steps"/);
    const direct = simulate({
      model: "spm",
      parameters: "Marquis2019",
      experiment: ["Discharge at 1C until 3.2 V", "Rest for 10 minutes"],
      thermal: "lumped",
      points: 60,
    });
    const json = JSON.parse((await get(`/modeling/runs/${id}/simulation.json`)).text);
    const expected = direct.toJSON();
    for (
      const key of [
        "model",
        "parameters",
        "time_s",
        "voltage_V",
        "current_A",
        "discharge_capacity_Ah",
        "temperature_K",
        "steps",
        "cycles",
      ]
    ) {
      deepEqual(json[key], JSON.parse(JSON.stringify(expected[key])), key);
    }
    equal(json.time_s.length, 60);
    const { elapsed_ms: _a, ...summary } = json.summary;
    const { elapsed_ms: _b, ...directSummary } = direct.summary;
    deepEqual(summary, JSON.parse(JSON.stringify(directSummary)));
    // The page shows the same capacity.
    ok(result.text.includes(`${num(direct.summary.discharge_capacity_Ah, 5)}</td>`));
    const csv = await get(`/modeling/runs/${id}/simulation.csv`);
    equal(csv.res.headers.get("content-type"), "text/csv; charset=utf-8");
    match(csv.res.headers.get("content-disposition")!, /^attachment; filename="simulation-spm-/);
    equal(csv.text, toBdfCsv(direct.series));
    // The progress the worker reported last: the end of the last step (always sent).
    deepEqual(JSON.parse((await get(`/modeling/runs/${id}/progress`)).text), {
      state: "done",
      progress: { phase: "simulate", fraction: 1, step: 2, cycle: 1, text: "Rest for 10 minutes" },
      error: null,
    });
    // No fit: no fitted set to download.
    equal((await get(`/modeling/runs/${id}/parameters.json`)).res.status, 404);
    // The same options again: the same run, kept.
    const again = await run(get, {
      model: "spm",
      parameters: "Marquis2019",
      experiment,
      thermal: "lumped",
      points: "60",
    });
    equal(again.id, id);
  } finally {
    get.close();
    await store.close();
  }
});

Deno.test("every bad field is a 400 naming it, with the form kept", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  try {
    const csrf = csrfOf((await get("/modeling")).text);
    const post = (fields: Record<string, string | File>) =>
      get("/modeling/run", form({ csrf, model: "spm", ...fields }));
    const bad: [Record<string, string | File>, RegExp][] = [
      [
        { experiment: "Discharge at 1C until 2.5 V\n\nDischarge at 1 parsec for 1 hour" },
        /Experiment line 3: Cannot read step &quot;Discharge at 1 parsec for 1 hour&quot;/,
      ],
      [
        { experiment: "(Rest for 1 s, Rest for 2 s) x 1000000" },
        /Experiment line 1: The experiment has 2000000 steps, more than the limit of 100000/,
      ],
      [
        { model: "p2d" },
        /Parameter &quot;model&quot; must be one of spm, spme, dfn; got &quot;p2d&quot;/,
      ],
      [{ cycles: "0" }, /Parameter &quot;cycles&quot; must be a whole number from 1 to 10000/],
      [{ points: "1" }, /Parameter &quot;points&quot; must be a whole number from 2 to 200000/],
      [{ soc: "120%" }, /Initial state: The initial state must be a fraction 0–1/],
      [{ parameters: "Nope2000" }, /Unknown parameter set &quot;Nope2000&quot;/],
      [{ thermal: "hot" }, /Parameter &quot;thermal&quot; must be one of isothermal, lumped/],
      [{ fit: "initial_soc" }, /Fitting needs a stored test/],
      [{ test: "nope" }, /No stored test with id &quot;nope&quot;/],
      [{ surprise: "1" }, /Unknown parameter &quot;surprise&quot;/],
      [{ parameters: "upload" }, /Choose a parameter-set JSON file to upload/],
      [
        { parameters: "upload", parameters_file: new File(["{"], "bad.json") },
        /Cannot parse &quot;bad\.json&quot;: not valid JSON/,
      ],
      [
        {
          parameters: "upload",
          parameters_file: new File(
            [JSON.stringify({ ...CHEN2020, positive: { ...CHEN2020.positive, porosity: -1 } })],
            "cell.json",
          ),
        },
        /Cannot parse &quot;cell\.json&quot;: positive\.porosity: must not be negative, got -1/,
      ],
      [
        { parameters_file: new File([JSON.stringify(CHEN2020)], "cell.json") },
        /A parameter-set file \(&quot;cell\.json&quot;\) was given but the parameter set chosen is &quot;Chen2020&quot;/,
      ],
    ];
    for (const [fields, message] of bad) {
      const { res, text } = await post(fields);
      equal(res.status, 400, JSON.stringify(fields));
      const shown = /<p class="error" id="error-message">(.*?)<\/p>/s.exec(text);
      ok(shown, `${JSON.stringify(fields)}: ${text.slice(0, 300)}`);
      match(shown[1], message, JSON.stringify(fields));
      // The form comes back with what was typed.
      match(text, /id="modeling-form"/);
    }
    // The typed steps are kept in the re-shown form.
    const kept = await post({ experiment: "Rest for 1 hour\nDischarge at 1 parsec for 1 hour" });
    match(
      kept.text,
      /<textarea[^>]*>\nRest for 1 hour\r?\nDischarge at 1 parsec for 1 hour<\/textarea>/,
    );
    // An initial voltage the set's OCV never reaches (Chen2020: 2.5–4.2 V window).
    const volts = await post({ soc: "5.5 V" });
    equal(volts.res.status, 400);
    match(volts.text, /id="error-message">[^<]*5\.5/);
    // Without the CSRF token: refused before anything is read.
    const forged = await get("/modeling/run", form({ model: "spm" }));
    equal(forged.res.status, 403);
    // An unknown run: 404 that says what to do.
    const gone = await get("/modeling/runs/0123456789abcdef0123");
    equal(gone.res.status, 404);
    match(gone.text, /Submit the Modeling form again/);
  } finally {
    get.close();
    await store.close();
  }
});

Deno.test("the experiment is checked as it is typed, naming the line", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  try {
    const check = async (steps: string, cycles = 1) => {
      const r = await get(
        `/modeling/experiment?${new URLSearchParams({ steps, cycles: String(cycles) })}`,
      );
      return { status: r.res.status, body: JSON.parse(r.text) };
    };
    // 1 rest, then 3 repetitions of a 3-step group: 10 steps, cycles 1 to 4 (parseExperiment's
    // numbering: each repetition of a group is a cycle); twice over with cycles=2.
    const text = "Rest for 10 minutes\n(Discharge at 1C until 2.5 V, Charge at C/2 until 4.2 V, " +
      "Hold at 4.2 V until C/50) x 3";
    deepEqual(await check(text), { status: 200, body: { ok: true, steps: 10, cycles: 4 } });
    deepEqual(await check(text, 2), { status: 200, body: { ok: true, steps: 20, cycles: 8 } });
    // Steps that do not read are the answer (a 200; a run with them is a 400).
    const bad = await check("Rest for 10 minutes\nCharge at 1C untl 4.2 V");
    equal(bad.status, 200);
    equal(bad.body.ok, false);
    equal(bad.body.line, 2);
    match(bad.body.error, /^Experiment line 2: Cannot read step "Charge at 1C untl 4\.2 V"/);
    deepEqual(await check("  \n# only a comment\n"), {
      status: 200,
      body: { ok: true, steps: 0, cycles: 0 },
    });
    equal((await get("/modeling/experiment?steps=x&cycles=0")).res.status, 400);
  } finally {
    get.close();
    await store.close();
  }
});

Deno.test("overlay on a stored test and a fit that recovers the value the test was made with", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  try {
    // The "measured" test: Chen2020's SPM with the negative particle diffusivity doubled
    // (3.3e-14 → 6.6e-14 m²/s), a 2C discharge and a rest, a row every 10 s.
    const made = structuredClone(CHEN2020);
    made.negative.diffusivity_m2_s = 6.6e-14;
    const measured = simulate({
      model: "spm",
      parameters: made,
      experiment: ["Discharge at 2C until 2.5 V", "Rest for 10 minutes"],
      period_s: 10,
    }).series;
    const sample = await store.samples.create({ name: "LG M50 (simulated)" });
    const test = await store.tests.create({
      sample_id: sample.id,
      tester: "Synthetic",
      name: "simulated-2C",
      file_hash: "a".repeat(64),
    }, { series: measured });
    // The test's page links to the Modeling page with the test chosen.
    const detail = (await get(`/tests/${test.id}`)).text;
    match(detail, new RegExp(`<a href="/modeling\\?test=${test.id}" id="modeling-link">`));
    const page = (await get(`/modeling?test=${test.id}`)).text;
    match(page, new RegExp(`<option value="${test.id}" selected>simulated-2C — Synthetic`));

    // Fit the diffusivity following the test's own current (no steps).
    const { id, result } = await run(get, {
      model: "spm",
      parameters: "Chen2020",
      test: test.id,
      fit: "negative.diffusivity_m2_s",
    });
    equal(result.res.status, 200, result.text);
    match(result.text, /<figure class="plot" id="plot-overlay"/);
    const json = JSON.parse((await get(`/modeling/runs/${id}/simulation.json`)).text);
    const value = json.fit.parameters[0].value;
    // The test was made with 6.6e-14 from exact (not rounded) rows: recovered to 1e-4.
    ok(Math.abs(value / 6.6e-14 - 1) < 1e-4, String(value));
    ok(json.fit.parameters[0].standard_error > 0);
    // The page's parameter table shows the fitted value and its standard error.
    const row = /<tr data-path="negative\.diffusivity_m2_s">(.*?)<\/tr>/s.exec(result.text)![1];
    ok(row.includes(`<td class="num">${num(value, 6)}</td>`), row);
    ok(row.includes(`<td class="num">${num(json.fit.parameters[0].standard_error, 3)}</td>`), row);
    equal(json.comparison.test, `test ${test.id} (simulated-2C)`);
    // The same numbers as runModelStudy (what `simulate --compare --fit` runs) directly.
    const direct = runModelStudy({
      model: "spm",
      parameters: "Chen2020",
      test: {
        label: `test ${test.id} (simulated-2C)`,
        series: (await store.series.read(test.id))!,
      },
      fit: ["negative.diffusivity_m2_s"],
    }).toJSON() as { comparison: { rmse_V: number }; fit: { parameters: { value: number }[] } };
    equal(json.comparison.rmse_V, direct.comparison.rmse_V);
    equal(value, direct.fit.parameters[0].value);
    // The page shows the error metrics of the comparison.
    match(
      result.text,
      new RegExp(
        `Voltage RMSE \\(mV\\)</th><td class="num">${
          num(direct.comparison.rmse_V * 1000, 4).replace(".", "\\.")
        }`,
      ),
    );
    // The fitted set downloads as JSON that loads again.
    const set = loadParameterSet((await get(`/modeling/runs/${id}/parameters.json`)).text);
    equal(set.negative.diffusivity_m2_s, value);

    // An overlay without a fit, on the capacity axis, with steps given.
    const overlay = await run(get, {
      model: "spm",
      test: test.id,
      axis: "capacity",
      experiment: "Discharge at 2C until 2.5 V\nRest for 10 minutes",
    });
    equal(overlay.result.res.status, 200, overlay.result.text);
    match(overlay.result.text, /Simulation vs test on the capacity axis/);
    match(overlay.result.text, /id="comparison-cycles"/);
    // A run the model cannot compare: a rest has no half cycle to put on the capacity axis.
    // The options were fine (the run was accepted); the model's answer is a 422 that says why.
    const rest = await run(get, {
      model: "spm",
      test: test.id,
      axis: "capacity",
      experiment: "Rest for 10 minutes",
    });
    equal(rest.result.res.status, 422);
    match(
      rest.result.text,
      /id="modeling-error">The model could not run these options: The test and the simulation share no charge or discharge half cycle/,
    );
    equal(JSON.parse((await get(`/modeling/runs/${rest.id}/progress`)).text).state, "failed");
    equal((await get(`/modeling/runs/${rest.id}/simulation.csv`)).res.status, 422);
  } finally {
    get.close();
    await store.close();
  }
});

Deno.test("an uploaded parameter set runs, and is kept for the next run", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store);
  try {
    const mine = { ...structuredClone(MARQUIS2019), name: "MyKokam" };
    const first = await run(get, {
      model: "spm",
      parameters: "upload",
      parameters_file: new File([JSON.stringify(mine)], "kokam.json", { type: "application/json" }),
      points: "20",
    });
    equal(first.result.res.status, 200, first.result.text);
    const json = JSON.parse((await get(`/modeling/runs/${first.id}/simulation.json`)).text);
    equal(json.parameters, "MyKokam");
    // Same as the built-in Marquis2019 with the same options (only the name differs).
    const direct = simulate({ model: "spm", parameters: "Marquis2019", points: 20 }).toJSON();
    deepEqual(json.voltage_V, direct.voltage_V);
    // The run's form offers the uploaded set; submitting it again needs no file.
    const choice = /<option value="(upload:[0-9a-f]+)" selected>MyKokam \(uploaded kokam\.json\)/
      .exec(first.page);
    ok(choice, "the uploaded set is offered");
    const second = await run(get, { model: "dfn", parameters: choice[1], points: "20" });
    equal(second.result.res.status, 200, second.result.text);
    match(second.result.text, /DFN of MyKokam/);
  } finally {
    get.close();
    await store.close();
  }
});

Deno.test("a run past the time limit is stopped with an explanation", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  const get = handler(store, { computeTimeoutMs: 200 });
  try {
    // 300 DFN cycles with SEI: many seconds of CPU, stopped at 0.2 s whatever the machine.
    const { id, result } = await run(get, {
      model: "dfn",
      sei: "1",
      cycles: "300",
      experiment: "Discharge at 1C until 2.5 V\nCharge at 1C until 4.2 V",
    });
    equal(result.res.status, 503);
    match(result.text, /id="compute-timeout">Stopped computing the simulation after 0\.2 s/);
    equal(JSON.parse((await get(`/modeling/runs/${id}/progress`)).text).state, "waiting");
  } finally {
    get.close();
    await store.close();
  }
});
