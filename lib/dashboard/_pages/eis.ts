// Copyright 2026 the battery-analysis authors. MIT license.

import { fitCircuit } from "../../../analysis/eis/fit_circuit.ts";
import type { CircuitFit } from "../../../analysis/eis/circuit_fit.ts";
import { linKK } from "../../../analysis/eis/lin_kk.ts";
import { computeDrt } from "../../../analysis/eis/drt.ts";
import {
  bodeChart,
  drtChart,
  nyquistChart,
  residualChart,
} from "../../../analysis/eis/eis_charts.ts";
import type { PointSelection } from "../../../analysis/eis/mod.ts";
import { type Ctx, HttpError, type Page } from "../_context.ts";
import { requireTest } from "../_data.ts";
import { markup, num, type SafeHtml, when } from "../_html.ts";
import { plot } from "../_plot.ts";
import { emptyStore } from "./overview.ts";

/** Tests with impedance spectra. */
export async function eisListPage(ctx: Ctx): Promise<Page> {
  const tests = (await ctx.store.tests.find({ without_cycles: true })).filter((t) =>
    t.data.spectra.length > 0
  );
  if ((await ctx.store.tests.count()) === 0) {
    return { title: "EIS", nav: "eis", body: emptyStore(ctx) };
  }
  const samples = new Map((await ctx.store.samples.find()).map((s) => [s.id, s]));
  const body = tests.length === 0
    ? markup`<p class="muted" id="no-spectra">No test in the store has impedance spectra.</p>`
    : markup`<div class="scroll"><table id="eis-tests"><thead><tr><th>Test</th><th>Sample</th><th>Tester</th><th>Start</th>
<th class="num">Spectra</th><th class="num">Points</th></tr></thead><tbody>${
      tests.map((t) =>
        markup`<tr><td><a href="/eis/${encodeURIComponent(t.id)}">${t.name}</a></td><td>${
          samples.get(t.sample_id)?.name ?? "—"
        }</td>
<td>${t.tester}</td><td>${when(t.start_time)}</td><td class="num">${t.data.spectra.length}</td>
<td class="num">${t.data.spectra.reduce((s, x) => s + x.length, 0)}</td></tr>`
      )
    }</tbody></table></div>`;
  return { title: "EIS", nav: "eis", body };
}

function section(title: string, run: () => SafeHtml): SafeHtml {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof RangeError || err instanceof TypeError)) throw err;
    return markup`<h2>${title}</h2><p class="error">${err.message}</p>`;
  }
}

function fitSection(fit: CircuitFit): SafeHtml {
  return markup`<p id="fit-summary">Circuit <code>${fit.circuit}</code>: quality <strong class="quality-${fit.quality.level}">${fit.quality.level}</strong>,
relative RMSE ${num(fit.relative_rmse * 100, 3)} %, χ²ᵣ ${
    num(fit.chi_square_reduced, 3)
  }, ${fit.n_points} points, weighting ${fit.weighting}${
    fit.weighting_reason === "given" ? "" : markup` (${fit.weighting_reason})`
  }${fit.quality.reasons.length ? markup` — ${fit.quality.reasons.join("; ")}` : ""}.</p>${
    fit.notes.length
      ? markup`<ul id="fit-notes">${fit.notes.map((n) => markup`<li>${n}</li>`)}</ul>`
      : ""
  }
<table id="fit-params"><thead><tr><th>Parameter</th><th class="num">Value</th><th class="num">± (1σ)</th><th>Unit</th><th>Meaning</th><th></th></tr></thead><tbody>${
    fit.parameters.map((p) =>
      markup`<tr><td>${p.name}</td><td class="num">${num(p.value)}</td><td class="num">${
        p.undetermined ? "not determined" : num(p.stderr, 2)
      }</td><td>${p.unit}</td>
<td>${p.description}</td><td>${p.flag}</td></tr>`
    )
  }</tbody></table>${
    fit.candidates
      ? markup`<h2>Candidate circuits</h2><table id="fit-candidates"><thead><tr><th>Circuit</th><th class="num">Parameters</th><th class="num">BIC</th><th>Quality</th><th></th></tr></thead><tbody>${
        fit.candidates.map((c) =>
          markup`<tr><td><code>${c.circuit}</code></td><td class="num">${c.parameters}</td><td class="num">${
            num(c.bic)
          }</td>
<td>${c.quality}</td><td>${c.chosen ? "chosen" : ""}</td></tr>`
        )
      }</tbody></table>`
      : ""
  }`;
}

/** One EIS test: spectrum picker, circuit box, Nyquist/Bode with fit, residuals, KK and DRT. */
export async function eisPage(ctx: Ctx, id: string): Promise<Page> {
  const test = await requireTest(ctx.store, id);
  const spectra = await ctx.store.spectra.read(test.id);
  if (spectra.length === 0) {
    throw new HttpError(404, `Test "${test.name}" has no impedance spectra`);
  }
  const p = ctx.url.searchParams;
  const index = Number(p.get("s") ?? "0");
  if (!Number.isInteger(index) || index < 0 || index >= spectra.length) {
    throw new HttpError(400, `Spectrum ${p.get("s")} does not exist (0 to ${spectra.length - 1})`);
  }
  const spectrum = spectra[index];
  const circuit = (p.get("circuit") ?? "").trim();
  const numberParam = (name: string) => {
    const v = p.get(name)?.trim();
    if (!v) return undefined;
    const x = Number(v);
    if (!(x > 0)) {
      throw new HttpError(400, `${name} must be a positive frequency in Hz, got "${v}"`);
    }
    return x;
  };
  const selection: PointSelection = {
    capacitiveOnly: p.get("capacitive") === "1",
    minFrequency_Hz: numberParam("fmin"),
    maxFrequency_Hz: numberParam("fmax"),
  };
  const parts: SafeHtml[] = [
    markup`<p><a href="/tests/${encodeURIComponent(test.id)}">Test details</a> · ${test.tester} · ${
      when(test.start_time)
    }</p>
<form class="filters" method="get" id="eis-form">
<label>Spectrum<select name="s" id="spectrum-select">${
      spectra.map((s, i) =>
        markup`<option value="${i}"${i === index ? markup` selected` : ""}>#${i + 1}${
          s.cycle != null ? ` (cycle ${s.cycle})` : ""
        }, ${s.length} points</option>`
      )
    }</select></label>
<label>Circuit (empty: choose automatically)<input name="circuit" id="circuit-input" size="30" value="${circuit}" placeholder="R0-p(R1,CPE1)-W1"></label>
<label>Min f (Hz)<input name="fmin" size="8" value="${p.get("fmin") ?? ""}"></label>
<label>Max f (Hz)<input name="fmax" size="8" value="${p.get("fmax") ?? ""}"></label>
<label>Capacitive only<input type="checkbox" name="capacitive" value="1"${
      selection.capacitiveOnly ? markup` checked` : ""
    }></label>
<button type="submit">Fit</button></form>`,
  ];
  parts.push(section("Circuit fit", () => {
    const fit = fitCircuit(spectrum, { ...selection, ...(circuit ? { circuit } : {}) });
    return markup`<div class="plots">${
      plot(
        "plot-nyquist",
        nyquistChart(fit, { title: `Nyquist — ${fit.circuit}` }),
        "Data (points) and fitted circuit (line), equal axes",
      )
    }
${plot("plot-bode", bodeChart(fit), "Bode: |Z| and phase with the fit")}
${
      plot(
        "plot-fit-residuals",
        residualChart(fit, { title: "Fit residuals" }),
        "Relative residuals of the fit",
      )
    }</div>${fitSection(fit)}`;
  }));
  parts.push(section("Kramers–Kronig test", () => {
    const kk = linKK(spectrum, selection);
    return markup`<h2>Kramers–Kronig test</h2><p id="kk-summary">Linear KK with ${kk.M} RC elements (${
      kk.M_method === "auto" ? "lowest BIC" : kk.M_method === "mu" ? "μ criterion" : "fixed"
    }, μ = ${num(kk.mu, 3)}): <strong>${kk.pass ? "passes" : "fails"}</strong> — ${kk.reason}.</p>
<div class="plots">${
      plot(
        "plot-kk",
        residualChart(kk, { title: "Kramers–Kronig residuals" }),
        "Residuals of the KK-compliant reconstruction",
      )
    }</div>`;
  }));
  parts.push(section("Distribution of relaxation times", () => {
    const drt = computeDrt(spectrum, selection);
    return markup`<h2>Distribution of relaxation times</h2><p id="drt-summary">R∞ ${
      num(drt.r_inf_ohm)
    } Ω, polarization ${num(drt.polarization_ohm)} Ω,
λ ${num(drt.lambda, 3)} (${drt.lambda_method}), reconstruction error ${
      num(drt.relative_rmse * 100, 3)
    } %.</p>
<div class="plots">${plot("plot-drt", drtChart(drt), "γ(τ) with peaks")}</div>${
      drt.peaks.length
        ? markup`<table id="drt-peaks"><thead><tr><th class="num">τ (s)</th><th class="num">f (Hz)</th><th class="num">γ (Ω)</th><th class="num">R (Ω)</th></tr></thead><tbody>${
          drt.peaks.map((pk) =>
            markup`<tr><td class="num">${num(pk.tau_s)}</td><td class="num">${
              num(pk.frequency_Hz)
            }</td><td class="num">${num(pk.gamma_ohm)}</td><td class="num">${
              num(pk.resistance_ohm)
            }</td></tr>`
          )
        }</tbody></table>`
        : ""
    }`;
  }));
  return { title: `EIS — ${test.name}`, nav: "eis", body: markup`${parts}` };
}
