// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal } from "node:assert/strict";
import { allocSeries, integrateMissingCounters } from "../../parsers/_series.ts";

// Known answer: 1 A for 3600 s then -2 A for 1800 s at 4 V (trapezoids between rows): charge
// 1 Ah and 4 Wh, then discharge 1 Ah and 4 Wh (the step between rows 1 and 2 averages to -0.5 A
// over 0 s, which adds nothing).
const time = new Float64Array([0, 3600, 3600, 5400]);
const current = new Float64Array([1, 1, -2, -2]);
const voltage = new Float64Array([4, 4, 4, 4]);

Deno.test("integrateMissingCounters() fills absent counters of a partial series as it fills NaN ones of a whole one", () => {
  const whole = allocSeries(4, { time_s: time, current_A: current, voltage_V: voltage });
  const fromWhole = integrateMissingCounters(whole);
  const parts = { length: 4, columns: {}, time_s: time, current_A: current, voltage_V: voltage };
  const fromParts = integrateMissingCounters(parts);
  deepEqual(fromParts, fromWhole);
  deepEqual([...whole.charge_capacity_Ah], [0, 1, 1, 1]);
  deepEqual([...whole.discharge_capacity_Ah], [0, 0, 0, 1]);
  deepEqual([...whole.charge_energy_Wh], [0, 4, 4, 4]);
  deepEqual([...whole.discharge_energy_Wh], [0, 0, 0, 4]);
  for (const name of ["charge_capacity_Ah", "discharge_energy_Wh"] as const) {
    deepEqual([...(parts as Record<string, unknown>)[name] as Float64Array], [...whole[name]]);
  }
  deepEqual(Object.keys(parts.columns), Object.keys(whole.columns));
});

Deno.test("integrateMissingCounters() leaves given counters alone and skips energies without a voltage", () => {
  const given = new Float64Array([0, 0.5, 0.5, 0.5]);
  const parts: Parameters<typeof integrateMissingCounters>[0] = {
    length: 4,
    columns: {},
    time_s: time,
    current_A: current,
    charge_capacity_Ah: given,
  };
  const warnings = integrateMissingCounters(parts);
  equal(parts.charge_capacity_Ah, given);
  deepEqual([...parts.discharge_capacity_Ah!], [0, 0, 0, 1]);
  equal(parts.charge_energy_Wh, undefined);
  deepEqual(warnings, [
    "discharge_capacity_Ah not in the file: integral of negative current over time",
  ]);
});

Deno.test("integrateMissingCounters() skips intervals without a finite forward step or mean current, and energy without a finite mean power", () => {
  // Worked by hand (trapezoids, Δt in s / 3600): rows 1 (+1 Ah, power 2 W → 2 Wh) and 6 (+1 Ah;
  // voltage NaN so no energy) charge; rows 7 (mean current -1 A → 1 Ah; power NaN → no energy)
  // and 8 (-3 A → 3 Ah, power -6 W → 6 Wh) discharge; rows 2 (Δt 0), 3 (time goes back), 4 and
  // 5 (time NaN) add nothing.
  const parts: Parameters<typeof integrateMissingCounters>[0] = {
    length: 9,
    columns: {},
    time_s: new Float64Array([0, 3600, 3600, 1800, NaN, 9000, 12600, 16200, 19800]),
    current_A: new Float64Array([1, 1, 5, 5, 1, 1, 1, -3, -3]),
    voltage_V: new Float64Array([2, 2, 2, 2, 2, 2, NaN, 2, 2]),
  };
  integrateMissingCounters(parts);
  deepEqual([...parts.charge_capacity_Ah!], [0, 1, 1, 1, 1, 1, 2, 2, 2]);
  deepEqual([...parts.discharge_capacity_Ah!], [0, 0, 0, 0, 0, 0, 0, 1, 4]);
  deepEqual([...parts.charge_energy_Wh!], [0, 2, 2, 2, 2, 2, 2, 2, 2]);
  deepEqual([...parts.discharge_energy_Wh!], [0, 0, 0, 0, 0, 0, 0, 0, 6]);
});
