// Copyright 2026 the battery-analysis authors. MIT license.
// The Jupyter displays of result objects, as found while running docs/notebooks/quickstart.ipynb
// with the Deno kernel (.ci/run_notebook.sh): plots compile without vega-lite warnings, large
// results stay small, tables of many cycles are elided.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import {
  analyzeFade,
  compareTests,
  comparisonPlotSpec,
  computeDrt,
  CycleTable,
  dqdv,
  dqdvByCycle,
  type DqdvCurve,
  dqdvSpec,
  fitCircuit,
  linKK,
  showPlot,
  showTable,
  summarizeCycles,
} from "../../analysis/mod.ts";
import { parseRecording } from "../../parsers/mod.ts";
import type { Recording } from "../../lib/model/file_meta.ts";
import type { CycleSummary } from "../../lib/model/cycle_summary.ts";
import { htmlTable, JUPYTER_DISPLAY, type MimeBundle, textTable } from "../../analysis/_display.ts";
import { layeredChart, VEGA_LITE_SCHEMA } from "../../analysis/_vega.ts";
import { STEPS, syntheticHalfCycle } from "./_dqdv_synthetic.ts";
import { compileWarnings } from "./_vega_lite.ts";
import { readFixture } from "../_util.ts";

const VEGA = "application/vnd.vegalite.v5+json";

function read(relative: string): Recording {
  return parseRecording(readFixture(relative), { fileName: relative.split("/").pop()! });
}

/** Rows of inline data in a spec, its layers and its panels. */
function dataRows(spec: Record<string, unknown>): number {
  const own = (spec.data as { values?: unknown[] } | undefined)?.values?.length ?? 0;
  const parts = ["layer", "vconcat", "hconcat"].flatMap((k) =>
    (spec[k] as Record<string, unknown>[] | undefined) ?? []
  );
  return own + parts.reduce((sum, part) => sum + dataRows(part), 0);
}

Deno.test("layeredChart() sets `zero` only on linear quantitative scales", () => {
  // vega-lite drops `zero` on log, ordinal and nominal scales with a warning; before the fix
  // every capacity plot (nominal colour) and every Bode/DRT plot (log axis) logged one.
  const spec = layeredChart([{
    mark: "line",
    rows: [{ f: 1, z: 2, half: "charge" }, { f: 10, z: 3, half: "charge" }],
    x: { field: "f", log: true },
    y: { field: "z" },
    color: { field: "half", type: "nominal" },
  }]);
  const encoding = (spec.layer as { encoding: Record<string, { scale: object }> }[])[0].encoding;
  deepEqual(encoding.x.scale, { type: "log" });
  deepEqual(encoding.y.scale, { zero: false });
  deepEqual(encoding.color.scale, {});
  deepEqual(compileWarnings(spec), []);
  // A quantitative colour scale keeps the zero it asks for.
  const viridis = layeredChart([{
    mark: "line",
    rows: [{ v: 1, d: 2, cycle: 3 }],
    x: { field: "v" },
    y: { field: "d" },
    color: { field: "cycle", scheme: "viridis" },
  }]);
  const color = (viridis.layer as { encoding: Record<string, { scale: object }> }[])[0].encoding
    .color;
  deepEqual(color.scale, { zero: true, scheme: "viridis" });
});

Deno.test("every result type in the quickstart notebook displays a warning-free Vega-Lite v5 plot", () => {
  const zn = read("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV").series!;
  const cycles = summarizeCycles(zn);
  const graphite = read("arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx").series!;
  const example = read("eis/exampleData.csv").spectra![0];
  const twoZarc = read("eis/2ZARC0.csv").spectra![0];
  const results: [string, { [JUPYTER_DISPLAY](): MimeBundle }][] = [
    ["CycleTable", cycles],
    ["FadeAnalysis", analyzeFade(cycles.cycles)],
    ["DqdvSet", dqdvByCycle(graphite, { cycles: [1] })],
    ["CircuitFit", fitCircuit(example, { circuit: "R0-p(R1,C1)", capacitiveOnly: true })],
    ["LinKKResult", linKK(example)],
    ["DrtResult", computeDrt(twoZarc)],
    ["TestComparison", compareTests([{ name: "Zn 04", cycles: cycles.cycles }])],
  ];
  for (const [name, result] of results) {
    const bundle = result[JUPYTER_DISPLAY]();
    equal(typeof bundle["text/plain"], "string", name);
    match(bundle["text/html"] ?? "", name === "LinKKResult" ? /^<p>lin-KK / : /<table>/, name);
    const spec = bundle[VEGA]!;
    equal(spec.$schema, VEGA_LITE_SCHEMA, name);
    ok(dataRows(spec) > 0, name);
    // The Deno kernel sends the bundle as JSON: it must survive a round trip unchanged.
    deepEqual(JSON.parse(JSON.stringify(bundle)), bundle, name);
    deepEqual(compileWarnings(spec), [], name);
  }
});

/** `n` copies of one dQ/dV curve (1200 grid points), numbered as cycles 1..n. */
function manyCurves(n: number): DqdvCurve[] {
  const series = syntheticHalfCycle(STEPS, { rows: 3000, seed: 1 });
  const curve = dqdv({ series, start_row: 0, end_row: 3000 });
  equal(curve.voltage_V.length, 1200); // 3.0–4.2 V at 1 mV
  return Array.from({ length: n }, (_, k) => ({ ...curve, cycle: k + 1 }) as DqdvCurve);
}

Deno.test("dqdvSpec() shares a total point budget among many curves", () => {
  // 200 half cycles × 1200 points: the default budget of 10 000 gives each curve 50 points
  // (before: 2000 per curve, 240 000 rows, about 23 MB of notebook output).
  const [line] = dqdvSpec(manyCurves(200)).layer as { data: { values: { cycle: number }[] } }[];
  equal(line.data.values.length, 200 * 50);
  equal(line.data.values.filter((r) => r.cycle === 200).length, 50);
  ok(JSON.stringify(line).length < 1_200_000);
  // Few curves are not affected: 3 × 1200 points stay under min(2000, 10 000 / 3).
  const [few] = dqdvSpec(manyCurves(3)).layer as { data: { values: unknown[] } }[];
  equal(few.data.values.length, 3 * 1200);
  // A curve never gets fewer than 50 points, whatever the budget.
  const [floor] = dqdvSpec(manyCurves(10), { max_points: 100 }).layer as {
    data: { values: unknown[] };
  }[];
  equal(floor.data.values.length, 10 * 50);
  throws(() => dqdvSpec(manyCurves(1), { max_points: 10 }), /max_points must be ≥ 50/);
});

Deno.test("htmlTable()/textTable() elide the middle of long tables with maxRows", () => {
  const rows = Array.from({ length: 5000 }, (_, k) => ({ cycle: k + 1 }));
  const html = htmlTable(rows, [{ key: "cycle" }], { maxRows: 60 });
  equal(html.match(/<tr>/g)!.length, 1 + 30 + 1 + 30); // header, head, "more rows", tail
  match(html, /<td>30<\/td><\/tr><tr><td colspan="1">… 4940 more rows …<\/td><\/tr><tr><td>4971</);
  match(html, /<td>5000<\/td><\/tr><\/tbody>/);
  const text = textTable(rows, [{ key: "cycle" }], { maxRows: 60 }).split("\n");
  equal(text.length, 1 + 30 + 1 + 30);
  equal(text[31], "… 4940 more rows …");
  equal(text[61], " 5000"); // right-aligned under "cycle"
  // Short tables are unchanged.
  equal(
    htmlTable(rows.slice(0, 60), [{ key: "cycle" }], { maxRows: 60 }),
    htmlTable(rows.slice(0, 60), [{ key: "cycle" }]),
  );
  throws(() => textTable(rows, [{ key: "cycle" }], { maxRows: 1 }), RangeError);
});

Deno.test("CycleTable's notebook display shows the first and last 30 of many cycles", () => {
  const summaries = Array.from({ length: 5000 }, (_, k) => ({
    cycle: k + 1,
    charge_capacity_Ah: 1,
    discharge_capacity_Ah: 1 - 1e-5 * k,
    coulombic_efficiency: 1 - 1e-5 * k,
  })) as unknown as CycleSummary[];
  const table = new CycleTable(summaries, { method: "cycle_index", currentThreshold_A: 0 });
  const bundle = table[JUPYTER_DISPLAY]();
  const html = bundle["text/html"]!;
  equal(html.match(/<tr>/g)!.length, 62);
  match(html, /5000 cycles \(method: cycle_index; showing the first and last 30/);
  match(bundle["text/plain"], /… 4940 more rows …/);
  // The plot keeps every cycle (charge and discharge capacity, CE).
  equal(dataRows(bundle[VEGA]!), 3 * 5000);
  ok(JSON.stringify(bundle).length < 1_000_000);
  // toString() (terminals) still has every row: caption, header, 5000 rows.
  equal(table.toString().split("\n").length, 5002);
});

Deno.test("comparisonPlotSpec() shows long test names whole in the legend", () => {
  // vega-lite cuts legend labels at 160 px by default: five Zn cells named
  // "BL_Zn_SymCell_072023_0…" were indistinguishable in the notebook.
  const spec = comparisonPlotSpec([
    { test: "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1", cycle: 1, retention: 1 },
    { test: "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1", cycle: 1, retention: 1 },
  ]);
  const layer = (spec.layer as { encoding: Record<string, Record<string, unknown>> }[])[0];
  deepEqual(layer.encoding.color.legend, { labelLimit: 0 });
  deepEqual(compileWarnings(spec), []);
});

Deno.test("showTable()/showPlot() split a result's bundle into one output each", () => {
  // JupyterLab ranks text/html (50) above Vega-Lite (57) and shows one MIME type per output, so
  // a result's bundle showed only its table there; VS Code shows the plot. The views carry one.
  const zn = read("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV").series!;
  const cycles = summarizeCycles(zn);
  const full = cycles[JUPYTER_DISPLAY]();
  const table = showTable(cycles)[JUPYTER_DISPLAY]();
  deepEqual(Object.keys(table).sort(), ["text/html", "text/plain"]);
  equal(table["text/html"], full["text/html"]);
  equal(table["text/plain"], full["text/plain"]);
  const plot = showPlot(cycles);
  const bundle = plot[JUPYTER_DISPLAY]();
  deepEqual(Object.keys(bundle).sort(), [VEGA, "text/plain"]);
  deepEqual(bundle[VEGA], full[VEGA]);
  deepEqual(plot.spec, full[VEGA]);
  // 36 cycles (72 current-sign runs in the raw file, counted with Python): 2 × 36 capacities
  // and 36 CE values.
  equal(bundle["text/plain"], "Vega-Lite plot (108 data rows)");
  // A spec from a builder is accepted as is.
  const spec = comparisonPlotSpec([{ test: "A", cycle: 1, retention: 1 }], { title: "A" });
  equal(showPlot(spec).spec, spec);
  equal(showPlot(spec)[JUPYTER_DISPLAY]()["text/plain"], 'Vega-Lite plot "A" (1 data row)');
  // Clear errors for objects without the representation.
  const textOnly = { [JUPYTER_DISPLAY]: () => ({ "text/plain": "x" }) };
  throws(() => showPlot(textOnly), /no Vega-Lite plot/);
  throws(() => showTable(textOnly), /no HTML display/);
  throws(() => showPlot({ mark: "line" }), /Vega-Lite spec with \$schema/);
  throws(() => showTable({} as never), /expected a result with a Jupyter display/);
});

Deno.test("CircuitFit's HTML carries the fit statistics, notes and candidates of its text", () => {
  // JupyterLab shows only the HTML of a bundle; the note about the degenerate Wo1 limit and the
  // table of candidates were only in text/plain.
  const example = read("eis/exampleData.csv").spectra![0];
  const fit = fitCircuit(example, { circuit: "R0-p(R1,C1)-p(R2-Wo1,C2)", capacitiveOnly: true });
  const html = fit[JUPYTER_DISPLAY]()["text/html"]!;
  // 57 points with Im Z < 0 (counted in the raw CSV with Python).
  match(
    html,
    /<p>57 points, weighting unit \(auto: \|Z\| spreads over [\d.]+× \(≤ 100×\), so unit\); χ² 1\.94\d\de-5, reduced /,
  );
  for (const note of fit.notes) ok(html.includes(`<li>note: ${note}</li>`), note);
  ok(fit.notes.length > 0);
  match(html, /<th>rel\. error<\/th>/);
  // Automatic choice: the eight candidates of CANDIDATE_CIRCUITS (no inductive point kept), one
  // chosen.
  const auto = fitCircuit(example, { capacitiveOnly: true })[JUPYTER_DISPLAY]()["text/html"]!;
  const candidates = auto.split("<p>Candidate circuits:</p>")[1];
  equal(candidates.match(/<tr>/g)!.length, 1 + 8);
  equal(candidates.match(/✓/g)!.length, 1);
});
