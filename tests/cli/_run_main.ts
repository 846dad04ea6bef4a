// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
// Run a CLI's main() in-process and capture what it prints.

/** What a CLI run printed and returned. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Standard output (console.log lines joined with "\n"). */
  out: string;
  /** Standard error. */
  err: string;
}

/** Call `main(args)` with console.log / console.error captured. */
export async function runMain(
  main: (args: string[]) => Promise<number>,
  args: string[],
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.map(String).join(" "));
  console.error = (...a: unknown[]) => err.push(a.map(String).join(" "));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}
