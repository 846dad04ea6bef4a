// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

import { openStore } from "../store/open_store.ts";
import type { Store } from "../store/store.ts";
import { cliConfig, type CliContext } from "./parse_cli.ts";

/**
 * Open the store a parsed command line selects (`--db`, environment, configuration, default)
 * and say which on stderr (`Store: SQLite file /home/u/.battery_analysis/battery.db (default)`,
 * credentials redacted): every store tool names the store it used. Tools with `--json` also put
 * `store.describe()` in their JSON. The configuration file is read first when the parse did not
 * (`cli.config` is `null`). Tools load this module with `await import()` when they open the
 * store, so that a tool that does not (`analyze FILE`, `--help`) never loads the store code.
 *
 * @param cli The parsed command line.
 * @param options `readOnly`: open for reading only (tools that never write). @default {false}
 * @returns The open store.
 *
 * @example Usage
 * ```ts
 * import { openCliStore } from "./open_cli_store.ts";
 * import { parseCli } from "./parse_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * const cli = await parseCli(["--db", ":memory:"],
 *   { name: "t", summary: "", usage: "", store: true }, { env: {}, home: "/nonexistent-home" });
 * const store = await openCliStore(cli);
 * equal(store.describe().source, "--db flag");
 * await store.close();
 * ```
 */
export async function openCliStore(
  cli: Pick<CliContext, "spec" | "storeOptions" | "config">,
  options: { readOnly?: boolean } = {},
): Promise<Store> {
  if (!cli.spec.store) {
    throw new TypeError(`Cannot open the store of "${cli.spec.name}": its spec has no store`);
  }
  await cliConfig(cli);
  const store = await openStore({
    ...cli.storeOptions,
    ...(options.readOnly ? { readOnly: true } : {}),
  });
  console.error(`Store: ${store.describe().text}`);
  return store;
}
