// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Parameter sets of the cell models: plain JSON-able objects (numbers, expression strings and
 * tables), validated on load. The built-in sets are `Chen2020` and `Marquis2019`
 * (`builtin_sets.ts`); a lab's own set is a JSON file of the same shape.
 *
 * @module
 */

import { compileExpression } from "./_expression.ts";

/**
 * A material property: a constant, an expression string in the property's variables (see each
 * field; `R`, `F` and `pi` are always available), or a table `{ x, y }` interpolated linearly in
 * the property's first variable (and continued linearly outside the table, as PyBaMM's linear
 * interpolants do).
 */
export type MaterialFunction = number | string | MaterialTable;

/** A tabulated material property (`x` strictly increasing, at least two points). */
export interface MaterialTable {
  /** Values of the property's first variable (stoichiometry, or concentration in mol/m³). */
  x: number[];
  /** Property values at `x`. */
  y: number[];
}

/** Parameters of one porous electrode and its current collector. */
export interface ElectrodeParameters {
  /** Electrode thickness, m. */
  thickness_m: number;
  /** Electrolyte volume fraction (porosity). */
  porosity: number;
  /** Active material volume fraction ε_s. */
  active_material_volume_fraction: number;
  /** Particle radius, m. */
  particle_radius_m: number;
  /** Maximum lithium concentration in the particles, mol/m³. */
  maximum_concentration_mol_m3: number;
  /** Lithium concentration in the particles in the set's own initial state, mol/m³. */
  initial_concentration_mol_m3: number;
  /** Solid-phase electronic conductivity, S/m. */
  conductivity_S_m: number;
  /** Bruggeman exponent of the electrolyte (ε^b). */
  bruggeman_electrolyte: number;
  /** Bruggeman exponent of the solid ((1 − ε)^b). */
  bruggeman_electrode: number;
  /** Butler–Volmer charge-transfer coefficient (only the symmetric 0.5 is modelled). */
  charge_transfer_coefficient: number;
  /** Open-circuit potential U(sto), V. Variable: `sto`. */
  ocp_V: MaterialFunction;
  /** Entropic change dU/dT(sto), V/K. Variables: `sto`, `c_s_max`. */
  entropic_change_V_K: MaterialFunction;
  /** Particle diffusivity, m²/s. Variables: `sto`, `T`. */
  diffusivity_m2_s: MaterialFunction;
  /**
   * Exchange-current density j0, A/m². Variables: `c_e` (mol/m³), `c_s_surf` (mol/m³),
   * `c_s_max` (mol/m³), `T` (K).
   */
  exchange_current_density_A_m2: MaterialFunction;
  /** Electrode density, kg/m³. */
  density_kg_m3: number;
  /** Electrode specific heat capacity, J/(kg K). */
  specific_heat_J_kgK: number;
  /** Electrode thermal conductivity, W/(m K). */
  thermal_conductivity_W_mK: number;
  /** Current collector thickness, m. */
  current_collector_thickness_m: number;
  /** Current collector electronic conductivity, S/m. */
  current_collector_conductivity_S_m: number;
  /** Current collector density, kg/m³. */
  current_collector_density_kg_m3: number;
  /** Current collector specific heat capacity, J/(kg K). */
  current_collector_specific_heat_J_kgK: number;
  /** Current collector thermal conductivity, W/(m K). */
  current_collector_thermal_conductivity_W_mK: number;
}

/** Separator parameters. */
export interface SeparatorParameters {
  /** Thickness, m. */
  thickness_m: number;
  /** Porosity. */
  porosity: number;
  /** Bruggeman exponent of the electrolyte. */
  bruggeman_electrolyte: number;
  /** Density, kg/m³. */
  density_kg_m3: number;
  /** Specific heat capacity, J/(kg K). */
  specific_heat_J_kgK: number;
  /** Thermal conductivity, W/(m K). */
  thermal_conductivity_W_mK: number;
}

/** Electrolyte parameters. */
export interface ElectrolyteParameters {
  /** Initial (and average) salt concentration, mol/m³. */
  initial_concentration_mol_m3: number;
  /** Cation transference number t⁺ (constant). */
  cation_transference_number: number;
  /** Thermodynamic factor (constant). */
  thermodynamic_factor: number;
  /** Salt diffusivity, m²/s. Variables: `c_e` (mol/m³), `T` (K). */
  diffusivity_m2_s: MaterialFunction;
  /** Ionic conductivity, S/m. Variables: `c_e` (mol/m³), `T` (K). */
  conductivity_S_m: MaterialFunction;
}

/** Cell-level parameters. */
export interface CellParameters {
  /** Electrode height, m (the electrode area is height × width). */
  electrode_height_m: number;
  /** Electrode width, m. */
  electrode_width_m: number;
  /** Electrodes connected in parallel to make the cell. */
  electrodes_in_parallel: number;
  /** Nominal capacity, A h (defines 1C). */
  nominal_capacity_Ah: number;
  /** Lower voltage cut-off, V (a global stop for every step). */
  lower_voltage_cutoff_V: number;
  /** Upper voltage cut-off, V (a global stop for every step). */
  upper_voltage_cutoff_V: number;
  /** Open-circuit voltage at 0 % SOC, V (the electrode-SOH definition of empty). */
  ocv_at_0_soc_V: number;
  /** Open-circuit voltage at 100 % SOC, V (the electrode-SOH definition of full). */
  ocv_at_100_soc_V: number;
  /** Contact resistance, Ω (0 = none). */
  contact_resistance_ohm: number;
  /** Cooling surface area of the cell, m². */
  cooling_area_m2: number;
  /** Cell volume, m³. */
  volume_m3: number;
  /** Total heat transfer coefficient of the cooled surface, W/(m² K). */
  heat_transfer_coefficient_W_m2K: number;
}

/** Temperatures. */
export interface TemperatureParameters {
  /** Reference temperature of the Arrhenius terms and entropic OCP shift, K. */
  reference_K: number;
  /** Ambient temperature, K (and the cell temperature of isothermal runs). */
  ambient_K: number;
  /** Initial cell temperature, K. */
  initial_K: number;
}

/**
 * Solvent-diffusion-limited SEI growth (PyBaMM "solvent-diffusion limited", Marquis thesis
 * eq. 5.91). The built-in sets carry PyBaMM's example values, which their authors say "do not
 * claim to be representative of the true parameter values".
 */
export interface SeiParameters {
  /** Moles of lithium consumed per mole of SEI formed. */
  lithium_to_sei_mole_ratio: number;
  /** Partial molar volume of SEI, m³/mol. */
  partial_molar_volume_m3_mol: number;
  /** Ionic resistivity of the SEI film, Ω m. */
  resistivity_ohm_m: number;
  /** Solvent diffusivity in the SEI, m²/s. */
  solvent_diffusivity_m2_s: number;
  /** Bulk solvent concentration, mol/m³. */
  bulk_solvent_concentration_mol_m3: number;
  /** Initial SEI thickness, m. */
  initial_thickness_m: number;
}

/** A complete parameter set: plain JSON. */
export interface ParameterSet {
  /** Name, for example `"Chen2020"`. */
  name: string;
  /** What cell it describes. */
  description: string;
  /** Sources of the values. */
  references: string[];
  /** Cell-level parameters. */
  cell: CellParameters;
  /** Negative electrode. */
  negative: ElectrodeParameters;
  /** Separator. */
  separator: SeparatorParameters;
  /** Positive electrode. */
  positive: ElectrodeParameters;
  /** Electrolyte. */
  electrolyte: ElectrolyteParameters;
  /** Temperatures. */
  temperature: TemperatureParameters;
  /** SEI growth (needed only for SEI simulations). */
  sei?: SeiParameters;
}

/** Variables of each material function, in the order the compiled function takes them. */
export const FUNCTION_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  ocp_V: ["sto"],
  entropic_change_V_K: ["sto", "c_s_max"],
  diffusivity_m2_s: ["sto", "T"],
  exchange_current_density_A_m2: ["c_e", "c_s_surf", "c_s_max", "T"],
  electrolyte_diffusivity_m2_s: ["c_e", "T"],
  electrolyte_conductivity_S_m: ["c_e", "T"],
};

const ELECTRODE_NUMBERS = [
  "thickness_m",
  "porosity",
  "active_material_volume_fraction",
  "particle_radius_m",
  "maximum_concentration_mol_m3",
  "initial_concentration_mol_m3",
  "conductivity_S_m",
  "bruggeman_electrolyte",
  "bruggeman_electrode",
  "charge_transfer_coefficient",
  "density_kg_m3",
  "specific_heat_J_kgK",
  "thermal_conductivity_W_mK",
  "current_collector_thickness_m",
  "current_collector_conductivity_S_m",
  "current_collector_density_kg_m3",
  "current_collector_specific_heat_J_kgK",
  "current_collector_thermal_conductivity_W_mK",
] as const;
const ELECTRODE_FUNCTIONS = [
  "ocp_V",
  "entropic_change_V_K",
  "diffusivity_m2_s",
  "exchange_current_density_A_m2",
] as const;
const SEPARATOR_NUMBERS = [
  "thickness_m",
  "porosity",
  "bruggeman_electrolyte",
  "density_kg_m3",
  "specific_heat_J_kgK",
  "thermal_conductivity_W_mK",
] as const;
const CELL_NUMBERS = [
  "electrode_height_m",
  "electrode_width_m",
  "electrodes_in_parallel",
  "nominal_capacity_Ah",
  "lower_voltage_cutoff_V",
  "upper_voltage_cutoff_V",
  "ocv_at_0_soc_V",
  "ocv_at_100_soc_V",
  "contact_resistance_ohm",
  "cooling_area_m2",
  "volume_m3",
  "heat_transfer_coefficient_W_m2K",
] as const;
const SEI_NUMBERS = [
  "lithium_to_sei_mole_ratio",
  "partial_molar_volume_m3_mol",
  "resistivity_ohm_m",
  "solvent_diffusivity_m2_s",
  "bulk_solvent_concentration_mol_m3",
  "initial_thickness_m",
] as const;

/** Quantities that must be strictly positive. */
const POSITIVE = new Set([
  "thickness_m",
  "particle_radius_m",
  "maximum_concentration_mol_m3",
  "electrode_height_m",
  "electrode_width_m",
  "electrodes_in_parallel",
  "nominal_capacity_Ah",
  "initial_concentration_mol_m3",
  "volume_m3",
  "reference_K",
  "ambient_K",
  "initial_K",
  "partial_molar_volume_m3_mol",
  "initial_thickness_m",
  "lithium_to_sei_mole_ratio",
]);

/**
 * Where a problem with a parameter set is and what it is.
 *
 * @example
 * ```ts
 * import { ParameterSetError } from "./parameter_set.ts";
 * import { equal } from "node:assert/strict";
 *
 * const error = new ParameterSetError("negative.ocp_V", "not finite: NaN");
 * equal(error.message, "negative.ocp_V: not finite: NaN");
 * equal(error instanceof TypeError, true);
 * ```
 */
export class ParameterSetError extends TypeError {
  /** Dotted path of the offending entry, for example `"negative.ocp_V"`. */
  readonly path: string;
  /**
   * A problem at `path`.
   *
   * @param path Dotted path.
   * @param detail What is wrong.
   */
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = "ParameterSetError";
    this.path = path;
  }
}

function checkObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ParameterSetError(path, "expected an object");
  }
  return value as Record<string, unknown>;
}

function checkNumber(obj: Record<string, unknown>, key: string, path: string): number {
  const value = obj[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ParameterSetError(
      `${path}.${key}`,
      value === undefined ? "missing" : `expected a finite number, got ${JSON.stringify(value)}`,
    );
  }
  if (POSITIVE.has(key) && !(value > 0)) {
    throw new ParameterSetError(`${path}.${key}`, `must be positive, got ${value}`);
  }
  if (value < 0 && key !== "lower_voltage_cutoff_V") {
    throw new ParameterSetError(`${path}.${key}`, `must not be negative, got ${value}`);
  }
  return value;
}

/**
 * Check one material function: a finite number, an expression in `variables`, or a table.
 *
 * @param value The entry.
 * @param variables Allowed variable names.
 * @param path Dotted path for messages.
 * @returns The entry, unchanged.
 * @throws {ParameterSetError} When it is none of those.
 */
function checkMaterialFunction(
  value: unknown,
  variables: readonly string[],
  path: string,
): MaterialFunction {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new ParameterSetError(path, `not finite: ${value}`);
    return value;
  }
  if (typeof value === "string") {
    try {
      compileExpression(value, variables);
    } catch (error) {
      throw new ParameterSetError(path, (error as Error).message);
    }
    return value;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const { x, y } = value as Record<string, unknown>;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length || x.length < 2) {
      throw new ParameterSetError(
        path,
        "a table needs arrays x and y of the same length, at least 2",
      );
    }
    for (let i = 0; i < x.length; i++) {
      if (
        typeof x[i] !== "number" || typeof y[i] !== "number" || !Number.isFinite(x[i]) ||
        !Number.isFinite(y[i])
      ) {
        throw new ParameterSetError(path, `table row ${i} is not two finite numbers`);
      }
      if (i > 0 && !(x[i] > x[i - 1])) {
        throw new ParameterSetError(path, `table x must increase strictly (row ${i})`);
      }
    }
    return { x: [...x] as number[], y: [...y] as number[] };
  }
  throw new ParameterSetError(
    path,
    `expected a number, an expression in ${variables.join(", ")} or a table {x, y}`,
  );
}

function checkElectrode(value: unknown, path: string): ElectrodeParameters {
  const obj = checkObject(value, path);
  const out: Record<string, unknown> = {};
  for (const key of ELECTRODE_NUMBERS) out[key] = checkNumber(obj, key, path);
  for (const key of ELECTRODE_FUNCTIONS) {
    out[key] = checkMaterialFunction(obj[key], FUNCTION_VARIABLES[key], `${path}.${key}`);
  }
  const e = out as unknown as ElectrodeParameters;
  if (e.porosity + e.active_material_volume_fraction > 1 + 1e-12) {
    throw new ParameterSetError(path, "porosity + active material volume fraction exceeds 1");
  }
  if (e.charge_transfer_coefficient !== 0.5) {
    throw new ParameterSetError(
      `${path}.charge_transfer_coefficient`,
      `only the symmetric Butler–Volmer form (0.5) is modelled, got ${e.charge_transfer_coefficient}`,
    );
  }
  if (e.initial_concentration_mol_m3 >= e.maximum_concentration_mol_m3) {
    throw new ParameterSetError(
      `${path}.initial_concentration_mol_m3`,
      "must be below the maximum concentration",
    );
  }
  return e;
}

/**
 * Validate a parameter set given as a parsed JSON value: every field present with the right
 * type and range, every expression compiled. Unknown keys are rejected (a misspelt key would
 * otherwise be silently ignored).
 *
 * @param value Parsed JSON.
 * @returns The same data, typed (a fresh copy).
 * @throws {ParameterSetError} Naming the first bad entry by its dotted path.
 *
 * @example
 * ```ts
 * import { equal, throws } from "node:assert/strict";
 * import { checkParameterSet, CHEN2020 } from "./mod.ts";
 * const copy = checkParameterSet(JSON.parse(JSON.stringify(CHEN2020)));
 * equal(copy.negative.thickness_m, 8.52e-5);
 * throws(
 *   () => checkParameterSet({ ...CHEN2020, negative: { ...CHEN2020.negative, ocp_V: "exp(" } }),
 *   /negative.ocp_V: unexpected end of expression/,
 * );
 * ```
 */
export function checkParameterSet(value: unknown): ParameterSet {
  const obj = checkObject(value, "parameter set");
  const known = new Set([
    "name",
    "description",
    "references",
    "cell",
    "negative",
    "separator",
    "positive",
    "electrolyte",
    "temperature",
    "sei",
    "$schema",
  ]);
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) throw new ParameterSetError(key, "unknown entry");
  }
  if (typeof obj.name !== "string" || obj.name === "") {
    throw new ParameterSetError("name", "expected a non-empty string");
  }
  const references = obj.references ?? [];
  if (!Array.isArray(references) || references.some((r) => typeof r !== "string")) {
    throw new ParameterSetError("references", "expected an array of strings");
  }
  const cellObj = checkObject(obj.cell, "cell");
  const cell: Record<string, number> = {};
  for (const key of CELL_NUMBERS) cell[key] = checkNumber(cellObj, key, "cell");
  const sepObj = checkObject(obj.separator, "separator");
  const separator: Record<string, number> = {};
  for (const key of SEPARATOR_NUMBERS) separator[key] = checkNumber(sepObj, key, "separator");
  const elObj = checkObject(obj.electrolyte, "electrolyte");
  const electrolyte: ElectrolyteParameters = {
    initial_concentration_mol_m3: checkNumber(elObj, "initial_concentration_mol_m3", "electrolyte"),
    cation_transference_number: checkNumber(elObj, "cation_transference_number", "electrolyte"),
    thermodynamic_factor: checkNumber(elObj, "thermodynamic_factor", "electrolyte"),
    diffusivity_m2_s: checkMaterialFunction(
      elObj.diffusivity_m2_s,
      FUNCTION_VARIABLES.electrolyte_diffusivity_m2_s,
      "electrolyte.diffusivity_m2_s",
    ),
    conductivity_S_m: checkMaterialFunction(
      elObj.conductivity_S_m,
      FUNCTION_VARIABLES.electrolyte_conductivity_S_m,
      "electrolyte.conductivity_S_m",
    ),
  };
  if (electrolyte.cation_transference_number >= 1) {
    throw new ParameterSetError("electrolyte.cation_transference_number", "must be below 1");
  }
  const tObj = checkObject(obj.temperature, "temperature");
  const temperature: TemperatureParameters = {
    reference_K: checkNumber(tObj, "reference_K", "temperature"),
    ambient_K: checkNumber(tObj, "ambient_K", "temperature"),
    initial_K: checkNumber(tObj, "initial_K", "temperature"),
  };
  let sei: SeiParameters | undefined;
  if (obj.sei !== undefined) {
    const sObj = checkObject(obj.sei, "sei");
    const s: Record<string, number> = {};
    for (const key of SEI_NUMBERS) s[key] = checkNumber(sObj, key, "sei");
    sei = s as unknown as SeiParameters;
  }
  const set: ParameterSet = {
    name: obj.name,
    description: typeof obj.description === "string" ? obj.description : "",
    references: [...references] as string[],
    cell: cell as unknown as CellParameters,
    negative: checkElectrode(obj.negative, "negative"),
    separator: separator as unknown as SeparatorParameters,
    positive: checkElectrode(obj.positive, "positive"),
    electrolyte,
    temperature,
    ...(sei ? { sei } : {}),
  };
  if (set.cell.lower_voltage_cutoff_V >= set.cell.upper_voltage_cutoff_V) {
    throw new ParameterSetError("cell", "lower voltage cut-off must be below the upper one");
  }
  if (set.cell.ocv_at_0_soc_V >= set.cell.ocv_at_100_soc_V) {
    throw new ParameterSetError("cell", "OCV at 0 % SOC must be below the OCV at 100 % SOC");
  }
  if (set.separator.porosity > 1) {
    throw new ParameterSetError("separator.porosity", "must not exceed 1");
  }
  return set;
}
