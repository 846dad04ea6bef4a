// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Find tests by sample, chemistry, date, cell code, tag or tester.
 *
 * ```sh
 * deno run -A cli/search_tests.ts [--sample NAME] [--chemistry CHEM]
 *   [--date-range YYYY-MM-DD:YYYY-MM-DD] [--cell CODE] [--tag TAG]... [--tester NAME] [--csv]
 * ```
 *
 * @module
 */

import { type CliSpec, openCliStore, runCli, storeJson, UsageError } from "../lib/cli/parse_cli.ts";
import { formatTable, toCsv } from "../lib/cli/format_table.ts";
import type { Sample, TestResult } from "../lib/store/documents.ts";
import { TEST_TYPES, type TestType } from "../lib/store/documents.ts";
import type { Store, TestFilter } from "../lib/store/store.ts";

const SPEC: CliSpec = {
  name: "search_tests",
  summary: [
    "Find tests in the battery-analysis store. All given filters must hold.",
    "",
    "Output: a table (ID, sample, start date, cycles, initial and final discharge capacity in",
    "mAh, capacity retention and mean coulombic efficiency in %), all fields with --json, or",
    "CSV with --csv. Dates are UTC days; a date range includes the whole end day.",
  ].join("\n"),
  usage: "[--sample NAME] [--chemistry CHEM] [--date-range YYYY-MM-DD:YYYY-MM-DD] [--cell CODE]" +
    "\n    [--tag TAG]... [--tester NAME] [--type TYPE] [--json | --csv]",
  store: true,
  options: {
    sample: {
      type: "string",
      value: "NAME",
      description: "tests of the sample with exactly this name",
    },
    chemistry: {
      type: "string",
      value: "CHEM",
      description: 'samples whose chemistry contains CHEM, any case ("nmc" matches "NMC811/Gr")',
    },
    "date-range": {
      type: "string",
      value: "A:B",
      description: "tests started on day A through day B (YYYY-MM-DD; a side may be empty)",
    },
    cell: { type: "string", value: "CODE", description: "tests of this cell code" },
    tag: {
      type: "string",
      multiple: true,
      value: "TAG",
      description: "tests carrying TAG (all given tags)",
    },
    tester: {
      type: "string",
      value: "NAME",
      description: "instrument maker, any case (Arbin, BioLogic, Maccor, Neware)",
    },
    type: { type: "string", value: "TYPE", description: TEST_TYPES.join(" | ") },
    limit: { type: "integer", value: "N", description: "at most N tests (oldest first)" },
    csv: { type: "boolean", description: "comma-separated values with a header row" },
  },
  examples: [
    "search_tests --sample S1",
    "search_tests --chemistry NMC --date-range 2024-01-01:2024-06-30",
    "search_tests --cell CN12 --tag rate-test --csv > cn12.csv",
  ],
};

/** One row of the search result (also the JSON shape). */
interface Row {
  id: string;
  name: string;
  sample: string | null;
  chemistry: string | null;
  cell_code: string | null;
  tester: string;
  test_type: string;
  start_time: string | null;
  cycles: number;
  initial_capacity_mAh: number | null;
  final_capacity_mAh: number | null;
  capacity_retention: number | null;
  mean_coulombic_efficiency: number | null;
  tags: string[];
}

/**
 * Parse `YYYY-MM-DD:YYYY-MM-DD` into an instant range `[from, before)` covering whole UTC days.
 * Either side may be empty. A date that does not exist or a reversed range is a usage error
 * (a TypeError).
 *
 * @param text The flag's value.
 * @returns ISO 8601 instants: `from` inclusive, `before` exclusive.
 *
 * @example Usage
 * ```ts
 * import { parseDateRange } from "./search_tests.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * deepStrictEqual(parseDateRange("2024-01-01:2024-06-30"), {
 *   from: "2024-01-01T00:00:00.000Z",
 *   before: "2024-07-01T00:00:00.000Z",
 * });
 * throws(() => parseDateRange("2024-02-30:2024-03-01"), /not a valid date/);
 * ```
 */
export function parseDateRange(text: string): { from?: string; before?: string } {
  const parts = text.split(":");
  if (parts.length !== 2) {
    throw new UsageError(
      `--date-range must be YYYY-MM-DD:YYYY-MM-DD (either side may be empty), got "${text}"`,
    );
  }
  const day = (s: string, which: string): Date | undefined => {
    if (s.trim() === "") return undefined;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
    const date = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
    if (
      !m || !date || date.getUTCFullYear() !== +m[1] || date.getUTCMonth() !== +m[2] - 1 ||
      date.getUTCDate() !== +m[3]
    ) {
      throw new UsageError(
        `--date-range: the ${which} date "${s}" is not a valid date (YYYY-MM-DD)`,
      );
    }
    return date;
  };
  const start = day(parts[0], "start");
  const end = day(parts[1], "end");
  if (!start && !end) throw new UsageError("--date-range: give a start date, an end date or both");
  if (start && end && start > end) {
    throw new UsageError(`--date-range: the start ${parts[0]} is after the end ${parts[1]}`);
  }
  return {
    ...(start ? { from: start.toISOString() } : {}),
    // The whole end day is included: up to the next midnight, exclusive.
    ...(end ? { before: new Date(end.getTime() + 86_400_000).toISOString() } : {}),
  };
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    if (cli.positionals.length > 0) {
      throw new UsageError(`unexpected argument "${cli.positionals[0]}"`);
    }
    if (cli.json && v.csv) throw new UsageError("give either --json or --csv, not both");
    const range = typeof v["date-range"] === "string" ? parseDateRange(v["date-range"]) : {};
    const limit = v.limit as number | undefined;
    if (limit !== undefined && limit < 1) throw new UsageError("--limit must be 1 or more");
    let type: TestType | undefined;
    if (typeof v.type === "string") {
      const wanted = v.type.toLowerCase();
      type = TEST_TYPES.find((t) => t.toLowerCase() === wanted);
      if (!type) throw new UsageError(`--type must be one of ${TEST_TYPES.join(", ")}`);
    }
    const store = await openCliStore(cli, { readOnly: true });
    try {
      const rows = await search(store, {
        sample: v.sample as string | undefined,
        chemistry: v.chemistry as string | undefined,
        range,
        cell: v.cell as string | undefined,
        tag: v.tag as string[] | undefined,
        tester: v.tester as string | undefined,
        type,
        limit,
      });
      output(rows, { json: cli.json, csv: v.csv === true }, store);
      return 0;
    } finally {
      await store.close();
    }
  });
}

async function search(
  store: Store,
  q: {
    sample?: string;
    chemistry?: string;
    range: { from?: string; before?: string };
    cell?: string;
    tag?: string[];
    tester?: string;
    type?: TestType;
    limit?: number;
  },
): Promise<Row[]> {
  const samples = new Map<string, Sample>();
  let sampleIds: string[] | undefined;
  if (q.sample !== undefined) {
    const sample = await store.samples.getByName(q.sample);
    if (!sample) return [];
    samples.set(sample.id, sample);
    sampleIds = [sample.id];
  }
  if (q.chemistry !== undefined) {
    const needle = q.chemistry.toLowerCase();
    const matching = (await store.samples.find({})).filter((s) =>
      s.chemistry?.toLowerCase().includes(needle)
    );
    for (const s of matching) samples.set(s.id, s);
    const ids = matching.map((s) => s.id);
    sampleIds = sampleIds ? sampleIds.filter((id) => ids.includes(id)) : ids;
    if (sampleIds.length === 0) return [];
  }
  const filter: TestFilter = {
    without_cycles: true,
    ...(sampleIds ? { sample_ids: sampleIds } : {}),
    ...(q.cell !== undefined ? { cell_code: q.cell } : {}),
    ...(q.tag?.length ? { tags: q.tag } : {}),
    ...(q.type ? { test_type: q.type } : {}),
    ...(q.range.from ? { started_from: q.range.from } : {}),
    ...(q.range.before ? { started_before: q.range.before } : {}),
  };
  let tests: TestResult[] = await store.tests.find(filter);
  if (q.tester !== undefined) {
    const tester = q.tester.toLowerCase();
    tests = tests.filter((t) => t.tester.toLowerCase() === tester);
  }
  if (q.limit !== undefined) tests = tests.slice(0, q.limit);
  const rows: Row[] = [];
  for (const t of tests) {
    let sample = samples.get(t.sample_id);
    if (!sample) {
      sample = (await store.samples.get(t.sample_id)) ?? undefined;
      if (sample) samples.set(sample.id, sample);
    }
    const mAh = (ah: number | null) => (ah === null ? null : ah * 1000);
    rows.push({
      id: t.id,
      name: t.name,
      sample: sample?.name ?? null,
      chemistry: sample?.chemistry ?? null,
      cell_code: t.cell_code,
      tester: t.tester,
      test_type: t.test_type,
      start_time: t.start_time,
      cycles: t.cycle_count,
      initial_capacity_mAh: mAh(t.initial_capacity_Ah),
      final_capacity_mAh: mAh(t.final_capacity_Ah),
      capacity_retention: t.capacity_retention,
      mean_coulombic_efficiency: t.mean_coulombic_efficiency,
      tags: t.tags,
    });
  }
  return rows;
}

function fixed(value: number | null, digits: number, scale = 1): string | null {
  return value === null || !Number.isFinite(value) ? null : (value * scale).toFixed(digits);
}

function output(rows: Row[], format: { json: boolean; csv: boolean }, store: Store): void {
  if (format.json) {
    console.log(storeJson(store, { tests: rows }));
    return;
  }
  const headers = [
    "ID",
    "Sample",
    "Date",
    "Cycles",
    "Initial mAh",
    "Final mAh",
    "Retention %",
    "Mean CE %",
  ];
  if (format.csv) {
    const csvHeaders = [
      "id",
      "name",
      "sample",
      "cell_code",
      "tester",
      "test_type",
      "start_time",
      "cycles",
      "initial_capacity_mAh",
      "final_capacity_mAh",
      "capacity_retention",
      "mean_coulombic_efficiency",
    ];
    const csvRows = rows.map((r) => [
      r.id,
      r.name,
      r.sample,
      r.cell_code,
      r.tester,
      r.test_type,
      r.start_time,
      r.cycles,
      r.initial_capacity_mAh,
      r.final_capacity_mAh,
      r.capacity_retention,
      r.mean_coulombic_efficiency,
    ]);
    console.log(toCsv(csvHeaders, csvRows));
    return;
  }
  if (rows.length === 0) {
    console.log("No matching tests found.");
    return;
  }
  const table = rows.map((r) => [
    r.id,
    r.sample ?? "",
    r.start_time?.slice(0, 10) ?? "",
    r.cycles,
    fixed(r.initial_capacity_mAh, 3),
    fixed(r.final_capacity_mAh, 3),
    fixed(r.capacity_retention, 1, 100),
    fixed(r.mean_coulombic_efficiency, 2, 100),
  ]);
  for (const line of formatTable(headers, table)) console.log(line);
  console.log(`${rows.length} test${rows.length === 1 ? "" : "s"}`);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
