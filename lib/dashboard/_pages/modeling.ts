// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The Modeling page: simulate a cell (SPM, SPMe or DFN with a built-in or uploaded parameter
 * set) through PyBaMM-style steps, overlay the simulation on a stored test and fit parameters to
 * it, in the dashboard's worker pool — `runModelStudy`, the same call as `simulate` (the
 * command), so the page, the CLI and a notebook give the same numbers from the same options.
 *
 * A run is a POST (CSRF-checked by the router) that checks every field (a 400 naming the field,
 * the experiment line or the parameter-set entry), keeps the run's options under an id (a hash of
 * them) and redirects to `/modeling/runs/ID`. That page loads the results from
 * `/modeling/runs/ID/result`, which computes them in a worker (progress at `…/progress`; leaving
 * the page or Cancel stops it), and offers the simulation as CSV (`simulate --csv`) and JSON
 * (`simulate --json`). Runs and uploaded sets live in this server's memory (the most recent
 * ones): after a restart a run's page says to submit the form again.
 */

import {
  BUILTIN_PARAMETER_SETS,
  checkFitOptions,
  checkModelStudy,
  electrodeSoh,
  loadParameterSet,
  type ModelName,
  type ParameterSet,
  parseExperiment,
  parseInitialSoc,
  readExperimentText,
} from "../../../analysis/models/mod.ts";
import type { DashboardCompute } from "../_compute.ts";
import { computeFailure, fragmentResponse } from "../_compute.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { requireTest } from "../_data.ts";
import { markup, num, raw, type SafeHtml } from "../_html.ts";
import { Params } from "../_params.ts";
import { attachment, SECURITY_HEADERS } from "../_security.ts";
import { assetUrl } from "../_assets.ts";
import { transferables } from "../../compute/transferables.ts";
import type {
  ModelingOptions,
  ModelingProgress,
  ModelingRunInput,
  ModelingRunOutput,
} from "./modeling_sections.ts";

/** Largest uploaded parameter-set file, bytes. */
export const MAX_PARAMETER_FILE_BYTES = 2_000_000;
/** Most steps of an experiment once groups and cycles are expanded. */
export const MAX_STEPS = 100_000;
/** Most repeats of the list of steps. */
export const MAX_CYCLES = 10_000;
/** Most output rows a run may ask for. */
export const MAX_POINTS = 200_000;
/** Longest experiment text, characters. */
const MAX_EXPERIMENT_CHARS = 100_000;
/** Runs whose options (and results, while they fit) this server keeps. */
const MAX_RUNS = 200;
/** Characters of results kept (HTML, JSON, CSV of the recent runs). */
const RESULT_CHARS = 64_000_000;
/** Uploaded parameter sets kept. */
const MAX_UPLOADS = 50;

const MODELS: readonly ModelName[] = ["spm", "spme", "dfn"];
const MODEL_LABELS: Record<ModelName, string> = {
  spm: "SPM — single particle model",
  spme: "SPMe — SPM with electrolyte",
  dfn: "DFN — Doyle–Fuller–Newman",
};

/** Parameters offered for fitting (any other dotted path can be typed). */
export const FIT_CHOICES: readonly [string, string][] = [
  ["initial_soc", "Initial SOC"],
  ["negative.active_material_volume_fraction", "Negative active fraction (its capacity)"],
  ["positive.active_material_volume_fraction", "Positive active fraction (its capacity)"],
  ["negative.diffusivity_m2_s", "Negative particle diffusivity"],
  ["positive.diffusivity_m2_s", "Positive particle diffusivity"],
  ["negative.exchange_current_density_A_m2", "Negative reaction rate (factor)"],
  ["positive.exchange_current_density_A_m2", "Positive reaction rate (factor)"],
  ["cell.contact_resistance_ohm", "Contact resistance"],
];

/** The form's fields, as submitted or as defaults. */
interface RunSpec {
  model: ModelName;
  /** A built-in set's name, or `upload:ID`. */
  parameters: string;
  experiment: string;
  cycles: number;
  /** The initial state as typed ("" = 100 %). */
  soc: string;
  thermal: "isothermal" | "lumped";
  sei: boolean;
  points: number | null;
  test: string | null;
  axis: "time" | "capacity";
  fit: string[];
}

const DEFAULTS: RunSpec = {
  model: "dfn",
  parameters: "Chen2020",
  experiment: "",
  cycles: 1,
  soc: "",
  thermal: "isothermal",
  sei: false,
  points: null,
  test: null,
  axis: "time",
  fit: [],
};

interface Upload {
  name: string;
  fileName: string;
  set: ParameterSet;
  chars: number;
}

interface Run {
  spec: RunSpec;
  /** The stored test's version the run compares with. */
  testVersion: string | null;
  result: ModelingRunOutput | null;
  progress: ModelingProgress | null;
  /** Requests computing it now. */
  computing: number;
  /** Why it failed (the model could not run it), or null. */
  failed: string | null;
}

/** The runs and uploads of one dashboard (one handler). */
class ModelingRuns {
  readonly runs = new Map<string, Run>();
  readonly uploads = new Map<string, Upload>();
  #resultChars = 0;

  run(id: string): Run | undefined {
    const run = this.runs.get(id);
    if (run) {
      this.runs.delete(id);
      this.runs.set(id, run);
    }
    return run;
  }

  add(id: string, run: Run): void {
    this.runs.set(id, run);
    for (const [k, r] of this.runs) {
      if (this.runs.size <= MAX_RUNS) break;
      if (r.computing) continue;
      this.#forget(k, r);
    }
  }

  keep(run: Run, result: ModelingRunOutput): void {
    run.result = result;
    this.#resultChars += chars(result);
    for (const r of this.runs.values()) {
      if (this.#resultChars <= RESULT_CHARS) break;
      // The options stay: the results are computed again when asked for.
      if (r !== run && r.result) {
        this.#resultChars -= chars(r.result);
        r.result = null;
      }
    }
  }

  #forget(id: string, run: Run): void {
    if (run.result) this.#resultChars -= chars(run.result);
    this.runs.delete(id);
  }

  upload(id: string, upload: Upload): void {
    this.uploads.delete(id);
    this.uploads.set(id, upload);
    while (this.uploads.size > MAX_UPLOADS) {
      this.uploads.delete(this.uploads.keys().next().value as string);
    }
  }
}

function chars(r: ModelingRunOutput): number {
  return r.html.length + r.json.length + r.csv.length + (r.fittedSet?.length ?? 0);
}

/** One registry per dashboard handler (its compute pool is unique to it). */
const registries = new WeakMap<DashboardCompute, ModelingRuns>();

function runsOf(ctx: Ctx): ModelingRuns {
  let r = registries.get(ctx.compute);
  if (!r) registries.set(ctx.compute, r = new ModelingRuns());
  return r;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 10), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The electrode-SOH window and limits of a set, for the form. */
const setInfoCache = new Map<string, SafeHtml>();

function setInfo(key: string, set: ParameterSet, label: string, selected: boolean): SafeHtml {
  let info = setInfoCache.get(key);
  if (!info) {
    let window: SafeHtml;
    try {
      const soh = electrodeSoh(set);
      window = markup`${num(soh.capacity_Ah, 4)} Ah between 0 % and 100 % SOC (negative ${
        num(soh.x_0, 4)
      }–${num(soh.x_100, 4)}, positive ${num(soh.y_100, 4)}–${num(soh.y_0, 4)})`;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      window = markup`<span class="error">${err.message}</span>`;
    }
    info = markup`<strong>${label}</strong>: ${set.description}. Nominal ${
      num(set.cell.nominal_capacity_Ah, 4)
    } Ah; cut-offs ${num(set.cell.lower_voltage_cutoff_V, 4)}–${
      num(set.cell.upper_voltage_cutoff_V, 4)
    } V; ${window}.`;
    setInfoCache.set(key, info);
    if (setInfoCache.size > 100) setInfoCache.delete(setInfoCache.keys().next().value as string);
  }
  return markup`<p class="set-info muted" data-set="${key}"${
    selected ? "" : markup` hidden`
  }>${info}</p>`;
}

/** Most tests offered in the test list; with more, the form takes a test id. */
export const MAX_TEST_CHOICES = 1000;

/**
 * Stored tests that have a time series to compare with, or null when there are more than
 * {@link MAX_TEST_CHOICES} (the form then takes an id: a test page links here with it).
 */
async function testChoices(ctx: Ctx): Promise<{ id: string; label: string }[] | null> {
  const tests = (await ctx.store.tests.list()).filter((t) =>
    t.data.series && t.data.series.length >= 2
  );
  if (tests.length > MAX_TEST_CHOICES) return null;
  return tests
    .map((t) => ({
      id: t.id,
      label: `${t.name} — ${t.tester}, ${t.data.series!.length} rows`,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

function option(value: string, label: string, selected: boolean): SafeHtml {
  return markup`<option value="${value}"${selected ? markup` selected` : ""}>${label}</option>`;
}

/** The form, filled with `spec`. */
async function formHtml(ctx: Ctx, spec: RunSpec): Promise<SafeHtml> {
  const uploads = runsOf(ctx).uploads;
  const tests = await testChoices(ctx);
  const uploadId = spec.parameters.startsWith("upload:") ? spec.parameters.slice(7) : null;
  const uploaded = uploadId ? uploads.get(uploadId) : undefined;
  const setOptions = [
    ...Object.keys(BUILTIN_PARAMETER_SETS).map((name) =>
      option(name, `${name} (built in)`, spec.parameters === name)
    ),
    ...(uploaded
      ? [option(spec.parameters, `${uploaded.name} (uploaded ${uploaded.fileName})`, true)]
      : []),
    option("upload", "Upload a JSON file…", spec.parameters === "upload"),
  ];
  const infos = [
    ...Object.entries(BUILTIN_PARAMETER_SETS).map(([name, set]) =>
      setInfo(name, set, name, spec.parameters === name)
    ),
    ...(uploaded ? [setInfo(spec.parameters, uploaded.set, uploaded.name, true)] : []),
  ];
  const fitOther = spec.fit.filter((f) => !FIT_CHOICES.some(([p]) => p === f));
  return markup`<form class="modeling-form" id="modeling-form" method="post" action="/modeling/run" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<fieldset><legend>Model and cell</legend>
<label>Model<select name="model" id="model-select">${
    MODELS.map((m) => option(m, MODEL_LABELS[m], spec.model === m))
  }</select></label>
<label>Parameter set<select name="parameters" id="parameters-select">${setOptions}</select></label>
<label id="parameters-file-label">Parameter-set file (JSON, see docs/models.md)<input type="file" name="parameters_file" id="parameters-file" accept=".json,application/json"></label>
<div class="set-infos">${infos}</div>
</fieldset>
<fieldset><legend>Experiment</legend>
<label class="wide"><span>Steps, one per line, in PyBaMM's wording (<code>#</code> starts a comment)</span><textarea name="experiment" id="experiment-input" rows="6" spellcheck="false" placeholder="Discharge at 1C until 2.5 V
Rest for 1 hour
(Charge at C/2 until 4.2 V, Hold at 4.2 V until C/50, Discharge at 1C until 2.5 V) x 3">
${spec.experiment}</textarea></label>
<p class="muted" id="experiment-check" aria-live="polite">Empty: a 1C discharge to the set's lower cut-off — or, with a stored test chosen below, the test's own measured current. Steps: <code>Discharge at 1C until 2.5 V</code>, <code>Charge at 2 A for 10 minutes</code>, <code>Hold at 4.2 V until C/50</code>, <code>Rest for 1 hour</code>, <code>Discharge at 5 W for 2 minutes</code>, groups <code>(…, …) x N</code>.</p>
<label>Repeat the list (cycles)<input type="number" name="cycles" id="cycles-input" min="1" max="${MAX_CYCLES}" step="1" value="${spec.cycles}"></label>
</fieldset>
<fieldset><legend>Options</legend>
<label>Initial state<input name="soc" id="soc-input" value="${spec.soc}" placeholder="100%" title="A fraction 0–1, a percentage or an open-circuit voltage like 3.9 V (PyBaMM's electrode-SOH scale)"></label>
<label>Thermal model<select name="thermal">${
    option("isothermal", "isothermal", spec.thermal === "isothermal")
  }${option("lumped", "lumped (heat, cooling)", spec.thermal === "lumped")}</select></label>
<label class="check"><input type="checkbox" name="sei" value="1"${
    spec.sei ? markup` checked` : ""
  }> SEI growth (example parameters)</label>
<label>Output rows<input type="number" name="points" min="2" max="${MAX_POINTS}" step="1" value="${
    spec.points ?? ""
  }" placeholder="every 30 s" title="Resample the output to this many evenly spaced rows; empty: a row every 30 s plus the start and end of every step"></label>
</fieldset>
<fieldset><legend>Against a stored test</legend>
${
    tests !== null && tests.length === 0
      ? markup`<p class="muted" id="no-tests">No stored test with a time series: import data to compare a simulation with it.</p>`
      : markup`${
        tests === null
          ? markup`<label>Test id<input name="test" id="test-input" value="${
            spec.test ?? ""
          }" placeholder="from a test's page" title="More than ${MAX_TEST_CHOICES} tests: give the id of one (its page on the Tests list links here with it)"></label>`
          : markup`<label>Test<select name="test" id="test-select"><option value="">— none —</option>${
            tests.map((t) => option(t.id, t.label, t.id === spec.test))
          }</select></label>`
      }
<label>Comparison axis<select name="axis">${option("time", "time", spec.axis === "time")}${
        option("capacity", "capacity per half cycle", spec.axis === "capacity")
      }</select></label>
<div class="fit-choices" id="fit-choices"><span class="muted">Fit to the test:</span>${
        FIT_CHOICES.map(([path, label]) =>
          markup`<label class="check" title="${path}"><input type="checkbox" name="fit" value="${path}"${
            spec.fit.includes(path) ? markup` checked` : ""
          }> ${label}</label>`
        )
      }<label>Other parameters (dotted paths, comma-separated)<input name="fit_other" value="${
        fitOther.join(", ")
      }" placeholder="negative.particle_radius_m"></label></div>`
  }
</fieldset>
<p><button type="submit" id="run-button">Run</button> <span class="muted">Runs in the dashboard's worker pool; an SPM run takes milliseconds, a DFN run tens of milliseconds, a fit seconds to minutes.</span></p>
</form>
<script src="${await assetUrl("modeling.js")}" defer></script>`;
}

/** The Modeling page: the form, empty (or with a test chosen by `?test=ID`). */
export async function modelingPage(ctx: Ctx): Promise<Page> {
  const p = new Params(ctx.url, ["test"]);
  const test = p.string("test");
  if (test !== undefined) await requireTest(ctx.store, test);
  return {
    title: "Modeling",
    nav: "modeling",
    body: markup`${intro()}${await formHtml(ctx, { ...DEFAULTS, test: test ?? null })}`,
  };
}

function intro(): SafeHtml {
  return markup`<p class="muted">Physics-based models as PyBaMM solves them (its equations, mesh and solver settings): simulate a cell through an experiment, overlay the simulation on a stored test with its voltage and capacity errors, and fit parameters to the test with standard errors. The same computation as <code>deno task simulate</code>; see <code>docs/models.md</code> for the equations, parameter sets and limits.</p>`;
}

/** The form's text fields (files apart) for strict reading. */
const FIELDS = [
  "csrf",
  "model",
  "parameters",
  "experiment",
  "cycles",
  "soc",
  "thermal",
  "sei",
  "points",
  "test",
  "axis",
  "fit",
  "fit_other",
];

/** A 400 that re-shows the form with what was submitted. */
class FormError extends HttpError {
  constructor(message: string, readonly spec: RunSpec) {
    super(400, message);
  }
}

/** Read and check the posted form; uploads a parameter set when one is given. */
async function readForm(ctx: Ctx, form: FormData): Promise<{ spec: RunSpec; set: ParameterSet }> {
  const text = new URLSearchParams();
  let file: File | null = null;
  for (const [k, v] of form) {
    if (typeof v === "string") text.append(k, v);
    else if (k !== "parameters_file") {
      throw new HttpError(400, `Unexpected file field "${k}" (only parameters_file takes a file)`);
    } else if (v.size > 0 || v.name !== "") file = v;
  }
  // The submitted values, to show again with the message if something is wrong.
  const given = (name: string) => (text.get(name) ?? "").trim();
  const spec: RunSpec = {
    ...DEFAULTS,
    parameters: given("parameters") || DEFAULTS.parameters,
    experiment: text.get("experiment") ?? "",
    soc: given("soc"),
    sei: text.get("sei") !== null,
    test: given("test") || null,
    fit: [
      ...new Set(
        [...text.getAll("fit"), ...text.getAll("fit_other")].flatMap((v) => v.split(","))
          .map((v) => v.trim()).filter((v) => v !== ""),
      ),
    ],
  };
  const fail = (message: string): never => {
    throw new FormError(message, spec);
  };
  const check = <T>(read: () => T): T => {
    try {
      return read();
    } catch (err) {
      if (err instanceof HttpError) fail(err.message);
      throw err;
    }
  };
  const p = check(() => new Params(text, [...FIELDS, "parameters_file"]));
  for (const name of ["parameters", "soc", "test", "experiment"]) check(() => p.string(name));
  spec.model = check(() => p.oneOf("model", MODELS)) ?? DEFAULTS.model;
  spec.thermal = check(() => p.oneOf("thermal", ["isothermal", "lumped"] as const)) ??
    DEFAULTS.thermal;
  spec.sei = check(() => p.flag("sei"));
  spec.cycles = check(() => p.int("cycles", { min: 1, max: MAX_CYCLES })) ?? 1;
  spec.points = check(() => p.int("points", { min: 2, max: MAX_POINTS })) ?? null;
  spec.axis = check(() => p.oneOf("axis", ["time", "capacity"] as const)) ?? DEFAULTS.axis;

  // The parameter set: built in, uploaded now, or uploaded earlier.
  const runs = runsOf(ctx);
  let set: ParameterSet;
  const choice = spec.parameters;
  if (file && choice !== "upload") {
    fail(
      `A parameter-set file ("${file.name}") was given but the parameter set chosen is "${choice}": choose "Upload a JSON file…" to use the file`,
    );
  }
  if (choice === "upload") {
    if (!file) fail("Choose a parameter-set JSON file to upload (or a built-in set)");
    if (file!.size > MAX_PARAMETER_FILE_BYTES) {
      fail(
        `"${file!.name}" is ${
          file!.size
        } bytes; a parameter set may have at most ${MAX_PARAMETER_FILE_BYTES}`,
      );
    }
    const json = await file!.text();
    try {
      set = loadParameterSet(json, file!.name || "parameters.json");
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      return fail(err.message);
    }
    const id = await sha256(json);
    runs.upload(id, { name: set.name, fileName: file!.name, set, chars: json.length });
    spec.parameters = `upload:${id}`;
  } else if (choice.startsWith("upload:")) {
    const upload = runs.uploads.get(choice.slice(7));
    if (!upload) {
      return fail(
        "The uploaded parameter set is no longer kept by this server (it restarted, or newer uploads pushed it out): upload the file again",
      );
    }
    set = upload.set;
  } else {
    const builtin = Object.hasOwn(BUILTIN_PARAMETER_SETS, choice)
      ? BUILTIN_PARAMETER_SETS[choice]
      : undefined;
    if (!builtin) {
      return fail(
        `Unknown parameter set "${choice}": choose ${
          Object.keys(BUILTIN_PARAMETER_SETS).join(", ")
        } or upload a JSON file`,
      );
    }
    set = builtin;
  }

  // The experiment, line by line (a message names the line and the step).
  if (spec.experiment.length > MAX_EXPERIMENT_CHARS) {
    fail(
      `The experiment has ${spec.experiment.length} characters; at most ${MAX_EXPERIMENT_CHARS}`,
    );
  }
  const problem = experimentProblem(spec.experiment, spec.cycles);
  if (problem) fail(problem.message);

  if (spec.soc !== "") {
    try {
      parseInitialSoc(spec.soc);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      fail(`Initial state: ${err.message}`);
    }
  }
  if (spec.test !== null) {
    const test = await ctx.store.tests.get(spec.test);
    if (!test) fail(`No stored test with id "${spec.test}"`);
    if (!test!.data.series || test!.data.series.length < 2) {
      fail(`Test "${test!.name}" has no stored time series to compare with`);
    }
  }
  if (spec.fit.length && spec.test === null) {
    fail("Fitting needs a stored test to fit to: choose one under “Against a stored test”");
  }
  // What the study itself checks: the set's OCV window for the initial state, fit paths.
  const options = modelingOptions(spec, set);
  try {
    checkModelStudy({ ...options, fit: undefined, test: undefined });
    if (options.fit.length) {
      checkFitOptions({ parameters: set, fit: options.fit, initialSoc: options.initialSoc });
    }
  } catch (err) {
    if (!(err instanceof RangeError || err instanceof SyntaxError)) throw err;
    fail(err.message);
  }
  return { spec, set };
}

/** The options the worker runs. */
function modelingOptions(spec: RunSpec, set: ParameterSet): ModelingOptions {
  const builtin = Object.hasOwn(BUILTIN_PARAMETER_SETS, spec.parameters);
  return {
    model: spec.model,
    parameters: builtin ? spec.parameters : set,
    experiment: readExperimentText(spec.experiment),
    cycles: spec.cycles,
    ...(spec.soc !== "" ? { initialSoc: parseInitialSoc(spec.soc) } : {}),
    thermal: spec.thermal,
    sei: spec.sei,
    ...(spec.points !== null ? { points: spec.points } : {}),
    axis: spec.axis,
    fit: spec.fit,
  };
}

/** What is wrong with an experiment text, naming the line; null when it reads. */
export function experimentProblem(
  text: string,
  cycles: number,
): { line: number | null; message: string } | null {
  const lines: { text: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = readExperimentText(raw);
    if (t.length) lines.push({ text: t[0], line: i + 1 });
  });
  for (const l of lines) {
    try {
      parseExperiment([l.text], { maxSteps: MAX_STEPS });
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof RangeError)) throw err;
      return { line: l.line, message: `Experiment line ${l.line}: ${err.message}` };
    }
  }
  if (lines.length) {
    try {
      parseExperiment(lines.map((l) => l.text), { cycles, maxSteps: MAX_STEPS });
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof RangeError)) throw err;
      return { line: null, message: `Experiment: ${err.message}` };
    }
  }
  return null;
}

/**
 * Start a run (POST, CSRF-checked by the router): check the form, keep the run, redirect to its
 * page. A bad field re-shows the form with a 400 that names it.
 */
export async function runModeling(ctx: Ctx, form: FormData): Promise<Page | Response> {
  let spec: RunSpec;
  try {
    ({ spec } = await readForm(ctx, form));
  } catch (err) {
    if (!(err instanceof FormError)) throw err;
    return {
      title: "Modeling",
      nav: "modeling",
      status: 400,
      body: markup`<p class="error" id="error-message">${err.message}</p>${await formHtml(
        ctx,
        err.spec,
      )}`,
    };
  }
  const test = spec.test ? await ctx.store.tests.get(spec.test) : null;
  const testVersion = test ? test.updated_at : null;
  const id = await sha256(JSON.stringify({ spec, testVersion }));
  const runs = runsOf(ctx);
  if (!runs.run(id)) {
    runs.add(id, { spec, testVersion, result: null, progress: null, computing: 0, failed: null });
  }
  return new Response(null, {
    status: 303,
    headers: { location: `/modeling/runs/${id}`, "cache-control": "no-store" },
  });
}

function requireRun(ctx: Ctx, id: string): Run {
  const run = runsOf(ctx).run(id);
  if (!run) {
    throw new HttpError(
      404,
      `No run "${id}" on this server (runs are kept in memory: it restarted, or newer runs pushed this one out). Submit the Modeling form again.`,
    );
  }
  return run;
}

/** A run's page: the form with its options, and its results (loaded from the worker pool). */
export async function modelingRunPage(ctx: Ctx, id: string): Promise<Page> {
  new Params(ctx.url, []);
  const run = requireRun(ctx, id);
  const base = `/modeling/runs/${encodeURIComponent(id)}`;
  const results = run.result
    ? markup`<section id="modeling-results" data-run="${id}">${raw(run.result.html)}</section>`
    : markup`<section class="fragment" id="modeling-results" data-run="${id}" data-fragment="${base}/result" data-progress="${base}/progress"><p class="fragment-status">Computing the simulation… <span class="fragment-elapsed">0 s</span>
<progress id="run-progress" max="1"></progress> <span id="run-progress-text"></span>
<button type="button" class="secondary small" data-cancel>Cancel</button></p>
<noscript><a href="${base}/result">Show the results</a></noscript></section>`;
  return {
    title: "Modeling",
    nav: "modeling",
    body: markup`<h2>Results</h2>${results}<h2>Run again</h2>${await formHtml(ctx, run.spec)}`,
  };
}

/** Compute a run in the worker pool (or join the computation under way). */
async function compute(ctx: Ctx, id: string, run: Run): Promise<ModelingRunOutput> {
  if (run.result) return run.result;
  const runs = runsOf(ctx);
  let set: ParameterSet;
  if (run.spec.parameters.startsWith("upload:")) {
    const upload = runs.uploads.get(run.spec.parameters.slice(7));
    if (!upload) {
      throw new HttpError(
        410,
        "The uploaded parameter set of this run is no longer kept by this server: upload it again",
      );
    }
    set = upload.set;
  } else set = BUILTIN_PARAMETER_SETS[run.spec.parameters];
  let input: ModelingRunInput;
  if (run.spec.test) {
    const test = await requireTest(ctx.store, run.spec.test);
    if (test.updated_at !== run.testVersion) {
      throw new HttpError(
        409,
        `Test "${test.name}" changed since this run was submitted: submit the form again`,
      );
    }
    const series = await ctx.store.series.read(test.id);
    if (!series || series.length < 2) {
      throw new HttpError(400, `Test "${test.name}" has no stored time series to compare with`);
    }
    input = {
      id,
      options: modelingOptions(run.spec, set),
      test: { label: `test ${test.id} (${test.name})`, series },
    };
  } else {
    input = { id, options: modelingOptions(run.spec, set), test: null };
  }
  run.computing++;
  try {
    const result = await ctx.compute.pool.run<ModelingRunOutput>("modelingRun", input, {
      key: `modeling:${id}`,
      heavy: true,
      signal: ctx.req.signal,
      transfer: input.test ? transferables(input.test.series) : [],
      onProgress: (p) => (run.progress = p as ModelingProgress),
    });
    runs.keep(run, result);
    run.failed = null;
    return result;
  } catch (err) {
    if (isModelError(err)) run.failed = `${(err as Error).name}: ${(err as Error).message}`;
    throw err;
  } finally {
    run.computing--;
  }
}

/** An error of the model or its inputs (not of the server). */
function isModelError(err: unknown): boolean {
  return err instanceof RangeError || err instanceof TypeError ||
    (err instanceof Error && ["SolverError", "SyntaxError", "ParseError", "ParameterSetError"]
      .includes(err.name));
}

const WHAT = {
  what: "the simulation",
  hint: "simulate fewer cycles, use a lighter model or fit fewer parameters",
};

/** The results of a run, as an HTML fragment (computed in the worker pool). */
export async function modelingResultFragment(ctx: Ctx, id: string): Promise<Response> {
  new Params(ctx.url, []);
  const run = requireRun(ctx, id);
  try {
    return fragmentResponse((await compute(ctx, id, run)).html);
  } catch (err) {
    if (isModelError(err)) {
      return fragmentResponse(
        markup`<p class="error" id="modeling-error">The model could not run these options: ${
          (err as Error).message
        }</p>`.value,
        422,
      );
    }
    if (err instanceof HttpError) throw err;
    return computeFailure(err, { ...WHAT, signal: ctx.req.signal });
  }
}

/** How far a run has got, as JSON: `{state, progress}`. */
export function modelingProgress(ctx: Ctx, id: string): Response {
  new Params(ctx.url, []);
  const run = requireRun(ctx, id);
  const state = run.result
    ? "done"
    : run.failed
    ? "failed"
    : run.computing > 0
    ? (run.progress ? "running" : "starting")
    : "waiting";
  return json({ state, progress: run.progress, error: run.failed }, 200);
}

function json(value: unknown, status: number): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

/** The simulation as `simulate --csv` or `--json` writes it, or the fitted set, as a download. */
export async function modelingDownload(
  ctx: Ctx,
  id: string,
  file: "simulation.csv" | "simulation.json" | "parameters.json",
): Promise<Response> {
  new Params(ctx.url, []);
  const run = requireRun(ctx, id);
  let result: ModelingRunOutput;
  try {
    result = await compute(ctx, id, run);
  } catch (err) {
    if (isModelError(err)) {
      throw new HttpError(422, `The model could not run these options: ${(err as Error).message}`);
    }
    if (err instanceof HttpError) throw err;
    const failure = computeFailure(err, { ...WHAT, signal: ctx.req.signal });
    throw new HttpError(failure.status, await failure.text());
  }
  const name = `simulation-${run.spec.model}-${id.slice(0, 8)}`;
  if (file === "parameters.json") {
    if (result.fittedSet === null) throw new HttpError(404, "This run fitted no parameters");
    return download(
      result.fittedSet,
      "application/json",
      `fitted-parameters-${id.slice(0, 8)}.json`,
    );
  }
  return file === "simulation.csv"
    ? download(result.csv, "text/csv; charset=utf-8", `${name}.csv`)
    : download(result.json, "application/json", `${name}.json`);
}

function download(body: string, type: string, name: string): Response {
  return new Response(body, {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": type,
      "content-disposition": attachment(name),
      "cache-control": "no-store",
    },
  });
}

/**
 * Check an experiment as the user types it: `GET /modeling/experiment?steps=TEXT&cycles=N` →
 * `{ok: true, steps, cycles}` (the expanded experiment's size), or `{ok: false, line, error}`
 * naming the line and the step (still a 200: the answer to the question; a bad `cycles` is a
 * 400).
 */
export function checkExperimentJson(ctx: Ctx): Response {
  const p = new Params(ctx.url, ["steps", "cycles"]);
  const cycles = p.int("cycles", { min: 1, max: MAX_CYCLES }) ?? 1;
  const text = ctx.url.searchParams.get("steps") ?? "";
  if (text.length > MAX_EXPERIMENT_CHARS) {
    return json(
      { ok: false, line: null, error: `At most ${MAX_EXPERIMENT_CHARS} characters` },
      200,
    );
  }
  const problem = experimentProblem(text, cycles);
  // Steps that do not read are the answer here (200); a run with them is a 400.
  if (problem) {
    return json({ ok: false, line: problem.line, error: problem.message }, 200);
  }
  const lines = readExperimentText(text);
  if (lines.length === 0) return json({ ok: true, steps: 0, cycles: 0 }, 200);
  const e = parseExperiment(lines, { cycles, maxSteps: MAX_STEPS });
  return json({ ok: true, steps: e.steps.length, cycles: e.cycle[e.cycle.length - 1] }, 200);
}

const RUN = "/modeling/runs/([0-9a-f]+)";

/** The page's routes (added to the dashboard's by `createDashboardHandler`). */
export const MODELING_ROUTES: {
  method: "GET" | "POST";
  pattern: RegExp;
  run: (ctx: Ctx, params: string[], form: FormData | null) => Promise<Page | Response>;
  fragment?: boolean;
}[] = [
  { method: "GET", pattern: /^\/modeling$/, run: (ctx) => modelingPage(ctx) },
  { method: "POST", pattern: /^\/modeling\/run$/, run: (ctx, _p, form) => runModeling(ctx, form!) },
  {
    method: "GET",
    pattern: /^\/modeling\/experiment$/,
    run: (ctx) => Promise.resolve(checkExperimentJson(ctx)),
  },
  { method: "GET", pattern: new RegExp(`^${RUN}$`), run: (ctx, [id]) => modelingRunPage(ctx, id) },
  {
    method: "GET",
    pattern: new RegExp(`^${RUN}/result$`),
    run: (ctx, [id]) => modelingResultFragment(ctx, id),
    fragment: true,
  },
  {
    method: "GET",
    pattern: new RegExp(`^${RUN}/progress$`),
    run: (ctx, [id]) => Promise.resolve(modelingProgress(ctx, id)),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${RUN}/(simulation\\.csv|simulation\\.json|parameters\\.json)$`),
    run: (ctx, [id, file]) =>
      modelingDownload(ctx, id, file as "simulation.csv" | "simulation.json" | "parameters.json"),
  },
];
