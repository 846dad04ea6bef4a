// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * Sample properties a lab needs for the numbers (cell code, chemistry, nominal capacity, active
 * mass, electrode area, thickness, form factor): set them on a stored sample, read them from a
 * sample sheet or a file-name rule, and hand them to the analysis.
 *
 * @module
 */
export * from "./set_sample_properties.ts";
export * from "./apply_sample_sheet.ts";
export * from "./match_sample_sheet.ts";
export * from "./read_sample_sheet.ts";
export * from "./sample_info_from_file_name.ts";
export * from "./sample_properties_of.ts";
