// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Find tests by sample, chemistry, date, cell code, tag or tester, and by their stored analysis:
 * protocol, data-quality flags and conditions on the headline numbers.
 *
 * ```sh
 * deno run -A cli/search_tests.ts [--sample NAME] [--chemistry CHEM]
 *   [--date-range YYYY-MM-DD:YYYY-MM-DD] [--cell CODE] [--tag TAG]... [--tester NAME]
 *   [--protocol KIND] [--flag CODE]... [--where FIELD<VALUE]... [--csv]
 * ```
 *
 * @module
 */

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { storeJson } from "../lib/cli/store_json.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { formatTable, toCsv } from "../lib/cli/format_table.ts";
import { SUMMARY_NUMBER_FIELDS, TEST_TYPES, type TestType } from "../lib/store/documents.ts";
import type { SummaryCondition } from "../lib/search_tests.ts";
import type { TestSummaryRow } from "../lib/test_summary_row.ts";
import { FLAG_CODES, PROTOCOL_KINDS } from "../analysis/analyze_test.ts";

const SPEC = {
  name: "search_tests",
  summary: [
    "Find tests in the battery-analysis store. All given filters must hold.",
    "",
    "The numbers are the headline numbers of each test's stored analysis (analysis.summary,",
    "the same on every surface): protocol, cycles (counted / all), reference-cycle capacity in",
    "mAh, retention and mean coulombic efficiency in %, fade per 100 cycles in %, and the",
    "data-quality flags, whose reasons are listed under the table. --json prints every summary",
    "field as stored (capacities in Ah, fractions) with the flags and their reasons; --csv the",
    "same fields. Dates are UTC days; a date range includes the whole end day.",
    "",
    "--where compares a summary number: FIELD<V, <=, >, >=, = (fractions as stored:",
    "capacity_retention<0.8); fields: " + SUMMARY_NUMBER_FIELDS.join(", ") + ".",
    "--list-flags prints every flag code with its meaning.",
  ].join("\n"),
  usage: "[--sample NAME] [--chemistry CHEM] [--date-range YYYY-MM-DD:YYYY-MM-DD] [--cell CODE]" +
    "\n    [--tag TAG]... [--tester NAME] [--type TYPE] [--protocol KIND] [--flag CODE]..." +
    "\n    [--where EXPR]... [--limit N] [--json | --csv]\n  search_tests --list-flags",
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
    protocol: {
      type: "string",
      value: "KIND",
      choices: PROTOCOL_KINDS,
      description: `detected protocol: ${PROTOCOL_KINDS.join(" | ")}`,
    },
    flag: {
      type: "string",
      multiple: true,
      value: "CODE",
      description: "tests whose analysis raised this flag (all given flags; see --list-flags)",
    },
    where: {
      type: "string",
      multiple: true,
      value: "EXPR",
      description: 'a condition on a summary number, e.g. "capacity_retention<0.8"',
    },
    "list-flags": { type: "boolean", description: "print the flag codes and their meaning" },
    limit: { type: "integer", value: "N", min: 1, description: "at most N tests (oldest first)" },
    csv: { type: "boolean", description: "comma-separated values with a header row" },
  },
  examples: [
    "search_tests --sample S1",
    "search_tests --chemistry NMC --date-range 2024-01-01:2024-06-30",
    "search_tests --flag ce_out_of_range --where counted_cycle_count>=100",
    'search_tests --protocol cc_cycling --where "capacity_retention<0.8" --json',
    "search_tests --cell CN12 --tag rate-test --csv > cn12.csv",
  ],
} as const satisfies CliSpec;

/**
 * Parse `YYYY-MM-DD:YYYY-MM-DD` into the first and last day of a start-date range (both
 * inclusive). Either side may be empty. A date that does not exist or a reversed range is a usage
 * error (a TypeError).
 *
 * @param text The flag's value.
 * @returns The days.
 *
 * @example Usage
 * ```ts
 * import { parseDateRange } from "./search_tests.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * deepStrictEqual(parseDateRange("2024-01-01:2024-06-30"), { from: "2024-01-01", to: "2024-06-30" });
 * deepStrictEqual(parseDateRange(":2024-06-30"), { to: "2024-06-30" });
 * throws(() => parseDateRange("2024-02-30:2024-03-01"), /not a valid date/);
 * ```
 */
export function parseDateRange(text: string): { from?: string; to?: string } {
  const parts = text.split(":");
  if (parts.length !== 2) {
    throw new UsageError(
      `--date-range must be YYYY-MM-DD:YYYY-MM-DD (either side may be empty), got "${text}"`,
    );
  }
  const day = (s: string, which: string): string | undefined => {
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
    return s.trim();
  };
  const start = day(parts[0], "start");
  const end = day(parts[1], "end");
  if (!start && !end) throw new UsageError("--date-range: give a start date, an end date or both");
  if (start && end && start > end) {
    throw new UsageError(`--date-range: the start ${parts[0]} is after the end ${parts[1]}`);
  }
  return { ...(start ? { from: start } : {}), ...(end ? { to: end } : {}) };
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const v = cli.values;
    if (cli.positionals.length > 0) {
      throw new UsageError(`unexpected argument "${cli.positionals[0]}"`);
    }
    if (v["list-flags"]) {
      const rows = Object.entries(FLAG_CODES).map(([code, f]) => [code, f.severity, f.description]);
      if (cli.json) console.log(JSON.stringify(FLAG_CODES));
      else for (const line of formatTable(["Code", "Severity", "Meaning"], rows)) console.log(line);
      return 0;
    }
    if (cli.json && v.csv) throw new UsageError("give either --json or --csv, not both");
    const range = v["date-range"] !== undefined ? parseDateRange(v["date-range"]) : {};
    let type: TestType | undefined;
    if (v.type !== undefined) {
      const wanted = v.type.toLowerCase();
      type = TEST_TYPES.find((t) => t.toLowerCase() === wanted);
      if (!type) throw new UsageError(`--type must be one of ${TEST_TYPES.join(", ")}`);
    }
    const flags = v.flag ?? [];
    for (const code of flags) {
      if (!Object.hasOwn(FLAG_CODES, code)) {
        throw new UsageError(`--flag: unknown code "${code}" (see --list-flags)`);
      }
    }
    const { parseSummaryCondition, searchTests } = await import("../lib/search_tests.ts");
    const { TEST_ROW_CSV_COLUMNS, testRowCsvCells, testSummaryRow } = await import(
      "../lib/test_summary_row.ts"
    );
    let where: SummaryCondition[];
    try {
      where = (v.where ?? []).map(parseSummaryCondition);
    } catch (error) {
      throw new UsageError(
        `--where: ${(error as Error).message.replace(/^Cannot search tests: /, "")}`,
      );
    }
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const store = await openCliStore(cli, { readOnly: true });
    try {
      const matches = await searchTests(store, {
        sample: v.sample,
        chemistry: v.chemistry,
        ...range,
        cell_code: v.cell,
        tags: v.tag,
        tester: v.tester,
        test_type: type,
        protocol: v.protocol,
        flags,
        where,
        limit: v.limit,
        without_cycles: true,
      });
      const rows = matches.map((m) => testSummaryRow(m.test, m.sample));
      if (cli.json) console.log(storeJson(store, { tests: rows }));
      else if (v.csv) console.log(toCsv([...TEST_ROW_CSV_COLUMNS], rows.map(testRowCsvCells)));
      else printTable(rows);
      return 0;
    } finally {
      await store.close();
    }
  });
}

function fixed(value: number | null, digits: number, scale = 1): string | null {
  return value === null || !Number.isFinite(value) ? null : (value * scale).toFixed(digits);
}

/** The table, then each flagged test's flags with their reasons. */
function printTable(rows: TestSummaryRow[]): void {
  if (rows.length === 0) {
    console.log("No matching tests found.");
    return;
  }
  const headers = [
    "ID",
    "Sample",
    "Date",
    "Protocol",
    "Cycles",
    "Initial mAh",
    "Retention %",
    "Fade %/100",
    "Mean CE %",
    "Flags",
  ];
  const table = rows.map((r) => [
    r.id,
    r.sample ?? "",
    r.start_time?.slice(0, 10) ?? "",
    r.protocol ?? "—",
    r.cycle_count === null ? null : `${r.counted_cycle_count}/${r.cycle_count}`,
    fixed(r.initial_capacity_Ah, 3, 1000),
    fixed(r.capacity_retention, 1, 100),
    fixed(r.fade_per_100_cycles, 2, 100),
    fixed(r.mean_coulombic_efficiency, 2, 100),
    r.analysis_note !== null ? "not analysed" : r.flag_codes?.length ? r.flag_codes.join(",") : "",
  ]);
  for (const line of formatTable(headers, table)) console.log(line);
  console.log(`${rows.length} test${rows.length === 1 ? "" : "s"}`);
  const flagged = rows.filter((r) => r.flags.length > 0 || r.analysis_note !== null);
  if (flagged.length) console.log("\nFlags:");
  for (const r of flagged) {
    if (r.analysis_note !== null) console.log(`  ${r.id} ${r.name}: ${r.analysis_note}`);
    for (const f of r.flags) console.log(`  ${r.id} [${f.severity}] ${f.code}: ${f.message}`);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
