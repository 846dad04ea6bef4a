// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * `migrate`: backfill `created_at`/`updated_at` on tests that lack them and raw-file links and
 * metadata that can be inferred from their tests. Idempotent; `--dry-run` only reports.
 *
 * @module
 */

import { openCliStore, runCli, storeJson } from "../lib/cli/parse_cli.ts";
import { migrateStore } from "../lib/store/migrate_store.ts";

const SPEC = {
  name: "migrate",
  summary: "Backfill test timestamps and raw-file links/metadata in the store. Running it " +
    "again changes nothing.",
  usage: "[--dry-run | --repair] [--db URI|PATH] [--json]",
  store: true,
  options: {
    "dry-run": { type: "boolean" as const, description: "report what would change; write nothing" },
    repair: {
      type: "boolean" as const,
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
};

/**
 * Run the tool.
 *
 * @param args Command-line arguments.
 * @returns The exit code.
 */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    if (cli.positionals.length > 0) {
      console.error(`migrate: unexpected argument "${cli.positionals[0]}"`);
      return 2;
    }
    const dryRun = cli.values["dry-run"] === true;
    const repairing = cli.values.repair === true;
    if (repairing && dryRun) {
      console.error("migrate: --repair cannot be combined with --dry-run");
      return 2;
    }
    const store = await openCliStore(cli);
    try {
      const repair = repairing ? await store.repair() : null;
      const report = await migrateStore(store, { dryRun });
      if (cli.json) {
        console.log(storeJson(store, { ...report, repair }));
        return 0;
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
      console.log(
        `${dryRun ? "Would update" : "Updated"} ${tests} of ${report.tests_checked} tests and ` +
          `${raw} of ${report.raw_files_checked} raw files.`,
      );
      return 0;
    } finally {
      await store.close();
    }
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
