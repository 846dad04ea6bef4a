// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { ParameterSet } from "./parameter_set.ts";

/**
 * The Chen2020 parameter set: LG M50 21700 cell, NMC811 / graphite-SiOx, 5 Ah. Values and
 * functions as PyBaMM 26.10 ships them (`pybamm/input/parameters/lithium_ion/Chen2020.py`),
 * transcribed from `../shared/spec/physics_models.md`. The SEI entries are PyBaMM's example
 * values, not fitted to this cell.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { CHEN2020 } from "./chen2020.ts";
 * equal(CHEN2020.cell.nominal_capacity_Ah, 5);
 * ```
 */
export const CHEN2020: ParameterSet = {
  name: "Chen2020",
  description: "LG M50 21700 cell (NMC811 / graphite-SiOx), 5 Ah",
  references: [
    "C.-H. Chen, F. Brosa Planella, K. O'Regan, D. Gastol, W. D. Widanage, E. Kendrick, " +
    "J. Electrochem. Soc. 167 (2020) 080534, doi:10.1149/1945-7111/ab9050 (OCPs, exchange-" +
    "current densities, geometry)",
    "A. Nyman, M. Behm, G. Lindbergh, Electrochim. Acta 53 (2008) 6356-6365 (electrolyte)",
    "SEI: PyBaMM example parameters (Ramadass 2004, Ploehn 2004, Single 2018, Safari 2008, " +
    "Yang 2017); not representative of this cell",
    "As shipped by PyBaMM 26.10 (pybamm/input/parameters/lithium_ion/Chen2020.py)",
  ],
  cell: {
    electrode_height_m: 0.065,
    electrode_width_m: 1.58,
    electrodes_in_parallel: 1,
    nominal_capacity_Ah: 5.0,
    lower_voltage_cutoff_V: 2.5,
    upper_voltage_cutoff_V: 4.2,
    ocv_at_0_soc_V: 2.5,
    ocv_at_100_soc_V: 4.2,
    contact_resistance_ohm: 0,
    cooling_area_m2: 0.00531,
    volume_m3: 2.42e-5,
    heat_transfer_coefficient_W_m2K: 10.0,
  },
  negative: {
    thickness_m: 8.52e-5,
    porosity: 0.25,
    active_material_volume_fraction: 0.75,
    particle_radius_m: 5.86e-6,
    maximum_concentration_mol_m3: 33133.0,
    initial_concentration_mol_m3: 29866.0,
    conductivity_S_m: 215.0,
    bruggeman_electrolyte: 1.5,
    bruggeman_electrode: 0,
    charge_transfer_coefficient: 0.5,
    ocp_V: "1.9793 * exp(-39.3631 * sto) + 0.2482 - 0.0909 * tanh(29.8538 * (sto - 0.1234))" +
      " - 0.04478 * tanh(14.9159 * (sto - 0.2769)) - 0.0205 * tanh(30.4444 * (sto - 0.6103))",
    entropic_change_V_K: 0,
    diffusivity_m2_s: 3.3e-14,
    exchange_current_density_A_m2: "6.48e-7 * exp(35000 / R * (1 / 298.15 - 1 / T))" +
      " * c_e^0.5 * c_s_surf^0.5 * (c_s_max - c_s_surf)^0.5",
    density_kg_m3: 1657.0,
    specific_heat_J_kgK: 700.0,
    thermal_conductivity_W_mK: 1.7,
    current_collector_thickness_m: 1.2e-5,
    current_collector_conductivity_S_m: 58411000.0,
    current_collector_density_kg_m3: 8960.0,
    current_collector_specific_heat_J_kgK: 385.0,
    current_collector_thermal_conductivity_W_mK: 401.0,
  },
  separator: {
    thickness_m: 1.2e-5,
    porosity: 0.47,
    bruggeman_electrolyte: 1.5,
    density_kg_m3: 397.0,
    specific_heat_J_kgK: 700.0,
    thermal_conductivity_W_mK: 0.16,
  },
  positive: {
    thickness_m: 7.56e-5,
    porosity: 0.335,
    active_material_volume_fraction: 0.665,
    particle_radius_m: 5.22e-6,
    maximum_concentration_mol_m3: 63104.0,
    initial_concentration_mol_m3: 17038.0,
    conductivity_S_m: 0.18,
    bruggeman_electrolyte: 1.5,
    bruggeman_electrode: 0,
    charge_transfer_coefficient: 0.5,
    ocp_V: "-0.8090 * sto + 4.4875 - 0.0428 * tanh(18.5138 * (sto - 0.5542))" +
      " - 17.7326 * tanh(15.7890 * (sto - 0.3117)) + 17.5842 * tanh(15.9308 * (sto - 0.3120))",
    entropic_change_V_K: 0,
    diffusivity_m2_s: 4e-15,
    exchange_current_density_A_m2: "3.42e-6 * exp(17800 / R * (1 / 298.15 - 1 / T))" +
      " * c_e^0.5 * c_s_surf^0.5 * (c_s_max - c_s_surf)^0.5",
    density_kg_m3: 3262.0,
    specific_heat_J_kgK: 700.0,
    thermal_conductivity_W_mK: 2.1,
    current_collector_thickness_m: 1.6e-5,
    current_collector_conductivity_S_m: 36914000.0,
    current_collector_density_kg_m3: 2700.0,
    current_collector_specific_heat_J_kgK: 897.0,
    current_collector_thermal_conductivity_W_mK: 237.0,
  },
  electrolyte: {
    initial_concentration_mol_m3: 1000.0,
    cation_transference_number: 0.2594,
    thermodynamic_factor: 1.0,
    diffusivity_m2_s: "8.794e-11 * (c_e / 1000)^2 - 3.972e-10 * (c_e / 1000) + 4.862e-10",
    conductivity_S_m: "0.1297 * (c_e / 1000)^3 - 2.51 * (c_e / 1000)^1.5 + 3.329 * (c_e / 1000)",
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
