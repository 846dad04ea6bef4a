// Copyright 2026 the battery-analysis authors. MIT license.
// The layers above analysis/ (lib/, cli/) use only its public modules: no file of theirs imports
// a private analysis helper (`analysis/_name.ts`, `analysis/eis/_name.ts`).
import { deepEqual } from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function* tsFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("lib/ and cli/ import no private analysis module", () => {
  const offending: string[] = [];
  const privateImport = /from\s+"[^"]*\/analysis\/(?:eis\/)?_[a-z_]+\.ts"/g;
  for (const top of ["lib", "cli"]) {
    for (const file of tsFiles(join(ROOT, top))) {
      for (const m of Deno.readTextFileSync(file).matchAll(privateImport)) {
        offending.push(`${relative(ROOT, file)}: ${m[0]}`);
      }
    }
  }
  deepEqual(offending, []);
});
