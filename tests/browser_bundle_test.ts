// Copyright 2026 the battery-analysis authors. MIT license.
// "This module is browser compatible." is a claim this test checks: every file that says so is
// bundled for the browser (`deno bundle --platform browser`, npm packages included) and the
// bundle must not import any Node built-in (`node:buffer`, `node:fs`, ...) nor use `Deno.*`.

import { deepEqual, ok } from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoPath } from "./cli/_run.ts";

const CLAIM = "// This module is browser compatible.";

function claimed(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(repoPath(folder), { withFileTypes: true })) {
    const rel = `${folder}/${entry.name}`;
    if (entry.isDirectory()) files.push(...claimed(rel));
    else if (entry.name.endsWith(".ts") && readFileSync(repoPath(rel), "utf8").includes(CLAIM)) {
      files.push(rel);
    }
  }
  return files;
}

const files = ["lib/model", "parsers", "analysis"].flatMap(claimed);
const dir = await Deno.makeTempDir({ prefix: "browser_bundle_" });
const entry = join(dir, "entry.ts");
await Deno.writeTextFile(
  entry,
  files.map((f) => `import * as m${files.indexOf(f)} from "${pathToFileURL(repoPath(f)).href}";`)
    .join("\n") + `\nexport default [${files.map((_, i) => `m${i}`).join(", ")}];\n`,
);
const out = join(dir, "bundle.js");
const result = await new Deno.Command(Deno.execPath(), {
  args: ["bundle", "--quiet", "--platform", "browser", "-o", out, entry],
  cwd: repoPath(""),
  stdout: "piped",
  stderr: "piped",
}).output();
const stderr = new TextDecoder().decode(result.stderr);
// deno bundle downloads esbuild on first use; offline without a cached copy it cannot run.
const skip = !result.success && /esbuild/i.test(stderr) &&
  /download|fetch|dns|network|connect/i.test(stderr);
// deno-lint-ignore no-console
if (skip) console.warn(`browser_bundle_test: skipped: ${stderr.trim().split("\n")[0]}`);

Deno.test({
  name: "files that claim browser compatibility bundle for the browser without Node built-ins",
  ignore: skip,
  fn() {
    ok(result.success, stderr);
    ok(files.length > 100, `only ${files.length} files claim browser compatibility`);
    ok(files.includes("analysis/mod.ts") && files.includes("parsers/arbin_csv.ts"));
    const code = readFileSync(out, "utf8");
    // Imports and requires in code (JSDoc examples keep `import ... from "node:..."` in comment
    // lines starting with `*`, which are not code).
    const node = [
      ...code.matchAll(
        /^\s*(?:import|export)\b[^\n]*\bfrom\s*"(node:[^"]+)"|\brequire\(\s*"([^"]+)"\s*\)|\bimport\(\s*"(node:[^"]+)"\s*\)/gm,
      ),
    ].map((m) => m[1] ?? m[2] ?? m[3]);
    deepEqual([...new Set(node)], []);
    deepEqual(code.match(/^[^*\n]*\bDeno\.[a-z]/gm), null);
  },
});

Deno.test("browser bundle: remove the temporary folder", async () => {
  await Deno.remove(dir, { recursive: true });
});
