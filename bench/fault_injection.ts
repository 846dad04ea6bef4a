// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Fault-injection trials (too slow for CI; tests/lib/import/multi_writer_test.ts runs a small
 * subset): N concurrent importer processes into one SQLite file and into one FerretDB database,
 * random SIGKILLs of importers and of the server, then the checks of `tests/lib/import/_faults.ts`
 * (every file stored exactly once and complete, raw bytes identical, no orphans, jobs truthful).
 *
 * ```sh
 * deno run -A bench/fault_injection.ts [--trials 10] [--files 12] [--importers 3] [--seed 1]
 *   [--store sqlite|mongodb|both] [--json results.json]
 * ```
 *
 * MongoDB trials need the FerretDB binary that `.ci/ferretdb.sh` builds; each trial starts its
 * own server so that it can kill it. Results are summarized in docs/reliability.md. The damaged
 * files of the suite (damaged variants of every fixture, each repaired with a warning or failed
 * naming the place) are `bench/damaged_variants.ts` (`deno task bench:damaged`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  checkStore,
  FerretServer,
  makeFiles,
  prng,
  runTrial,
  type Target,
} from "../tests/lib/import/_faults.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    trials: { type: "string", default: "10" },
    files: { type: "string", default: "12" },
    importers: { type: "string", default: "3" },
    kills: { type: "string", default: "3" },
    "server-kills": { type: "string", default: "2" },
    seed: { type: "string", default: "1" },
    store: { type: "string", default: "both" },
    json: { type: "string" },
  },
});
const trials = Number(values.trials);
const fileCount = Number(values.files);
const importers = Number(values.importers);
const stores = values.store === "both" ? ["sqlite", "mongodb"] : [values.store!];
const random = prng(Number(values.seed));

interface Row {
  store: string;
  trial: number;
  seed: number;
  importer_runs: number;
  importer_kills: number;
  server_kills: number;
  failed_runs: string[];
  problems: string[];
  seconds: number;
}
const rows: Row[] = [];
const dir = await Deno.makeTempDir({ prefix: "battery_faults_" });
try {
  const data = join(dir, "data");
  await Deno.mkdir(data);
  const files = await makeFiles(data, fileCount);
  for (const store of stores) {
    if (store === "mongodb" && !FerretServer.binary()) {
      console.error("FerretDB binary not found (run `source .ci/ferretdb.sh && ferretdb_build`)");
      continue;
    }
    for (let trial = 1; trial <= trials; trial++) {
      const started = performance.now();
      const trialDir = join(dir, `${store}_${trial}`);
      await Deno.mkdir(trialDir);
      let server: FerretServer | undefined;
      let target: Target;
      if (store === "mongodb") {
        server = await FerretServer.start(trialDir);
        target = { kind: "mongodb", uri: server.uri, dbName: `faults_${trial}` };
      } else target = { kind: "sqlite", path: join(trialDir, "battery.db") };
      const seed = Math.floor(random() * 2 ** 31);
      try {
        const result = await runTrial(target, files, {
          importers,
          kills: Number(values.kills),
          serverKills: Number(values["server-kills"]),
          server,
          random: prng(seed),
        });
        const problems = await checkStore(target, files);
        const row: Row = {
          store,
          trial,
          seed,
          ...result,
          problems,
          seconds: (performance.now() - started) / 1000,
        };
        rows.push(row);
        console.log(
          `${store} trial ${trial} (seed ${seed}): ${result.importer_runs} runs, ` +
            `${result.importer_kills} importer kills, ${result.server_kills} server kills, ` +
            `${result.failed_runs.length} failed runs, ${problems.length} problems ` +
            `(${row.seconds.toFixed(1)} s)`,
        );
        for (const p of [...result.failed_runs, ...problems]) console.log(`  ${p}`);
      } finally {
        await server?.stop();
      }
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
for (const store of stores) {
  const mine = rows.filter((r) => r.store === store);
  if (mine.length === 0) continue;
  const sum = (k: "importer_runs" | "importer_kills" | "server_kills") =>
    mine.reduce((s, r) => s + r[k], 0);
  console.log(
    `${store}: ${mine.length} trials, ${sum("importer_runs")} importer runs, ` +
      `${sum("importer_kills")} importer kills, ${sum("server_kills")} server kills; ` +
      `${
        mine.filter((r) => r.problems.length || r.failed_runs.length).length
      } trials with failures`,
  );
}
if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(rows, null, 2));
