// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * What a lab states about a sample, as read from a sample sheet, a file-name rule or command-line
 * flags: every field optional (absent = not stated), units in the names, values already in those
 * units. `null` clears a stored value.
 */
export interface SampleInfo {
  /** Cell code such as `CN123`. */
  cell_code?: string | null;
  /** Chemistry, free text (`"NMC811/Graphite"`, `"Zn|Zn(TFSI)2|Zn"`). */
  chemistry?: string | null;
  /** `"2032"`, `"pouch"`, `"18650"`, ... */
  form_factor?: string | null;
  /** Maker. */
  manufacturer?: string | null;
  /** Free description. */
  description?: string | null;
  /** Nominal (rated) capacity, Ah. */
  nominal_capacity_Ah?: number | null;
  /** Mass of active material, g (what specific capacity divides by). */
  active_mass_g?: number | null;
  /** Mass of the whole sample or cell, g. */
  mass_g?: number | null;
  /** Electrode area, cm². */
  area_cm2?: number | null;
  /** Thickness (electrode, separator or electrolyte), cm. */
  thickness_cm?: number | null;
}
