// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { compileCell } from "./_cell.ts";
import {
  type ElectrodeSoh,
  electrodeSohCompiled,
  type InitialState,
  initialStateCompiled,
} from "./_electrode_soh.ts";

export type { ElectrodeSoh, InitialState } from "./_electrode_soh.ts";
import type { ParameterSet } from "./parameter_set.ts";

/**
 * The electrode state-of-health solve PyBaMM uses for "100 % SOC"
 * (`ParameterValues.set_initial_state`): keep the cyclable lithium of the set's initial
 * concentrations and find the stoichiometries at which the open-circuit voltage (at the
 * reference temperature) equals the set's OCV at 100 % SOC and at 0 % SOC.
 *
 * @param set The parameter set.
 * @returns The stoichiometry window and capacities.
 * @throws {RangeError} When the OCV cannot reach those voltages.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CHEN2020, electrodeSoh } from "./mod.ts";
 * const soh = electrodeSoh(CHEN2020);
 * // PyBaMM 26.10: x_100 = 0.9106180, y_100 = 0.2638452 (../shared/spec/physics_models.md)
 * ok(Math.abs(soh.x_100 - 0.9106180) < 1e-6 && Math.abs(soh.y_100 - 0.2638452) < 1e-6);
 * ```
 */
export function electrodeSoh(set: ParameterSet): ElectrodeSoh {
  return electrodeSohCompiled(compileCell(set));
}

/**
 * The electrode stoichiometries at a state of charge, PyBaMM's way: linear between the
 * electrode-SOH stoichiometries at 0 % and 100 % SOC, or found from an open-circuit voltage.
 *
 * @param set The parameter set.
 * @param soc A fraction 0–1, or a voltage like `"3.8 V"`.
 * @returns Stoichiometries and the open-circuit voltage.
 * @throws {RangeError} For a fraction outside 0–1 or a voltage outside the OCV window.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CHEN2020, initialState } from "./mod.ts";
 * ok(Math.abs(initialState(CHEN2020, 1).ocv_V - 4.2) < 1e-9);
 * ```
 */
export function initialState(set: ParameterSet, soc: number | string): InitialState {
  const cell = compileCell(set);
  return initialStateCompiled(cell, electrodeSohCompiled(cell), soc);
}

/**
 * An initial state written as text (a `--soc` flag, a form field): a fraction `0.8`, a
 * percentage `80%`, or an open-circuit voltage `3.9 V` (returned as text, for
 * {@link initialState} and `simulate`'s `initialSoc`).
 *
 * @param text The text.
 * @returns The fraction 0–1, or the voltage text.
 * @throws {RangeError} For anything else, or a fraction outside 0–1.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { parseInitialSoc } from "./electrode_soh.ts";
 * equal(parseInitialSoc("80%"), 0.8);
 * equal(parseInitialSoc("3.9 V"), "3.9 V");
 * throws(() => parseInitialSoc("120%"), /0–1, a percentage or a voltage/);
 * ```
 */
export function parseInitialSoc(text: string): number | string {
  const t = text.trim();
  if (/^[0-9.]+\s*v$/i.test(t)) return t;
  const percent = /^([0-9.]+)\s*%$/.exec(t);
  const x = percent ? Number(percent[1]) / 100 : t === "" ? NaN : Number(t);
  if (!(x >= 0 && x <= 1)) {
    throw new RangeError(
      `The initial state must be a fraction 0–1, a percentage or a voltage like "3.9 V", got "${text}"`,
    );
  }
  return x;
}
