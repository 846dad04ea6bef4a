// Copyright 2026 the battery-analysis authors. MIT license.
// Start-up (issue 14): a tool's `--help` and usage errors evaluate only what its spec needs. The
// modules a tool imports statically (what Deno evaluates before `main` runs) must not include an
// npm package (the MongoDB driver, mdb-reader, fflate, smol-toml, ... cost 5–30 ms CPU each to
// evaluate) nor a `node:` module whose polyfill is costly to start (`node:fs`, `node:crypto`,
// `node:zlib`, `node:process`, ...): a tool loads those with `await import()` in its handler.
// The graph comes from `deno info --json` (no timing involved); `deno task bench:startup`
// measures the effect.

import { deepEqual, ok } from "node:assert/strict";
import { repoPath } from "./_run.ts";

/** `node:` modules measured to cost no more than ~2 ms CPU to evaluate (Deno 2.9). */
const LIGHT_NODE_MODULES = new Set(["node:path", "node:os", "node:url", "node:buffer"]);

const TOOLS = [...Deno.readDirSync(repoPath("cli"))]
  .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_"))
  .map((e) => `cli/${e.name}`)
  .sort();

interface InfoModule {
  specifier: string;
  kind: string;
  dependencies?: {
    code?: { specifier: string };
    isDynamic?: boolean;
  }[];
}

/** The modules `tool` evaluates before its `main` runs: its static (non-type) imports. */
async function staticGraph(tool: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", tool],
    cwd: repoPath(""),
    stdout: "piped",
    stderr: "piped",
  }).output();
  ok(out.success, new TextDecoder().decode(out.stderr));
  const info: { roots: string[]; modules: InfoModule[]; redirects: Record<string, string> } = JSON
    .parse(new TextDecoder().decode(out.stdout));
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (specifier: string): void => {
    const resolved = info.redirects[specifier] ?? specifier;
    if (seen.has(resolved)) return;
    seen.add(resolved);
    for (const dep of modules.get(resolved)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) visit(dep.code.specifier);
    }
  };
  visit(info.roots[0]);
  return [...seen];
}

Deno.test("every CLI imports statically no npm package and no costly node: module", async () => {
  ok(TOOLS.length >= 13, TOOLS.join(" "));
  const graphs = await Promise.all(TOOLS.map(staticGraph));
  const heavy = Object.fromEntries(
    TOOLS.map((tool, i) => [
      tool,
      graphs[i].filter((s) =>
        s.startsWith("npm:") || (s.startsWith("node:") && !LIGHT_NODE_MODULES.has(s))
      ),
    ]),
  );
  deepEqual(heavy, Object.fromEntries(TOOLS.map((t) => [t, []])));
});
