// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual } from "node:assert/strict";
import { seriesFlags } from "../../analysis/_quality_flags.ts";
import type { CyclingSeries } from "../../lib/model/cycling_series.ts";

function series(time: number[]): CyclingSeries {
  const n = time.length;
  const f = (v: number) => new Float64Array(n).map((_, i) => v + i * 1e-3);
  return {
    length: n,
    time_s: Float64Array.from(time),
    voltage_V: f(3.5),
    current_A: new Float64Array(n).fill(1),
    charge_capacity_Ah: f(0),
    discharge_capacity_Ah: new Float64Array(n),
    charge_energy_Wh: new Float64Array(n).fill(NaN),
    discharge_energy_Wh: new Float64Array(n).fill(NaN),
    step_index: new Int32Array(n),
    cycle_index: new Int32Array(n),
    extras: {},
    start_time: null,
    columns: {},
  };
}

Deno.test("seriesFlags: time gaps against the median step, time going backwards", () => {
  // 100 rows 10 s apart (one step of 9 s, one of 11 s) and a gap of 5000 s before row 50:
  // median step 10 s, limit max(3600 s, 100 × 10 s) = 3600 s = 1 h; the gap is 5000 s = 1.39 h.
  const time = Array.from({ length: 100 }, (_, i) => i * 10 + (i >= 50 ? 4990 : 0));
  time[20] -= 1;
  deepEqual(seriesFlags(series(time)).map((f) => f.message), [
    "1 gap(s) in test time longer than 1 h (median interval 10 s); the largest, 1.39 h, before row 50",
  ]);
  // Steps of 100 s with a backward step at row 7 and a gap of 20,000 s (limit 10,000 s).
  const back = Array.from({ length: 30 }, (_, i) => i * 100 + (i >= 20 ? 19_900 : 0));
  back[7] = 550;
  deepEqual(seriesFlags(series(back)).map((f) => f.code), ["time_not_monotonic", "time_jump"]);
  deepEqual(
    seriesFlags(series(back))[1].message,
    "1 gap(s) in test time longer than 2.78 h (median interval 100 s); the largest, 5.56 h, " +
      "before row 20",
  );
});

Deno.test("seriesFlags: the gap limit follows a median step just above 36 s (100 × 38 s = 3800 s)", () => {
  // Steps 38, 38, 3700, 38, 38 s: median 38 s, limit 3800 s, so the 3700 s step is no gap; with
  // one more 3700 s step among 38 s ones the limit is still 3800 s.
  const cumulative = (steps: number[]) => steps.reduce((t, s) => [...t, t.at(-1)! + s], [0]);
  deepEqual(seriesFlags(series(cumulative([38, 38, 3700, 38, 38]))), []);
  // Steps of 30 s (median 30 s, limit 3600 s): the same 3700 s step is a gap.
  deepEqual(
    seriesFlags(series(cumulative([30, 30, 3700, 30, 30]))).map((f) => f.message),
    [
      "1 gap(s) in test time longer than 1 h (median interval 30 s); the largest, 1.03 h, " +
      "before row 3",
    ],
  );
});
