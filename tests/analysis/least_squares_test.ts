// Copyright 2026 the battery-analysis authors. MIT license.
import { leastSquares } from "../../analysis/_least_squares.ts";
import { linearLeastSquares } from "../../analysis/_linalg.ts";
import { assertClose } from "../_util.ts";
import { equal } from "node:assert/strict";

Deno.test("leastSquares() recovers an exponential decay exactly from noise-free data", () => {
  // y = 2 exp(-0.3 x) + 0.5 on x = 0..19: the exact parameters give zero residuals.
  const x = Array.from({ length: 20 }, (_, i) => i);
  const y = x.map((v) => 2 * Math.exp(-0.3 * v) + 0.5);
  const result = leastSquares({
    m: x.length,
    residuals(p, out) {
      for (let i = 0; i < x.length; i++) out[i] = p[0] * Math.exp(-p[1] * x[i]) + p[2] - y[i];
    },
  }, [1, 0.1, 0]);
  equal(result.converged, true);
  assertClose(result.params[0], 2, { rel: 1e-7 });
  assertClose(result.params[1], 0.3, { rel: 1e-7 });
  assertClose(result.params[2], 0.5, { rel: 1e-7 });
});

Deno.test("leastSquares() keeps parameters inside their bounds", () => {
  // Unconstrained optimum of (p - 3)² is 3; with upper bound 1 the answer is the bound.
  const result = leastSquares(
    {
      m: 2,
      residuals(p, out) {
        out[0] = p[0] - 3;
        out[1] = 0;
      },
    },
    [0],
    { upper: [1] },
  );
  assertClose(result.params[0], 1, { abs: 1e-12 });
});

Deno.test("leastSquares() standard errors match the closed form of a straight-line fit", () => {
  // For y = a + b x with residual variance s², se(b) = s / sqrt(Σ(x - x̄)²).
  const x = [0, 1, 2, 3, 4, 5];
  const y = [0.1, 0.9, 2.1, 2.9, 4.2, 4.8];
  const result = leastSquares({
    m: x.length,
    residuals(p, out) {
      for (let i = 0; i < x.length; i++) out[i] = p[0] + p[1] * x[i] - y[i];
    },
  }, [0, 0]);
  const design = new Float64Array(x.flatMap((v) => [1, v]));
  const exact = linearLeastSquares(design, new Float64Array(y), x.length, 2)!;
  // A forward-difference Jacobian limits agreement to about 1e-6 relative.
  assertClose(result.params[0], exact[0], { rel: 1e-5 });
  assertClose(result.params[1], exact[1], { rel: 1e-5 });
  const mean = x.reduce((a, b) => a + b) / x.length;
  const sxx = x.reduce((a, v) => a + (v - mean) ** 2, 0);
  const s2 = result.cost / (x.length - 2);
  assertClose(result.standardErrors[1], Math.sqrt(s2 / sxx), { rel: 1e-5 });
});
