// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { Recording } from "../lib/model/file_meta.ts";
import { type ArbinColumnPlan, buildArbinSeries, unreadPlan } from "./_arbin_columns.ts";
import {
  guessDelimiter,
  nonFiniteWarnings,
  readNumericCsv,
  splitFields,
  truncatedWarning,
} from "./_csv_numeric.ts";
import { NUMERIC_FIELD } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { type Quantity, SI_UNIT, unitFactor } from "./_units.ts";
import { extensionOf, headLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedRead, damageWarning } from "./_damage.ts";

/** Column-name aliases (lower case, spaces/underscores/dashes as `_`) of each column. */
const ALIASES: {
  target: string;
  role: ArbinColumnPlan["role"];
  q: Quantity | "none";
  names: string[];
}[] = [
  {
    target: "time_s",
    role: "series",
    q: "time",
    names: ["test_time", "time", "total_time", "elapsed_time", "testtime", "t", "run_time"],
  },
  { target: "step_time_s", role: "extra", q: "time", names: ["step_time", "steptime"] },
  {
    target: "voltage_V",
    role: "series",
    q: "voltage",
    names: ["voltage", "potential", "cell_voltage", "ecell", "ewe", "u", "v"],
  },
  { target: "current_A", role: "series", q: "current", names: ["current", "cell_current", "i"] },
  {
    target: "charge_capacity_Ah",
    role: "series",
    q: "capacity",
    names: ["charge_capacity", "chg_capacity", "capacity_charge", "q_charge"],
  },
  {
    target: "discharge_capacity_Ah",
    role: "series",
    q: "capacity",
    names: ["discharge_capacity", "dchg_capacity", "capacity_discharge", "q_discharge"],
  },
  {
    target: "charge_energy_Wh",
    role: "series",
    q: "energy",
    names: ["charge_energy", "chg_energy", "energy_charge"],
  },
  {
    target: "discharge_energy_Wh",
    role: "series",
    q: "energy",
    names: ["discharge_energy", "dchg_energy", "energy_discharge"],
  },
  {
    target: "cycle_index",
    role: "counter",
    q: "none",
    names: ["cycle", "cycle_index", "cycle_number", "cycle_no", "cycle_id"],
  },
  {
    target: "step_index",
    role: "counter",
    q: "none",
    names: ["step", "step_index", "step_number", "step_no", "step_id"],
  },
  {
    target: "temperature_C",
    role: "temperature",
    q: "temperature",
    names: ["temperature", "temp", "cell_temperature"],
  },
];

/**
 * `"Voltage (V)"`, `"Voltage [V]"`, `"Voltage/V"`, `"Voltage"` → name and unit; also the
 * units-in-names style of this toolkit's own exports (`"time_s"`, `"current_mA"`,
 * `"discharge_capacity_mAh"`) when the name is a known column and the unit one of its units.
 */
function nameAndUnit(text: string): { key: string; unit: string } {
  const t = text.trim();
  const m = /^(.*?)\s*[([]\s*([^()[\]]*?)\s*[)\]]\s*$/.exec(t) ?? /^(.*?)\s*\/\s*([^/]+)$/.exec(t);
  const name = m && m[1] !== "" ? m[1] : t;
  const unit = m && m[1] !== "" ? m[2] : "";
  const key = name.toLowerCase().replace(/[\s_-]+/g, "_");
  if (unit === "" && !ALIAS_OF.has(key)) {
    const suffix = /^(.+)_([^_\s]+)$/.exec(t);
    const alias = suffix && ALIAS_OF.get(suffix[1].toLowerCase().replace(/[\s_-]+/g, "_"));
    if (alias && alias.q !== "none" && unitFactor(alias.q, suffix![2]) !== undefined) {
      return { key: suffix![1].toLowerCase().replace(/[\s_-]+/g, "_"), unit: suffix![2] };
    }
  }
  return { key, unit };
}

const ALIAS_OF = new Map<string, (typeof ALIASES)[number]>();
for (const a of ALIASES) for (const name of a.names) ALIAS_OF.set(name, a);

function isHeader(fields: string[]): boolean {
  const targets = new Set(fields.map((f) => ALIAS_OF.get(nameAndUnit(f).key)?.target));
  return targets.has("time_s") && (targets.has("voltage_V") || targets.has("current_A"));
}

/** Impedance columns: such a file is a spectrum, not a cycling series. */
const EIS_COLUMN = /^(freq|frequency|zre|zim|z'|z''|-z''|re_z|im_z|z_real|z_imag|phase)/;

/**
 * A header the generic reader claims: time, voltage or current, plus a cycler column (cycle,
 * step or capacity), and no impedance columns.
 */
function isCyclerHeader(fields: string[]): boolean {
  if (!isHeader(fields)) return false;
  const keys = fields.map((f) => nameAndUnit(f).key);
  if (keys.some((k) => EIS_COLUMN.test(k))) return false;
  const targets = new Set(keys.map((k) => ALIAS_OF.get(k)?.target));
  return ["cycle_index", "step_index", "charge_capacity_Ah", "discharge_capacity_Ah"].some((t) =>
    targets.has(t)
  );
}

function plan(header: string[], firstRow: string[], file: string, line: number): ArbinColumnPlan[] {
  const used = new Set<string>();
  return header.map((text, index) => {
    const { key, unit } = nameAndUnit(text);
    const alias = ALIAS_OF.get(key);
    const p = unreadPlan(index, { name: text, unit });
    if (alias && !used.has(alias.target)) {
      used.add(alias.target);
      let scale = 1;
      if (alias.q !== "none" && unit !== "") {
        const s = unitFactor(alias.q, unit);
        if (s === undefined) {
          throw new ParseError(
            file,
            `line ${line}: column "${text}" has unit "${unit}", which cannot be converted to ${
              SI_UNIT[alias.q]
            }`,
            { line },
          );
        }
        scale = s;
      }
      return {
        ...p,
        target: alias.target,
        role: alias.role,
        kind: alias.role === "counter" ? "int" : "float",
        scale,
      };
    }
    const value = firstRow[index];
    if (text.trim() !== "" && (value === undefined || value === "" || NUMERIC_FIELD.test(value))) {
      let target = key.replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") ||
        `column_${index + 1}`;
      if (unit) target += "_" + unit.replace(/[^A-Za-z0-9]+/g, "_");
      while (used.has(target)) target += "_2";
      used.add(target);
      return { ...p, target, role: "extra", kind: "float" };
    }
    return p;
  });
}

/**
 * Read a delimited cycler CSV that no instrument-specific parser claims (comma, tab or
 * semicolon; any preamble of `key;value` lines before the header), by column-name aliases:
 * `test_time`/`time` → `time_s`, `voltage`/`potential`/`Ewe` → `voltage_V`, `current`/`I` →
 * `current_A`, `cycle`, `step`, `charge_capacity`, `discharge_capacity`, energies and
 * temperature; other numeric columns become extras. Units in the header (`Voltage (mV)`,
 * `Current [mA]`, `I/mA`) are converted; columns without a unit are taken as SI (s, V, A, Ah,
 * Wh, °C) and a warning says so.
 *
 * Repairs, each reported in `meta.warnings`: empty fields and `inf`/`nan` become `NaN`; a
 * truncated last line is left out. Also reported: jumps in an `index` column (rows missing) and
 * in the cycle counter (cycles missing). The instrument's counters are never renumbered.
 *
 * @param bytes The whole file.
 * @param options File name and naming rule.
 * @returns The recording.
 * @throws {ParseError} For a file without a header, without time, voltage or current columns,
 *   with a row of the wrong length (except the last) or a value that is not a number.
 *
 * @example Usage
 * ```ts
 * import { parseGenericCsv } from "./generic_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "operator;me\nindex;time (min);voltage;current (mA);cycle\n0;0;3.0;500;1\n1;1;3.1;500;1\n";
 * const { series, meta } = parseGenericCsv(new TextEncoder().encode(text), { fileName: "x.csv" });
 * equal(series!.time_s[1], 60);
 * equal(series!.current_A[0], 0.5);
 * equal(meta.header.operator, "me");
 * ```
 */
export function parseGenericCsv(bytes: Uint8Array, options: ParseOptions): Recording {
  return checkedRead(bytes, { ...options, text: true, read: readGenericCsv });
}

function readGenericCsv(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  let plans: ArbinColumnPlan[] = [];
  let headerLine = 1;
  const csv = readNumericCsv(bytes, {
    fileName: file,
    isHeader: (fields, line) => {
      headerLine = line;
      return isHeader(fields);
    },
    kinds: (header, firstRow) => {
      plans = plan(header, firstRow, file, headerLine);
      return plans.map((p) => p.kind);
    },
  });
  const warnings: string[] = [];
  const targets = new Map(plans.filter((p) => p.target).map((p) => [p.target, p]));
  for (const [target, label] of [["voltage_V", "voltage"], ["current_A", "current"]]) {
    if (!targets.has(target)) {
      const names = ALIASES.find((a) => a.target === target)!.names.join(", ");
      throw new ParseError(
        file,
        `line ${csv.headerLine}: no ${label} column (looked for ${names}); columns: ${
          csv.header.join(", ")
        }`,
        { line: csv.headerLine },
      );
    }
  }
  const unitless = plans.filter((p) =>
    p.role !== "counter" && p.role !== "extra" && p.role !== "unread" && p.original_unit === ""
  );
  if (unitless.length > 0) {
    warnings.push(
      `no units in the header for ${
        unitless.map((p) => `"${p.original_name}"`).join(", ")
      }: taken as ${unitless.map((p) => p.target).join(", ")}`,
    );
  }
  const built = buildArbinSeries(plans, csv.columns, csv.length, {
    file,
    startTime: null,
    headerLine: csv.headerLine,
  });
  warnings.push(...nonFiniteWarnings(csv));
  const series = built.series;
  for (const name of ["time_s", "voltage_V", "current_A"] as const) {
    const values = series[name];
    let count = 0, first = -1;
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i])) {
        count++;
        if (first < 0) first = i;
      }
    }
    if (count > 0) {
      warnings.push(
        `${name}: ${count} value(s) empty or not finite, stored as NaN (first in data row ${
          first + 1
        })`,
      );
    }
  }
  warnings.push(...built.warnings.filter((w) => !w.startsWith("columns not read")));
  const unread = plans.filter((p) => p.role === "unread" && p.original_name !== "");
  if (unread.length > 0) {
    warnings.push(
      `columns not read (not numeric): ${unread.map((p) => p.original_name).join(", ")}`,
    );
  }
  const indexPlan = plans.find((p) => /^(index|data_point|record|rec)$/.test(p.target));
  if (indexPlan) {
    const index = series.extras[indexPlan.target];
    for (let i = 1; i < index.length; i++) {
      if (index[i] - index[i - 1] > 1) {
        warnings.push(damageWarning(
          "row_count_mismatch",
          `"${indexPlan.original_name}" jumps from ${index[i - 1]} to ${index[i]} at data row ${
            i + 1
          }: ${index[i] - index[i - 1] - 1} row(s) missing`,
        ));
        break;
      }
    }
  }
  if (targets.has("cycle_index")) {
    const cycles = series.cycle_index;
    for (let i = 1; i < cycles.length; i++) {
      if (cycles[i] - cycles[i - 1] > 1) {
        warnings.push(
          `cycle index jumps from ${cycles[i - 1]} to ${cycles[i]} at data row ${
            i + 1
          }: kept as written`,
        );
        break;
      }
    }
  }
  if (csv.truncated) warnings.push(truncatedWarning(csv.truncated, csv.header.length));
  const header: Record<string, string> = {};
  for (const fields of csv.preamble) {
    const [key, ...rest] = fields;
    const value = rest.filter((f) => f !== "").join("; ");
    if (key && !key.startsWith("#") && value !== "" && !/^\d+$/.test(key)) header[key] = value;
  }
  const meta = makeMeta(options, {
    format: "generic_csv",
    instrument: "Other",
    header,
    warnings,
  });
  return { meta, series };
}

function detectGenericCsv(head: Uint8Array, fileName: string): Detection {
  const ext = extensionOf(fileName);
  const lines = headLines(head).slice(0, 200);
  if (head.length >= 65536) lines.pop();
  for (const line of lines) {
    if (isCyclerHeader(splitFields(line, guessDelimiter(line)))) {
      return {
        confidence: ext === ".csv" || ext === ".txt" || ext === ".tsv" ? 0.3 : 0.2,
        reason: "delimited text with time, voltage/current and cycle/step/capacity columns",
      };
    }
  }
  return {
    confidence: 0,
    reason: "no header with time, voltage/current and cycle/step/capacity columns",
  };
}

/** The generic cycler CSV format for the registry (low confidence: instrument parsers win). */
export const genericCsv: FormatParser = {
  id: "generic_csv",
  name: "Generic cycler CSV (time, voltage, current columns)",
  instrument: "Other",
  extensions: [".csv", ".txt", ".tsv"],
  kind: "cycling",
  detect: detectGenericCsv,
  parse: (bytes, options) => parseGenericCsv(bytes, options),
};
