// Copyright 2026 the battery-analysis authors. MIT license.
// One-file bundles (`deno bundle --platform deno`, as `deno task bundle` makes them) for the
// tests that run them: each entry point is bundled once per test run (`sharedOnce`) and copied
// where a test wants it, so that bundle_test.ts and permissions_test.ts do not both bundle it.

import { join } from "node:path";
import { sharedOnce } from "../_shared_once.ts";
import { repoPath } from "./_run.ts";

/**
 * Bundle `entry` (a path from the repository root, such as `cli/summarize.ts`) and copy the
 * bundle to `dest`. Returns `dest`, or the reason to skip when `deno bundle` cannot fetch esbuild
 * offline; any other failure of `deno bundle` throws.
 */
export async function bundleTo(entry: string, dest: string): Promise<string | { skip: string }> {
  const dir = await sharedOnce(`bundle_${entry.replace(/[^A-Za-z0-9]+/g, "_")}`, async (dir) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "deno", "-o", join(dir, "bundle.js"), entry],
      cwd: repoPath(""),
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.success) return;
    const stderr = new TextDecoder().decode(out.stderr);
    // deno bundle downloads esbuild on first use; offline without a cached copy it cannot run.
    if (/esbuild/i.test(stderr) && /download|fetch|dns|network|connect/i.test(stderr)) {
      const reason = `deno bundle cannot fetch esbuild offline: ${stderr.trim().split("\n")[0]}`;
      await Deno.writeTextFile(join(dir, "skip.txt"), reason);
      return;
    }
    throw new Error(`deno bundle ${entry} failed:\n${stderr}`);
  });
  try {
    return { skip: await Deno.readTextFile(join(dir, "skip.txt")) };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.copyFile(join(dir, "bundle.js"), dest);
  return dest;
}
