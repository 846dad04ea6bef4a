// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// Store throughput: write a 1,000,000-row cycling series (9 required columns + temperature + 2
// extras, 1000 cycles of 1000 rows), read it back whole, and read one cycle, in the SQLite file
// store, the in-memory store and (when MONGO_URI is set) MongoDB/FerretDB.
//
//   deno task bench:store                     # SQLite file + memory
//   MONGO_URI=mongodb://127.0.0.1:27017/ deno task bench:store
//   deno run -A bench/store_bench.ts --rows 200000 --runs 3

import { parseArgs } from "node:util";
import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { Store } from "../lib/store/store.ts";
import { SqliteStore } from "../lib/store/sqlite_store.ts";
import { MongoStore } from "../lib/store/mongo_store.ts";
import { createHash } from "node:crypto";

const { values } = parseArgs({
  args: Deno.args,
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "2" } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const CYCLE_ROWS = 1000;

function makeSeries(n: number): CyclingSeries {
  const f = (g: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => g(i));
  return {
    length: n,
    time_s: f((i) => i * 0.5),
    voltage_V: f((i) => 3.5 + 0.5 * Math.sin(i / 100)),
    current_A: f((i) => (Math.floor(i / 500) % 2 ? -0.1 : 0.1)),
    charge_capacity_Ah: f((i) => (i % 1000) * 1e-5),
    discharge_capacity_Ah: f((i) => (i % 1000) * 1e-5),
    charge_energy_Wh: f((i) => (i % 1000) * 4e-5),
    discharge_energy_Wh: f((i) => (i % 1000) * 4e-5),
    step_index: Int32Array.from({ length: n }, (_, i) => 1 + (Math.floor(i / 500) % 2)),
    cycle_index: Int32Array.from({ length: n }, (_, i) => 1 + Math.floor(i / CYCLE_ROWS)),
    temperature_C: f(() => 25),
    extras: { internal_resistance_ohm: f(() => 0.05), step_time_s: f((i) => (i % 500) * 0.5) },
    start_time: "2024-01-01T00:00:00.000Z",
    columns: {},
  };
}

function cycles(n: number): CycleSummary[] {
  const out: CycleSummary[] = [];
  for (let c = 0; c * CYCLE_ROWS < n; c++) {
    const start = c * CYCLE_ROWS;
    const end = Math.min(n, start + CYCLE_ROWS);
    out.push({
      cycle: c + 1,
      instrument_cycle: c + 1,
      first_half: "charge",
      start_row: start,
      end_row: end,
      start_time_s: start * 0.5,
      end_time_s: (end - 1) * 0.5,
      duration_s: (end - 1 - start) * 0.5,
      charge_capacity_Ah: 0.005,
      discharge_capacity_Ah: 0.0049,
      coulombic_efficiency: 0.98,
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
    });
  }
  return out;
}

async function bench(label: string, open: () => Promise<Store>, cleanup: () => Promise<void>) {
  const series = makeSeries(ROWS);
  const cycleList = cycles(ROWS);
  for (let run = 0; run < RUNS; run++) {
    const store = await open();
    const sample = await store.samples.create({ name: `bench-${run}` });
    let t = performance.now();
    const test = await store.tests.create({
      sample_id: sample.id,
      tester: "Arbin",
      name: `bench_${run}`,
      file_hash: createHash("sha256").update(`bench-${run}-${Date.now()}`).digest("hex"),
      cycles: cycleList,
    }, { series });
    const write = performance.now() - t;
    t = performance.now();
    const back = await store.series.read(test.id);
    const read = performance.now() - t;
    const middle = Math.ceil(cycleList.length / 2);
    t = performance.now();
    const one = await store.series.read(test.id, { cycle: middle });
    const readCycle = performance.now() - t;
    if (back?.length !== ROWS || back.voltage_V[ROWS - 1] !== series.voltage_V[ROWS - 1]) {
      throw new Error(`${label}: read-back mismatch`);
    }
    if (one?.length !== CYCLE_ROWS || one.time_s[0] !== (middle - 1) * CYCLE_ROWS * 0.5) {
      throw new Error(`${label}: cycle read mismatch`);
    }
    console.log(
      `${label.padEnd(14)} run ${run + 1}: store ${ROWS} rows ${write.toFixed(0)} ms, ` +
        `read all ${read.toFixed(0)} ms, read cycle ${middle} (${CYCLE_ROWS} rows) ${
          readCycle.toFixed(1)
        } ms`,
    );
    await store.close();
    await cleanup();
  }
}

console.log(
  `Deno ${Deno.version.deno}, ${ROWS} rows × 12 columns (${(ROWS * 88 / 1e6).toFixed(0)} MB)`,
);
const dir = await Deno.makeTempDir({ prefix: "store_bench_" });
await bench(
  "sqlite file",
  () => SqliteStore.open({ path: `${dir}/bench.db` }),
  () =>
    Deno.remove(`${dir}/bench.db`).then(() => Deno.remove(`${dir}/bench.db-wal`).catch(() => {}))
      .then(() => Deno.remove(`${dir}/bench.db-shm`).catch(() => {})),
);
await bench("sqlite memory", () => SqliteStore.open({ path: ":memory:" }), () => Promise.resolve());
await Deno.remove(dir, { recursive: true });
const uri = Deno.env.get("MONGO_URI");
if (uri) {
  const dbName = `bench_${Date.now().toString(36)}`;
  await bench("mongodb", () => MongoStore.connect({ uri, dbName }), async () => {
    const s = await MongoStore.connect({ uri, dbName });
    await s.dropDatabase();
    await s.close();
  });
} else console.log("mongodb: skipped (set MONGO_URI)");
