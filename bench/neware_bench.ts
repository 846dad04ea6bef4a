// Copyright 2026 the battery-analysis authors. MIT license.
// Throughput of the Neware .nda and .ndax readers on large synthetic files built from the real
// records of the fixtures (record indices renumbered so that every record is new).
//
//   deno bench -A bench/neware_bench.ts      (deno bench timings)
//   deno run -A bench/neware_bench.ts        (prints MB/s)

import { cpuUsage } from "node:process";
import { unzipSync, zipSync } from "fflate";
import { newareNda } from "../parsers/neware_nda.ts";
import { newareNdax } from "../parsers/neware_ndax.ts";

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

const nda = bigNda(50);
const ndax = bigNdax(20);

Deno.bench("neware .nda v29, 50 MB synthetic", { n: 5, warmup: 1 }, () => {
  newareNda.parse(nda, { fileName: "big.nda" });
});
Deno.bench("neware .ndax ndc v5, 20 MB data.ndc", { n: 5, warmup: 1 }, () => {
  newareNdax.parse(ndax.zip, { fileName: "big.ndax" });
});

if (import.meta.main) {
  // Wall time and this process's CPU time (user + system) per run; on a busy machine the CPU
  // time is the fairer figure. Median and best of 9 runs after one warm-up.
  const rate = (bytes: number, run: () => unknown) => {
    run();
    const wall: number[] = [], cpu: number[] = [];
    for (let i = 0; i < 9; i++) {
      const c0 = cpuUsage();
      const t0 = performance.now();
      run();
      wall.push(performance.now() - t0);
      const c = cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const mbs = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);
    return `median ${wall[4].toFixed(0)} ms wall = ${mbs(wall[4])} MB/s (best ${mbs(wall[0])}), ` +
      `median CPU ${cpu[4].toFixed(0)} ms = ${mbs(cpu[4])} MB/s`;
  };
  const a = rate(nda.length, () => newareNda.parse(nda, { fileName: "big.nda" }));
  const b = rate(ndax.zip.length, () => newareNdax.parse(ndax.zip, { fileName: "big.ndax" }));
  const c = rate(ndax.ndcBytes, () => newareNdax.parse(ndax.zip, { fileName: "big.ndax" }));
  // deno-lint-ignore no-console
  console.log(
    `.nda v29, ${(nda.length / 1e6).toFixed(1)} MB: ${a}\n` +
      `.ndax v5, ${(ndax.zip.length / 1e6).toFixed(1)} MB archive: ${b}\n` +
      `.ndax v5, same, per MB of data.ndc (${(ndax.ndcBytes / 1e6).toFixed(1)} MB): ${c}`,
  );
}
