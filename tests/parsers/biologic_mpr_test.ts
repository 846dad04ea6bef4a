// Copyright 2026 the battery-analysis authors. MIT license.
// Expected numbers come from tests/parsers/biologic_expected.py, which reads the .mpr files with
// galvani 0.5.0 (run only) and the .mpt files with pandas; float32 values are compared with a
// relative tolerance of 1e-7 because galvani prints them rounded to 8 digits.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { biologicMpr } from "../../parsers/biologic_mpr.ts";
import { biologicMpt } from "../../parsers/biologic_mpt.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { assertClose, readFixture } from "../_util.ts";
import { type ByteSource, byteSource } from "../../parsers/byte_source.ts";
import type { Recording } from "../../lib/model/file_meta.ts";
import { read } from "../../lib/summarize/read.ts";
import { syntheticMpr } from "../../bench/_gen_mpr.ts";
import { createHash } from "node:crypto";

/** Every `.mpr` fixture. */
const MPR_FIXTURES = [
  "GCPL-0.mpr",
  "MB-0.mpr",
  "MB-1.mpr",
  "PEIS-0.mpr",
  "00_test_01_OCV_C01.mpr",
  "00_test_04_MB_C01.mpr",
  "exampleDataBioLogic.mpr",
];

/** `00_test_04_MB_C01.mpr` with its 1501 points repeated `copies` times (bench/_gen_mpr.ts). */
const replicatedMpr = (copies: number) => syntheticMpr(1501 * 61 * copies);

const parse = (name: string, bytes = readFixture(`biologic/${name}`)) =>
  biologicMpr.parse(bytes, { fileName: name });
const f32 = { rel: 1e-7 };

interface Expect {
  rows: number;
  technique: string;
  channel: number;
  start: string;
  device: string;
  t: [number, number];
  v: [number, number];
}

/** galvani: row count, start timestamp, first/last time/s and Ewe/V; channel from the LOG. */
const CYCLING: Record<string, Expect> = {
  "00_test_01_OCV_C01.mpr": {
    rows: 2,
    technique: "OCV",
    channel: 1, // file name _C01
    start: "2023-12-07T14:22:24.183",
    device: "SP-300 (SN 1850)",
    t: [0, 5.593199858703883],
    v: [-0.37380898, -0.37328216],
  },
  "00_test_04_MB_C01.mpr": {
    rows: 1501,
    technique: "MB",
    channel: 1,
    start: "2023-12-08T09:49:52.346",
    device: "SP-300 (SN 1850)",
    t: [16.167399591577123, 17.667199553688988],
    v: [-1.6501378, -1.6501302],
  },
  "GCPL-0.mpr": {
    rows: 4,
    technique: "GCPL",
    channel: 8, // the LOG's saved file name ends in _GCPL_C08.mpr
    start: "2024-09-02T13:49:32.494",
    device: "MPG2 (SN 0276)",
    t: [0, 2.812999928937643],
    v: [3.5150876, 3.5146868],
  },
  "MB-0.mpr": {
    rows: 2,
    technique: "MB",
    channel: 16, // saved file name ends in _C16.mpr
    start: "2026-04-13T10:08:08.230",
    device: "MPG2 (SN 0365)",
    t: [0, 9.99759974743938],
    v: [1.4890101, 1.4890865],
  },
  "MB-1.mpr": {
    rows: 13,
    technique: "GCPL", // the settings module says GCPL (ID 0x04) despite the file name
    channel: 10, // saved file name ends in _C10.mpr
    start: "2024-09-20T14:12:38.196",
    device: "MPG2 (SN 0355)",
    t: [0, 14.0001996463252],
    v: [4.394661, 4.394642],
  },
};

for (const [name, e] of Object.entries(CYCLING)) {
  Deno.test(`biologicMpr.parse() reads ${name}`, () => {
    const rec = parse(name);
    const s = rec.series!;
    deepEqual(rec.meta.techniques, [e.technique]);
    equal(rec.meta.channel, e.channel);
    equal(rec.meta.start_time, e.start);
    equal(s.start_time, e.start);
    equal(rec.meta.device, e.device);
    equal(rec.meta.format, "biologic_mpr");
    equal(rec.spectra, undefined);
    equal(s.length, e.rows);
    equal(s.time_s[0], e.t[0]);
    equal(s.time_s[e.rows - 1], e.t[1]);
    assertClose(s.voltage_V[0], e.v[0], f32);
    assertClose(s.voltage_V[e.rows - 1], e.v[1], f32);
    equal(s.columns.voltage_V.original_name, "Ewe/V");
    // Flag byte: galvani's first flags are 23 or 3 (mode bits 0b11 → 3, rest), 18 for the MB file
    // (mode 2).
    equal(s.extras.mode[0], name === "00_test_04_MB_C01.mpr" ? 2 : 3);
  });
}

Deno.test("biologicMpr.parse() decodes the flag bits and counters of the Modulo Bat file", () => {
  const rec = parse("00_test_04_MB_C01.mpr");
  const s = rec.series!;
  // galvani row 0: flags 18, Ns 0, I Range 38, control/V -1.6499572, I/mA -0.04469791.
  equal(s.extras.mode[0], 2);
  equal(s.extras.control_changes[0], 1);
  equal(s.extras.ox_red.reduce((a, b) => a + b, 0), 0); // galvani: ox/red sum 0
  equal(s.extras.i_range[0], 38);
  assertClose(s.extras.control_V[0], -1.6499572, f32);
  assertClose(s.current_A[0], -0.04469791e-3, f32);
  assertClose(s.current_A[1500], -0.04339667e-3, f32);
  equal(s.columns.current_A.original_name, "I/mA");
  equal(s.columns.current_A.scale, 1e-3);
  // Counters: the script sums the raw dq/mA.h per half cycle (a single half cycle 0 here):
  // charge 0, discharge 1.7953012467258507e-05 mA·h, equal to −(Q-Qo) on the last row.
  equal(s.charge_capacity_Ah[1500], 0);
  assertClose(s.discharge_capacity_Ah[1500], 1.7953012467258507e-8, { rel: 1e-12 });
  assertClose(s.extras.q_minus_q0_Ah[1500], -1.7953012467258507e-8, { rel: 1e-15 });
  equal(s.columns.discharge_capacity_Ah.derived, true);
  match(s.columns.discharge_capacity_Ah.note!, /half cycle/);
  assertClose(s.extras.abs_energy_Wh[1500], 2.9624906828006108e-08, { rel: 1e-15 });
  // No per-direction energy columns: integrated from I × E by the shared helper.
  equal(s.columns.discharge_energy_Wh.derived, true);
  ok(s.discharge_energy_Wh[1500] > 0);
  equal(rec.meta.header["Reference electrode"], "(unspecified)");
  equal(rec.meta.header["Software version"], "11.50");
});

Deno.test("biologicMpr.parse() derives a missing current from dq and time", () => {
  // MB-1 stores dq/mA.h but no I/mA. Script: last row dq × 3600 / Δt × 1e-3 = 6.574434134028236e-09 A.
  const rec = parse("MB-1.mpr");
  const s = rec.series!;
  assertClose(s.current_A[12], 6.574434134028236e-09, { rel: 1e-12 });
  ok(Number.isNaN(s.current_A[0]), "the first row has no interval");
  equal(s.columns.current_A.derived, true);
  match(rec.meta.warnings.join(), /current_A derived from dq\/mA\.h/);
  // Script: the positive dq sum is 8.977731236478172e-09 mA·h, the file's (Q-Qo) on the last row.
  assertClose(s.charge_capacity_Ah[12], 8.977731236478172e-12, { rel: 1e-12 });
  equal(s.step_index[12], 1); // galvani Ns 1
  assertClose(s.extras.power_W[12], 2.8892284e-08, f32);
  assertClose(s.extras.control_V_or_mA[12], 0.513, f32);
});

Deno.test("biologicMpr.parse() derives MB-1's current from dq: it agrees with the file's P/W, not the 0.513 set point", () => {
  // MB-1 is a GCPL run whose `control/V/mA` column is 0.513 (the set point) on the last two
  // rows, but the cell never carried that current. Values read with galvani 0.x (run, not read):
  //   row 10: time/s 9.999799747383804; row 11: time/s 10.0001997473737,
  //   dq/mA.h 1.672804605429216e-09, Ewe/V 4.395466, P/W 6.6174805e-05.
  // dq × 3.6 / Δt (mA·h → C, per second) = 1.5055241829190344e-05 A (Python float arithmetic);
  // the instrument's own power gives P / Ewe = 1.505524215e-05 A: the same current, 34 times
  // below 0.513 mA. A 0.513 mA current over the 4 s to row 12 would pass 5.7e-4 mA·h; the file's
  // dq there is 7.3e-9 mA·h. So the derivation (units mA·h, time base s) is right.
  const s = parse("MB-1.mpr").series!;
  assertClose(s.current_A[11], 1.5055241829190344e-05, { rel: 1e-12 });
  assertClose(s.current_A[11] * s.voltage_V[11], s.extras.power_W[11], { rel: 1e-6 });
  assertClose(s.current_A[12] * s.voltage_V[12], s.extras.power_W[12], { rel: 1e-6 });
  ok(s.current_A[11] < 0.513e-3 / 30);
});

Deno.test("biologicMpr.parse() reads the PEIS file with a loop module", () => {
  const rec = parse("PEIS-0.mpr");
  deepEqual(rec.meta.techniques, ["PEIS"]);
  equal(rec.meta.channel, 4); // BT-Lab channel "A4": the saved file name ends in _CA4.mpr
  equal(rec.meta.start_time, "2024-10-31T12:39:27.989");
  equal(rec.meta.electrode_area_cm2, 1.539);
  equal(rec.meta.header["Electrolyte"], "LiTFSI in EC EMC + 2.2% FEC");
  equal(rec.meta.header["loop indexes"], "0, 60");
  equal(rec.meta.header["data module version"], "3");
  equal(rec.series, undefined);
  equal(rec.spectra!.length, 1); // frequency never rises (script: rises 0), one cycle number
  const s = rec.spectra![0];
  equal(s.length, 60);
  equal(s.frequency_Hz[0], 10001);
  equal(s.frequency_Hz[59], 0.009313225746154785);
  assertClose(s.z_real_ohm[0], 5.521314, f32);
  assertClose(s.z_imag_ohm[0], -1.5513071, f32);
  assertClose(s.z_imag_ohm[59], -80.352745, f32);
  assertClose(s.extras.current_A[0], -1.0070825e-3, f32);
  equal(s.extras.time_s[59], 6111192.454667095);
  equal(s.cycle, 0);
});

Deno.test("biologicMpr and biologicMpt give the same spectrum for exampleDataBioLogic", () => {
  const bin = parse("exampleDataBioLogic.mpr");
  const txt = biologicMpt.parse(readFixture("biologic/exampleDataBioLogic.mpt"), {
    fileName: "exampleDataBioLogic.mpt",
  });
  equal(bin.meta.start_time, txt.meta.start_time);
  equal(bin.meta.channel, txt.meta.channel);
  equal(bin.meta.device, txt.meta.device);
  deepEqual(bin.meta.techniques, txt.meta.techniques);
  equal(bin.meta.electrode_area_cm2, txt.meta.electrode_area_cm2);
  equal(bin.meta.active_mass_g, txt.meta.active_mass_g);
  equal(bin.spectra!.length, txt.spectra!.length);
  const a = bin.spectra![0], b = txt.spectra![0];
  equal(a.length, 43);
  equal(b.length, 43);
  equal(a.cycle, b.cycle);
  deepEqual(Object.keys(a.extras), Object.keys(b.extras));
  deepEqual(Object.keys(a.columns).sort(), Object.keys(b.columns).sort());
  // The text export prints float32 values with 8 significant digits: a relative rounding error
  // of at most 5e-8; time/s (float64) is printed with 16 digits.
  const same = (x: Float64Array, y: Float64Array, rel: number, what: string) => {
    for (let i = 0; i < x.length; i++) assertClose(x[i], y[i], { rel, message: `${what}[${i}]` });
  };
  same(a.frequency_Hz, b.frequency_Hz, 6e-8, "frequency_Hz");
  same(a.z_real_ohm, b.z_real_ohm, 6e-8, "z_real_ohm");
  same(a.z_imag_ohm, b.z_imag_ohm, 6e-8, "z_imag_ohm");
  for (const k of Object.keys(a.extras)) {
    same(a.extras[k], b.extras[k], k === "time_s" ? 1e-15 : 6e-8, k);
  }
});

/** exampleDataBioLogic.mpr: data module body at byte 2046, IDs from byte 2051 (u8 count). */
const EXAMPLE_IDS = 2051;

Deno.test("biologicMpr.parse() reads an unknown column ID into a named raw column", () => {
  const original = readFixture("biologic/exampleDataBioLogic.mpr");
  const bytes = original.slice();
  const dv = new DataView(bytes.buffer);
  equal(dv.getUint16(EXAMPLE_IDS, true), 0x20); // freq/Hz
  dv.setUint16(EXAMPLE_IDS, 0x3ff, true); // an ID no table knows
  const rec = parse("patched.mpr", bytes);
  match(rec.meta.warnings.join("\n"), /unknown column ID 1023 \(0x3ff\) at byte 2051: 4 bytes/);
  // Without freq/Hz the rows are a plain series; the unknown column holds the frequencies.
  const raw = rec.series!.extras.unknown_column_1023;
  const freq = parse("exampleDataBioLogic.mpr").spectra![0].frequency_Hz;
  deepEqual([...raw], [...freq]);
});

Deno.test("biologicMpr.parse() infers where the points start for an unseen data-module version", () => {
  // Version field of the data module header (old layout: MODULE at 1989, version at +45) 2 → 7.
  const bytes = readFixture("biologic/exampleDataBioLogic.mpr").slice();
  const dv = new DataView(bytes.buffer);
  equal(dv.getUint32(1989 + 45, true), 2);
  dv.setUint32(1989 + 45, 7, true);
  const rec = parse("patched.mpr", bytes);
  // 3071-byte module − 43 points × 62 bytes = 405 = 0x195, where version 2 puts them.
  match(rec.meta.warnings.join(), /version 7 not seen before.*0x195/);
  deepEqual(
    [...rec.spectra![0].z_real_ohm],
    [...parse("exampleDataBioLogic.mpr").spectra![0].z_real_ohm],
  );
});

Deno.test("biologicMpr.parse() refuses two unknown columns, naming the ID and byte offset", () => {
  const bytes = readFixture("biologic/exampleDataBioLogic.mpr").slice();
  const dv = new DataView(bytes.buffer);
  dv.setUint16(EXAMPLE_IDS, 0x3ff, true);
  dv.setUint16(EXAMPLE_IDS + 2, 0x3fe, true);
  throws(
    () => parse("patched.mpr", bytes),
    (e: unknown) =>
      e instanceof ParseError && e.offset === EXAMPLE_IDS &&
      /byte 2051: unknown column ID 1023 \(0x3ff\)/.test(e.message),
  );
});

Deno.test("biologicMpr.parse() gives ParseError with byte offsets for truncated or corrupt bytes", () => {
  const good = readFixture("biologic/exampleDataBioLogic.mpr");
  const err = (bytes: Uint8Array, offset: number, re: RegExp) =>
    throws(
      () => parse("bad.mpr", bytes),
      (e: unknown) => e instanceof ParseError && e.offset === offset && re.test(e.message),
    );
  // Cut inside the data module (body 2046, 3071 bytes): the module header promises more.
  err(good.slice(0, 3000), 3000, /byte 1989: module "VMP data" declares 3071 bytes.*truncated/);
  // Cut inside a module header.
  err(good.slice(0, 1989 + 20), 1989, /byte 1989: file ends inside a module header/);
  // Not an EC-Lab file at all.
  err(new TextEncoder().encode("BIO-LOGIC? no"), 0, /byte 0: no "BIO-LOGIC MODULAR FILE"/);
  // A corrupt "MODULE" keyword where the data module starts.
  const keyword = good.slice();
  keyword[1989] = 0x58;
  err(keyword, 1989, /byte 1989: expected "MODULE"/);
  // A corrupt point count: 43 → 4300 points do not fit in the module.
  const count = good.slice();
  new DataView(count.buffer).setUint32(2046, 4300, true);
  err(count, 2046 + 3071, /4300 points of 62 bytes need 266600 \(truncated or corrupt\)/);
  // No data module: only the settings module is kept (cut exactly after it).
  err(good.slice(0, 1989), 52, /no "VMP data" module \(modules: VMP Set\)/);
});

Deno.test("detectFormat() picks biologic_mpr by content, not by name", () => {
  for (
    const name of [
      "GCPL-0.mpr",
      "MB-0.mpr",
      "MB-1.mpr",
      "PEIS-0.mpr",
      "00_test_01_OCV_C01.mpr",
      "00_test_04_MB_C01.mpr",
      "exampleDataBioLogic.mpr",
    ]
  ) {
    equal(detectFormat(readFixture(`biologic/${name}`), name).parser.id, "biologic_mpr", name);
  }
  const bytes = readFixture("biologic/GCPL-0.mpr");
  equal(detectFormat(bytes, "renamed.bin").parser.id, "biologic_mpr");
  equal(biologicMpr.detect(new Uint8Array(10), "x.mpr").confidence, 0.1);
});

/** A source that hands out at most `most` bytes per call, like a short read of a file. */
function stingySource(bytes: Uint8Array, most: number): ByteSource {
  const inner = byteSource(bytes);
  return {
    size: bytes.length,
    readInto: (into, offset) =>
      inner.readInto(into.subarray(0, Math.min(most, into.length)), offset),
  };
}

/** A recording as plain data, every typed array as its type and the SHA-256 of its bytes. */
function bits(recording: Recording): unknown {
  return JSON.parse(JSON.stringify(recording, (_key, value) => {
    if (!ArrayBuffer.isView(value)) return value;
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return `${value.constructor.name}(${bytes.length}) ${
      createHash("sha256").update(bytes).digest("hex")
    }`;
  }));
}

/** Recordings equal bit for bit (NaN included, which an element-wise `==` would not allow). */
function sameRecording(a: Recording, b: Recording, name: string): void {
  deepEqual(bits(a), bits(b), name);
}

Deno.test("biologicMpr.parseSource() gives the recording parse() gives, for every fixture", () => {
  for (const name of MPR_FIXTURES) {
    const bytes = readFixture(`biologic/${name}`);
    const fromSource = biologicMpr.parseSource!(stingySource(bytes, 777), { fileName: name });
    sameRecording(fromSource, parse(name, bytes), name);
  }
});

Deno.test("biologicMpr.parseSource() reads a data module of several chunks (the points of 00_test_04_MB_C01.mpr 48 times)", () => {
  // 72,048 points of 61 bytes: three chunks of at most 32,768 points, the last one partial.
  const { bytes } = replicatedMpr(48);
  const fromSource = biologicMpr.parseSource!(stingySource(bytes, 1 << 20), { fileName: "big" });
  const fromBytes = biologicMpr.parse(bytes, { fileName: "big" });
  equal(fromSource.series!.length, 1501 * 48);
  sameRecording(fromSource, fromBytes, "big");
  // Row 1501 × 47 + 10 is row 10 of the fixture again (the replicas are copies).
  const one = parse("00_test_04_MB_C01.mpr");
  equal(fromSource.series!.voltage_V[1501 * 47 + 10], one.series!.voltage_V[10]);
  equal(fromSource.series!.extras.half_cycle[1501 * 47 + 10], one.series!.extras.half_cycle[10]);
});

Deno.test("biologicMpr.parseSource() gives the same ParseError as parse() for truncated bytes", () => {
  const good = readFixture("biologic/exampleDataBioLogic.mpr");
  for (const bytes of [good.slice(0, 3000), good.slice(0, 1989 + 20), good.slice(0, 1989)]) {
    let fromBytes: unknown, fromSource: unknown;
    try {
      parse("bad.mpr", bytes);
    } catch (e) {
      fromBytes = e;
    }
    try {
      biologicMpr.parseSource!(stingySource(bytes, 100), { fileName: "bad.mpr" });
    } catch (e) {
      fromSource = e;
    }
    ok(fromBytes instanceof ParseError && fromSource instanceof ParseError);
    equal(fromSource.message, fromBytes.message);
    equal(fromSource.offset, fromBytes.offset);
  }
});

Deno.test("read() of an .mpr larger than a detection head reads it in chunks: same recording as parse()", async () => {
  const { bytes } = replicatedMpr(2); // 185 kB: above the 64 KiB head
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cell_C01.mpr`;
    await Deno.writeFile(path, bytes);
    const viaRead = await read(path);
    sameRecording(viaRead, biologicMpr.parse(bytes, { fileName: path }), "read");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
