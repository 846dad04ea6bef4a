// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FileMeta } from "../lib/model/file_meta.ts";

/**
 * Physical properties of a sample used to normalize measurements. Every property is optional;
 * a normalization that needs a missing one throws a RangeError naming it (never a made-up value).
 * Give thickness in either centimetres or micrometres (both must agree if both are given).
 */
export interface SampleProperties {
  /** Electrode (or electrolyte) area, cm². */
  area_cm2?: number | null;
  /** Thickness, cm. */
  thickness_cm?: number | null;
  /** Thickness, µm. */
  thickness_um?: number | null;
  /** Active mass, g. */
  mass_g?: number | null;
}

/**
 * The sample properties a file states about itself (area and active mass, when the instrument
 * wrote them), with `null` where it says nothing.
 *
 * @param meta Metadata of a parsed file.
 * @returns `{area_cm2, mass_g}` from `electrode_area_cm2` and `active_mass_g`.
 *
 * @example
 * ```ts
 * import { samplePropertiesFromMeta } from "./sample_properties.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const props = samplePropertiesFromMeta({ electrode_area_cm2: 1.13, active_mass_g: null });
 * deepEqual(props, { area_cm2: 1.13, mass_g: null });
 * ```
 */
export function samplePropertiesFromMeta(
  meta: Pick<FileMeta, "electrode_area_cm2" | "active_mass_g">,
): SampleProperties {
  return { area_cm2: meta.electrode_area_cm2, mass_g: meta.active_mass_g };
}
