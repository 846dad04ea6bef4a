// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { ParseError } from "../../parsers/parse_error.ts";
import { CHEN2020 } from "./chen2020.ts";
import { MARQUIS2019 } from "./marquis2019.ts";
import { checkParameterSet, type ParameterSet, ParameterSetError } from "./parameter_set.ts";

/** The built-in parameter sets by name. */
export const BUILTIN_PARAMETER_SETS: Readonly<Record<string, ParameterSet>> = {
  Chen2020: CHEN2020,
  Marquis2019: MARQUIS2019,
};

/**
 * A parameter set by built-in name (case-insensitive) or as an object (validated).
 *
 * @param value A name (`"Chen2020"`, `"Marquis2019"`) or a parameter set.
 * @returns The parameter set.
 * @throws {RangeError} For an unknown name; {ParameterSetError} for an invalid object.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { resolveParameterSet } from "./load_parameter_set.ts";
 * equal(resolveParameterSet("marquis2019").name, "Marquis2019");
 * ```
 */
export function resolveParameterSet(value: ParameterSet | string): ParameterSet {
  if (typeof value === "string") {
    const key = Object.keys(BUILTIN_PARAMETER_SETS).find((k) =>
      k.toLowerCase() === value.toLowerCase()
    );
    if (!key) {
      throw new RangeError(
        `Unknown parameter set "${value}": use ${Object.keys(BUILTIN_PARAMETER_SETS).join(", ")} ` +
          "or a JSON file",
      );
    }
    return BUILTIN_PARAMETER_SETS[key];
  }
  return checkParameterSet(value);
}

/**
 * Read a parameter set from JSON text (the shape of `ParameterSet`; material functions as
 * numbers, expression strings or `{x, y}` tables).
 *
 * @param text The JSON.
 * @param fileName Name for messages. @default {"parameters.json"}
 * @returns The validated parameter set.
 * @throws {ParseError} Naming the file and the bad entry (or the JSON position).
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { CHEN2020, loadParameterSet } from "./mod.ts";
 * equal(loadParameterSet(JSON.stringify({ ...CHEN2020, name: "Mine" })).name, "Mine");
 * throws(() => loadParameterSet("{", "x.json"), /Cannot parse "x.json"/);
 * ```
 */
export function loadParameterSet(text: string, fileName = "parameters.json"): ParameterSet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ParseError(fileName, `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    return checkParameterSet(value);
  } catch (error) {
    if (error instanceof ParameterSetError) {
      throw new ParseError(fileName, error.message, { cause: error });
    }
    throw error;
  }
}
