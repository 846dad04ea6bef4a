// Copyright 2026 the battery-analysis authors. MIT license.
// Issue 11, item 5: one cross-surface consistency test. For every cycling fixture, the headline
// numbers and flags of its analysis are identical (same fields, same values) on every surface:
// the library (`analyzeTest` on the file), `analyze --json FILE`, `summarize --json`, the analysis
// the import stored (`analyze --test ID --json`), `search_tests --json` and `--csv`, and the
// dashboard's `/tests.json`, `/tests/ID/analysis.json` and `/tests.csv`. The README's library
// example prints the numbers `deno task analyze` prints. The expected values are the library's:
// this test checks that no surface computes its own.

import { deepStrictEqual as deepEqual, equal, ok } from "node:assert/strict";
import { join, relative } from "node:path";
import { analyzeTest, type QualityFlag, type TestSummary } from "../../analysis/analyze_test.ts";
import { read } from "../../lib/summarize/read.ts";
import { copyFixtureStore } from "../_fixture_store_file.ts";
import { SqliteStore } from "../../lib/store/sqlite_store.ts";
import { createDashboardHandler } from "../../lib/dashboard/mod.ts";
import { SUMMARY_FIELDS, TEST_ROW_CSV_COLUMNS } from "../../lib/test_summary_row.ts";
import { main as analyzeCli } from "../../cli/analyze.ts";
import { main as summarizeCli } from "../../cli/summarize.ts";
import { main as searchCli } from "../../cli/search_tests.ts";
import { runMain } from "./_run_main.ts";
import { repoPath } from "./_run.ts";
import { fixturePath } from "../_util.ts";

/** Every file under tests/fixtures (the parsers decide which are cycling recordings). */
function fixtureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory) walk(path);
      else if (e.isFile && e.name !== "README.md") out.push(path);
    }
  };
  walk(fixturePath(""));
  return out;
}

/** The library's analysis of each cycling fixture, as `--json` prints it. */
interface Expected {
  path: string;
  summary: TestSummary;
  flags: QualityFlag[];
}

async function libraryResults(): Promise<Expected[]> {
  const out: Expected[] = [];
  for (const path of fixtureFiles()) {
    let recording;
    try {
      recording = await read(path);
    } catch {
      continue; // not a data file, or a damaged one (its own tests cover that)
    }
    if (!recording.series || recording.series.length === 0) continue;
    const data = analyzeTest({
      series: recording.series,
      spectra: recording.spectra ?? [],
      label: path,
      warnings: recording.meta.warnings,
    }).toJSON();
    out.push({ path, summary: data.summary, flags: data.flags });
  }
  return out;
}

/** The summary fields of a row (search_tests / dashboard rows carry them flat). */
function summaryOf(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(SUMMARY_FIELDS.map((f) => [f, row[f]]));
}

/** A CSV line split on commas outside quotes, quotes removed. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out;
}

/** The summary of a CSV row: numbers as numbers, empty as null, flag codes split on `;`. */
function summaryOfCsv(header: string[], fields: string[]): Record<string, unknown> {
  const get = (name: string) => fields[header.indexOf(name)];
  return Object.fromEntries(SUMMARY_FIELDS.map((f) => {
    const text = get(f).replace(/^'/, ""); // the dashboard defuses formula-like text
    if (f === "flag_codes") return [f, text === "" ? [] : text.split(";")];
    if (f === "protocol" || f === "best_fade_model") return [f, text === "" ? null : text];
    return [f, text === "" ? null : Number(text)];
  }));
}

Deno.test("every surface shows the same analysis of every cycling fixture", async () => {
  const expected = await libraryResults();
  ok(expected.length >= 20, `only ${expected.length} cycling fixtures`);

  // 1. The file tools, in-process: analyze --json and summarize --json.
  for (const e of expected) {
    const a = await runMain(analyzeCli, ["--json", e.path]);
    equal(a.code, 0, `${e.path}: ${a.err}`);
    const aj = JSON.parse(a.out);
    deepEqual(aj.summary, e.summary, `analyze --json ${e.path}`);
    deepEqual(aj.flags, e.flags, `analyze --json ${e.path}`);
    const s = await runMain(summarizeCli, ["--json", e.path]);
    equal(s.code, 0, `${e.path}: ${s.err}`);
    const sj = JSON.parse(s.out);
    deepEqual(sj.summary, e.summary, `summarize --json ${e.path}`);
    deepEqual(sj.flags, e.flags, `summarize --json ${e.path}`);
  }

  // 2. The store: import every fixture; each single-file test's stored analysis is the file's.
  const dir = await Deno.makeTempDir({ prefix: "consistency_" });
  const db = join(dir, "battery.db");
  // Every fixture imported by importDirectory() into a new store (once per test run, copied).
  await copyFixtureStore(db);
  const store = await SqliteStore.open({ path: db });
  try {
    const tests = await store.tests.find();
    const byPath = new Map(expected.map((e) => [e.path, e]));
    const stored = tests.filter((t) => t.parts.length === 1 && byPath.has(t.source_path ?? ""));
    // Every cycling fixture that is a test of its own (multi-part tests join several files).
    ok(stored.length >= expected.length - 6, `${stored.length} of ${expected.length} stored`);

    const search = await runMain(searchCli, ["--json", "--db", db]);
    equal(search.code, 0, search.err);
    const searchRows = new Map(
      JSON.parse(search.out).tests.map((r: Record<string, unknown>) => [r.id, r]),
    );
    const csv = (await runMain(searchCli, ["--csv", "--db", db])).out.split("\n");
    const csvHeader = csvFields(csv[0]);
    deepEqual(csvHeader, [...TEST_ROW_CSV_COLUMNS]);
    const csvRows = new Map(
      csv.slice(1).map((l) => {
        const f = csvFields(l);
        return [f[0], f];
      }),
    );

    // The worker pool's time limit (a 503 past it) is not what this test checks.
    const handle = createDashboardHandler(store, { adhocDir: null, computeTimeoutMs: 900_000 });
    const get = async (path: string) =>
      await (await handle(new Request(`http://127.0.0.1:8050${path}`))).text();
    const dashRows = new Map(
      JSON.parse(await get("/tests.json")).tests.map((r: Record<string, unknown>) => [r.id, r]),
    );
    const dashCsv = (await get("/tests.csv")).trim().split("\r\n");
    deepEqual(csvFields(dashCsv[0]), [...TEST_ROW_CSV_COLUMNS]);
    const dashCsvRows = new Map(
      dashCsv.slice(1).map((l) => {
        const f = csvFields(l);
        return [f[0], f];
      }),
    );

    for (const t of stored) {
      const e = byPath.get(t.source_path!)!;
      const what = relative(repoPath(""), e.path);
      ok(t.analysis, `${what}: stored without an analysis`);
      deepEqual(t.analysis.summary, e.summary, `stored analysis of ${what}`);
      deepEqual(t.analysis.flags, e.flags, `stored flags of ${what}`);
      const byId = await runMain(analyzeCli, ["--json", "--test", t.id, "--db", db]);
      equal(byId.code, 0, byId.err);
      deepEqual(JSON.parse(byId.out).summary, e.summary, `analyze --test of ${what}`);
      const row = searchRows.get(t.id) as Record<string, unknown>;
      deepEqual(summaryOf(row), e.summary, `search_tests --json of ${what}`);
      deepEqual(row.flags, e.flags, `search_tests --json flags of ${what}`);
      deepEqual(
        summaryOfCsv(csvHeader, csvRows.get(t.id)!),
        e.summary,
        `search_tests --csv of ${what}`,
      );
      const dash = dashRows.get(t.id) as Record<string, unknown>;
      deepEqual(summaryOf(dash), e.summary, `/tests.json of ${what}`);
      deepEqual(dash.flags, e.flags, `/tests.json flags of ${what}`);
      deepEqual(
        summaryOfCsv(csvHeader, dashCsvRows.get(t.id)!),
        e.summary,
        `/tests.csv of ${what}`,
      );
      const detail = JSON.parse(await get(`/tests/${t.id}/analysis.json`)).analysis;
      deepEqual(detail.summary, e.summary, `/tests/ID/analysis.json of ${what}`);
      deepEqual(detail.flags, e.flags, `/tests/ID/analysis.json flags of ${what}`);
    }
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the README's library example prints the numbers deno task analyze prints", async () => {
  const readme = await Deno.readTextFile(repoPath("README.md"));
  const code = /## Library\n\n```ts\n([\s\S]*?)```/.exec(readme)![1];
  const dir = await Deno.makeTempDir({ prefix: "readme_example_" });
  try {
    const script = join(dir, "example.ts");
    await Deno.writeTextFile(
      script,
      code.replace('from "./mod.ts"', `from ${JSON.stringify(repoPath("mod.ts"))}`),
    );
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", script],
      cwd: repoPath(""),
      env: { NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(run.stdout).split("\n");
    equal(run.code, 0, new TextDecoder().decode(run.stderr));
    // `deno task analyze FILE --json` on the README's file.
    const file = "tests/fixtures/arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
    const a = await runMain(analyzeCli, ["--json", repoPath(file)]);
    const s = JSON.parse(a.out).summary as TestSummary;
    const excluded = JSON.parse(a.out).excluded[0];
    deepEqual(out.slice(1, 6), [
      `${s.protocol} ${s.counted_cycle_count} ${s.cycle_count}`,
      `${s.initial_capacity_Ah} ${(s.capacity_retention! * 100).toFixed(2)}`,
      `${excluded.cycle} ${excluded.role}`,
      `[ ${s.flag_codes.map((c) => JSON.stringify(c)).join(", ")} ]`,
      JSON.parse(a.out).fade_note,
    ]);
    // The comments in the README say what it prints.
    for (const line of out.slice(1, 5)) ok(code.includes(`// ${line}`), `README comment: ${line}`);
    // And the text of analyze shows the same retention.
    const text = await runMain(analyzeCli, [repoPath(file)]);
    ok(text.out.includes(`${(s.capacity_retention! * 100).toFixed(2)} %`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
