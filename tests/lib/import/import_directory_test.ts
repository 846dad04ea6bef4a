// Copyright 2026 the battery-analysis authors. MIT license.
// End-to-end: import a folder of real fixtures into a fresh store (SQLite, and MongoDB when
// MONGO_URI is set), then check tests, joins, raw archives, idempotency and updates.

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { importDirectory } from "../../../lib/import/import_directory.ts";
import { parseRecording } from "../../../parsers/parse_recording.ts";
import { fixturePath, readFixture } from "../../_util.ts";
import { STORE_CASES } from "./_stores.ts";

const FILES = [
  "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV",
  "arbin/FastCharge_000025_CH8.csv",
  "arbin/FastCharge_000025_CH8_Metadata.csv",
  "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt",
  "maccor/maccor_example.001",
  "maccor/maccor_example.002",
  "bad/custom_missing_column.csv",
  "README.md",
];

async function makeFolder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "battery_fixtures_" });
  for (const f of FILES) {
    if (f.includes("/")) await Deno.mkdir(join(dir, f.split("/")[0]), { recursive: true });
    await Deno.copyFile(fixturePath(f), join(dir, f));
  }
  return dir;
}

for (const storeCase of STORE_CASES) {
  Deno.test(`importDirectory() imports, joins, archives and skips real files (${storeCase.name})`, async () => {
    const dir = await makeFolder();
    const { store, cleanup } = await storeCase.open();
    try {
      for (const workers of [2, 0]) {
        // First with 2 workers; the second run (in-thread parsing) must find everything known.
        const summary = await importDirectory(store, [dir], { workers });
        if (workers === 2) {
          // 4 data files create tests (Arbin Zn, BEEP Arbin, BioLogic PEIS, Maccor .001),
          // maccor_example.002 joins the .001 test (updated); the sidecar and README are skipped;
          // the CSV without a voltage column fails.
          equal(summary.created, 4, JSON.stringify(summary.outcomes, null, 1));
          equal(summary.updated, 1);
          equal(summary.skipped, 2);
          equal(summary.failed, 1);
          equal(summary.status, "failed");
          const failed = summary.outcomes.find((o) => o.action === "failed")!;
          ok(failed.path.endsWith("custom_missing_column.csv"));
          ok(failed.error!.includes("custom_missing_column.csv"), failed.error!);
        } else {
          // Idempotent: nothing new, the bad file fails again, nothing is duplicated.
          equal(summary.created + summary.updated, 0);
          equal(summary.skipped, 7);
          equal(await store.tests.count(), 4);
        }
      }
      // The multi-file Maccor test holds both parts, rows in order (row counts from parsing each
      // part on its own).
      const [maccor] = await store.tests.find({ base_name: "maccor_example" });
      const rows1 = parseRecording(readFixture("maccor/maccor_example.001"), {
        fileName: "maccor_example.001",
      }).series!.length;
      const rows2 = parseRecording(readFixture("maccor/maccor_example.002"), {
        fileName: "maccor_example.002",
      }).series!.length;
      deepStrictEqual(maccor.parts.map((p) => [p.file_name, p.end_row - p.start_row]), [
        ["maccor_example.001", rows1],
        ["maccor_example.002", rows2],
      ]);
      const series = await store.series.read(maccor.id);
      equal(series!.length, rows1 + rows2);

      // The Zn file: sample and channel from the file name, start time from the file, the raw
      // bytes archived byte for byte.
      const [zn] = await store.tests.find({ name: "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1" });
      const sample = await store.samples.get(zn.sample_id);
      equal(sample!.name, "BL_Zn_SymCell_072023_04_1mAh");
      equal(zn.channel, 54);
      ok(zn.cycles.length > 10, `cycles: ${zn.cycles.length}`);
      const [raw] = await store.rawFiles.find({ test_id: zn.id });
      deepStrictEqual(
        await store.rawFiles.read(raw.id),
        readFixture("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV"),
      );
      // The BEEP file got its metadata sidecar attached (device id from the sidecar).
      const [beep] = await store.tests.find({ name: "FastCharge_000025_CH8" });
      ok(beep.metadata.device, JSON.stringify(beep.metadata.device));

      // A changed file updates its test instead of creating a new one.
      const path = join(dir, "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
      const text = await Deno.readTextFile(path);
      const lines = text.trimEnd().split("\n");
      await Deno.writeTextFile(path, lines.slice(0, -100).join("\n") + "\n");
      const again = await importDirectory(store, [join(dir, "arbin")], { workers: 0 });
      equal(again.updated, 1);
      const updated = await store.tests.get(zn.id);
      equal(updated!.parts[0].end_row, zn.parts[0].end_row - 100);
      equal(await store.tests.count(), 4);
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`importDirectory() dry run writes nothing (${storeCase.name})`, async () => {
    const dir = await makeFolder();
    const { store, cleanup } = await storeCase.open();
    try {
      const summary = await importDirectory(store, [dir], { workers: 0, dryRun: true });
      equal(summary.job_id, null);
      equal(summary.created, 5); // the .002 part is reported as a new test too: nothing is stored yet
      equal(await store.tests.count(), 0);
      equal((await store.jobs.list()).length, 0);
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
