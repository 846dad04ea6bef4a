// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * A user-defined column mapping for a delimited file no reader knows (the idea of cellpy's custom
 * loader; the shape is ours): which column is time, voltage, current and the counters, their
 * units, the sign convention of current and how time is written. Written as TOML or JSON and
 * read with `loadColumnMapping` (`lib/summarize/`), then given to `parseMappedCsv`.
 *
 * ```toml
 * name = "lab cycler export"     # optional, shown as the instrument
 * delimiter = ";"                # optional: "," ";" "\t" or " " (default: guessed)
 * decimal = ","                  # optional: "." (default) or ","
 * header_line = 3                # optional: 1-based line of the column titles (default: found)
 * time_format = "duration"       # "seconds" (default) | "duration" (hh:mm:ss) | "datetime"
 * date_order = "dmy"             # for time_format = "datetime": "ymd" (default) | "mdy" | "dmy"
 * current_sign = "positive_charge"  # or "positive_discharge" (current negated on reading)
 *
 * [columns]
 * time = "Elapsed"               # a title, or a table with the title and its unit
 * voltage = { name = "U", unit = "mV" }
 * current = { name = "I", unit = "mA" }
 * capacity = { name = "Q", unit = "mAh" }   # one counter, split by the sign of current
 * cycle = "Cycle"
 * ```
 *
 * @module
 */

/** One mapped column: its title as written, or the title and its unit. */
export type ColumnSpec = string | { name: string; unit?: string };

/** The quantities a mapping can name. */
export const MAPPED_QUANTITIES = [
  "time",
  "voltage",
  "current",
  "charge_capacity",
  "discharge_capacity",
  "capacity",
  "charge_energy",
  "discharge_energy",
  "energy",
  "cycle",
  "step",
  "temperature",
] as const;

/** A quantity a mapping can name. */
export type MappedQuantity = (typeof MAPPED_QUANTITIES)[number];

/** A user-defined column mapping (see the module documentation for the file form). */
export interface ColumnMapping {
  /** Shown as the instrument. @default {"custom"} */
  name?: string;
  /** Field delimiter. @default {guessed from the title line: the most frequent of , ; tab} */
  delimiter?: "," | ";" | "\t" | " ";
  /** Decimal separator. @default {"."} */
  decimal?: "." | ",";
  /** 1-based line of the column titles. @default {the first line holding every mapped title} */
  header_line?: number;
  /** How the time column is written. @default {"seconds"} */
  time_format?: "seconds" | "duration" | "datetime";
  /** Order of a slashed date for `time_format = "datetime"`. @default {"ymd"} */
  date_order?: "ymd" | "mdy" | "dmy";
  /** Which direction positive current means in the file. @default {"positive_charge"} */
  current_sign?: "positive_charge" | "positive_discharge";
  /** The columns; `time`, `voltage` and `current` are required. */
  columns: Partial<Record<MappedQuantity, ColumnSpec>> & {
    time: ColumnSpec;
    voltage: ColumnSpec;
    current: ColumnSpec;
  };
}

const KEYS = new Set([
  "name",
  "delimiter",
  "decimal",
  "header_line",
  "time_format",
  "date_order",
  "current_sign",
  "columns",
]);

const CHOICES: Record<string, readonly unknown[]> = {
  delimiter: [",", ";", "\t", " "],
  decimal: [".", ","],
  time_format: ["seconds", "duration", "datetime"],
  date_order: ["ymd", "mdy", "dmy"],
  current_sign: ["positive_charge", "positive_discharge"],
};

/**
 * Check a parsed mapping (from TOML or JSON) and return it typed.
 *
 * @param value The parsed file.
 * @param where Name of the source, for messages. @default {"column mapping"}
 * @returns The mapping.
 * @throws {TypeError} For a missing or misspelled key, a value of the wrong type or a choice not
 *   offered; the message names the key.
 *
 * @example Usage
 * ```ts
 * import { checkColumnMapping } from "./column_mapping.ts";
 * import { equal, throws } from "node:assert/strict";
 *
 * const m = checkColumnMapping({ columns: { time: "t", voltage: "U", current: { name: "I", unit: "mA" } } });
 * equal(m.columns.voltage, "U");
 * throws(() => checkColumnMapping({ columns: { time: "t", voltage: "U" } }), /columns.current/);
 * ```
 */
export function checkColumnMapping(value: unknown, where = "column mapping"): ColumnMapping {
  const fail = (message: string): never => {
    throw new TypeError(`${where}: ${message}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("expected a table of keys (name, delimiter, …, columns)");
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!KEYS.has(key)) fail(`unknown key "${key}" (known: ${[...KEYS].join(", ")})`);
  }
  for (const [key, choices] of Object.entries(CHOICES)) {
    if (obj[key] !== undefined && !choices.includes(obj[key])) {
      fail(`${key} = ${JSON.stringify(obj[key])} is not one of ${JSON.stringify(choices)}`);
    }
  }
  if (obj.name !== undefined && typeof obj.name !== "string") fail("name must be text");
  if (
    obj.header_line !== undefined &&
    !(Number.isInteger(obj.header_line) && (obj.header_line as number) >= 1)
  ) {
    fail("header_line must be a whole number from 1");
  }
  if (obj.delimiter === "," && obj.decimal === ",") {
    fail('decimal = "," needs another delimiter than ","');
  }
  const columns = obj.columns;
  if (typeof columns !== "object" || columns === null || Array.isArray(columns)) {
    return fail("a [columns] table is required (time, voltage, current, …)");
  }
  const cols = columns as Record<string, unknown>;
  for (const [key, spec] of Object.entries(cols)) {
    if (!(MAPPED_QUANTITIES as readonly string[]).includes(key)) {
      fail(`unknown column "columns.${key}" (known: ${MAPPED_QUANTITIES.join(", ")})`);
    }
    const ok = (typeof spec === "string" && spec.trim() !== "") ||
      (typeof spec === "object" && spec !== null && !Array.isArray(spec) &&
        typeof (spec as { name?: unknown }).name === "string" &&
        ((spec as { unit?: unknown }).unit === undefined ||
          typeof (spec as { unit?: unknown }).unit === "string") &&
        Object.keys(spec).every((k) => k === "name" || k === "unit"));
    if (!ok) fail(`columns.${key} must be a column title or { name = "…", unit = "…" }`);
  }
  for (const required of ["time", "voltage", "current"]) {
    if (cols[required] === undefined) fail(`columns.${required} is required`);
  }
  if (cols.capacity !== undefined && (cols.charge_capacity ?? cols.discharge_capacity)) {
    fail("give either columns.capacity or columns.charge_capacity/discharge_capacity");
  }
  if (cols.energy !== undefined && (cols.charge_energy ?? cols.discharge_energy)) {
    fail("give either columns.energy or columns.charge_energy/discharge_energy");
  }
  return obj as unknown as ColumnMapping;
}
