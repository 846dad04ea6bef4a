// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { Spectrum } from "../../lib/model/spectrum.ts";
import type { ExportColumn, ExportTable, ExportTableOptions } from "./export_table.ts";
import { applyUnits, resolveUnits, unitsMetadata } from "./_units.ts";

/**
 * Impedance spectra as one long {@link ExportTable} named `"spectra"`: one row per point with
 * `sequence` (the spectrum's position in its file, from 0), `cycle` (the cycle the file gives
 * the spectrum, else missing), `frequency_Hz`, `z_real_ohm`, `z_imag_ohm` (signed: capacitive
 * negative), then the further columns any spectrum has (`time_s`, `voltage_V`, ...; missing in
 * the spectra without them). With `areal` units, `z_real_ohm_cm2` and `z_imag_ohm_cm2` (Z × area,
 * by `areaSpecificResistance`) follow the impedance; currents in the unit asked for.
 *
 * @param spectra The spectra.
 * @param options Units, sample properties, source label.
 * @returns The table.
 * @throws {RangeError} For areal units without the electrode area.
 *
 * @example
 * ```ts
 * import { spectraExportTable } from "./spectra_export_table.ts";
 * import { deepEqual, equal } from "node:assert/strict";
 *
 * const f = (...v: number[]) => Float64Array.from(v);
 * const table = spectraExportTable([{
 *   length: 2, frequency_Hz: f(1000, 1), z_real_ohm: f(10, 30), z_imag_ohm: f(-1, -12),
 *   sequence: 0, extras: {}, columns: {},
 * }], { units: { areal: true }, sample: { area_cm2: 2 } });
 * equal(table.length, 2);
 * const areal = table.columns.find((c) => c.name === "z_real_ohm_cm2")!;
 * deepEqual(Array.from(areal.values as ArrayLike<unknown>), [20, 60]);
 * ```
 */
export function spectraExportTable(
  spectra: readonly Spectrum[],
  options: ExportTableOptions = {},
): ExportTable {
  const units = resolveUnits(options, "the spectra");
  if (!Array.isArray(spectra)) {
    throw new TypeError("Cannot export the spectra: expected an array of spectra");
  }
  let n = 0;
  const extraNames: string[] = [];
  for (const s of spectra) {
    n += s.length;
    for (const name of Object.keys(s.extras ?? {})) {
      if (!extraNames.includes(name)) extraNames.push(name);
    }
  }
  const sequence = new Array<number>(n);
  const cycle = new Array<number | null>(n);
  const base = ["frequency_Hz", "z_real_ohm", "z_imag_ohm"] as const;
  const values: Record<string, Float64Array> = {};
  for (const name of base) values[name] = new Float64Array(n);
  const extras = new Map(extraNames.map((name) => [name, new Float64Array(n).fill(NaN)]));
  let at = 0;
  for (const s of spectra) {
    for (const name of base) {
      if (s[name].length !== s.length) {
        throw new RangeError(
          `Cannot export spectrum ${s.sequence}: ${name} has ${
            s[name].length
          } values, expected ${s.length}`,
        );
      }
      values[name].set(s[name], at);
    }
    for (const [name, v] of Object.entries<Float64Array>(s.extras ?? {})) {
      if (v.length === s.length) extras.get(name)!.set(v, at);
    }
    sequence.fill(s.sequence, at, at + s.length);
    cycle.fill(s.cycle ?? null, at, at + s.length);
    at += s.length;
  }
  const taken = new Set<string>(["sequence", "cycle", ...base]);
  const columns: ExportColumn[] = [
    { name: "sequence", type: "int32", values: sequence },
    { name: "cycle", type: "int32", values: cycle },
    ...base.map((name) => ({ name, type: "float64" as const, values: values[name] })),
  ];
  for (const name of extraNames) {
    let unique = name;
    while (taken.has(unique)) unique = `extra_${unique}`;
    taken.add(unique);
    columns.push({ name: unique, type: "float64", values: extras.get(name)! });
  }
  return {
    name: "spectra",
    length: n,
    columns: applyUnits(columns, units, { impedances: ["z_real_ohm", "z_imag_ohm"] }),
    metadata: {
      table: "spectra",
      label: options.label ?? null,
      spectra: spectra.length,
      ...unitsMetadata(units),
      source_columns: spectra[0]?.columns ?? {},
    },
  };
}
