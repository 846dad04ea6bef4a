// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

import type { CliContext, CliSpec } from "./cli_spec.ts";
import { formatHelp } from "./format_help.ts";
import { reportUsageError, UsageError } from "./usage_error.ts";
import { redactText } from "../store/redact.ts";

/**
 * Whether a command line asks for help: `--help` or `-h` before any `--`. Help wins over
 * everything else on the line, and is answered before anything is parsed or loaded.
 *
 * @param args The arguments.
 * @returns `true` when help is asked for.
 *
 * @example Usage
 * ```ts
 * import { helpRequested } from "./run_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(helpRequested(["x.csv", "-h"]), true);
 * equal(helpRequested(["--", "--help"]), false);
 * ```
 */
export function helpRequested(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

/**
 * Run a tool: print its help for `--help` (generated from the spec, loading nothing else), or
 * parse the command line (`parseCli`) and call `handler`; turn errors into messages on stderr
 * (`TOOL: MESSAGE`, credentials redacted) and exit codes: 2 for usage errors, 1 for others.
 * Modules the tool needs only for its work should be loaded in `handler` with `import()`, so
 * that `--help` and usage errors stay quick.
 *
 * @param spec The tool's spec.
 * @param args The arguments.
 * @param handler The tool; returns its exit code.
 * @returns The exit code.
 *
 * @example Usage
 * ```ts
 * import { runCli } from "./run_cli.ts";
 * import { equal } from "node:assert/strict";
 *
 * const SPEC = { name: "t", summary: "", usage: "", options: {
 *   n: { type: "integer", default: 1, description: "how many" },
 * } } as const;
 * equal(await runCli(SPEC, ["--n", "4"], (cli) => Promise.resolve(cli.values.n)), 4);
 * // An explicit configuration file that does not exist:
 * equal(await runCli(SPEC, ["--config", "/nonexistent"], () => Promise.resolve(0)), 1);
 * ```
 */
export async function runCli<S extends CliSpec>(
  spec: S,
  args: string[],
  handler: (cli: CliContext<S>) => Promise<number>,
): Promise<number> {
  if (helpRequested(args)) {
    console.log(formatHelp(spec));
    return 0;
  }
  try {
    const { parseCli } = await import("./parse_cli.ts");
    return await handler(await parseCli(args, spec));
  } catch (error) {
    const message = redactText(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) return reportUsageError(spec.name, message);
    console.error(`${spec.name}: ${message}`);
    return 1;
  }
}
