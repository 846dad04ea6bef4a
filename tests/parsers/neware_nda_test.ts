// Copyright 2026 the battery-analysis authors. MIT license.

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { NEWARE_STATES } from "../../parsers/_neware_common.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { newareNda } from "../../parsers/neware_nda.ts";
import { summarizeCycles } from "../../analysis/cycles.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";
import { readFeather } from "./_feather.ts";
import { assertF32, chargeFirstCycles, parsesOrParseError, prng } from "./_neware_helpers.ts";

const NAME = "new_nda_file.nda";
const bytes = readFixture("neware/new_nda_file.nda");
const V22 = readFixture("neware/nda_v22.nda");

Deno.test("newareNda.parse() matches every row and column of NewareNDA's reference table", () => {
  // new_nda_file.ftr is the table NewareNDA produces for this file (published with the file).
  const ref = readFeather(readFixture("neware/new_nda_file.ftr"));
  const rec = newareNda.parse(bytes, { fileName: NAME });
  const s = rec.series!;
  equal(ref.rows, 439);
  equal(s.length, ref.rows);
  const c = ref.columns;
  for (let k = 0; k < s.length; k++) {
    const at = `row ${k}`;
    equal(s.extras.record_index[k], c.Index[k], at);
    equal(s.step_index[k], c.Step[k], at);
    equal(NEWARE_STATES[s.extras.step_type_code[k]], c.Status[k], at);
    // NewareNDA's "Time" of an .nda is the step time.
    assertF32(s.extras.step_time_s[k], c.Time[k] as number, `${at} Time`);
    assertF32(s.voltage_V[k], c.Voltage[k] as number, `${at} Voltage`);
    assertF32(s.current_A[k] * 1000, c["Current(mA)"][k] as number, `${at} Current(mA)`);
    assertF32(s.charge_capacity_Ah[k] * 1000, c["Charge_Capacity(mAh)"][k] as number, at);
    assertF32(s.discharge_capacity_Ah[k] * 1000, c["Discharge_Capacity(mAh)"][k] as number, at);
    assertF32(s.charge_energy_Wh[k] * 1000, c["Charge_Energy(mWh)"][k] as number, at);
    assertF32(s.discharge_energy_Wh[k] * 1000, c["Discharge_Energy(mWh)"][k] as number, at);
    // Timestamps are whole seconds of the wall clock: the accumulated test time agrees within
    // the clock's 1 s resolution.
    const wall = ((c.Timestamp[k] as number) - (c.Timestamp[0] as number)) / 1000;
    assertClose(s.time_s[k], wall, { abs: 1, message: `${at} time_s vs Timestamp` });
  }
  // Reference Timestamp[0] is 2020-03-25 11:16:50 (naive local time).
  equal(s.start_time, "2020-03-25T11:16:50");
  equal(new Date(c.Timestamp[0] as number).toISOString(), "2020-03-25T11:16:50.000Z");
  equal(rec.meta.start_time, s.start_time);
  // The reference's Cycle is NewareNDA's derived charge-first cycle number; the file's own
  // counter is 1 throughout (NewareNDA 2026.6.11 with software_cycle_number=False gives all 1).
  deepEqual(
    chargeFirstCycles([...s.extras.step_type_code].map((code) => NEWARE_STATES[code])),
    c.Cycle,
  );
  ok(s.cycle_index.every((v) => v === 1));
});

Deno.test("newareNda.parse() reads version, header and units of the v29 file", () => {
  const rec = newareNda.parse(bytes, { fileName: NAME });
  const { meta, series } = rec;
  equal(meta.format, "neware_nda");
  equal(meta.format_version, "nda v29");
  // Strings in the header, as NewareNDA's read_metadata reports them.
  equal(meta.header.server_version, "BTSServer(R3)-7.6.0.301 (2018.07.30)");
  equal(meta.header.client_version, "BTS 7.6.0.1408(2018.08.27)");
  equal(meta.header.remarks, "020-03-25 11-16-21");
  equal(meta.active_mass_g, 0.001); // 1000 µg at byte 152, read_metadata gives 1.0 mg
  equal(meta.header.step_types, "1=CC_Chg; 2=CC_DChg; 4=Rest");
  equal(series!.columns.current_A.original_name, "Current(mA)");
  equal(series!.columns.current_A.scale, 1e-3);
  ok(series!.columns.time_s.derived);
  // Current positive on charge: CC_Chg rows (code 1) have positive current.
  for (let k = 0; k < series!.length; k++) {
    if (series!.extras.step_type_code[k] === 1) ok(series!.current_A[k] >= 0);
    if (series!.extras.step_type_code[k] === 2) ok(series!.current_A[k] <= 0);
  }
  // Five 0xaa records (not data) follow the 439 data records in the file: reported.
  ok(meta.warnings.some((w) => w.startsWith("5 record(s) of type 0xaa")));
});

Deno.test("detectFormat() picks newareNda by the NEWARE signature, whatever the name", () => {
  equal(detectFormat(bytes, NAME).parser.id, "neware_nda");
  equal(detectFormat(bytes, "renamed.bin").parser.id, "neware_nda");
});

Deno.test("newareNda.parse() rejects a truncated record with its byte offset", () => {
  // Data start at 85471 (found by NewareNDA's rule); records are 86 bytes.
  const cut = 85471 + 86 * 100 + 40;
  const error = throwsParseError(() => newareNda.parse(bytes.subarray(0, cut), { fileName: NAME }));
  match(error.message, /new_nda_file\.nda/);
  match(error.message, /byte offset 94071 has 40 bytes, expected 86/);
  equal(error.offset, 94071);
});

Deno.test("newareNda.parse() names the byte offset of a bad version, signature or range", () => {
  const v = bytes.slice();
  v[14] = 99;
  match(throwsParseError(() => newareNda.parse(v, { fileName: NAME })).message, /offset 14/);
  const sig = bytes.slice();
  sig[0] = 0x41;
  equal(throwsParseError(() => newareNda.parse(sig, { fileName: NAME })).offset, 0);
  const range = bytes.slice();
  new DataView(range.buffer).setInt32(85471 + 78, 7777, true);
  const e = throwsParseError(() => newareNda.parse(range, { fileName: NAME }));
  match(e.message, /byte offset 85471 has current range 7777/);
  const empty = bytes.slice(0, 2000);
  match(
    throwsParseError(() => newareNda.parse(empty, { fileName: NAME })).message,
    /no data record/,
  );
  match(
    throwsParseError(() => newareNda.parse(bytes.slice(0, 10), { fileName: NAME })).message,
    /10 bytes/,
  );
});

Deno.test("newareNda.parse() throws only ParseError on truncated or corrupted files", () => {
  const rand = prng(29);
  for (const [file, data] of [[NAME, bytes], ["nda_v22.nda", V22]] as const) {
    for (let t = 0; t < 150; t++) {
      const cut = Math.floor(rand() * data.length);
      parsesOrParseError(
        () => newareNda.parse(data.subarray(0, cut), { fileName: file }),
        file,
        `cut ${cut}`,
      );
    }
    for (let t = 0; t < 150; t++) {
      const bad = data.slice();
      for (let j = 0; j < 20; j++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      parsesOrParseError(() => newareNda.parse(bad, { fileName: file }), file, `corruption ${t}`);
    }
    // Header fields: the block table and the range pointer.
    for (const at of [14, 16, 64, 68, 72, 76]) {
      const bad = data.slice();
      bad[at + 3] ^= 0x7f;
      parsesOrParseError(() => newareNda.parse(bad, { fileName: file }), file, `byte ${at + 3}`);
    }
  }
});

// ---- Synthetic files with known answers (layouts as documented in docs/neware.md) ----

function v29Record(fields: {
  index: number;
  cycle0: number;
  step: number;
  state: number;
  time_ms: number;
  v_raw: number;
  i_raw: number;
  caps: [number, number, number, number];
  range: number;
}): Uint8Array {
  const r = new Uint8Array(86);
  const d = new DataView(r.buffer);
  r[0] = 0x55;
  d.setUint32(2, fields.index, true);
  d.setUint32(6, fields.cycle0, true);
  d.setUint16(10, fields.step, true);
  r[12] = fields.state;
  d.setUint32(14, fields.time_ms, true);
  d.setInt32(22, fields.v_raw, true);
  d.setInt32(26, fields.i_raw, true);
  fields.caps.forEach((c, j) => d.setBigInt64(38 + 8 * j, BigInt(c), true));
  d.setUint16(70, 2024, true);
  r.set([5, 6, 7, 8, 9], 72);
  d.setInt32(78, fields.range, true);
  return r;
}

function v29File(records: Uint8Array[]): Uint8Array {
  const head = new Uint8Array(300);
  head.set(new TextEncoder().encode("NEWARE"), 0);
  head[14] = 29;
  const out = new Uint8Array(head.length + 86 * records.length);
  out.set(head);
  records.forEach((r, k) => out.set(r, head.length + 86 * k));
  return out;
}

Deno.test("newareNda.parse() decodes synthetic v29 records, aux channels and repeated indices", () => {
  const base = { cycle0: 0, time_ms: 0, range: 1000 } as const; // range 1000 → raw × 0.1 mA
  const recs = [
    v29Record({ ...base, index: 1, step: 1, state: 4, v_raw: 30000, i_raw: 0, caps: [0, 0, 0, 0] }),
    v29Record({
      ...base,
      index: 3,
      step: 2,
      state: 1,
      time_ms: 1500,
      v_raw: 31000,
      i_raw: 5000,
      caps: [36000, 0, 108000, 0],
    }),
    v29Record({
      ...base,
      index: 2,
      step: 1,
      state: 4,
      time_ms: 2000,
      v_raw: 30500,
      i_raw: 0,
      caps: [0, 0, 0, 0],
    }),
    v29Record({
      ...base,
      index: 2,
      step: 1,
      state: 4,
      time_ms: 9999,
      v_raw: 1,
      i_raw: 0,
      caps: [0, 0, 0, 0],
    }),
  ];
  const aux = new Uint8Array(86);
  aux[0] = 0x65;
  aux[1] = 3; // aux channel 3
  new DataView(aux.buffer).setUint32(2, 2, true); // record index 2
  new DataView(aux.buffer).setInt32(22, 12345, true); // 1.2345 V
  new DataView(aux.buffer).setInt16(34, 253, true); // 25.3 °C
  const rec = newareNda.parse(v29File([...recs, aux]), { fileName: "syn.nda" });
  const s = rec.series!;
  // Sorted by index, the repeated index 2 keeps its first record.
  deepEqual([...s.extras.record_index], [1, 2, 3]);
  deepEqual([...s.voltage_V], [3, 3.05, 3.1]);
  // Step 1 lasts 2 s (rows 1, 2), step 2 starts there: test time 0, 2, 2 + 1.5.
  deepEqual([...s.time_s], [0, 2, 3.5]);
  deepEqual([...s.step_index], [1, 1, 2]);
  assertClose(s.current_A[2], 5000 * 0.1e-3); // 0.5 A
  assertClose(s.charge_capacity_Ah[2], 36000 * 0.1 / 3600 / 1000); // 1 mAh
  assertClose(s.charge_energy_Wh[2], 108000 * 0.1 / 3600 / 1000); // 3 mWh
  equal(s.start_time, "2024-05-06T07:08:09");
  deepEqual([...s.extras.aux_temperature_3_C].map(String), ["NaN", "25.3", "NaN"]);
  assertClose(s.extras.aux_voltage_3_V[1], 1.2345);
  equal(s.temperature_C, s.extras.aux_temperature_3_C);
  ok(rec.meta.warnings.some((w) => /1 record\(s\) repeat/.test(w)));
});

Deno.test("a Pulse step's negative, decreasing discharge counter integrates to its magnitude", () => {
  // Neware stores the discharge counters of Pulse steps (state 16) negative and decreasing.
  // Step 1: CC_Chg at +100 mA for 4 s; step 2: Pulse at −100 mA for 4 s. Range 1000 → raw
  // current × 0.1 mA, raw counters × 0.1 / 3600 mAh. 100 mA for 1 s = 1000 raw. Known answer:
  // charge = discharge = 4000 × 0.1 / 3600 mAh = 1.111e-4 Ah; discharge energy at 3.5 V
  // = 3.889e-4 Wh. (Read as resets, each decrement added the whole negative value instead.)
  const base = { cycle0: 0, range: 1000 } as const;
  const recs: Uint8Array[] = [];
  for (let k = 0; k < 5; k++) {
    recs.push(v29Record({
      ...base,
      index: k + 1,
      step: 1,
      state: 1,
      time_ms: 1000 * k,
      v_raw: 40000,
      i_raw: k === 0 ? 0 : 1000,
      caps: [1000 * k, 0, 4000 * k, 0],
    }));
  }
  for (let k = 0; k < 5; k++) {
    recs.push(v29Record({
      ...base,
      index: k + 6,
      step: 2,
      state: 16,
      time_ms: 1000 * k,
      v_raw: 35000,
      i_raw: k === 0 ? 0 : -1000,
      caps: [0, -1000 * k, 0, -3500 * k],
    }));
  }
  const rec = newareNda.parse(v29File(recs), { fileName: "pulse.nda" });
  const s = rec.series!;
  equal(Math.min(...s.discharge_capacity_Ah), 0); // magnitudes
  assertClose(s.discharge_capacity_Ah[9], 4000 * 0.1 / 3600 / 1000);
  ok(rec.meta.warnings.some((w) => /8 capacity or energy value\(s\) are negative/.test(w)));
  equal(rec.meta.header.step_types, "1=CC_Chg; 16=Pulse");
  const table = summarizeCycles(s);
  equal(table.cycles.length, 1);
  assertClose(table.cycles[0].charge_capacity_Ah!, 4000 * 0.1 / 3600 / 1000, { rel: 1e-12 });
  assertClose(table.cycles[0].discharge_capacity_Ah!, 4000 * 0.1 / 3600 / 1000, { rel: 1e-12 });
  assertClose(table.cycles[0].discharge_energy_Wh!, 14000 * 0.1 / 3600 / 1000, { rel: 1e-12 });
});

Deno.test("newareNda.parse() reads nda_v22.nda (version 22) with its Unix times", () => {
  // Rows, counters and times are checked row by row against BTSDA in neware_btsda_test.ts.
  // Here: the first data record's Unix time 1444793310 s is 2015-10-14 03:28:30 UTC (BTSDA
  // shows the exporting PC's local time, 04:28:30); its 7 records of type 0xaa are not data.
  const rec = newareNda.parse(readFixture("neware/nda_v22.nda"), { fileName: "nda_v22.nda" });
  equal(rec.meta.format_version, "nda v22");
  equal(rec.series!.start_time, "2015-10-14T03:28:30Z");
  equal(rec.meta.header.current_range, "500");
  deepEqual(rec.meta.warnings, ["7 record(s) of type 0xaa (not data) were skipped"]);
});

/** A header of 300 bytes naming version `version`, a data block and a current range. */
function blockHeader(
  version: number,
  data: Uint8Array,
  size: number,
  range: number,
  aux?: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(300 + data.length + (aux?.length ?? 0));
  const d = new DataView(out.buffer);
  out.set(new TextEncoder().encode("NEWARE"), 0);
  out[14] = version;
  d.setUint32(16, 100, true); // the block holding the current range at its bytes 26-29
  d.setInt32(126, range, true);
  d.setUint32(64, 300, true);
  d.setUint32(68, data.length, true);
  out.set(data, 300);
  if (aux) {
    d.setUint32(72, 300 + data.length, true);
    d.setUint32(76, aux.length, true);
    out.set(aux, 300 + data.length);
  }
  equal(data.length % size, 0);
  return out;
}

Deno.test("newareNda.parse() decodes synthetic version 24 records, range 0 and an aux block", () => {
  // 86-byte records as version 29 but with a Unix time (u64 s) at bytes 70-77. The second
  // record's range is 0: the file's range (1000 → raw × 0.1 mA) applies, as for the first.
  const recs = [1, 2].map((index) => {
    const r = v29Record({
      index,
      cycle0: 0,
      step: index,
      state: index === 1 ? 4 : 1,
      time_ms: 0,
      v_raw: 30000 + index,
      i_raw: index === 1 ? 0 : 2000,
      caps: [0, 0, 0, 0],
      range: index === 1 ? 1000 : 0,
    });
    const d = new DataView(r.buffer);
    d.setUint32(70, 1700000000 + index, true);
    d.setUint32(74, 0, true);
    return r;
  });
  const aux = new Uint8Array(86);
  aux[0] = 0x65;
  aux[1] = 2;
  new DataView(aux.buffer).setUint32(2, 2, true);
  new DataView(aux.buffer).setInt16(34, 215, true); // 21.5 °C
  const data = new Uint8Array(172);
  recs.forEach((r, k) => data.set(r, 86 * k));
  const rec = newareNda.parse(blockHeader(24, data, 86, 1000, aux), { fileName: "v24.nda" });
  const s = rec.series!;
  deepEqual([...s.voltage_V], [3.0001, 3.0002]);
  deepEqual([...s.current_A], [0, 0.2]);
  deepEqual([...s.step_index], [1, 2]);
  equal(s.start_time, "2023-11-14T22:13:21Z");
  deepEqual([...s.extras.aux_temperature_2_C].map(String), ["NaN", "21.5"]);
});

Deno.test("newareNda.parse() decodes synthetic version 8 (59-byte) records", () => {
  // Fields: index, cycle (1-based in versions 6 and 8), step, state, step time (s), voltage
  // (0.1 mV), current and one capacity and energy counter scaled by the file's range (1000 →
  // raw × 0.1 mA; counters raw × 0.1 / 3600 mAh), Unix time (s). A CC_DChg counter is a
  // discharge counter: raw 36000 = 1 mAh.
  const rec59 = (index: number, state: number, step: number, t: number, i: number, q: number) => {
    const r = new Uint8Array(59);
    const d = new DataView(r.buffer);
    d.setUint32(1, index, true);
    d.setUint32(5, 1, true);
    r[9] = step;
    r[10] = state;
    d.setUint32(11, t, true);
    d.setInt32(15, 36000, true);
    d.setInt32(19, i, true);
    d.setBigInt64(31, BigInt(q), true);
    d.setBigInt64(39, BigInt(q * 3), true);
    d.setUint32(47, 1600000000 + index, true);
    return r;
  };
  const data = new Uint8Array(59 * 3);
  data.set(rec59(1, 4, 1, 0, 0, 0), 0);
  data.set(rec59(2, 2, 2, 0, -10000, 0), 59);
  data.set(rec59(3, 2, 2, 10, -10000, 36000), 118);
  const rec = newareNda.parse(blockHeader(8, data, 59, 1000), { fileName: "v8.nda" });
  const s = rec.series!;
  equal(rec.meta.format_version, "nda v8");
  deepEqual([...s.cycle_index], [1, 1, 1]);
  deepEqual([...s.time_s], [0, 0, 10]);
  deepEqual([...s.current_A], [0, -1, -1]);
  deepEqual([...s.voltage_V], [3.6, 3.6, 3.6]);
  deepEqual([...s.discharge_capacity_Ah], [0, 0, 0.001]);
  deepEqual([...s.charge_capacity_Ah], [0, 0, 0]);
  assertClose(s.discharge_energy_Wh[2], 0.003);
  equal(s.start_time, "2020-09-13T12:26:41Z");
});

Deno.test("newareNda.parse() reads version 26 records as version 29", () => {
  const base = { cycle0: 0, time_ms: 0, range: 1000, step: 1, state: 4, i_raw: 0 };
  const caps: [number, number, number, number] = [0, 0, 0, 0];
  const file = v29File([
    v29Record({ ...base, caps, index: 1, v_raw: 30000 }),
    v29Record({ ...base, caps, index: 2, v_raw: 30100 }),
  ]);
  file[14] = 26;
  const rec = newareNda.parse(file, { fileName: "v26.nda" });
  equal(rec.meta.format_version, "nda v26");
  deepEqual([...rec.series!.voltage_V], [3, 3.01]);
});

Deno.test("newareNda.parse() decodes synthetic BTS 9.1 and 9.0 (v130) records", () => {
  // BTS 9.1: 56-byte records from offset 1024 with float fields and a temperature.
  const rec91 = (k: number) => {
    const r = new Uint8Array(56);
    const d = new DataView(r.buffer);
    r[0] = 0x55;
    r[1] = 0x01;
    r[2] = 1; // step
    r[3] = k === 0 ? 4 : 2; // Rest, then CC_DChg
    d.setUint32(8, k + 1, true);
    d.setUint32(12, k * 10, true);
    d.setUint32(16, 500_000_000, true); // + 0.5 s
    d.setFloat32(20, k === 0 ? 0 : -2, true); // mA
    d.setFloat32(24, 3.5, true);
    d.setFloat32(28, -7200 * k, true); // mAs: negative = discharge
    d.setFloat32(32, -3600 * k, true);
    d.setUint32(36, 0, true);
    d.setUint32(44, 1700000000 + k, true);
    d.setFloat32(52, 30 + k, true);
    return r;
  };
  const f91 = new Uint8Array(1024 + 56 * 3);
  f91.set(new TextEncoder().encode("NEWARE"), 0);
  f91[14] = 130;
  for (let k = 0; k < 3; k++) f91.set(rec91(k), 1024 + 56 * k);
  const a = newareNda.parse(f91, { fileName: "bts91.nda" });
  const s = a.series!;
  equal(a.meta.format_version, "nda v130 (BTS 9.1)");
  deepEqual([...s.extras.step_time_s], [0.5, 10.5, 20.5]);
  deepEqual([...s.discharge_capacity_Ah], [0, 2e-3, 4e-3]); // 7200 mAs = 2 mAh
  deepEqual([...s.discharge_energy_Wh], [0, 1e-3, 2e-3]);
  deepEqual([...s.temperature_C!], [30, 31, 32]);
  equal(s.start_time, "2023-11-14T22:13:20Z"); // unix 1700000000
  // BTS 9.0: 88-byte records whose first six bytes repeat those at offset 1024; 0x81 ends.
  const f90 = new Uint8Array(1024 + 88 * 3);
  f90.set(new TextEncoder().encode("NEWARE"), 0);
  f90[14] = 130;
  for (let k = 0; k < 2; k++) {
    const p = 1024 + 88 * k;
    f90.set([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc], p);
    const d = new DataView(f90.buffer, p + 4);
    f90[p + 4 + 5] = 1;
    f90[p + 4 + 6] = 1; // CC_Chg
    d.setUint32(12, k + 1, true);
    d.setBigUint64(24, BigInt(k * 2_000_000), true); // µs
    d.setFloat32(32, 3.25, true);
    d.setFloat32(36, 1.5, true);
    d.setFloat32(48, 3600 * k, true);
    d.setBigUint64(64, 1700000000_000000n, true);
  }
  f90[1024 + 88 * 2] = 0x81;
  const b = newareNda.parse(f90, { fileName: "bts90.nda" });
  equal(b.meta.format_version, "nda v130 (BTS 9.0)");
  deepEqual([...b.series!.time_s], [0, 2]);
  deepEqual([...b.series!.charge_capacity_Ah], [0, 1e-3]);
  deepEqual([...b.series!.current_A], [1.5e-3, 1.5e-3]);
});

function throwsParseError(run: () => unknown): ParseError {
  let caught: unknown;
  throws(() => {
    try {
      run();
    } catch (error) {
      caught = error;
      throw error;
    }
  });
  ok(caught instanceof ParseError, `expected ParseError, got ${caught}`);
  return caught as ParseError;
}
