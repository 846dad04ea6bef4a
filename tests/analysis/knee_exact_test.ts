// Copyright 2026 the battery-analysis authors. MIT license.
// kneePoint accumulates its least-squares sums in scalars (for speed). Its results must stay bit
// for bit those of the generic implementation it replaced (feature vectors and loops over the
// normal-equation matrix): the expected objects below were printed by that implementation
// (analysis/knee.ts before the scalar rewrite) on these inputs.
import { deepEqual } from "node:assert/strict";
import { kneePoint } from "../../analysis/knee.ts";

function cases(): Record<string, { cycle: number; retention: number }[]> {
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return {
    power_law_5000: Array.from(
      { length: 5000 },
      (_, k) => ({
        cycle: k + 1,
        retention: 1 - 2e-4 * Math.pow(k + 1, 0.8) + 1e-3 * Math.sin(k * 1.7),
      }),
    ),
    knee_at_300: Array.from(
      { length: 500 },
      (_, k) => ({
        cycle: k + 1,
        retention: k + 1 <= 300 ? 1 - 1e-4 * (k + 1) : 0.97 - 1e-3 * (k + 1 - 300),
      }),
    ),
    noisy_1200: Array.from(
      { length: 1200 },
      (_, k) => ({
        cycle: 2 * k + 1,
        retention: 1 - 5e-5 * k - (k > 800 ? 4e-4 * (k - 800) : 0) + (rand() - 0.5) * 2e-3,
      }),
    ),
    nine_points: Array.from(
      { length: 9 },
      (_, k) => ({ cycle: k + 1, retention: 1 - 0.01 * k * k }),
    ),
  };
}

const EXPECTED: Record<string, unknown> = {
  "power_law_5000": {
    "knee_cycle": 1582.302451168606,
    "knee_retention": 0.925179993556099,
    "slope_before": -4.3644232366577413e-05,
    "slope_after": -3.189018207994355e-05,
    "angle_diff": -0.056733123365242166,
    "accelerating": false,
    "rss": 0.008429461085037357,
    "onset_cycle": 777.300445845898,
    "onset_retention": 0.9576294036614915,
    "onset_second_cycle": 2458.46462282976,
    "onset_rss": 0.0038607392646010093,
  },
  "knee_at_300": {
    "knee_cycle": 300.0000000016692,
    "knee_retention": 0.9699999999950517,
    "slope_before": -0.00010000000002392297,
    "slope_after": -0.0009999999999734967,
    "angle_diff": 0.4136892132563304,
    "accelerating": true,
    "rss": 2.26723691221189e-21,
    "onset_cycle": 300.0000000011822,
    "onset_retention": 0.9699999999943814,
    "onset_second_cycle": 312.6674070918616,
    "onset_rss": 2.547586103437979e-21,
  },
  "noisy_1200": {
    "knee_cycle": 1601.4536260798695,
    "knee_retention": 0.9599188033070032,
    "slope_before": -2.506393078626661e-05,
    "slope_after": -0.00022498923786734934,
    "angle_diff": 0.4348829875080207,
    "accelerating": true,
    "rss": 0.0003966609944251657,
    "onset_cycle": 1603.6412604000357,
    "onset_retention": 0.9598616016986549,
    "onset_second_cycle": 1653.0000000066807,
    "onset_rss": 0.0003952516040273893,
  },
  "nine_points": {
    "knee_cycle": 4.666666640870946,
    "knee_retention": 0.9000000021974497,
    "slope_before": -0.02999999948108733,
    "slope_after": -0.11999999971842737,
    "angle_diff": 0.5601289221395052,
    "accelerating": true,
    "rss": 0.0017999999999999993,
    "onset_cycle": 3.5000002616742303,
    "onset_retention": 0.9533333204321631,
    "onset_second_cycle": 6.500000091726225,
    "onset_rss": 0.00020000000000008176,
  },
};

Deno.test("kneePoint: bit-identical to the generic least-squares implementation", () => {
  for (const [name, points] of Object.entries(cases())) {
    deepEqual(kneePoint(points), EXPECTED[name], name);
  }
});
