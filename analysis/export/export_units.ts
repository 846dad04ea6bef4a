// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Units of exported tables, and their text form (`--units mA,mAh,mAh/g`). */

/**
 * Units of an export. Absolute quantities are converted and their column renamed
 * (`current_A` → `current_mA`, `discharge_capacity_Ah` → `discharge_capacity_mAh`,
 * `charge_energy_Wh` → `charge_energy_mWh`); `specific` and `areal` add columns beside the
 * capacities (and, with `areal`, beside the impedance).
 */
export interface ExportUnits {
  /** Unit of currents (columns ending in `_A`). @default {"A"} */
  current?: "A" | "mA";
  /** Unit of capacities (columns ending in `_Ah`). @default {"Ah"} */
  capacity?: "Ah" | "mAh";
  /** Unit of energies (columns ending in `_Wh`). @default {"Wh"} */
  energy?: "Wh" | "mWh";
  /**
   * Add specific capacities, mAh/g (`discharge_capacity_mAh_per_g`, ...): capacity ÷ active
   * mass, by `specificCapacity`. Needs the sample's active mass.
   * @default {false}
   */
  specific?: boolean;
  /**
   * Add areal capacities, mAh/cm² (`discharge_capacity_mAh_per_cm2`, ...) by `arealCapacity`,
   * and area-specific impedance, Ω·cm² (`z_real_ohm_cm2`, `z_imag_ohm_cm2`) by
   * `areaSpecificResistance`. Needs the sample's electrode area.
   * @default {false}
   */
  areal?: boolean;
}

/** The words of {@link parseExportUnits}, each with what it sets. */
const WORDS: Record<string, Partial<ExportUnits>> = {
  "A": { current: "A" },
  "mA": { current: "mA" },
  "Ah": { capacity: "Ah" },
  "mAh": { capacity: "mAh" },
  "Wh": { energy: "Wh" },
  "mWh": { energy: "mWh" },
  "mAh/g": { specific: true },
  "mAh/cm2": { areal: true },
  "mAh/cm²": { areal: true },
};

/**
 * Read units written as a comma-separated list of `A` or `mA`, `Ah` or `mAh`, `Wh` or `mWh`,
 * `mAh/g` (add specific capacities) and `mAh/cm2` (add areal capacities and Ω·cm² impedance),
 * as the `--units` flag and the dashboard's export form give them. Words not given keep their
 * default (A, Ah, Wh, no specific or areal columns).
 *
 * @param text The list (`"mA,mAh,mAh/g"`); empty text gives the defaults.
 * @returns The units.
 * @throws {RangeError} For an unknown word or two words that contradict each other.
 *
 * @example
 * ```ts
 * import { parseExportUnits } from "./export_units.ts";
 * import { deepEqual, throws } from "node:assert/strict";
 *
 * deepEqual(parseExportUnits("mA, mAh, mAh/g"), { current: "mA", capacity: "mAh", specific: true });
 * throws(() => parseExportUnits("A,mA"), /both A and mA/);
 * throws(() => parseExportUnits("kAh"), /unknown unit "kAh"/);
 * ```
 */
export function parseExportUnits(text: string): ExportUnits {
  const units: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const raw of text.split(",")) {
    const word = raw.trim();
    if (word === "") continue;
    const set = WORDS[word];
    if (!set) {
      throw new RangeError(
        `Cannot read the units "${text}": unknown unit "${word}"; use ${
          Object.keys(WORDS).filter((w) => w !== "mAh/cm²").join(", ")
        }`,
      );
    }
    for (const [key, value] of Object.entries(set)) {
      if (key in units && units[key] !== value) {
        throw new RangeError(`Cannot read the units "${text}": both ${from[key]} and ${word}`);
      }
      units[key] = value;
      from[key] = word;
    }
  }
  return units as ExportUnits;
}
