// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Vega-Lite specs of impedance data and results: Nyquist (equal aspect), Bode, fit residuals,
 * Kramers–Kronig residuals and the distribution of relaxation times. Used by the notebook
 * displays of the result types and reusable by the dashboard.
 */

import { concatCharts, layeredChart, type LayerSpec, type VegaLiteSpec } from "../_vega.ts";
import type { SpectrumLike } from "./_spectrum_data.ts";

/** Data plus an optional model curve (fit, KK reconstruction) for the charts. */
export interface SpectrumWithModel extends SpectrumLike {
  /** Model real parts at the same frequencies, Ω. */
  fit_real_ohm?: ArrayLike<number>;
  /** Model imaginary parts, Ω. */
  fit_imag_ohm?: ArrayLike<number>;
}

/** Size and title of a chart. */
export interface ChartOptions {
  /** Title. */
  title?: string;
  /** Width in pixels. @default {420} */
  width?: number;
  /** Height in pixels. @default {300} */
  height?: number;
  /** Legend name of the model curve. @default {"fit"} */
  modelName?: string;
}

function rows(
  s: SpectrumWithModel,
  model: boolean,
  name: string,
): Record<string, number | string>[] {
  const out: Record<string, number | string>[] = [];
  const re = model ? s.fit_real_ohm! : s.z_real_ohm;
  const im = model ? s.fit_imag_ohm! : s.z_imag_ohm;
  for (let i = 0; i < s.frequency_Hz.length; i++) {
    out.push({
      frequency_Hz: s.frequency_Hz[i],
      z_real_ohm: re[i],
      minus_z_imag_ohm: -im[i],
      modulus_ohm: Math.hypot(re[i], im[i]),
      minus_phase_deg: -Math.atan2(im[i], re[i]) * 180 / Math.PI,
      order: i,
      series: name,
    });
  }
  return out;
}

/** Re Z and −Im Z axes with the same Ω per pixel (a semicircle looks like one). */
function equalAxes(all: Record<string, number | string>[], width: number, height: number) {
  const xs = all.map((r) => r.z_real_ohm as number),
    ys = all.map((r) => r.minus_z_imag_ohm as number);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(0, ...ys), y1 = Math.max(...ys);
  // Equal aspect: the same Ω per pixel on both axes.
  const per = Math.max((x1 - x0) / width, (y1 - y0) / height, 1e-300) * 1.05;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const x = {
    field: "z_real_ohm",
    title: "Re Z (Ω)",
    domain: [cx - per * width / 2, cx + per * width / 2] as [number, number],
  };
  const y = {
    field: "minus_z_imag_ohm",
    title: "−Im Z (Ω)",
    domain: [cy - per * height / 2, cy + per * height / 2] as [number, number],
  };
  return { x, y };
}

/**
 * Nyquist plot (−Im Z against Re Z) with equal scales on both axes; the model, when given, as a
 * line in frequency order.
 *
 * @example
 * ```ts
 * import { nyquistChart } from "./eis_charts.ts";
 * import { ok } from "node:assert/strict";
 *
 * const spec = nyquistChart({ frequency_Hz: [1, 10], z_real_ohm: [2, 1], z_imag_ohm: [-1, -0.5] });
 * ok(Array.isArray(spec.layer));
 * ```
 */
export function nyquistChart(s: SpectrumWithModel, options: ChartOptions = {}): VegaLiteSpec {
  const width = options.width ?? 420, height = options.height ?? 300;
  const modelName = options.modelName ?? "fit";
  const data = rows(s, false, "data");
  const model = s.fit_real_ohm && s.fit_imag_ohm ? rows(s, true, modelName) : [];
  const { x, y } = equalAxes([...data, ...model], width, height);
  const color = { field: "series", type: "nominal" as const, title: "" };
  const tooltip = [{ field: "frequency_Hz", title: "f (Hz)" }, x, y];
  const layers: LayerSpec[] = [
    { mark: "point", rows: data, x, y, color, tooltip, markProps: { clip: true } },
  ];
  if (model.length) {
    layers.push({ mark: "line", rows: model, x, y, color, tooltip, order: { field: "order" } });
  }
  return layeredChart(layers, { title: options.title ?? "Nyquist", width, height });
}

/**
 * Bode plots: |Z| and −phase against frequency (log scales), data as points, model as lines.
 *
 * @example
 * ```ts
 * import { bodeChart } from "./eis_charts.ts";
 * import { ok } from "node:assert/strict";
 *
 * const spec = bodeChart({ frequency_Hz: [1, 10], z_real_ohm: [2, 1], z_imag_ohm: [-1, -0.5] });
 * ok(Array.isArray(spec.vconcat));
 * ```
 */
export function bodeChart(s: SpectrumWithModel, options: ChartOptions = {}): VegaLiteSpec {
  const width = options.width ?? 420, height = (options.height ?? 300) / 2;
  const modelName = options.modelName ?? "fit";
  const data = rows(s, false, "data");
  const model = s.fit_real_ohm && s.fit_imag_ohm ? rows(s, true, modelName) : [];
  const x = { field: "frequency_Hz", title: "f (Hz)", log: true };
  const color = { field: "series", type: "nominal" as const, title: "" };
  const panel = (field: string, title: string, log: boolean): VegaLiteSpec => {
    const y = { field, title, log };
    const layers: LayerSpec[] = [{ mark: "point", rows: data, x, y, color }];
    if (model.length) layers.push({ mark: "line", rows: model, x, y, color });
    return layeredChart(layers, { width, height });
  };
  return concatCharts([
    panel("modulus_ohm", "|Z| (Ω)", true),
    panel("minus_phase_deg", "−phase (°)", false),
  ], { title: options.title ?? "Bode" });
}

/**
 * Relative residuals (Re and Im, in % of |Z|) against frequency.
 *
 * @example
 * ```ts
 * import { residualChart } from "./eis_charts.ts";
 * import { ok } from "node:assert/strict";
 *
 * const spec = residualChart({ frequency_Hz: [1, 10], residual_real: [0.01, -0.01], residual_imag: [0, 0.002] });
 * ok(Array.isArray(spec.layer));
 * ```
 */
export function residualChart(
  r: {
    frequency_Hz: ArrayLike<number>;
    residual_real: ArrayLike<number>;
    residual_imag: ArrayLike<number>;
  },
  options: ChartOptions = {},
): VegaLiteSpec {
  const data: Record<string, number | string>[] = [];
  for (let i = 0; i < r.frequency_Hz.length; i++) {
    data.push({
      frequency_Hz: r.frequency_Hz[i],
      residual_pct: 100 * r.residual_real[i],
      part: "Re",
    });
    data.push({
      frequency_Hz: r.frequency_Hz[i],
      residual_pct: 100 * r.residual_imag[i],
      part: "Im",
    });
  }
  const x = { field: "frequency_Hz", title: "f (Hz)", log: true };
  const y = { field: "residual_pct", title: "residual (% of |Z|)", zero: true };
  return layeredChart([
    {
      mark: "line",
      rows: data,
      x,
      y,
      color: { field: "part", type: "nominal", title: "" },
      markProps: { point: true },
    },
  ], {
    title: options.title ?? "Residuals",
    width: options.width ?? 420,
    height: options.height ?? 160,
  });
}

/**
 * The charts of a circuit fit: Nyquist and Bode with data and fit, then residuals.
 *
 * @example
 * ```ts
 * import { fitCharts } from "./eis_charts.ts";
 * import { fitCircuit } from "./fit_circuit.ts";
 * import { parseCircuit } from "./circuit.ts";
 * import { equal } from "node:assert/strict";
 *
 * const f = Array.from({ length: 30 }, (_, i) => 10 ** (5 - i / 5));
 * const data = parseCircuit("R0-p(R1,C1)").impedance([10, 50, 1e-4], f);
 * const spec = fitCharts(fitCircuit(data, { circuit: "R0-p(R1,C1)" }));
 * equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
 * ```
 */
export function fitCharts(
  fit: SpectrumWithModel & {
    residual_real: ArrayLike<number>;
    residual_imag: ArrayLike<number>;
    circuit: string;
  },
): VegaLiteSpec {
  return concatCharts([
    concatCharts([nyquistChart(fit, { title: `Nyquist — ${fit.circuit}` }), bodeChart(fit)], {
      direction: "horizontal",
    }),
    residualChart(fit),
  ]);
}

/**
 * Distribution of relaxation times γ(τ) against τ (log scale), with the peaks marked.
 *
 * @example
 * ```ts
 * import { drtChart } from "./eis_charts.ts";
 * import { ok } from "node:assert/strict";
 *
 * const spec = drtChart({ tau_s: [1e-3, 1e-2], gamma_ohm: [0, 1], peaks: [{ tau_s: 1e-2, gamma_ohm: 1 }] });
 * ok(Array.isArray(spec.layer));
 * ```
 */
export function drtChart(
  drt: {
    tau_s: ArrayLike<number>;
    gamma_ohm: ArrayLike<number>;
    peaks: readonly { tau_s: number; gamma_ohm: number }[];
  },
  options: ChartOptions = {},
): VegaLiteSpec {
  const data = Array.from(drt.tau_s, (t, i) => ({ tau_s: t, gamma_ohm: drt.gamma_ohm[i] }));
  const x = { field: "tau_s", title: "τ (s)", log: true };
  const y = { field: "gamma_ohm", title: "γ (Ω)", zero: true };
  return layeredChart([
    { mark: "line", rows: data, x, y },
    {
      mark: "point",
      rows: drt.peaks.map((p) => ({ tau_s: p.tau_s, gamma_ohm: p.gamma_ohm })),
      x,
      y,
      markProps: { color: "firebrick", size: 60, filled: true },
    },
  ], {
    title: options.title ?? "Distribution of relaxation times",
    width: options.width ?? 420,
    height: options.height ?? 260,
  });
}

/**
 * Several spectra overlaid on one Nyquist plot with equal scales, one colour per spectrum (a
 * discrete legend with the given labels): the measured data of a test at a glance, no fit.
 *
 * @param spectra The spectra.
 * @param options Labels (default `#1`, `#2`, ...), title and size.
 * @returns A Vega-Lite spec.
 *
 * @example
 * ```ts
 * import { spectraNyquistChart } from "./eis_charts.ts";
 * import { equal } from "node:assert/strict";
 *
 * const s = { frequency_Hz: [1, 10], z_real_ohm: [2, 1], z_imag_ohm: [-1, -0.5] };
 * const spec = spectraNyquistChart([s, s], { labels: ["before", "after"] });
 * equal((spec.layer as { data: { values: unknown[] } }[])[0].data.values.length, 4);
 * ```
 */
export function spectraNyquistChart(
  spectra: readonly SpectrumLike[],
  options: ChartOptions & { labels?: readonly string[] } = {},
): VegaLiteSpec {
  const width = options.width ?? 420, height = options.height ?? 300;
  const data = spectra.flatMap((s, i) => rows(s, false, options.labels?.[i] ?? `#${i + 1}`));
  const { x, y } = equalAxes(data, width, height);
  return layeredChart([{
    mark: "line",
    rows: data,
    x,
    y,
    color: { field: "series", type: "nominal", title: "Spectrum", legend: { labelLimit: 0 } },
    order: { field: "order" },
    markProps: { point: true, clip: true },
    tooltip: [
      { field: "series", type: "nominal", title: "Spectrum" },
      {
        field: "frequency_Hz",
        title: "f (Hz)",
      },
      x,
      y,
    ],
  }], { title: options.title ?? "Nyquist", width, height });
}
