// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// Python users read the exports: the recipe of docs/export.md runs as written on the Parquet
// export of a real file, and pandas, polars and pyarrow (tests/cli/scripts/read_exports.py) read
// the same values `summarize --json` shows. Known answers of the Zn fixture from
// tests/analysis/scripts/zn_expected.py (raw CSV read with Python's csv module): 36 cycles, cycle
// 1 spans rows 122–169 and discharges 0.00113 Ah. Skipped, saying so, without Python 3 and
// pandas, polars and pyarrow (`pip install pandas polars pyarrow openpyxl`).

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { jsonLines, repoPath, runCli } from "./_run.ts";
import { assertClose, fixturePath } from "../_util.ts";

const ZN = fixturePath("arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");

async function python(args: string[], cwd?: string) {
  try {
    const out = await new Deno.Command("python3", { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

const probe = await python(["-c", "import pandas, polars, pyarrow"]);
const skip = probe === null
  ? "python3 is not installed"
  : probe.code !== 0
  ? `pandas, polars or pyarrow is missing (pip install pandas polars pyarrow): ${
    probe.stderr.trim().split("\n").pop()
  }`
  : null;
if (skip) console.warn(`export_python_test: skipped: ${skip}`);

/** The python code blocks of the recipe section of docs/export.md. */
function recipe(): string {
  const doc = Deno.readTextFileSync(repoPath("docs/export.md"));
  const section = doc.slice(doc.indexOf("## Reading the Parquet output in pandas and polars"));
  const blocks = [...section.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
  ok(blocks.length > 0, "docs/export.md has no python recipe");
  return blocks.join("\n");
}

Deno.test({
  name:
    "the pandas and polars recipe of docs/export.md runs on a real export and reads its numbers",
  ignore: skip !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "export_python_" });
    try {
      // The recipe's own set-up: cell.CSV exported with --parquet --units mAh,mAh/g (plus mA for
      // the series' current, and the Arrow and XLSX files the checks below read).
      await Deno.copyFile(ZN, join(dir, "cell.CSV"));
      const run = await runCli("cli/summarize.ts", [
        join(dir, "cell.CSV"),
        "--json",
        "--parquet",
        "--arrow",
        "--xlsx",
        "--units",
        "mA,mAh,mAh/g",
        "--active-mass",
        "12mg",
        "--out",
        dir,
      ], ["--allow-read", "--allow-write"]);
      equal(run.code, 0, run.stderr);
      const summary = jsonLines(run.stdout)[0] as {
        cycles: { role: string; retention: number | null; discharge_capacity_Ah: number }[];
      };

      await Deno.writeTextFile(join(dir, "recipe.py"), recipe());
      const ran = await python(["recipe.py"], dir);
      equal(ran!.code, 0, ran!.stderr);
      // It printed the counted cycles, the flags and the metadata.
      match(ran!.stdout, /discharge_capacity_mAh_per_g/);
      match(ran!.stdout, /last_cycle_cut_off/);
      match(ran!.stdout, /'capacity': 'mAh'/);

      const read = await python([repoPath("tests/cli/scripts/read_exports.py"), dir, "cell"]);
      equal(read!.code, 0, read!.stderr);
      const got = JSON.parse(read!.stdout);
      // pandas: the cycle table of summarize --json, typed.
      equal(got.pandas.rows, 36);
      deepEqual(got.pandas.role, summary.cycles.map((c) => c.role));
      deepEqual(got.pandas.retention, summary.cycles.map((c) => c.retention));
      summary.cycles.forEach((c, i) => {
        assertClose(got.pandas.discharge_capacity_mAh[i], c.discharge_capacity_Ah * 1000, {
          rel: 1e-12,
        });
      });
      assertClose(got.pandas.discharge_capacity_mAh[0], 1.13, { rel: 1e-12 });
      assertClose(got.pandas.discharge_capacity_mAh_per_g[0], 1.13 / 0.012, { rel: 1e-12 });
      equal(got.pandas.flags[35], "last_cycle_cut_off");
      deepEqual(got.pandas.dtypes, {
        cycle: "int32",
        role: "object",
        retention: "float64",
        complete: "bool",
        discharge_capacity_mAh: "float64",
      });
      // polars: the series with its cycle column (null before cycle 1 at row 122; 47 rows).
      equal(got.polars.rows, 1754);
      equal(got.polars.cycle_nulls, 122);
      equal(got.polars.rows_of_cycle_1, 169 - 122);
      deepEqual(got.polars.dtypes, { time_s: "Float64", cycle: "Int32", step_index: "Int32" });
      // Arrow files hold the same tables as the Parquet files.
      deepEqual(got.arrow, { feather_equals_parquet: true, ipc_equals_parquet: true });
      equal(got.metadata.units.capacity, "mAh");
      deepEqual(got.metadata.sample, { active_mass_g: 0.012, area_cm2: null });
      if (got.xlsx) {
        deepEqual(got.xlsx.sheets, ["cycles", "flags", "series", "about"]);
        equal(got.xlsx.cycles_equal, true);
        deepEqual(got.xlsx.discharge_capacity_mAh, got.pandas.discharge_capacity_mAh);
      } else console.warn("export_python_test: openpyxl missing: XLSX not read with pandas");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
