// Copyright 2026 the battery-analysis authors. MIT license.

import type { SampleSheet } from "../../parsers/sample_sheet.ts";
import type { SampleInfo } from "../model/sample_info.ts";
import type { Sample, TestFields, TestResult } from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { updateCellDataset } from "../cell_dataset.ts";
import { matchSampleSheet } from "./match_sample_sheet.ts";
import { setSampleProperties } from "./set_sample_properties.ts";

/** Options of {@link applySampleSheet}. */
export interface ApplySampleSheetOptions {
  /** Report what would change; write nothing. @default {false} */
  dryRun?: boolean;
}

/** What a sample sheet did (or would do) to a store. */
export interface SampleSheetReport {
  /** The sheet's file name. */
  file: string;
  /** `true` when nothing was written. */
  dry_run: boolean;
  /** Samples created, by name. */
  created: string[];
  /** Per sample, the fields that change (old and new value) and the sheet lines they come from. */
  samples: {
    name: string;
    created: boolean;
    lines: number[];
    changed: { field: string; from: unknown; to: unknown }[];
  }[];
  /** Tests given to another sample because a file row names one. */
  moved: { test_id: string; test: string; from: string | null; to: string }[];
  /** Tests that got a new cell code. */
  tests_updated: string[];
  /** Cell codes whose dataset got a new version. */
  datasets_updated: string[];
  /** Rows that matched no stored test and name no sample, conflicts, and the sheet's warnings. */
  warnings: string[];
}

/** The stored files of a test: its source path, then its parts' names. */
function testPaths(test: TestResult): string[] {
  return [...new Set([test.source_path, ...test.parts.map((p) => p.file_name), test.name])]
    .filter((p): p is string => typeof p === "string" && p !== "");
}

/**
 * Apply a sample sheet to the samples already in a store: rows that name a sample set its
 * properties (the sample is created when missing); rows with file patterns apply to the stored
 * tests whose source path, part file names or name match — their properties go to the sample
 * the row names (the tests are moved to it) or, without a name, to the tests' own samples.
 * Properties are set with {@link setSampleProperties} (cell codes reach the tests and their
 * datasets). Two rows giving one sample different values for one field are reported; the later
 * row wins. Running it again changes nothing.
 *
 * @param store The store.
 * @param sheet The sheet (`parseSampleSheet` / `readSampleSheet`).
 * @param options Dry run.
 * @returns What changed or would change.
 *
 * @example Usage
 * ```ts
 * import { applySampleSheet } from "./apply_sample_sheet.ts";
 * import { SqliteStore } from "../store/sqlite_store.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const store = await SqliteStore.open({ path: ":memory:" });
 * const sheet = { file: "s.csv", warnings: [], rows: [
 *   { line: 2, name: "Zn1", files: [], info: { area_cm2: 1.13 } },
 * ] };
 * const report = await applySampleSheet(store, sheet);
 * deepEqual(report.created, ["Zn1"]);
 * deepEqual((await applySampleSheet(store, sheet)).samples[0].changed, []);
 * await store.close();
 * ```
 */
export async function applySampleSheet(
  store: Store,
  sheet: SampleSheet,
  options: ApplySampleSheetOptions = {},
): Promise<SampleSheetReport> {
  const dryRun = options.dryRun ?? false;
  const report: SampleSheetReport = {
    file: sheet.file,
    dry_run: dryRun,
    created: [],
    samples: [],
    moved: [],
    tests_updated: [],
    datasets_updated: [],
    warnings: [...sheet.warnings],
  };
  const samplesById = new Map<string, Sample>();
  for (const s of await store.samples.find()) samplesById.set(s.id, s);
  const byName = new Map([...samplesById.values()].map((s) => [s.name, s]));

  // What each sample gets: field → value and the line it comes from.
  const plan = new Map<string, Map<keyof SampleInfo, { value: unknown; line: number }>>();
  const lines = new Map<string, Set<number>>();
  const give = (name: string, info: SampleInfo, line: number): void => {
    const fields = plan.get(name) ?? new Map();
    plan.set(name, fields);
    (lines.get(name) ?? lines.set(name, new Set()).get(name)!).add(line);
    for (const [field, value] of Object.entries(info) as [keyof SampleInfo, unknown][]) {
      const before = fields.get(field);
      if (before && before.value !== value && before.line !== line) {
        report.warnings.push(
          `sample "${name}": line ${before.line} gives ${field} = ${before.value}, line ${line} ` +
            `gives ${value}; line ${Math.max(line, before.line)} used`,
        );
        if (line < before.line) continue;
      }
      fields.set(field, { value, line });
    }
  };

  const usedRows = new Set<number>();
  const moves: { test: TestResult; to: string }[] = [];
  for (const test of await store.tests.find({ without_cycles: true })) {
    const own = samplesById.get(test.sample_id)?.name ?? null;
    for (const path of testPaths(test)) {
      const m = matchSampleSheet(sheet, { path, sample: own });
      const fileRows = sheet.rows.filter((r) => r.files.length > 0 && m.lines.includes(r.line));
      if (fileRows.length === 0) continue;
      const target = m.name ?? own;
      if (target === null) break;
      if (target !== own) moves.push({ test, to: target });
      for (const row of sheet.rows) {
        if (!m.lines.includes(row.line)) continue;
        usedRows.add(row.line);
        give(target, row.info, row.line);
      }
      break;
    }
  }
  for (const row of sheet.rows) {
    if (row.name !== null) {
      usedRows.add(row.line);
      give(row.name, row.info, row.line);
    }
  }
  for (const row of sheet.rows) {
    if (!usedRows.has(row.line)) {
      report.warnings.push(
        `line ${row.line}: ${row.files.join("; ")} matches no stored test and names no sample`,
      );
    }
  }

  for (const [name, fields] of plan) {
    const info = Object.fromEntries([...fields].map(([f, v]) => [f, v.value])) as SampleInfo;
    const existing = byName.get(name);
    const entry = {
      name,
      created: !existing,
      lines: [...(lines.get(name) ?? [])].sort((a, b) => a - b),
      changed: [] as { field: string; from: unknown; to: unknown }[],
    };
    if (dryRun) {
      for (const [field, value] of Object.entries(info)) {
        const old = (existing as unknown as Record<string, unknown> | undefined)?.[field] ?? null;
        if (old !== value) entry.changed.push({ field, from: old, to: value });
      }
    } else {
      const r = await setSampleProperties(store, name, info, { create: true });
      entry.changed = r.changed;
      report.tests_updated.push(...r.tests_updated);
      report.datasets_updated.push(...r.datasets_updated);
      byName.set(name, r.sample);
    }
    if (entry.created) report.created.push(name);
    report.samples.push(entry);
  }

  const touchedCodes = new Set<string>();
  for (const { test, to } of moves) {
    const from = samplesById.get(test.sample_id)?.name ?? null;
    report.moved.push({ test_id: test.id, test: test.name, from, to });
    if (dryRun) continue;
    const target = byName.get(to)!;
    const patch: Partial<TestFields> = { sample_id: target.id };
    if (target.cell_code && test.cell_code === null) patch.cell_code = target.cell_code;
    const moved = await store.tests.update(test.id, patch);
    if (patch.cell_code) report.tests_updated.push(test.id);
    if (moved.cell_code) touchedCodes.add(moved.cell_code);
  }
  for (const code of [...touchedCodes].sort()) {
    if (!report.datasets_updated.includes(code) && (await updateCellDataset(store, code)).changed) {
      report.datasets_updated.push(code);
    }
  }
  return report;
}
