// Copyright 2026 the battery-analysis authors. MIT license.
// Every tool in cli/ prints --help with no permission at all (so without touching the network,
// the store, the configuration file or the environment), and no tool that uses the store prints
// the credentials of a MongoDB URI whose server cannot be reached: they show up as ***.

import { equal, match, ok } from "node:assert/strict";
import { repoPath, runCliWith } from "./_run.ts";

const TOOLS = [...Deno.readDirSync(repoPath("cli"))]
  .filter((e) => e.isFile && e.name.endsWith(".ts"))
  .map((e) => `cli/${e.name}`)
  .sort();

Deno.test("every CLI prints --help without any permission", async () => {
  ok(TOOLS.length >= 11, TOOLS.join(" "));
  const runs = await Promise.all(TOOLS.map((tool) => runCliWith(tool, { args: ["--help"] })));
  TOOLS.forEach((tool, i) => {
    const run = runs[i];
    equal(run.code, 0, `${tool}: ${run.stderr}`);
    equal(run.stderr, "", tool);
    match(run.stdout, /usage/i, tool);
    match(run.stdout, /--help/, tool);
  });
});

/** Store tools and arguments that make them open the store. */
const STORE_TOOLS: [string, string[]][] = [
  ["cli/import_directory.ts", ["tests/fixtures/arbin"]],
  ["cli/migrate.ts", []],
  ["cli/normalize.ts", ["CN1"]],
  ["cli/raw_file.ts", ["list"]],
  ["cli/search_tests.ts", []],
  ["cli/sample.ts", ["list"]],
  ["cli/update_cell_dataset.ts", ["--all"]],
  ["cli/analyze.ts", ["--test", "0123456789abcdef01234567"]],
  ["cli/dashboard.ts", ["--port", "0"]],
];
// Port 1 refuses connections. The password has a URL-encoded "@", the user name is distinctive.
const SECRET_URI = "mongodb://alice_x7:s3cr%40tPW@127.0.0.1:1/lab?authSource=admin";
const SECRETS = ["alice_x7", "s3cr", "tPW"];

function assertRedacted(tool: string, text: string): void {
  for (const secret of SECRETS) ok(!text.includes(secret), `${tool} printed "${secret}": ${text}`);
  match(text, /mongodb:\/\/\*\*\*@127\.0\.0\.1:1\/lab/, `${tool}: ${text}`);
}

Deno.test("store CLIs hide the credentials of an unreachable MongoDB (--db and MONGO_URI)", async () => {
  const runs = await Promise.all(
    STORE_TOOLS.flatMap(([tool, args]) => [
      runCliWith(tool, { args: [...args, "--db", SECRET_URI], permissions: ["-A"] }),
      runCliWith(tool, { args, permissions: ["-A"], env: { MONGO_URI: SECRET_URI } }),
    ]),
  );
  runs.forEach((run, i) => {
    const tool = STORE_TOOLS[i >> 1][0];
    equal(run.code, 1, `${tool}: ${run.stdout}${run.stderr}`);
    match(run.stderr, /Cannot connect to MongoDB/, tool);
    assertRedacted(tool, run.stdout + run.stderr);
  });
});

Deno.test("import_watcher hides the credentials of an unreachable MongoDB while it waits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "battery_watch_secret_" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "-A",
        "cli/import_watcher.ts",
        dir,
        "--queue",
        `${dir}/queue.jsonl`,
        "--db",
        SECRET_URI,
      ],
      cwd: repoPath(""),
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const decoder = new TextDecoder();
    let stdout = "";
    const reader = child.stdout.getReader();
    while (!stdout.includes("database unreachable")) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += decoder.decode(value);
    }
    child.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += decoder.decode(value);
    }
    const stderr = decoder.decode(await new Response(child.stderr).arrayBuffer());
    const status = await child.status;
    equal(status.code, 0, stdout + stderr); // a clean stop on SIGTERM
    match(stdout, /database unreachable, queueing files: Cannot connect to MongoDB/);
    assertRedacted("import_watcher", stdout + stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
