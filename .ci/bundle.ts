// Copyright 2026 the battery-analysis authors. MIT license.
// Bundle every CLI in cli/ into one file under dist/ (`deno task bundle`), then run each bundle
// with --help to prove it works as a single file.
// deno-lint-ignore-file no-console
import { readdirSync } from "node:fs";
import { writeAssets } from "../lib/dashboard/_assets.ts";

const tools = readdirSync("cli").filter((f) => f.endsWith(".ts") && !f.startsWith("_")).sort();
let failures = 0;
for (const file of tools) {
  const name = file.replace(/\.ts$/, "");
  const out = `dist/${name}.js`;
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "deno", "-o", out, `cli/${file}`],
  }).output();
  if (!bundle.success) {
    failures++;
    console.error(`bundle ${file}: failed\n${new TextDecoder().decode(bundle.stderr)}`);
    continue;
  }
  if (name === "dashboard") {
    // The dashboard serves its script, style and the vega builds from files: put them beside it.
    const written = await writeAssets("dist/assets");
    console.log(`dist/assets/  ${written.join(", ")}`);
    // Its compute workers load a module of their own: bundle it beside it too.
    const worker = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "deno",
        "-o",
        "dist/dashboard_worker.js",
        "lib/dashboard/_worker.ts",
      ],
    }).output();
    if (!worker.success) {
      failures++;
      console.error(
        `bundle lib/dashboard/_worker.ts: failed\n${new TextDecoder().decode(worker.stderr)}`,
      );
    } else console.log("dist/dashboard_worker.js");
  }
  const run = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", out, "--help"] })
    .output();
  const size = (await Deno.stat(out)).size;
  console.log(
    `${out}  ${(size / 1e6).toFixed(2)} MB  --help ${run.success ? "ok" : "FAILED"}`,
  );
  if (!run.success) failures++;
}
Deno.exit(failures ? 1 : 0);
