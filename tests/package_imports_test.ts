// Copyright 2026 the battery-analysis authors. MIT license.
// The package works when imported by path from outside the repository (no deno.json there to map
// bare specifiers): a script and a notebook-like REPL session in a temporary folder import
// mod.ts, the store and the config loader by file URL and read real fixtures.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { pathToFileURL } from "node:url";
import { repoPath } from "./cli/_run.ts";
import { fixturePath } from "./_util.ts";

const decoder = new TextDecoder();

/** Run deno with `args` in `cwd`; output decoded, colours off. */
async function deno(args: string[], cwd: string, stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

const url = (relative: string) => pathToFileURL(repoPath(relative)).href;

Deno.test("a script outside the repository imports mod.ts, the store and the config by path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_outside_" });
  try {
    // The temporary folder and its parents have no deno.json: nothing maps bare specifiers.
    const script = `
import { parseRecording, read, summarizeCycles } from "${url("mod.ts")}";
import { openStore } from "${url("lib/store/mod.ts")}";
import { parseConfig } from "${url("lib/config/mod.ts")}";

const res = await read(${JSON.stringify(fixturePath("arbin/20160805_test001_45_cc_01.res"))});
const xlsx = parseRecording(await Deno.readFile(${
      JSON.stringify(fixturePath("arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"))
    }), { fileName: "graphite.xlsx" });
const store = await openStore({ memory: true });
const { doc } = await store.samples.upsert({ name: "CN12", chemistry: "LFP" });
await store.close();
const config = parseConfig('db_name = "lab"', { path: "c.toml", format: "toml" });
console.log(JSON.stringify({
  res: [res.meta.format, res.series.length, summarizeCycles(res.series).cycles.length],
  xlsx: xlsx.meta.format,
  sample: doc.name,
  db_name: config.values.db_name,
}));
`;
    await Deno.writeTextFile(join(dir, "read.ts"), script);
    const run = await deno(["run", "--quiet", "--allow-read", "--allow-env", "read.ts"], dir);
    equal(run.code, 0, run.stderr);
    // 10261 rows and 18 cycles: the .res known answers of tests/parsers/arbin_res_test.ts.
    deepEqual(JSON.parse(run.stdout), {
      res: ["arbin_res", 10261, 18],
      xlsx: "arbin_xlsx",
      sample: "CN12",
      db_name: "lab",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("notebook-like cells outside the repository import mod.ts by path (REPL session, as the Jupyter kernel runs them)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_notebook_" });
  try {
    // One cell per chunk, evaluated in one session like `deno jupyter`'s kernel does: top-level
    // await, TypeScript, bindings carried from cell to cell.
    const cells = [
      `import { JUPYTER_DISPLAY, parseRecording, summarizeCycles } from "${url("mod.ts")}";`,
      `const bytes = await Deno.readFile(${JSON.stringify(fixturePath("neware/test.ndax"))});`,
      `const rec = parseRecording(bytes, { fileName: "test.ndax" });`,
      `const table = summarizeCycles(rec.series!);`,
      `const bundle = (table as any)[JUPYTER_DISPLAY]();`,
      `console.log("CELL_OUT " + JSON.stringify([rec.meta.format, rec.series!.length, Object.keys(bundle).sort()]));`,
    ];
    const run = await deno(
      ["repl", "--quiet", "--allow-read", "--allow-env"],
      dir,
      cells.join("\n") + "\n",
    );
    equal(run.code, 0, run.stderr);
    const errors = `${run.stdout}\n${run.stderr}`.match(/Uncaught.*|error:.*/g);
    ok(errors === null, `the session raised: ${errors?.join("\n")}`);
    const line = run.stdout.split("\n").find((l) => l.startsWith("CELL_OUT "));
    ok(line, `no output from the last cell:\n${run.stdout}`);
    // 1464 rows: the test.ndax known answer of tests/parsers/neware_ndax_test.ts.
    const [format, rows, mimes] = JSON.parse(line.slice("CELL_OUT ".length));
    equal(format, "neware_ndax");
    equal(rows, 1464);
    ok(mimes.includes("text/html") && mimes.includes("text/plain"), mimes.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Static imports and re-exports (also in JSDoc examples) and dynamic imports. */
const IMPORT =
  /(?:import|export)\s+(?:type\s+)?(?:\{[^}]*\}|\*(?:\s+as\s+\w+)?|\w+(?:\s*,\s*\{[^}]*\})?)\s+from\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g;

Deno.test("library source imports npm packages inline, pinned to the versions deno.json declares", () => {
  const declared: Record<string, string> = JSON.parse(readFileSync(repoPath("deno.json"), "utf8"))
    .imports;
  const seen: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(repoPath(folder), { withFileTypes: true })) {
      const rel = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".ts")) {
        const text = readFileSync(repoPath(rel), "utf8");
        // A bare specifier resolves only through this repository's deno.json.
        for (const m of text.matchAll(IMPORT)) {
          const spec = m[1] ?? m[2];
          if (spec.startsWith(".") || spec.startsWith("node:")) continue;
          match(spec, /^npm:/, `${rel}: bare specifier "${spec}" (use "npm:NAME@VERSION")`);
          const name = spec.slice(4).replace(/^(@[^/]+\/[^@/]+|[^@/]+)@.*$/, "$1");
          equal(
            spec,
            declared[name],
            `${rel}: "${spec}" differs from deno.json "${declared[name]}"`,
          );
          seen.push(spec);
        }
      }
    }
  };
  for (const folder of ["parsers", "analysis", "lib", "cli"]) walk(folder);
  ok(seen.length >= 5, `only ${seen.length} npm imports found`);
});

Deno.test("no private module (_name.ts) is imported from outside its folder", () => {
  const offending: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(repoPath(folder), { withFileTypes: true })) {
      const rel = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".ts")) {
        const text = readFileSync(repoPath(rel), "utf8");
        for (const m of text.matchAll(IMPORT)) {
          const spec = m[1] ?? m[2];
          if (!/^\.\.?\/(?:.*\/)?_[a-z0-9_]+\.ts$/.test(spec)) continue;
          // A private module belongs to its folder (and the folder's subfolders): `analysis/eis/`
          // may use `analysis/_linalg.ts`, `lib/cli/` may not use `lib/store/_x.ts`.
          const owner = posix.dirname(posix.join(posix.dirname(rel), spec));
          if (!`${rel}`.startsWith(`${owner}/`)) offending.push(`${rel}: ${spec}`);
        }
      }
    }
  };
  for (const folder of ["parsers", "analysis", "lib", "cli"]) walk(folder);
  deepEqual(offending, []);
});
