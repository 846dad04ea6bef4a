// Copyright 2026 the battery-analysis authors. MIT license.

import type { SampleSheet } from "../../parsers/sample_sheet.ts";
import type { SampleInfo } from "../model/sample_info.ts";
import { globToRegExp } from "../import/scan_files.ts";

/** What a sample sheet says about one file. */
export interface SheetMatch {
  /** Sample name the file belongs to, or `null` when no matching row names one. */
  name: string | null;
  /** Properties from the matching rows (later rows win field by field). */
  info: SampleInfo;
  /** Lines (or entries) of the rows that matched, in order. */
  lines: number[];
}

const cache = new WeakMap<object, RegExp[]>();

function rowPatterns(row: SampleSheet["rows"][number]): RegExp[] {
  let compiled = cache.get(row);
  if (!compiled) {
    compiled = row.files.map(globToRegExp);
    cache.set(row, compiled);
  }
  return compiled;
}

/**
 * The rows of a sample sheet that apply to a file: rows whose file patterns match the file's
 * path, base name or stem (glob: `*` any characters, `?` one, `[…]` a class; case-sensitive),
 * then rows that name the file's sample (given, or named by an earlier matching row). Their
 * properties are merged in sheet order, later rows winning field by field.
 *
 * @param sheet The sheet.
 * @param file The file's path and the sample name its file-name rule gives.
 * @returns The sample name, the properties and the rows used.
 *
 * @example Usage
 * ```ts
 * import { matchSampleSheet } from "./match_sample_sheet.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const sheet = { file: "s.csv", warnings: [], rows: [
 *   { line: 2, name: "Zn1", files: ["Zn_01_*"], info: { area_cm2: 1.13 } },
 *   { line: 3, name: "Zn1", files: [], info: { chemistry: "Zn|Zn" } },
 * ] };
 * deepEqual(matchSampleSheet(sheet, { path: "/d/Zn_01_Channel_3.csv", sample: "Zn_01" }), {
 *   name: "Zn1", info: { area_cm2: 1.13, chemistry: "Zn|Zn" }, lines: [2, 3],
 * });
 * ```
 */
export function matchSampleSheet(
  sheet: SampleSheet,
  file: { path: string; sample?: string | null },
): SheetMatch {
  const posix = file.path.replaceAll("\\", "/");
  const base = posix.split("/").pop() ?? posix;
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  let name: string | null = null;
  const matched = new Set<number>();
  sheet.rows.forEach((row, i) => {
    if (row.files.length === 0) return;
    if (rowPatterns(row).some((re) => re.test(base) || re.test(stem) || re.test(posix))) {
      matched.add(i);
      if (row.name !== null) name = row.name;
    }
  });
  const sample = name ?? file.sample ?? null;
  if (sample !== null) {
    sheet.rows.forEach((row, i) => {
      if (row.files.length === 0 && row.name === sample) matched.add(i);
    });
  }
  const info: SampleInfo = {};
  const lines: number[] = [];
  for (const i of [...matched].sort((a, b) => a - b)) {
    Object.assign(info, sheet.rows[i].info);
    lines.push(sheet.rows[i].line);
  }
  return { name, info, lines };
}
