// Copyright 2026 the battery-analysis authors. MIT license.

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { strToU8, unzipSync, zipSync } from "fflate";
import { NEWARE_STATES } from "../../parsers/_neware_common.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { newareNdax } from "../../parsers/neware_ndax.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";
import { readFeather } from "./_feather.ts";
import { assertF32, parsesOrParseError, prng } from "./_neware_helpers.ts";

const UNIT27 = "123456789012_Unit27_Example_Data_File.ndax";

Deno.test("newareNdax.parse() matches NewareNDA's reference table of the ndc v14 file", () => {
  // 123456789012_Unit27_Example_Data_File.ftr is NewareNDA's table for this file. It has 302
  // rows: record index 1 appears twice because data_runInfo.ndc holds two records for index 1
  // (at 0 s and 0.1 s). The reader keeps the first record of an index, as NewareNDA 2026.6.11
  // does (drop_duplicates keep="first"), so it has 301 rows: the reference without its row 1.
  const ref = readFeather(readFixture(`neware/${UNIT27.replace(".ndax", ".ftr")}`));
  equal(ref.rows, 302);
  deepEqual(ref.columns.Index.slice(0, 3), [1, 1, 2]);
  const keep = [...Array(ref.rows).keys()].filter((k) => k !== 1);
  const rec = newareNdax.parse(readFixture(`neware/${UNIT27}`), { fileName: UNIT27 });
  const s = rec.series!;
  equal(s.length, 301);
  const c = ref.columns;
  keep.forEach((r, k) => {
    const at = `row ${k} (reference row ${r})`;
    equal(s.extras.record_index[k], c.Index[r], at);
    equal(s.step_index[k], c.Step[r], at);
    equal(s.cycle_index[k], c.Cycle[r], at);
    equal(NEWARE_STATES[s.extras.step_type_code[k]], c.Status[r], at);
    assertF32(s.extras.step_time_s[k], c.Time[r] as number, `${at} Time`);
    assertF32(s.voltage_V[k], c.Voltage[r] as number, `${at} Voltage`);
    assertF32(s.current_A[k] * 1000, c["Current(mA)"][r] as number, at);
    assertF32(s.charge_capacity_Ah[k] * 1000, c["Charge_Capacity(mAh)"][r] as number, at);
    assertF32(s.discharge_capacity_Ah[k] * 1000, c["Discharge_Capacity(mAh)"][r] as number, at);
    assertF32(s.charge_energy_Wh[k] * 1000, c["Charge_Energy(mWh)"][r] as number, at);
    assertF32(s.discharge_energy_Wh[k] * 1000, c["Discharge_Energy(mWh)"][r] as number, at);
    assertF32(s.extras.aux_temperature_1_C[k], c.T1[r] as number, `${at} T1`);
    assertF32(s.extras.aux_temperature_2_C[k], c.T2[r] as number, `${at} T2`);
  });
  equal(s.temperature_C, s.extras.aux_temperature_1_C);
  // The runInfo record of index 1 says 1731933825 s + 422 ms (UTC); the older NewareNDA that
  // wrote the reference dropped the milliseconds (Timestamp[0] = 12:43:45.000 UTC).
  equal(s.start_time, "2024-11-18T12:43:45.422Z");
  assertClose(Date.parse(s.start_time!), c.Timestamp[0] as number, { abs: 1000 });
  // runInfo holds 8 records (7 distinct indices): the other 294 rows are interpolated.
  equal(s.extras.interpolated.reduce((a, b) => a + b, 0), 294);
  const meta = rec.meta;
  equal(meta.channel, 81); // TestInfo.xml ChlID="81"
  equal(meta.device, "27-0"); // DevID-UnitID
  equal(meta.format_version, "ndax ndc v14 (BTS Client 8.0.0.513(2023.11.27))");
  equal(meta.header.test_Barcode, "123456789012");
  equal(meta.header.server_version, "BTSServer(R3)-8.0.0.390 (2024.06.24)");
  equal(meta.header.schedule_steps, "1=Rest; 2=End");
  equal(meta.header.step_types, "4=Rest");
  ok(meta.warnings.some((w) => w.startsWith("294 of 301 rows have no runInfo record")));
  // Every page's record count (bytes 2-3) agrees with the records found in it.
  ok(!meta.warnings.some((w) => /page\(s\)/.test(w)), meta.warnings.join("; "));
});

// Expected values below were computed with NewareNDA 2026.6.11 (`pip install NewareNDA`,
// `NewareNDA.read(file)`), which reads these files independently of this code; its columns are
// float32, hence the float32 tolerance.
Deno.test("newareNdax.parse() reads the ndc v5 file test.ndax as NewareNDA does", () => {
  const rec = newareNdax.parse(readFixture("neware/test.ndax"), { fileName: "test.ndax" });
  const s = rec.series!;
  equal(s.length, 1464);
  const rows: [number, number, number, string, number, number, number, number, number][] = [
    // row, Index, Step, Status, Time, Voltage, Current(mA), Charge_Cap(mAh), Charge_En(mWh)
    [0, 1, 1, "Rest", 0, 3.466599941253662, 0, 0, 0],
    [
      700,
      701,
      2,
      "CCCV_Chg",
      20670,
      4.398799896240234,
      0.04390000179409981,
      0.5820531845092773,
      2.4967031478881836,
    ],
    [732, 733, 3, "CCCV_DChg", 0, 4.389500141143799, -0.11980000138282776, 0, 0],
    [1463, 1464, 4, "Rest", 300, 1.8105000257492065, 0, 0, 0],
  ];
  for (const [k, index, step, status, time, v, i, qc, ec] of rows) {
    equal(s.extras.record_index[k], index);
    equal(s.step_index[k], step);
    equal(NEWARE_STATES[s.extras.step_type_code[k]], status);
    assertF32(s.extras.step_time_s[k], time, "Time");
    assertF32(s.voltage_V[k], v, "Voltage");
    assertF32(s.current_A[k] * 1000, i, "Current");
    assertF32(s.charge_capacity_Ah[k] * 1000, qc, "Charge_Capacity");
    assertF32(s.charge_energy_Wh[k] * 1000, ec, "Charge_Energy");
  }
  // Row 1400: CCCV_DChg at 20040 s, -0.0302 mA, 0.6141704 mAh and 1.8597013 mWh discharged.
  assertF32(s.discharge_capacity_Ah[1400] * 1000, 0.6141704320907593, "Discharge_Capacity");
  assertF32(s.discharge_energy_Wh[1400] * 1000, 1.8597012758255005, "Discharge_Energy");
  // Column sums over all 1464 rows (NewareNDA, float32 values summed in float64).
  const sum = (a: ArrayLike<number>, f = 1) => Array.from(a).reduce((x, y) => x + y * f, 0);
  assertClose(sum(s.extras.step_time_s), 15576900.0, { rel: 1e-7 });
  assertClose(sum(s.voltage_V), 5185.895567059517, { rel: 1e-6 });
  assertClose(sum(s.current_A, 1000), -4.053502265363932, { rel: 1e-5 });
  assertClose(sum(s.charge_capacity_Ah, 1000), 245.3854583974462, { rel: 1e-6 });
  assertClose(sum(s.discharge_capacity_Ah, 1000), 253.19611453311518, { rel: 1e-6 });
  assertClose(sum(s.charge_energy_Wh, 1000), 1043.4427767521702, { rel: 1e-6 });
  assertClose(sum(s.discharge_energy_Wh, 1000), 863.2427460672334, { rel: 1e-6 });
  equal(sum(s.step_index), 3660);
  equal(sum(s.cycle_index), 1464);
  // Test time: 4 steps of 300 s, 21600 s, 21600 s and 300 s, each starting where the last ended.
  equal(s.time_s[1463], 300 + 21600 + 21600 + 300);
  equal(s.start_time, "2024-02-01T20:24:23"); // local wall clock of the first record
  equal(rec.meta.channel, 7);
  equal(rec.meta.device, "16-1");
  equal(rec.meta.header.schedule_steps, "1=Rest; 2=CCCV_Chg; 3=CCCV_DChg; 4=Rest; 5=End");
});

Deno.test("newareNdax.parse() reads filetype14-0.ndax as NewareNDA does", () => {
  const rec = newareNdax.parse(readFixture("neware/filetype14-0.ndax"), {
    fileName: "filetype14-0.ndax",
  });
  const s = rec.series!;
  equal(s.length, 67);
  const expected: [number, number, number][] = [
    // row, Time, Voltage (NewareNDA 2026.6.11)
    [0, 0, 0.0033460345584899187],
    [1, 10, 0.0033466399181634188],
    [2, 20, 0.0033290802966803312],
    [33, 330, 0.003332713386043906],
    [66, 655.4000244140625, 0.0033127316273748875],
  ];
  for (const [k, t, v] of expected) {
    assertF32(s.extras.step_time_s[k], t, `Time ${k}`);
    assertF32(s.voltage_V[k], v, `Voltage ${k}`);
  }
  const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
  assertClose(sum(s.extras.step_time_s), 22105.400024414062, { rel: 1e-7 });
  assertClose(sum(s.voltage_V), 0.22260575159452856, { rel: 1e-6 });
  equal(sum(s.extras.record_index), 2278);
  ok(s.current_A.every((i) => i === 0)); // a rest-only file
  equal(s.start_time, "2025-04-04T14:49:39.550Z");
  equal(rec.meta.channel, 9);
  equal(rec.meta.header.test_Barcode, "commercial_cell_001");
});

Deno.test("detectFormat() picks newareNdax from the zip part names", () => {
  for (const f of [UNIT27, "filetype14-0.ndax", "test.ndax"]) {
    const bytes = readFixture(`neware/${f}`);
    equal(detectFormat(bytes, f).parser.id, "neware_ndax");
    equal(detectFormat(bytes, "renamed.zip").parser.id, "neware_ndax");
  }
});

function rezip(parts: Record<string, Uint8Array>): Uint8Array {
  return zipSync(parts);
}

Deno.test("newareNdax.parse() reports truncated archives and parts with file, part and offset", () => {
  const bytes = readFixture("neware/test.ndax");
  const cut = throwsParseError(() =>
    newareNdax.parse(bytes.subarray(0, 20000), { fileName: "test.ndax" })
  );
  match(cut.message, /^Cannot parse "test\.ndax": cannot unzip/);
  const parts = unzipSync(bytes);
  const short = { ...parts, "data.ndc": parts["data.ndc"].subarray(0, 4096 * 5 + 1000) };
  const e = throwsParseError(() => newareNdax.parse(rezip(short), { fileName: "test.ndax" }));
  match(e.message, /data\.ndc: truncated: part is 21480 bytes/);
  match(e.message, /page at byte offset 20480 is cut/);
  equal(e.offset, 20480);
  const badCount = { ...parts, "data.ndc": parts["data.ndc"].slice() };
  badCount["data.ndc"][4096 + 2] = 200; // page claims 200 records of 87 bytes
  match(
    throwsParseError(() => newareNdax.parse(rezip(badCount), { fileName: "test.ndax" })).message,
    /data\.ndc: page at byte offset 4096 claims 200 records, expected at most 45/,
  );
  const noData = { "TestInfo.xml": strToU8("<root/>") };
  match(
    throwsParseError(() => newareNdax.parse(rezip(noData), { fileName: "x.ndax" })).message,
    /no data\.ndc part/,
  );
  const split = unzipSync(readFixture(`neware/${UNIT27}`));
  delete split["data_runInfo.ndc"];
  match(
    throwsParseError(() => newareNdax.parse(rezip(split), { fileName: UNIT27 })).message,
    /expected data_runInfo\.ndc and data_step\.ndc/,
  );
  const version = { ...parts, "data.ndc": parts["data.ndc"].slice() };
  version["data.ndc"][2] = 42;
  match(
    throwsParseError(() => newareNdax.parse(rezip(version), { fileName: "t.ndax" })).message,
    /ndc version 42 file type 1 is not supported/,
  );
});

Deno.test("newareNdax.parse() throws only ParseError on corrupted parts", () => {
  const rand = prng(14);
  for (const f of [UNIT27, "test.ndax"]) {
    const parts = unzipSync(readFixture(`neware/${f}`));
    const names = Object.keys(parts).filter((n) => n.endsWith(".ndc"));
    for (let t = 0; t < 60; t++) {
      const name = names[Math.floor(rand() * names.length)];
      const bad = parts[name].slice();
      if (rand() < 0.3) {
        const cut = Math.floor(rand() * bad.length);
        const corrupt = { ...parts, [name]: bad.subarray(0, cut) };
        parsesOrParseError(
          () => newareNdax.parse(rezip(corrupt), { fileName: f }),
          f,
          `${name} cut`,
        );
        continue;
      }
      for (let j = 0; j < 30; j++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      const corrupt = { ...parts, [name]: bad };
      parsesOrParseError(() => newareNdax.parse(rezip(corrupt), { fileName: f }), f, name);
    }
    const whole = readFixture(`neware/${f}`);
    for (let t = 0; t < 40; t++) {
      const cut = Math.floor(rand() * whole.length);
      parsesOrParseError(() => newareNdax.parse(whole.subarray(0, cut), { fileName: f }), f, "cut");
    }
  }
});

function throwsParseError(run: () => unknown): ParseError {
  try {
    run();
  } catch (error) {
    ok(error instanceof ParseError, `expected ParseError, got ${error}`);
    return error;
  }
  throw new Error("expected a ParseError, nothing was thrown");
}

// ---- Synthetic archives with known answers for the .ndc versions without a sample file ----

/**
 * A paged .ndc part: 4096-byte header, then one page holding `size`-byte records from byte 132,
 * their count at bytes 2-3 and their slots marked in the bitmask from byte 4.
 */
function pagedPart(
  filetype: number,
  version: number,
  size: number,
  records: ((d: DataView, r: Uint8Array) => void)[],
): Uint8Array {
  const out = new Uint8Array(8192);
  out[0] = filetype;
  out[2] = version;
  out[4096] = filetype + 1;
  new DataView(out.buffer).setUint16(4096 + 2, records.length, true);
  records.forEach((fill, k) => {
    out[4096 + 4 + (k >> 3)] |= 1 << (k & 7);
    const r = out.subarray(4096 + 132 + k * size, 4096 + 132 + (k + 1) * size);
    fill(new DataView(r.buffer, r.byteOffset, size), r);
  });
  return out;
}

const TEST_INFO = strToU8(
  '<?xml version="1.0" encoding="UTF-8"?><root><config><TestInfo DevID="3" UnitID="2" ' +
    'ChlID="5" AuxCount="1"><Aux1 AuxID="1" ChlType="103"/></TestInfo></config></root>',
);

/**
 * Four rows: runInfo records for indices 1 (rest, dt 1 s) and 3 (charge, 0.1 mAh, dt 2 s);
 * rows 2 and 4 have none. Expected (rule of docs/neware.md): step time 0, 1, 0, 2 s; test time
 * 0, 1, 1, 3 s; charge capacity 0, 0, 0.1, 0.1 + 2 s × 360 mA / 3600 = 0.3 mAh; charge energy
 * of row 4 = 0.2 mAh × 3.3 V = 0.66 mWh.
 */
function splitArchive(version: 11 | 16 | 17, runSteps = [1, 2]): Uint8Array {
  const si = version === 17; // volts, amperes and Ah (17) or 1e-4 V, mA and mA·s (11, 16)
  const v = [3.0, 3.1, 3.2, 3.3], i_mA = [0, 0, 360, 360];
  const data = pagedPart(
    1,
    version,
    8,
    v.map((volts, k) => (d) => {
      d.setFloat32(0, si ? volts : volts * 1e4, true);
      d.setFloat32(4, si ? i_mA[k] / 1000 : i_mA[k], true);
    }),
  );
  const runSize = version === 11 ? 47 : 100;
  const run = (index: number, step: number, dt_ms: number, charge_mAh: number, ts: number) =>
  (
    d: DataView,
  ) => {
    d.setInt32(0, 0, true);
    d.setFloat32(5, si ? charge_mAh / 1000 : charge_mAh * 3600, true);
    d.setInt32(29, dt_ms, true);
    d.setInt32(33, ts, true);
    d.setInt32(37, step, true);
    d.setInt32(41, index, true);
    d.setInt16(45, 250, true);
  };
  const runInfo = pagedPart(18, version, runSize, [
    run(1, runSteps[0], 1000, 0, 1700000000),
    run(3, runSteps[1], 2000, 0.1, 1700000002),
  ]);
  const stepSize = version === 11 ? 37 : 100;
  const step = (stepIndex: number, state: number, index: number) => (d: DataView) => {
    d.setInt32(0, 0, true);
    d.setInt32(4, stepIndex, true);
    d.setInt8(24, state);
    if (stepSize === 100) d.setInt32(33, index, true);
  };
  const steps = pagedPart(7, version, stepSize, [step(1, 4, 1), step(2, 1, 3)]);
  const parts: Record<string, Uint8Array> = {
    "TestInfo.xml": TEST_INFO,
    "data.ndc": data,
    "data_runInfo.ndc": runInfo,
    "data_step.ndc": steps,
  };
  if (version === 17) {
    parts["data_AUX_1_1_1.ndc"] = pagedPart(
      5,
      17,
      4,
      [25.5, 25.6, 25.7, 25.8].map((t) => (d) => d.setFloat32(0, t, true)),
    );
  }
  return zipSync(parts);
}

Deno.test("newareNdax.parse() joins synthetic ndc v11, v16 and v17 split parts", () => {
  for (const version of [11, 16, 17] as const) {
    const rec = newareNdax.parse(splitArchive(version), { fileName: `v${version}.ndax` });
    const s = rec.series!;
    const at = `ndc v${version}`;
    equal(rec.meta.format_version, `ndax ndc v${version}`, at);
    deepEqual([...s.extras.record_index], [1, 2, 3, 4], at);
    deepEqual([...s.extras.step_time_s], [0, 1, 0, 2], at);
    deepEqual([...s.time_s], [0, 1, 1, 3], at);
    deepEqual([...s.step_index], [1, 1, 2, 2], at);
    deepEqual([...s.cycle_index], [1, 1, 1, 1], at);
    deepEqual([...s.extras.step_type_code], [4, 4, 1, 1], at);
    deepEqual([...s.extras.interpolated], [0, 1, 0, 1], at);
    [3.0, 3.1, 3.2, 3.3].forEach((volts, k) => assertClose(s.voltage_V[k], volts, { rel: 1e-6 }));
    assertClose(s.current_A[3], 0.36, { rel: 1e-6 });
    assertClose(s.charge_capacity_Ah[2], 1e-4, { rel: 1e-6 });
    assertClose(s.charge_capacity_Ah[3], 3e-4, { rel: 1e-6 });
    assertClose(s.charge_energy_Wh[3], 0.2e-3 * Math.fround(3.3), { rel: 1e-6 });
    equal(s.start_time, "2023-11-14T22:13:20.250Z", at);
    equal(rec.meta.channel, 5);
    equal(rec.meta.device, "3-2");
    ok(rec.meta.warnings.some((w) => w.startsWith("2 of 4 rows have no runInfo record")), at);
    if (version === 17) {
      deepEqual([...s.temperature_C!].map(Math.fround), [25.5, 25.6, 25.7, 25.8].map(Math.fround));
      equal(
        s.columns.temperature_C.note,
        "first auxiliary temperature channel (aux_temperature_1_C)",
      );
    }
  }
});

Deno.test("newareNdax.parse() counts steps itself when runInfo's step numbers do not fit", () => {
  // runInfo records name steps 7 and 8 of a two-step table: the steps are counted where the
  // number changes (same rows as with 1 and 2), with a warning.
  const rec = newareNdax.parse(splitArchive(11, [7, 8]), { fileName: "v11.ndax" });
  deepEqual([...rec.series!.step_index], [1, 1, 2, 2]);
  deepEqual([...rec.series!.extras.step_type_code], [4, 4, 1, 1]);
  ok(rec.meta.warnings.some((w) => w.includes("not positions in the step table")));
});

Deno.test("newareNdax.parse() keeps a record whose slot is marked, even with V = 0", () => {
  // Page bitmask: slot 2 (record index 3) holds voltage 0 and current 0, like BTSDA's
  // placeholder record in 21_10_7_85.ndax; clearing its bit removes the record.
  const parts = unzipSync(splitArchive(17));
  const data = parts["data.ndc"];
  new DataView(data.buffer).setFloat32(4096 + 132 + 2 * 8, 0, true);
  const kept = newareNdax.parse(zipSync(parts), { fileName: "v.ndax" }).series!;
  deepEqual([...kept.extras.record_index], [1, 2, 3, 4]);
  equal(kept.voltage_V[2], 0);
  data[4096 + 4] &= ~(1 << 2);
  data[4096 + 2] = 3;
  const dropped = newareNdax.parse(zipSync(parts), { fileName: "v.ndax" }).series!;
  deepEqual([...dropped.extras.record_index], [1, 2, 4]);
});

Deno.test("newareNdax.parse() reads synthetic ndc v2 records located by their marker", () => {
  // Version 2: 94-byte records whose first 8 bytes equal bytes 517-524 of the part.
  const rec = (k: number) => {
    const r = new Uint8Array(94);
    const d = new DataView(r.buffer);
    r.set([0x55, 0, 1, 2, 3, 4, 5, 6]);
    d.setUint32(8, k + 1, true); // index
    d.setUint32(12, 0, true); // cycle 0 → 1
    r[16] = 1; // step
    r[17] = 2; // CC_DChg
    d.setUint32(23, k * 500, true); // ms
    d.setInt32(31, 40000 - k * 100, true); // 1e-4 V
    d.setInt32(35, -2000, true); // × 1e-2 (range 100) = -20 mA
    d.setBigInt64(51, BigInt(k * 72000), true); // × 1e-2 / 3600 = k × 0.2 mAh
    d.setUint16(75, 2023, true);
    r.set([1, 2, 3, 4, 5], 77);
    d.setInt32(82, 100, true);
    return r;
  };
  const part = new Uint8Array(517 + 94 * 3);
  part[0] = 1;
  part[2] = 2;
  for (let k = 0; k < 3; k++) part.set(rec(k), 517 + 94 * k);
  const r = newareNdax.parse(zipSync({ "data.ndc": part }), { fileName: "v2.ndax" });
  const s = r.series!;
  deepEqual([...s.extras.record_index], [1, 2, 3]);
  deepEqual([...s.voltage_V], [4, 3.99, 3.98]);
  deepEqual([...s.current_A], [-0.02, -0.02, -0.02]);
  deepEqual([...s.time_s], [0, 0.5, 1]);
  deepEqual([...s.discharge_capacity_Ah].map((q) => Math.round(q * 1e6)), [0, 200, 400]); // µAh
  equal(s.start_time, "2023-01-02T03:04:05");
});

Deno.test("newareNdax.parse() refuses damaged zip64 sizes without inflating gigabytes", () => {
  // Neware writes every size as 0xffffffff plus a zip64 extra field. Damage the extra field's
  // id of the first central-directory entry: the sizes stay 0xffffffff, which no valid entry
  // can state. (The fuzzer found that the unzipper then allocated 4 GiB and ran for seconds.)
  const bytes = readFixture("neware/123456789012_Unit27_Example_Data_File.ndax").slice();
  const view = new DataView(bytes.buffer);
  let eocd = bytes.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const cd = view.getUint32(eocd + 16, true);
  const extra = cd + 46 + view.getUint16(cd + 28, true);
  equal(view.getUint16(extra, true), 1); // the zip64 field
  bytes[extra] = 2;
  try {
    newareNdax.parse(bytes, { fileName: "damaged.ndax" });
    ok(false, "expected a ParseError");
  } catch (error) {
    ok(error instanceof ParseError, String(error));
    match((error as Error).message, /EditStep\.xml" states 4294967295 bytes/);
  }
});
