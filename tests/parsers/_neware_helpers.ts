// Copyright 2026 the battery-analysis authors. MIT license.
// Helpers shared by the Neware and Arbin binary parser tests.

import { fail } from "node:assert/strict";
import { ParseError } from "../../parsers/parse_error.ts";
import { mulberry32 } from "../../analysis/_random.ts";

/**
 * The reference tables store float32: accept `actual` when it is within one float32 step
 * (relative 2^-23, plus a tiny absolute floor for values near zero) of `expected`.
 */
export function assertF32(actual: number, expected: number, message: string): void {
  const tolerance = Math.max(1e-12, Math.abs(expected) * 2 ** -23);
  if (!(Math.abs(Math.fround(actual) - expected) <= tolerance)) {
    fail(`${message}: expected ${expected} (float32), got ${actual}`);
  }
}

/** Deterministic pseudo-random numbers (mulberry32) for the corruption tests. */
export const prng: (seed: number) => () => number = mulberry32;

/** Run `parse`; it must succeed or throw a {@link ParseError} naming `file` (nothing else). */
export function parsesOrParseError(parse: () => unknown, file: string, what: string): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (!(error instanceof ParseError)) {
      fail(`${what}: expected a ParseError, got ${(error as Error)?.name}: ${error}`);
    }
    if (!error.message.includes(file)) fail(`${what}: message does not name the file`);
    return false;
  }
}

/**
 * The cycle number NewareNDA derives by default for .nda files ("software cycle number", mode
 * "chg"): a new cycle starts at a charge step (CC_Chg, CCCV_Chg, CP_Chg) that follows a
 * discharge. Restated from NewareNDA's documentation and behaviour so that the reference
 * tables' `Cycle` column can be checked from the step states the parser reports.
 */
export function chargeFirstCycles(states: string[]): number[] {
  const charge = new Set(["CCCV_Chg", "CC_Chg", "CP_Chg"]);
  const out: number[] = [];
  let cycle = 1;
  let discharged = false;
  states.forEach((state, k) => {
    const starts = charge.has(state) && (k === 0 || !charge.has(states[k - 1]));
    const sep = state.indexOf("_");
    if (sep < 0) {
      if (state === "SIM") discharged = true;
    } else if (starts && discharged) {
      cycle++;
      discharged = false;
    } else if (state.slice(sep + 1) === "DChg") {
      discharged = true;
    }
    out.push(cycle);
  });
  return out;
}
