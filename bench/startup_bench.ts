// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
/**
 * Start-up of the command-line tools against `deno run` of an empty script (issue 14, goal 5):
 *
 *   deno task bench:startup [--runs 15] [--compare DIR]
 *
 * Measures `deno run` of an empty script (in a temporary folder, and inside the checkout, where
 * Deno also reads `deno.json`, the lock file and `node_modules`), every tool's `--help` and
 * `summarize` of a small file (the 2 KB Arbin sample and a 26 KB Arbin export). Each command runs
 * in its own process under bash's `time` (CPU = user + system of all threads, the figure that
 * holds on a shared machine; wall time is printed beside it); the commands are interleaved round by round and the median of `--runs` rounds is kept.
 * With `--compare DIR` (another checkout of this repository, e.g. a `git worktree` of an older
 * commit) the same commands run there too, interleaved with these, so both columns come from
 * the same load. The load average is printed before and after.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "15" },
    compare: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("deno task bench:startup [--runs 15] [--compare DIR]");
  Deno.exit(0);
}
const runs = Number(values.runs);
const repo = new URL("..", import.meta.url).pathname;
const empty = await Deno.makeTempFile({ prefix: "empty_", suffix: ".ts" });

const TOOLS = [...Deno.readDirSync(join(repo, "cli"))]
  .filter((e) => e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_"))
  .map((e) => e.name.replace(/\.ts$/, ""))
  .sort();

/** A command: a label and the arguments of `deno` (run from the checkout's folder). */
type Case = [label: string, args: string[]];
/** An empty script inside each checkout: the same deno.json, lock file and node_modules. */
const EMPTY_IN_TREE = ".startup_bench_empty.ts";
const CASES: Case[] = [
  ["empty script", ["run", empty]],
  ["empty script in the checkout", ["run", EMPTY_IN_TREE]],
  ...TOOLS.map((t): Case => [`${t} --help`, ["run", `cli/${t}.ts`, "--help"]]),
  ["summarize 2 KB Arbin CSV", [
    "run",
    "--allow-read",
    "cli/summarize.ts",
    "tests/fixtures/arbin/sample_data_arbin.csv",
  ]],
  ["summarize 26 KB Arbin CSV", [
    "run",
    "--allow-read",
    "cli/summarize.ts",
    "tests/fixtures/arbin/FastCharge_000025_CH8.csv",
  ]],
];

/**
 * CPU seconds (user + system) and wall seconds of one run, from bash's `time` keyword
 * (`getrusage` of the child, millisecond resolution; `/usr/bin/time` rounds to 10 ms).
 */
async function timed(cwd: string, args: string[]): Promise<[number, number]> {
  const errors = await Deno.makeTempFile({ prefix: "startup_err_" });
  try {
    const out = await new Deno.Command("bash", {
      args: [
        "-c",
        'TIMEFORMAT="%3U %3S %3R"; { time "$@" >/dev/null 2>"$ERRORS"; } 2>&1',
        "bash",
        Deno.execPath(),
        ...args,
      ],
      cwd,
      stdout: "piped",
      env: { NO_COLOR: "1", ERRORS: errors },
    }).output();
    if (!out.success) {
      throw new Error(
        `Cannot run "deno ${args.join(" ")}" in ${cwd}: ${await Deno.readTextFile(errors)}`,
      );
    }
    const [user, sys, wall] = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!
      .split(" ").map(Number);
    return [user + sys, wall];
  } finally {
    await Deno.remove(errors);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const trees = [repo, ...(values.compare ? [values.compare] : [])];
for (const tree of trees) await Deno.writeTextFile(join(tree, EMPTY_IN_TREE), "");
console.log(`load average before: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
// One warm-up round fills the module and transpile caches.
for (const tree of trees) for (const [, args] of CASES) await timed(tree, args);
const cpu = trees.map(() => CASES.map((): number[] => []));
const wall = trees.map(() => CASES.map((): number[] => []));
for (let r = 0; r < runs; r++) {
  for (let c = 0; c < CASES.length; c++) {
    for (let t = 0; t < trees.length; t++) {
      const [u, w] = await timed(trees[t], CASES[c][1]);
      cpu[t][c].push(u);
      wall[t][c].push(w);
    }
  }
}
console.log(`load average after: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const base = cpu.map((c) => median(c[0]));
const header = [
  "command",
  ...trees.flatMap((_, t) => {
    const name = t === 0 ? "" : " (compare)";
    return [`CPU ms${name}`, `× empty${name}`, `wall ms${name}`];
  }),
];
console.log(header.join(" | "));
CASES.forEach(([label], c) => {
  const cells = trees.flatMap((_, t) => {
    const m = median(cpu[t][c]);
    return [
      (m * 1000).toFixed(0),
      (m / base[t]).toFixed(2),
      (median(wall[t][c]) * 1000).toFixed(0),
    ];
  });
  console.log([label, ...cells].join(" | "));
});
await Deno.remove(empty);
for (const tree of trees) await Deno.remove(join(tree, EMPTY_IN_TREE));
