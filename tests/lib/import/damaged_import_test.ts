// Copyright 2026 the battery-analysis authors. MIT license.
// A damaged file's warnings reach the stored test (metadata.warnings) and its stored analysis
// flags (issue 12, item 4), in every store.

import { equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { importDirectory } from "../../../lib/import/import_directory.ts";
import { readFixture } from "../../_util.ts";
import { STORE_CASES } from "./_stores.ts";

for (const storeCase of STORE_CASES) {
  Deno.test(`a truncated file is stored with its warning and flag (${storeCase.name})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "battery_damaged_import_" });
    const { store, cleanup } = await storeCase.open();
    try {
      const bytes = readFixture("arbin/FastCharge_000025_CH8.csv");
      // Cut 20 bytes into the last line (line 249): 247 complete rows remain.
      let last = bytes.length - 2; // before the final "\r\n"
      while (bytes[last - 1] !== 10) last--;
      await Deno.writeFile(join(dir, "cut_Channel_8_Wb_1.csv"), bytes.subarray(0, last + 20));
      const summary = await importDirectory(store, [dir], { workers: 0, archive: false });
      equal(summary.created, 1, JSON.stringify(summary.outcomes));
      const test = (await store.tests.get(summary.outcomes[0].test_id!))!;
      const warnings = test.metadata.warnings as string[];
      ok(
        warnings.some((w) =>
          w.startsWith(`truncated_last_line: line 249 (byte ${last}) is cut short`)
        ),
        JSON.stringify(warnings),
      );
      ok(test.analysis!.summary.flag_codes.includes("truncated_last_line"));
      equal(
        test.analysis!.flags.find((f) => f.code === "truncated_last_line")?.severity,
        "warning",
      );
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
