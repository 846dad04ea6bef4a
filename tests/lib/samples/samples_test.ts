// Copyright 2026 the battery-analysis authors. MIT license.
// Sample properties end to end on real fixtures: a sample sheet, flags and a configured file-name
// rule give samples their properties at import; then normalize gives areal and specific capacity,
// ASR and ionic conductivity, and update_cell_dataset finds the cells — which no bundled fixture
// allowed before (none carries a CN cell code or any geometry).

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { importDirectory } from "../../../lib/import/import_directory.ts";
import { parseConfig } from "../../../lib/config/load_config.ts";
import { fileNameRuleFromConfig } from "../../../lib/config/file_name_rule.ts";
import { parseSampleSheet } from "../../../parsers/sample_sheet.ts";
import { applySampleSheet } from "../../../lib/samples/apply_sample_sheet.ts";
import { setSampleProperties } from "../../../lib/samples/set_sample_properties.ts";
import { normalizeCell } from "../../../lib/normalize_cell.ts";
import { updateCellDataset } from "../../../lib/cell_dataset.ts";
import { highFrequencyIntercept } from "../../../analysis/high_frequency_intercept.ts";
import { parseRecording } from "../../../parsers/parse_recording.ts";
import { assertClose, fixturePath, readFixture } from "../../_util.ts";
import { STORE_CASES } from "../import/_stores.ts";

const ZN03 = "BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV";
const ZN04 = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
const ZN06 = "BL_Zn_SymCell_072023_06_Channel_55_Wb_1.CSV";
const EIS = "0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt";

async function folder(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "battery_samples_" });
  for (const f of [ZN03, ZN04, ZN06]) await Deno.copyFile(fixturePath(`arbin/${f}`), join(dir, f));
  await Deno.copyFile(fixturePath(`biologic/${EIS}`), join(dir, EIS));
  return dir;
}

const encode = (s: string) => new TextEncoder().encode(s);

// The lab's configuration: Arbin names that carry the plated capacity per cycle ("_1mAh_").
const CONFIG = parseConfig(
  `file_name_patterns = ['^(?<sample>.+_(?<nominal_capacity_mAh>[\\d.]+)mAh)_Channel_(?<channel>\\d+)$']\n`,
  { path: "c.toml", format: "toml" },
).values;

// The lab's sheet: file patterns for the Zn cells, one row by sample name for the EIS cell.
const SHEET = parseSampleSheet(
  encode(
    [
      "File,Sample,Cell Code,Chemistry,Form Factor,Area (cm2),Thickness (um)",
      "BL_Zn_SymCell_072023_0[34]_*,,,Zn|0.5 M Zn(TFSI)2|Zn,2032,1.13,",
      `${ZN04},,CN204,,,,`,
      "*_ThinCell_C03.mpt,EIS_cell_06,CN206,Zn|0.5 M Zn(TFSI)2|Zn,,0.5,200",
    ].join("\n"),
  ),
  { fileName: "samples.csv" },
);

for (const storeCase of STORE_CASES) {
  Deno.test(`import with a sample sheet, flags and a file-name rule sets sample properties; normalize and cell datasets work (${storeCase.name})`, async () => {
    const dir = await folder();
    const { store, cleanup } = await storeCase.open();
    try {
      // A value set by hand before the import is not overwritten by what the file name says.
      await setSampleProperties(store, "BL_Zn_SymCell_072023_03_1mAh", {
        nominal_capacity_Ah: 0.002,
      }, { create: true });
      const summary = await importDirectory(store, [dir], {
        workers: 0,
        fileNameRule: fileNameRuleFromConfig(CONFIG),
        sheet: SHEET,
        sampleInfo: { manufacturer: "self-made" },
      });
      equal(summary.created, 4, JSON.stringify(summary.outcomes));
      deepEqual(summary.datasets_updated, ["CN204", "CN206"]);

      const s03 = (await store.samples.getByName("BL_Zn_SymCell_072023_03_1mAh"))!;
      equal(s03.nominal_capacity_Ah, 0.002); // set by hand, kept
      equal(s03.area_cm2, 1.13); // sheet, by pattern
      equal(s03.chemistry, "Zn|0.5 M Zn(TFSI)2|Zn");
      equal(s03.manufacturer, "self-made"); // flag
      const s04 = (await store.samples.getByName("BL_Zn_SymCell_072023_04_1mAh"))!;
      equal(s04.nominal_capacity_Ah, 0.001); // the file-name rule's group: "_1mAh_"
      equal(s04.cell_code, "CN204"); // sheet, by exact file name
      equal(s04.form_factor, "2032");
      const s06 = (await store.samples.getByName("BL_Zn_SymCell_072023_06"))!;
      // No "mAh" in its name and no sheet row: only the flag.
      equal(s06.nominal_capacity_Ah, null);
      equal(s06.area_cm2, null);
      equal(s06.manufacturer, "self-made");
      // The EIS file goes to the sample its row names.
      const eisSample = (await store.samples.getByName("EIS_cell_06"))!;
      equal(eisSample.thickness_cm, 0.02);
      equal(eisSample.area_cm2, 0.5);
      const [eisTest] = await store.tests.find({ sample_id: eisSample.id });
      equal(eisTest.cell_code, "CN206");
      // Instrument header values (EC-Lab's default 0.001 cm², 0.001 g) are not taken as
      // properties; they stay in the test's metadata.
      equal(eisSample.active_mass_g, null);
      equal(eisTest.metadata.electrode_area_cm2, 0.001);

      // Areal and specific capacity from the stored test's capacity and the sample's geometry.
      await setSampleProperties(store, s04.id, { active_mass_g: 0.0125 });
      const zn = await normalizeCell(store, "CN204");
      const cap = zn.capacity!;
      ok(cap.initial_capacity_mAh > 0);
      // Definitions: mAh / cm², mAh / g.
      assertClose(cap.areal_capacity_mAh_per_cm2!, cap.initial_capacity_mAh / 1.13, { rel: 1e-12 });
      assertClose(cap.specific_capacity_mAh_per_g!, cap.initial_capacity_mAh / 0.0125, {
        rel: 1e-12,
      });
      deepEqual(zn.problems, ["no impedance test"]);

      // ASR and conductivity of the EIS cell: R from the data's high-frequency intercept
      // (checked against its own reference in high_frequency_intercept_test.ts), A = 0.5 cm²,
      // t = 200 µm.
      const spectra = parseRecording(readFixture(`biologic/${EIS}`), { fileName: EIS }).spectra!;
      const r = highFrequencyIntercept(spectra[spectra.length - 1])!.resistance_ohm;
      const z = (await normalizeCell(store, "CN206")).impedance!;
      assertClose(z.resistance_ohm, r, { rel: 1e-12 });
      assertClose(z.area_specific_resistance_ohm_cm2!, r * 0.5, { rel: 1e-12 });
      assertClose(z.ionic_conductivity_S_per_cm!, 0.02 / (r * 0.5), { rel: 1e-12 });

      // Cell datasets: the cell codes the sheet gave are found.
      const ds = (await store.datasets.latest("CN204"))!;
      equal(ds.test_ids.length, 1);
      ok(ds.cycles.length > 0);
      equal((await updateCellDataset(store, "CN204")).changed, false);
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`setSampleProperties() gives a new cell code to the sample's tests and datasets (${storeCase.name})`, async () => {
    const dir = await folder();
    const { store, cleanup } = await storeCase.open();
    try {
      await importDirectory(store, [join(dir, ZN06)], { workers: 0 });
      const sample = (await store.samples.getByName("BL_Zn_SymCell_072023_06"))!;
      const r = await setSampleProperties(store, sample.name, { cell_code: "CN55", area_cm2: 2 });
      deepEqual(r.changed.map((c) => c.field), ["cell_code", "area_cm2"]);
      equal(r.tests_updated.length, 1);
      deepEqual(r.datasets_updated, ["CN55"]);
      equal((await store.tests.get(r.tests_updated[0]))!.cell_code, "CN55");
      // Changing it again moves the tests and leaves the old code's dataset empty.
      const again = await setSampleProperties(store, sample.id, { cell_code: "CN56" });
      deepEqual(again.datasets_updated, ["CN55", "CN56"]);
      equal((await store.datasets.latest("CN55"))!.test_ids.length, 0);
      // Clearing a value.
      equal(
        (await setSampleProperties(store, sample.id, { area_cm2: null })).sample.area_cm2,
        null,
      );
      // A nominal capacity far below the measured 1.13 mAh per cycle (zn_expected.py): the
      // sample's tests are analysed again with it, and the analysis flags the capacities.
      const test = (await store.tests.find({ sample_id: sample.id }))[0];
      equal(test.analysis!.summary.flag_codes.includes("capacity_implausible"), false);
      const nominal = await setSampleProperties(store, sample.id, { nominal_capacity_Ah: 1e-5 });
      deepEqual(nominal.tests_analyzed, [test.id]);
      const flagged = (await store.tests.get(test.id))!.analysis!;
      ok(
        flagged.summary.flag_codes.includes("capacity_implausible"),
        flagged.summary.flag_codes.join(),
      );
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`applySampleSheet() sets properties of stored samples and moves tests a row assigns (${storeCase.name})`, async () => {
    const dir = await folder();
    const { store, cleanup } = await storeCase.open();
    try {
      await importDirectory(store, [dir], { workers: 0 });
      const dry = await applySampleSheet(store, SHEET, { dryRun: true });
      equal(dry.dry_run, true);
      deepEqual(dry.moved.map((m) => [m.from, m.to]), [[
        "0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell",
        "EIS_cell_06",
      ]]);
      equal(await store.samples.getByName("EIS_cell_06"), null); // nothing written
      const report = await applySampleSheet(store, SHEET);
      deepEqual(report.created, ["EIS_cell_06"]);
      deepEqual(report.datasets_updated.sort(), ["CN204", "CN206"]);
      const s04 = (await store.samples.getByName("BL_Zn_SymCell_072023_04_1mAh"))!;
      equal(s04.cell_code, "CN204");
      equal(s04.area_cm2, 1.13);
      const moved = (await store.tests.find({ cell_code: "CN206" }))[0];
      equal(moved.sample_id, (await store.samples.getByName("EIS_cell_06"))!.id);
      // Idempotent.
      const second = await applySampleSheet(store, SHEET);
      deepEqual(second.moved, []);
      ok(second.samples.every((s) => s.changed.length === 0));
      deepEqual(second.datasets_updated, []);
    } finally {
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
