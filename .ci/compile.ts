// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// Compile every CLI into a self-contained executable under dist/bin/ (`deno task compile`).
//
// Each tool is first bundled (`deno bundle`: one JavaScript file holding only the code and npm
// packages it imports, a few hundred KB) and the bundle is compiled with `--no-config`, so the
// executable embeds that file and not the project's whole node_modules (mongodb, vega,
// playwright-core, apache-arrow: 50 MB). The executable gets exactly the permissions of the
// tool's `deno task` entry in deno.json (the dashboard also embeds its assets/ folder).
//
// `deno compile` needs the `denort` runtime of the same Deno version. It downloads it once
// (into the Deno cache) when it can; on a machine without internet, point it at a local copy:
//
//   DENORT_BIN=/path/to/denort deno task compile [TOOL...]
//
// (`denort` is in the `denort-<target>.zip` of each Deno release, next to the `deno` zip.)

import { readdirSync, readFileSync, statSync } from "node:fs";
import { writeAssets } from "../lib/dashboard/_assets.ts";

const tasks: Record<string, string> = JSON.parse(readFileSync("deno.json", "utf8")).tasks;

/** The permission flags of the tool's `deno task` entry (`deno run FLAGS cli/NAME.ts`). */
function permissions(name: string): string[] {
  const entry = tasks[name] ?? tasks[name.replaceAll("_", "-")];
  const m = entry &&
    new RegExp(`^deno run ((?:--[a-z-]+(?:=\\S+)? )*)cli/${name}\\.ts`).exec(entry);
  if (!m) throw new Error(`no "deno run FLAGS cli/${name}.ts" task in deno.json`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

async function run(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "piped" })
    .output();
  return { ok: out.success, stderr: new TextDecoder().decode(out.stderr) };
}

const all = readdirSync("cli").filter((f) => f.endsWith(".ts") && !f.startsWith("_")).sort()
  .map((f) => f.replace(/\.ts$/, ""));
const tools = Deno.args.length ? Deno.args : all;
let failures = 0;
for (const name of tools) {
  if (!all.includes(name)) {
    console.error(`compile: no tool "${name}" in cli/`);
    failures++;
    continue;
  }
  const bundle = `dist/${name}.js`;
  const bundled = await run([
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "-o",
    bundle,
    `cli/${name}.ts`,
  ]);
  if (!bundled.ok) {
    console.error(`compile ${name}: bundling failed\n${bundled.stderr}`);
    failures++;
    continue;
  }
  const include: string[] = [];
  if (name === "dashboard") {
    // Files the dashboard reads at run time beside its bundle: its assets, and the module its
    // compute workers load (bundled too).
    await writeAssets("dist/assets");
    const worker = await run([
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "-o",
      "dist/dashboard_worker.js",
      "lib/dashboard/_worker.ts",
    ]);
    if (!worker.ok) {
      console.error(`compile ${name}: bundling its worker failed\n${worker.stderr}`);
      failures++;
      continue;
    }
    include.push("--include", "dist/assets", "--include", "dist/dashboard_worker.js");
  }
  const out = `dist/bin/${name}`;
  // The bundle is plain JavaScript already checked as TypeScript sources; its JSDoc type
  // references into npm packages do not resolve without them, hence --no-check.
  const compiled = await run([
    "compile",
    "--quiet",
    "--no-check",
    "--no-config",
    ...permissions(name),
    ...include,
    "-o",
    out,
    bundle,
  ]);
  if (!compiled.ok) {
    failures++;
    const offline = /denort|dl\.deno\.land|download/i.test(compiled.stderr);
    console.error(
      `compile ${name}: failed\n${compiled.stderr.trim()}` +
        (offline && !Deno.env.get("DENORT_BIN")
          ? "\n(deno compile could not get its runtime: set DENORT_BIN=/path/to/denort)"
          : ""),
    );
    continue;
  }
  const mb = (path: string) => (statSync(path).size / 1e6).toFixed(2);
  console.log(`${out}  ${mb(out)} MB (bundle ${mb(bundle)} MB; ${permissions(name).join(" ")})`);
}
Deno.exit(failures ? 1 : 0);
