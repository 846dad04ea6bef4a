// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// Every CLI runs with the permissions its `deno task` entry grants (deno.json), no more: each
// tool is bundled (`deno bundle`, as `deno task bundle` makes them) and run with exactly those
// flags, from a temporary folder, with a temporary home directory and no other environment, on
// the SQLite store and (when MONGO_URI is set) on MongoDB. A missing permission shows up as
// Deno's `Requires ... access` error, or the store's "no permission" error.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, repoPath } from "./_run.ts";
import { bundleTo } from "./_bundle.ts";

const TOOLS = [
  "analyze",
  "dashboard",
  "fit_eis",
  "import_directory",
  "import_watcher",
  "migrate",
  "normalize",
  "raw_file",
  "sample",
  "search_tests",
  "simulate",
  "summarize",
  "update_cell_dataset",
];

/** The permission flags of `deno task NAME` (the task `deno run FLAGS cli/NAME.ts`). */
function taskFlags(tasks: Record<string, string>, name: string): string[] {
  const entry = tasks[name] ?? tasks[name.replaceAll("_", "-")];
  ok(entry, `no deno task runs cli/${name}.ts`);
  const m = new RegExp(`^deno run ((?:--[a-z-]+(?:=\\S+)? )*)cli/${name}\\.ts`).exec(entry);
  ok(m, `the task of ${name} is not "deno run FLAGS cli/${name}.ts": ${entry}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

const tasks: Record<string, string> = JSON.parse(readFileSync(repoPath("deno.json"), "utf8"))
  .tasks;
const FLAGS = Object.fromEntries(TOOLS.map((t) => [t, taskFlags(tasks, t)]));

Deno.test("deno task entries grant no blanket or unneeded permission", () => {
  // Every tool in cli/ is checked here.
  const cli = [...Deno.readDirSync(repoPath("cli"))].map((e) => e.name)
    .filter((n) => n.endsWith(".ts") && !n.startsWith("_")).map((n) => n.slice(0, -3)).sort();
  deepEqual(cli, [...TOOLS].sort());
  for (const [tool, flags] of Object.entries(FLAGS)) {
    for (const flag of flags) {
      ok(
        !/^(-A|--allow-all|--allow-ffi|--allow-run|--allow-import)/.test(flag),
        `${tool}: ${flag}`,
      );
      // Environment and system information are granted by name.
      ok(flag !== "--allow-env" && flag !== "--allow-sys", `${tool}: ${flag} without a list`);
    }
  }
  // Reading files is all the file tools need; summarize also writes the exports it is asked for
  // (--csv, --xlsx, --parquet, --arrow), to folders named on the command line.
  deepEqual(FLAGS.fit_eis, ["--allow-read"]);
  deepEqual(FLAGS.summarize, ["--allow-read", "--allow-write"]);
});

const dir = await Deno.makeTempDir({ prefix: "permissions_test_" });
const home = join(dir, "home");
await Deno.mkdir(home);

/** Bundle cli/NAME.ts (once per test run, see `_bundle.ts`); the reason to skip offline. */
function bundle(name: string): Promise<string | { skip: string }> {
  return bundleTo(`cli/${name}.ts`, join(dir, `${name}.js`));
}

const bundles: Record<string, string> = {};
let skip: string | null = null;
// Beside the dashboard's bundle, as `deno task bundle` writes them: its assets, and the module
// its compute workers load.
{
  const { writeAssets } = await import("../../lib/dashboard/_assets.ts");
  await writeAssets(join(dir, "assets"));
  const worker = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "-o",
      join(dir, "dashboard_worker.js"),
      "lib/dashboard/_worker.ts",
    ],
    cwd: repoPath(""),
    stdout: "null",
    stderr: "null",
  }).output();
  if (!worker.success) skip = "deno bundle lib/dashboard/_worker.ts failed (esbuild offline?)";
}
// All at once: each `deno bundle` waits on its own esbuild process much of the time.
const built = skip ? [] : await Promise.all(TOOLS.map(bundle));
for (const [i, b] of built.entries()) {
  if (typeof b !== "string") {
    skip = b.skip;
    break;
  }
  bundles[TOOLS[i]] = b;
}
if (skip) console.warn(`permissions_test: skipped: ${skip}`);

/** Environment of a run: nothing of this process's but what is given. */
function environment(extra: Record<string, string>): Record<string, string> {
  return { HOME: home, NO_COLOR: "1", ...extra };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a bundle with its task's flags. */
async function run(tool: string, args: string[], env: Record<string, string>): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", ...FLAGS[tool], bundles[tool], ...args],
    cwd: dir,
    clearEnv: true,
    env: environment(env),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Start a long-running bundle, wait for its first stdout line, stop it with SIGINT. */
async function runUntilReady(
  tool: string,
  args: string[],
  env: Record<string, string>,
  ready: (line: string) => Promise<void> | void,
): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", ...FLAGS[tool], bundles[tool], ...args],
    cwd: dir,
    clearEnv: true,
    env: environment(env),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  while (!stdout.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  if (stdout.includes("\n")) await ready(stdout.split("\n")[0]);
  child.kill("SIGINT");
  const status = await child.status;
  await reader.cancel().catch(() => {});
  return { code: status.code, stdout, stderr: await stderr };
}

const PERMISSION = /Requires \w+ access|NotCapable|no permission to/;

const CYCLING = repoPath("tests/fixtures/arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV");
const EIS = repoPath("tests/fixtures/eis/exampleData.csv");

interface Backend {
  name: string;
  /** Store arguments of the first (creating) run, and of the later ones. */
  create: string[];
  args: string[];
  env: Record<string, string>;
}

const backends: Backend[] = [{
  name: "sqlite",
  create: ["--db", join(dir, "store.db"), "--create"],
  args: ["--db", join(dir, "store.db")],
  env: {},
}];
const MONGO_URI = Deno.env.get("MONGO_URI");
if (MONGO_URI) {
  // Chosen through the environment, as a lab would, so that reading it is exercised too.
  const env = { MONGO_URI, BATTERY_DB_NAME: `bt_perm_${Date.now().toString(36)}` };
  backends.push({ name: "mongodb", create: [], args: [], env });
}

Deno.test({
  name: "file tools run with read permission only",
  ignore: skip !== null,
  fn: async () => {
    const summarize = await run("summarize", ["--json", CYCLING], {});
    equal(summarize.code, 0, summarize.stderr);
    equal(jsonLines(summarize.stdout)[0].format, "arbin_csv");
    // Its exports: every format, written with the task's flags.
    const out = join(dir, "exports");
    await Deno.mkdir(out);
    const exported = await run("summarize", [
      "--json",
      "--csv",
      "--xlsx",
      "--parquet",
      "--arrow",
      "--out",
      out,
      CYCLING,
    ], {});
    ok(!PERMISSION.test(exported.stderr), exported.stderr);
    equal(exported.code, 0, exported.stderr);
    equal((jsonLines(exported.stdout)[0].exports as unknown[]).length, 10);
    const analyze = await run("analyze", ["--json", CYCLING], {});
    ok(!PERMISSION.test(analyze.stderr), analyze.stderr);
    equal(analyze.code, 0, analyze.stderr);
    const fit = await run("fit_eis", ["--json", EIS], {});
    ok(!PERMISSION.test(fit.stderr), fit.stderr);
    equal(fit.code, 0, fit.stderr);
  },
});

for (const backend of backends) {
  Deno.test({
    name: `store tools run with their task's permissions (${backend.name})`,
    ignore: skip !== null,
    sanitizeResources: false,
    fn: async () => {
      const data = join(dir, `data_${backend.name}`);
      await Deno.mkdir(data);
      await Deno.copyFile(CYCLING, join(data, "CN54_Zn_Channel_54_Wb_1.CSV"));
      const env = backend.env;
      const checked = (tool: string, r: Run, codes = [0]) => {
        ok(!PERMISSION.test(r.stderr), `${tool}: ${r.stderr}`);
        ok(codes.includes(r.code), `${tool} exit ${r.code}: ${r.stderr}`);
        match(r.stderr, /^Store: /m, `${tool} names its store`);
      };
      const imported = await run(
        "import_directory",
        [...backend.create, ...backend.args, "--json", "--workers", "1", data],
        env,
      );
      checked("import_directory", imported);
      const file = jsonLines(imported.stdout).find((l) => l.type === "file")!;
      equal(file.action, "created", imported.stdout);
      const id = String(file.test_id);
      const jsonRuns: [string, string[], number[]][] = [
        ["search_tests", ["--json"], [0]],
        ["raw_file", ["list", "--json"], [0]],
        ["update_cell_dataset", ["--count", "--json"], [0]],
        ["normalize", ["CN54", "--json"], [0, 1]],
        ["migrate", ["--dry-run", "--json"], [0]],
        ["sample", ["list", "--json"], [0]],
        ["analyze", ["--test", id, "--json"], [0, 1]],
      ];
      for (const [tool, args, codes] of jsonRuns) {
        checked(tool, await run(tool, [...args, ...backend.args], env), codes);
      }
      const out = join(dir, `raw_${backend.name}.csv`);
      const raw = await run("raw_file", ["by-test", id, "--out", out, ...backend.args], env);
      checked("raw_file", raw);
      deepEqual(await Deno.readFile(out), await Deno.readFile(CYCLING));
      const simulate = await run(
        "simulate",
        ["--model", "spm", "--json", "--compare", id, ...backend.args],
        env,
      );
      ok(!PERMISSION.test(simulate.stderr), simulate.stderr);
      // Long-running tools: up and answering with their permissions, then stopped.
      const watcher = await runUntilReady(
        "import_watcher",
        [...backend.args, "--json", data],
        env,
        () => {},
      );
      ok(!PERMISSION.test(watcher.stderr), `import_watcher: ${watcher.stderr}`);
      ok(jsonLines(watcher.stdout).length > 0, watcher.stderr);
      const dashboard = await runUntilReady(
        "dashboard",
        [...backend.args, "--port", "0", "--json"],
        env,
        async (line) => {
          const page = await fetch(JSON.parse(line).url);
          equal(page.status, 200);
          await page.body?.cancel();
          const test = await fetch(`${JSON.parse(line).url}tests/${id}`);
          equal(test.status, 200);
          await test.body?.cancel();
        },
      );
      ok(!PERMISSION.test(dashboard.stderr), `dashboard: ${dashboard.stderr}`);
      ok(dashboard.stdout.includes('"url"'), dashboard.stderr);
    },
  });
}

Deno.test("permissions test: remove the temporary folder", async () => {
  await Deno.remove(dir, { recursive: true });
});
