// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The computed sections of an EIS page — circuit fit (Nyquist, Bode, residuals, parameters),
 * linear Kramers–Kronig test and DRT — as HTML. Pure (no store, no Deno): the dashboard's
 * compute workers run it, so a long fit never holds up another request.
 */

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
import type { Spectrum } from "../../model/spectrum.ts";
import { markup, num, type SafeHtml } from "../_html.ts";
import { plot } from "../_plot.ts";

/** What {@link eisSections} computes. */
export interface EisSectionsInput {
  /** The spectrum. */
  spectrum: Spectrum;
  /** Frequency range and capacitive-only selection. */
  selection: PointSelection;
  /** Circuit to fit; empty: chosen automatically. */
  circuit: string;
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

/** Fit, KK and DRT sections of one spectrum, as HTML. */
export function eisSections(input: EisSectionsInput): string {
  const { spectrum, selection, circuit } = input;
  const parts: SafeHtml[] = [];
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
  return markup`${parts}`.value;
}
