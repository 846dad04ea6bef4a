// Copyright 2026 the battery-analysis authors. MIT license.
// Every function and class the package exports (the entry points of deno.json "exports") has an
// `@example` in its JSDoc (unless marked `@internal`); `deno test --doc` (part of `deno task test`) runs those examples.

import { deepEqual, ok } from "node:assert/strict";
import { readFileSync } from "node:fs";
import { repoPath } from "./cli/_run.ts";

interface DocDeclaration {
  kind: string;
  location: { filename: string; line: number };
  jsDoc?: { tags?: { kind: string }[] };
}

Deno.test("every exported function and class has an @example", async () => {
  const exports: Record<string, string> = JSON.parse(readFileSync(repoPath("deno.json"), "utf8"))
    .exports;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...Object.values(exports)],
    cwd: repoPath(""),
    stdout: "piped",
    stderr: "piped",
  }).output();
  ok(out.success, new TextDecoder().decode(out.stderr));
  const doc: {
    nodes: Record<string, { symbols: { name: string; declarations: DocDeclaration[] }[] }>;
  } = JSON.parse(new TextDecoder().decode(out.stdout));
  const missing = new Set<string>();
  let checked = 0;
  for (const module of Object.values(doc.nodes)) {
    for (const symbol of module.symbols) {
      const decls = symbol.declarations.filter((d) => d.kind === "function" || d.kind === "class");
      if (decls.length === 0) continue;
      // `@internal`: exported for other modules of the package, not part of its API.
      if (decls.some((d) => d.jsDoc?.tags?.some((t) => t.kind === "internal"))) continue;
      checked++;
      // Overloads: one of the signatures carries the documentation.
      if (!decls.some((d) => d.jsDoc?.tags?.some((t) => t.kind === "example"))) {
        const { filename, line } = decls[0].location;
        missing.add(`${symbol.name} (${filename.replace(/^.*?\/(?=[^/]+\/[^/]+$)/, "")}:${line})`);
      }
    }
  }
  ok(checked > 150, `only ${checked} functions and classes found`);
  deepEqual([...missing].sort(), []);
});
