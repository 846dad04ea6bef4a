// Copyright 2026 the battery-analysis authors. MIT license.
// Large synthetic Neware .nda and .ndax files for the benchmarks, built from the real records of
// the fixtures (record indices renumbered so that every record is new).

import { unzipSync, zipSync } from "fflate";

const here = (p: string) => new URL(`../tests/fixtures/neware/${p}`, import.meta.url);

/** A v29 .nda of about `mb` MB: the fixture's header and its 439 data records, repeated. */
export function bigNda(mb: number): Uint8Array {
  const src = Deno.readFileSync(here("new_nda_file.nda"));
  const start = 85471; // first record (NewareNDA's rule; see docs/neware.md)
  const records: Uint8Array[] = [];
  for (let p = start; p + 86 <= src.length; p += 86) {
    if (src[p] === 0x55) records.push(src.subarray(p, p + 86));
  }
  const count = Math.floor((mb * 1e6 - start) / 86);
  const out = new Uint8Array(start + count * 86);
  out.set(src.subarray(0, start));
  const view = new DataView(out.buffer);
  for (let k = 0; k < count; k++) {
    const p = start + k * 86;
    out.set(records[k % records.length], p);
    view.setUint32(p + 2, k + 1, true);
  }
  return out;
}

/** A v5 .ndax whose data.ndc holds about `mb` MB of pages copied from test.ndax. */
export function bigNdax(mb: number): { zip: Uint8Array; ndcBytes: number } {
  const parts = unzipSync(Deno.readFileSync(here("test.ndax")));
  const data = parts["data.ndc"];
  const pages = Math.floor((data.length - 4096) / 4096) - 1; // full pages (the last is partial)
  const want = Math.floor((mb * 1e6) / 4096);
  const out = new Uint8Array(4096 + want * 4096);
  out.set(data.subarray(0, 4096));
  const view = new DataView(out.buffer);
  let index = 0;
  for (let k = 0; k < want; k++) {
    const base = 4096 + k * 4096;
    out.set(data.subarray(4096 + (k % pages) * 4096, 4096 + (k % pages + 1) * 4096), base);
    for (let r = 0; r < 45; r++) view.setUint32(base + 125 + r * 87 + 8, ++index, true);
  }
  return { zip: zipSync({ ...parts, "data.ndc": out }), ndcBytes: out.length };
}
