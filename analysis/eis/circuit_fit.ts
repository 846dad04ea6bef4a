// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { escapeHtml, htmlTable, JUPYTER_DISPLAY, type MimeBundle, textTable } from "../_display.ts";
import type { Circuit, CircuitImpedance } from "./circuit.ts";
import type { Weighting } from "./_fit_core.ts";
import {
  type FitOneResult,
  type FitQuality,
  type ParameterFlag,
  parameterStatus,
} from "./_fit_one.ts";
import type { SpectrumData } from "./_spectrum_data.ts";
import { FittedSpectrum } from "./_fitted_spectrum.ts";
import { fitCharts } from "./eis_charts.ts";

/** One fitted parameter. */
export interface FittedParameter {
  /** impedance.py-style name (`R0`, `Wo1_1`). */
  name: string;
  /** Fitted (or fixed) value. */
  value: number;
  /** One standard error, `NaN` for fixed or undetermined parameters. */
  stderr: number;
  /** `stderr / |value|`. */
  relative_error: number;
  /** Unit. */
  unit: string;
  /** What it is. */
  description: string;
  /** Held constant. */
  fixed: boolean;
  /** Ended at a bound, or ran off towards 0 or ∞ (see `flag`). */
  at_bound: boolean;
  /**
   * The data do not determine this free parameter: it is at a bound, ran off, or its relative
   * standard error exceeds 100 % (or there is no covariance). Its `stderr` and
   * `relative_error` are then not estimates, and every surface says "not determined" rather
   * than printing them.
   */
  undetermined: boolean;
  /**
   * What is doubtful, in words: `""`, `"fixed"`, `"at lower bound"`, `"at upper bound"`,
   * `"ran off towards 0"`, `"ran off towards ∞"` or `"not determined"`.
   */
  flag: ParameterFlag;
}

/** A summary of one candidate of the automatic circuit choice. */
export interface CandidateSummary {
  /** Circuit string. */
  circuit: string;
  /** Number of free parameters. */
  parameters: number;
  /** Weighted χ² (sum of squared weighted residuals). */
  chi_square: number;
  /** Akaike information criterion. */
  aic: number;
  /** Bayesian information criterion. */
  bic: number;
  /** Quality grade. */
  quality: FitQuality["level"];
  /** Reasons of the grade. */
  reasons: string[];
  /** Remarks of its fit (an escalated search, a nested circuit that fits as well). */
  notes: string[];
  /** Whether this candidate was chosen. */
  chosen: boolean;
}

/**
 * Table rows of the parameters for text and HTML: the relative error in percent, or "not
 * determined" (never an absurd percentage), or "—" for constants; standard errors of
 * undetermined parameters are left out for the same reason.
 */
function parameterRows(parameters: FittedParameter[]): Record<string, unknown>[] {
  return parameters.map((p) => ({
    ...p,
    stderr: p.undetermined ? NaN : p.stderr,
    rel: p.fixed
      ? "—"
      : p.undetermined
      ? "not determined"
      : `${(100 * p.relative_error).toFixed(2)} %`,
  }));
}

/**
 * The result of fitting an equivalent circuit to a spectrum: parameters with standard errors,
 * goodness of fit, residuals, a quality grade with reasons, and plots (Nyquist, Bode,
 * residuals) in notebooks.
 *
 * @example
 * ```ts
 * import { fitCircuit } from "./fit_circuit.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { equal, ok } from "node:assert/strict";
 *
 * const f = Array.from({ length: 40 }, (_, i) => 10 ** (5 - i / 6));
 * const data = parseCircuit("R0-p(R1,C1)").impedance([29, 47, 1e-5], f);
 * const fit = fitCircuit(data, { circuit: "R0-p(R1,C1)" }); // a CircuitFit
 * ok(Math.abs(fit.value("R0") - 29) < 1e-6);
 * equal(fit.parameters.length, 3);
 * ```
 */
export class CircuitFit extends FittedSpectrum {
  /** Circuit string. */
  readonly circuit: string;
  /** Parameters in circuit order. */
  readonly parameters: FittedParameter[];
  /** Weighting used (`auto` resolved to `unit` or `modulus`). */
  readonly weighting: Weighting;
  /** Why this weighting: `given`, or the `auto` rule's reason (the spread of |Z|). */
  readonly weighting_reason: string;
  /** Number of points fitted. */
  readonly n_points: number;
  /** Weighted χ²: Σ of squared weighted residuals (real and imaginary). */
  readonly chi_square: number;
  /** χ² / (2N − free parameters). */
  readonly chi_square_reduced: number;
  /** √(Σ w²|Z − Ẑ|² / Σ w²|Z|²) with the fit's weights w: misfit relative to the data. */
  readonly relative_rmse: number;
  /** Akaike information criterion, 2N·ln(χ²/2N) + 2k. */
  readonly aic: number;
  /** Bayesian information criterion, 2N·ln(χ²/2N) + k·ln(2N). */
  readonly bic: number;
  /** Quality grade with reasons. */
  readonly quality: FitQuality;
  /** Remarks that do not change the grade. */
  readonly notes: string[];
  /** Whether the optimizer met a convergence test. */
  readonly converged: boolean;
  /** Iterations of the final refinement. */
  readonly iterations: number;
  /** Starting vectors tried. */
  readonly starts: number;
  /** Index of each fitted point in the input spectrum. */
  readonly point_index: Int32Array;
  /** Candidates of the automatic circuit choice (when no circuit was given). */
  candidates?: CandidateSummary[];
  #circuit: Circuit;
  #params: Float64Array;

  /** @internal Built by `fitCircuit`. */
  constructor(
    circuit: Circuit,
    data: SpectrumData,
    fit: FitOneResult,
    weighting: { weighting: Weighting; reason: string },
  ) {
    const fitRe = new Float64Array(data.n), fitIm = new Float64Array(data.n);
    circuit.evaluate(fit.params, data.w, fitRe, fitIm);
    super(data, fitRe, fitIm);
    this.#circuit = circuit;
    this.#params = Float64Array.from(fit.params);
    this.circuit = circuit.text;
    const free = new Set(fit.problem.free);
    const status = parameterStatus(fit.problem, fit, fit.relativeErrors);
    this.parameters = circuit.parameters.map((p, k) => ({
      name: p.name,
      value: fit.params[k],
      stderr: free.has(k) ? fit.standardErrors[k] : NaN,
      relative_error: free.has(k) ? fit.relativeErrors[k] : NaN,
      unit: p.unit,
      description: p.description,
      fixed: !free.has(k),
      at_bound: fit.atBound.includes(k),
      undetermined: status[k].undetermined,
      flag: status[k].flag,
    }));
    this.weighting = weighting.weighting;
    this.weighting_reason = weighting.reason;
    this.n_points = data.n;
    this.chi_square = fit.cost;
    this.chi_square_reduced = fit.cost / (2 * data.n - fit.problem.free.length);
    this.relative_rmse = fit.relativeRmse;
    this.aic = fit.aic;
    this.bic = fit.bic;
    this.quality = fit.quality;
    this.notes = fit.notes;
    this.converged = fit.converged;
    this.iterations = fit.iterations;
    this.starts = fit.starts;
    this.point_index = Int32Array.from(data.index);
  }

  /** Fitted values in circuit order. */
  get values(): number[] {
    return Array.from(this.#params);
  }

  /** Fitted value of a parameter by name (`"R0"`, `"Wo1_1"`). */
  value(name: string): number {
    const p = this.parameters.find((q) => q.name === name);
    if (!p) {
      throw new RangeError(
        `Cannot read "${name}": not a parameter of ${this.circuit} (${
          this.parameters.map((q) => q.name).join(", ")
        })`,
      );
    }
    return p.value;
  }

  /**
   * Impedance of the fitted circuit at any frequencies.
   *
   * @example Predict outside the measured range
   * ```ts
   * import { fitCircuit } from "./fit_circuit.ts";
   * import { parseCircuit } from "./circuit.ts";
   * import { ok } from "node:assert/strict";
   *
   * const f = Array.from({ length: 30 }, (_, i) => 10 ** (5 - i / 5));
   * const z = parseCircuit("R0-p(R1,C1)").impedance([10, 40, 1e-5], f);
   * const fit = fitCircuit(z, { circuit: "R0-p(R1,C1)" });
   * ok(Math.abs(fit.predict([1e-3]).z_real_ohm[0] - 50) < 1e-6);
   * ```
   */
  predict(frequency_Hz: ArrayLike<number>): CircuitImpedance {
    return this.#circuit.impedance(this.#params, frequency_Hz);
  }

  /** Plain JSON (arrays instead of typed arrays). */
  toJSON(): Record<string, unknown> {
    return {
      circuit: this.circuit,
      parameters: this.parameters,
      weighting: this.weighting,
      weighting_reason: this.weighting_reason,
      n_points: this.n_points,
      chi_square: this.chi_square,
      chi_square_reduced: this.chi_square_reduced,
      relative_rmse: this.relative_rmse,
      aic: this.aic,
      bic: this.bic,
      quality: this.quality,
      notes: this.notes,
      converged: this.converged,
      iterations: this.iterations,
      starts: this.starts,
      ...(this.candidates ? { candidates: this.candidates } : {}),
      frequency_Hz: Array.from(this.frequency_Hz),
      fit_real_ohm: Array.from(this.fit_real_ohm),
      fit_imag_ohm: Array.from(this.fit_imag_ohm),
      residual_real: Array.from(this.residual_real),
      residual_imag: Array.from(this.residual_imag),
    };
  }

  /** A text summary: circuit, quality, parameter table. */
  override toString(): string {
    const rows = parameterRows(this.parameters);
    const head = [
      `circuit ${this.circuit}  (${this.n_points} points, weighting ${this.weighting}${
        this.weighting_reason === "given" ? "" : ` (${this.weighting_reason})`
      })`,
      `quality ${this.quality.level}${
        this.quality.reasons.length ? ": " + this.quality.reasons.join("; ") : ""
      }`,
      `chi² ${this.chi_square.toExponential(4)}  reduced ${
        this.chi_square_reduced.toExponential(4)
      }  relative RMS ${(100 * this.relative_rmse).toFixed(2)} %`,
      ...this.notes.map((n) => `note: ${n}`),
    ];
    return [
      ...head,
      textTable(rows, [
        { key: "name", label: "parameter" },
        { key: "value", digits: 5 },
        { key: "stderr", label: "± stderr", digits: 3 },
        { key: "rel", label: "rel. error" },
        { key: "unit" },
        { key: "flag", label: "" },
      ]),
    ].join("\n");
  }

  /**
   * Jupyter MIME bundle: parameter table and the Nyquist/Bode/residual plots. The HTML has
   * everything the text has (goodness of fit, notes, the candidates of an automatic choice):
   * JupyterLab shows only the HTML.
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    const table = htmlTable(
      parameterRows(this.parameters),
      [
        { key: "name", label: "parameter" },
        { key: "value", digits: 5 },
        { key: "stderr", label: "± stderr", digits: 3 },
        { key: "rel", label: "rel. error" },
        { key: "unit" },
        { key: "flag", label: "" },
      ],
    );
    const stats = `${this.n_points} points, weighting ${this.weighting}${
      this.weighting_reason === "given" ? "" : ` (${this.weighting_reason})`
    }; χ² ${this.chi_square.toExponential(4)}, reduced ${
      this.chi_square_reduced.toExponential(4)
    }, relative RMS ${(100 * this.relative_rmse).toFixed(2)} %`;
    const notes = this.notes.length
      ? `<ul>${this.notes.map((n) => `<li>note: ${escapeHtml(n)}</li>`).join("")}</ul>`
      : "";
    const candidates = this.candidates
      ? `<p>Candidate circuits:</p>${
        htmlTable(this.candidates.map((c) => ({ ...c, chosen: c.chosen ? "✓" : "" })), [
          { key: "circuit" },
          { key: "parameters" },
          { key: "chi_square", label: "χ²" },
          { key: "bic", label: "BIC", digits: 6 },
          { key: "quality" },
          { key: "chosen" },
        ])
      }`
      : "";
    return {
      "text/plain": this.toString(),
      "text/html": `<p><b>${escapeHtml(this.circuit)}</b> — quality ${
        escapeHtml(this.quality.level)
      }${
        this.quality.reasons.length ? ": " + escapeHtml(this.quality.reasons.join("; ")) : ""
      }</p><p>${escapeHtml(stats)}</p>${notes}${table}${candidates}`,
      "application/vnd.vegalite.v5+json": fitCharts(this),
    };
  }
}
