// Copyright 2026 the battery-analysis authors. MIT license.

import { lstat, readdir, stat } from "node:fs/promises";
import { fileKind } from "../file_kind.ts";
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
  /**
   * Called for every entry that is passed over because it cannot be imported: a directory that
   * cannot be read, a name that is not valid UTF-8 (it cannot be opened by name), a FIFO,
   * device or socket, a link to nothing. The walk goes on. Without it such entries are passed
   * over silently.
   */
  onSkip?: (entry: SkippedEntry) => void;
}

/** An entry {@link scanFiles} passed over, and why. */
export interface SkippedEntry {
  /** Absolute path (a name that is not UTF-8 shows U+FFFD for its bad bytes). */
  path: string;
  /** Why it was passed over. */
  reason: string;
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
 * files are returned. A root that does not exist is an error naming it; below the roots,
 * entries that cannot be imported (unreadable directories, names that are not UTF-8, FIFOs,
 * devices, sockets, broken links) are reported to `onSkip` and the walk goes on.
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
  const skip = (path: string, reason: string): void => options.onSkip?.({ path, reason });
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
    if (!info.isDirectory()) {
      skip(rootPath, `${fileKind(info)}, not a regular file`);
      continue;
    }
    const stack: { dir: string; level: number }[] = [{ dir: rootPath, level: 0 }];
    while (stack.length > 0) {
      const { dir, level } = stack.pop()!;
      const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
        skip(dir, `directory cannot be read: ${(error as Error).message}`);
        return null;
      });
      if (entries === null) continue;
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      for (const entry of entries) {
        if (!options.hidden && entry.name.startsWith(".")) continue;
        const path = join(dir, entry.name);
        const rel = toPosix(relative(rootPath, path));
        // Names that are not valid UTF-8 come back with U+FFFD and cannot be opened by name.
        const own = await lstat(path).catch(() => null);
        if (!own) {
          skip(
            path,
            entry.name.includes("\uFFFD")
              ? "file name is not valid UTF-8 (it cannot be opened by name; rename it)"
              : "vanished or cannot be looked at",
          );
          continue;
        }
        let isDir = own.isDirectory();
        let isFile = own.isFile();
        if (own.isSymbolicLink()) {
          const target = await stat(path).catch(() => null);
          isFile = target?.isFile() ?? false;
          isDir = false; // never follow directory links
          if (!target) {
            skip(path, "symbolic link to nothing");
            continue;
          }
        }
        if (isDir) {
          const excluded = matchesAny(rel, exclude) || matchesAny(`${rel}/`, exclude) ||
            matchesAny(entry.name, exclude);
          if (level < depth && !excluded) {
            subdirs.push(path);
          }
          continue;
        }
        if (matchesAny(rel, exclude) || matchesAny(entry.name, exclude)) continue;
        if (include.length > 0 && !matchesAny(rel, include) && !matchesAny(entry.name, include)) {
          continue;
        }
        if (!isFile) {
          if (!own.isSymbolicLink()) skip(path, `${fileKind(own)}, not a regular file`);
          continue;
        }
        const s = own.isSymbolicLink() ? await stat(path).catch(() => null) : own;
        if (!s) {
          skip(path, "vanished or cannot be looked at");
          continue;
        }
        yield { path, relative: rel, size: s.size, mtime_ms: s.mtimeMs };
      }
      for (let i = subdirs.length - 1; i >= 0; i--) {
        stack.push({ dir: subdirs[i], level: level + 1 });
      }
    }
  }
}
