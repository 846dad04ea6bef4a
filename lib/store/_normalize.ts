// Copyright 2026 the battery-analysis authors. MIT license.
// Input checking and derived numbers shared by the store adapters, so that every store accepts
// and rejects exactly the same documents and computes the same metrics.

import type { CycleSummary } from "../model/cycle_summary.ts";
import { parseFileName } from "../../parsers/file_name.ts";
import {
  type CellDatasetInput,
  type RawFileInput,
  type RawFilePatch,
  SAMPLE_LINKS,
  type SampleFields,
  type SampleInput,
  type SampleMetrics,
  TEST_TYPES,
  type TestAnalysisOptions,
  type TestFields,
  type TestInput,
  type TestType,
} from "./documents.ts";
import type { TestAnalysisData, TestSummary } from "../../analysis/analyze_test.ts";
import type { PackedRawFile } from "./store.ts";
import { isPackedRaw } from "./raw_codec.ts";

const NUMBER_FIELDS = [
  "nominal_capacity_Ah",
  "area_cm2",
  "thickness_cm",
  "mass_g",
  "active_mass_g",
] as const;
const TEXT_FIELDS = [
  "chemistry",
  "manufacturer",
  "form_factor",
  "cell_code",
  "description",
  "default_dataset_id",
  ...SAMPLE_LINKS,
] as const;

/** Every sample field at its empty value. */
export function emptySampleFields(): SampleFields {
  return {
    chemistry: null,
    manufacturer: null,
    form_factor: null,
    nominal_capacity_Ah: null,
    area_cm2: null,
    thickness_cm: null,
    mass_g: null,
    active_mass_g: null,
    cell_code: null,
    parent_id: null,
    anode_id: null,
    cathode_id: null,
    separator_id: null,
    electrolyte_id: null,
    description: null,
    default_dataset_id: null,
    tags: [],
    metadata: {},
  };
}

/** Metrics of a sample without tests. */
export function emptySampleMetrics(): SampleMetrics {
  return {
    test_count: 0,
    avg_initial_capacity_Ah: null,
    avg_final_capacity_Ah: null,
    avg_capacity_retention: null,
    avg_coulombic_efficiency: null,
    avg_energy_efficiency: null,
    median_internal_resistance_ohm: null,
  };
}

/** A checked sample name. */
export function checkName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(`Sample name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  return name.trim();
}

/** A checked sample creation input: its trimmed name and its other fields. */
export function checkSampleInput(
  input: SampleInput,
): { name: string; fields: Partial<SampleFields> } {
  const name = checkName(input?.name);
  const { name: _, ...rest } = input;
  return { name, fields: checkSampleFields(rest, `Sample "${name}"`) };
}

/** Checked, de-duplicated tags. */
export function checkTags(tags: unknown, what: string): string[] {
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string" || t === "")) {
    throw new TypeError(`${what}: tags must be an array of non-empty strings`);
  }
  return [...new Set(tags as string[])];
}

/** Union of two tag lists, order of first appearance. */
export function unionTags(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

function checkMetadata(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${what}: metadata must be a plain object`);
  }
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new TypeError(`${what}: metadata is not JSON-compatible`, { cause });
  }
  return JSON.parse(json);
}

function checkNumber(value: unknown, field: string, what: string): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${what}: ${field} must be a finite number or null, got ${value}`);
  }
  return value;
}

function checkText(value: unknown, field: string, what: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string") {
    throw new TypeError(`${what}: ${field} must be a string or null, got ${typeof value}`);
  }
  return value;
}

/** The given sample fields, checked (only the keys present in `patch`). */
export function checkSampleFields(
  patch: Partial<SampleFields>,
  what: string,
): Partial<SampleFields> {
  const out: Partial<SampleFields> = {};
  const known = new Set<string>([...NUMBER_FIELDS, ...TEXT_FIELDS, "tags", "metadata", "name"]);
  for (const key of Object.keys(patch)) {
    if (!known.has(key)) throw new TypeError(`${what}: unknown sample field "${key}"`);
  }
  for (const f of NUMBER_FIELDS) {
    if (patch[f] !== undefined) out[f] = checkNumber(patch[f], f, what);
  }
  for (const f of TEXT_FIELDS) {
    if (patch[f] !== undefined) out[f] = checkText(patch[f], f, what);
  }
  if (patch.tags !== undefined) out.tags = checkTags(patch.tags, what);
  if (patch.metadata !== undefined) out.metadata = checkMetadata(patch.metadata, what);
  return out;
}

/**
 * Check the links of a sample: none may point to the sample itself (`selfId`) and each must point
 * to an existing sample (`exists`).
 */
export async function checkSampleLinks(
  fields: Partial<SampleFields>,
  selfId: string | null,
  what: string,
  exists: (id: string) => Promise<boolean>,
): Promise<void> {
  for (const link of SAMPLE_LINKS) {
    const target = fields[link];
    if (target === undefined || target === null) continue;
    if (selfId !== null && target === selfId) {
      throw new RangeError(`${what}: ${link} cannot reference the sample itself`);
    }
    if (!(await exists(target))) {
      throw new RangeError(`${what}: ${link} "${target}" does not reference a stored sample`);
    }
  }
}

const HASH = /^[0-9a-f]{64}$/;

/** A checked SHA-256 hex string (lowercased). */
export function checkHash(value: unknown, what: string, field = "file_hash"): string {
  const hash = typeof value === "string" ? value.toLowerCase() : "";
  if (!HASH.test(hash)) {
    throw new TypeError(
      `${what}: ${field} must be a SHA-256 hex string, got ${JSON.stringify(value)}`,
    );
  }
  return hash;
}

function checkCycles(cycles: unknown, what: string): CycleSummary[] {
  if (!Array.isArray(cycles)) throw new TypeError(`${what}: cycles must be an array`);
  let previous = 0;
  for (const c of cycles as CycleSummary[]) {
    if (!c || !Number.isInteger(c.cycle) || c.cycle <= previous) {
      throw new RangeError(
        `${what}: cycle numbers must be increasing integers from 1 (got ${c?.cycle} after ${previous})`,
      );
    }
    previous = c.cycle;
  }
  return JSON.parse(JSON.stringify(cycles));
}

function checkIso(value: unknown, field: string, what: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
    throw new TypeError(`${what}: ${field} must be an ISO 8601 date-time or null, got ${value}`);
  }
  return value;
}

const TEST_NUMBER_FIELDS = [
  "temperature_C",
  "upper_cutoff_voltage_V",
  "lower_cutoff_voltage_V",
  "charge_rate_C",
  "discharge_rate_C",
  "channel",
] as const;
const TEST_TEXT_FIELDS = ["cell_code", "format", "source_path"] as const;
const TEST_KEYS = new Set<string>([
  ...TEST_NUMBER_FIELDS,
  ...TEST_TEXT_FIELDS,
  "sample_id",
  "tester",
  "test_type",
  "name",
  "base_name",
  "parts",
  "file_hash",
  "start_time",
  "cycles",
  "tags",
  "metadata",
  "analysis",
  "analysis_options",
]);

/** The keys of `analyzeTest` options a test may keep. */
const ANALYSIS_OPTION_KEYS = new Set([
  "referenceCycle",
  "threshold",
  "metric",
  "cycles",
  "formationCycles",
  "cycleMethod",
  "confidence",
  "dqdvCycles",
  "keepCutOff",
]);

function checkAnalysis(value: unknown, what: string): TestAnalysisData | null {
  if (value === null) return null;
  const a = value as Partial<TestAnalysisData> | undefined;
  if (
    !a || typeof a !== "object" || Array.isArray(a) || typeof a.analysis_version !== "number" ||
    !a.summary || typeof a.summary !== "object" || !Array.isArray(a.cycles)
  ) {
    throw new TypeError(
      `${what}: analysis must be null or analyzeTest(...).toJSON() (analysis_version, summary, cycles)`,
    );
  }
  return checkMetadata(value, what) as unknown as TestAnalysisData;
}

function checkAnalysisOptions(value: unknown, what: string): TestAnalysisOptions {
  const options = checkMetadata(value, `${what} analysis_options`);
  for (const key of Object.keys(options)) {
    if (!ANALYSIS_OPTION_KEYS.has(key)) {
      throw new TypeError(
        `${what}: unknown analysis option "${key}" (use ${[...ANALYSIS_OPTION_KEYS].join(", ")})`,
      );
    }
  }
  return options as TestAnalysisOptions;
}

/** The given test fields, checked (only the keys present in `patch`). */
export function checkTestFields(patch: Partial<TestFields>, what: string): Partial<TestFields> {
  for (const key of Object.keys(patch)) {
    if (!TEST_KEYS.has(key)) throw new TypeError(`${what}: unknown test field "${key}"`);
  }
  const out: Partial<TestFields> = {};
  for (const f of TEST_NUMBER_FIELDS) {
    if (patch[f] !== undefined) out[f] = checkNumber(patch[f], f, what);
  }
  for (const f of TEST_TEXT_FIELDS) {
    if (patch[f] !== undefined) out[f] = checkText(patch[f], f, what);
  }
  for (const f of ["sample_id", "tester", "name", "base_name"] as const) {
    if (patch[f] === undefined) continue;
    if (typeof patch[f] !== "string" || patch[f] === "") {
      throw new TypeError(`${what}: ${f} must be a non-empty string`);
    }
    out[f] = patch[f];
  }
  if (patch.test_type !== undefined) {
    if (!(TEST_TYPES as readonly string[]).includes(patch.test_type)) {
      throw new RangeError(
        `${what}: test_type must be one of ${TEST_TYPES.join(", ")}, got "${patch.test_type}"`,
      );
    }
    out.test_type = patch.test_type as TestType;
  }
  if (patch.file_hash !== undefined) out.file_hash = checkHash(patch.file_hash, what);
  if (patch.start_time !== undefined) {
    out.start_time = checkIso(patch.start_time, "start_time", what);
  }
  if (patch.cycles !== undefined) out.cycles = checkCycles(patch.cycles, what);
  if (patch.tags !== undefined) out.tags = checkTags(patch.tags, what);
  if (patch.metadata !== undefined) out.metadata = checkMetadata(patch.metadata, what);
  if (patch.analysis !== undefined) out.analysis = checkAnalysis(patch.analysis, what);
  if (patch.analysis_options !== undefined) {
    out.analysis_options = checkAnalysisOptions(patch.analysis_options, what);
  }
  if (patch.parts !== undefined) {
    if (!Array.isArray(patch.parts)) throw new TypeError(`${what}: parts must be an array`);
    out.parts = patch.parts.map((p, i) => {
      if (
        !p || typeof p.file_name !== "string" || !Number.isInteger(p.start_row) ||
        !Number.isInteger(p.end_row) || p.start_row < 0 || p.end_row < p.start_row
      ) {
        throw new TypeError(`${what}: part ${i} needs file_hash, file_name and a row range`);
      }
      return {
        file_hash: checkHash(p.file_hash, `${what} part ${i}`),
        file_name: p.file_name,
        start_row: p.start_row,
        end_row: p.end_row,
      };
    });
  }
  return out;
}

/** A complete, checked set of test fields from a creation input. */
export function completeTestInput(input: TestInput, seriesLength: number | null): TestFields {
  const what = `Test "${input?.name}"`;
  const checked = checkTestFields(input, what);
  for (const f of ["sample_id", "tester", "name", "file_hash"] as const) {
    if (checked[f] === undefined) throw new TypeError(`${what}: ${f} is required`);
  }
  const fromName = parseFileName(checked.name!);
  const fields: TestFields = {
    sample_id: checked.sample_id!,
    tester: checked.tester!,
    test_type: checked.test_type ?? "Cycling",
    name: checked.name!,
    base_name: checked.base_name ?? fromName.base_name,
    parts: checked.parts ?? [{
      file_hash: checked.file_hash!,
      file_name: checked.name!,
      start_row: 0,
      end_row: seriesLength ?? 0,
    }],
    file_hash: checked.file_hash!,
    cell_code: checked.cell_code !== undefined ? checked.cell_code : fromName.cell_code,
    start_time: checked.start_time ?? null,
    temperature_C: checked.temperature_C ?? null,
    upper_cutoff_voltage_V: checked.upper_cutoff_voltage_V ?? null,
    lower_cutoff_voltage_V: checked.lower_cutoff_voltage_V ?? null,
    charge_rate_C: checked.charge_rate_C ?? null,
    discharge_rate_C: checked.discharge_rate_C ?? null,
    cycles: checked.cycles ?? [],
    format: checked.format ?? null,
    channel: checked.channel ?? null,
    source_path: checked.source_path ?? null,
    tags: checked.tags ?? [],
    metadata: checked.metadata ?? {},
    analysis: checked.analysis ?? null,
    analysis_options: checked.analysis_options ?? {},
  };
  return fields;
}

/** All hashes that identify a test: its `file_hash` and its parts' hashes. */
export function testHashes(fields: Pick<TestFields, "file_hash" | "parts">): string[] {
  return [...new Set([fields.file_hash, ...fields.parts.map((p) => p.file_hash)])];
}

function finite(values: (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
}

function mean(values: (number | null | undefined)[]): number | null {
  const v = finite(values);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

function median(values: (number | null | undefined)[]): number | null {
  const v = finite(values).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** What one test contributes to its sample's metrics: the headline numbers of its analysis. */
export type Contribution = Pick<
  TestSummary,
  | "initial_capacity_Ah"
  | "final_capacity_Ah"
  | "capacity_retention"
  | "mean_coulombic_efficiency"
  | "mean_energy_efficiency"
  | "median_internal_resistance_ohm"
>;

/** The contribution of a test: from `analysis.summary`, all `null` without an analysis. */
export function contributionOf(test: Pick<TestFields, "analysis">): Contribution {
  const s = test.analysis?.summary;
  return {
    initial_capacity_Ah: s?.initial_capacity_Ah ?? null,
    final_capacity_Ah: s?.final_capacity_Ah ?? null,
    capacity_retention: s?.capacity_retention ?? null,
    mean_coulombic_efficiency: s?.mean_coulombic_efficiency ?? null,
    mean_energy_efficiency: s?.mean_energy_efficiency ?? null,
    median_internal_resistance_ohm: s?.median_internal_resistance_ohm ?? null,
  };
}

/** Sample metrics from the contributions of its tests. */
export function aggregateMetrics(contributions: Contribution[]): SampleMetrics {
  return {
    test_count: contributions.length,
    avg_initial_capacity_Ah: mean(contributions.map((c) => c.initial_capacity_Ah)),
    avg_final_capacity_Ah: mean(contributions.map((c) => c.final_capacity_Ah)),
    avg_capacity_retention: mean(contributions.map((c) => c.capacity_retention)),
    avg_coulombic_efficiency: mean(contributions.map((c) => c.mean_coulombic_efficiency)),
    avg_energy_efficiency: mean(contributions.map((c) => c.mean_energy_efficiency)),
    median_internal_resistance_ohm: median(
      contributions.map((c) => c.median_internal_resistance_ohm),
    ),
  };
}

/** A raw-file description with every field, as stored. */
export type RawFileFields = Required<Omit<RawFileInput, "sha256">>;

/** The bytes given to `rawFiles.put`: a buffer, a stream or a packed file (else a TypeError). */
export function checkRawBytes(
  bytes: unknown,
): asserts bytes is Uint8Array | ReadableStream<Uint8Array> | PackedRawFile {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ReadableStream) && !isPackedRaw(bytes)) {
    throw new TypeError(
      "rawFiles.put: bytes must be a Uint8Array, a ReadableStream or a packed raw file",
    );
  }
}

/** A SHA-256 the caller gave for a raw file must be that of its bytes (else a RangeError). */
export function checkGivenSha256(
  fileName: string,
  sha256: { given: string | null; actual: string },
): void {
  if (sha256.given !== null && sha256.given !== sha256.actual) {
    throw new RangeError(
      `Raw file "${fileName}": sha256 ${sha256.given} does not match the bytes (${sha256.actual})`,
    );
  }
}

/**
 * A complete, checked raw-file description, and the caller's SHA-256 of the bytes (lowercase)
 * or `null`.
 */
export function completeRawFileInput(
  input: RawFileInput,
): { fields: RawFileFields; sha256: string | null } {
  if (!input || typeof input.file_name !== "string" || input.file_name === "") {
    throw new TypeError("Raw file: file_name must be a non-empty string");
  }
  const what = `Raw file "${input.file_name}"`;
  const { sha256, ...rest } = input;
  const patch = checkRawFilePatch(rest, what);
  const hash = sha256 === undefined ? null : checkHash(sha256, what, "sha256");
  return {
    sha256: hash,
    fields: {
      file_name: input.file_name,
      source_path: patch.source_path ?? null,
      sample_id: patch.sample_id ?? null,
      test_id: patch.test_id ?? null,
      import_job_id: patch.import_job_id ?? null,
      operator: patch.operator ?? null,
      acquisition_device: patch.acquisition_device ?? null,
      content_type: patch.content_type ?? null,
      tags: patch.tags ?? [],
      metadata: patch.metadata ?? {},
    },
  };
}

const RAW_TEXT = [
  "source_path",
  "sample_id",
  "test_id",
  "import_job_id",
  "operator",
  "acquisition_device",
  "content_type",
] as const;

/** The given raw-file fields, checked. */
export function checkRawFilePatch(patch: RawFilePatch & { file_name?: string }, what: string) {
  const out: RawFilePatch = {};
  for (const key of Object.keys(patch)) {
    if (
      key !== "file_name" && key !== "tags" && key !== "metadata" &&
      !RAW_TEXT.includes(key as never)
    ) {
      throw new TypeError(`${what}: unknown raw file field "${key}"`);
    }
  }
  for (const f of RAW_TEXT) if (patch[f] !== undefined) out[f] = checkText(patch[f], f, what);
  if (patch.tags !== undefined) out.tags = checkTags(patch.tags, what);
  if (patch.metadata !== undefined) out.metadata = checkMetadata(patch.metadata, what);
  return out;
}

/** A checked dataset input. */
export function checkDatasetInput(input: CellDatasetInput): CellDatasetInput {
  if (!input || typeof input.cell_code !== "string" || input.cell_code === "") {
    throw new TypeError("Cell dataset: cell_code must be a non-empty string");
  }
  if (!Array.isArray(input.test_ids) || !Array.isArray(input.cycles)) {
    throw new TypeError(`Cell dataset "${input.cell_code}": test_ids and cycles must be arrays`);
  }
  if (typeof input.content_hash !== "string" || input.content_hash === "") {
    throw new TypeError(`Cell dataset "${input.cell_code}": content_hash is required`);
  }
  return JSON.parse(JSON.stringify({
    cell_code: input.cell_code,
    sample_id: input.sample_id ?? null,
    test_ids: input.test_ids,
    cycles: input.cycles,
    content_hash: input.content_hash,
  }));
}

/** A checked positive page size or skip. */
export function checkPage(page: { limit?: number; skip?: number } | undefined): {
  limit: number | null;
  skip: number;
} {
  const limit = page?.limit ?? null;
  const skip = page?.skip ?? 0;
  if (limit !== null && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  if (!Number.isInteger(skip) || skip < 0) {
    throw new RangeError(`skip must be a non-negative integer, got ${skip}`);
  }
  return { limit, skip };
}
