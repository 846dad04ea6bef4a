// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The Modeling page's computation, run by the dashboard's compute workers: a model study
 * (`runModelStudy`: the simulation, its comparison with a stored test and the fit of parameters
 * to it — what `simulate` runs) and its results as HTML, the `simulate --json` object and the
 * `simulate --csv` text. Pure (no store, no `Deno`): the page reads the test from the store.
 */

import {
  type ModelName,
  type ModelStudy,
  type ModelStudyProgress,
  type ParameterSet,
  runModelStudy,
  type StudyTest,
} from "../../../analysis/models/mod.ts";
import type { ComputeTaskContext } from "../../compute/serve_compute_tasks.ts";
import { toBdfCsv } from "../../../parsers/to_bdf.ts";
import { markup, num, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";

/** The options of a run, as the page checked them. */
export interface ModelingOptions {
  /** Model. */
  model: ModelName;
  /** A built-in set's name or an uploaded set. */
  parameters: string | ParameterSet;
  /** Step lines (empty: the test's current, or a 1C discharge). */
  experiment: string[];
  /** Repeats of the list. */
  cycles: number;
  /** Initial SOC 0–1 or an OCV like "3.9 V" (absent: 1). */
  initialSoc?: number | string;
  /** Thermal model. */
  thermal: "isothermal" | "lumped";
  /** SEI growth. */
  sei: boolean;
  /** Output rows (absent: every 30 s plus the ends of steps). */
  points?: number;
  /** Comparison axis. */
  axis: "time" | "capacity";
  /** Parameters to fit to the test. */
  fit: string[];
}

/** What the worker receives. */
export interface ModelingRunInput {
  /** The run's id (for the download links). */
  id: string;
  /** The options. */
  options: ModelingOptions;
  /** The stored test to compare with and fit to, or null. */
  test: StudyTest | null;
}

/** What the worker returns. */
export interface ModelingRunOutput {
  /** The results section. */
  html: string;
  /** `simulate --json` of the same options. */
  json: string;
  /** `simulate --csv` of the same options (Battery Data Format CSV). */
  csv: string;
  /** The fitted parameter set as JSON (loadable again), or null without a fit. */
  fittedSet: string | null;
  /** One line: model, set, duration, capacities. */
  describe: string;
}

/** What the page shows while a run computes (sent at most ten times a second). */
export type ModelingProgress =
  | { phase: "fit"; simulations: number }
  | { phase: "simulate"; fraction: number; step: number; cycle: number; text: string };

/**
 * Most output rows of a run the page accepts: its CSV and JSON are kept in memory (a row every
 * 30 s over 2 000 h of cycling is 240 000 rows, about 20 MB of CSV).
 */
export const MAX_ROWS = 500_000;

/** Rows of a long table shown at each end (every row is in the JSON download). */
export const TABLE_ENDS = 100;

/** The options of `runModelStudy` for a run. */
export function studyOptions(input: Omit<ModelingRunInput, "id">) {
  const o = input.options;
  return {
    model: o.model,
    parameters: o.parameters,
    ...(o.experiment.length ? { experiment: o.experiment } : {}),
    cycles: o.cycles,
    ...(o.initialSoc !== undefined ? { initialSoc: o.initialSoc } : {}),
    thermal: o.thermal,
    sei: o.sei,
    ...(o.points !== undefined ? { points: o.points } : {}),
    ...(input.test ? { test: input.test, axis: o.axis } : {}),
    ...(o.fit.length ? { fit: o.fit } : {}),
  };
}

/** Run a study in a worker, reporting progress; its results as HTML, JSON and CSV. */
export function modelingRun(
  input: ModelingRunInput,
  context?: ComputeTaskContext,
): ModelingRunOutput {
  let last = 0;
  const report = (p: ModelStudyProgress) => {
    const now = Date.now();
    const end = p.phase === "simulate" && p.fraction === 1;
    if (!context || (now - last < 100 && !end)) return;
    last = now;
    context.progress(
      p.phase === "fit" ? p satisfies ModelingProgress : {
        phase: "simulate",
        fraction: p.fraction,
        step: p.step.step,
        cycle: p.step.cycle,
        text: p.step.text,
      } satisfies ModelingProgress,
    );
  };
  const study = runModelStudy({ ...studyOptions(input), onProgress: report });
  const rows = study.simulation.series.length;
  if (rows > MAX_ROWS) {
    throw new RangeError(
      `The simulation has ${rows} output rows, more than the ${MAX_ROWS} the page keeps: ask for ` +
        "fewer output rows (a number in Output rows) or fewer cycles",
    );
  }
  return {
    html: resultsHtml(input.id, study).value,
    json: JSON.stringify(study.toJSON()),
    csv: toBdfCsv(study.simulation.series),
    fittedSet: study.fit ? JSON.stringify(study.fit.set, null, 2) : null,
    describe: study.simulation.describe(),
  };
}

/** The first and last {@link TABLE_ENDS} rows, with a row saying how many are left out. */
function longRows<T>(rows: readonly T[], cells: (row: T) => SafeHtml, columns: number): SafeHtml {
  if (rows.length <= 2 * TABLE_ENDS) return markup`${rows.map(cells)}`;
  const hidden = rows.length - 2 * TABLE_ENDS;
  return markup`${
    rows.slice(0, TABLE_ENDS).map(cells)
  }<tr class="muted"><td colspan="${columns}">… ${hidden} rows not shown (all are in the JSON download)</td></tr>${
    rows.slice(-TABLE_ENDS).map(cells)
  }`;
}

function mV(volts: number): string {
  return num(volts * 1000, 4);
}

/** The results of a run. */
export function resultsHtml(id: string, study: ModelStudy): SafeHtml {
  const sim = study.simulation;
  const s = sim.summary;
  const base = `/modeling/runs/${encodeURIComponent(id)}`;
  const parts: SafeHtml[] = [];
  parts.push(markup`<p id="sim-describe"><strong>${sim.describe()}</strong></p>`);
  if (!s.completed) {
    parts.push(
      markup`<p id="sim-stopped"><span class="flag flag-warning">stopped early</span> ${s.stopped_reason}: the steps after it did not run.</p>`,
    );
  }
  const notes = [...sim.notes, ...(study.cycleLife?.notes.slice(sim.notes.length) ?? [])];
  if (notes.length) {
    parts.push(
      markup`<ul id="sim-notes">${
        notes.map((n) => markup`<li><span class="flag flag-warning">note</span> ${n}</li>`)
      }</ul>`,
    );
  }
  parts.push(
    markup`<p class="downloads" id="sim-downloads">Download the simulation: <a href="${base}/simulation.csv" download>CSV</a> (Battery Data Format, as <code>simulate --csv</code>: every tool here reads it) · <a href="${base}/simulation.json" download>JSON</a> (as <code>simulate --json</code>)${
      study.fit
        ? markup` · <a href="${base}/parameters.json" download id="fitted-set-link">fitted parameter set</a> (JSON, to upload again)`
        : ""
    }</p>`,
  );
  const temperature = sim.series.temperature_C
    ? "and temperature (lumped thermal model)"
    : "(isothermal: constant temperature)";
  parts.push(markup`<div class="row">${
    plot(
      "plot-simulation",
      sim.plotSpec({ width: 560, height: 220 }),
      `Voltage, current ${temperature} against time; at most 2000 points per curve`,
    )
  }<table id="sim-summary"><tbody>
<tr><th>Discharged (Ah)</th><td class="num">${num(s.discharge_capacity_Ah, 5)}</td></tr>
<tr><th>Charged (Ah)</th><td class="num">${num(s.charge_capacity_Ah, 5)}</td></tr>
<tr><th>Energy out (Wh)</th><td class="num">${num(s.discharge_energy_Wh, 5)}</td></tr>
<tr><th>Energy in (Wh)</th><td class="num">${num(s.charge_energy_Wh, 5)}</td></tr>
<tr><th>Duration (h)</th><td class="num">${num(s.final_time_s / 3600, 5)}</td></tr>
<tr><th>Voltage min / max / end (V)</th><td class="num">${num(s.min_voltage_V, 5)} / ${
    num(s.max_voltage_V, 5)
  } / ${num(s.final_voltage_V, 5)}</td></tr>
<tr><th>Initial SOC / OCV (V)</th><td class="num">${num(s.initial_soc, 4)} / ${
    num(s.initial_ocv_V, 5)
  }</td></tr>
<tr><th>Temperature max / end (K)</th><td class="num">${num(s.max_temperature_K, 5)} / ${
    num(s.final_temperature_K, 5)
  }</td></tr>
${
    s.final_sei_thickness_m !== null
      ? markup`<tr><th>SEI thickness at end (nm)</th><td class="num">${
        num(s.final_sei_thickness_m * 1e9, 4)
      }</td></tr><tr><th>Capacity lost to SEI (Ah)</th><td class="num">${
        num(s.capacity_lost_to_sei_Ah, 4)
      }</td></tr>`
      : ""
  }
<tr><th>Cycles / steps</th><td class="num">${s.cycles} / ${sim.steps.length}</td></tr>
<tr><th>Rows</th><td class="num">${sim.series.length}</td></tr>
<tr><th>Solver steps (rejected)</th><td class="num">${s.solver.steps} (${s.solver.rejected})</td></tr>
<tr><th>Run time (ms)</th><td class="num">${num(s.elapsed_ms, 3)}</td></tr>
</tbody></table></div>`);
  parts.push(
    markup`<h3>Steps</h3><table id="sim-steps"><thead><tr><th class="num">Step</th><th class="num">Cycle</th><th>Step text</th><th class="num">End (s)</th><th>Ended by</th><th class="num">V end</th><th class="num">Discharged (Ah)</th><th class="num">Charged (Ah)</th></tr></thead><tbody>${
      longRows(
        sim.steps,
        (st) =>
          markup`<tr><td class="num">${st.step}</td><td class="num">${st.cycle}</td><td>${st.text}</td><td class="num">${
            num(st.end_time_s, 6)
          }</td><td>${st.termination}</td><td class="num">${
            num(st.end_voltage_V, 5)
          }</td><td class="num">${num(st.discharge_capacity_Ah, 5)}</td><td class="num">${
            num(st.charge_capacity_Ah, 5)
          }</td></tr>`,
        8,
      )
    }</tbody></table>`,
  );
  if (sim.cycles.length > 1) {
    const sei = s.final_sei_thickness_m !== null;
    parts.push(
      markup`<h3>Cycles</h3><table id="sim-cycles"><thead><tr><th class="num">Cycle</th><th class="num">Discharged (Ah)</th><th class="num">Charged (Ah)</th><th class="num">Energy out (Wh)</th><th class="num">Energy in (Wh)</th><th class="num">End (h)</th>${
        sei ? markup`<th class="num">SEI (nm)</th><th class="num">Li lost (mmol)</th>` : ""
      }</tr></thead><tbody>${
        longRows(
          sim.cycles,
          (c) =>
            markup`<tr><td class="num">${c.cycle}</td><td class="num">${
              num(c.discharge_capacity_Ah, 5)
            }</td><td class="num">${num(c.charge_capacity_Ah, 5)}</td><td class="num">${
              num(c.discharge_energy_Wh, 5)
            }</td><td class="num">${num(c.charge_energy_Wh, 5)}</td><td class="num">${
              num(c.end_time_s / 3600, 5)
            }</td>${
              sei
                ? markup`<td class="num">${
                  num((c.sei_thickness_m ?? NaN) * 1e9, 4)
                }</td><td class="num">${num((c.lithium_lost_mol ?? NaN) * 1000, 4)}</td>`
                : ""
            }</tr>`,
          sei ? 8 : 6,
        )
      }</tbody></table>`,
    );
  }
  const life = study.cycleLifeText();
  if (life) parts.push(markup`<p id="sim-cycle-life">${life}</p>`);
  if (study.fit) parts.push(fitHtml(study));
  if (study.comparison) parts.push(comparisonHtml(study));
  return markup`<div id="modeling-result">${parts}</div>`;
}

function fitHtml(study: ModelStudy): SafeHtml {
  const fit = study.fit!;
  return markup`<h2>Fit to ${study.test!.label}</h2><p id="fit-summary">${
    fit.toString().split("\n")[0]
  }</p>${
    fit.converged
      ? ""
      : markup`<p id="fit-not-converged"><span class="flag flag-warning">not converged</span> ${fit.message}: the values are where the iteration stopped.</p>`
  }
<table id="fit-parameters"><thead><tr><th>Parameter</th><th class="num">Start</th><th class="num">Fitted</th><th class="num">Std. error</th><th class="num">Rel. std. error (%)</th><th class="num">Lower</th><th class="num">Upper</th><th>Flags</th></tr></thead><tbody>${
    fit.parameters.map((p) =>
      markup`<tr data-path="${p.path}"><td><code>${p.path}</code>${
        p.factor ? markup` <span class="muted">(factor on the function)</span>` : ""
      }</td><td class="num">${num(p.initial, 5)}</td><td class="num">${
        num(p.value, 6)
      }</td><td class="num">${num(p.standard_error, 3)}</td><td class="num">${
        num(Math.abs(p.standard_error / p.value) * 100, 3)
      }</td><td class="num">${num(p.lower, 4)}</td><td class="num">${num(p.upper, 4)}</td><td>${
        p.at_bound
          ? markup`<span class="flag flag-warning" title="The value ended at a bound: its standard error is not an estimate">at bound</span>`
          : ""
      }${
        Number.isFinite(p.standard_error)
          ? ""
          : markup`<span class="flag flag-warning" title="The fit could not estimate it (the voltage does not depend on this parameter here, or parameters are confounded)">no std. error</span>`
      }</td></tr>`
    )
  }</tbody></table>
<p class="muted">Standard errors from s²(JᵀJ)⁻¹ at the solution (bounded Levenberg–Marquardt on the voltage at up to 300 measured rows); the simulation above uses the fitted values${
    typeof fit.initial_soc === "number" ? markup` and initial SOC ${num(fit.initial_soc, 5)}` : ""
  }.</p>`;
}

function comparisonHtml(study: ModelStudy): SafeHtml {
  const c = study.comparison!;
  return markup`<h2>Against ${study.test!.label}</h2><p id="comparison-summary">${c.describe()}</p>
<div class="row">${
    plot(
      "plot-overlay",
      c.overlaySpec({ width: 560, height: 240 }),
      c.axis === "time"
        ? "Measured and simulated voltage at measured rows (the simulation interpolated at their times), and the difference"
        : "Measured and simulated voltage against the charge passed in each matching half cycle, and the difference",
    )
  }<div><table id="comparison-errors"><tbody>
<tr><th>Voltage RMSE (mV)</th><td class="num">${mV(c.rmse_V)}</td></tr>
<tr><th>Mean absolute difference (mV)</th><td class="num">${mV(c.mae_V)}</td></tr>
<tr><th>Largest difference (mV)</th><td class="num">${mV(c.max_abs_V)}</td></tr>
<tr><th>Points compared</th><td class="num">${c.points.length}</td></tr>
</tbody></table></div></div>
${
    c.cycles.length
      ? markup`<h3>Capacity per cycle</h3><table id="comparison-cycles"><thead><tr><th class="num">Cycle</th><th class="num">Discharge measured (Ah)</th><th class="num">simulated (Ah)</th><th class="num">error (%)</th><th class="num">Charge measured (Ah)</th><th class="num">simulated (Ah)</th><th class="num">error (%)</th></tr></thead><tbody>${
        longRows(
          c.cycles,
          (r) =>
            markup`<tr><td class="num">${r.cycle}</td><td class="num">${
              num(r.measured_discharge_Ah, 5)
            }</td><td class="num">${num(r.simulated_discharge_Ah, 5)}</td><td class="num">${
              num(r.discharge_error_percent, 3)
            }</td><td class="num">${num(r.measured_charge_Ah, 5)}</td><td class="num">${
              num(r.simulated_charge_Ah, 5)
            }</td><td class="num">${num(r.charge_error_percent, 3)}</td></tr>`,
          7,
        )
      }</tbody></table>`
      : markup`<p class="muted" id="comparison-cycles">No cycle in common to compare capacities.</p>`
  }`;
}
