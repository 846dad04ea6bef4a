// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { parseCircuit, registerElement } from "../../../analysis/eis/mod.ts";
import { assertClose } from "../../_util.ts";

Deno.test("parseCircuit() names parameters like impedance.py and reports units", () => {
  const c = parseCircuit("R0-p(R1,CPE1)-p(R2-Wo1,C2)-L0");
  deepEqual(c.names, ["R0", "R1", "CPE1_0", "CPE1_1", "R2", "Wo1_0", "Wo1_1", "C2", "L0"]);
  deepEqual(c.parameters.map((p) => p.unit), [
    "Ohm",
    "Ohm",
    "Ohm^-1 s^a",
    "",
    "Ohm",
    "Ohm",
    "s",
    "F",
    "H",
  ]);
  equal(c.parameters[3].upper, 1); // CPE exponent bounded by 1, as impedance.py
});

Deno.test("parseCircuit() rejects bad strings with a RangeError naming the position", () => {
  throws(
    () => parseCircuit("R0-p(R1"),
    /at position 7, unbalanced parenthesis: "\(" opened at position 4/,
  );
  throws(() => parseCircuit("R0-p(R1,C1))"), /at position 11, unbalanced parenthesis/);
  throws(() => parseCircuit("R0-X1"), /at position 3, unknown element "X1"/);
  throws(() => parseCircuit("R0-R0"), /at position 3, element name "R0" is used twice/);
  throws(() => parseCircuit("R0--C1"), RangeError);
  throws(() => parseCircuit(""), /the circuit is empty/);
  // A one-branch parallel group is not a parallel connection: refused at the "p".
  throws(
    () => parseCircuit("R0-p(R1)"),
    (e: Error) =>
      e instanceof RangeError &&
      /at position 3, p\(\.\.\.\) needs at least two branches separated by ",", found one \("p\(R1\)"\)/
        .test(e.message),
  );
  throws(() => parseCircuit("p(R1-C1)-R0"), /at position 0, p\(\.\.\.\) needs at least two/);
});

Deno.test("Circuit.impedance() reproduces impedance.py's Randles value at 10 Hz", () => {
  // Published in impedance.py's docs: Z(10 Hz) = 0.0251618 − 0.00601304j, with the fitted
  // parameters at full precision (impedance.py 1.7.1 run, printed in the report).
  const z = parseCircuit("R0-p(R1-Wo1,C1)").impedance([
    1.86235717e-2,
    1.16804085e-2,
    6.27121242e-2,
    2.21232951e2,
    1.17171441,
  ], [10]);
  assertClose(z.z_real_ohm[0], 0.0251618, { abs: 5e-7 });
  assertClose(z.z_imag_ohm[0], -0.00601304, { abs: 5e-8 });
});

Deno.test("element formulas match their closed forms", () => {
  const f = 159.15494309189535; // ω = 1000 rad/s
  const w = 1000;
  const z = (c: string, p: number[]) => {
    const r = parseCircuit(c).impedance(p, [f]);
    return [r.z_real_ohm[0], r.z_imag_ohm[0]];
  };
  const close = (a: number[], b: number[]) => {
    assertClose(a[0], b[0], { rel: 1e-12, abs: 1e-15 });
    assertClose(a[1], b[1], { rel: 1e-12, abs: 1e-15 });
  };
  close(z("C1", [1e-3]), [0, -1 / (w * 1e-3)]);
  close(z("L1", [1e-3]), [0, 1]);
  close(z("W1", [2]), [2 / Math.sqrt(w), -2 / Math.sqrt(w)]);
  // CPE: 1/(Q (jω)^α) = ω^−α/Q (cos απ/2 − j sin απ/2)
  close(z("CPE1", [0.01, 0.8]), [
    w ** -0.8 / 0.01 * Math.cos(0.4 * Math.PI),
    -(w ** -0.8) / 0.01 * Math.sin(0.4 * Math.PI),
  ]);
  // K: R/(1 + jωτ)
  close(z("K1", [3, 1e-3]), [3 / 2, -3 / 2]);
  // Zarc with γ = 1 equals K
  close(z("Zarc1", [3, 1e-3, 1]), [3 / 2, -3 / 2]);
  // G: R/√(1 + jωt) with ωt = 1: 1/√(1+j) = 2^(−1/4) e^(−jπ/8)
  close(z("G1", [1, 1e-3]), [
    2 ** -0.25 * Math.cos(Math.PI / 8),
    -(2 ** -0.25) * Math.sin(Math.PI / 8),
  ]);
});

Deno.test("finite-length elements do not overflow for large arguments", () => {
  // ωτ up to 1e14: coth, tanh → 1, so Wo and Ws tend to Z0/√(jωτ); impedance.py issue #291.
  const f = [1e-3, 1, 1e3, 1e6, 1e9];
  for (const c of ["Wo1", "Ws1"]) {
    const z = parseCircuit(c).impedance([1, 1e5], f);
    for (let i = 0; i < f.length; i++) {
      ok(Number.isFinite(z.z_real_ohm[i]) && Number.isFinite(z.z_imag_ohm[i]));
    }
    const x = 2 * Math.PI * 1e9 * 1e5; // |√(jx)| = √x, phase 45°
    assertClose(z.z_real_ohm[4], 1 / Math.sqrt(2 * x), { rel: 1e-9 });
  }
  const t = parseCircuit("TLM1-Gs1").impedance([1, 1e3, 0.9, 1, 1e4, 50], [1e9]);
  ok(Number.isFinite(t.z_real_ohm[0]) && Number.isFinite(t.z_imag_ohm[0]));
});

Deno.test("Circuit.evaluate() analytic Jacobian agrees with central differences", () => {
  const circuit = parseCircuit("R0-L0-p(R1,CPE1)-p(R2-Wo1,C2)-Ws1-W1-La1-p(K1,Zarc1)-G1-Gs1-TLM1");
  const p = [
    0.1,
    1e-6,
    0.2,
    0.01,
    0.8,
    0.3,
    0.5,
    30,
    0.02,
    0.4,
    10,
    0.05,
    2e-4,
    0.7,
    0.3,
    0.01,
    0.2,
    0.003,
    0.85,
    0.1,
    0.05,
    0.2,
    0.07,
    1.3,
    0.5,
    0.02,
    0.9,
  ];
  const w = Float64Array.from([1e-2, 1, 1e2, 1e4], (f) => 2 * Math.PI * f);
  const n = circuit.length, N = w.length;
  const re = new Float64Array(N), im = new Float64Array(N);
  const jr = new Float64Array(N * n), ji = new Float64Array(N * n);
  circuit.evaluate(p, w, re, im, jr, ji);
  for (let k = 0; k < n; k++) {
    const h = 1e-6 * p[k];
    const up = p.slice(), dn = p.slice();
    up[k] += h;
    dn[k] -= h;
    const r1 = new Float64Array(N),
      i1 = new Float64Array(N),
      r2 = new Float64Array(N),
      i2 = new Float64Array(N);
    circuit.evaluate(up, w, r1, i1);
    circuit.evaluate(dn, w, r2, i2);
    for (let i = 0; i < N; i++) {
      const nr = (r1[i] - r2[i]) / (2 * h), ni = (i1[i] - i2[i]) / (2 * h);
      // Difference noise: cancellation in |Z| ~ 1e-16·|Z|/h.
      const tol = 1e-5 * Math.hypot(nr, ni) + 1e-9 * Math.hypot(re[i], im[i]) / h;
      ok(
        Math.hypot(nr - jr[i * n + k], ni - ji[i * n + k]) <= tol,
        `${circuit.names[k]} at ω=${w[i]}`,
      );
    }
  }
});

Deno.test("registerElement() adds a user element usable in circuits and fits", () => {
  // A resistor written as a user element must behave as R.
  registerElement({
    name: "Rx",
    units: ["Ohm"],
    impedance: (p) => [p[0], 0],
    guess: (r) => [r],
    overwrite: true,
  });
  const z = parseCircuit("Rx0-p(R1,C1)").impedance([10, 5, 1e-3], [1e6]);
  assertClose(z.z_real_ohm[0], 10, { rel: 1e-6 });
  throws(
    () => registerElement({ name: "R", units: ["Ohm"], impedance: () => [0, 0] }),
    /already exists/,
  );
  throws(
    () => registerElement({ name: "p", units: ["Ohm"], impedance: () => [0, 0] }),
    /letters only and not "p"/,
  );
});
