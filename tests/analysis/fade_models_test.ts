// Copyright 2026 the battery-analysis authors. MIT license.
// Trust of fade-model fits: a degenerate fit (parameter at a bound, not determined by the data)
// is flagged, never chosen as best, and gives no life prediction.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { fitFadeModels } from "../../analysis/fade_models.ts";
import { predictCycleLife } from "../../analysis/life_prediction.ts";
import { analyzeFade } from "../../analysis/fade.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { capacityRetention } from "../../analysis/retention.ts";
import { parseRecording } from "../../parsers/mod.ts";
import { readFixture } from "../_util.ts";
import { rng } from "./_synthetic.ts";

/**
 * Flat, quantized retention as the Arbin Zn cells log it: 113 steps of 1e-5 Ah (every seventh
 * cycle 114), and optionally a last cycle cut off at 26 steps.
 */
function quantizedFlat(cycles: number, cutLast: boolean) {
  return Array.from({ length: cycles }, (_, k) => {
    const n = k + 1;
    const steps = cutLast && n === cycles ? 26 : n % 7 === 0 ? 114 : 113;
    return { cycle: n, retention: steps / 113 };
  });
}

Deno.test("fitFadeModels() flags a power law pushed to its exponent bound and does not pick it", () => {
  // 35 flat cycles and one cut-off cycle: the power law a + b·n^c explains the single drop by
  // c → 20 (its upper bound) with b ≈ 1e-32, which gives it by far the lowest AIC.
  const { fits, best, reason } = fitFadeModels(quantizedFlat(36, true));
  const power = fits.find((f) => f.model === "power")!;
  equal(power.params.c, 20);
  equal(power.trustworthy, false);
  ok(power.issues.some((i) => /c = 20\.00 sits at its bound/.test(i)), power.issues.join("; "));
  for (const f of fits) if (f !== power) ok(power.aic < f.aic - 30, `${f.model} AIC ${f.aic}`);
  // The models with two parameters are determined (their b is the slope the drop gives them).
  deepEqual(fits.filter((f) => f.trustworthy).map((f) => f.model), [
    "linear",
    "sqrt",
    "exponential",
  ]);
  // Best = lowest AIC among the trustworthy fits (linear, by the AICs of the three).
  const trusted = fits.filter((f) => f.trustworthy).sort((a, b) => a.aic - b.aic);
  equal(best, trusted[0]);
  equal(best!.model, "linear");
  equal(reason, null);
});

Deno.test("fitFadeModels() says when no model is trustworthy, and predictCycleLife() refuses it", () => {
  const { fits, best, reason } = fitFadeModels(quantizedFlat(35, false), { models: ["power"] });
  equal(best, null);
  equal(fits[0].trustworthy, false);
  match(reason!, /^no fade model is trustworthy \(power: .*c = 20\.00 sits at its bound/);
  const p = predictCycleLife(fits[0]);
  equal(p.cycle, null);
  match(p.reason!, /^the power fit is not trustworthy/);
  // analyzeFade: no prediction, and the models' reason says why.
  const fade = analyzeFade(
    quantizedFlat(35, false).map((p) => ({ cycle: p.cycle, discharge_capacity_Ah: p.retention })),
    { models: ["power"] },
  );
  equal(fade.prediction, null);
  equal(fade.models.reason, reason);
  match(fade.toString(), /power not trusted: /);
});

Deno.test("fitFadeModels() flags an exponent the data do not determine", () => {
  // Flat data with a ±1e-4 ripple and no trend: b = 0 within its error leaves c free, so the
  // power law either runs c to a bound or leaves it undetermined (standard error above its
  // value); the two-parameter models, which say "no fade", are trusted.
  const points = Array.from({ length: 60 }, (_, k) => ({
    cycle: k + 1,
    retention: 1 + 1e-4 * Math.sin(1.3 * k),
  }));
  const { fits, best } = fitFadeModels(points);
  const power = fits.find((f) => f.model === "power")!;
  equal(power.trustworthy, false, `power trusted: ${JSON.stringify(power.params)}`);
  ok(best && best.model !== "power");
});

Deno.test("fitFadeModels() trusts the power law on real power-law fade", () => {
  // σ = 5e-4 noise on 1 − 2e-3·n^0.8, 400 cycles, 20 seeds (as fade_test's AIC test): the
  // exponent is determined to about ±0.001 (relative), far inside the trust rule.
  for (let seed = 1; seed <= 20; seed++) {
    const r = rng(seed);
    const points = Array.from({ length: 400 }, (_, k) => ({
      cycle: k + 1,
      retention: 1 - 2e-3 * Math.pow(k + 1, 0.8) + 5e-4 * r.normal(),
    }));
    const { fits, best } = fitFadeModels(points);
    for (const f of fits) deepEqual(f.issues, [], `seed ${seed} ${f.model}`);
    equal(best!.model, "power");
  }
});

Deno.test("fitFadeModels() on the Arbin Zn file: the degenerate power law is never best", () => {
  // The Zn symmetric cell holds its capacity (0.00113 Ah, in steps of 1e-5 Ah); its last cycle
  // is cut off by the end of the file (0.00026 Ah). Before trust flags, the power law won by
  // AIC with c at its bound 20 and b ≈ 4e-32, predicting end of life at cycle 34.4.
  const path = "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
  const rec = parseRecording(readFixture(path), { fileName: path.split("/").pop()! });
  const points = capacityRetention(summarizeCycles(rec.series!).cycles).points;
  for (const pts of [points, points.slice(0, 35)]) {
    const { fits, best } = fitFadeModels(pts);
    const power = fits.find((f) => f.model === "power")!;
    equal(power.trustworthy, false, `${pts.length} cycles`);
    ok(best && best.model !== "power", `${pts.length} cycles: best ${best?.model}`);
  }
});
