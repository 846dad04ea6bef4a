// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Keep cell datasets (all tests of one cell code combined, versioned) up to date.
 *
 * ```sh
 * deno run -A cli/update_cell_dataset.ts --cell CODE | --all | --count | --list CODE
 *   | --rollback CODE VERSION
 * ```
 *
 * @module
 */

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { storeJson } from "../lib/cli/store_json.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { formatTable } from "../lib/cli/format_table.ts";
import type { CellDataset } from "../lib/store/documents.ts";
import type { Store } from "../lib/store/store.ts";

const SPEC = {
  name: "update_cell_dataset",
  summary: [
    "Keep cell datasets up to date: all tests of one cell code combined into one cycle list",
    "(cycles renumbered in test start-time order), stored as versions.",
    "",
    "A refresh first analyses again the cell's tests whose stored analysis is missing or of",
    "another analysis version (as migrate does), then writes a new version only when the",
    "content changed (tests added or removed, their cycles or cycle roles changed); otherwise",
    "the cell is reported unchanged. Each combined cycle carries its role in its test's",
    "analysis (counted, formation, cut_off, ...); the report gives the counted cycles and the",
    "data-quality flags of the cell's tests. A rollback stores",
    "the content of an old version as a new version, so history is never rewritten.",
    '"deno task refresh" runs --all, for cron or a CI schedule; for example, every night at',
    "02:15 (crontab -e):",
    "",
    "  15 2 * * * cd /opt/battery-analysis && deno task refresh >> $HOME/refresh.log 2>&1",
    "",
    "Exit code 0 on success, 1 when a cell could not be refreshed, 2 on usage errors.",
  ].join("\n"),
  usage: "(--cell CODE... | --all | --count | --list CODE | --rollback CODE VERSION)",
  store: true,
  options: {
    cell: {
      type: "string",
      multiple: true,
      value: "CODE",
      description: "refresh the dataset of this cell code",
    },
    all: { type: "boolean", description: "refresh every cell code that has tests" },
    count: { type: "boolean", description: "number of cell codes and of datasets" },
    list: { type: "string", value: "CODE", description: "list the versions of a cell's dataset" },
    rollback: {
      type: "string",
      value: "CODE",
      description: "make version VERSION (the next argument) current again",
    },
  },
  examples: [
    "update_cell_dataset --cell CN123",
    "update_cell_dataset --all --json",
    "update_cell_dataset --list CN123",
    "update_cell_dataset --rollback CN123 2",
  ],
} as const satisfies CliSpec;

interface RefreshRow {
  cell_code: string;
  changed: boolean;
  version: number | null;
  dataset_id: string | null;
  tests: number;
  cycles: number;
  /** Cycles whose role in their test's analysis is `counted`. */
  counted_cycles: number;
  /** Flag codes of the cell's tests' analyses, sorted, unique. */
  flag_codes: string[];
  /** Tests analysed again because their analysis was missing or stale. */
  analyses_refreshed: number;
  error: string | null;
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    const positionals = cli.positionals;
    const actions = [
      v.cell?.length ? "--cell" : null,
      v.all ? "--all" : null,
      v.count ? "--count" : null,
      v.list !== undefined ? "--list" : null,
      v.rollback !== undefined ? "--rollback" : null,
    ].filter((a) => a !== null);
    if (actions.length === 0) {
      throw new UsageError("give one of --cell, --all, --count, --list or --rollback");
    }
    if (actions.length > 1) throw new UsageError(`give only one of ${actions.join(", ")}`);
    let version: number | undefined;
    if (v.rollback !== undefined) {
      if (positionals.length !== 1) {
        throw new UsageError("--rollback needs a cell code and a version: --rollback CN1 2");
      }
      version = Number(positionals[0]);
      if (!/^\d+$/.test(positionals[0]) || version < 1) {
        throw new UsageError(
          `--rollback: VERSION must be a positive integer, got "${positionals[0]}"`,
        );
      }
    } else if (positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`);
    }
    for (const code of [...(v.cell ?? []), v.list, v.rollback]) {
      if (code !== undefined && code.trim() === "") throw new UsageError("empty cell code");
    }
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const store = await openCliStore(cli);
    try {
      return await run(store, { ...v, version, json: cli.json });
    } finally {
      await store.close();
    }
  });
}

async function run(
  store: Store,
  v: {
    cell?: string[];
    all?: boolean;
    count?: boolean;
    list?: string;
    rollback?: string;
    version?: number;
    json: boolean;
  },
): Promise<number> {
  const { rollbackCellDataset, updateCellDataset } = await import("../lib/cell_dataset.ts");
  const { refreshAnalyses } = await import("../lib/analyze/refresh_analyses.ts");
  if (v.count) {
    const codes = (await store.tests.cellCodes()).length;
    const datasets = await store.datasets.count();
    if (v.json) console.log(storeJson(store, { cell_codes: codes, datasets }));
    else console.log(`${codes} cell code${codes === 1 ? "" : "s"}, ${datasets} with a dataset`);
    return 0;
  }
  if (v.list !== undefined) {
    const versions = await store.datasets.versions(v.list);
    if (versions.length === 0) throw new RangeError(`no dataset for cell code "${v.list}"`);
    if (v.json) console.log(storeJson(store, { versions: versions.map(summary) }));
    else {
      const rows = versions.map((d, i) => [
        d.version,
        d.id,
        d.created_at.slice(0, 19).replace("T", " "),
        d.test_ids.length,
        d.cycles.length,
        d.previous_id ?? "",
        i === 0 ? "current" : "",
      ]);
      const headers = ["Version", "ID", "Created", "Tests", "Cycles", "Previous", "State"];
      for (const line of formatTable(headers, rows)) console.log(line);
    }
    return 0;
  }
  if (v.rollback !== undefined) {
    const dataset = await rollbackCellDataset(store, {
      cellCode: v.rollback,
      version: v.version!,
    });
    if (v.json) console.log(storeJson(store, { dataset: summary(dataset) }));
    else {
      console.log(
        `${v.rollback}: version ${dataset.version} now holds the content of version ${v.version} ` +
          `(${dataset.test_ids.length} tests, ${dataset.cycles.length} cycles)`,
      );
    }
    return 0;
  }
  // --all (deno task refresh) analyses again every stale test, with a cell code or not.
  const everything = v.all ? await refreshAnalyses(store) : null;
  const codes = v.all ? await store.tests.cellCodes() : [...new Set(v.cell)];
  const rows: RefreshRow[] = [];
  for (const code of codes) {
    const row: RefreshRow = {
      cell_code: code,
      changed: false,
      version: null,
      dataset_id: null,
      tests: 0,
      cycles: 0,
      counted_cycles: 0,
      flag_codes: [],
      analyses_refreshed: 0,
      error: null,
    };
    rows.push(row);
    try {
      const tests = await store.tests.find({ cell_code: code, without_cycles: true });
      const refreshed = await refreshAnalyses(store, { testIds: tests.map((t) => t.id) });
      row.analyses_refreshed = refreshed.tests.filter((t) => t.status === "analyzed").length;
      const failed = refreshed.tests.filter((t) => t.status === "failed");
      const { dataset, changed } = await updateCellDataset(store, code);
      const analysed = await store.tests.find({ cell_code: code, without_cycles: true });
      Object.assign(row, {
        changed,
        version: dataset?.version ?? null,
        dataset_id: dataset?.id ?? null,
        tests: dataset?.test_ids.length ?? 0,
        cycles: dataset?.cycles.length ?? 0,
        counted_cycles: dataset?.cycles.filter((c) => c.role === "counted").length ?? 0,
        flag_codes: [...new Set(analysed.flatMap((t) => t.analysis?.summary.flag_codes ?? []))]
          .sort(),
        error: !dataset
          ? "no tests with this cell code"
          : failed.length
          ? failed.map((f) => `test ${f.name}: ${f.error}`).join("; ")
          : null,
      });
    } catch (error) {
      row.error = (error as Error).message;
    }
  }
  const failedAnalyses = everything?.tests.filter((t) => t.status === "failed") ?? [];
  if (v.json) {
    console.log(storeJson(store, { cells: rows, ...(everything ? { analyses: everything } : {}) }));
  } else {
    if (everything && everything.tests.length > 0) {
      console.log(
        `${everything.tests.length - failedAnalyses.length} test(s) analysed again ` +
          `(analysis version ${everything.analysis_version})`,
      );
      for (const f of failedAnalyses) console.log(`test ${f.name}: ${f.error}`);
    }
    if (rows.length === 0) console.log("No cell codes found.");
    for (const r of rows) {
      console.log(
        r.error !== null
          ? `${r.cell_code}: ${r.error}`
          : `${r.cell_code}: ${r.changed ? "new" : "unchanged,"} version ${r.version} ` +
            `(${r.tests} test${r.tests === 1 ? "" : "s"}, ${r.cycles} cycles, ` +
            `${r.counted_cycles} counted)` +
            (r.analyses_refreshed ? `; ${r.analyses_refreshed} analysed again` : "") +
            (r.flag_codes.length ? `; flags: ${r.flag_codes.join(", ")}` : ""),
      );
    }
    const changed = rows.filter((r) => r.changed).length;
    if (rows.length > 1) console.log(`${changed} of ${rows.length} datasets updated`);
  }
  return rows.some((r) => r.error !== null) || failedAnalyses.length > 0 ? 1 : 0;
}

function summary(d: CellDataset): Omit<CellDataset, "cycles"> & { cycle_count: number } {
  const { cycles, ...rest } = d;
  return { ...rest, cycle_count: cycles.length };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
