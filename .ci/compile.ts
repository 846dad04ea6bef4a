// Copyright 2026 the battery-analysis authors. MIT license.
// Compile every CLI in cli/ into a self-contained executable under dist/bin/ (`deno task
// compile`). Needs network access once: `deno compile` downloads the `denort` runtime.
import { readdirSync } from "node:fs";

const tools = readdirSync("cli").filter((f) => f.endsWith(".ts") && !f.startsWith("_")).sort();
let failures = 0;
for (const file of tools) {
  const name = file.replace(/\.ts$/, "");
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["compile", "-A", "-o", `dist/bin/${name}`, `cli/${file}`],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!result.success) failures++;
}
Deno.exit(failures ? 1 : 0);
