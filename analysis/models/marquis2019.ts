// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { ParameterSet } from "./parameter_set.ts";

/** LiCoO2 stoichiometry stretch of the Dualfoil fits (`s = 1.062 sto`). */
const S = "(1.062 * sto)";

/**
 * The Marquis2019 parameter set: Kokam SLPB78205130H pouch cell, LiCoO2 / graphite (MCMB2528),
 * 0.680616 Ah. Values and functions as PyBaMM 26.10 ships them
 * (`pybamm/input/parameters/lithium_ion/Marquis2019.py`), transcribed from
 * `../shared/spec/physics_models.md`. The SEI entries are PyBaMM's example values.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { MARQUIS2019 } from "./marquis2019.ts";
 * equal(MARQUIS2019.cell.lower_voltage_cutoff_V, 3.105);
 * ```
 */
export const MARQUIS2019: ParameterSet = {
  name: "Marquis2019",
  description: "Kokam SLPB78205130H pouch cell (LiCoO2 / graphite MCMB2528), 0.680616 Ah",
  references: [
    "S. G. Marquis, V. Sulzer, R. Timms, C. P. Please, S. J. Chapman, J. Electrochem. Soc. 166 " +
    "(2019) A3693-A3706, doi:10.1149/2.0341915jes",
    "Electrode OCPs, solid diffusivities and exchange-current densities: Dualfoil (J. Newman)",
    "Entropic coefficients: S. Moura, fastDFN (github.com/scott-moura/fastDFN)",
    "Electrolyte (LiPF6 in EC:DMC): C. Capiglia et al., J. Power Sources 81 (1999) 859-862",
    "SEI: PyBaMM example parameters; not representative of this cell",
    "As shipped by PyBaMM 26.10 (pybamm/input/parameters/lithium_ion/Marquis2019.py)",
  ],
  cell: {
    electrode_height_m: 0.137,
    electrode_width_m: 0.207,
    electrodes_in_parallel: 1,
    nominal_capacity_Ah: 0.680616,
    lower_voltage_cutoff_V: 3.105,
    upper_voltage_cutoff_V: 4.1,
    ocv_at_0_soc_V: 3.105,
    ocv_at_100_soc_V: 4.1,
    contact_resistance_ohm: 0,
    cooling_area_m2: 0.0569,
    volume_m3: 7.8e-6,
    heat_transfer_coefficient_W_m2K: 10.0,
  },
  negative: {
    thickness_m: 1e-4,
    porosity: 0.3,
    active_material_volume_fraction: 0.6,
    particle_radius_m: 1e-5,
    maximum_concentration_mol_m3: 24983.2619938437,
    initial_concentration_mol_m3: 19986.609595075,
    conductivity_S_m: 100.0,
    bruggeman_electrolyte: 1.5,
    bruggeman_electrode: 1.5,
    charge_transfer_coefficient: 0.5,
    ocp_V: "0.194 + 1.5 * exp(-120.0 * sto) + 0.0351 * tanh((sto - 0.286) / 0.083)" +
      " - 0.0045 * tanh((sto - 0.849) / 0.119) - 0.035 * tanh((sto - 0.9233) / 0.05)" +
      " - 0.0147 * tanh((sto - 0.5) / 0.034) - 0.102 * tanh((sto - 0.194) / 0.142)" +
      " - 0.022 * tanh((sto - 0.9) / 0.0164) - 0.011 * tanh((sto - 0.124) / 0.0226)" +
      " + 0.0155 * tanh((sto - 0.105) / 0.029)",
    entropic_change_V_K: "-1.5 * (120.0 / c_s_max) * exp(-120 * sto)" +
      " + (0.0351 / (0.083 * c_s_max)) * sech((sto - 0.286) / 0.083)^2" +
      " - (0.0045 / (0.119 * c_s_max)) * sech((sto - 0.849) / 0.119)^2" +
      " - (0.035 / (0.05 * c_s_max)) * sech((sto - 0.9233) / 0.05)^2" +
      " - (0.0147 / (0.034 * c_s_max)) * sech((sto - 0.5) / 0.034)^2" +
      " - (0.102 / (0.142 * c_s_max)) * sech((sto - 0.194) / 0.142)^2" +
      " - (0.022 / (0.0164 * c_s_max)) * sech((sto - 0.9) / 0.0164)^2" +
      " - (0.011 / (0.0226 * c_s_max)) * sech((sto - 0.124) / 0.0226)^2" +
      " + (0.0155 / (0.029 * c_s_max)) * sech((sto - 0.105) / 0.029)^2",
    diffusivity_m2_s: "3.9e-14 * exp(42770 / R * (1 / 298.15 - 1 / T))",
    exchange_current_density_A_m2: "2e-5 * exp(37480 / R * (1 / 298.15 - 1 / T))" +
      " * c_e^0.5 * c_s_surf^0.5 * (c_s_max - c_s_surf)^0.5",
    density_kg_m3: 1657.0,
    specific_heat_J_kgK: 700.0,
    thermal_conductivity_W_mK: 1.7,
    current_collector_thickness_m: 2.5e-5,
    current_collector_conductivity_S_m: 59600000.0,
    current_collector_density_kg_m3: 8954.0,
    current_collector_specific_heat_J_kgK: 385.0,
    current_collector_thermal_conductivity_W_mK: 401.0,
  },
  separator: {
    thickness_m: 2.5e-5,
    porosity: 1.0,
    bruggeman_electrolyte: 1.5,
    density_kg_m3: 397.0,
    specific_heat_J_kgK: 700.0,
    thermal_conductivity_W_mK: 0.16,
  },
  positive: {
    thickness_m: 1e-4,
    porosity: 0.3,
    active_material_volume_fraction: 0.5,
    particle_radius_m: 1e-5,
    maximum_concentration_mol_m3: 51217.9257309275,
    initial_concentration_mol_m3: 30730.7554385565,
    conductivity_S_m: 10.0,
    bruggeman_electrolyte: 1.5,
    bruggeman_electrode: 1.5,
    charge_transfer_coefficient: 0.5,
    ocp_V: `2.16216 + 0.07645 * tanh(30.834 - 54.4806 * ${S})` +
      ` + 2.1581 * tanh(52.294 - 50.294 * ${S}) - 0.14169 * tanh(11.0923 - 19.8543 * ${S})` +
      ` + 0.2051 * tanh(1.4684 - 5.4888 * ${S}) + 0.2531 * tanh((-${S} + 0.56478) / 0.1316)` +
      ` - 0.02167 * tanh((${S} - 0.525) / 0.006)`,
    entropic_change_V_K: `0.07645 * (-54.4806 / c_s_max) * sech(30.834 - 54.4806 * ${S})^2` +
      ` + 2.1581 * (-50.294 / c_s_max) * sech(52.294 - 50.294 * ${S})^2` +
      ` + 0.14169 * (19.854 / c_s_max) * sech(11.0923 - 19.8543 * ${S})^2` +
      ` - 0.2051 * (5.4888 / c_s_max) * sech(1.4684 - 5.4888 * ${S})^2` +
      ` - (0.2531 / 0.1316 / c_s_max) * sech((-${S} + 0.56478) / 0.1316)^2` +
      ` - (0.02167 / 0.006 / c_s_max) * sech((${S} - 0.525) / 0.006)^2`,
    diffusivity_m2_s: "1e-13 * exp(18550 / R * (1 / 298.15 - 1 / T))",
    exchange_current_density_A_m2: "6e-7 * exp(39570 / R * (1 / 298.15 - 1 / T))" +
      " * c_e^0.5 * c_s_surf^0.5 * (c_s_max - c_s_surf)^0.5",
    density_kg_m3: 3262.0,
    specific_heat_J_kgK: 700.0,
    thermal_conductivity_W_mK: 2.1,
    current_collector_thickness_m: 2.5e-5,
    current_collector_conductivity_S_m: 35500000.0,
    current_collector_density_kg_m3: 2707.0,
    current_collector_specific_heat_J_kgK: 897.0,
    current_collector_thermal_conductivity_W_mK: 237.0,
  },
  electrolyte: {
    initial_concentration_mol_m3: 1000.0,
    cation_transference_number: 0.4,
    thermodynamic_factor: 1.0,
    diffusivity_m2_s: "5.34e-10 * exp(-0.65 * c_e / 1000) * exp(37040 / R * (1 / 298.15 - 1 / T))",
    conductivity_S_m: "(0.0911 + 1.9101 * (c_e / 1000) - 1.052 * (c_e / 1000)^2" +
      " + 0.1554 * (c_e / 1000)^3) * exp(34700 / R * (1 / 298.15 - 1 / T))",
  },
  temperature: { reference_K: 298.15, ambient_K: 298.15, initial_K: 298.15 },
  sei: {
    lithium_to_sei_mole_ratio: 2.0,
    partial_molar_volume_m3_mol: 9.585e-5,
    resistivity_ohm_m: 200000.0,
    solvent_diffusivity_m2_s: 2.5e-22,
    bulk_solvent_concentration_mol_m3: 2636.0,
    initial_thickness_m: 5e-9,
  },
};
