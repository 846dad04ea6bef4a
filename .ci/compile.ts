// Copyright 2026 the battery-analysis authors. MIT license.
// Compile every CLI in cli/ into a self-contained executable under dist/bin/ (`deno task
// compile`). Needs network access once: `deno compile` downloads the `denort` runtime.
import { readdirSync } from "node:fs";

// Files read at run time (not imported) that a tool needs inside its executable.
const INCLUDE: Record<string, string[]> = {
  dashboard: [
    "lib/dashboard/_static",
    // The compute workers' module (loaded with new Worker, not imported).
    "lib/dashboard/_worker.ts",
    "node_modules/vega/build/vega.min.js",
    "node_modules/vega-lite/build/vega-lite.min.js",
    "node_modules/vega-embed/build/vega-embed.min.js",
  ],
};

const tools = readdirSync("cli").filter((f) => f.endsWith(".ts") && !f.startsWith("_")).sort();
let failures = 0;
for (const file of tools) {
  const name = file.replace(/\.ts$/, "");
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "-A",
      ...(INCLUDE[name] ?? []).flatMap((path) => ["--include", path]),
      "-o",
      `dist/bin/${name}`,
      `cli/${file}`,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!result.success) failures++;
}
Deno.exit(failures ? 1 : 0);
