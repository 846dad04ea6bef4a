// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Battery Data Format (BDF) CSV import (`*.bdf`, `*.bdf.csv`): one header row of BDF labels
 * (`Test Time / s`) or machine-readable names (`test_time_second`), one row per sample.
 *
 * Vocabulary from the BDF README and ontology (battery-data-alliance/battery-data-format,
 * Apache-2.0). See `to_bdf.ts` for the export.
 *
 * @module
 */

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { BDF_TERMS, type BdfTerm } from "./_bdf_terms.ts";
import { currentSignAgreement, finishCounters, isBlank, source } from "./_columns.ts";
import { guessDelimiter } from "./_csv_numeric.ts";
import { splitFields } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { type Mapping, readTable, type Target } from "./_table.ts";
import { prefixScale, unitFactor } from "./_units.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

interface Resolved {
  term: BdfTerm;
  /** Factor from the file's unit to the term's unit. */
  scale: number;
  unit: string;
}

/** Resolve one header field to a BDF term (label, alternative label or machine name). */
function resolve(field: string): Resolved | null {
  const f = field.trim();
  for (const term of BDF_TERMS) {
    if (f === term.label || f === term.name || term.alt?.includes(f)) {
      return { term, scale: 1, unit: term.unit };
    }
  }
  // "Base / unit" with another unit of the same quantity (mV, mA, mAh, h, ...).
  const m = /^(.+?)\s*\/\s*(.+)$/.exec(f);
  if (!m) return null;
  for (const term of BDF_TERMS) {
    const base = term.label.split(" / ")[0];
    if (m[1] !== base) continue;
    const unit = m[2];
    const scale = term.unit === "s" ? unitFactor("time", unit) : prefixScale(unit, term.unit);
    if (scale !== undefined) return { term, scale, unit };
  }
  return null;
}

function detect(head: Uint8Array, fileName: string): Detection {
  const first = splitLines(decodeHead(head).slice(0, 8192))[0] ?? "";
  const fields = splitFields(first, guessDelimiter(first));
  const names = new Set(fields.map((f) => resolve(f)?.term.name).filter((x) => x));
  const required = ["test_time_second", "voltage_volt", "current_ampere"];
  if (required.every((r) => names.has(r))) {
    return {
      confidence: 1,
      reason: "BDF header (Test Time / s, Voltage / V, Current / A or machine names)",
    };
  }
  if (/\.bdf(\.csv)?$/i.test(fileName)) {
    return { confidence: 0.3, reason: ".bdf extension, but the required BDF columns are missing" };
  }
  return { confidence: 0, reason: "" };
}

/**
 * The BDF CSV reader.
 *
 * - Columns are matched by preferred label, older labels (`Surface Temperature T1 / degC`) or
 *   machine-readable name; a label with another unit of the same quantity (`Voltage / mV`) is
 *   converted. Unknown columns are listed in `warnings` and not read.
 * - `Step ID` → `step_index` (the program step); without it `Step Count / 1` is used.
 *   `Cycle Count / 1` → `cycle_index`.
 * - BDF capacity and energy counters accumulate over the whole test; they are kept as they are,
 *   unless they grow against the sign of current (BDF: positive on charge): then the rule is
 *   followed, the capacities integrated from the current and the file's counters kept as extras,
 *   with a warning (BatMo's exports call positive-current steps "discharge").
 * - `Unix Time / s` gives `start_time` (UTC, `Z`) and the extra `unix_time_s`.
 */
export const bdfCsv: FormatParser = checkedFormat("text", {
  id: "bdf_csv",
  name: "Battery Data Format CSV",
  instrument: "BDF",
  extensions: [".bdf", ".csv"],
  kind: "cycling",
  detect,
  parse: parseBdf,
});

/**
 * BDF's rule is current positive on charge. When the file's own capacity counters grow the other
 * way (its discharge counter while current is positive, as BatMo's exports do), the rule is
 * followed: the current is kept as written, the file's counters move to the extras
 * `file_charge_capacity_Ah` / `file_discharge_capacity_Ah` and the capacities are integrated from
 * the current; a warning says so, with how often a `Step Type` column names the other direction.
 */
function selfContradiction(
  s: CyclingSeries,
  context: { lines: string[]; header: string[]; delimiter: string; warnings: string[] },
): void {
  const { agree, disagree } = currentSignAgreement(s);
  if (disagree === 0 || disagree < agree) return;
  const qc = s.columns.charge_capacity_Ah?.original_name ?? "charge counter";
  const qd = s.columns.discharge_capacity_Ah?.original_name ?? "discharge counter";
  for (
    const [key, extra] of [
      ["charge_capacity_Ah", "file_charge_capacity_Ah"],
      ["discharge_capacity_Ah", "file_discharge_capacity_Ah"],
    ] as const
  ) {
    if (!s.columns[key]) continue;
    s.extras[extra] = s[key];
    s.columns[extra] = s.columns[key];
    delete s.columns[key];
    s[key] = new Float64Array(s.length).fill(NaN);
  }
  let labels = "";
  const typeIndex = context.header.findIndex((f) => /^step type( \/ 1)?$/i.test(f));
  if (typeIndex >= 0) {
    let against = 0, row = 0;
    for (let l = 1; l < context.lines.length && row < s.length; l++) {
      if (isBlank(context.lines[l])) continue;
      const type = (splitFields(context.lines[l], context.delimiter)[typeIndex] ?? "").trim()
        .toLowerCase();
      const i = s.current_A[row++];
      if ((type === "discharge" && i > 0) || (type === "charge" && i < 0)) against++;
    }
    if (against > 0) {
      labels = `; its "${context.header[typeIndex]}" names the other direction on ${against} rows`;
    }
  }
  context.warnings.push(
    `the file contradicts itself: "${qd}" and "${qc}" grow against the sign of current on ` +
      `${disagree} of ${agree + disagree} rows${labels}. BDF's rule (current positive on ` +
      "charge) is followed: current kept as written, capacities integrated from it; the file's " +
      "counters are kept as file_charge_capacity_Ah and file_discharge_capacity_Ah",
  );
}

function parseBdf(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const first = lines[0] ?? "";
  const delimiter = guessDelimiter(first);
  const h = splitFields(first, delimiter).map((x) => x.trim());
  const resolved = h.map(resolve);
  const have = new Set(resolved.map((r) => r?.term.name));
  const missing = ["test_time_second", "voltage_volt", "current_ampere"].filter((r) =>
    !have.has(r)
  );
  if (missing.length > 0) {
    throw new ParseError(file, `line 1: missing required BDF columns ${missing.join(", ")}`, {
      line: 1,
    });
  }
  const warnings: string[] = [];
  const unknown = h.filter((f, i) => !resolved[i] && f !== "");
  if (unknown.length > 0) warnings.push(`columns not read: ${unknown.join(", ")}`);
  const mappings: Mapping[] = [];
  const used = new Set<string>();
  let unixIndex = -1, stepCountIndex = -1;
  resolved.forEach((r, index) => {
    if (!r) return;
    if (used.has(r.term.name)) {
      throw new ParseError(file, `line 1: column "${h[index]}" repeats ${r.term.label}`, {
        line: 1,
      });
    }
    used.add(r.term.name);
    if (r.term.name === "unix_time_second") unixIndex = index;
    if (r.term.name === "step_count") stepCountIndex = index;
    if (r.term.target === null) return;
    mappings.push({ index, target: r.term.target as Target, unit: r.unit, scale: r.scale });
  });
  if (!have.has("step_id") && stepCountIndex >= 0) {
    mappings.push({ index: stepCountIndex, target: "step_index", unit: "1" });
  }
  if (unixIndex >= 0) {
    mappings.push({ index: unixIndex, target: "extras.unix_time_s", unit: "s" });
  }
  const table = readTable(lines, 0, h, mappings, { file, delimiter });
  const s = table.series;
  warnings.push(...table.warnings);
  const unix = s.extras.unix_time_s;
  if (unix) {
    const k = unix.findIndex(Number.isFinite);
    if (k >= 0) {
      const t0 = unix[k] - (s.time_s[k] - s.time_s[0]);
      if (Number.isFinite(t0) && Math.abs(t0) < 1e11) {
        s.start_time = new Date(t0 * 1000).toISOString().replace(".000Z", "Z");
      }
    }
  }
  if (!have.has("cycle_count")) warnings.push("no Cycle Count column; cycle_index is 0");
  selfContradiction(s, { lines, header: h, delimiter, warnings });
  if (!s.columns.step_index) s.columns.step_index = source("", "");
  warnings.push(...finishCounters(s));
  const meta = makeMeta(options, {
    format: "bdf_csv",
    instrument: "BDF",
    start_time: s.start_time,
    techniques: ["Cycling"],
    warnings,
  });
  return { meta, series: s };
}
