// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The unit knowledge of the column-table readers: factors from the units instruments write to
 * the normalized units of the model (s, V, A, Ah, Wh, Ω, V/s, W, °C).
 *
 * @module
 */

/** A physical quantity of a column. */
export type Quantity =
  | "time"
  | "voltage"
  | "current"
  | "capacity"
  | "energy"
  | "resistance"
  | "rate"
  | "power"
  | "temperature";

/**
 * Factor to the normalized unit by quantity and lower-case unit (`UNITS.current.ma` = 1e-3);
 * `""` (no unit written) is taken as the normalized unit.
 */
export const UNITS: Readonly<Record<Quantity, Readonly<Record<string, number>>>> = {
  time: { "": 1, s: 1, sec: 1, ms: 1e-3, min: 60, h: 3600, hr: 3600 },
  voltage: { "": 1, v: 1, mv: 1e-3, uv: 1e-6, "µv": 1e-6, "μv": 1e-6 },
  current: { "": 1, a: 1, ma: 1e-3, ua: 1e-6, "µa": 1e-6, "μa": 1e-6, na: 1e-9 },
  capacity: { "": 1, ah: 1, mah: 1e-3, uah: 1e-6, "µah": 1e-6, "μah": 1e-6 },
  energy: { "": 1, wh: 1, mwh: 1e-3, kwh: 1e3 },
  resistance: { "": 1, ohm: 1, ohms: 1, "ω": 1, mohm: 1e-3, "mω": 1e-3 },
  rate: { "": 1, "v/s": 1, "mv/s": 1e-3 },
  power: { "": 1, w: 1, mw: 1e-3, kw: 1e3 },
  temperature: { "": 1, c: 1, "°c": 1, degc: 1, "deg c": 1, "℃": 1 },
};

/** The normalized unit of each quantity, for messages. */
export const SI_UNIT: Readonly<Record<Quantity, string>> = {
  time: "s",
  voltage: "V",
  current: "A",
  capacity: "Ah",
  energy: "Wh",
  resistance: "ohm",
  rate: "V/s",
  power: "W",
  temperature: "°C",
};

/**
 * Factor of `unit` (any case; `""` is the normalized unit) for a quantity, or `undefined` when
 * the unit is not one of {@link UNITS}.
 */
export function unitFactor(quantity: Quantity, unit: string): number | undefined {
  const table = UNITS[quantity], key = unit.toLowerCase();
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const PREFIX: Readonly<Record<string, number>> = {
  "": 1,
  m: 1e-3,
  "µ": 1e-6,
  "μ": 1e-6,
  u: 1e-6,
  k: 1e3,
  n: 1e-9,
};

/**
 * Factor of a unit written as an SI prefix and a given base, case as written (`"mA"` → 1e-3
 * for base `"A"`, `"kWh"` → 1e3 for `"Wh"`), or `undefined` for any other unit.
 */
export function prefixScale(unit: string, base: string): number | undefined {
  const u = unit.trim(), prefix = u.slice(0, u.length - base.length);
  return u.endsWith(base) && Object.hasOwn(PREFIX, prefix) ? PREFIX[prefix] : undefined;
}
