// Copyright 2026 the battery-analysis authors. MIT license.
// The scanFiles filter rules (depth, include/exclude globs, hidden names) applied to one path,
// for file-system events that name a single file.

import { globToRegExp, type ScanOptions } from "./scan_files.ts";

/**
 * A predicate on paths relative to a root (`/` separators) that accepts exactly the files
 * `scanFiles([root], options)` would return: hidden names skipped unless `hidden`, at most
 * `depth` directory levels, no directory on the way or the file matching an exclude glob, and
 * (with include globs) the relative path or the base name matching one.
 */
export function pathFilter(options: ScanOptions): (relative: string) => boolean {
  const depth = options.depth ?? Infinity;
  const include = (options.include ?? []).map(globToRegExp);
  const exclude = (options.exclude ?? []).map(globToRegExp);
  const any = (s: string, patterns: RegExp[]): boolean => patterns.some((p) => p.test(s));
  return (relative: string): boolean => {
    if (relative === "" || relative.startsWith("../") || relative === "..") return false;
    if (relative.startsWith("/")) return false;
    const segments = relative.split("/");
    if (segments.some((s) => s === "" || s === "." || s === "..")) return false;
    if (!options.hidden && segments.some((s) => s.startsWith("."))) return false;
    const dirs = segments.length - 1;
    if (dirs > depth) return false;
    for (let i = 0; i < dirs; i++) {
      const rel = segments.slice(0, i + 1).join("/");
      if (any(rel, exclude) || any(`${rel}/`, exclude) || any(segments[i], exclude)) return false;
    }
    const name = segments[dirs];
    if (any(relative, exclude) || any(name, exclude)) return false;
    return include.length === 0 || any(relative, include) || any(name, include);
  };
}
