// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Unit conversion and normalized columns of exported tables (private). */

import { areaSpecificResistance } from "../area_specific_resistance.ts";
import { arealCapacity } from "../areal_capacity.ts";
import { specificCapacity } from "../specific_capacity.ts";
import type { ExportColumn, ExportTableOptions } from "./export_table.ts";

/** Units resolved, with the sample properties they need. */
export interface ResolvedUnits {
  current: "A" | "mA";
  capacity: "Ah" | "mAh";
  energy: "Wh" | "mWh";
  specific: boolean;
  areal: boolean;
  /** Active mass, g (when `specific`). */
  active_mass_g: number | null;
  /** Electrode area, cm² (when `areal`). */
  area_cm2: number | null;
}

const positive = (x: unknown): x is number => typeof x === "number" && x > 0 && x < Infinity;

/**
 * Fill in the defaults and check that the sample has what the units need.
 *
 * @throws {TypeError} For a unit that is not one of the choices.
 * @throws {RangeError} For specific (areal) values without a positive active mass (area).
 */
export function resolveUnits(options: ExportTableOptions, what: string): ResolvedUnits {
  const u = options.units ?? {};
  const pick = <T extends string>(name: string, value: T | undefined, choices: T[]): T => {
    if (value === undefined) return choices[0];
    if (!choices.includes(value)) {
      throw new TypeError(
        `Cannot export ${what}: units.${name} must be ${choices.join(" or ")}, got ${value}`,
      );
    }
    return value;
  };
  const sample = options.sample ?? {};
  const mass = sample.active_mass_g ?? sample.mass_g ?? null;
  const area = sample.area_cm2 ?? null;
  const resolved: ResolvedUnits = {
    current: pick("current", u.current, ["A", "mA"]),
    capacity: pick("capacity", u.capacity, ["Ah", "mAh"]),
    energy: pick("energy", u.energy, ["Wh", "mWh"]),
    specific: u.specific === true,
    areal: u.areal === true,
    active_mass_g: positive(mass) ? mass : null,
    area_cm2: positive(area) ? area : null,
  };
  if (resolved.specific && resolved.active_mass_g === null) {
    throw new RangeError(
      `Cannot export ${what} in mAh/g: the sample's active mass (active_mass_g) is ${
        mass === null ? "not known" : `not a positive number (${mass})`
      }`,
    );
  }
  if (resolved.areal && resolved.area_cm2 === null) {
    throw new RangeError(
      `Cannot export ${what} per area: the sample's electrode area (area_cm2) is ${
        area === null ? "not known" : `not a positive number (${area})`
      }`,
    );
  }
  return resolved;
}

/** The units and sample properties as the table metadata records them. */
export function unitsMetadata(r: ResolvedUnits): Record<string, unknown> {
  return {
    units: {
      current: r.current,
      capacity: r.capacity,
      energy: r.energy,
      specific_capacity: r.specific ? "mAh/g" : null,
      areal: r.areal ? "mAh/cm2, ohm*cm2" : null,
    },
    sample: { active_mass_g: r.active_mass_g, area_cm2: r.area_cm2 },
  };
}

function scaled(values: ArrayLike<number>, factor: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * factor;
  return out;
}

/**
 * Apply the units to columns in base units: `_A`, `_Ah` and `_Wh` columns converted and renamed;
 * after each capacity named in `capacities`, its specific and areal columns; after each
 * impedance named in `impedances`, its Ω·cm² column.
 */
export function applyUnits(
  columns: ExportColumn[],
  r: ResolvedUnits,
  named: { capacities?: readonly string[]; impedances?: readonly string[] } = {},
): ExportColumn[] {
  const out: ExportColumn[] = [];
  for (const c of columns) {
    if (c.type !== "float64") {
      out.push(c);
      continue;
    }
    const m = /_(A|Ah|Wh)$/.exec(c.name);
    const unit = m?.[1];
    const target = unit === "A"
      ? r.current
      : unit === "Ah"
      ? r.capacity
      : unit === "Wh"
      ? r.energy
      : null;
    if (target !== null && target !== unit) {
      out.push({
        name: `${c.name.slice(0, -unit!.length)}${target}`,
        type: "float64",
        values: scaled(c.values, 1000),
      });
    } else out.push(c);
    if (named.capacities?.includes(c.name)) {
      const stem = c.name.slice(0, -"_Ah".length);
      if (r.specific) {
        out.push({
          name: `${stem}_mAh_per_g`,
          type: "float64",
          values: specificCapacity(c.values, { mass_g: r.active_mass_g }),
        });
      }
      if (r.areal) {
        out.push({
          name: `${stem}_mAh_per_cm2`,
          type: "float64",
          values: arealCapacity(c.values, { area_cm2: r.area_cm2 }),
        });
      }
    }
    if (r.areal && named.impedances?.includes(c.name)) {
      out.push({
        name: `${c.name}_cm2`,
        type: "float64",
        values: areaSpecificResistance(c.values, { area_cm2: r.area_cm2 }),
      });
    }
  }
  return out;
}
