// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { SampleInfo } from "../lib/model/sample_info.ts";

/** Kind of value a sample property holds. */
export type SamplePropertyKind = "text" | "capacity" | "mass" | "area" | "length";

/** One sample property a sheet column, a file-name group or a flag can set. */
export interface SamplePropertySpec {
  /** Field of {@link SampleInfo} it sets. */
  field: keyof SampleInfo;
  /** Kind of value. */
  kind: SamplePropertyKind;
  /** Unit of the stored value (`null` for text). */
  unit: string | null;
  /** Accepted names, normalized (lower case, `_` between words, no unit). */
  aliases: readonly string[];
  /** One line for people. */
  description: string;
}

/**
 * The sample properties, with the names a sheet column (or a file-name rule group) may use. A
 * quantity needs a unit: in the name (`nominal_capacity_mAh`, `Capacity (mAh)`, `Area [cm²]`) or
 * with the value (`1.5 mAh`); a bare number with neither is refused, never assumed.
 *
 * @example Usage
 * ```ts
 * import { SAMPLE_PROPERTIES } from "./sample_property.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(SAMPLE_PROPERTIES.find((p) => p.field === "active_mass_g")?.unit, "g");
 * ```
 */
export const SAMPLE_PROPERTIES: readonly SamplePropertySpec[] = [
  {
    field: "cell_code",
    kind: "text",
    unit: null,
    aliases: ["cell_code", "code"],
    description: "cell code (CN123); tests of the sample get it",
  },
  {
    field: "chemistry",
    kind: "text",
    unit: null,
    aliases: ["chemistry", "cell_chemistry", "material", "composition"],
    description: "chemistry, free text (NMC811/Graphite)",
  },
  {
    field: "form_factor",
    kind: "text",
    unit: null,
    aliases: ["form_factor", "form", "format", "type", "cell_type"],
    description: "form factor (2032, pouch, 18650)",
  },
  {
    field: "manufacturer",
    kind: "text",
    unit: null,
    aliases: ["manufacturer", "vendor", "source", "company", "provider"],
    description: "maker",
  },
  {
    field: "description",
    kind: "text",
    unit: null,
    aliases: ["description", "notes", "comment", "comments"],
    description: "free description",
  },
  {
    field: "nominal_capacity_Ah",
    kind: "capacity",
    unit: "Ah",
    aliases: ["nominal_capacity", "capacity", "rated_capacity"],
    description: "nominal (rated) capacity (Ah, mAh, µAh)",
  },
  {
    field: "active_mass_g",
    kind: "mass",
    unit: "g",
    aliases: [
      "active_mass",
      "active_material_mass",
      "mass_of_active_material",
      "characteristic_mass",
    ],
    description: "mass of active material, for specific capacity (g, mg, µg)",
  },
  {
    field: "mass_g",
    kind: "mass",
    unit: "g",
    aliases: ["mass", "cell_mass", "total_mass", "weight"],
    description: "mass of the whole sample or cell (g, mg, kg)",
  },
  {
    field: "area_cm2",
    kind: "area",
    unit: "cm2",
    aliases: ["area", "electrode_area", "active_area", "surface_area"],
    description: "electrode area, for areal capacity and ASR (cm2, mm2)",
  },
  {
    field: "thickness_cm",
    kind: "length",
    unit: "cm",
    aliases: [
      "thickness",
      "electrode_thickness",
      "electrolyte_thickness",
      "separator_thickness",
    ],
    description: "thickness, for ionic conductivity (cm, mm, µm)",
  },
];

/** Factor to the stored unit, by kind and normalized unit. */
const UNIT_FACTORS: Readonly<Record<Exclude<SamplePropertyKind, "text">, Record<string, number>>> =
  {
    capacity: { ah: 1, mah: 1e-3, uah: 1e-6 },
    mass: { kg: 1e3, g: 1, mg: 1e-3, ug: 1e-6 },
    area: { m2: 1e4, cm2: 1, mm2: 1e-2 },
    length: { m: 100, cm: 1, mm: 0.1, um: 1e-4, nm: 1e-7 },
  };

/** A unit to suggest in messages, by kind. */
const EXAMPLE_UNIT: Readonly<Record<Exclude<SamplePropertyKind, "text">, string>> = {
  capacity: "mAh",
  mass: "mg",
  area: "cm2",
  length: "um",
};

/** Normalized unit text: lower case, `µ`/`μ` → `u`, `²`/`^2` → `2`, no spaces. */
function normalizeUnit(unit: string): string {
  return unit.trim().toLowerCase().replace(/[µμ]/g, "u").replace(/²|\^2/g, "2").replace(/\s+/g, "");
}

/** Normalized name: lower case, words joined by `_`. */
function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** What a column (or group, or flag) name refers to. */
export interface SamplePropertyColumn {
  /** The property. */
  spec: SamplePropertySpec;
  /** Unit given in the name (normalized, `"mah"`), or `null`. */
  unit: string | null;
}

/**
 * The property a column name refers to (`"Capacity (mAh)"`, `"nominal_capacity_Ah"`,
 * `"Active mass [mg]"`, `"area_cm2"`, `"Chemistry"`), or `null` when it names none.
 *
 * @param name Column header, file-name rule group or flag name.
 * @returns The property and the unit the name carries.
 * @throws {RangeError} When the name carries a unit that does not fit the property.
 *
 * @example Usage
 * ```ts
 * import { samplePropertyColumn } from "./sample_property.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(samplePropertyColumn("Capacity (mAh)")?.spec.field, "nominal_capacity_Ah");
 * equal(samplePropertyColumn("Capacity (mAh)")?.unit, "mah");
 * equal(samplePropertyColumn("thickness_um")?.unit, "um");
 * equal(samplePropertyColumn("Operator"), null);
 * ```
 */
export function samplePropertyColumn(name: string): SamplePropertyColumn | null {
  let base = name;
  let unit: string | null = null;
  const bracket = /^(.*?)\s*[([]([^)\]]*)[)\]]\s*$/.exec(name);
  if (bracket) {
    base = bracket[1];
    unit = normalizeUnit(bracket[2]);
  }
  const normalized = normalizeName(base);
  const exact = SAMPLE_PROPERTIES.find((p) => p.aliases.includes(normalized));
  if (exact) return { spec: exact, unit: checkUnit(exact, unit, name) };
  if (unit !== null) return null;
  // A unit as the last word: `nominal_capacity_mAh`, `thickness_um`, `area cm²`.
  const raw = base.trim().replace(/²/g, "2");
  const last = /^(.*?)[\s_-]+([A-Za-zµμ]+2?)$/.exec(raw);
  if (!last) return null;
  const spec = SAMPLE_PROPERTIES.find((p) => p.aliases.includes(normalizeName(last[1])));
  if (!spec || spec.kind === "text") return null;
  return { spec, unit: checkUnit(spec, normalizeUnit(last[2]), name) };
}

function checkUnit(spec: SamplePropertySpec, unit: string | null, name: string): string | null {
  if (unit === null || unit === "") return null;
  if (spec.kind === "text") {
    throw new RangeError(`"${name}": ${spec.field} is text and takes no unit`);
  }
  if (!Object.hasOwn(UNIT_FACTORS[spec.kind], unit)) {
    throw new RangeError(
      `"${name}": "${unit}" is not a unit of ${spec.field} (use ${
        Object.keys(UNIT_FACTORS[spec.kind]).join(", ")
      })`,
    );
  }
  return unit;
}

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-zµμ²^]*2?)$/;

/**
 * One sample property from a column name and a value: text is trimmed (empty gives `null`);
 * a quantity is converted to the stored unit from the unit in the value (`"1.5 mAh"`) or, for a
 * bare number, in the name (`"Capacity (mAh)"`), and must be positive.
 *
 * @param name Column header, file-name rule group or flag name (see {@link samplePropertyColumn}).
 * @param value The cell text or number (an empty cell gives `null`).
 * @returns The field and its value in the stored unit.
 * @throws {RangeError} For a name that is no property, a quantity without a unit, an unknown
 *   unit, or a value that is not a positive number.
 *
 * @example Usage
 * ```ts
 * import { parseSampleProperty } from "./sample_property.ts";
 * import { deepEqual, throws } from "node:assert/strict";
 *
 * deepEqual(parseSampleProperty("Capacity (mAh)", 1.5), { field: "nominal_capacity_Ah", value: 0.0015 });
 * deepEqual(parseSampleProperty("thickness", "50 µm"), { field: "thickness_cm", value: 0.005 });
 * deepEqual(parseSampleProperty("Chemistry", " LFP "), { field: "chemistry", value: "LFP" });
 * throws(() => parseSampleProperty("capacity", "1.5"), /no unit/);
 * ```
 */
export function parseSampleProperty(
  name: string,
  value: string | number | null,
): { field: keyof SampleInfo; value: string | number | null } {
  const column = samplePropertyColumn(name);
  if (!column) {
    throw new RangeError(
      `"${name}" is not a sample property (use ${
        SAMPLE_PROPERTIES.map((p) => p.aliases[0]).join(", ")
      })`,
    );
  }
  const { spec } = column;
  const text = typeof value === "string" ? value.trim() : value;
  if (text === null || text === "") return { field: spec.field, value: null };
  if (spec.kind === "text") return { field: spec.field, value: String(text) };
  let amount: number;
  let unit = column.unit;
  if (typeof text === "number") amount = text;
  else {
    const m = QUANTITY.exec(text);
    if (!m) {
      throw new RangeError(`${spec.field}: "${text}" is not a number with an optional unit`);
    }
    amount = Number(m[1]);
    if (m[2] !== "") unit = checkUnit(spec, normalizeUnit(m[2]), `${name} = ${text}`);
  }
  if (unit === null) {
    throw new RangeError(
      `${spec.field}: ${text} has no unit; write it with the value ("${text} ${
        EXAMPLE_UNIT[spec.kind]
      }") or in the name ("${spec.aliases[0]} (${spec.unit})")`,
    );
  }
  if (!Number.isFinite(amount) || amount <= 0) {
    throw new RangeError(`${spec.field}: ${text} is not a positive number`);
  }
  const factor = UNIT_FACTORS[spec.kind][unit];
  // Round away the binary noise of the conversion (1.5 × 1e-3 → 0.0015, not 0.0015000000000000002).
  return { field: spec.field, value: Number((amount * factor).toPrecision(15)) };
}
