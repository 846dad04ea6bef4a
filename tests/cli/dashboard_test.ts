// Copyright 2026 the battery-analysis authors. MIT license.
// The dashboard CLI as a user runs it: a real process, a real socket.

import { equal, match, ok } from "node:assert/strict";

const CLI = new URL("../../cli/dashboard.ts", import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("dashboard CLI serves the store on loopback and never prints the token", async () => {
  const token = "cli-secret-token-42";
  const child = run(["--port", "0", "--db", ":memory:", "--json", "--adhoc", "/nonexistent"], {
    BATTERY_DASHBOARD_TOKEN: token,
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const info = JSON.parse(out.split("\n")[0]);
  match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  equal(info.token_required, true);
  ok(!out.includes(token));
  const denied = await fetch(info.url);
  equal(denied.status, 401);
  await denied.body?.cancel();
  const page = await fetch(info.url, { headers: { authorization: `Bearer ${token}` } });
  equal(page.status, 200);
  match(await page.text(), /The store is empty/);
  child.kill("SIGTERM");
  const status = await child.status;
  equal(status.code, 0);
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  const err = await new Response(child.stderr).text();
  ok(!err.includes(token));
});

Deno.test("dashboard CLI refuses a non-loopback address without a token", async () => {
  const { code, stdout, stderr } = await run(["--host", "0.0.0.0", "--db", ":memory:"]).output();
  equal(code, 2);
  equal(new TextDecoder().decode(stdout), "");
  match(new TextDecoder().decode(stderr), /binding 0\.0\.0\.0 exposes the dashboard.*--token/);
});

Deno.test("dashboard CLI --help describes the flags", async () => {
  const { code, stdout } = await run(["--help"]).output();
  equal(code, 0);
  const text = new TextDecoder().decode(stdout);
  for (const flag of ["--host", "--port", "--token-file", "--token", "--adhoc", "--db"]) {
    ok(text.includes(flag), flag);
  }
});

/** Start the CLI and read its first JSON line. */
async function start(args: string[], env: Record<string, string> = {}) {
  const child = run([
    "--port",
    "0",
    "--db",
    ":memory:",
    "--json",
    "--adhoc",
    "/nonexistent",
    ...args,
  ], env)
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const stop = async () => {
    child.kill("SIGTERM");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    return await new Response(child.stderr).text();
  };
  return { info: JSON.parse(out.split("\n")[0]), stop };
}

Deno.test("dashboard CLI reads the token from --token-file (not visible in ps)", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/token`;
  const token = "file-secret-token-77";
  await Deno.writeTextFile(file, token + "\n");
  const { info, stop } = await start(["--token-file", file]);
  equal(info.token_required, true);
  const denied = await fetch(info.url);
  equal(denied.status, 401);
  await denied.body?.cancel();
  const page = await fetch(info.url, { headers: { authorization: `Bearer ${token}` } });
  equal(page.status, 200);
  await page.body?.cancel();
  const err = await stop();
  ok(!err.includes(token));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("dashboard CLI: --token still works but warns; two token sources are refused", async () => {
  const { info, stop } = await start(["--token", "flag-secret-token-1"]);
  equal(info.token_required, true);
  const err = await stop();
  match(err, /--token is deprecated.*ps/);
  ok(!err.includes("flag-secret-token-1"));
  const both = await run(["--token", "flag-secret-token-1", "--db", ":memory:"], {
    BATTERY_DASHBOARD_TOKEN: "env-secret-token-1",
  }).output();
  equal(both.code, 2);
  match(new TextDecoder().decode(both.stderr), /one way only/);
  const missing = await run(["--token-file", "/nonexistent/token", "--db", ":memory:"]).output();
  equal(missing.code, 2);
  match(new TextDecoder().decode(missing.stderr), /cannot read --token-file/);
});
