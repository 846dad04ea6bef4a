// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * A parameter set turned into numbers and fast functions, with PyBaMM's derived quantities
 * (electrode area, specific surface areas, Bruggeman transport efficiencies, capacities) and
 * PyBaMM's safeguards on the function arguments (stoichiometry clipped to [1e-10, 1 − 1e-10]
 * inside the OCP and diffusivity, the OCP asymptotes near 0 and 1, c_e ≥ 10 mol/m³ inside the
 * electrolyte transport functions).
 */

import { type Ast, compilePositional, regularizePowers } from "./_expression.ts";
import { FUNCTION_VARIABLES, type MaterialFunction, type ParameterSet } from "./parameter_set.ts";

/** Gas constant, J/(mol K), as PyBaMM takes it from scipy. */
export const GAS_CONSTANT = 8.31446261815324;
/** Faraday constant, C/mol, as PyBaMM takes it from scipy. */
export const FARADAY = 96485.33212331001;

/** Compile cache: the same expression text gives the same function. */
const CACHE = new Map<string, { fn: (...a: number[]) => number; uses: Set<string> }>();

function compileCached(
  source: string,
  variables: readonly string[],
  transform?: { key: string; fn: (ast: Ast) => Ast },
): { fn: (...a: number[]) => number; uses: Set<string> } {
  const key = `${variables.join(",")}|${transform?.key ?? ""}|${source}`;
  let entry = CACHE.get(key);
  if (!entry) {
    entry = compilePositional(source, variables, transform?.fn);
    CACHE.set(key, entry);
  }
  return entry;
}

/**
 * PyBaMM's regularisation of an exchange-current density (`RegulariseSqrtAndPower`): powers and
 * square roots of c_e (scale: the initial electrolyte concentration), c_s,surf and
 * c_s,max − c_s,surf (scale: c_s,max) get a finite slope at zero.
 */
function j0Regularization(ce0: number): { key: string; fn: (ast: Ast) => Ast } {
  // Variables of the j0 function: c_e (0), c_s_surf (1), c_s_max (2), T (3).
  const ce: Ast = { kind: "var", index: 0 }, cs: Ast = { kind: "var", index: 1 };
  const cmax: Ast = { kind: "var", index: 2 };
  return {
    key: `regpow:${ce0}`,
    fn: (ast) =>
      regularizePowers(ast, [
        { base: ce, scale: { kind: "num", value: ce0 } },
        { base: cs, scale: cmax },
        { base: { kind: "bin", op: "-", left: cmax, right: cs }, scale: cmax },
      ]),
  };
}

/** Linear interpolation in a table, continued linearly outside it. */
function interpolator(x: readonly number[], y: readonly number[]): (v: number) => number {
  const xs = Float64Array.from(x), ys = Float64Array.from(y);
  const n = xs.length;
  return (v: number): number => {
    let lo = 0, hi = n - 1;
    if (v <= xs[0]) hi = 1;
    else if (v >= xs[n - 1]) lo = n - 2;
    else {
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (xs[mid] > v) hi = mid;
        else lo = mid;
      }
    }
    return ys[lo] + (ys[hi] - ys[lo]) * (v - xs[lo]) / (xs[hi] - xs[lo]);
  };
}

/** A material function of one variable (`extra` fills the later parameters). */
function fn1(f: MaterialFunction, vars: readonly string[], extra = 0): (a: number) => number {
  if (typeof f === "number") return () => f;
  if (typeof f === "string") {
    const g = compileCached(f, vars).fn;
    return vars.length === 1 ? (a: number) => g(a) : (a: number) => g(a, extra);
  }
  return interpolator(f.x, f.y);
}

/** A material function of two variables (a table uses the first only). */
function fn2(f: MaterialFunction, vars: readonly string[]): (a: number, b: number) => number {
  if (typeof f === "number") return () => f;
  if (typeof f === "string") {
    const g = compileCached(f, vars).fn;
    return (a: number, b: number) => g(a, b);
  }
  const t = interpolator(f.x, f.y);
  return (a: number) => t(a);
}

/** Whether a material function depends on the named variable. */
function dependsOn(f: MaterialFunction, vars: readonly string[], name: string): boolean {
  if (typeof f === "number") return false;
  if (typeof f === "string") return compileCached(f, vars).uses.has(name);
  return vars[0] === name;
}

/** One electrode, compiled. */
export interface CompiledElectrode {
  /** Thickness L, m. */
  L: number;
  /** Porosity ε. */
  eps: number;
  /** Active material volume fraction ε_s. */
  epsS: number;
  /** Particle radius, m. */
  Rp: number;
  /** Specific surface area a = 3 ε_s / R, 1/m. */
  a: number;
  /** Maximum concentration, mol/m³. */
  cMax: number;
  /** Set's own initial concentration, mol/m³. */
  cInit: number;
  /** Effective solid conductivity σ (1 − ε)^b, S/m. */
  sigmaEff: number;
  /** Electrolyte transport efficiency ε^b. */
  torE: number;
  /** Capacity F ε_s c_max L A / 3600, A h. */
  capacityAh: number;
  /** OCP U_ref(sto), V, without clipping. */
  ocpRaw: (sto: number) => number;
  /** dU/dT(sto), V/K. */
  dUdT: (sto: number) => number;
  /** Whether dU/dT is identically zero. */
  isothermalOcp: boolean;
  /** Particle diffusivity D(sto, T), m²/s (sto clipped). */
  D: (sto: number, T: number) => number;
  /** Whether D depends on the stoichiometry. */
  dDependsOnSto: boolean;
  /** Exchange-current density j0(c_e, c_s,surf, T), A/m². */
  j0: (ce: number, cs: number, T: number) => number;
  /** Density × specific heat, J/(m³ K). */
  rhoCp: number;
  /** Current collector thickness, m. */
  Lcc: number;
  /** Current collector conductivity, S/m. */
  sigmaCc: number;
  /** Current collector density × specific heat, J/(m³ K). */
  rhoCpCc: number;
}

/** A parameter set, compiled. */
export interface CompiledCell {
  /** The source set. */
  set: ParameterSet;
  /** Electrode area per electrode pair, m². */
  area: number;
  /** Electrodes in parallel. */
  nParallel: number;
  /** 1C current, A. */
  oneC_A: number;
  /** Negative electrode. */
  n: CompiledElectrode;
  /** Positive electrode. */
  p: CompiledElectrode;
  /** Separator thickness, m. */
  Ls: number;
  /** Separator porosity. */
  epsSep: number;
  /** Separator transport efficiency. */
  torSep: number;
  /** Separator density × specific heat. */
  rhoCpSep: number;
  /** Electrolyte initial concentration, mol/m³. */
  ce0: number;
  /** Cation transference number. */
  tPlus: number;
  /** χ = 2 (1 − t⁺) × thermodynamic factor. */
  chi: number;
  /** Electrolyte diffusivity D_e(c_e, T), m²/s (c_e ≥ 10). */
  De: (ce: number, T: number) => number;
  /** Electrolyte conductivity κ(c_e, T), S/m (c_e ≥ 10). */
  kappa: (ce: number, T: number) => number;
  /** Reference temperature, K. */
  Tref: number;
  /** Ambient temperature, K. */
  Tamb: number;
  /** Initial temperature, K. */
  Tinit: number;
  /** Contact resistance, Ω. */
  Rcontact: number;
  /** Lower and upper voltage cut-offs, V. */
  vMin: number;
  /** Upper voltage cut-off, V. */
  vMax: number;
  /** Thickness-weighted ρ c_p over collectors, electrodes and separator, J/(m³ K). */
  rhoCpEff: number;
  /** Total thickness of collectors, electrodes and separator, m. */
  Ltotal: number;
}

/**
 * The OCP asymptote PyBaMM adds (`U_asymptote_approaching_zero`): about 1 mV at sto = 0.001 and
 * 1 V at sto = 0; negligible elsewhere.
 */
function asymptoteZero(sto: number): number {
  const a = 6910.192179565431, c = -7.7e-4;
  const z = -a * (sto - c);
  // Below exp(-40) the term is under 5e-18 V: skip the transcendental calls.
  if (z < -40) return 0;
  const limit = c - ASYMPTOTE_SAFE_EXP / a;
  return Math.log1p(Math.exp(-a * (Math.max(limit, sto) - c))) - a * Math.min(0, sto - limit);
}

const ASYMPTOTE_SAFE_EXP = Math.log(2 / Number.EPSILON);

/**
 * OCP of an electrode at a stoichiometry and temperature, as PyBaMM evaluates it: the reference
 * OCP and entropic term at the clipped stoichiometry plus the asymptotes.
 *
 * @param e Compiled electrode.
 * @param sto Stoichiometry.
 * @param T Temperature, K.
 * @param Tref Reference temperature, K.
 * @returns Open-circuit potential, V.
 */
export function ocp(e: CompiledElectrode, sto: number, T: number, Tref: number): number {
  const s = sto < 1e-10 ? 1e-10 : sto > 1 - 1e-10 ? 1 - 1e-10 : sto;
  let u = e.ocpRaw(s);
  if (!e.isothermalOcp) u += (T - Tref) * e.dUdT(s);
  return u + asymptoteZero(sto) - asymptoteZero(1 - sto);
}

function compileElectrode(
  set: ParameterSet,
  which: "negative" | "positive",
  area: number,
): CompiledElectrode {
  const e = set[which];
  const cMax = e.maximum_concentration_mol_m3;
  const ocpRaw = fn1(e.ocp_V, FUNCTION_VARIABLES.ocp_V);
  const dUdT = fn1(e.entropic_change_V_K, FUNCTION_VARIABLES.entropic_change_V_K, cMax);
  const D2 = fn2(e.diffusivity_m2_s, FUNCTION_VARIABLES.diffusivity_m2_s);
  const D = (sto: number, T: number): number =>
    D2(sto < 1e-10 ? 1e-10 : sto > 1 - 1e-10 ? 1 - 1e-10 : sto, T);
  let j0: (ce: number, cs: number, T: number) => number;
  const j0f = e.exchange_current_density_A_m2;
  if (typeof j0f === "string") {
    const g = compileCached(
      j0f,
      FUNCTION_VARIABLES.exchange_current_density_A_m2,
      j0Regularization(set.electrolyte.initial_concentration_mol_m3),
    ).fn;
    // Within [0, c_max] exactly PyBaMM's j0. Beyond (only a solver's trial state gets there),
    // PyBaMM clips c_s, so j0 = 0 and a particle that overshoots stays stuck; reflecting c_s
    // instead keeps j0 growing away from the bound, and the overshoot is undone.
    j0 = (ce, cs, T) => g(ce > 0 ? ce : 0, cs < 0 ? -cs : cs > cMax ? 2 * cMax - cs : cs, cMax, T);
  } else if (typeof j0f === "number") {
    j0 = () => j0f;
  } else {
    const t = interpolator(j0f.x, j0f.y);
    j0 = (ce) => t(ce);
  }
  const a = 3 * e.active_material_volume_fraction / e.particle_radius_m;
  return {
    L: e.thickness_m,
    eps: e.porosity,
    epsS: e.active_material_volume_fraction,
    Rp: e.particle_radius_m,
    a,
    cMax,
    cInit: e.initial_concentration_mol_m3,
    sigmaEff: e.conductivity_S_m * (1 - e.porosity) ** e.bruggeman_electrode,
    torE: e.porosity ** e.bruggeman_electrolyte,
    capacityAh: FARADAY * e.active_material_volume_fraction * cMax * e.thickness_m * area *
      set.cell.electrodes_in_parallel / 3600,
    ocpRaw,
    dUdT,
    isothermalOcp: e.entropic_change_V_K === 0,
    D,
    dDependsOnSto: dependsOn(e.diffusivity_m2_s, FUNCTION_VARIABLES.diffusivity_m2_s, "sto"),
    j0,
    rhoCp: e.density_kg_m3 * e.specific_heat_J_kgK,
    Lcc: e.current_collector_thickness_m,
    sigmaCc: e.current_collector_conductivity_S_m,
    rhoCpCc: e.current_collector_density_kg_m3 * e.current_collector_specific_heat_J_kgK,
  };
}

/**
 * Compile a (validated) parameter set.
 *
 * @param set The parameter set.
 * @returns Numbers and functions the models use.
 */
export function compileCell(set: ParameterSet): CompiledCell {
  const area = set.cell.electrode_height_m * set.cell.electrode_width_m;
  const n = compileElectrode(set, "negative", area);
  const p = compileElectrode(set, "positive", area);
  const De2 = fn2(
    set.electrolyte.diffusivity_m2_s,
    FUNCTION_VARIABLES.electrolyte_diffusivity_m2_s,
  );
  const k2 = fn2(set.electrolyte.conductivity_S_m, FUNCTION_VARIABLES.electrolyte_conductivity_S_m);
  const s = set.separator;
  const Ltotal = n.Lcc + n.L + s.thickness_m + p.L + p.Lcc;
  const rhoCpSep = s.density_kg_m3 * s.specific_heat_J_kgK;
  return {
    set,
    area,
    nParallel: set.cell.electrodes_in_parallel,
    oneC_A: set.cell.nominal_capacity_Ah,
    n,
    p,
    Ls: s.thickness_m,
    epsSep: s.porosity,
    torSep: s.porosity ** s.bruggeman_electrolyte,
    rhoCpSep,
    ce0: set.electrolyte.initial_concentration_mol_m3,
    tPlus: set.electrolyte.cation_transference_number,
    chi: 2 * (1 - set.electrolyte.cation_transference_number) *
      set.electrolyte.thermodynamic_factor,
    De: (ce, T) => De2(ce < 10 ? 10 : ce, T),
    kappa: (ce, T) => k2(ce < 10 ? 10 : ce, T),
    Tref: set.temperature.reference_K,
    Tamb: set.temperature.ambient_K,
    Tinit: set.temperature.initial_K,
    Rcontact: set.cell.contact_resistance_ohm,
    vMin: set.cell.lower_voltage_cutoff_V,
    vMax: set.cell.upper_voltage_cutoff_V,
    rhoCpEff: (n.Lcc * n.rhoCpCc + n.L * n.rhoCp + s.thickness_m * rhoCpSep + p.L * p.rhoCp +
      p.Lcc * p.rhoCpCc) / Ltotal,
    Ltotal,
  };
}
