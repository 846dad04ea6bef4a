// Copyright 2026 the battery-analysis authors. MIT license.

import { lstat, readdir, stat } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";

/** A file found by {@link scanFiles}. */
export interface ScannedFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the root it was found under (`/` separators). */
  relative: string;
  /** Size in bytes. */
  size: number;
  /** Modification time, milliseconds since the epoch. */
  mtime_ms: number;
}

/** Options of {@link scanFiles}. */
export interface ScanOptions {
  /**
   * Maximum directory depth below each root: 0 = only files directly in the root.
   * @default {Infinity}
   */
  depth?: number;
  /**
   * Glob patterns (see {@link globToRegExp}); when given, a file is kept only if its path
   * relative to the root, or its base name, matches one of them.
   */
  include?: string[];
  /**
   * Glob patterns; a file is dropped if its relative path, its base name, or the relative path
   * of any directory above it matches one of them (`"*\/archive/*"`, `"archive"`, `"*.txt"`).
   */
  exclude?: string[];
  /** Also return hidden files and walk hidden directories (names starting with `.`). @default {false} */
  hidden?: boolean;
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/**
 * Compile a glob the way the original tool's fnmatch did: `*` and `**` match any characters
 * including `/`, `?` one character, `[...]` / `[!...]` a character class; case-sensitive.
 *
 * @example
 * ```ts
 * import { globToRegExp } from "./scan_files.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(globToRegExp("*.csv").test("a/b/cell.csv"), true); // `*` crosses folders, like fnmatch
 * equal(globToRegExp("cell_?.txt").test("cell_10.txt"), false);
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      while (glob[i + 1] === "*") i++;
      re += ".*";
    } else if (c === "?") re += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function matchesAny(path: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((p) => p.test(path));
}

/**
 * Walk directories (and accept single files) in sorted order, applying depth and
 * include/exclude globs. Symbolic links to directories are not followed (no cycles); links to
 * files are returned. Unreadable directories raise an error naming them.
 *
 * @param roots Directories or files.
 * @param options Depth and glob filters.
 * @returns The files, root by root, in sorted order.
 *
 * @example Usage
 * ```ts ignore
 * for await (const f of scanFiles(["data"], { include: ["*.csv"], exclude: ["*archive*"] })) {
 *   console.log(f.relative, f.size);
 * }
 * ```
 */
export async function* scanFiles(
  roots: readonly string[],
  options: ScanOptions = {},
): AsyncGenerator<ScannedFile> {
  const depth = options.depth ?? Infinity;
  const include = (options.include ?? []).map(globToRegExp);
  const exclude = (options.exclude ?? []).map(globToRegExp);
  if (!(depth >= 0)) throw new RangeError(`Cannot scan: depth must be 0 or more, got ${depth}`);
  for (const root of roots) {
    const rootPath = resolve(root);
    const info = await stat(rootPath).catch((error: unknown) => {
      throw new Error(`Cannot scan "${root}": ${(error as Error).message}`, { cause: error });
    });
    if (info.isFile()) {
      yield {
        path: rootPath,
        relative: basename(rootPath),
        size: info.size,
        mtime_ms: info.mtimeMs,
      };
      continue;
    }
    const stack: { dir: string; level: number }[] = [{ dir: rootPath, level: 0 }];
    while (stack.length > 0) {
      const { dir, level } = stack.pop()!;
      const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
        throw new Error(`Cannot scan directory "${dir}": ${(error as Error).message}`, {
          cause: error,
        });
      });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      for (const entry of entries) {
        if (!options.hidden && entry.name.startsWith(".")) continue;
        const path = join(dir, entry.name);
        const rel = toPosix(relative(rootPath, path));
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          const target = await stat(path).catch(() => null);
          isFile = target?.isFile() ?? false;
          isDir = false; // never follow directory links
        }
        if (isDir) {
          const excluded = matchesAny(rel, exclude) || matchesAny(`${rel}/`, exclude) ||
            matchesAny(entry.name, exclude);
          if (level < depth && !excluded) {
            subdirs.push(path);
          }
          continue;
        }
        if (!isFile) continue;
        if (matchesAny(rel, exclude) || matchesAny(entry.name, exclude)) continue;
        if (include.length > 0 && !matchesAny(rel, include) && !matchesAny(entry.name, include)) {
          continue;
        }
        const s = await lstat(path).then((l) => (l.isSymbolicLink() ? stat(path) : l));
        yield { path, relative: rel, size: s.size, mtime_ms: s.mtimeMs };
      }
      for (let i = subdirs.length - 1; i >= 0; i--) {
        stack.push({ dir: subdirs[i], level: level + 1 });
      }
    }
  }
}
