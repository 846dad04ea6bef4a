// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// The shared CLI helper: flags over config over defaults, --db mapping, usage errors, progress.

import { deepStrictEqual as deepEqual, equal, match, throws } from "node:assert/strict";
import { formatHelp, parseCli, runCli, UsageError } from "../../../lib/cli/parse_cli.ts";
import { ProgressBar } from "../../../lib/cli/progress_bar.ts";

const SPEC = {
  name: "tool",
  summary: "Does things.",
  usage: "[options] ROOT",
  store: true,
  options: {
    workers: {
      type: "integer" as const,
      config: "workers" as const,
      default: 1,
      description: "workers",
    },
    include: {
      type: "string" as const,
      multiple: true,
      config: "include" as const,
      description: "globs",
    },
    debounce: { type: "number" as const, config: "debounce" as const, description: "seconds" },
    "dry-run": { type: "boolean" as const, description: "report only" },
  },
};

async function withConfig(text: string, fn: (home: string) => Promise<void> | void): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${home}/.battery_analysis.toml`, text);
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("parseCli(): a flag overrides the config file, which overrides the default", async () => {
  await withConfig('workers = 4\ninclude = ["*.csv"]\ndebounce = 2.5\n', (home) => {
    const fromConfig = parseCli(["root"], SPEC, { home, env: {} });
    deepEqual(fromConfig.values.workers, 4);
    deepEqual(fromConfig.values.include, ["*.csv"]);
    equal(fromConfig.values.debounce, 2.5);
    equal(fromConfig.values["dry-run"], undefined);
    deepEqual(fromConfig.positionals, ["root"]);
    const fromFlags = parseCli(
      ["--workers", "8", "--include", "*.mpt", "--include", "*.res", "--dry-run", "--json", "r"],
      SPEC,
      { home, env: {} },
    );
    equal(fromFlags.values.workers, 8);
    deepEqual(fromFlags.values.include, ["*.mpt", "*.res"]);
    equal(fromFlags.values["dry-run"], true);
    equal(fromFlags.json, true);
  });
  const none = parseCli([], SPEC, { home: "/nonexistent-home", env: {} });
  equal(none.values.workers, 1); // built-in default
  equal(none.config.path, null);
});

Deno.test("parseCli(): bad numbers and unknown flags are usage errors", () => {
  const env = { home: "/nonexistent-home", env: {} };
  throws(() => parseCli(["--workers", "two"], SPEC, env), {
    name: "UsageError",
    message: '--workers must be an integer, got "two"',
  });
  throws(() => parseCli(["--workers", "1.5"], SPEC, env), UsageError);
  throws(
    () => parseCli(["--wokers", "1"], SPEC, env),
    (e) => e instanceof UsageError && /wokers/.test(e.message),
  );
});

Deno.test("parseCli(): --db chooses MongoDB, a SQLite file or memory explicitly", () => {
  const env = { home: "/nonexistent-home", env: { MONGO_URI: "mongodb://env:1/" } };
  const mongo = parseCli(["--db", "mongodb://h:27017/", "--db-name", "lab"], SPEC, env);
  equal(mongo.storeOptions.uri, "mongodb://h:27017/");
  equal(mongo.storeOptions.dbName, "lab");
  equal(mongo.storeOptions.optionSource, "--db flag");
  equal(parseCli(["--db", "/tmp/x.db"], SPEC, env).storeOptions.path, "/tmp/x.db");
  equal(parseCli(["--db", ":memory:"], SPEC, env).storeOptions.memory, true);
  equal(parseCli([], SPEC, env).storeOptions.uri, undefined); // env decides later
});

Deno.test("formatHelp() lists standard and tool options with config keys and defaults", () => {
  const help = formatHelp(SPEC);
  match(help, /^Usage: tool \[options\] ROOT\n\nDoes things\.\n\nOptions:/);
  match(help, /--workers\s+workers \(config: workers; default: 1\)/);
  match(help, /--include\s+globs \(repeatable; config: include\)/);
  match(help, /--db URI\|PATH/);
  match(help, /-h, --help/);
  match(help, /--json/);
});

Deno.test("runCli() returns 2 on usage errors and 1 on a bad config file", async () => {
  const quiet = console.error;
  console.error = () => {};
  try {
    equal(await runCli(SPEC, ["--workers", "x"], () => Promise.resolve(0)), 2);
    await withConfig("workers = [", async (home) => {
      equal(
        await runCli(
          SPEC,
          ["--config", `${home}/.battery_analysis.toml`],
          () => Promise.resolve(0),
        ),
        1,
      );
    });
    equal(await runCli(SPEC, ["--db", ":memory:"], () => Promise.resolve(7)), 7);
  } finally {
    console.error = quiet;
  }
});

Deno.test("ProgressBar is silent when disabled and throttles redraws", () => {
  const out: string[] = [];
  const silent = new ProgressBar({ total: 3, enabled: false, write: (t) => out.push(t) });
  silent.tick();
  silent.done();
  equal(silent.count, 1);
  equal(out.length, 0);
  let clock = 0;
  const bar = new ProgressBar({
    total: 10,
    label: "files",
    enabled: true,
    write: (t) => out.push(t),
    now: () => clock,
    intervalMs: 100,
  });
  bar.tick(1); // t=0: drawn
  clock = 50;
  bar.tick(1); // t=50: throttled
  clock = 150;
  bar.tick(1, "a.csv"); // drawn
  clock = 160;
  bar.tick(7); // finished: always drawn
  deepEqual(out, [
    "\r\x1b[2Kfiles [##------------------] 1/10 10%",
    "\r\x1b[2Kfiles [######--------------] 3/10 30% a.csv",
    "\r\x1b[2Kfiles [####################] 10/10 100%",
  ]);
  equal(new ProgressBar({ total: null, enabled: false }).render(), "0");
});
