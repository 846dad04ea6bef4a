// Copyright 2026 the battery-analysis authors. MIT license.
import { equal, ok } from "node:assert/strict";
import * as vl from "vega-lite";
import {
  computeDrt,
  fitCircuit,
  linKK,
  nyquistChart,
  parseCircuit,
} from "../../../analysis/eis/mod.ts";
import { JUPYTER_DISPLAY } from "../../../analysis/_display.ts";
import { parseRecording } from "../../../parsers/mod.ts";
import { assertClose, readFixture } from "../../_util.ts";

const spectrum = (p: string) =>
  parseRecording(readFixture(p), { fileName: p.split("/").pop()! }).spectra![0];

for (const file of ["2ZARC0.csv", "2ZARC1.csv"]) {
  Deno.test(`computeDrt() finds the two ZARC peaks of ${file} at 0.1 s and 1e-4 s`, () => {
    // Published generator: τ1 = 0.1 s, τ2 = 1e-4 s, R∞ = 10 Ω, R2 = 50 Ω, noise σ = 0.5 Ω.
    for (const lambda of ["gcv", "lcurve"] as const) {
      const drt = computeDrt(spectrum(`eis/${file}`), { lambda });
      const taus = drt.peaks.slice(0, 2).map((p) => p.tau_s).sort((a, b) => a - b);
      ok(Math.abs(Math.log10(taus[0] / 1e-4)) < 0.1, `${lambda}: ${taus[0]}`);
      ok(Math.abs(Math.log10(taus[1] / 0.1)) < 0.1, `${lambda}: ${taus[1]}`);
      assertClose(drt.r_inf_ohm, 10, { abs: 0.5 });
      // The 1e-4 s process carries R2 = 50 Ω.
      const fast = drt.peaks.find((p) => Math.abs(Math.log10(p.tau_s / 1e-4)) < 0.1)!;
      // Area between the neighbouring minima: a small noise peak nearby takes a few ohms.
      assertClose(fast.resistance_ohm, 50, { rel: 0.1 });
    }
  });
}

Deno.test("computeDrt() of a single RC element has one peak at RC with area R", () => {
  const f = Array.from({ length: 71 }, (_, i) => 10 ** (5 - i / 10));
  const z = parseCircuit("R0-p(R1,C1)").impedance([10, 50, 2e-4], f); // τ = 1e-2 s
  const drt = computeDrt(z, { lambda: 1e-6 });
  ok(Math.abs(Math.log10(drt.peaks[0].tau_s / 1e-2)) < 0.05);
  assertClose(drt.polarization_ohm, 50, { rel: 0.02 });
  assertClose(drt.r_inf_ohm, 10, { rel: 0.01 });
  ok(drt.relative_rmse < 0.01);
});

Deno.test("computeDrt() series inductance captures an inductive tail", () => {
  const f = Array.from({ length: 71 }, (_, i) => 10 ** (6 - i / 10));
  const z = parseCircuit("L0-R0-p(R1,C1)").impedance([1e-6, 10, 50, 2e-4], f);
  const without = computeDrt(z);
  const withL = computeDrt(z, { inductance: true });
  ok(withL.relative_rmse < without.relative_rmse);
  assertClose(withL.inductance_H, 1e-6, { rel: 0.05 });
});

Deno.test("result displays are valid Vega-Lite and the Nyquist axes have equal scales", () => {
  const s = spectrum("eis/exampleData.csv");
  const results = [
    fitCircuit(s, { circuit: "R0-p(R1,C1)-p(R2-Wo1,C2)", capacitiveOnly: true }),
    linKK(s),
    computeDrt(s),
  ];
  for (const r of results) {
    const bundle = r[JUPYTER_DISPLAY]();
    ok(bundle["text/plain"].length > 0);
    // vega-lite's compiler throws on invalid specs.
    const compiled = vl.compile(bundle["application/vnd.vegalite.v5+json"] as never);
    ok(compiled.spec);
  }
  const spec = nyquistChart(s, { width: 400, height: 200 });
  const enc =
    (spec.layer as { encoding: Record<string, { scale: { domain: number[] } }> }[])[0].encoding;
  const dx = enc.x.scale.domain[1] - enc.x.scale.domain[0];
  const dy = enc.y.scale.domain[1] - enc.y.scale.domain[0];
  assertClose(dx / 400, dy / 200, { rel: 1e-12 });
  equal(typeof JSON.stringify(results[0]), "string");
});
