// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * `deno task dashboard`: serve the web dashboard over the configured store on
 * http://127.0.0.1:8050/. It opens nothing else (no browser, no outside connection).
 *
 * @module
 */

import type { CliSpec, FlagValues } from "../lib/cli/cli_spec.ts";
import { runCli } from "../lib/cli/run_cli.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { isWorkerContext } from "../lib/compute/is_worker_context.ts";
import { StoreLostError } from "../lib/store/store_error.ts";
import type { Store } from "../lib/store/store.ts";

// This module is also the parsing worker script of the imports it starts (`workerUrl:
// import.meta.url`): in a worker, it answers parse requests.
if (isWorkerContext()) await import("../lib/import/parse_worker.ts");

const SPEC = {
  name: "dashboard",
  summary: "Serve the battery dashboard (overview, test search, cell detail with fade model, " +
    "dQ/dV and voltage curves, comparison, EIS fits, import jobs, raw files, ad hoc scripts) " +
    "over the store. Everything it loads comes from this server; it works offline. " +
    "Stop with Ctrl-C. See docs/dashboard.md.",
  usage:
    "[--host HOST] [--port PORT] [--token-file PATH] [--adhoc DIR] [--read-only] [--db URI|PATH]",
  store: true,
  options: {
    host: {
      type: "string",
      value: "HOST",
      default: "127.0.0.1",
      description: "address to bind; any non-loopback address needs an access token",
    },
    port: {
      type: "integer",
      value: "PORT",
      default: 8050,
      min: 0,
      max: 65535,
      description: "port (0 picks a free one)",
    },
    "token-file": {
      type: "string",
      value: "PATH",
      description: "read the access token every request must carry from this file (first line; " +
        "or set BATTERY_DASHBOARD_TOKEN); open the dashboard once with ?token=TOKEN (then kept " +
        'in a cookie) or send "Authorization: Bearer TOKEN"',
    },
    token: {
      type: "string",
      value: "TOKEN",
      description: "deprecated: the token on the command line is visible to every user of the " +
        "machine (ps); use --token-file or BATTERY_DASHBOARD_TOKEN",
    },
    adhoc: {
      type: "string",
      value: "DIR",
      default: "./adhoc",
      description: "folder of ad hoc analysis scripts",
    },
    workers: {
      type: "integer",
      value: "N",
      default: 2,
      min: 1,
      description: "worker threads for fits, DRT and large series (heavy fits use all but one, " +
        "so pages never wait for them)",
    },
    "compute-timeout": {
      type: "integer",
      value: "SECONDS",
      default: 120,
      min: 1,
      description: "time limit of one fit or other computation; past it, it is stopped",
    },
    "upload-dir": {
      type: "string",
      value: "DIR",
      description: "keep files uploaded from the browser here (one folder per upload); " +
        "by default they are imported from a temporary folder, then removed (the store " +
        "archives the originals)",
    },
    "max-upload-mb": {
      type: "integer",
      value: "MB",
      default: 1024,
      min: 1,
      description: "largest upload from the browser",
    },
    "read-only": {
      type: "boolean",
      description: "open the store for reading only (a database on read-only media or a " +
        "backup copy); resuming import jobs is then off",
    },
  },
  examples: [
    "deno task dashboard",
    "deno task dashboard --db ./lab.db --port 8060",
    "BATTERY_DASHBOARD_TOKEN=... deno task dashboard --host 0.0.0.0",
    "deno task dashboard --host 0.0.0.0 --token-file ~/.battery_analysis/dashboard_token",
  ],
} as const satisfies CliSpec;

/** Whether an address is a loopback one. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The access token: from `--token-file` (its first line), else `BATTERY_DASHBOARD_TOKEN`, else
 * the deprecated `--token` (with a warning: a command line is visible to every user in `ps`).
 * Giving more than one source is a usage error, so nobody wonders which one applies.
 */
async function readToken(values: FlagValues<typeof SPEC>): Promise<string | null> {
  const file = values["token-file"];
  const flag = values.token;
  const env = Deno.env.get("BATTERY_DASHBOARD_TOKEN");
  const given = [file !== undefined, flag !== undefined, env !== undefined].filter(Boolean);
  if (given.length > 1) {
    throw new UsageError(
      "give the access token one way only: --token-file, BATTERY_DASHBOARD_TOKEN or --token",
    );
  }
  if (flag !== undefined) {
    console.error(
      "warning: --token is deprecated: other users of this machine can read it with ps; " +
        "use --token-file PATH or BATTERY_DASHBOARD_TOKEN",
    );
    return flag;
  }
  if (env !== undefined) return env;
  if (file === undefined) return null;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw new UsageError(`cannot read --token-file ${file}: ${(err as Error).message}`);
  }
  const token = text.split(/\r?\n/)[0].trim();
  if (token === "") throw new UsageError(`--token-file ${file} is empty`);
  const mode = (await Deno.stat(file)).mode;
  if (mode !== null && (mode & 0o004) !== 0) {
    console.error(
      `warning: --token-file ${file} is readable by every user of this machine (chmod 600 it)`,
    );
  }
  return token;
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export function main(args: string[]): Promise<number> {
  return runCli(SPEC, args, async (cli) => {
    const { host, port } = cli.values;
    const token = await readToken(cli.values);
    if (token !== null && token.length < 8) {
      throw new UsageError("the access token must have at least 8 characters");
    }
    if (!isLoopback(host) && token === null) {
      throw new UsageError(
        `binding ${host} exposes the dashboard to the network: give an access token with --token-file (or set BATTERY_DASHBOARD_TOKEN)`,
      );
    }
    const { createDashboardHandler } = await import(
      "../lib/dashboard/create_dashboard_handler.ts"
    );
    const { importDirectory } = await import("../lib/import/import_directory.ts");
    const { openCliStore } = await import("../lib/cli/open_cli_store.ts");
    let store: Store | undefined;
    try {
      const readOnly = cli.values["read-only"];
      store = await openCliStore(cli, { readOnly });
      const opened = store;
      const workers = cli.values.workers;
      const timeout = cli.values["compute-timeout"];
      const handler = createDashboardHandler(opened, {
        token,
        adhocDir: cli.values.adhoc,
        computeWorkers: workers,
        computeTimeoutMs: timeout * 1000,
        ...(readOnly ? {} : {
          resumeJob: (jobId: string) =>
            importDirectory(opened, [], { resumeJobId: jobId, workerUrl: import.meta.url }),
          // This module is also the import's parsing worker script (as in import_directory).
          importFiles: (roots, options) =>
            importDirectory(opened, roots, { ...options, workerUrl: import.meta.url }),
          uploadDir: cli.values["upload-dir"] ?? null,
          maxUploadBytes: cli.values["max-upload-mb"] * 1024 ** 2,
        }),
      });
      const stopped = Promise.withResolvers<void>();
      // A database file deleted or replaced under the dashboard: say so and stop, rather than
      // serve errors (or, for a writer, write into a file nobody can open again).
      let lost: StoreLostError | null = null;
      const probe = setInterval(() => {
        opened.jobs.list({ limit: 1 }).catch((error) => {
          if (!(error instanceof StoreLostError)) return;
          lost = error;
          stopped.resolve();
        });
      }, 2000);
      const server = Deno.serve({
        hostname: host,
        port,
        onListen: ({ hostname, port }) => {
          const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
          const info = {
            url: `http://${shown}:${port}/`,
            store: opened.describe(),
            token_required: token !== null,
          };
          if (cli.json) console.log(JSON.stringify(info));
          else {
            console.log(
              `Dashboard on ${info.url}${
                token !== null ? " (open it with ?token=<your token>)" : ""
              }`,
            );
            console.log("Stop with Ctrl-C.");
          }
        },
      }, handler);
      const stop = () => stopped.resolve();
      const signals: Deno.Signal[] = Deno.build.os === "windows"
        ? ["SIGINT"]
        : ["SIGINT", "SIGTERM"];
      for (const s of signals) Deno.addSignalListener(s, stop);
      await Promise.race([stopped.promise, server.finished]);
      for (const s of signals) Deno.removeSignalListener(s, stop);
      clearInterval(probe);
      await server.shutdown();
      handler.close();
      if (lost) throw lost;
      return 0;
    } finally {
      await store?.close();
    }
  });
}

if (import.meta.main && !isWorkerContext()) Deno.exit(await main(Deno.args));
