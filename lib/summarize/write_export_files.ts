// Copyright 2026 the battery-analysis authors. MIT license.

import { basename, join, resolve } from "node:path";
import type { ExportFile } from "../../analysis/export/export_test.ts";
import { safeFileName } from "../safe_file_name.ts";
import { exists, existsError, placeFile } from "../_place_file.ts";

/** Options of {@link writeExportFiles}. */
export interface WriteExportFilesOptions {
  /** Folder the files go in; it must exist (a mistyped folder is an error, never created). */
  dir: string;
  /**
   * Name in front of each file's suffix (`"cell"` → `cell.cycles.csv`, `cell.xlsx`); the whole
   * name is made safe with `safeFileName`, so every file lands inside `dir`.
   */
  stem: string;
  /** Replace existing files. @default {false} */
  force?: boolean;
  /**
   * Paths written earlier in the same run (several input files to one folder): a file that
   * would land on one of them is refused even with `force`, and the paths written are added.
   */
  taken?: Set<string>;
}

/** A file written by {@link writeExportFiles}. */
export interface WrittenExportFile {
  /** Where it was written. */
  path: string;
  /** Its format's media type. */
  content_type: string;
  /** The tables in it, with their rows. */
  tables: { name: string; rows: number }[];
  /** Bytes written. */
  size_bytes: number;
}

/** Denied write permission: an error naming the flag to grant. */
function permissionError(path: string, error: unknown): unknown {
  if (error instanceof Deno.errors.NotCapable) {
    return new Deno.errors.NotCapable(
      `Cannot write "${path}": no write permission; run with --allow-write (or --allow-write=${
        JSON.stringify(resolve(path, ".."))
      })`,
    );
  }
  return error;
}

/**
 * Write export files (from `exportTest` or `exportFile`) into a folder, all or nothing: each file
 * is written under a temporary name in the folder and renamed into place only when every one is
 * complete; an existing file is never replaced without `force` (checked before anything is
 * written); names come from `stem` and the file's suffix through `safeFileName`, so nothing is
 * written outside `dir`.
 *
 * @param files The files (suffix and bytes).
 * @param options Folder, name stem, whether to replace existing files.
 * @returns The files written.
 * @throws {Deno.errors.NotFound} When `dir` does not exist.
 * @throws {Deno.errors.AlreadyExists} When a target exists and `force` is not set.
 * @throws {RangeError} When two files would get the same name.
 * @throws {Deno.errors.NotCapable} Without write permission, naming `--allow-write`.
 *
 * @example
 * ```ts
 * import { writeExportFiles } from "./write_export_files.ts";
 * import { equal, rejects } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const file = {
 *   suffix: ".cycles.csv", content_type: "text/csv; charset=utf-8",
 *   tables: [{ name: "cycles", rows: 1 }], bytes: new TextEncoder().encode("cycle\n1\n"),
 * };
 * const [written] = await writeExportFiles([file], { dir, stem: "../cell" });
 * equal(written.path, `${dir}/cell.cycles.csv`); // never outside dir
 * await rejects(writeExportFiles([file], { dir, stem: "cell" }), /exists; use --force/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeExportFiles(
  files: readonly ExportFile[],
  options: WriteExportFilesOptions,
): Promise<WrittenExportFile[]> {
  const dir = options?.dir;
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError("writeExportFiles: dir must be a folder path");
  }
  if (typeof options.stem !== "string") throw new TypeError("writeExportFiles: stem must be text");
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot write exports to "${dir}": no such folder`);
    }
    if (error instanceof Deno.errors.NotCapable) {
      throw new Deno.errors.NotCapable(
        `Cannot write exports to "${dir}": no read permission for it; run with --allow-read`,
      );
    }
    throw error;
  }
  if (!info.isDirectory) throw new TypeError(`Cannot write exports to "${dir}": not a folder`);
  const force = options.force ?? false;
  const targets = files.map((f) => join(dir, safeFileName(`${options.stem}${f.suffix}`)));
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target)) {
      throw new RangeError(`Cannot write exports: two files would be written to "${target}"`);
    }
    seen.add(target);
    if (options.taken?.has(resolve(target))) {
      throw new Deno.errors.AlreadyExists(
        `"${target}" was written earlier in this run; export to another folder (--out)`,
      );
    }
    if (!force && (await exists(target))) throw existsError(target);
  }
  const temps: string[] = [];
  const placed: string[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const tmp = join(dir, `.${basename(targets[i])}.${crypto.randomUUID().slice(0, 8)}.part`);
      try {
        await Deno.writeFile(tmp, files[i].bytes, { createNew: true });
      } catch (error) {
        throw permissionError(targets[i], error);
      }
      temps.push(tmp);
    }
    for (let i = 0; i < files.length; i++) {
      await placeFile(temps[i], targets[i], force);
      placed.push(targets[i]);
    }
  } catch (error) {
    for (const t of temps) await Deno.remove(t).catch(() => {});
    // All or nothing: the files this call created are removed again.
    if (!force) { for (const p of placed) await Deno.remove(p).catch(() => {}); }
    throw error;
  }
  for (const target of targets) options.taken?.add(resolve(target));
  return files.map((f, i) => ({
    path: targets[i],
    content_type: f.content_type,
    tables: f.tables,
    size_bytes: f.bytes.length,
  }));
}
