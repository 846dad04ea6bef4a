// Copyright 2026 the battery-analysis authors. MIT license.
// cli/sample.ts and the sample flags of import_directory, run in-process on a temporary store.

import { deepEqual, equal, match } from "node:assert/strict";
import { join } from "node:path";
import { main as sample } from "../../cli/sample.ts";
import { main as importDirectory } from "../../cli/import_directory.ts";
import { main as normalize } from "../../cli/normalize.ts";
import { runMain } from "./_run_main.ts";
import { fixturePath } from "../_util.ts";

const ZN04 = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
const ZN03 = "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV";

Deno.test("sample set/show/list/import-sheet and import_directory's sample flags", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_sample_cli_" });
  try {
    const db = join(dir, "b.db");
    await Deno.mkdir(join(dir, "data"));
    for (const f of [ZN03, ZN04]) {
      await Deno.copyFile(fixturePath(`arbin/${f}`), join(dir, "data", f));
    }
    // A configuration file whose file-name rule reads the capacity in the name.
    const config = join(dir, "c.toml");
    await Deno.writeTextFile(
      config,
      `file_name_patterns = ['^(?<sample>.+_(?<nominal_capacity_mAh>[\\d.]+)mAh)_Channel_(?<channel>\\d+)$']\n`,
    );
    const base = ["--db", db, "--config", config];
    const imported = await runMain(importDirectory, [
      join(dir, "data"),
      ...base,
      "--create",
      "--workers",
      "0",
      "--json",
      "--chemistry",
      "Zn|Zn",
      "--area",
      "1.13cm2",
    ]);
    equal(imported.code, 0, imported.err);

    const shown = await runMain(sample, [
      "show",
      "BL_Zn_SymCell_072023_04_1mAh",
      "--json",
      ...base,
    ]);
    equal(shown.code, 0, shown.err);
    const doc = JSON.parse(shown.out);
    equal(doc.sample.chemistry, "Zn|Zn"); // flag
    equal(doc.sample.area_cm2, 1.13); // flag, "1.13cm2"
    equal(doc.sample.nominal_capacity_Ah, 0.001); // file-name rule group "1" mAh
    equal(doc.tests.length, 1);

    const set = await runMain(sample, [
      "set",
      "BL_Zn_SymCell_072023_04_1mAh",
      "--cell-code",
      "CN204",
      "--active-mass",
      "12.5 mg",
      "--clear",
      "chemistry",
      ...base,
    ]);
    equal(set.code, 0, set.err);
    match(set.out, /cell_code: — → CN204/);
    match(set.out, /active_mass_g: — → 0\.0125/);
    match(set.out, /chemistry: Zn\|Zn → —/);
    match(set.out, /cell datasets updated: CN204/);

    const norm = await runMain(normalize, ["CN204", "--json", ...base]);
    const [n] = JSON.parse(norm.out).cells;
    // mAh/g = mAh / 0.0125 g, mAh/cm² = mAh / 1.13 cm² (definitions).
    equal(n.capacity.specific_capacity_mAh_per_g, n.capacity.initial_capacity_mAh / 0.0125);
    equal(n.capacity.areal_capacity_mAh_per_cm2, n.capacity.initial_capacity_mAh / 1.13);

    const sheet = join(dir, "s.csv");
    await Deno.writeTextFile(sheet, `File,Thickness (um)\n${ZN03},20\n*.nothing,1\n`);
    const dry = await runMain(sample, ["import-sheet", sheet, "--dry-run", ...base]);
    match(dry.out, /dry run: nothing written/);
    match(dry.out, /thickness_cm: — → 0\.002/);
    match(dry.out, /warning: line 3: \*\.nothing matches no stored test and names no sample/);
    const applied = await runMain(sample, ["import-sheet", sheet, "--json", ...base]);
    deepEqual(JSON.parse(applied.out).samples[0].changed, [
      { field: "thickness_cm", from: null, to: 0.002 },
    ]);

    const list = await runMain(sample, ["list", "--cell-code", "CN204", ...base]);
    match(list.out, /BL_Zn_SymCell_072023_04_1mAh\s+CN204\s+1\s+12\.5\s+1\.13\s+1\n1 sample/);

    // Usage errors: exit code 2 with the reason.
    const errors: [string[], RegExp][] = [
      [["set", "X", "--area", "1.13"], /--area: area_cm2: 1.13 has no unit/],
      [["set", "X"], /give at least one property flag/],
      [["list", "--area", "1cm2"], /list filters by --chemistry and --cell-code only/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["set", "X", "--clear", "colour"], /--clear: unknown property "colour"/],
    ];
    for (const [args, message] of errors) {
      const run = await runMain(sample, [...args, ...base]);
      equal(run.code, 2, args.join(" "));
      match(run.err, message);
    }
    const missing = await runMain(sample, ["set", "nobody", "--area", "1cm2", ...base]);
    equal(missing.code, 1);
    match(missing.err, /no sample "nobody"/);
    const added = await runMain(sample, ["add", "nobody", "--area", "1cm2", ...base]);
    match(added.out, /Sample nobody: created\n {2}area_cm2: — → 1/);
    const again = await runMain(sample, ["add", "nobody", ...base]);
    equal(again.code, 2);
    match(again.err, /sample "nobody" exists; change it with "set"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
