// Copyright 2026 the battery-analysis authors. MIT license.
// End to end: import real fixtures (copied into a temporary folder, some renamed to carry cell
// codes) with the import_directory CLI into a fresh SQLite store, and into MongoDB when
// MONGO_URI is set; then run the other CLIs' main() against it: search, raw-file download,
// dataset refresh / list / rollback, and normalization.

import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { main as importDirectory } from "../../cli/import_directory.ts";
import { main as importWatcher } from "../../cli/import_watcher.ts";
import { main as normalize } from "../../cli/normalize.ts";
import { main as rawFile } from "../../cli/raw_file.ts";
import { main as searchTests } from "../../cli/search_tests.ts";
import { main as updateCellDataset } from "../../cli/update_cell_dataset.ts";
import { MongoStore } from "../../lib/store/mongo_store.ts";
import { SqliteStore } from "../../lib/store/sqlite_store.ts";
import type { Store } from "../../lib/store/store.ts";
import { assertClose, fixturePath, readFixture } from "../_util.ts";
import { runMain } from "./_run_main.ts";

// Fixture → name in the import folder. The file name rule takes the sample from the part before
// `_Channel_N` / `_CH<n>` / `_C<nn>` and the cell code from `CN<digits>`.
const FILES: [string, string][] = [
  ["arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV", "CN54_Zn_Channel_54_Wb_1.CSV"],
  [
    "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt",
    "CN54_Zn_C03.mpt",
  ],
  ["arbin/BL_Zn_SymCell_072023_06_Channel_55_Wb_1.CSV", "CN55_Zn_Channel_55_Wb_1.CSV"],
  ["maccor/maccor_example.001", "maccor_example.001"],
  ["maccor/maccor_example.002", "maccor_example.002"],
];
// The lab's 19 mm disc (original_system.md §3.16) and a chosen thickness.
const AREA_CM2 = 2.83528737;
const THICKNESS_CM = 0.01;

interface Backend {
  name: string;
  args: string[];
  open(): Promise<Store>;
  drop(): Promise<void>;
}

function backends(dir: string): Backend[] {
  const path = join(dir, "battery.db");
  const list: Backend[] = [{
    name: "sqlite",
    args: ["--db", path],
    open: () => SqliteStore.open({ path }),
    drop: () => Promise.resolve(),
  }];
  const uri = Deno.env.get("MONGO_URI");
  if (uri) {
    const dbName = `bt_cli_${Date.now().toString(36)}`;
    list.push({
      name: "mongodb",
      args: ["--db", uri, "--db-name", dbName],
      open: () => MongoStore.connect({ uri, dbName }),
      drop: async () => {
        const store = await MongoStore.connect({ uri, dbName });
        await store.dropDatabase();
        await store.close();
      },
    });
  }
  return list;
}

async function withStore<T>(backend: Backend, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await backend.open();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const work = await Deno.makeTempDir({ prefix: "battery_cli_" });
const config = join(work, "empty.toml");
await Deno.writeTextFile(config, "");

for (const backend of backends(work)) {
  Deno.test(`CLIs work end to end on imported fixtures (${backend.name})`, async (t) => {
    const data = await Deno.makeTempDir({ dir: work, prefix: "data_" });
    const out = await Deno.makeTempDir({ dir: work, prefix: "out_" });
    for (const [from, to] of FILES) await Deno.copyFile(fixturePath(from), join(data, to));
    const common = [...backend.args, "--config", config];
    try {
      await t.step("import_directory imports the folder", async () => {
        // A new SQLite store is made only when asked for (--create).
        if (backend.name === "sqlite") {
          const refused = await runMain(importDirectory, [data, "--workers", "0", ...common]);
          equal(refused.code, 1);
          match(refused.err, /battery\.db" \(from --db flag\): no such file; .*\(--create\)/);
        }
        const r = await runMain(importDirectory, [
          data,
          "--workers",
          "0",
          "--json",
          "--create",
          ...common,
        ]);
        equal(r.code, 0, r.err);
        // The store used is named on stderr and in the JSON.
        match(r.err, /^Store: /m);
        const summary = JSON.parse(r.out.split("\n").at(-1)!);
        equal(summary.store.kind, backend.name);
        // Four tests: two Zn cycling files, one impedance file, and the two Maccor parts joined.
        equal(summary.created, 4);
        equal(summary.updated, 1);
        deepStrictEqual(summary.datasets_updated, ["CN54", "CN55"]);
      });

      const ids = await withStore(backend, async (store) => {
        const [zn] = await store.tests.find({ name: "CN54_Zn_Channel_54_Wb_1" });
        const [maccor] = await store.tests.find({ base_name: "maccor_example" });
        return { zn, maccor };
      });

      await t.step("search_tests filters and reports the cycling metrics", async () => {
        const all = await runMain(searchTests, ["--json", ...common]);
        equal(all.code, 0, all.err);
        equal(JSON.parse(all.out).tests.length, 4);
        equal(JSON.parse(all.out).store.kind, backend.name);
        const cn54 = JSON.parse(
          (await runMain(searchTests, ["--cell", "CN54", "--json", ...common])).out,
        ).tests;
        equal(cn54.length, 2);
        const zn = cn54.find((r: { test_type: string }) => r.test_type === "Cycling");
        // Expected from tests/analysis/scripts/zn_expected.py (reads the CSV directly): 36 cycles,
        // discharge 0.00113 Ah in cycles 1 and 35; the recording ends during cycle 36 (0.00026
        // Ah), which the analysis leaves out (its capacity measures the end of the file): the
        // numbers are the stored analysis's summary, so retention is 0.00113 / 0.00113, not the
        // 23 % a last-cycle / first-cycle ratio gave before.
        equal(zn.cycle_count, 36);
        equal(zn.counted_cycle_count, 35);
        equal(zn.protocol, "symmetric_plating");
        assertClose(zn.initial_capacity_Ah, 0.00113, { rel: 1e-9 });
        assertClose(zn.final_capacity_Ah, 0.00113, { rel: 1e-9 });
        assertClose(zn.capacity_retention, 1, { rel: 1e-9 });
        equal(zn.mean_energy_efficiency, null); // not defined for a symmetric cell
        ok(zn.flag_codes.includes("last_cycle_cut_off"));
        ok(
          zn.flags.some((f: { code: string; message: string }) =>
            f.code === "last_cycle_cut_off" && /cycle 36/.test(f.message)
          ),
        );
        const table = await runMain(searchTests, [
          "--cell",
          "CN54",
          "--type",
          "cycling",
          ...common,
        ]);
        match(table.out, /Initial mAh/);
        match(table.out, /symmetric_plating +35\/36 +1\.130 +100\.0 /);
        // Flags with their reasons under the table.
        match(table.out, /\[info\] last_cycle_cut_off: the recording ends during cycle 36/);
        // Filters on the stored analysis: flag codes and summary numbers.
        const flagged = JSON.parse(
          (await runMain(searchTests, ["--flag", "last_cycle_cut_off", "--json", ...common])).out,
        ).tests;
        ok(flagged.some((r: { id: string }) => r.id === ids.zn.id));
        ok(
          flagged.every((r: { flag_codes: string[] }) =>
            r.flag_codes.includes("last_cycle_cut_off")
          ),
        );
        const lowRetention = JSON.parse(
          (await runMain(searchTests, ["--where", "capacity_retention<0.9", "--json", ...common]))
            .out,
        ).tests;
        ok(!lowRetention.some((r: { id: string }) => r.id === ids.zn.id));
        const badFlag = await runMain(searchTests, ["--flag", "nonsense", ...common]);
        equal(badFlag.code, 2);
        match(badFlag.err, /unknown code "nonsense"/);
        // Tester, case-insensitive; the Maccor test only.
        const maccor = JSON.parse(
          (await runMain(searchTests, ["--tester", "maccor", "--json", ...common])).out,
        ).tests;
        deepStrictEqual(maccor.map((r: { id: string }) => r.id), [ids.maccor.id]);
        // The date range includes its whole end day (the original excluded it after midnight).
        const day = ids.zn.start_time!.slice(0, 10);
        ok(ids.zn.start_time! > `${day}T00:00:00.000Z`, "starts after midnight");
        const inRange = JSON.parse(
          (await runMain(searchTests, ["--date-range", `2000-01-01:${day}`, "--json", ...common]))
            .out,
        ).tests;
        ok(inRange.some((r: { id: string }) => r.id === ids.zn.id));
        const csv = await runMain(searchTests, ["--sample", "CN55_Zn", "--csv", ...common]);
        const lines = csv.out.split("\n");
        equal(lines.length, 2);
        match(
          lines[0],
          /^id,name,sample,chemistry,cell_code,tester,test_type,start_time,analysis_version,/,
        );
        const bad = await runMain(searchTests, [
          "--date-range",
          "2024-02-30:2024-03-01",
          ...common,
        ]);
        equal(bad.code, 2);
        match(bad.err, /start date "2024-02-30" is not a valid date/);
        const none = await runMain(searchTests, ["--sample", "nobody", ...common]);
        equal(none.out, "No matching tests found.");
      });

      await t.step("raw_file downloads byte-identical files, safely", async () => {
        const list = await runMain(rawFile, ["list", "--test", ids.zn.id, "--json", ...common]);
        const [doc] = JSON.parse(list.out).raw_files;
        const target = join(out, "zn.csv");
        const r = await runMain(rawFile, ["download", doc.id, "--out", target, ...common]);
        equal(r.code, 0, r.err);
        deepStrictEqual(await Deno.readFile(target), readFixture(FILES[0][0]));
        // No overwrite without --force; the file stays as it was.
        await Deno.writeTextFile(target, "mine");
        const again = await runMain(rawFile, ["download", doc.id, "--out", target, ...common]);
        equal(again.code, 1);
        match(again.err, /exists; use --force/);
        equal(await Deno.readTextFile(target), "mine");
        equal(
          (await runMain(rawFile, ["download", doc.id, "-o", target, "--force", ...common])).code,
          0,
        );
        deepStrictEqual(await Deno.readFile(target), readFixture(FILES[0][0]));
        // An existing directory receives the file under its stored name.
        equal((await runMain(rawFile, ["by-test", ids.zn.id, "--out", out, ...common])).code, 0);
        deepStrictEqual(
          await Deno.readFile(join(out, "CN54_Zn_Channel_54_Wb_1.CSV")),
          readFixture(FILES[0][0]),
        );
        // A two-file test needs a directory, and gives both parts back.
        const refused = await runMain(rawFile, ["by-test", ids.maccor.id, ...common]);
        equal(refused.code, 2);
        match(refused.err, /has 2 raw files .*give --out DIR/);
        const parts = join(out, "maccor");
        const both = await runMain(rawFile, ["by-test", ids.maccor.id, "--out", parts, ...common]);
        equal(both.code, 0, both.err);
        deepStrictEqual(
          await Deno.readFile(join(parts, "maccor_example.001")),
          readFixture(FILES[3][0]),
        );
        deepStrictEqual(
          await Deno.readFile(join(parts, "maccor_example.002")),
          readFixture(FILES[4][0]),
        );
        // No temporary files are left behind.
        deepStrictEqual([...Deno.readDirSync(parts)].map((e) => e.name).sort(), [
          "maccor_example.001",
          "maccor_example.002",
        ]);
        const missing = await runMain(rawFile, ["download", "nope", "--out", target, ...common]);
        equal(missing.code, 1);
        match(missing.err, /no raw file with id "nope"/);
      });

      await t.step("normalize reports per-area values and missing geometry", async () => {
        await withStore(backend, async (store) => {
          const sample = await store.samples.getByName("CN54_Zn");
          await store.samples.update(sample!.id, {
            area_cm2: AREA_CM2,
            thickness_cm: THICKNESS_CM,
          });
        });
        const r = await runMain(normalize, ["CN54", "CN55", "CN99", "--json", ...common]);
        equal(r.code, 1); // CN99 has nothing
        const [cn54, cn55, cn99] = JSON.parse(r.out).cells;
        // Capacity: 1.13 mAh (zn_expected.py: cycle 1, the reference cycle of the stored
        // analysis) over the disc area.
        equal(cn54.capacity.reference_cycle, 1);
        assertClose(cn54.capacity.areal_capacity_mAh_per_cm2, 1.13 / AREA_CM2, { rel: 1e-9 });
        // R: 107.83198 Ω, the high-frequency intercept of the RT spectrum
        // (tests/analysis/scripts/high_frequency_intercept_expected.py).
        assertClose(cn54.impedance.resistance_ohm, 107.83198, { rel: 1e-7 });
        assertClose(cn54.impedance.area_specific_resistance_ohm_cm2, 107.83198 * AREA_CM2, {
          rel: 1e-7,
        });
        assertClose(
          cn54.impedance.ionic_conductivity_S_per_cm,
          THICKNESS_CM / (107.83198 * AREA_CM2),
          { rel: 1e-7 },
        );
        deepStrictEqual(cn54.problems, []);
        equal(cn55.capacity.areal_capacity_mAh_per_cm2, null);
        assertClose(cn55.capacity.initial_capacity_mAh, 1.13, { rel: 1e-9 });
        deepStrictEqual(cn55.problems, [
          'no area_cm2 on sample "CN55_Zn": values not normalized',
          "no impedance test",
        ]);
        deepStrictEqual(cn99.problems, ["no test or sample has cell code CN99"]);
        const text = await runMain(normalize, ["CN54", "CN55", ...common]);
        equal(text.code, 0);
        const [l54, l55] = text.out.split("\n");
        match(
          l54,
          /^CN54 capacity=0\.3985 mAh\/cm2 \(cycle 1 of CN54_Zn_Channel_54_Wb_1; flags: duplicate_rows,last_cycle_cut_off\) R=107\.8 ohm ASR=305\.7 ohm\*cm2 sigma=3\.271e-5 S\/cm$/,
        );
        match(l55, /^CN55 capacity=1\.13 mAh \(cycle 1 of .*\); no area_cm2 on sample "CN55_Zn"/);
      });

      await t.step("update_cell_dataset refreshes, lists and rolls back", async () => {
        const count = await runMain(updateCellDataset, ["--count", "--json", ...common]);
        const { store: used, ...counts } = JSON.parse(count.out);
        equal(used.kind, backend.name);
        deepStrictEqual(counts, { cell_codes: 2, datasets: 2 });
        // The import already built version 1 of both; nothing changed since.
        const same = await runMain(updateCellDataset, ["--all", "--json", ...common]);
        deepStrictEqual(JSON.parse(same.out).cells.map((r: { changed: boolean }) => r.changed), [
          false,
          false,
        ]);
        // A further CN54 test (same sample, new base name) changes CN54 only.
        const more = await Deno.makeTempDir({ dir: work, prefix: "more_" });
        await Deno.copyFile(
          fixturePath("arbin/BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV"),
          join(more, "CN54_Zn_CH9.csv"),
        );
        equal(
          (await runMain(importDirectory, [more, "--workers", "0", "--json", ...common])).code,
          0,
        );
        const refreshed = await runMain(updateCellDataset, [
          "--cell",
          "CN54",
          "--cell",
          "CN55",
          "--json",
          ...common,
        ]);
        // import_directory refreshed CN54 to version 2 already; the explicit refresh finds both
        // unchanged. 36 + 36 cycles (zn_expected.py) in CN54's dataset.
        deepStrictEqual(
          JSON.parse(refreshed.out).cells.map((
            r: { cell_code: string; version: number; cycles: number },
          ) => [r.cell_code, r.version, r.cycles]),
          [["CN54", 2, 72], ["CN55", 1, 43]],
        );
        const versions = JSON.parse(
          (await runMain(updateCellDataset, ["--list", "CN54", "--json", ...common])).out,
        ).versions;
        deepStrictEqual(versions.map((v: { version: number }) => v.version), [2, 1]);
        const back = await runMain(updateCellDataset, ["--rollback", "CN54", "1", ...common]);
        equal(back.code, 0, back.err);
        match(
          back.out,
          /^CN54: version 3 now holds the content of version 1 \(2 tests, 36 cycles\)$/,
        );
        const wrong = await runMain(updateCellDataset, ["--rollback", "CN54", "9", ...common]);
        equal(wrong.code, 1);
        match(wrong.err, /has no version 9 \(versions: 1, 2, 3\)/);
        const usage = await runMain(updateCellDataset, [...common]);
        equal(usage.code, 2);
        const unknown = await runMain(updateCellDataset, ["--cell", "CN77", ...common]);
        equal(unknown.code, 1);
        equal(unknown.out, "CN77: no tests with this cell code");
      });

      await t.step("import_watcher rejects bad arguments before watching", async () => {
        const r = await runMain(importWatcher, [data, "--stable=-1", ...common]);
        equal(r.code, 2);
        match(r.err, /--stable must be 0 or more/);
        const notDir = await runMain(importWatcher, [join(data, "maccor_example.001"), ...common]);
        equal(notDir.code, 2);
      });
    } finally {
      await backend.drop();
    }
  });
}

Deno.test({
  name: "raw_file streams a raw file to standard output unchanged",
  async fn() {
    // A separate process: standard output must carry exactly the archived bytes.
    const dir = await Deno.makeTempDir({ dir: work, prefix: "stdout_" });
    const path = join(dir, "battery.db");
    const store = await SqliteStore.open({ path });
    const bytes = readFixture("arbin/FastCharge_000025_CH8.csv");
    const { doc } = await store.rawFiles.put(bytes, { file_name: "FastCharge_000025_CH8.csv" });
    await store.close();
    const cli = new URL("../../cli/raw_file.ts", import.meta.url).pathname;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "download", doc.id, "--db", path, "--config", config],
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(output.code, 0, new TextDecoder().decode(output.stderr));
    deepStrictEqual(output.stdout, bytes);
  },
});

Deno.test({
  name: "cli end-to-end: remove the temporary folder",
  async fn() {
    await Deno.remove(work, { recursive: true });
  },
});
