// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// One-file bundles (`deno bundle`, as `deno task bundle` makes them) behave like the sources:
// summarize gives the same --json output, and import_directory parses in worker threads (the
// bundle is its own worker script).

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { jsonLines, repoPath, runCli } from "./_run.ts";
import { bundleTo } from "./_bundle.ts";

const dir = await Deno.makeTempDir({ prefix: "bundle_test_" });

/** Bundle cli/NAME.ts into the temp dir (once per test run, see `_bundle.ts`). */
async function bundle(name: string): Promise<{ path: string } | { skip: string }> {
  const b = await bundleTo(`cli/${name}.ts`, join(dir, `${name}.js`));
  return typeof b === "string" ? { path: b } : b;
}

const summarize = await bundle("summarize");
const importer = "skip" in summarize ? summarize : await bundle("import_directory");
for (const b of [summarize, importer]) {
  if ("skip" in b) console.warn(`bundle_test: skipped: ${b.skip}`);
}

const FIXTURES = [
  "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV",
  "arbin/mits7-0.res.gz",
  "arbin/20160805_test001_45_cc_01.res",
  "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx",
  "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt",
  "biologic/00_test_04_MB_C01.mpr",
  "neware/new_nda_file.nda",
  "neware/test.ndax",
  "maccor/PredictionDiagnostics_000151_test.052",
].map((f) => repoPath(`tests/fixtures/${f}`));

Deno.test({
  name: "bundled summarize gives the same --json output as the source, from any directory",
  ignore: "skip" in summarize,
  fn: async () => {
    const path = (summarize as { path: string }).path;
    const source = await runCli("cli/summarize.ts", ["--json", ...FIXTURES]);
    equal(source.code, 0, source.stderr);
    // The bundle runs from another working directory, with read permission only.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", path, "--json", ...FIXTURES],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const bundled = new TextDecoder().decode(out.stdout);
    equal(jsonLines(bundled).length, FIXTURES.length);
    equal(bundled, source.stdout);
  },
});

Deno.test({
  name: "bundled import_directory imports a folder with two parsing workers",
  ignore: "skip" in importer,
  fn: async () => {
    const path = (importer as { path: string }).path;
    const input = join(dir, "input");
    await Deno.mkdir(input);
    for (const f of FIXTURES) await Deno.copyFile(f, join(input, f.split("/").pop()!));
    const db = join(dir, "store.db");
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "-A",
        path,
        "--db",
        db,
        "--create",
        "--json",
        "--workers",
        "2",
        input,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const lines = jsonLines(new TextDecoder().decode(out.stdout));
    const files = lines.filter((l) => l.type === "file");
    const summary = lines.find((l) => l.type === "summary")!;
    equal(files.length, FIXTURES.length);
    deepEqual(files.map((f) => f.action), FIXTURES.map(() => "created"));
    equal(summary.failed, 0);
    // What the workers parsed and stored matches what summarize computes from the files: the
    // number of cycles of each cycling test (read back through analyze --test).
    const expected = new Map(
      jsonLines((await runCli("cli/summarize.ts", ["--json", ...FIXTURES])).stdout)
        .map((s) => [String(s.file).split("/").pop(), (s.cycles as unknown[]).length]),
    );
    let checked = 0;
    for (const f of files) {
      const name = String(f.path).split("/").pop()!;
      if (expected.get(name)! === 0) continue;
      const run = await runCli("cli/analyze.ts", [
        "--json",
        "--test",
        String(f.test_id),
        "--db",
        db,
      ], [
        "-A",
      ]);
      const report = jsonLines(run.stdout)[0];
      // The analysis stored at import (by the bundle's workers' parse).
      equal(run.code, 0, run.stderr);
      equal((report.summary as { cycle_count: number }).cycle_count, expected.get(name), name);
      checked++;
    }
    ok(checked >= 5, `cycling files checked: ${checked}`);
  },
});

const dashboard = "skip" in summarize ? summarize : await bundle("dashboard");

Deno.test({
  name: "bundled dashboard serves its pages and assets from an assets/ folder beside it",
  ignore: "skip" in dashboard,
  fn: async () => {
    const path = (dashboard as { path: string }).path;
    // What `deno task bundle` writes next to dist/dashboard.js.
    const { writeAssets } = await import("../../lib/dashboard/_assets.ts");
    await writeAssets(join(dir, "assets"));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", path, "--port", String(port), "--db", ":memory:"],
      cwd: dir, // outside the project: no node_modules to fall back on
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let banner = "";
      while (!banner.includes("Dashboard on")) {
        const { value, done } = await reader.read();
        if (done) break;
        banner += value;
      }
      reader.releaseLock();
      ok(banner.includes(`127.0.0.1:${port}`), banner);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      equal(page.status, 200);
      await page.body?.cancel();
      for (
        const name of [
          "app.js",
          "app.css",
          "modeling.js",
          "vega.min.js",
          "vega-lite.min.js",
          "vega-embed.min.js",
        ]
      ) {
        const response = await fetch(`http://127.0.0.1:${port}/assets/${name}`);
        equal(response.status, 200, name);
        deepEqual(
          new Uint8Array(await response.arrayBuffer()),
          await Deno.readFile(join(dir, "assets", name)),
          name,
        );
      }
    } finally {
      server.kill("SIGTERM");
      await server.status;
      await server.stdout.cancel().catch(() => {});
    }
  },
});

Deno.test({
  name: "the bundled compute worker (dist/dashboard_worker.js) answers the dashboard's tasks",
  ignore: "skip" in dashboard,
  fn: async () => {
    const path = join(dir, "dashboard_worker.js");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "deno", "-o", path, "lib/dashboard/_worker.ts"],
      cwd: repoPath(""),
      stderr: "piped",
    }).output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const { ComputePool } = await import("../../lib/compute/compute_pool.ts");
    const pool = new ComputePool({ workerUrl: new URL(`file://${path}`), workers: 1 });
    try {
      const html = await pool.run<string>("traceSection", { series: null }, { heavy: false });
      ok(html.includes("No voltage trace"), html);
      // The Modeling page's run: the physics models are in the bundled worker too.
      const run = await pool.run<{ json: string }>("modelingRun", {
        id: "0",
        options: {
          model: "spm",
          parameters: "Chen2020",
          experiment: [],
          cycles: 1,
          thermal: "isothermal",
          sei: false,
          points: 10,
          axis: "time",
          fit: [],
        },
        test: null,
      });
      equal(JSON.parse(run.json).voltage_V.length, 10);
    } finally {
      pool.close();
    }
  },
});

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch {
    // already gone
  }
});
