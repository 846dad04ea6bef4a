// Copyright 2026 the battery-analysis authors. MIT license.
// Series chunks are stored compressed when that saves a tenth; chunks stored before that (plain
// little-endian bytes) still read. The expected columns are the ones written.
import { deepEqual, ok } from "node:assert/strict";
import { decodeSeries, encodeSeries } from "../../../lib/store/_columnar.ts";
import type { CyclingSeries } from "../../../lib/model/cycling_series.ts";

function series(n: number): CyclingSeries {
  let seed = 5;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const noise = new Float64Array(n).map(() => rand() - 0.5); // does not compress
  return {
    length: n,
    time_s: new Float64Array(n).map((_, i) => i * 10.001),
    voltage_V: new Float64Array(n).map((_, i) => 3.5 + Math.round(Math.sin(i / 50) * 1e4) / 1e5),
    current_A: new Float64Array(n).map((_, i) => (i % 400 < 200 ? 1.1 : -1.1)),
    charge_capacity_Ah: new Float64Array(n).fill(NaN),
    discharge_capacity_Ah: new Float64Array(n).map((_, i) => Math.floor(i / 3) * 1e-5),
    charge_energy_Wh: new Float64Array(n).map((_, i) => (i === 7 ? -0 : 0)),
    discharge_energy_Wh: noise,
    step_index: new Int32Array(n).map((_, i) => 1 + Math.floor(i / 200) % 4),
    cycle_index: new Int32Array(n).map((_, i) => 1 + Math.floor(i / 800)),
    extras: { ir_ohm: new Float64Array(n).map(() => 0.015 + rand() * 1e-3) },
    start_time: "2024-05-01T10:00:00",
    columns: {},
  };
}

/** Columns as arrays with -0 marked, for a bit-for-bit comparison. */
const plain = (s: CyclingSeries) =>
  Object.fromEntries(
    Object.entries({ ...s, ...s.extras }).filter(([, v]) => ArrayBuffer.isView(v)).map((
      [k, v],
    ) => [k, Array.from(v as Float64Array, (x) => (Object.is(x, -0) ? "-0" : x))]),
  );

Deno.test("series chunks: compressed where it pays, read back bit for bit", () => {
  const s = series(25_000);
  const { info, chunks } = encodeSeries(s, { chunkRows: 10_000, version: "v" });
  const raw = (c: { row_count: number; column: string }) =>
    c.row_count * (c.column === "step_index" || c.column === "cycle_index" ? 4 : 8);
  const compressed = chunks.filter((c) => c.bytes.length < raw(c));
  const plainChunks = chunks.filter((c) => c.bytes.length === raw(c));
  ok(compressed.some((c) => c.column === "time_s"));
  ok(plainChunks.some((c) => c.column === "discharge_energy_Wh")); // noise stays as it is
  ok(compressed.length + plainChunks.length === chunks.length);
  deepEqual(plain(decodeSeries(info, chunks)), plain(s));
  // Rows 12,345–20,000 only (two chunks, one of them compressed in every compressible column).
  const part = decodeSeries(info, chunks, [12_345, 20_000]);
  deepEqual(Array.from(part.time_s), Array.from(s.time_s.subarray(12_345, 20_000)));
  // Chunks stored before compression: the plain little-endian bytes of each column.
  const legacy = chunks.map((c) => {
    const column = (c.column in s.extras ? s.extras[c.column] : s[c.column as "time_s"]) as
      | Float64Array
      | Int32Array;
    const size = column.BYTES_PER_ELEMENT;
    return {
      ...c,
      bytes: new Uint8Array(column.buffer, c.row_start * size, c.row_count * size).slice(),
    };
  });
  deepEqual(plain(decodeSeries(info, legacy)), plain(s));
});
