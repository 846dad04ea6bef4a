// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// The shared CLI helper: flags over config over defaults, --db mapping, usage errors, progress.

import { deepStrictEqual as deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { parseCli, UsageError } from "../../../lib/cli/parse_cli.ts";
import { formatHelp } from "../../../lib/cli/format_help.ts";
import { helpRequested, runCli } from "../../../lib/cli/run_cli.ts";
import { parseFlags } from "../../../lib/cli/parse_flags.ts";
import { openCliStore } from "../../../lib/cli/open_cli_store.ts";
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
  await withConfig('workers = 4\ninclude = ["*.csv"]\ndebounce = 2.5\n', async (home) => {
    const fromConfig = await parseCli(["root"], SPEC, { home, env: {} });
    deepEqual(fromConfig.values.workers, 4);
    deepEqual(fromConfig.values.include, ["*.csv"]);
    equal(fromConfig.values.debounce, 2.5);
    equal(fromConfig.values["dry-run"], false);
    deepEqual(fromConfig.positionals, ["root"]);
    const fromFlags = await parseCli(
      ["--workers", "8", "--include", "*.mpt", "--include", "*.res", "--dry-run", "--json", "r"],
      SPEC,
      { home, env: {} },
    );
    equal(fromFlags.values.workers, 8);
    deepEqual(fromFlags.values.include, ["*.mpt", "*.res"]);
    equal(fromFlags.values["dry-run"], true);
    equal(fromFlags.json, true);
  });
  const none = await parseCli([], SPEC, { home: "/nonexistent-home", env: {} });
  equal(none.values.workers, 1); // built-in default
  equal(none.config?.path, null);
});

Deno.test("parseFlags(): bad numbers, values out of range or choices and unknown flags are usage errors", () => {
  throws(() => parseFlags(["--workers", "two"], SPEC), {
    name: "UsageError",
    message: '--workers must be an integer, got "two"',
  });
  throws(() => parseFlags(["--workers", "1.5"], SPEC), UsageError);
  throws(
    () => parseFlags(["--wokers", "1"], SPEC),
    (e) => e instanceof UsageError && /wokers/.test(e.message),
  );
  // node:util parseArgs messages rewritten to name the flag and what is wrong.
  throws(() => parseFlags(["--wokers", "1"], SPEC), {
    message: "unknown flag --wokers (did you mean --workers?)",
  });
  throws(() => parseFlags(["--zzz"], SPEC), { message: "unknown flag --zzz" });
  throws(() => parseFlags(["--workers"], SPEC), { message: "--workers needs a value" });
  throws(() => parseFlags(["--json=1"], SPEC), { message: "--json takes no value" });
  const CHECKED = {
    name: "t",
    summary: "",
    usage: "",
    configFile: false,
    options: {
      port: { type: "integer", min: 0, max: 65535, description: "" },
      size: { type: "number", positive: true, description: "" },
      n: { type: "integer", multiple: true, max: 9, description: "" },
      how: { type: "string", choices: ["a", "b", "c"], default: "a", description: "" },
    },
  } as const;
  throws(() => parseFlags(["--port", "70000"], CHECKED), {
    message: "--port must be from 0 to 65535, got 70000",
  });
  throws(() => parseFlags(["--size", "0"], CHECKED), {
    message: "--size must be more than 0, got 0",
  });
  throws(() => parseFlags(["--n", "1", "--n", "10"], CHECKED), {
    message: "--n must be 9 or less, got 10",
  });
  throws(() => parseFlags(["--how", "d"], CHECKED), {
    message: '--how must be a, b or c, got "d"',
  });
  throws(() => parseFlags(["--config", "x"], CHECKED), UsageError); // configFile: false
  const ok = parseFlags(["--n", "1", "--n", "2", "--size", "0.5"], CHECKED);
  deepEqual(ok.values, {
    port: undefined,
    size: 0.5,
    n: [1, 2],
    how: "a",
    help: false,
    json: false,
  });
  deepEqual([...ok.given].sort(), ["n", "size"]);
});

Deno.test("helpRequested(): --help or -h before any --", () => {
  equal(helpRequested(["--workers", "x", "--help"]), true);
  equal(helpRequested(["-h"]), true);
  equal(helpRequested(["--", "-h"]), false);
  equal(helpRequested(["--helpful"]), false);
});

Deno.test("parseCli(): --db chooses MongoDB, a SQLite file or memory explicitly", async () => {
  const env = { home: "/nonexistent-home", env: { MONGO_URI: "mongodb://env:1/" } };
  const mongo = await parseCli(["--db", "mongodb://h:27017/", "--db-name", "lab"], SPEC, env);
  equal(mongo.storeOptions.uri, "mongodb://h:27017/");
  equal(mongo.storeOptions.dbName, "lab");
  equal(mongo.storeOptions.optionSource, "--db flag");
  equal((await parseCli(["--db", "/tmp/x.db"], SPEC, env)).storeOptions.path, "/tmp/x.db");
  equal((await parseCli(["--db", ":memory:"], SPEC, env)).storeOptions.memory, true);
  equal((await parseCli([], SPEC, env)).storeOptions.uri, undefined); // env decides later
});

Deno.test("parseCli(): a store tool without config-file flags reads the file when it opens the store", async () => {
  const STORE_ONLY = { name: "t", summary: "", usage: "", store: true } as const;
  await withConfig('db_path = "lab.db"\n', async (home) => {
    const cli = await parseCli(["--create"], STORE_ONLY, { home, env: {} });
    equal(cli.config === null, true); // not read yet: a file tool needs no permission for it
    const store = await openCliStore(cli);
    try {
      equal(cli.config?.path, `${home}/.battery_analysis.toml`);
      equal(store.describe().source, `db_path in ${home}/.battery_analysis.toml`);
    } finally {
      await store.close();
    }
  });
});

Deno.test("formatHelp() lists standard and tool options with config keys and defaults", () => {
  const help = formatHelp(SPEC);
  match(help, /^Usage: tool \[options\] ROOT\n\nDoes things\.\n\nOptions:/);
  match(help, /--workers\s+workers \(config: workers; default: 1\)/);
  match(help, /--include\s+globs \(repeatable; config: include\)/);
  match(help, /--db URI\|PATH/);
  match(help, /-h, --help/);
  match(help, /--json/);
  match(help, /--config PATH/);
  // A tool without a configuration file has no --config; its own --json description wins.
  const own = formatHelp({
    name: "t",
    summary: "",
    usage: "",
    configFile: false,
    options: { json: { type: "boolean", description: "JSON lines" } },
  });
  match(own, /--json\s+JSON lines\n/);
  equal(/--config/.test(own), false);
  // Long descriptions are wrapped to 100 columns.
  for (const line of formatHelp(SPEC).split("\n")) ok(line.length <= 100, line);
});

Deno.test("runCli() returns 2 on usage errors and 1 on a bad config file", async () => {
  const quiet = console.error;
  console.error = () => {};
  try {
    equal(await runCli(SPEC, ["--workers", "x"], () => Promise.resolve(0)), 2);
    // --help wins: it is answered before the rest of the line is parsed.
    equal(await runCli(SPEC, ["--workers", "x", "--help"], () => Promise.resolve(5)), 0);
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
