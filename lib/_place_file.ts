// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Put a finished temporary file in place (private to `lib/`): used by the tools that write files
 * (`raw_file`, the exports) so that a target is never half-written and never replaced without
 * `force`.
 */

/** Whether a path exists (a dangling link counts). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The error for a target that exists, naming the flag that replaces it. */
export function existsError(target: string): Deno.errors.AlreadyExists {
  return new Deno.errors.AlreadyExists(`"${target}" exists; use --force to replace it`);
}

/**
 * Move a complete temporary file (in the target's folder) into place; without `force` never
 * replaces a file: a hard link, which fails when the target exists, is an atomic "create only if
 * absent"; on file systems without hard links, check then rename.
 *
 * @throws {Deno.errors.AlreadyExists} When the target exists and `force` is not set.
 */
export async function placeFile(tmp: string, target: string, force: boolean): Promise<void> {
  if (force) {
    await Deno.rename(tmp, target);
    return;
  }
  try {
    await Deno.link(tmp, target);
    await Deno.remove(tmp);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) throw existsError(target);
    if (await exists(target)) throw existsError(target);
    await Deno.rename(tmp, target);
  }
}
