// Copyright 2026 the battery-analysis authors. MIT license.
// Benchmarks of the impedance analyses: `deno bench -A bench/eis_bench.ts`.
import { computeDrt, fitCircuit, linKK, parseCircuit } from "../analysis/eis/mod.ts";
import { parseRecording } from "../parsers/mod.ts";

const read = (p: string) =>
  parseRecording(Deno.readFileSync(new URL(`../tests/fixtures/eis/${p}`, import.meta.url)), {
    fileName: p,
  }).spectra![0];
const example = read("exampleData.csv");
const zarc = read("2ZARC0.csv");
const circuit = parseCircuit("R0-p(R1,C1)-p(R2-Wo1,C2)");
const omega = Float64Array.from(example.frequency_Hz, (f) => 2 * Math.PI * f);
const re = new Float64Array(omega.length), im = new Float64Array(omega.length);
const jr = new Float64Array(omega.length * 7), ji = new Float64Array(omega.length * 7);
const p = [1.65e-2, 8.68e-3, 3.32, 5.39e-3, 6.31e-2, 233, 0.22];

Deno.bench("fit R0-p(R1,C1)-p(R2-Wo1,C2) to exampleData.csv, automatic starts", {
  group: "fit",
  baseline: true,
}, () => {
  fitCircuit(example, { circuit, capacitiveOnly: true });
});
Deno.bench("fit R0-p(R1-Wo1,C1) to exampleData.csv, automatic starts", { group: "fit" }, () => {
  fitCircuit(example, { circuit: "R0-p(R1-Wo1,C1)", capacitiveOnly: true });
});
Deno.bench("automatic circuit choice on exampleData.csv (8 candidates)", { group: "auto" }, () => {
  fitCircuit(example, { capacitiveOnly: true });
});
Deno.bench("evaluate Z and Jacobian, 7 parameters × 66 frequencies", { group: "eval" }, () => {
  circuit.evaluate(p, omega, re, im, jr, ji);
});
Deno.bench("DRT of 2ZARC0.csv (81 frequencies, GCV)", { group: "drt" }, () => {
  computeDrt(zarc);
});
Deno.bench("lin-KK of exampleData.csv (complex, M by BIC, noise-calibrated)", {
  group: "kk",
  baseline: true,
}, () => {
  linKK(example);
});
Deno.bench("lin-KK of exampleData.csv (complex, μ criterion as impedance.py)", {
  group: "kk",
}, () => {
  linKK(example, { M: "mu", threshold: 0.01 });
});
