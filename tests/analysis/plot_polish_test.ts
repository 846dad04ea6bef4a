// Copyright 2026 the battery-analysis authors. MIT license.
// What the plots say besides their data: whole-number cycle axes, a discrete legend for a few
// cycles, a legend on every multi-layer plot, a time unit that suits the recording, no
// meaningless decimals on a flat axis — and every spec compiles without a vega-lite warning.
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  capacityPlotSpec,
  retentionPlotSpec,
  voltageTracePlotSpec,
} from "../../analysis/plot_specs.ts";
import { voltageCapacitySpec } from "../../analysis/voltage_capacity_spec.ts";
import { layeredChart } from "../../analysis/_vega.ts";
import type { VoltageCapacityCurve } from "../../analysis/voltage_capacity.ts";
import type { CycleSummary } from "../../lib/model/cycle_summary.ts";
import { compileWarnings } from "./_vega_lite.ts";

type Enc = Record<string, Record<string, unknown>>;
const layers = (spec: Record<string, unknown>) =>
  spec.layer as { encoding: Enc; data: { values: Record<string, unknown>[] } }[];

function cycle(k: number, qd: number): CycleSummary {
  return {
    cycle: k,
    instrument_cycle: k,
    first_half: "charge",
    start_row: 0,
    end_row: 0,
    start_time_s: 0,
    end_time_s: 0,
    duration_s: 0,
    charge_capacity_Ah: qd / 0.99,
    discharge_capacity_Ah: qd,
    coulombic_efficiency: 0.99,
    charge_energy_Wh: null,
    discharge_energy_Wh: null,
    energy_efficiency: null,
    mean_voltage_V: null,
    min_voltage_V: null,
    max_voltage_V: null,
    mean_charge_voltage_V: null,
    mean_discharge_voltage_V: null,
    mean_charge_current_A: null,
    mean_discharge_current_A: null,
    internal_resistance_ohm: null,
    complete: true,
  } as CycleSummary;
}

function curve(k: number): VoltageCapacityCurve {
  const n = 20;
  return {
    cycle: k,
    direction: "discharge",
    capacity_Ah: Float64Array.from({ length: n }, (_, i) => i * 1e-4),
    voltage_V: Float64Array.from({ length: n }, (_, i) => 4.2 - i * 0.05),
    rows: Int32Array.from({ length: n }, (_, i) => i),
  } as unknown as VoltageCapacityCurve;
}

Deno.test("cycle axes tick at whole numbers and label without decimals", () => {
  const spec = capacityPlotSpec([cycle(1, 1), cycle(2, 0.99), cycle(3, 0.98)]);
  for (const panel of spec.vconcat as Record<string, unknown>[]) {
    const x = layers(panel)[0].encoding.x;
    deepEqual(x.axis, { tickMinStep: 1, format: "d" });
  }
  deepEqual(compileWarnings(spec), []);
});

Deno.test("a few cycles get a discrete legend, many a continuous one with whole numbers", () => {
  const few = voltageCapacitySpec([curve(1), curve(50), curve(100)]);
  const color = layers(few)[0].encoding.color;
  equal(color.type, "ordinal");
  deepEqual(compileWarnings(few), []);
  const many = voltageCapacitySpec(Array.from({ length: 30 }, (_, i) => curve(i + 1)));
  const c = layers(many)[0].encoding.color;
  equal(c.type, "quantitative");
  deepEqual(c.legend, { format: "d" });
  deepEqual(compileWarnings(many), []);
});

Deno.test("the retention plot has a legend naming each layer", () => {
  const spec = retentionPlotSpec({
    points: [{ cycle: 1, retention: 1 }, { cycle: 50, retention: 0.9 }],
    fit: { name: "linear", curve: [{ cycle: 1, retention: 1 }, { cycle: 50, retention: 0.9 }] },
    threshold: 0.8,
    knee: { cycle: 30, retention: 0.95 },
    anomalies: [{ cycle: 50, retention: 0.9 }],
  });
  const names = layers(spec).map((l) => l.encoding.color?.datum);
  deepEqual(names, [
    "Measured",
    "Model: linear",
    "End of life (80 %)",
    "Knee (cycle 30)",
    "Anomaly",
  ]);
  // One shared colour scale: the legend lists all five.
  for (const l of layers(spec)) {
    deepEqual((l.encoding.color.scale as { domain: string[] }).domain, names);
  }
  deepEqual(compileWarnings(spec), []);
});

Deno.test("the voltage trace is in seconds for a 3-second file and in hours for a day", () => {
  const trace = (seconds: number) => {
    const n = 50;
    const time_s = Float64Array.from({ length: n }, (_, i) => (i * seconds) / (n - 1));
    return voltageTracePlotSpec({
      length: n,
      time_s,
      voltage_V: time_s.map((t) => 3.7 + 0.01 * Math.sin(t)),
      current_A: new Float64Array(n).fill(0.1),
    });
  };
  const short = layers(trace(3))[0];
  equal(short.encoding.x.title, "Test time (s)");
  equal(short.data.values.at(-1)!.time_s, 3);
  const day = layers(trace(86400))[0];
  equal(day.encoding.x.title, "Test time (h)");
  equal(day.data.values.at(-1)!.time_h, 24);
  deepEqual(compileWarnings(trace(3)), []);
});

Deno.test("a flat series gets a padded axis instead of labels such as 1.000000", () => {
  const spec = layeredChart([{
    mark: "line",
    rows: [{ c: 1, ce: 100 }, { c: 2, ce: 100 }],
    x: { field: "c", integer: true },
    y: { field: "ce" },
  }]);
  deepEqual(layers(spec)[0].encoding.y.scale, { zero: false, domain: [95, 105] });
  ok(!("domain" in (layers(spec)[0].encoding.x.scale as object)));
  deepEqual(compileWarnings(spec), []);
});
