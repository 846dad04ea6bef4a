// Copyright 2026 the battery-analysis authors. MIT license.
// The export tables carry the analysis's own numbers, in the units asked for: known answers from
// the Zn symmetric-cell fixture (tests/analysis/scripts/zn_expected.py reads the raw CSV with
// Python's csv module: cycle 1 spans rows 122–169 with 0.00115 Ah charged and 0.00113 Ah
// discharged; 36 cycles, the last cut off by the end of the file) and synthetic data.

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  analyzeTest,
  cycleExportTable,
  type ExportTable,
  flagExportTable,
  parseExportUnits,
  seriesExportTable,
  spectraExportTable,
  testExportTables,
} from "../../../mod.ts";
import { read } from "../../../lib/summarize/read.ts";
import { assertClose, fixturePath } from "../../_util.ts";

const ZN = fixturePath("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
const EIS_RT = fixturePath(
  "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt",
);
const EIS_40C = fixturePath(
  "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_40C_ThinCell_C03.mpt",
);

/** A column's values as a plain array (throws when the table has no such column). */
function column(table: ExportTable, name: string): unknown[] {
  const c = table.columns.find((x) => x.name === name);
  ok(c, `no column ${name} in ${table.columns.map((x) => x.name).join(", ")}`);
  return Array.from(c.values as ArrayLike<unknown>);
}

const names = (t: ExportTable) => t.columns.map((c) => c.name);

Deno.test("cycleExportTable() is the analysed cycle table: roles, retention, flags and capacities of the Zn fixture", async () => {
  const recording = await read(ZN);
  const analysis = analyzeTest({ series: recording.series });
  const table = cycleExportTable(analysis);
  equal(table.name, "cycles");
  equal(table.length, 36);
  // The analysis's values, unchanged.
  deepEqual(column(table, "role"), analysis.cycles.map((c) => c.role));
  deepEqual(
    column(table, "retention"),
    analysis.cycles.map((c) => c.retention ?? NaN),
  );
  deepEqual(
    column(table, "flags"),
    analysis.cycles.map((c) => (c.flags.length ? c.flags.join(";") : null)),
  );
  // Known answers of zn_expected.py.
  deepEqual(column(table, "start_row").slice(0, 3), [122, 169, 216]);
  deepEqual(column(table, "end_row").slice(0, 3), [169, 216, 264]);
  assertClose(column(table, "charge_capacity_Ah")[0] as number, 0.00115, { abs: 1e-12 });
  assertClose(column(table, "discharge_capacity_Ah")[0] as number, 0.00113, { abs: 1e-12 });
  // The last cycle is cut off by the end of the file: role, flag code and `complete`.
  equal(column(table, "role")[35], "cut_off");
  equal(column(table, "complete")[35], false);
  ok((column(table, "flags")[35] as string).split(";").includes("last_cycle_cut_off"));
  equal(table.metadata.analysis_version, analysis.analysis_version);
  // The reference is cycle 1 (0.00113 Ah discharged): its retention is exactly 1.
  equal(column(table, "retention")[0], 1);
});

Deno.test("cycleExportTable() converts to mA, mAh and mWh and adds mAh/g and mAh/cm² from the sample", async () => {
  const recording = await read(ZN);
  const analysis = analyzeTest({ series: recording.series });
  const table = cycleExportTable(analysis, {
    units: parseExportUnits("mA,mAh,mWh,mAh/g,mAh/cm2"),
    sample: { active_mass_g: 0.012, area_cm2: 1.13 },
  });
  const n = names(table);
  ok(!n.includes("charge_capacity_Ah") && !n.includes("mean_charge_current_A"));
  // Specific and areal columns follow their capacity.
  deepEqual(
    n.slice(n.indexOf("charge_capacity_mAh"), n.indexOf("charge_capacity_mAh") + 6),
    [
      "charge_capacity_mAh",
      "charge_capacity_mAh_per_g",
      "charge_capacity_mAh_per_cm2",
      "discharge_capacity_mAh",
      "discharge_capacity_mAh_per_g",
      "discharge_capacity_mAh_per_cm2",
    ],
  );
  // 0.00113 Ah = 1.13 mAh; / 0.012 g = 94.1667 mAh/g; / 1.13 cm² = 1 mAh/cm².
  assertClose(column(table, "discharge_capacity_mAh")[0] as number, 1.13, { rel: 1e-12 });
  assertClose(column(table, "discharge_capacity_mAh_per_g")[0] as number, 1.13 / 0.012, {
    rel: 1e-12,
  });
  assertClose(column(table, "discharge_capacity_mAh_per_cm2")[0] as number, 1, { rel: 1e-12 });
  // Currents ×1000, every cycle; fractions unchanged.
  analysis.cycles.forEach((c, i) => {
    if (c.mean_charge_current_A !== null) {
      assertClose(
        column(table, "mean_charge_current_mA")[i] as number,
        c.mean_charge_current_A * 1000,
        {
          rel: 1e-12,
        },
      );
    }
    equal(column(table, "coulombic_efficiency")[i], c.coulombic_efficiency ?? NaN);
  });
  deepEqual(table.metadata.units, {
    current: "mA",
    capacity: "mAh",
    energy: "mWh",
    specific_capacity: "mAh/g",
    areal: "mAh/cm2, ohm*cm2",
  });
  deepEqual(table.metadata.sample, { active_mass_g: 0.012, area_cm2: 1.13 });
});

Deno.test("specific or areal units without the sample property are an error naming it", () => {
  const analysis = { cycles: [] };
  throws(
    () => cycleExportTable(analysis, { units: { specific: true } }),
    /mAh\/g: the sample's active mass \(active_mass_g\) is not known/,
  );
  throws(
    () => cycleExportTable(analysis, { units: { areal: true }, sample: { area_cm2: 0 } }),
    /electrode area \(area_cm2\) is not a positive number \(0\)/,
  );
  throws(
    () => cycleExportTable(analysis, { units: { current: "kA" as "A" } }),
    /units.current must be A or mA, got kA/,
  );
  // `mass_g` is the active mass of `SampleProperties` (as specificCapacity takes it).
  deepEqual(
    cycleExportTable(analysis, { units: { specific: true }, sample: { mass_g: 0.01 } }).metadata
      .sample,
    { active_mass_g: 0.01, area_cm2: null },
  );
});

Deno.test("parseExportUnits() reads the --units words and refuses unknown or contradicting ones", () => {
  deepEqual(parseExportUnits(""), {});
  deepEqual(parseExportUnits("A,Ah,Wh"), { current: "A", capacity: "Ah", energy: "Wh" });
  deepEqual(parseExportUnits("mAh/cm²,mAh"), { areal: true, capacity: "mAh" });
  throws(() => parseExportUnits("mAh,Ah"), /both mAh and Ah/);
  throws(() => parseExportUnits("mAh/kg"), /unknown unit "mAh\/kg"; use A, mA, Ah, mAh/);
});

Deno.test("seriesExportTable() gives each row its analysed cycle and converts the counters", async () => {
  const recording = await read(ZN);
  const series = recording.series!;
  const analysis = analyzeTest({ series });
  const table = seriesExportTable(series, {
    cycles: analysis.cycles,
    units: { current: "mA", capacity: "mAh", specific: true },
    sample: { active_mass_g: 0.012 },
  });
  equal(table.length, 1754);
  const cycle = column(table, "cycle");
  // zn_expected.py: cycle 1 starts at row 122; the 36th cycle runs to the last row.
  equal(cycle[121], null);
  equal(cycle[122], 1);
  equal(cycle[168], 1);
  equal(cycle[169], 2);
  equal(cycle[1753], 36);
  // Values are the series' own, scaled.
  for (const row of [0, 500, 1753]) {
    assertClose(column(table, "current_mA")[row] as number, series.current_A[row] * 1000, {
      abs: 1e-15,
    });
    assertClose(
      column(table, "discharge_capacity_mAh_per_g")[row] as number,
      (series.discharge_capacity_Ah[row] * 1000) / 0.012,
      { abs: 1e-12 },
    );
    equal(column(table, "voltage_V")[row], series.voltage_V[row]);
    equal(column(table, "cycle_index")[row], series.cycle_index[row]);
  }
  // The file's further columns keep their names; the metadata their origin.
  ok(names(table).includes("step_time_s"), names(table).join(", "));
  ok("voltage_V" in (table.metadata.source_columns as Record<string, unknown>));
});

Deno.test("seriesExportTable() prefixes an extra column whose name is taken and refuses cycles of another series", () => {
  const f = (...v: number[]) => Float64Array.from(v);
  const series = {
    length: 2,
    time_s: f(0, 1),
    voltage_V: f(3, 3.1),
    current_A: f(1, 1),
    charge_capacity_Ah: f(0, 1),
    discharge_capacity_Ah: f(0, 0),
    charge_energy_Wh: f(NaN, NaN),
    discharge_energy_Wh: f(NaN, NaN),
    step_index: Int32Array.of(1, 1),
    cycle_index: Int32Array.of(1, 1),
    extras: { cycle: f(7, 7), power_W: f(3, 3.1) },
    start_time: null,
    columns: {},
  };
  const table = seriesExportTable(series, { cycles: [{ cycle: 1, start_row: 0, end_row: 2 }] });
  deepEqual(column(table, "cycle"), [1, 1]);
  deepEqual(column(table, "extra_cycle"), [7, 7]);
  deepEqual(column(table, "power_W"), [3, 3.1]); // watts are not converted
  throws(
    () => seriesExportTable(series, { cycles: [{ cycle: 1, start_row: 0, end_row: 3 }] }),
    /cycle 1 spans rows 0–3, outside the series' 2 rows/,
  );
});

Deno.test("spectraExportTable() stacks spectra with their sequence and fills missing extras", async () => {
  const a = (await read(EIS_RT)).spectra![0];
  const b = { ...(await read(EIS_40C)).spectra![0], sequence: 1, cycle: 2 };
  b.extras = { ...b.extras };
  delete b.extras.phase_deg;
  const table = spectraExportTable([a, b], {
    units: { areal: true, current: "mA" },
    sample: { area_cm2: 0.5 },
  });
  equal(table.length, a.length + b.length);
  equal(table.length, 96); // 48 points each (the parser's known answer)
  const seq = column(table, "sequence");
  equal(seq[0], 0);
  equal(seq[a.length], 1);
  equal(column(table, "cycle")[0], a.cycle ?? null);
  equal(column(table, "cycle")[a.length], 2);
  deepEqual(column(table, "z_real_ohm").slice(0, a.length), Array.from(a.z_real_ohm));
  deepEqual(column(table, "z_imag_ohm").slice(a.length), Array.from(b.z_imag_ohm));
  // Ω·cm² = Ω × 0.5 cm², after each impedance column.
  assertClose(column(table, "z_real_ohm_cm2")[3] as number, a.z_real_ohm[3] * 0.5, { rel: 1e-15 });
  deepEqual(
    names(table).slice(2, 7),
    ["frequency_Hz", "z_real_ohm", "z_real_ohm_cm2", "z_imag_ohm", "z_imag_ohm_cm2"],
  );
  // current_A of the instrument, in mA.
  assertClose(column(table, "current_mA")[0] as number, a.extras.current_A[0] * 1000, {
    rel: 1e-12,
  });
  // The second spectrum has no phase: missing there, not zero.
  ok(Number.isNaN(column(table, "phase_deg")[a.length] as number));
  equal(column(table, "phase_deg")[0], a.extras.phase_deg[0]);
});

Deno.test("flagExportTable() gives every flag with its reason; testExportTables() picks what the test has", async () => {
  const recording = await read(ZN);
  const analysis = analyzeTest({ series: recording.series });
  const flags = flagExportTable(analysis);
  equal(flags.length, analysis.flags.length);
  deepEqual(column(flags, "message"), analysis.flags.map((f) => f.message));
  const cut = column(flags, "code").indexOf("last_cycle_cut_off");
  equal(column(flags, "cycles")[cut], "36");
  equal(column(flags, "severity")[cut], "info");

  deepEqual(
    testExportTables({ analysis, series: recording.series }).map((t) => t.name),
    ["cycles", "flags", "series"],
  );
  deepEqual(
    testExportTables({ analysis, series: recording.series }, { tables: ["series", "cycles"] })
      .map((t) => t.name),
    ["cycles", "series"],
  );
  throws(
    () => testExportTables({ analysis, series: recording.series }, { tables: ["spectra"] }),
    /Cannot export the spectra: the test has no impedance spectra/,
  );
  throws(
    () => testExportTables({ analysis }, { tables: ["bogus" as "cycles"] }),
    /Cannot export table "bogus"/,
  );
});
