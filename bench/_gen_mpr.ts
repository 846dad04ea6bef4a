// Copyright 2026 the battery-analysis authors. MIT license.
// Large synthetic BioLogic .mpr files for the benchmarks, built from a real fixture.

import { readModules } from "../parsers/_biologic_mpr.ts";

/**
 * A synthetic `.mpr` of about `targetBytes` bytes: the 1501 points (61 bytes each) of
 * `tests/fixtures/biologic/00_test_04_MB_C01.mpr` replicated, with the point count and module
 * length patched; the LOG module follows as in the fixture.
 *
 * @param targetBytes Approximate size of the data module wanted. @default {128e6}
 * @returns The file and the length of its data module in bytes.
 */
export function syntheticMpr(targetBytes = 128e6): { bytes: Uint8Array; dataBytes: number } {
  const source = Deno.readFileSync(
    new URL("../tests/fixtures/biologic/00_test_04_MB_C01.mpr", import.meta.url),
  );
  const data = readModules(source, "source").find((m) => m.shortName === "VMP data")!;
  const dv0 = new DataView(source.buffer);
  const n0 = dv0.getUint32(data.body, true);
  const start = 0x3ef; // data module version 11
  const row = (data.length - start) / n0;
  const copies = Math.ceil(targetBytes / (n0 * row));
  const n = n0 * copies;
  const length = start + n * row;
  const head = source.subarray(0, data.body + start);
  const tail = source.subarray(data.body + data.length); // the LOG module
  const bytes = new Uint8Array(head.length + n * row + tail.length);
  bytes.set(head, 0);
  const points = source.subarray(data.body + start, data.body + data.length);
  for (let c = 0; c < copies; c++) bytes.set(points, head.length + c * points.length);
  bytes.set(tail, head.length + n * row);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(data.offset + 45, length, true); // extended header: length after 0xFFFFFFFF
  dv.setUint32(data.body, n, true);
  return { bytes, dataBytes: length };
}
