// Copyright 2026 the battery-analysis authors. MIT license.

import { readFile } from "node:fs/promises";
import { packFile } from "./_pack_file.ts";
import { basename, dirname, join } from "node:path";
import type { CycleSummary } from "../model/cycle_summary.ts";
import type { Recording } from "../model/file_meta.ts";
import type { Spectrum } from "../model/spectrum.ts";
import type {
  FileAction,
  Sample,
  TestFields,
  TestPart,
  TestResult,
  TestType,
} from "../store/documents.ts";
import type { Store } from "../store/store.ts";
import { ConflictError } from "../store/store_error.ts";
import { joinRecordings } from "../../parsers/join_recordings.ts";
import { parseRecording } from "../../parsers/parse_recording.ts";
import { parseFileName } from "../../parsers/file_name.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import type { SampleSheet } from "../../parsers/sample_sheet.ts";
import type { SampleInfo } from "../model/sample_info.ts";
import { matchSampleSheet } from "../samples/match_sample_sheet.ts";
import { sampleInfoFromFileName } from "../samples/sample_info_from_file_name.ts";
import { samplePropertiesOf } from "../samples/sample_properties_of.ts";
import {
  analyzeTest,
  type AnalyzeTestOptions,
  type TestAnalysisData,
} from "../../analysis/analyze_test.ts";
import {
  formatsWithMapping,
  type ParsedFile,
  type ParseFileOptions,
  sha256Hex,
} from "./parse_file.ts";

/** Options of {@link importParsed}. */
export interface ImportParsedOptions {
  /** Archive the original bytes in the store. @default {true} */
  archive?: boolean;
  /** Import job recording this file. */
  jobId?: string | null;
  /** Tags added to the sample, the test and the raw file. */
  tags?: string[];
  /** Sample name to use instead of the one from the sample sheet or the file name rule. */
  sample?: string;
  /**
   * Sample properties for every file (command-line flags): they are set on the sample, over
   * what the sheet and the file name say.
   */
  sampleInfo?: SampleInfo;
  /**
   * A sample sheet: the rows matching the file (by pattern, or by its sample's name) give its
   * sample name and properties (set on the sample; see `matchSampleSheet`).
   */
  sheet?: SampleSheet;
  /** Report what would happen without writing anything. @default {false} */
  dryRun?: boolean;
  /** Parse options used when the other parts of a multi-file test are read again. */
  parse?: ParseFileOptions;
  /**
   * When a changed (grown) file replaces its part of a test, keep the archived bytes of the
   * earlier version (unlinked from the test, `metadata.superseded_by` naming the new file)
   * instead of deleting them. @default {false}
   */
  keepHistory?: boolean;
}

/** What happened to one file. */
export interface ImportOutcome {
  /** Created, updated, skipped or failed (in a dry run: what would happen). */
  action: FileAction;
  /** The test created, updated or already holding the file. */
  test_id: string | null;
  /** Sample name. */
  sample: string | null;
  /** Cell code. */
  cell_code: string | null;
  /** Why the file was skipped or failed; `null` otherwise. */
  error: string | null;
  /** Things worth knowing that did not stop the import (a file-name group that is no value). */
  warnings?: string[];
}

/**
 * The sample a file goes to and the properties to set on it: the explicit ones (flags over sheet
 * rows) always; the ones its file name states (rule groups, cell code) only where the stored
 * sample has no value yet, so that a value set by hand is never overwritten by an inference.
 * Values an instrument writes in its header (EC-Lab's "Electrode surface area", "Characteristic
 * mass") are not used: they are often the software's defaults (0.001 cm², 0.001 g); they stay
 * in the test's metadata.
 */
function sampleFor(
  parsed: ParsedFile,
  options: ImportParsedOptions,
): { name: string; explicit: SampleInfo; inferred: SampleInfo; warnings: string[] } {
  const meta = parsed.recording!.meta;
  const fromName = sampleInfoFromFileName(
    parseFileName(parsed.path, { rule: options.parse?.fileNameRule }),
  );
  const sheet = options.sheet
    ? matchSampleSheet(options.sheet, { path: parsed.path, sample: meta.sample })
    : null;
  return {
    name: options.sample ?? sheet?.name ?? meta.sample,
    explicit: { ...(sheet?.info ?? {}), ...(options.sampleInfo ?? {}) },
    inferred: fromName.info,
    warnings: fromName.warnings,
  };
}

/**
 * The analysis of an imported test, computed before the write so that the test and its analysis
 * are stored together (the same inputs `analyzeStoredTest` reads back: the cycles, the series,
 * the spectra, the parser's warnings and the sample's properties). When it cannot be computed
 * (options the new cycles cannot satisfy), the test is stored with `analysis: null`, the reason
 * in `metadata.analysis_error` and in the outcome's warnings.
 */
function analyzeImport(
  rec: Recording,
  input: {
    cycles: CycleSummary[];
    cycleMethod: string | null;
    sample: Sample;
    options: AnalyzeTestOptions;
    label: string;
  },
): {
  analysis: TestAnalysisData | null;
  metadata: { analysis_error?: string };
  error: string | null;
} {
  const series = rec.series && rec.series.length > 0 ? rec.series : null;
  try {
    const analysis = analyzeTest({
      series,
      ...(input.cycles.length > 0 || !series ? { cycles: input.cycles } : {}),
      cycleMethod: input.cycleMethod,
      spectra: rec.spectra ?? [],
      label: input.label,
      sample: samplePropertiesOf(input.sample),
      warnings: rec.meta.warnings,
    }, input.options);
    return { analysis: analysis.toJSON(), metadata: {}, error: null };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const message = `analysis not computed: ${error.message}`;
    return { analysis: null, metadata: { analysis_error: message }, error: message };
  }
}

/** The fields to give a sample: explicit ones, and inferred ones where it has none. */
function samplePatch(
  existing: Record<string, unknown> | null,
  wanted: { explicit: SampleInfo; inferred: SampleInfo },
): SampleInfo {
  const patch: Record<string, unknown> = { ...wanted.explicit };
  for (const [field, value] of Object.entries(wanted.inferred)) {
    if (patch[field] === undefined && (existing?.[field] ?? null) === null) patch[field] = value;
  }
  return patch as SampleInfo;
}

const TEST_TYPE_BY_TECHNIQUE: Record<string, TestType> = {
  CV: "CV",
  CVA: "CV",
  GITT: "GITT",
  HPPC: "HPPC",
};

function testType(rec: Recording): TestType {
  if (!rec.series && rec.spectra?.length) return "EIS";
  for (const t of rec.meta.techniques) {
    const type = TEST_TYPE_BY_TECHNIQUE[t.toUpperCase()];
    if (type) return type;
  }
  return rec.series ? "Cycling" : "Other";
}

function stemOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** Test fields from a (possibly joined) recording and its cycles. */
function testFields(
  rec: Recording,
  cycles: CycleSummary[],
  parts: TestPart[],
): Omit<TestFields, "sample_id" | "tags" | "analysis" | "analysis_options"> {
  const meta = rec.meta;
  return {
    tester: String(meta.instrument),
    test_type: testType(rec),
    name: stemOf(parts[0]?.file_name ?? meta.file_name),
    base_name: meta.base_name,
    parts,
    file_hash: parts[0].file_hash,
    cell_code: meta.cell_code,
    start_time: meta.start_time ?? rec.series?.start_time ?? null,
    temperature_C: null,
    upper_cutoff_voltage_V: null,
    lower_cutoff_voltage_V: null,
    charge_rate_C: null,
    discharge_rate_C: null,
    cycles,
    format: meta.format,
    channel: meta.channel,
    source_path: null,
    metadata: {
      format_version: meta.format_version,
      techniques: meta.techniques,
      device: meta.device,
      electrode_area_cm2: meta.electrode_area_cm2,
      active_mass_g: meta.active_mass_g,
      warnings: meta.warnings,
      header: meta.header,
    },
  };
}

/** Order parts the way `joinRecordings` does: numbered parts ascending, then the others. */
function partOrder(a: Recording, b: Recording): number {
  const pa = a.meta.part ?? Infinity, pb = b.meta.part ?? Infinity;
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

/** The bytes of a stored part: from the archive, else from disk next to the test's first file. */
async function partBytes(store: Store, test: TestResult, part: TestPart): Promise<Uint8Array> {
  const raw = await store.rawFiles.getByHash(part.file_hash);
  if (raw) return await store.rawFiles.read(raw.id);
  const candidates = [
    test.source_path ? join(dirname(test.source_path), part.file_name) : null,
  ].filter((p): p is string => p !== null);
  for (const path of candidates) {
    const bytes = await readFile(path).then((b) => new Uint8Array(b)).catch(() => null);
    if (bytes && (await sha256Hex(bytes)) === part.file_hash) return bytes;
  }
  throw new Error(
    `cannot rebuild test ${test.id}: part "${part.file_name}" is not archived and not found ` +
      `unchanged on disk`,
  );
}

/** Join recordings of parts into one, with the row range of each part. */
function joinParts(
  recs: Recording[],
  hashes: Map<Recording, string>,
): { rec: Recording; parts: TestPart[] } {
  const ordered = [...recs].sort(partOrder);
  const parts: TestPart[] = [];
  let row = 0;
  for (const r of ordered) {
    const n = r.series?.length ?? r.spectra?.reduce((s, x) => s + x.length, 0) ?? 0;
    parts.push({
      file_hash: hashes.get(r)!,
      file_name: r.meta.file_name,
      start_row: row,
      end_row: row + n,
    });
    row += n;
  }
  if (ordered.length === 1) return { rec: ordered[0], parts };
  if (ordered.every((r) => r.series)) return { rec: joinRecordings(ordered), parts };
  if (ordered.every((r) => !r.series)) {
    const spectra: Spectrum[] = ordered.flatMap((r) => r.spectra ?? []).map((s, i) => ({
      ...s,
      sequence: i,
    }));
    return { rec: { meta: { ...ordered[0].meta, part: null }, spectra }, parts };
  }
  throw new Error("cannot join parts: some have a time series and some only spectra");
}

/** Attempts at a file when another writer changes the test it joins meanwhile. */
const CONFLICT_ATTEMPTS = 4;

/**
 * Store one parsed file: find or create its sample, create its test or update the test it
 * belongs to (a changed file replaces its part; a new part of a multi-file test is joined in
 * order), archive the original bytes, and say what happened. A file whose SHA-256 is already
 * stored is skipped (its archive is completed if missing). Content errors become a `failed`
 * outcome; store errors are thrown.
 *
 * Several importers may store into one database at once: a file another writer stored first
 * is `skipped` ("already imported by lab-pc-3 pid 4242 (test …)"), and a test another writer
 * changed meanwhile is read again and the file joined to its new state. A conflict that does
 * not resolve is the file's `failed` outcome, never an exception.
 *
 * @param store The store.
 * @param parsed The parsed file.
 * @param options Archive, job, tags, sample override, dry run.
 * @returns The outcome.
 *
 * @example
 * ```ts
 * import { importParsed } from "./import_parsed.ts";
 * import { parseFile } from "./parse_file.ts";
 * import { openStore } from "../store/open_store.ts";
 * import { equal } from "node:assert/strict";
 * import { join } from "node:path";
 *
 * const dir = Deno.makeTempDirSync();
 * const path = join(dir, "cell.bdf.csv");
 * Deno.writeTextFileSync(path, "Test Time / s,Voltage / V,Current / A\n0,3.7,0\n60,3.7,1\n");
 * const store = await openStore({ memory: true });
 * const outcome = await importParsed(store, await parseFile(path));
 * equal(outcome.action, "created");
 * equal((await store.tests.get(outcome.test_id!))?.name, "cell.bdf");
 * await store.close();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function importParsed(
  store: Store,
  parsed: ParsedFile,
  options: ImportParsedOptions = {},
): Promise<ImportOutcome> {
  for (let attempt = 1;; attempt++) {
    try {
      return await importOnce(store, parsed, options);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Stored by another writer meanwhile: the same bytes are there, as a test of their own.
      const known = await store.tests.getByHash(parsed.sha256);
      if (known) return alreadyImported(known, error.holder);
      if (attempt >= CONFLICT_ATTEMPTS) {
        return {
          action: "failed",
          test_id: error.existingId,
          sample: null,
          cell_code: null,
          error: `not stored after ${attempt} attempts: ${error.message}`,
        };
      }
    }
  }
}

/** The outcome of a file whose bytes are already stored as `test`. */
function alreadyImported(
  test: TestResult,
  holder: string | null,
): ImportOutcome {
  return {
    action: "skipped",
    test_id: test.id,
    sample: null,
    cell_code: test.cell_code,
    error: `already imported${holder ? ` by ${holder}` : ""} (test ${test.id})`,
  };
}

async function importOnce(
  store: Store,
  parsed: ParsedFile,
  options: ImportParsedOptions,
): Promise<ImportOutcome> {
  const archive = options.archive ?? true;
  const dryRun = options.dryRun ?? false;
  const tags = options.tags ?? [];
  const outcome = (
    action: FileAction,
    fields: Partial<ImportOutcome> = {},
  ): ImportOutcome => ({
    action,
    test_id: null,
    sample: null,
    cell_code: null,
    error: null,
    ...fields,
  });
  if (parsed.error?.kind === "unsupported") {
    return outcome("skipped", { error: `not a recognized data file: ${parsed.error.message}` });
  }
  if (parsed.error) return outcome("failed", { error: parsed.error.message });

  const known = await store.tests.getByHash(parsed.sha256);
  if (known) {
    if (archive && !dryRun && !(await store.rawFiles.getByHash(parsed.sha256))) {
      await archiveBytes(store, parsed, known, options);
    }
    return alreadyImported(known, null);
  }
  const rec = parsed.recording!;
  if (!rec.series && !rec.spectra?.length) {
    return outcome("skipped", {
      error: `no measurement data${rec.meta.warnings.length ? `: ${rec.meta.warnings[0]}` : ""}`,
    });
  }
  const wanted = sampleFor(parsed, options);
  const sampleName = wanted.name;
  const existingSample = await store.samples.getByName(sampleName);
  const candidates = existingSample
    ? await store.tests.find({
      sample_id: existingSample.id,
      base_name: rec.meta.base_name,
      without_cycles: true,
    })
    : [];
  const fileName = basename(parsed.path);
  // A test takes this file when the file replaces one of its parts (same name: the file
  // changed) or when both are numbered parts of one multi-file test (`_Wb_2`, `.002`).
  const partNumber = (name: string): number | null => parseFileName(name).part;
  const target = candidates.find((t) =>
    t.parts.some((p) => p.file_name === fileName) ||
    (rec.meta.part !== null && t.parts.every((p) => partNumber(p.file_name) !== null))
  ) ?? null;
  // Stored by another writer between the hash lookup above and now.
  if (target?.parts.some((p) => p.file_hash === parsed.sha256)) {
    return alreadyImported(target, null);
  }
  const patch = samplePatch(existingSample as unknown as Record<string, unknown> | null, wanted);
  // The test's cell code: given explicitly, else from its file name, else the sample's.
  const cellCode = wanted.explicit.cell_code ?? wanted.inferred.cell_code ??
    existingSample?.cell_code ?? null;
  const warnings: { warnings?: string[] } = wanted.warnings.length
    ? { warnings: wanted.warnings }
    : {};
  if (dryRun) {
    return outcome(target ? "updated" : "created", {
      test_id: target?.id ?? null,
      sample: sampleName,
      cell_code: cellCode,
      ...warnings,
    });
  }
  const sample = (await store.samples.upsert({ name: sampleName, ...patch, tags })).doc;

  let test: TestResult;
  let action: FileAction;
  if (!target) {
    const hashes = new Map([[rec, parsed.sha256]]);
    const { parts } = joinParts([rec], hashes);
    const fields = testFields(rec, parsed.cycles, parts);
    const analyzed = analyzeImport(rec, {
      cycles: parsed.cycles,
      cycleMethod: parsed.cycle_method,
      sample,
      options: {},
      label: fields.name,
    });
    test = await store.tests.create({
      ...fields,
      cell_code: cellCode,
      sample_id: sample.id,
      source_path: parsed.path,
      tags,
      metadata: { ...fields.metadata, cycle_method: parsed.cycle_method, ...analyzed.metadata },
      analysis: analyzed.analysis,
      analysis_options: {},
    }, { series: rec.series ?? null, spectra: rec.spectra ?? [] });
    if (analyzed.error) warnings.warnings = [...(warnings.warnings ?? []), analyzed.error];
    action = "created";
  } else {
    // Re-read the other parts, replace the part with this file name, and join again.
    const recs: Recording[] = [rec];
    const hashes = new Map<Recording, string>([[rec, parsed.sha256]]);
    for (const part of target.parts) {
      if (part.file_name === fileName) continue;
      const bytes = await partBytes(store, target, part);
      const other = parseRecording(bytes, {
        fileName: part.file_name,
        fileNameRule: options.parse?.fileNameRule,
        formats: formatsWithMapping(options.parse?.mapping),
      });
      recs.push(other);
      hashes.set(other, part.file_hash);
    }
    let joined: { rec: Recording; parts: TestPart[] };
    let cycles: CycleSummary[] = [];
    let method: string | null = null;
    try {
      joined = joinParts(recs, hashes);
      if (joined.rec.series && joined.rec.series.length > 0) {
        const table = summarizeCycles(joined.rec.series, { method: options.parse?.cycleMethod });
        cycles = [...table.cycles];
        method = table.method;
      }
    } catch (error) {
      return outcome("failed", {
        test_id: target.id,
        sample: sample.name,
        error: `cannot join with test ${target.id}: ${(error as Error).message}`,
      });
    }
    const fields = testFields(joined.rec, cycles, joined.parts);
    // The test keeps the analysis options a user set for it.
    const analyzed = analyzeImport(joined.rec, {
      cycles,
      cycleMethod: method,
      sample,
      options: target.analysis_options ?? {},
      label: fields.name,
    });
    test = await store.tests.update(target.id, {
      ...fields,
      cell_code: cellCode ?? target.cell_code,
      source_path: joined.parts[0].file_hash === parsed.sha256 ? parsed.path : target.source_path,
      tags: [...new Set([...target.tags, ...tags])],
      metadata: { ...fields.metadata, cycle_method: method, ...analyzed.metadata },
      analysis: analyzed.analysis,
    }, { series: joined.rec.series ?? null, spectra: joined.rec.spectra ?? [] });
    if (analyzed.error) warnings.warnings = [...(warnings.warnings ?? []), analyzed.error];
    action = "updated";
  }
  if (archive) await archiveBytes(store, parsed, test, options);
  if (target) await retireReplacedPart(store, target, { fileName, parsed, options });
  return outcome(action, {
    test_id: test.id,
    sample: sample.name,
    cell_code: test.cell_code,
    ...warnings,
  });
}

/**
 * After a changed file replaced its part of `test`: the archived bytes of the earlier version
 * (a partial file the watcher imported while it grew) are deleted, or with `keepHistory` kept
 * but unlinked from the test, so that the test's archive holds exactly its current parts.
 */
async function retireReplacedPart(
  store: Store,
  test: TestResult,
  replaced: { fileName: string; parsed: ParsedFile; options: ImportParsedOptions },
): Promise<void> {
  const { fileName, parsed, options } = replaced;
  const old = test.parts.find((p) => p.file_name === fileName && p.file_hash !== parsed.sha256);
  if (!old) return;
  const raw = await store.rawFiles.getByHash(old.file_hash);
  if (!raw || raw.test_id !== test.id) return;
  if (options.keepHistory) {
    await store.rawFiles.update(raw.id, {
      test_id: null,
      metadata: { ...raw.metadata, superseded_by: parsed.sha256 },
    });
  } else await store.rawFiles.delete(raw.id);
}

async function archiveBytes(
  store: Store,
  parsed: ParsedFile,
  test: TestResult,
  options: ImportParsedOptions,
): Promise<void> {
  // Packed by the parse worker; else the bytes read whole; else (a file read in chunks) packed
  // from disk now, its SHA-256 checked against the one hashed while parsing.
  const data = parsed.packed ??
    (parsed.bytes.length > 0 || parsed.recording === null ? parsed.bytes : packFile(parsed.path));
  const { doc, created } = await store.rawFiles.put(data, {
    sha256: parsed.sha256, // hashed once, while parsing
    file_name: basename(parsed.path),
    source_path: parsed.path,
    sample_id: test.sample_id,
    test_id: test.id,
    import_job_id: options.jobId ?? null,
    acquisition_device: parsed.recording?.meta.device ?? null,
    tags: options.tags ?? [],
    metadata: { format: parsed.recording?.meta.format ?? null },
  });
  if (!created && doc.test_id !== test.id) {
    await store.rawFiles.update(doc.id, { test_id: test.id, sample_id: test.sample_id });
  }
}
