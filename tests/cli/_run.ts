// Copyright 2026 the battery-analysis authors. MIT license.
// Run a CLI (source or bundle) in a subprocess and collect its output.

import { fileURLToPath } from "node:url";

/** Absolute path of a file of the repository (relative to its root). */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** What a CLI run produced. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Run `deno run PERMISSIONS SCRIPT ARGS` with the repository as working directory.
 * @param script Path of the script (relative to the repository root, or absolute).
 * @param args Arguments.
 * @param permissions Deno permission flags. @default {["--allow-read"]}
 */
export function runCli(
  script: string,
  args: string[],
  permissions: string[] = ["--allow-read"],
): Promise<CliRun> {
  return runCliWith(script, { args, permissions });
}

/**
 * Like {@link runCli}, with extra environment variables (added to this process's).
 * @param script Path of the script (relative to the repository root, or absolute).
 * @param options Arguments, permission flags (none when absent) and environment.
 */
export async function runCliWith(
  script: string,
  options: { args: string[]; permissions?: string[]; env?: Record<string, string> },
): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...(options.permissions ?? []),
      script,
      ...options.args,
    ],
    cwd: repoPath(""),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Parse JSON lines. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}
