// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * `migrate`: backfill `created_at`/`updated_at` on tests that lack them and raw-file links and
 * metadata that can be inferred from their tests, and compute again the stored analysis of tests
 * whose analysis is missing or of another analysis version. Idempotent; `--dry-run` only
 * reports.
 *
 * @module
 */

import type { CliSpec } from "../lib/cli/cli_spec.ts";
import { storeJson } from "../lib/cli/store_json.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";

const SPEC = {
  name: "migrate",
  summary: "Backfill test timestamps and raw-file links/metadata in the store, and analyse " +
    "again the tests whose stored analysis is missing or of another analysis version (with " +
    "each test's own analysis options). Running it again changes nothing.",
  usage: "[--dry-run | --repair] [--db URI|PATH] [--json]",
  store: true,
  options: {
    "dry-run": { type: "boolean", description: "report what would change; write nothing" },
    repair: {
      type: "boolean",
      description: "also remove what crashed writers left behind (orphaned chunks and raw " +
        "bytes, claims without a test) and mark abandoned running jobs interrupted",
    },
  },
  examples: [
    "migrate --dry-run",
    "migrate --repair --db mongodb://lab-server:27017/",
    "migrate --db mongodb://lab-server:27017/ --db-name battery_test_db",
    "MONGO_URI=mongodb://lab-server:27017/ migrate --json",
  ],
} as const satisfies CliSpec;

/**
 * Run the tool.
 *
 * @param args Command-line arguments.
 * @returns The exit code.
 */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    if (cli.positionals.length > 0) {
      throw new UsageError(`unexpected argument "${cli.positionals[0]}"`);
    }
    const dryRun = cli.values["dry-run"];
    const repairing = cli.values.repair;
    if (repairing && dryRun) throw new UsageError("--repair cannot be combined with --dry-run");
    const { migrateStore } = await import("../lib/store/migrate_store.ts");
    const { refreshAnalyses } = await import("../lib/analyze/refresh_analyses.ts");
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    const store = await openCliStore(cli);
    try {
      const repair = repairing ? await store.repair() : null;
      const report = await migrateStore(store, { dryRun });
      const analyses = await refreshAnalyses(store, { dryRun });
      if (cli.json) {
        console.log(storeJson(store, { ...report, repair, analyses }));
        return analyses.tests.some((t) => t.status === "failed") ? 1 : 0;
      }
      if (repair) {
        console.log(
          `Repair: ${repair.chunks_removed} orphaned chunk(s), ${repair.raw_files_removed} ` +
            `orphaned raw file(s) and ${repair.claims_released} claim(s) without a test ` +
            `removed; ${repair.pending_writes} unfinished write(s) of stopped writers undone; ` +
            `${repair.jobs_interrupted} abandoned job(s) marked interrupted.`,
        );
      }
      for (const c of report.changes) {
        const fields = Object.entries(c.set).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(
          ", ",
        );
        const what = c.kind === "test" ? "test" : "raw file";
        console.log(`${what} ${c.id} "${c.name}": ${fields}${c.note ? ` (${c.note})` : ""}`);
      }
      const tests = report.changes.filter((c) => c.kind === "test").length;
      const raw = report.changes.length - tests;
      for (const t of analyses.tests) {
        const from = t.from_version === null ? "none" : `version ${t.from_version}`;
        console.log(
          `test ${t.id} "${t.name}": analysis ${from} → ${
            t.status === "failed" ? `failed: ${t.error}` : `version ${analyses.analysis_version}`
          }`,
        );
      }
      const failed = analyses.tests.filter((t) => t.status === "failed").length;
      console.log(
        `${dryRun ? "Would update" : "Updated"} ${tests} of ${report.tests_checked} tests and ` +
          `${raw} of ${report.raw_files_checked} raw files; ${
            dryRun ? "would analyse" : "analysed"
          } ` +
          `${analyses.tests.length - failed} test${
            analyses.tests.length - failed === 1 ? "" : "s"
          }` +
          ` again${failed ? `, ${failed} failed` : ""}.`,
      );
      return failed ? 1 : 0;
    } finally {
      await store.close();
    }
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
