// Copyright 2026 the battery-analysis authors. MIT license.
// The store contract: every Store implementation must pass these cases. `contract_test.ts` runs
// them against the SQLite file store, the in-memory store and (when MONGO_URI is set) MongoDB.

// deepStrictEqual: under Deno, `deepEqual` from node:assert/strict compares loosely (NaN ≠ NaN).
import {
  deepStrictEqual as deepEqual,
  equal,
  match,
  notEqual,
  ok,
  rejects,
} from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Store } from "../../../lib/store/store.ts";
import { ConflictError, NotFoundError } from "../../../lib/store/store_error.ts";
import { updateCellDataset } from "../../../lib/cell_dataset.ts";
import { analyzeTest } from "../../../analysis/analyze_test.ts";
import { packRaw } from "../../../lib/store/raw_codec.ts";
import { randomKey } from "../../../lib/store/_test_query.ts";
import { assertClose } from "../../_util.ts";
import {
  hashOf,
  makeBytes,
  makeCycle,
  makeSeries,
  makeSpectrum,
  realFadeTest,
} from "./_fixtures.ts";

/** Opens a fresh, empty store with 1000-row chunks; `cleanup` closes and removes it. */
export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

type Case = [string, (store: Store) => Promise<void>];

async function newSample(store: Store, name: string): Promise<string> {
  return (await store.samples.create({ name })).id;
}

const CASES: Case[] = [
  ["samples.create() stores every field and rejects a taken name", async (store) => {
    const sample = await store.samples.create({
      name: "CN1",
      chemistry: "NMC811/Graphite",
      nominal_capacity_Ah: 0.005,
      area_cm2: 1.54,
      thickness_cm: 0.012,
      mass_g: 0.021,
      cell_code: "CN1",
      tags: ["a", "b", "a"],
      metadata: { "Electrode surface area": "1.54 cm²", nested: { x: [1, 2] } },
    });
    const got = await store.samples.get(sample.id);
    deepEqual(got, sample);
    equal(got?.nominal_capacity_Ah, 0.005);
    deepEqual(got?.tags, ["a", "b"]); // duplicates dropped, order kept
    deepEqual(got?.metadata, { "Electrode surface area": "1.54 cm²", nested: { x: [1, 2] } });
    equal(got?.metrics.test_count, 0);
    equal(typeof got?.id, "string");
    ok(Date.parse(got!.created_at) > 0);
    await rejects(store.samples.create({ name: "CN1" }), (e) => {
      ok(e instanceof ConflictError);
      equal(e.existingId, sample.id);
      return true;
    });
    await rejects(store.samples.create({ name: "" }), TypeError);
    equal(await store.samples.get("nope"), null);
    equal(await store.samples.getByName("nope"), null);
  }],

  ["samples.upsert() creates once, then merges fields and adds tags", async (store) => {
    const first = await store.samples.upsert({ name: "S1", tags: ["x"], chemistry: "LFP" });
    equal(first.created, true);
    const second = await store.samples.upsert({ name: "S1", tags: ["y"], manufacturer: "ACME" });
    equal(second.created, false);
    equal(second.doc.id, first.doc.id);
    deepEqual(second.doc.tags, ["x", "y"]);
    equal(second.doc.chemistry, "LFP");
    equal(second.doc.manufacturer, "ACME");
    const third = await store.samples.upsert({ name: "S1" });
    deepEqual(third.doc, second.doc); // no fields: no change
    equal(await store.samples.count(), 1);
  }],

  ["samples.upsert() of one name by many concurrent writers makes one sample", async (store) => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.samples.upsert({ name: "race", tags: [`t${i}`] })),
    );
    equal(results.filter((r) => r.created).length, 1);
    equal(new Set(results.map((r) => r.doc.id)).size, 1);
    equal(await store.samples.count({ name: "race" }), 1);
    const stored = await store.samples.getByName("race");
    equal(stored?.tags.length, 12); // every writer's tag was added ($addToSet semantics)
  }],

  ["samples links: self and dangling links are errors, real ones are stored", async (store) => {
    const anode = await newSample(store, "anode");
    const cell = await store.samples.create({ name: "cell", anode_id: anode });
    equal(cell.anode_id, anode);
    await rejects(
      store.samples.update(cell.id, { parent_id: cell.id }),
      /cannot reference the sample itself/,
    );
    await rejects(
      store.samples.update(cell.id, { cathode_id: "missing" }),
      /"missing" does not reference/,
    );
    await rejects(store.samples.create({ name: "x", parent_id: "missing" }), RangeError);
    equal(await store.samples.getByName("x"), null);
    const batch = await newSample(store, "batch");
    const updated = await store.samples.update(cell.id, { parent_id: batch, name: "cell-1" });
    equal(updated.parent_id, batch);
    equal(updated.name, "cell-1");
    equal(updated.anode_id, anode);
    deepEqual((await store.samples.find({ parent_id: batch })).map((s) => s.name), ["cell-1"]);
    await rejects(store.samples.delete(anode), ConflictError); // still linked from cell-1
    await rejects(store.samples.update(cell.id, { name: "batch" }), ConflictError);
    await store.samples.update(cell.id, { anode_id: null });
    await store.samples.delete(anode);
    equal(await store.samples.get(anode), null);
    await rejects(store.samples.delete(anode), NotFoundError);
  }],

  ["samples.find() filters by chemistry, cell code and all tags, sorted by name", async (store) => {
    await store.samples.create({ name: "b", chemistry: "NMC", tags: ["t1", "t2"] });
    await store.samples.create({ name: "a", chemistry: "NMC", tags: ["t1"], cell_code: "CN7" });
    await store.samples.create({ name: "c", chemistry: "LFP", tags: ["t2"] });
    deepEqual((await store.samples.find({ chemistry: "NMC" })).map((s) => s.name), ["a", "b"]);
    deepEqual((await store.samples.find({ tags: ["t1", "t2"] })).map((s) => s.name), ["b"]);
    deepEqual((await store.samples.find({ tags: ["t2"] })).map((s) => s.name), ["b", "c"]);
    deepEqual((await store.samples.find({ cell_code: "CN7" })).map((s) => s.name), ["a"]);
    deepEqual((await store.samples.find({ limit: 2, skip: 1 })).map((s) => s.name), ["b", "c"]);
    equal(await store.samples.count({ chemistry: "NMC" }), 2);
  }],

  ["samples.addNote() appends notes in order with author or null", async (store) => {
    const id = await newSample(store, "n");
    await store.samples.addNote(id, { text: "first", author: "ben" });
    await store.samples.addNote(id, { text: "second" });
    const notes = (await store.samples.get(id))!.notes;
    deepEqual(notes.map((n) => [n.text, n.author]), [["first", "ben"], ["second", null]]);
    ok(notes[0].timestamp <= notes[1].timestamp);
    await rejects(store.samples.addNote("missing", { text: "x" }), NotFoundError);
  }],

  ["tests.create() stores a test with series and spectra that read back exactly", async (store) => {
    const sampleId = await newSample(store, "CN9");
    const series = makeSeries(2500); // 3 chunks of 1000 rows
    const spectra = [makeSpectrum(47, 0, 1), makeSpectrum(30, 1)];
    const test = await store.tests.create({
      sample_id: sampleId,
      tester: "Arbin",
      name: "CN9_run_Channel_5_Wb_1",
      file_hash: hashOf("file-1"),
      start_time: "2023-07-21T10:02:08.918Z",
      temperature_C: 25,
      metadata: { "a.b": 1, "$x": "dollar" },
    }, { series, spectra });
    equal(test.base_name, "CN9_run_Channel_5"); // `_Wb_1` stripped (parseFileName rule)
    equal(test.cell_code, "CN9"); // from the name
    equal(test.test_type, "Cycling");
    deepEqual(test.parts, [{
      file_hash: hashOf("file-1"),
      file_name: "CN9_run_Channel_5_Wb_1",
      start_row: 0,
      end_row: 2500,
    }]);
    equal(test.data.series?.length, 2500);
    deepEqual(test.data.series?.extras, ["internal_resistance_ohm", "acr_ohm"]);
    const got = await store.tests.get(test.id);
    deepEqual(got, test);
    deepEqual(got?.metadata, { "a.b": 1, "$x": "dollar" });
    const back = await store.series.read(test.id);
    deepEqual(back, series); // typed arrays, NaN, extras order, provenance, start_time
    const spectraBack = await store.spectra.read(test.id);
    deepEqual(spectraBack, spectra);
    equal("cycle" in spectraBack[1], false); // an absent cycle stays absent
  }],

  ["series.read() of a cycle or a row range returns exactly those rows", async (store) => {
    const sampleId = await newSample(store, "s");
    const series = makeSeries(3000);
    const test = await store.tests.create({
      sample_id: sampleId,
      tester: "Arbin",
      name: "rows",
      file_hash: hashOf("rows"),
      cycles: [
        makeCycle(1, [0, 1200], { charge: 1, discharge: 0.9 }),
        makeCycle(2, [1200, 2100], { charge: 1, discharge: 0.8 }),
        makeCycle(3, [2100, 3000], { charge: 1, discharge: 0.7 }),
      ],
    }, { series });
    const cycle2 = await store.series.read(test.id, { cycle: 2 });
    equal(cycle2?.length, 900);
    deepEqual(cycle2?.time_s, series.time_s.slice(1200, 2100)); // time_s = row number
    deepEqual(cycle2?.step_index, series.step_index.slice(1200, 2100));
    deepEqual(cycle2?.extras.acr_ohm, series.extras.acr_ohm.slice(1200, 2100));
    deepEqual(cycle2?.temperature_C, series.temperature_C!.slice(1200, 2100));
    const rows = await store.series.read(test.id, { rows: [999, 1001] });
    deepEqual(Array.from(rows!.time_s), [999, 1000]); // crosses a chunk boundary
    equal((await store.series.read(test.id, { rows: [5, 5] }))?.length, 0);
    await rejects(store.series.read(test.id, { rows: [0, 3001] }), RangeError);
    await rejects(store.series.read(test.id, { cycle: 4 }), /has no cycle 4/);
    await rejects(store.series.read("missing"), NotFoundError);
    const bare = await store.tests.create({
      sample_id: sampleId,
      tester: "Arbin",
      name: "bare",
      file_hash: hashOf("bare"),
    });
    equal(await store.series.read(bare.id), null);
    deepEqual(await store.spectra.read(bare.id), []);
  }],

  [
    "the analysis is stored with the test; sample aggregates follow the tests' summaries",
    async (store) => {
      const sampleId = await newSample(store, "agg");
      // Test 1: discharge 1.0 → 0.8 (retention 0.8), CE 0.9 and 0.92 (charge 1.0/0.9 → 0.8/0.92
      // chosen so that discharge/charge = CE), EE 0.85, IR 0.1 and 0.2 (median 0.15). The caller
      // (the import pipeline) computes the analysis; the store keeps it as given.
      const c1 = [
        makeCycle(1, [0, 10], { charge: 1.0 / 0.9, discharge: 1.0, ee: 0.85, ir: 0.1 }),
        makeCycle(2, [10, 20], { charge: 0.8 / 0.92, discharge: 0.8, ee: 0.85, ir: 0.2 }),
      ];
      const a1 = analyzeTest({ cycles: c1 }).toJSON();
      const t1 = await store.tests.create({
        sample_id: sampleId,
        tester: "Arbin",
        name: "t1",
        file_hash: hashOf("t1"),
        cycles: c1,
        analysis: a1,
        analysis_options: { threshold: 0.7 },
      });
      deepEqual(t1.analysis, a1);
      deepEqual(t1.analysis_options, { threshold: 0.7 });
      const s1 = (await store.tests.get(t1.id))!.analysis!.summary;
      equal(s1.cycle_count, 2);
      equal(s1.initial_capacity_Ah, 1.0);
      equal(s1.final_capacity_Ah, 0.8);
      assertClose(s1.capacity_retention!, 0.8);
      assertClose(s1.mean_coulombic_efficiency!, 0.91); // (0.9 + 0.92) / 2
      assertClose(s1.mean_energy_efficiency!, 0.85);
      assertClose(s1.median_internal_resistance_ohm!, 0.15); // median of 0.1, 0.2
      // Read back whole, and without the per-cycle tables for listings.
      deepEqual((await store.tests.get(t1.id))!.analysis, a1);
      const light = (await store.tests.find({ sample_id: sampleId, without_cycles: true }))[0];
      deepEqual(light.cycles, []);
      deepEqual(light.analysis!.cycles, []);
      deepEqual(light.analysis!.summary, a1.summary);
      deepEqual(light.analysis!.flags, a1.flags);
      // Listed: no cycles, the analysis's head (summary, flags, options, notes, end of life,
      // reference) without its bulky parts, and when the last cycle ends (cycle 2: rows 10–19,
      // one per second, so at 19 s).
      const listed = (await store.tests.list({ sample_id: sampleId }))[0];
      equal(listed.id, t1.id);
      equal("cycles" in listed, false);
      equal(listed.end_time_s, 19);
      const {
        cycles: _c,
        current_levels: _l,
        retention: _r,
        fade: _f,
        dqdv: _d,
        pulse: _p,
        ...head
      } = a1;
      deepEqual(listed.analysis, head);
      const { cycles: _cycles, analysis: _analysis, ...fields } = (await store.tests.get(t1.id))!;
      const { analysis: _head, end_time_s: _end, ...listedFields } = listed;
      deepEqual(listedFields, fields);
      // A fade analysis read back whole after the listing split it off (SQLite keeps it apart).
      deepEqual((await store.tests.find({ sample_id: sampleId }))[0].analysis, a1);
      // Test 2: 1.2 → 1.0 (original spec §3.3: avg_initial 1.1, avg_final 0.9,
      // avg_retention (0.8 + 0.8333)/2).
      const c2 = [
        makeCycle(1, [0, 10], { charge: 1.3, discharge: 1.2, ir: 0.3 }),
        makeCycle(2, [10, 20], { charge: 1.1, discharge: 1.0 }),
      ];
      const t2 = await store.tests.create({
        sample_id: sampleId,
        tester: "Arbin",
        name: "t2",
        file_hash: hashOf("t2"),
        cycles: c2,
        analysis: analyzeTest({ cycles: c2 }).toJSON(),
      });
      equal(t2.analysis!.summary.initial_capacity_Ah, 1.2);
      // Lists select, sort and page as find does.
      for (
        const filter of [
          { sort: { key: "initial_capacity_Ah" as const, order: "desc" as const } },
          { sort: { key: "name" as const }, limit: 1, skip: 1 },
          { text: "t2" },
        ]
      ) {
        deepEqual(
          (await store.tests.list(filter)).map((t) => t.id),
          (await store.tests.find({ ...filter, without_cycles: true })).map((t) => t.id),
          JSON.stringify(filter),
        );
      }
      deepEqual(t2.analysis_options, {});
      let m = (await store.samples.get(sampleId))!.metrics;
      equal(m.test_count, 2);
      assertClose(m.avg_initial_capacity_Ah!, 1.1);
      assertClose(m.avg_final_capacity_Ah!, 0.9);
      assertClose(m.avg_capacity_retention!, (0.8 + 1.0 / 1.2) / 2);
      assertClose(m.avg_energy_efficiency!, 0.85); // only t1 has energy efficiency
      assertClose(m.median_internal_resistance_ohm!, (0.15 + 0.3) / 2);
      // New cycles with their new analysis update only t2's contribution.
      const c2b = [makeCycle(1, [0, 10], { charge: 2.2, discharge: 2.0 })];
      await store.tests.update(t2.id, {
        cycles: c2b,
        analysis: analyzeTest({ cycles: c2b }).toJSON(),
      });
      m = (await store.samples.get(sampleId))!.metrics;
      assertClose(m.avg_initial_capacity_Ah!, 1.5); // (1.0 + 2.0) / 2
      assertClose(m.avg_final_capacity_Ah!, 1.4); // (0.8 + 2.0) / 2
      // New cycles without an analysis clear the stale one: t2 then counts in test_count only.
      const cleared = await store.tests.update(t2.id, { cycles: c2 });
      equal(cleared.analysis, null);
      m = (await store.samples.get(sampleId))!.metrics;
      equal(m.test_count, 2);
      equal(m.avg_initial_capacity_Ah, 1.0);
      await rejects(
        store.tests.update(t2.id, { analysis_options: { colour: 1 } as never }),
        TypeError,
      );
      await rejects(store.tests.update(t2.id, { analysis: { summary: {} } as never }), TypeError);
      await store.tests.delete(t1.id);
      m = (await store.samples.get(sampleId))!.metrics;
      equal(m.test_count, 1);
      equal(m.avg_initial_capacity_Ah, null);
      equal(m.avg_energy_efficiency, null);
      await store.tests.delete(t2.id);
      deepEqual((await store.samples.get(sampleId))!.metrics.test_count, 0);
      await store.samples.delete(sampleId); // no tests left
    },
  ],

  ["tests are unique by file hash and by every part's hash", async (store) => {
    const sampleId = await newSample(store, "dedup");
    const h1 = hashOf("part-1");
    const h2 = hashOf("part-2");
    const test = await store.tests.create({
      sample_id: sampleId,
      tester: "Arbin",
      name: "X_Channel_1_Wb_1",
      file_hash: h1,
      parts: [
        { file_hash: h1, file_name: "X_Channel_1_Wb_1.CSV", start_row: 0, end_row: 10 },
        { file_hash: h2, file_name: "X_Channel_1_Wb_2.CSV", start_row: 10, end_row: 20 },
      ],
    });
    equal((await store.tests.getByHash(h2))?.id, test.id);
    equal((await store.tests.getByHash(h1.toUpperCase()))?.id, test.id);
    equal(await store.tests.getByHash(hashOf("other")), null);
    for (const hash of [h1, h2]) {
      await rejects(
        store.tests.create({ sample_id: sampleId, tester: "Arbin", name: "dup", file_hash: hash }),
        (e) => e instanceof ConflictError && e.existingId === test.id,
      );
    }
    await rejects(
      store.tests.create({ sample_id: sampleId, tester: "A", name: "bad", file_hash: "abc" }),
      TypeError,
    );
    await rejects(
      store.tests.create({ sample_id: "missing", tester: "A", name: "m", file_hash: hashOf("m") }),
      /does not reference a stored sample/,
    );
    await rejects(
      store.tests.create({
        sample_id: sampleId,
        tester: "A",
        name: "bad-type",
        file_hash: hashOf("bt"),
        test_type: "Magic" as never,
      }),
      RangeError,
    );
    equal(await store.tests.count(), 1);
    // After deletion the hashes are free again.
    await store.tests.delete(test.id);
    equal(await store.tests.getByHash(h2), null);
    const again = await store.tests.create({
      sample_id: sampleId,
      tester: "Arbin",
      name: "again",
      file_hash: h2,
    });
    equal((await store.tests.getByHash(h2))?.id, again.id);
  }],

  [
    "tests.update() replaces data atomically: a failed update leaves the old test",
    async (store) => {
      const sampleId = await newSample(store, "atomic");
      const other = await store.tests.create({
        sample_id: sampleId,
        tester: "Arbin",
        name: "other",
        file_hash: hashOf("other"),
      });
      const s1 = makeSeries(1500);
      const test = await store.tests.create({
        sample_id: sampleId,
        tester: "Arbin",
        name: "t",
        file_hash: hashOf("t"),
      }, { series: s1, spectra: [makeSpectrum(10, 0)] });
      const before = await store.tests.get(test.id);
      // A part hash owned by another test makes the whole update fail.
      await rejects(
        store.tests.update(test.id, {
          name: "renamed",
          parts: [{ file_hash: hashOf("other"), file_name: "o", start_row: 0, end_row: 1 }],
        }, { series: makeSeries(10) }),
        (e) => e instanceof ConflictError && e.existingId === other.id,
      );
      deepEqual(await store.tests.get(test.id), before);
      deepEqual(await store.series.read(test.id), s1);
      // A successful update replaces the series and keeps the spectra.
      const s2 = makeSeries(1200);
      s2.voltage_V.fill(4.2);
      const updated = await store.tests.update(test.id, { name: "renamed" }, { series: s2 });
      equal(updated.name, "renamed");
      equal(updated.created_at, test.created_at);
      ok(updated.updated_at > test.updated_at);
      notEqual(updated.data.series?.version, test.data.series?.version);
      equal(updated.data.spectra[0].version, test.data.spectra[0].version);
      deepEqual(await store.series.read(test.id), s2);
      deepEqual(await store.spectra.read(test.id), [makeSpectrum(10, 0)]);
      // series.write and spectra.write are the same atomic path.
      await store.series.write(test.id, s1);
      deepEqual(await store.series.read(test.id), s1);
      await store.spectra.write(test.id, []);
      deepEqual(await store.spectra.read(test.id), []);
      await store.tests.update(test.id, {}, { series: null });
      equal(await store.series.read(test.id), null);
      await rejects(store.tests.update("missing", { name: "x" }), NotFoundError);
      await rejects(store.tests.update(test.id, { bogus: 1 } as never), /unknown test field/);
    },
  ],

  [
    "tests.find() filters, sorts by start time (unknown last) and can omit cycles",
    async (store) => {
      const a = await newSample(store, "A");
      const b = await newSample(store, "B");
      const mk = (name: string, sample: string, start: string | null, extra = {}) =>
        store.tests.create({
          sample_id: sample,
          tester: "Arbin",
          name,
          file_hash: hashOf(name),
          start_time: start,
          cycles: [makeCycle(1, [0, 1], { charge: 1, discharge: 1 })],
          ...extra,
        });
      await mk("late_CN2", a, "2024-01-20T00:00:00.000Z", { tags: ["x", "y"] });
      await mk("none_CN1", a, null);
      await mk("early_CN2", b, "2024-01-15T08:00:00.000Z", { tags: ["x"], test_type: "EIS" });
      await mk("feb", b, "2024-02-01T00:00:00.000Z", { tester: "BioLogic" });
      const names = async (f = {}) => (await store.tests.find(f)).map((t) => t.name);
      deepEqual(await names(), ["early_CN2", "late_CN2", "feb", "none_CN1"]);
      deepEqual(await names({ sample_id: a }), ["late_CN2", "none_CN1"]);
      deepEqual(await names({ sample_ids: [a, b], cell_code: "CN2" }), ["early_CN2", "late_CN2"]);
      deepEqual(await names({ tags: ["x", "y"] }), ["late_CN2"]);
      deepEqual(await names({ tester: "BioLogic" }), ["feb"]);
      deepEqual(await names({ test_type: "EIS" }), ["early_CN2"]);
      // January 2024 (end exclusive), as search_tests' date range should have been.
      deepEqual(
        await names({
          started_from: "2024-01-01T00:00:00.000Z",
          started_before: "2024-02-01T00:00:00.000Z",
        }),
        ["early_CN2", "late_CN2"],
      );
      deepEqual(await names({ limit: 2, skip: 1 }), ["late_CN2", "feb"]);
      equal((await store.tests.find({ without_cycles: true }))[0].cycles.length, 0);
      equal((await store.tests.find({}))[0].cycles.length, 1);
      equal(await store.tests.count({ sample_id: b }), 2);
      deepEqual(await store.tests.cellCodes(), ["CN1", "CN2"]);
    },
  ],

  [
    "tests.find filters, sorts and pages by the stored analysis and free text in the store",
    async (store) => {
      const a = await store.samples.create({ name: "QCellA", chemistry: "NMC811/Gr" });
      const b = await store.samples.create({ name: "QCellB", chemistry: "LFP" });
      // Retention = discharge of cycle 2 / cycle 1 (analyzeTest's reference is cycle 1).
      const rows: [string, string, string, number | null, string | null, string[]][] = [
        ["q1", a.id, "Arbin", 0.95, "2024-01-03T00:00:00.000Z", ["fast"]],
        ["q2", a.id, "arbin", 0.8, "2024-01-01T00:00:00.000Z", []],
        ["q3", b.id, "Maccor", null, "2024-01-02T00:00:00.000Z", ["fast"]],
        ["q4", b.id, "ARBIN", 0.7, null, []],
        ["q5", b.id, "Neware", 0.9, "2024-01-05T00:00:00.000Z", ["slow"]],
      ];
      for (const [name, sampleId, tester, r, start, tags] of rows) {
        const cycles = r === null ? [] : [
          makeCycle(1, [0, 10], { charge: 1.02, discharge: 1.0 }),
          makeCycle(2, [10, 20], { charge: r / 0.98, discharge: r }),
        ];
        await store.tests.create({
          sample_id: sampleId,
          tester,
          name,
          file_hash: hashOf(name),
          start_time: start,
          tags,
          cycles,
          analysis: r === null ? null : analyzeTest({ cycles }).toJSON(),
        });
      }
      const names = async (filter: Parameters<Store["tests"]["find"]>[0]) =>
        (await store.tests.find({ ...filter, without_cycles: true })).map((t) => t.name);
      // By start time (none last) when no sort is given.
      deepEqual(await names({ summary: [{ field: "capacity_retention", op: "<", value: 0.85 }] }), [
        "q2",
        "q4",
      ]);
      deepEqual(await names({ sort: { key: "capacity_retention", order: "desc" } }), [
        "q1",
        "q5",
        "q2",
        "q4",
        "q3", // no analysis: last either way
      ]);
      deepEqual(
        await names({ sort: { key: "capacity_retention" }, limit: 2, skip: 1 }),
        ["q2", "q5"],
      );
      equal(
        await store.tests.count({
          summary: [{ field: "capacity_retention", op: ">=", value: 0.9 }],
        }),
        2,
      );
      deepEqual(await names({ tester_any_case: "arbin" }), ["q2", "q1", "q4"]);
      deepEqual(await names({ text: "lfp" }), ["q3", "q5", "q4"]);
      deepEqual(await names({ text: "QCELLA q1" }), ["q1"]);
      deepEqual(await names({ text: "fast", tags: ["fast"] }), ["q3", "q1"]);
      deepEqual(await names({ sort: { key: "sample", order: "desc" } }), [
        "q3",
        "q5",
        "q4",
        "q2",
        "q1",
      ]);
      deepEqual(await names({ sort: { key: "start_time", order: "desc" } }), [
        "q5",
        "q1",
        "q3",
        "q2",
        "q4",
      ]);
      // Protocol and flags: the expected sets come from each stored summary.
      const all = await store.tests.find({ without_cycles: true });
      const protocol = all.find((t) => t.analysis)!.analysis!.summary.protocol;
      deepEqual(
        await names({ protocol }),
        all.filter((t) => t.analysis?.summary.protocol === protocol).map((t) => t.name),
      );
      for (const code of new Set(all.flatMap((t) => t.analysis?.summary.flag_codes ?? []))) {
        deepEqual(
          await names({ flags: [code] }),
          all.filter((t) => t.analysis?.summary.flag_codes.includes(code)).map((t) => t.name),
        );
      }
      await rejects(store.tests.find({ flags: ["no_such_flag"] }), RangeError);
      await rejects(store.tests.find({ sort: { key: "bogus" as never } }), RangeError);
      await rejects(
        store.tests.find({
          summary: [{ field: "capacity_retention", op: "!=" as never, value: 1 }],
        }),
        RangeError,
      );
    },
  ],

  [
    "tests.stats() counts and summarizes the matching tests in the store",
    async (store) => {
      const a = await store.samples.create({
        name: "SCellA",
        chemistry: "NMC811/Gr",
        form_factor: "pouch",
      });
      const b = await store.samples.create({ name: "SCellB", chemistry: "LFP" });
      // Retention = discharge of cycle 2 / cycle 1 (analyzeTest's reference is cycle 1).
      const rows: [string, string, string, number | null, string[]][] = [
        ["s1", a.id, "Arbin", 0.95, ["fast", "x"]],
        ["s2", a.id, "arbin", 0.8, []],
        ["s3", b.id, "Maccor", null, ["fast"]],
        ["s4", b.id, "Arbin", 0.7, []],
        ["s5", b.id, "Neware", 0.9, ["slow"]],
      ];
      // Test conditions `tests.numbers` reads beside the headline numbers.
      const temperature: Record<string, number> = { s1: 25, s4: 45 };
      for (const [name, sampleId, tester, r, tags] of rows) {
        const cycles = r === null ? [] : [
          makeCycle(1, [0, 10], { charge: 1.02, discharge: 1.0 }),
          makeCycle(2, [10, 20], { charge: r / 0.98, discharge: r }),
        ];
        await store.tests.create({
          sample_id: sampleId,
          tester,
          name,
          file_hash: hashOf(name),
          tags,
          temperature_C: temperature[name] ?? null,
          cycles,
          analysis: r === null ? null : analyzeTest({ cycles }).toJSON(),
        });
      }
      const stats = await store.tests.stats({}, {
        by: ["tester", "tag", "chemistry", "form_factor", "protocol", "flag", "test_type"],
        metrics: ["capacity_retention", "cycle_count"],
      });
      equal(stats.count, 5);
      // Over the four analysed tests: (0.95 + 0.8 + 0.7 + 0.9) / 4.
      const retention = stats.metrics.capacity_retention!;
      equal(retention.n, 4);
      assertClose(retention.mean!, 0.8375, { rel: 1e-12 });
      assertClose(retention.min!, 0.7, { rel: 1e-12 });
      assertClose(retention.max!, 0.95, { rel: 1e-12 });
      deepEqual(stats.metrics.cycle_count, { n: 4, mean: 2, min: 2, max: 2 });
      const counts = (key: keyof typeof stats.groups) =>
        stats.groups[key]!.map((g) => [g.value, g.count]);
      // Most tests first, ties by value (exact text: testers are not folded), none last.
      deepEqual(counts("tester"), [["Arbin", 2], ["Maccor", 1], ["Neware", 1], ["arbin", 1]]);
      deepEqual(counts("tag"), [["fast", 2], ["slow", 1], ["x", 1]]);
      deepEqual(counts("chemistry"), [["LFP", 3], ["NMC811/Gr", 2]]);
      deepEqual(
        counts("form_factor"),
        [["pouch", 2], [null, 3]].sort((x, y) => (y[1] as number) - (x[1] as number)),
      );
      deepEqual(counts("test_type"), [["Cycling", 5]]);
      // Protocol and flags: the expected counts come from each stored summary.
      const all = await store.tests.find({ without_cycles: true });
      const tally = (values: (string | null)[]) => {
        const m = new Map<string | null, number>();
        for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
        return [...m].sort((x, y) =>
          y[1] - x[1] || (x[0] === null ? 1 : y[0] === null ? -1 : x[0] < y[0] ? -1 : 1)
        );
      };
      deepEqual(counts("protocol"), tally(all.map((t) => t.analysis?.summary.protocol ?? null)));
      deepEqual(counts("flag"), tally(all.flatMap((t) => t.analysis?.summary.flag_codes ?? [])));
      // Numbers per group: the LFP tests with a retention are s4 (0.7) and s5 (0.9).
      const lfp = stats.groups.chemistry!.find((g) => g.value === "LFP")!;
      equal(lfp.metrics.capacity_retention!.n, 2);
      assertClose(lfp.metrics.capacity_retention!.mean!, 0.8, { rel: 1e-12 });
      const fast = stats.groups.tag!.find((g) => g.value === "fast")!;
      deepEqual(fast.metrics.capacity_retention, { n: 1, mean: 0.95 });
      // A filter narrows everything; an empty match has no numbers.
      const filtered = await store.tests.stats({ tags: ["fast"] }, { by: ["tester"] });
      equal(filtered.count, 2);
      deepEqual(filtered.groups.tester!.map((g) => g.value), ["Arbin", "Maccor"]);
      deepEqual(
        await store.tests.stats({ tester: "nobody" }, { metrics: ["knee_cycle"] }),
        {
          count: 0,
          metrics: { knee_cycle: { n: 0, mean: null, min: null, max: null } },
          groups: {},
        },
      );
      deepEqual(await store.tests.stats(), { count: 5, metrics: {}, groups: {} });
      await rejects(store.tests.stats({}, { by: ["colour" as never] }), RangeError);
      await rejects(store.tests.stats({}, { metrics: ["colour" as never] }), RangeError);
      // tests.numbers: the chosen numbers, in find order (here by retention, missing last).
      const numbers = await store.tests.numbers(
        { sort: { key: "capacity_retention", order: "desc" } },
        ["capacity_retention", "cycle_count"],
      );
      const byName = new Map(all.map((t) => [t.id, t.name]));
      deepEqual(numbers.map((n) => byName.get(n.id)), ["s1", "s5", "s2", "s4", "s3"]);
      deepEqual(numbers.map((n) => n.values.cycle_count), [2, 2, 2, 2, null]);
      deepEqual(
        (await store.tests.numbers({ sort: { key: "name" } }, ["temperature_C"])).map((n) =>
          n.values.temperature_C
        ),
        [25, null, null, 45, null],
      );
      await rejects(store.tests.numbers({}, ["colour" as never]), RangeError);
      equal(numbers[0].sample_id, a.id);
      deepEqual(
        (await store.tests.numbers({ tester: "Maccor" }, ["capacity_retention"]))[0].values,
        { capacity_retention: null },
      );
      deepEqual(
        (await store.tests.numbers({ limit: 2, skip: 1, sort: { key: "name" } }, [])).map((n) =>
          byName.get(n.id)
        ),
        ["s2", "s3"],
      );
    },
  ],

  [
    "tests.find() filters by the last data point and the fade analysis, and sorts at random",
    async (store) => {
      const sampleId = await newSample(store, "activity");
      // Last data point = start + end of the last cycle (makeCycle: rows [10, 3610] end 3609 s).
      const fading = [0.99, 0.97, 0.95, 0.93, 0.9, 0.88, 0.85];
      const cyclesOf = (r: number[]) =>
        r.map((q, k) =>
          makeCycle(k + 1, [k * 3600 + 10, (k + 1) * 3600 + 10], { charge: q / 0.98, discharge: q })
        );
      const rows: [string, string | null, number[]][] = [
        ["old", "2024-01-01T00:00:00.000Z", fading],
        ["recent", "2024-03-01T00:00:00.000Z", fading],
        ["flat", "2024-02-01T00:00:00.000Z", [1, 1, 1, 1, 1, 1, 1]],
        ["no start", null, fading],
        ["no cycles", "2024-02-15T00:00:00.000Z", []],
      ];
      for (const [name, start, q] of rows) {
        const cycles = cyclesOf(q);
        await store.tests.create({
          sample_id: sampleId,
          tester: "Arbin",
          name,
          file_hash: hashOf(name),
          start_time: start,
          cycles,
          analysis: cycles.length ? analyzeTest({ cycles }).toJSON() : null,
        });
      }
      const names = async (filter: Parameters<Store["tests"]["find"]>[0]) =>
        (await store.tests.find({ ...filter, without_cycles: true })).map((t) => t.name);
      // "recent" ends 7 × 3600 + 9 s after 2024-03-01: 07:00:09.
      deepEqual(await names({ last_data_from: "2024-03-01T07:00:09.000Z" }), ["recent"]);
      deepEqual(await names({ last_data_from: "2024-03-01T07:00:09.001Z" }), []);
      deepEqual(await names({ last_data_before: "2024-02-01T00:00:00.000Z" }), ["old"]);
      // Without cycles the start is the last data point.
      deepEqual(
        await names({
          last_data_from: "2024-02-15T00:00:00.000Z",
          last_data_before: "2024-02-15T00:00:00.001Z",
        }),
        ["no cycles"],
      );
      deepEqual(await names({ last_data_known: false }), ["no start"]);
      equal(await store.tests.count({ last_data_known: true }), 4);
      deepEqual(await names({ sort: { key: "last_data_time", order: "desc" } }), [
        "recent",
        "no cycles",
        "flat",
        "old",
        "no start",
      ]);
      // A fade analysis: not for flat retention ("no fade to model") nor without an analysis.
      const all = await store.tests.find({ without_cycles: true });
      deepEqual(
        (await names({ has_fade: true })).sort(),
        all.filter((t) => t.analysis && !t.analysis.fade_note).map((t) => t.name).sort(),
      );
      deepEqual((await names({ has_fade: true })).sort(), ["no start", "old", "recent"]);
      deepEqual((await names({ has_fade: false })).sort(), ["flat", "no cycles"]);
      // The random order: a hash of the id, the same in every store, so a reproducible sample.
      const random = await names({ sort: { key: "random" } });
      deepEqual(random, await names({ sort: { key: "random" } }));
      deepEqual(
        random,
        [...all].sort((x, y) => randomKey(x.id) - randomKey(y.id)).map((t) => t.name),
      );
      await rejects(store.tests.find({ last_data_from: "yesterday" }), RangeError);
      await rejects(store.tests.find({ has_fade: "yes" as never }), RangeError);
    },
  ],

  ["tests.addNote() and timestamps: updated_at moves, created_at stays", async (store) => {
    const sampleId = await newSample(store, "ts");
    const test = await store.tests.create({
      sample_id: sampleId,
      tester: "Maccor",
      name: "ts",
      file_hash: hashOf("ts"),
    });
    equal(test.created_at, test.updated_at);
    await store.tests.addNote(test.id, { text: "looks fine", author: "lab" });
    const got = (await store.tests.get(test.id))!;
    deepEqual(got.notes.map((n) => n.text), ["looks fine"]);
    equal(got.created_at, test.created_at);
    ok(got.updated_at > test.updated_at);
  }],

  ["rawFiles.put() deduplicates by SHA-256 and streams bytes back", async (store) => {
    const bytes = makeBytes(2.5 * 1024 * 1024, 7); // 2.5 MiB: several stored pieces
    // Expected hash from WebCrypto, independent of the store's node:crypto path.
    const expected = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const put = await store.rawFiles.put(bytes, {
      file_name: "a.CSV",
      source_path: "/data/a.CSV",
      operator: "ben",
      tags: ["raw"],
    });
    equal(put.created, true);
    equal(put.doc.sha256, expected);
    equal(put.doc.size_bytes, bytes.length);
    equal(put.doc.test_id, null);
    const again = await store.rawFiles.put(bytes.slice(), { file_name: "copy.CSV" });
    equal(again.created, false);
    equal(again.doc.id, put.doc.id);
    equal(again.doc.file_name, "a.CSV");
    deepEqual(await store.rawFiles.read(put.doc.id), bytes);
    const pieces: Uint8Array[] = [];
    for await (const piece of await store.rawFiles.open(put.doc.id)) pieces.push(piece);
    ok(pieces.length >= 2);
    deepEqual(new Uint8Array(await new Blob(pieces as BlobPart[]).arrayBuffer()), bytes);
    // A stream with the same bytes is recognized too; a different one is stored.
    const asStream = (b: Uint8Array) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let at = 0; at < b.length; at += 100_000) c.enqueue(b.slice(at, at + 100_000));
          c.close();
        },
      });
    const streamed = await store.rawFiles.put(asStream(bytes), { file_name: "s.CSV" });
    equal(streamed.created, false);
    equal(streamed.doc.id, put.doc.id);
    const other = makeBytes(300_000, 9);
    const second = await store.rawFiles.put(asStream(other), { file_name: "b.mpt" });
    equal(second.created, true);
    equal(second.doc.sha256, createHash("sha256").update(other).digest("hex"));
    deepEqual(await store.rawFiles.read(second.doc.id), other);
    const empty = await store.rawFiles.put(new Uint8Array(0), { file_name: "empty" });
    deepEqual(await store.rawFiles.read(empty.doc.id), new Uint8Array(0));
    equal((await store.rawFiles.getByHash(expected))?.id, put.doc.id);
    await rejects(store.rawFiles.put(bytes, { file_name: "" }), TypeError);
  }],

  [
    "rawFiles keep text compressed, incompressible bytes as they are, packed files as given",
    async (store) => {
      // Text (an Arbin-like export) compresses: stored with zstd, read back byte for byte.
      const line = (k: number) => `${k},${(k * 10.001).toFixed(3)},3.${k % 1000},1.1,0.${k}\r\n`;
      const text = new TextEncoder().encode(
        Array.from({ length: 90_000 }, (_, k) => line(k)).join(""),
      );
      const t = await store.rawFiles.put(text, { file_name: "t.CSV" });
      equal(t.doc.encoding, "zstd");
      equal(t.doc.size_bytes, text.length);
      deepEqual(await store.rawFiles.read(t.doc.id), text);
      const pieces: Uint8Array[] = [];
      for await (const piece of await store.rawFiles.open(t.doc.id)) pieces.push(piece);
      deepEqual(new Uint8Array(await new Blob(pieces as BlobPart[]).arrayBuffer()), text);
      // Random bytes (like a zip) do not compress: kept as they are, the layout of every file
      // stored before compression, so such files still read.
      const noise = new Uint8Array(1_300_000);
      for (let at = 0; at < noise.length; at += 65536) {
        crypto.getRandomValues(noise.subarray(at, at + 65536));
      }
      const r = await store.rawFiles.put(noise, { file_name: "r.ndax" });
      equal(r.doc.encoding, undefined);
      deepEqual(await store.rawFiles.read(r.doc.id), noise);
      // A file packed elsewhere (an import worker) is stored as given; a stream of text too.
      const other = text.slice();
      other[5] = 0x39;
      const packed = packRaw(other);
      equal(packed.encoding, "zstd");
      const p = await store.rawFiles.put(packed, { file_name: "p.CSV" });
      equal(p.created, true);
      equal(p.doc.sha256, createHash("sha256").update(other).digest("hex"));
      deepEqual(await store.rawFiles.read(p.doc.id), other);
      const third = text.slice();
      third[7] = 0x38;
      const s = await store.rawFiles.put(
        new ReadableStream<Uint8Array>({
          start(c) {
            for (let at = 0; at < third.length; at += 70_000) {
              c.enqueue(third.slice(at, at + 70_000));
            }
            c.close();
          },
        }),
        { file_name: "s.CSV" },
      );
      equal(s.doc.encoding, "zstd");
      deepEqual(await store.rawFiles.read(s.doc.id), third);
      await rejects(
        store.rawFiles.put({ ...packed, pieces: [] }, { file_name: "bad" }),
        TypeError,
      );
    },
  ],

  [
    "rawFiles.put() takes a SHA-256 the caller computed, checked for form and on streams",
    async (store) => {
      const bytes = makeBytes(1_500_000, 11);
      // Expected hash from WebCrypto, independent of the stores' node:crypto path.
      const sha256 = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
        .map((b) => b.toString(16).padStart(2, "0")).join("");
      const put = await store.rawFiles.put(bytes, {
        file_name: "k.csv",
        sha256: sha256.toUpperCase(),
      });
      equal(put.created, true);
      equal(put.doc.sha256, sha256); // lowercased
      equal(Object.keys(put.doc).filter((k) => k === "sha256").length, 1);
      deepEqual(await store.rawFiles.read(put.doc.id), bytes);
      equal((await store.rawFiles.getByHash(sha256))?.id, put.doc.id);
      await rejects(store.rawFiles.put(bytes, { file_name: "k.csv", sha256: "abc" }), (e) => {
        ok(e instanceof TypeError);
        match(e.message, /sha256 must be a SHA-256 hex string/);
        return true;
      });
      // A stream is hashed anyway: a wrong given hash is refused and nothing is stored.
      const other = makeBytes(200_000, 12);
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(other);
          c.close();
        },
      });
      await rejects(store.rawFiles.put(stream, { file_name: "x", sha256 }), RangeError);
      equal(await store.rawFiles.getByHash(createHash("sha256").update(other).digest("hex")), null);
      equal((await store.rawFiles.find()).length, 1);
      await rejects(store.rawFiles.update(put.doc.id, { sha256 } as never), TypeError);
    },
  ],

  ["rawFiles links, find and delete", async (store) => {
    const sampleId = await newSample(store, "raw");
    const f1 = (await store.rawFiles.put(makeBytes(10, 1), { file_name: "1", tags: ["a"] })).doc;
    const f2 = (await store.rawFiles.put(makeBytes(10, 2), {
      file_name: "2",
      sample_id: sampleId,
      tags: ["a", "b"],
    })).doc;
    const linked = await store.rawFiles.update(f1.id, {
      sample_id: sampleId,
      operator: "op",
      acquisition_device: "VSP",
    });
    equal(linked.operator, "op");
    equal(linked.file_name, "1");
    deepEqual(
      (await store.rawFiles.find({ sample_id: sampleId })).map((f) => f.id).sort(),
      [
        f1.id,
        f2.id,
      ].sort(),
    );
    deepEqual((await store.rawFiles.find({ tags: ["a", "b"] })).map((f) => f.id), [f2.id]);
    deepEqual((await store.rawFiles.find({ operator: "op" })).map((f) => f.id), [f1.id]);
    await store.rawFiles.delete(f1.id);
    equal(await store.rawFiles.get(f1.id), null);
    await rejects(store.rawFiles.read(f1.id), NotFoundError);
    await rejects(store.rawFiles.open(f1.id), NotFoundError);
    await rejects(store.rawFiles.update(f1.id, { operator: "x" }), NotFoundError);
  }],

  ["deleting a test unlinks its raw file but keeps the bytes", async (store) => {
    const sampleId = await newSample(store, "unlink");
    const test = await store.tests.create({
      sample_id: sampleId,
      tester: "Arbin",
      name: "u",
      file_hash: hashOf("u"),
    });
    const file = (await store.rawFiles.put(makeBytes(100, 3), {
      file_name: "u.csv",
      test_id: test.id,
      sample_id: sampleId,
    })).doc;
    equal((await store.rawFiles.find({ test_id: test.id })).length, 1);
    await store.tests.delete(test.id);
    equal((await store.rawFiles.get(file.id))?.test_id, null);
    deepEqual(await store.rawFiles.read(file.id), makeBytes(100, 3));
  }],

  ["jobs record outcomes, count them and list newest first", async (store) => {
    const job = await store.jobs.start({ roots: ["/data"], options: { workers: 2 }, total: 3 });
    equal(job.status, "running");
    await store.jobs.record(job.id, {
      path: "/data/a",
      sha256: hashOf("a"),
      action: "created",
      test_id: "t1",
      error: null,
    });
    await store.jobs.record(job.id, {
      path: "/data/b",
      sha256: null,
      action: "failed",
      test_id: null,
      error: "boom",
    });
    await store.jobs.record(job.id, {
      path: "/data/c",
      sha256: hashOf("c"),
      action: "skipped",
      test_id: null,
      error: null,
    });
    const running = (await store.jobs.get(job.id))!;
    deepEqual(running.counts, {
      total: 3,
      processed: 3,
      created: 1,
      updated: 0,
      skipped: 1,
      failed: 1,
    });
    deepEqual(running.files.map((f) => [f.path, f.action, f.test_id, f.error]), [
      ["/data/a", "created", "t1", null],
      ["/data/b", "failed", null, "boom"],
      ["/data/c", "skipped", null, null],
    ]);
    deepEqual(running.errors, ["/data/b: boom"]);
    const done = await store.jobs.finish(job.id);
    equal(done.status, "failed"); // a file failed
    ok(done.finished_at !== null);
    await rejects(
      store.jobs.record(job.id, {
        path: "x",
        sha256: null,
        action: "created",
        test_id: null,
        error: null,
      }),
      ConflictError,
    );
    const second = await store.jobs.start({ roots: ["/other"] });
    await store.jobs.addError(second.id, "disk full");
    const third = await store.jobs.start({ roots: ["/third"] });
    equal((await store.jobs.finish(third.id)).status, "completed");
    const list = await store.jobs.list();
    deepEqual(list.map((j) => j.id), [third.id, second.id, job.id]);
    deepEqual(list[2].files, []);
    deepEqual((await store.jobs.list({ status: "running" })).map((j) => j.id), [second.id]);
    deepEqual((await store.jobs.list({ limit: 1 })).map((j) => j.id), [third.id]);
    equal((await store.jobs.finish(second.id, { status: "interrupted" })).status, "interrupted");
    equal(await store.jobs.get("missing"), null);
  }],

  ["datasets.put() versions per cell code with previous links", async (store) => {
    const input = {
      cell_code: "CN5",
      sample_id: null,
      test_ids: ["t1"],
      cycles: [{
        ...makeCycle(1, [0, 1], { charge: 1, discharge: 0.9 }),
        test_id: "t1",
        test_cycle: 1,
      }],
      content_hash: "h1",
    };
    const v1 = await store.datasets.put(input, { expected_previous_id: null });
    equal(v1.version, 1);
    equal(v1.previous_id, null);
    const v2 = await store.datasets.put({ ...input, content_hash: "h2" });
    equal(v2.version, 2);
    equal(v2.previous_id, v1.id);
    await rejects(
      store.datasets.put({ ...input, content_hash: "h3" }, { expected_previous_id: v1.id }),
      ConflictError,
    );
    equal((await store.datasets.latest("CN5"))?.id, v2.id);
    deepEqual((await store.datasets.versions("CN5")).map((d) => d.version), [2, 1]);
    deepEqual(await store.datasets.get(v1.id), v1);
    await store.datasets.put({ ...input, cell_code: "CN6" });
    equal(await store.datasets.count(), 2);
    equal(await store.datasets.latest("none"), null);
  }],

  [
    "updateCellDataset() merges a cell's tests by start time and versions only on change",
    async (store) => {
      const sampleId = await newSample(store, "CN42");
      const mk = (name: string, start: string, discharges: number[]) =>
        store.tests.create({
          sample_id: sampleId,
          tester: "Arbin",
          name,
          file_hash: hashOf(name),
          cell_code: "CN42",
          start_time: start,
          cycles: discharges.map((d, i) =>
            makeCycle(i + 1, [i * 10, i * 10 + 10], { charge: 1, discharge: d })
          ),
        });
      const later = await mk("CN42_b", "2024-03-02T00:00:00.000Z", [0.7]);
      const earlier = await mk("CN42_a", "2024-03-01T00:00:00.000Z", [0.9, 0.8]);
      const first = await updateCellDataset(store, "CN42");
      equal(first.changed, true);
      equal(first.dataset?.version, 1);
      deepEqual(first.dataset?.test_ids, [earlier.id, later.id]);
      deepEqual(
        first.dataset?.cycles.map((c) => [c.cycle, c.test_cycle, c.discharge_capacity_Ah]),
        [
          [1, 1, 0.9],
          [2, 2, 0.8],
          [3, 1, 0.7],
        ],
      );
      equal((await store.samples.get(sampleId))?.default_dataset_id, first.dataset?.id);
      const same = await updateCellDataset(store, "CN42");
      equal(same.changed, false);
      equal(same.dataset?.id, first.dataset?.id);
      // A cycle appended to an existing test is picked up (the original never re-merged).
      await store.tests.update(later.id, {
        cycles: [
          makeCycle(1, [0, 10], { charge: 1, discharge: 0.7 }),
          makeCycle(2, [10, 20], { charge: 1, discharge: 0.6 }),
        ],
      });
      const second = await updateCellDataset(store, "CN42");
      equal(second.changed, true);
      equal(second.dataset?.version, 2);
      equal(second.dataset?.previous_id, first.dataset?.id);
      deepEqual(second.dataset?.cycles.map((c) => c.discharge_capacity_Ah), [0.9, 0.8, 0.7, 0.6]);
      equal(await store.datasets.count(), 1);
      const none = await updateCellDataset(store, "CN404");
      equal(none.dataset, null);
    },
  ],

  [
    "tests keep a real analysis with nested arrays (fade-model covariance) exactly",
    async (store) => {
      const real = await realFadeTest();
      // The fixture's fade models carry 2×2 and 3×3 parameter covariance matrices
      // (analysis/fade_models.ts); without them this case would not store a nested array.
      const fits = real.analysis.fade!.models.fits;
      ok(fits.filter((f) => Array.isArray(f.covariance?.[0])).length >= 3);
      const sampleId = await newSample(store, "nw4-120-1-6");
      // Metadata with nested arrays, keys FerretDB refuses and a key shaped like the adapter's
      // own encoding of an array inside an array ("%[]").
      const metadata = {
        matrix: [[1, 2], [3, [4, [5]]], []],
        "a.b": [[{ $c: [[]], "%[]": [[0]] }]],
        "%[]": [7],
      };
      const test = await store.tests.create({
        sample_id: sampleId,
        tester: "Neware",
        name: "nw4-120-1-6-53",
        file_hash: hashOf(real.file),
        cycles: real.cycles,
        analysis: real.analysis,
        metadata,
      }, { series: real.series });
      deepEqual(test.analysis, real.analysis);
      deepEqual(test.metadata, metadata);
      deepEqual(await store.tests.get(test.id), test);
      deepEqual(await store.tests.find(), [test]);
      deepEqual(await store.tests.getByHash(hashOf(real.file)), test);
      const light = (await store.tests.find({ without_cycles: true }))[0];
      deepEqual(light.analysis, { ...real.analysis, cycles: [] });
      const [listed] = await store.tests.list();
      deepEqual(listed.analysis?.summary, real.analysis.summary);
      deepEqual(listed.analysis?.end_of_life, real.analysis.end_of_life);
      // The queryable fields still answer: the summary number and the protocol.
      const retention = real.analysis.summary.capacity_retention!;
      equal(typeof retention, "number");
      equal(
        await store.tests.count({
          summary: [{ field: "capacity_retention", op: "=", value: retention }],
          protocol: real.analysis.summary.protocol,
        }),
        1,
      );
      equal((await store.series.read(test.id))!.length, real.series.length);
      // An update replacing the analysis keeps the new matrices exactly.
      const changed = structuredClone(real.analysis);
      changed.fade!.models.fits[0].covariance = [[1, 0.5], [0.5, 2]];
      const updated = await store.tests.update(test.id, { analysis: changed });
      deepEqual(updated.analysis, changed);
      deepEqual((await store.tests.get(test.id))!.analysis, changed);
      // The sample's metrics come from the analysis (summary.initial_capacity_Ah).
      equal(
        (await store.samples.get(sampleId))!.metrics.avg_initial_capacity_Ah,
        real.analysis.summary.initial_capacity_Ah,
      );
    },
  ],

  ["describe() names the store and close() ends it", async (store) => {
    const d = store.describe();
    // Every store names its kind and says what selected it (any store: no list of kinds here).
    ok(d.kind.length > 0);
    ok(d.text.length > 0 && d.text.includes(`(${d.source}`), d.text);
    equal(d.persistent, d.kind !== "memory");
    await store.close();
    await rejects(store.samples.count(), /closed/);
    await store.close(); // closing twice is harmless
  }],
];

/**
 * Register every contract case as a `Deno.test` named `<label>: <case>`.
 *
 * @param label Store label in test names.
 * @param factory Opens a fresh store per case.
 */
export function storeContract(label: string, factory: StoreFactory): void {
  for (const [name, run] of CASES) {
    Deno.test(`${label}: ${name}`, async () => {
      const { store, cleanup } = await factory();
      try {
        await run(store);
      } finally {
        await cleanup();
      }
    });
  }
}
