// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * The Battery Data Format (BDF) quantities this toolkit reads and writes: preferred label,
 * machine-readable name and the model column they map to. Taken from the BDF README and the BDF
 * application ontology 1.2.0 (battery-data-alliance/battery-data-format, Apache-2.0):
 * current is positive on charge; charging/discharging capacity and energy accumulate from the
 * start of the test and never reset; `Step Count` never repeats, `Step ID` is the program step.
 */

/** One BDF quantity. */
export interface BdfTerm {
  /** Preferred label (`"Test Time / s"`). */
  label: string;
  /** Machine-readable name (`"test_time_second"`). */
  name: string;
  /** Other labels met in files (older releases; BatMo's `Charge Capacity / Ah`, `Step Index / 1`). */
  alt?: string[];
  /** Model column: a series key or `extras.<name>`; `null` for terms computed on export. */
  target: string | null;
  /** Unit after the slash (for unit conversion on import). */
  unit: string;
}

/** The terms, in the column order written by `toBdfCsv`. */
export const BDF_TERMS: readonly BdfTerm[] = [
  { label: "Test Time / s", name: "test_time_second", target: "time_s", unit: "s" },
  { label: "Voltage / V", name: "voltage_volt", target: "voltage_V", unit: "V" },
  { label: "Current / A", name: "current_ampere", target: "current_A", unit: "A" },
  { label: "Unix Time / s", name: "unix_time_second", target: null, unit: "s" },
  { label: "Cycle Count / 1", name: "cycle_count", target: "cycle_index", unit: "1" },
  { label: "Step Count / 1", name: "step_count", target: null, unit: "1" },
  { label: "Step ID", name: "step_id", alt: ["Step Index / 1"], target: "step_index", unit: "" },
  {
    label: "Ambient Temperature / degC",
    name: "ambient_temperature_celsius",
    target: "extras.ambient_temperature_C",
    unit: "degC",
  },
  {
    label: "Charging Capacity / Ah",
    name: "charging_capacity_ah",
    alt: ["Charge Capacity / Ah"],
    target: "charge_capacity_Ah",
    unit: "Ah",
  },
  {
    label: "Discharging Capacity / Ah",
    name: "discharging_capacity_ah",
    alt: ["Discharge Capacity / Ah"],
    target: "discharge_capacity_Ah",
    unit: "Ah",
  },
  {
    label: "Charging Energy / Wh",
    name: "charging_energy_wh",
    alt: ["Charge Energy / Wh"],
    target: "charge_energy_Wh",
    unit: "Wh",
  },
  {
    label: "Discharging Energy / Wh",
    name: "discharging_energy_wh",
    alt: ["Discharge Energy / Wh"],
    target: "discharge_energy_Wh",
    unit: "Wh",
  },
  { label: "Step Time / s", name: "step_time_second", target: "extras.step_time_s", unit: "s" },
  { label: "Power / W", name: "power_watt", target: "extras.power_W", unit: "W" },
  {
    label: "Internal Resistance / ohm",
    name: "internal_resistance_ohm",
    alt: ["Internal Resistance / Ohm"],
    target: "extras.internal_resistance_ohm",
    unit: "ohm",
  },
  {
    label: "Temperature T1 / degC",
    name: "temperature_t1_celsius",
    alt: ["Surface Temperature T1 / degC"],
    target: "temperature_C",
    unit: "degC",
  },
  ...[2, 3, 4, 5].map((k) => ({
    label: `Temperature T${k} / degC`,
    name: `temperature_t${k}_celsius`,
    alt: [`Surface Temperature T${k} / degC`],
    target: `extras.temperature_t${k}_C`,
    unit: "degC",
  })),
  {
    label: "Net Capacity / Ah",
    name: "net_capacity_ah",
    target: "extras.net_capacity_Ah",
    unit: "Ah",
  },
  { label: "Record Index / 1", name: "record_index", target: "extras.record_index", unit: "1" },
];
