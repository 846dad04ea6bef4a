// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
/**
 * Queries on a store of many tests: the store-side listing queries (filter, sort, page in the
 * database), the dashboard pages that list tests (server time, handler called in process), and
 * the `search_tests` CLI (process time beyond the start of an empty `deno run`).
 *
 *   deno task bench:queries [--tests 10000] [--runs 5] [--db PATH | --mongo URI] [--keep]
 *
 * The store is generated: samples of 20 tests each, every test with 60 cycles of a fade drawn
 * from 100 analysed patterns (analyzeTest on synthetic cycles: power-law fade of varying rate,
 * some with a knee), so the headline numbers vary from test to test. With `--db PATH` an
 * existing generated SQLite file is reused (made when missing, kept). Times are medians of
 * `--runs` runs after a warm-up (a request over 5 s is run once), wall and this process's CPU;
 * the load average is printed.
 */
import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";
import { join } from "node:path";
import { SqliteStore } from "../lib/store/sqlite_store.ts";
import { MongoStore } from "../lib/store/mongo_store.ts";
import type { Store } from "../lib/store/store.ts";
import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import { analyzeTest } from "../analysis/analyze_test.ts";
import { searchTests } from "../lib/search_tests.ts";
import { createDashboardHandler } from "../lib/dashboard/create_dashboard_handler.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    tests: { type: "string", default: "10000" },
    runs: { type: "string", default: "5" },
    db: { type: "string" },
    mongo: { type: "string" },
    keep: { type: "boolean", default: false },
    "skip-dashboard": { type: "boolean", default: false },
  },
});
const count = Number(values.tests), runs = Number(values.runs);

/** 60 cycles of a power-law fade (rate and knee from the pattern number). */
function cycles(pattern: number): CycleSummary[] {
  const rate = 2e-4 * (1 + (pattern % 10)), knee = pattern % 3 === 0 ? 40 : Infinity;
  return Array.from({ length: 60 }, (_, k) => {
    const n = k + 1;
    const q = 2 * (1 - rate * Math.pow(n, 0.9) - (n > knee ? 4e-3 * (n - knee) : 0));
    return {
      cycle: n,
      instrument_cycle: n,
      first_half: "charge",
      start_row: k * 100,
      end_row: n * 100,
      start_time_s: k * 7200,
      end_time_s: n * 7200 - 1,
      duration_s: 7199,
      charge_capacity_Ah: q / 0.998,
      discharge_capacity_Ah: q,
      coulombic_efficiency: 0.998,
      charge_energy_Wh: 3.8 * q / 0.998,
      discharge_energy_Wh: 3.6 * q,
      energy_efficiency: 3.6 / 3.8,
      mean_voltage_V: 3.7,
      min_voltage_V: 3.0,
      max_voltage_V: 4.2,
      mean_charge_voltage_V: 3.8,
      mean_discharge_voltage_V: 3.6,
      mean_charge_current_A: 1,
      mean_discharge_current_A: -1,
      internal_resistance_ohm: 0.02 + pattern * 1e-4,
      complete: true,
    };
  });
}

async function generate(store: Store): Promise<void> {
  const t0 = performance.now();
  const patterns = Array.from({ length: 100 }, (_, p) => {
    const c = cycles(p);
    return { cycles: c, analysis: analyzeTest({ cycles: c }).toJSON() };
  });
  const chemistries = ["NMC811/Gr", "LFP/Gr", "NCA/Si-Gr", "LCO/Gr", "Zn/Zn"];
  const testers = ["Arbin", "BioLogic", "Maccor", "Neware"];
  let sampleId = "";
  for (let k = 0; k < count; k++) {
    if (k % 20 === 0) {
      sampleId = (await store.samples.create({
        name: `cell-${String(k / 20).padStart(5, "0")}`,
        chemistry: chemistries[(k / 20) % chemistries.length],
      })).id;
    }
    const p = patterns[(k * 37) % patterns.length];
    const day = new Date(Date.UTC(2023, 0, 1) + k * 3_600_000).toISOString();
    await store.tests.create({
      sample_id: sampleId,
      tester: testers[k % testers.length],
      name: `test-${String(k).padStart(5, "0")}`,
      file_hash: (k.toString(16).padStart(8, "0")).repeat(8),
      start_time: day,
      tags: k % 7 === 0 ? ["formation"] : [],
      cycles: p.cycles,
      analysis: p.analysis,
    });
    if ((k + 1) % 1000 === 0) {
      console.log(`  ${k + 1} tests (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
}

/** Median wall and CPU of `runs` calls (after one warm-up). */
async function measure(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c00 = cpuUsage();
  const t00 = performance.now();
  await run();
  const first = performance.now() - t00;
  if (first > 5000) {
    // Too slow to repeat: the one (cold) run is the figure.
    const c = cpuUsage(c00);
    return { wall: first, cpu: (c.user + c.system) / 1000 };
  }
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = cpuUsage();
    const t0 = performance.now();
    await run();
    wall.push(performance.now() - t0);
    const c = cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const med = (x: number[]) => x.sort((a, b) => a - b)[x.length >> 1];
  return { wall: med(wall), cpu: med(cpu) };
}

const load = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
console.log(`bench:queries — ${count} tests, load average ${await load()}`);
let store: Store;
let dir: string | null = null;
let dbPath: string | null = null;
if (values.mongo) {
  store = await MongoStore.connect({ uri: values.mongo, dbName: `bench_queries_${count}` });
  if ((await store.tests.count()) !== count) {
    console.log("generating the MongoDB store ...");
    await generate(store);
  }
} else {
  if (values.db) dbPath = values.db;
  else {
    dir = await Deno.makeTempDir({ prefix: "bench_queries_" });
    dbPath = join(dir, "queries.db");
  }
  const exists = await Deno.stat(dbPath).then(() => true, () => false);
  store = await SqliteStore.open({ path: dbPath });
  if (!exists || (await store.tests.count()) === 0) {
    console.log(`generating ${dbPath} ...`);
    await generate(store);
  }
  console.log(`database ${((await Deno.stat(dbPath)).size / 1e6).toFixed(0)} MB`);
}

const report = (what: string, r: { wall: number; cpu: number }, target = "") =>
  console.log(
    `${what.padEnd(64)} ${r.wall.toFixed(1).padStart(7)} ms wall ${
      r.cpu.toFixed(1).padStart(7)
    } ms CPU${target ? `   (target ${target})` : ""}`,
  );
report("tests.count()", await measure(() => store.tests.count()));
report(
  "tests page: 50 newest, no cycles",
  await measure(() =>
    store.tests.find({
      without_cycles: true,
      sort: { key: "start_time", order: "desc" },
      limit: 50,
    })
  ),
);
report(
  "tests page 101: 50 by name, skip 5000",
  await measure(() =>
    store.tests.find({ without_cycles: true, sort: { key: "name" }, skip: 5000, limit: 50 })
  ),
);
report(
  "fade ranking: 50 fastest fading, >= 20 counted cycles",
  await measure(() =>
    store.tests.find({
      without_cycles: true,
      summary: [{ field: "counted_cycle_count", op: ">=", value: 20 }],
      sort: { key: "fade_per_100_cycles", order: "desc" },
      limit: 50,
    })
  ),
);
report(
  "free text 'nmc 0042' (sample chemistry and name)",
  await measure(() => store.tests.find({ without_cycles: true, text: "nmc cell-0042" })),
);
report(
  "searchTests: retention < 0.9, tester arbin, limit 20",
  await measure(() =>
    searchTests(store, {
      where: [{ field: "capacity_retention", op: "<", value: 0.9 }],
      tester: "arbin",
      limit: 20,
      without_cycles: true,
    })
  ),
  "< 100 ms",
);
report(
  "tests.stats: count by tester, tag, chemistry; mean fade",
  await measure(() =>
    store.tests.stats({}, {
      by: ["tester", "tag", "chemistry"],
      metrics: ["fade_per_100_cycles"],
    })
  ),
);
report(
  "tests.numbers: fade and 5 numbers of every test with a fade",
  await measure(() =>
    store.tests.numbers({ has_fade: true }, [
      "fade_per_100_cycles",
      "mean_coulombic_efficiency",
      "initial_capacity_Ah",
      "counted_cycle_count",
      "temperature_C",
      "charge_rate_C",
    ])
  ),
);
if (!values["skip-dashboard"]) {
  const handle = createDashboardHandler(store, { adhocDir: null });
  for (const [path, target] of [["/", "< 150 ms"], ["/tests", "< 150 ms"], ["/fade", "< 500 ms"]]) {
    report(
      `dashboard GET ${path} (server time, in process)`,
      await measure(async () => {
        const res = await handle(new Request(`http://127.0.0.1${path}`));
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      }),
      target,
    );
  }
  handle.close();
}
await store.close();
if (dbPath && !values.mongo) {
  // search_tests as a user runs it, against an empty `deno run` (start-up alone).
  const empty = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(empty, "");
  const cli = new URL("../cli/search_tests.ts", import.meta.url).pathname;
  const proc = async (args: string[]) => {
    const t0 = performance.now();
    const out = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" })
      .output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return performance.now() - t0;
  };
  const med = async (args: string[]) => {
    await proc(args);
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) xs.push(await proc(args));
    return xs.sort((a, b) => a - b)[xs.length >> 1];
  };
  const base = await med(["run", "-A", empty]);
  const search = await med([
    "run",
    "-A",
    cli,
    "--db",
    dbPath,
    "--where",
    "capacity_retention<0.9",
    "--tester",
    "arbin",
    "--limit",
    "20",
    "--json",
  ]);
  console.log(
    `search_tests CLI (process): ${search.toFixed(0)} ms; empty deno run ${base.toFixed(0)} ms; ` +
      `beyond start-up ${(search - base).toFixed(0)} ms (target < 100 ms)`,
  );
  await Deno.remove(empty);
}
if (dir && !values.keep) await Deno.remove(dir, { recursive: true });
else if (dbPath) console.log(`kept ${dbPath}`);
console.log(`load average at the end: ${await load()}`);
