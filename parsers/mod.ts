// Copyright 2026 the battery-analysis authors. MIT license.
// Not browser compatible: it includes the Arbin .res reader (see arbin_res.ts).

/**
 * Pure parsers: instrument file bytes in, {@link Recording} out. `parseRecording` detects the
 * format from content (then extension) and reads the file.
 *
 * No `Deno.*` and no file system: the readers run in Deno, Node and (all but the Arbin `.res`
 * reader, whose `mdb-reader` needs Node's `buffer` and `stream`) in a browser. The registry
 * (`parseRecording`, `detectFormat`, `FORMATS`) includes the `.res` reader; in a browser, import
 * the individual readers (`parsers/arbin_csv.ts`, ...), each of which says it is browser
 * compatible (`tests/browser_bundle_test.ts` bundles them for the browser).
 *
 * @module
 */
export * from "./parse_error.ts";
export * from "./file_name.ts";
export * from "./sample_property.ts";
export * from "./sample_sheet.ts";
export * from "./format_parser.ts";
export * from "./format_ids.ts";
export * from "./byte_source.ts";
export * from "./detect_format.ts";
export * from "./parse_recording.ts";
export { FORMATS } from "./_registry.ts";
export * from "./arbin_csv.ts";
export * from "./arbin_metadata_csv.ts";
export * from "./arbin_xlsx.ts";
export * from "./generic_csv.ts";
export * from "./biologic_mpt.ts";
export * from "./biologic_mpr.ts";
export * from "./neware_nda.ts";
export * from "./neware_ndax.ts";
export * from "./neware_csv.ts";
export * from "./neware_xlsx.ts";
export * from "./arbin_res.ts";
export * from "./maccor_text.ts";
export * from "./maccor_eis.ts";
export * from "./novonix_csv.ts";
export * from "./landt_csv.ts";
export * from "./ivium_txt.ts";
export * from "./column_mapping.ts";
export * from "./mapped_csv.ts";
export * from "./basytec_txt.ts";
export * from "./pec_csv.ts";
export * from "./battery_archive_csv.ts";
export * from "./battery_archive_cycles.ts";
export * from "./battery_data_csv.ts";
export * from "./bdf_csv.ts";
export * from "./gamry_dta.ts";
export * from "./zplot_z.ts";
export * from "./autolab_txt.ts";
export * from "./chi_txt.ts";
export * from "./parstat_txt.ts";
export * from "./powersuite_txt.ts";
export * from "./versastudio_par.ts";
export * from "./drttools_csv.ts";
export * from "./eis_csv.ts";
export * from "./to_bdf.ts";
export * from "./join_recordings.ts";
export * from "./sample_sheet.ts";
export * from "./explain_detection.ts";
