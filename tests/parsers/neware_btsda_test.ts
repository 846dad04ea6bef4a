// Copyright 2026 the battery-analysis authors. MIT license.
//
// Every Neware binary fixture that comes with the table Neware's own BTSDA software exports for
// it (`<name>.parquet`, published by fastnda) is read here and compared row by row with that
// table: rows, record order, cycle index, step counter, schedule step, step type, step time,
// total time, voltage, current, capacity and energy counters and the date.

import { equal, fail } from "node:assert/strict";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { NEWARE_STATES } from "../../parsers/_neware_common.ts";
import { parseRecording } from "../../parsers/parse_recording.ts";
import { readFixture } from "../_util.ts";
import { readParquet } from "./_parquet.ts";

/** The fixtures with a BTSDA table, and what each one shows. */
const FILES: [string, string][] = [
  ["nda_v22.nda", "NDA version 22 (86-byte records with a Unix time)"],
  ["21_10_7_85.ndax", "ndc v14; a V = 0 placeholder record (BTSDA: 141 rows)"],
  ["46_1_5_60_bts16.ndax", "ndc v16 with an auxiliary part"],
  ["TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax", "ndc v17, 77,745 rows, 7 cycles"],
  ["interp-test.ndax", "ndc v14, rows interpolated between runInfo records"],
  ["nw4-120-1-6-53.ndax", "ndc v14, two nested loops, 150 cycles, 480 steps"],
  ["scrubbed_ndc2.ndax", "ndc v2, Control steps"],
];

/** BTSDA writes step types with spaces ("CC DChg", "CCCV Chg"); ours use underscores. */
const btsdaType = (t: string) => t.replaceAll(" ", "_").replaceAll("Dchg", "DChg");

/** Largest |a - b| over rows, and the row where it is reached. */
function worst(n: number, diff: (k: number) => number): { max: number; row: number } {
  let max = 0, row = -1;
  for (let k = 0; k < n; k++) {
    const d = Math.abs(diff(k));
    if (!(d <= max)) [max, row] = [Number.isNaN(d) ? Infinity : d, k];
  }
  return { max, row };
}

function within(what: string, w: { max: number; row: number }, limit: number): void {
  if (!(w.max <= limit)) fail(`${what}: differs by ${w.max} at row ${w.row} (limit ${limit})`);
}

for (const [name, what] of FILES) {
  Deno.test(`${name} matches BTSDA's table row by row (${what})`, async () => {
    const ref = await readParquet(readFixture(`neware/${name.replace(/\.ndax?$/, ".parquet")}`));
    const s = parseRecording(readFixture(`neware/${name}`), { fileName: name }).series!;
    const c = ref.columns;
    const n = ref.rows;
    equal(s.length, n, "rows");
    const num = (col: string) => c[col] as number[];
    for (let k = 0; k < n; k++) {
      if (s.cycle_index[k] !== num("Cycle Index")[k]) {
        fail(`row ${k}: cycle_index ${s.cycle_index[k]}, BTSDA ${num("Cycle Index")[k]}`);
      }
      if (s.step_index[k] !== num("Step Count")[k]) {
        fail(`row ${k}: step_index ${s.step_index[k]}, BTSDA Step Count ${num("Step Count")[k]}`);
      }
      if (s.extras.step_program_index[k] !== num("Step Index")[k]) {
        fail(`row ${k}: step_program_index ${s.extras.step_program_index[k]}`);
      }
      const type = NEWARE_STATES[s.extras.step_type_code[k]];
      if (type !== btsdaType(c["Step Type"][k] as string)) {
        fail(`row ${k}: step type ${type}, BTSDA ${c["Step Type"][k]}`);
      }
    }
    // Times: BTSDA prints them to 0.1 s or better (fastnda's test allows 0.0101 s below 1800 s
    // and 0.101 s above); the files store milliseconds.
    within("step time", worst(n, (k) => s.extras.step_time_s[k] - num("Time")[k]), 0.101);
    within("total time", worst(n, (k) => s.time_s[k] - num("Total Time")[k]), 0.101);
    // BTSDA's dates advance with the test time (none of these tests was paused).
    const d0 = num("Date")[0] / 1000;
    within("date", worst(n, (k) => num("Date")[k] / 1000 - d0 - s.time_s[k]), 1.001);
    // Voltage to 0.1 mV, current to 0.05 mA (float32 in both).
    within("voltage", worst(n, (k) => s.voltage_V[k] * 1000 - num("Voltage(mV)")[k]), 0.06);
    within("current", worst(n, (k) => s.current_A[k] * 1e6 - num("Current(uA)")[k]), 50);
    // Capacity and energy: BTSDA's one counter of the step (mA·s, mW·s, sign dropped) against
    // ours (charge + discharge: one of them is 0 within a step); 6e-4 mAh = 2.16 mA·s.
    within(
      "capacity",
      worst(n, (k) =>
        (s.charge_capacity_Ah[k] + s.discharge_capacity_Ah[k]) * 3.6e6 -
        Math.abs(num("Capacity(mAs)")[k])),
      2.16,
    );
    within(
      "energy",
      worst(n, (k) =>
        (s.charge_energy_Wh[k] + s.discharge_energy_Wh[k]) * 3.6e6 -
        Math.abs(num("Energy(mWs)")[k])),
      2.16,
    );
  });
}

/**
 * BTSDA's per-cycle charge and discharge: for each step (`Step Count`) its last capacity
 * counter |Capacity(mAs)|, summed over the cycle's charge steps and discharge steps (by the
 * step type's name), in Ah.
 */
function btsdaCycles(c: Record<string, (number | string | null)[]>) {
  const out = new Map<number, { charge: number; discharge: number }>();
  const n = c["Cycle Index"].length;
  for (let k = 0; k < n; k++) {
    const last = k === n - 1 || c["Step Count"][k + 1] !== c["Step Count"][k];
    if (!last) continue;
    const cycle = c["Cycle Index"][k] as number;
    const type = String(c["Step Type"][k]);
    const q = Math.abs(c["Capacity(mAs)"][k] as number) / 3.6e6;
    const entry = out.get(cycle) ?? { charge: 0, discharge: 0 };
    if (/DChg$/i.test(type)) entry.discharge += q;
    else if (/Chg$/.test(type)) entry.charge += q;
    out.set(cycle, entry);
  }
  return out;
}

for (
  const name of ["nw4-120-1-6-53.ndax", "TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.ndax"]
) {
  Deno.test(`summarizeCycles() of ${name} gives BTSDA's cycles and their capacities`, async () => {
    // nw4-120-1-6-53 ends with short cycles (seconds long, < 0.1 % of the largest half): each is
    // still one cycle of the instrument, not merged into the cycle before.
    const ref = await readParquet(readFixture(`neware/${name.replace(".ndax", ".parquet")}`));
    const expected = btsdaCycles(ref.columns);
    const s = parseRecording(readFixture(`neware/${name}`), { fileName: name }).series!;
    const table = summarizeCycles(s);
    equal(table.method, "cycle_index");
    equal(table.cycles.length, expected.size);
    // Both sides hold float32 counters (BTSDA's table, the .ndax runInfo records): allow 1e-7 Ah
    // (0.36 mA·s) plus a few float32 steps (2^-21) of the value.
    for (const c of table.cycles) {
      const e = expected.get(c.instrument_cycle!)!;
      for (
        const [ours, theirs] of [[c.charge_capacity_Ah!, e.charge], [
          c.discharge_capacity_Ah!,
          e.discharge,
        ]]
      ) {
        within(`cycle ${c.instrument_cycle} capacity (Ah)`, {
          max: Math.abs(ours - theirs),
          row: -1,
        }, 1e-7 + theirs * 2 ** -21);
      }
    }
  });
}
