// Copyright 2026 the battery-analysis authors. MIT license.
// EC-Lab variants of issue 13 (items 5 and 6). The files under tests/fixtures/synthetic/biologic/
// are made from real fixtures by tests/parsers/scripts/make_variants.py (the transformation of
// each is documented there); expected values come from the real fixture each one was made from,
// or from the known answer of the synthetic Modulo Bat run.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { biologicMpr } from "../../parsers/biologic_mpr.ts";
import { biologicMpt } from "../../parsers/biologic_mpt.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import type { Recording } from "../../lib/model/file_meta.ts";
import { assertClose, readFixture } from "../_util.ts";

const mpt = (path: string): Recording =>
  biologicMpt.parse(readFixture(path), { fileName: path.split("/").pop()! });
const mpr = (path: string): Recording =>
  biologicMpr.parse(readFixture(path), { fileName: path.split("/").pop()! });
const BCD = "biologic/0928_01_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_EIS-Remade_from_091923-01_BCD_C01.mpt";

Deno.test("biologicMpt.parse() reads <Ewe/V> and <I/mA> titles as <Ewe>/V and <I>/mA", () => {
  // Same rows as the BCD fixture, only the two titles spelled with the unit in the brackets.
  const original = mpt(BCD).series!;
  const variant = mpt("synthetic/biologic/bcd_bracketed_units_C01.mpt");
  const series = variant.series!;
  equal(series.length, 1785);
  deepEqual([...series.voltage_V], [...original.voltage_V]);
  deepEqual([...series.current_A], [...original.current_A]);
  equal(series.columns.voltage_V.original_name, "<Ewe/V>");
  equal(series.columns.current_A.original_name, "<I/mA>");
  deepEqual(variant.meta.warnings, []);
});

Deno.test("biologicMpt.parse() warns when no voltage column is present", () => {
  const text = "time/s\tI/mA\tcycle number\r\n0\t1\t0\r\n10\t1\t0\r\n";
  const rec = biologicMpt.parse(new TextEncoder().encode(text), { fileName: "x.mpt" });
  ok(rec.series!.voltage_V.every(Number.isNaN));
  match(rec.meta.warnings.join("\n"), /no voltage column \(looked for Ecell\/V, Ewe\/V/);
});

Deno.test("biologicMpt.parse() takes the file's Energy we charge/discharge counters", () => {
  const original = mpt(BCD).series!;
  const series = mpt("synthetic/biologic/bcd_energy_we_C01.mpt").series!;
  // The BCD fixture's own `Energy charge/W.h` values, under EC-Lab ≥ 11.50's name.
  deepEqual([...series.charge_energy_Wh], [...original.charge_energy_Wh]);
  deepEqual([...series.discharge_energy_Wh], [...original.discharge_energy_Wh]);
  equal(series.columns.charge_energy_Wh.original_name, "Energy we charge/W.h");
  equal(series.columns.charge_energy_Wh.derived, undefined);
});

Deno.test("biologicMpt.parse() leaves out titles listed after an empty title without values (Ece recorded)", () => {
  const variant = mpt("synthetic/biologic/peis_record_ece_C01.mpt");
  const original = mpt("biologic/exampleDataBioLogic.mpt");
  equal(variant.spectra!.length, 1);
  deepEqual([...variant.spectra![0].z_real_ohm], [...original.spectra![0].z_real_ohm]);
  deepEqual([...variant.spectra![0].z_imag_ohm], [...original.spectra![0].z_imag_ohm]);
  match(variant.meta.warnings.join("\n"), /"Ewe-Ece\/V" listed after an empty column title/);
});

Deno.test("biologicMpr.parse() reads unknown column IDs whose size their low byte gives", () => {
  // 00_test_04_MB_C01.mpr with IDs 883, 884 and 880 (float64) appended to every point: 883 holds
  // the row number × 1e-6, 884 the time in hours, 880 the constant 0.5 (make_variants.py).
  // yadg 7.0.1 reads the file (1501 rows); galvani 0.5.0 refuses it ("Column ID 115 … unknown").
  const original = mpr("biologic/00_test_04_MB_C01.mpr").series!;
  const rec = mpr("synthetic/biologic/mb_unknown_column_ids_C01.mpr");
  const series = rec.series!;
  equal(series.length, 1501);
  const ex = series.extras;
  for (let k = 0; k < 1501; k++) {
    equal(ex.unknown_column_883[k], k * 1e-6);
    equal(ex.unknown_column_884[k], series.time_s[k] / 3600);
    equal(ex.unknown_column_880[k], 0.5);
  }
  deepEqual([...series.voltage_V], [...original.voltage_V]);
  deepEqual([...series.charge_capacity_Ah], [...original.charge_capacity_Ah]);
  match(rec.meta.warnings.join("\n"), /unknown column ID 883 \(0x373\) .*float64/);
  equal(rec.meta.warnings.filter((w) => /unknown column ID/.test(w)).length, 3);
});

Deno.test("biologicMpr and biologicMpt give the same cycles and spectra for a Modulo Bat run with PEIS steps", () => {
  // Known answer (make_variants.py): 4 cycles of +1 mA for 3600 s then −1 mA for 3600 s (1 mAh
  // each way), a 60-point sweep after each discharge whose |Z| and Phase(Z) are PEIS-0.mpr's.
  const bin = mpr("synthetic/biologic/mb_with_peis_C01.mpr");
  const txt = mpt("synthetic/biologic/mb_with_peis_C01.mpt");
  const peis = mpr("biologic/PEIS-0.mpr").spectra![0]; // stores Re(Z) and −Im(Z) itself
  for (const rec of [bin, txt]) {
    equal(rec.series!.length, 4 * 122);
    const table = summarizeCycles(rec.series!);
    equal(table.cycles.length, 4);
    for (const c of table.cycles) {
      assertClose(c.charge_capacity_Ah, 1e-3, { rel: 1e-12 });
      assertClose(c.discharge_capacity_Ah, 1e-3, { rel: 1e-12 });
    }
    equal(rec.spectra!.length, 4);
    for (const s of rec.spectra!) {
      equal(s.length, 60);
      for (let j = 0; j < 60; j++) {
        assertClose(s.frequency_Hz[j], peis.frequency_Hz[j], { rel: 1e-7 });
        // Re and Im from |Z| and Phase(Z) agree with the ones EC-Lab stored, to float32 precision.
        assertClose(s.z_real_ohm[j], peis.z_real_ohm[j], { rel: 2e-6 });
        assertClose(s.z_imag_ohm[j], peis.z_imag_ohm[j], { rel: 2e-6, abs: 1e-7 });
      }
    }
  }
  const [a, b] = [summarizeCycles(bin.series!), summarizeCycles(txt.series!)];
  deepEqual(
    a.cycles.map((c) => [c.start_row, c.end_row]),
    b.cycles.map((c) => [c.start_row, c.end_row]),
  );
  equal(bin.spectra![0].columns!.z_real_ohm.derived, true);
});
