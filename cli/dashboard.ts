// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * `deno task dashboard`: serve the web dashboard over the configured store on
 * http://127.0.0.1:8050/. It opens nothing else (no browser, no outside connection).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createDashboardHandler } from "../lib/dashboard/create_dashboard_handler.ts";
import { importDirectory } from "../lib/import/import_directory.ts";
import type { Store } from "../lib/store/store.ts";
import { fail, readConfig, STORE_FLAGS, STORE_FLAGS_HELP, storeFrom } from "./_shared.ts";

const HELP = `Usage: dashboard [options]

Serve the battery dashboard (overview, test search, cell detail with fade model, dQ/dV and
voltage curves, comparison, EIS fits, import jobs, raw files, ad hoc scripts) over the store.
Everything it loads comes from this server; it works offline.

Options:
  --host HOST      address to bind (default 127.0.0.1). Any address other than a loopback
                   one needs an access token.
  --port PORT      port (default 8050; 0 picks a free one)
  --token TOKEN    access token every request must carry (default: BATTERY_DASHBOARD_TOKEN).
                   Open the dashboard once with ?token=TOKEN (it is then kept in a cookie)
                   or send "Authorization: Bearer TOKEN".
  --adhoc DIR      folder of ad hoc analysis scripts (default ./adhoc)
${STORE_FLAGS_HELP}

Stop with Ctrl-C. See docs/dashboard.md.`;

/** Whether an address is a loopback one. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Run the tool. @param args Command-line arguments. @returns Exit code. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        ...STORE_FLAGS,
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "8050" },
        token: { type: "string" },
        adhoc: { type: "string", default: "./adhoc" },
      },
    });
  } catch (error) {
    return fail(error);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  let store: Store | undefined;
  try {
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`--port must be an integer from 0 to 65535, got "${v.port}"`);
    }
    const token = v.token ?? Deno.env.get("BATTERY_DASHBOARD_TOKEN") ?? null;
    if (token !== null && token.length < 8) {
      throw new RangeError("the access token must have at least 8 characters");
    }
    if (!isLoopback(v.host) && token === null) {
      throw new RangeError(
        `binding ${v.host} exposes the dashboard to the network: give --token (or set BATTERY_DASHBOARD_TOKEN)`,
      );
    }
    const config = readConfig(v.config);
    store = await storeFrom(v.db, config);
    const opened = store;
    const handler = createDashboardHandler(opened, {
      token,
      adhocDir: v.adhoc,
      resumeJob: (jobId) => importDirectory(opened, [], { resumeJobId: jobId }),
    });
    const stopped = Promise.withResolvers<void>();
    const server = Deno.serve({
      hostname: v.host,
      port,
      onListen: ({ hostname, port }) => {
        const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
        const info = {
          url: `http://${shown}:${port}/`,
          store: opened.describe().text,
          token_required: token !== null,
        };
        if (v.json) console.log(JSON.stringify(info));
        else {
          console.log(
            `Dashboard on ${info.url}${
              token !== null ? " (open it with ?token=<your token>)" : ""
            }`,
          );
          console.log(`Store: ${info.store}`);
          console.log("Stop with Ctrl-C.");
        }
      },
    }, handler);
    const stop = () => stopped.resolve();
    Deno.addSignalListener("SIGINT", stop);
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
    await Promise.race([stopped.promise, server.finished]);
    Deno.removeSignalListener("SIGINT", stop);
    if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGTERM", stop);
    await server.shutdown();
    return 0;
  } catch (error) {
    return fail(error);
  } finally {
    await store?.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
