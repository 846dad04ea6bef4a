// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// Check (or with --write, apply) `deno fmt` on the Jupyter notebooks under docs/notebooks/.
//
// `deno fmt --check` on a notebook (Deno 2.9.6) reports "not formatted" on every fresh clone
// even when formatting would not change a byte (the file is then rewritten identically and the
// check passes from the cache), so the notebooks are excluded from `deno fmt` in deno.json and
// checked here instead: the formatter's output on stdin (`deno fmt --ext ipynb -`, with this
// project's configuration) must equal the file.
//
//   deno run --allow-read --allow-write --allow-run .ci/fmt_notebooks.ts [--write]

import { Buffer } from "node:buffer";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const write = Deno.args.includes("--write");
const folder = "docs/notebooks";
let failures = 0;
for (const name of readdirSync(folder).filter((f) => f.endsWith(".ipynb")).sort()) {
  const path = join(folder, name);
  const original = readFileSync(path);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "ipynb", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(original);
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    console.error(`${path}: deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
    failures++;
  } else if (Buffer.compare(Buffer.from(out.stdout), original) !== 0) {
    if (write) {
      writeFileSync(path, out.stdout);
      console.log(`${path}: formatted`);
    } else {
      console.error(`${path}: not formatted (run: deno task fmt:notebooks --write)`);
      failures++;
    }
  }
}
Deno.exit(failures ? 1 : 0);
