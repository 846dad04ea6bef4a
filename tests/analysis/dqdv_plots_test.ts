// Copyright 2026 the battery-analysis authors. MIT license.
import { deepEqual, equal, throws } from "node:assert/strict";
import { dqdv, dqdvSpec, voltageCapacity, voltageCapacitySpec } from "../../analysis/mod.ts";
import { STEPS, syntheticHalfCycle } from "./_dqdv_synthetic.ts";
import { readArbinCsv, stepRows } from "./_dqdv_csv.ts";
import { assertClose } from "../_util.ts";

type Layer = {
  data: { values: Record<string, unknown>[] };
  encoding: Record<string, { field: string }>;
};

Deno.test("dqdvSpec() draws one line per half cycle coloured by cycle, with peak markers", () => {
  const curves = [1, 2].map((cycle) => {
    const s = syntheticHalfCycle(STEPS, { rows: 3000, seed: cycle });
    return dqdv({ series: s, start_row: 0, end_row: 3000, cycle });
  });
  const spec = dqdvSpec(curves);
  const [line, marks] = spec.layer as Layer[];
  equal(line.encoding.color.field, "cycle");
  equal(line.encoding.detail.field, "half");
  // 1200 grid cells per curve (3.0–4.2 V at 1 mV), under the 2000-point cap: all kept.
  equal(line.data.values.length, 2 * 1200);
  equal(marks.data.values.length, 6); // three peaks per curve
  deepEqual([...new Set(line.data.values.map((r) => r.cycle))], [1, 2]);
});

Deno.test("dqdvSpec() downsamples long curves to the cap", () => {
  const s = syntheticHalfCycle(STEPS, { rows: 3000 });
  const curve = dqdv({ series: s, start_row: 0, end_row: 3000 }, { grid_step_V: 0.0001 });
  const [line] = dqdvSpec([curve], { max_points_per_curve: 500 }).layer as Layer[];
  equal(line.data.values.length, 500);
});

Deno.test("voltageCapacity() on arbin_example.csv: capacity from the raw counter", () => {
  // Cycle 1 step 12: 446 rows, all above 0.1 % of the median current (the CV tail ends at
  // 0.0287 A, the median is 3.4 A); last capacity = 1.0723574 Ah (pandas: last − first
  // Discharge_Capacity).
  const series = readArbinCsv("arbin/arbin_example.csv");
  const [start_row, end_row] = stepRows(series, 1, [12]);
  const curve = voltageCapacity({ series, start_row, end_row, cycle: 1 });
  equal(curve.direction, "discharge");
  assertClose(curve.capacity_Ah[curve.capacity_Ah.length - 1], 1.0723574, { abs: 1e-7 });
  equal(curve.voltage_V.length, 446);
  const spec = voltageCapacitySpec([curve]);
  const [line] = spec.layer as Layer[];
  equal(line.encoding.order.field, "row");
  assertClose(
    line.data.values[line.data.values.length - 1].capacity_mAh as number,
    1072.3574,
    { abs: 1e-4 },
  );
  const perMass = voltageCapacitySpec([curve], { mass_g: 5 }).layer as Layer[];
  assertClose(
    perMass[0].data.values[perMass[0].data.values.length - 1].capacity_mAh_per_g as number,
    1072.3574 / 5,
    { abs: 1e-4 },
  );
  throws(() => voltageCapacitySpec([curve], { mass_g: 0 }), /mass_g/);
});
