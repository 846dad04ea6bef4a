// Copyright 2026 the battery-analysis authors. MIT license.

import { deepStrictEqual, equal } from "node:assert/strict";
import { normalizeCell } from "../../lib/normalize_cell.ts";
import { SqliteStore } from "../../lib/store/sqlite_store.ts";
import { parseRecording } from "../../parsers/parse_recording.ts";
import { assertClose, readFixture } from "../_util.ts";

Deno.test("normalizeCell() takes R0 from a circuit fit when asked, with its grade", async () => {
  const store = await SqliteStore.open({ path: ":memory:" });
  try {
    // The ZPlot dummy cell: fitting R0-p(R1,C1) gives about R0 = 29.1 Ω (published with the
    // fixture, tests/fixtures/README.md); the data's high-frequency intercept is 29.089 Ω
    // (tests/analysis/scripts/high_frequency_intercept_expected.py).
    const spectra = parseRecording(readFixture("eis/Circuit1_EIS_1.z"), {
      fileName: "Circuit1_EIS_1.z",
    }).spectra!;
    const sample = await store.samples.create({
      name: "dummy",
      cell_code: "CN1",
      area_cm2: 2,
      thickness_cm: 0.05,
    });
    await store.tests.create({
      sample_id: sample.id,
      tester: "Scribner",
      test_type: "EIS",
      name: "Circuit1_EIS_1",
      file_hash: "c".repeat(64),
      cell_code: "CN1",
    }, { spectra });
    const fit = await normalizeCell(store, "CN1", { resistance: "fit" });
    equal(fit.impedance!.fit!.quality, "good");
    assertClose(fit.impedance!.resistance_ohm, 29.1, { rel: 0.01 });
    // ASR = R·A, σ = t/(R·A) with A = 2 cm², t = 0.05 cm.
    const r = fit.impedance!.resistance_ohm;
    assertClose(fit.impedance!.area_specific_resistance_ohm_cm2!, r * 2, { rel: 1e-12 });
    assertClose(fit.impedance!.ionic_conductivity_S_per_cm!, 0.05 / (r * 2), { rel: 1e-12 });
    deepStrictEqual(fit.problems, ["no cycling test with a reference capacity"]);
    const intercept = await normalizeCell(store, "CN1");
    assertClose(intercept.impedance!.resistance_ohm, 29.089, { rel: 1e-9 });
    equal(intercept.impedance!.frequency_Hz, 25059.36);
    // Geometry given by the caller wins over the sample's.
    const given = await normalizeCell(store, "CN1", { area_cm2: 1, thickness_cm: 0.1 });
    equal(given.geometry_source, "options");
    assertClose(given.impedance!.ionic_conductivity_S_per_cm!, 0.1 / 29.089, { rel: 1e-9 });
  } finally {
    await store.close();
  }
});
